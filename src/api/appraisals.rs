//! Appraisals: computing a cycle, reading appraisals in the caller's scope, reviewing;
//! adapters over `app::appraisals`.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::body::{JsonBody, QueryParams};
use crate::app::appraisals::Review;
use crate::app::view::{Appraisal, DepartmentReport};
use crate::app::App;
use crate::auth::Caller;
use crate::domain::appraisal::{
    AppraisalState, CriticalRule, Inputs, InspectionInput, MissingReason,
};
use crate::domain::component::Component;
use crate::domain::scheme::{GradeBand, MinEvidence, Weights};
use crate::error::{reader_locale, AppError, FieldErrors, ProblemBody};
use crate::export::Format as ExportFormat;
use crate::i18n::{self, Locale};

/// One component as computed, with the weight that applied and, when it is missing, why
/// (in words in the reader's language, and as a code with its numbers).
#[derive(Debug, Serialize, ToSchema)]
pub struct ComponentView {
    /// 0–100, two decimals; null when missing.
    pub score: Option<f64>,
    pub weight: i32,
    pub evidence: i64,
    pub missing_reason: Option<String>,
    pub missing: Option<MissingReason>,
}

impl ComponentView {
    fn of(inputs: &Inputs, name: Component, locale: Locale) -> ComponentView {
        let c = inputs.component(name).clone();
        ComponentView {
            score: c.score,
            weight: c.weight,
            evidence: c.evidence,
            missing_reason: c
                .missing_reason
                .as_ref()
                .map(|m| i18n::missing_reason(locale, name, m)),
            missing: c.missing_reason,
        }
    }
}

/// Each component of the appraisal, by its name.
#[derive(Debug, Serialize, ToSchema)]
pub struct Components {
    pub sales: ComponentView,
    pub satisfaction: ComponentView,
    pub etiquette: ComponentView,
    pub collaboration: ComponentView,
    /// Responsiveness to complaints (`evidence` counts the complaints charged; weight 0
    /// unless HR gives it one).
    pub responsiveness: ComponentView,
}

impl Components {
    fn of(inputs: &Inputs, locale: Locale) -> Components {
        // A new component is a new field here: the match fails to compile until it is.
        match Component::Sales {
            Component::Sales
            | Component::Satisfaction
            | Component::Etiquette
            | Component::Collaboration
            | Component::Responsiveness => {}
        }
        let view = |c| ComponentView::of(inputs, c, locale);
        Components {
            sales: view(Component::Sales),
            satisfaction: view(Component::Satisfaction),
            etiquette: view(Component::Etiquette),
            collaboration: view(Component::Collaboration),
            responsiveness: view(Component::Responsiveness),
        }
    }
}

/// One appraisal with everything it was computed from.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppraisalView {
    pub id: i32,
    pub cycle_id: i32,
    pub employee_id: i32,
    pub department_id: i32,
    pub state: AppraisalState,
    /// "complete", or "insufficient evidence" when no component could be scored.
    #[schema(value_type = String)]
    pub status: &'static str,
    pub total: Option<f64>,
    pub grade: Option<String>,
    pub rank: Option<i32>,
    pub components: Components,
    pub weights: Weights,
    pub full_marks_at: i32,
    pub min_evidence: MinEvidence,
    pub grade_bands: Vec<GradeBand>,
    pub sales_total: i64,
    pub sales_target: Option<i64>,
    pub inspections: Vec<InspectionInput>,
    /// The rule of critical items, in the reader's language.
    pub critical_rule: String,
    pub critical_rule_code: CriticalRule,
    pub supervisor_comment: Option<String>,
    pub computed_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i32,
    /// The cycle's `inputs_revision` this appraisal was computed from: lower than the
    /// cycle's now means stale (the scheme, evidence or people changed since).
    pub basis_revision: i64,
}

impl AppraisalView {
    pub fn of(a: Appraisal, locale: Locale) -> Result<Self, AppError> {
        let (inputs, total) = (a.inputs()?, a.total());
        Ok(AppraisalView {
            id: a.id,
            cycle_id: a.cycle_id,
            employee_id: a.employee_id,
            department_id: a.department_id,
            state: a.state,
            status: if a.total_centi.is_some() {
                "complete"
            } else {
                "insufficient evidence"
            },
            total,
            grade: a.grade,
            rank: a.department_rank,
            components: Components::of(&inputs, locale),
            weights: inputs.weights,
            full_marks_at: inputs.full_marks_at,
            min_evidence: inputs.min_evidence,
            grade_bands: inputs.grade_bands,
            sales_total: inputs.sales_total,
            sales_target: inputs.sales_target,
            inspections: inputs.inspections,
            critical_rule: i18n::text(locale, "critical_rule"),
            critical_rule_code: inputs.critical_rule,
            supervisor_comment: a.supervisor_comment,
            computed_at: a.computed_at.and_utc(),
            published_at: a.published_at.map(|p| p.and_utc()),
            version: a.version,
            basis_revision: a.basis_revision,
        })
    }
}

fn views(list: Vec<Appraisal>, locale: Locale) -> Result<Vec<AppraisalView>, AppError> {
    list.into_iter()
        .map(|a| AppraisalView::of(a, locale))
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct ListView {
    items: Vec<AppraisalView>,
    total: usize,
}

impl ListView {
    fn of(list: Vec<Appraisal>, locale: Locale) -> Result<ListView, AppError> {
        let items = views(list, locale)?;
        Ok(ListView {
            total: items.len(),
            items,
        })
    }
}

#[utoipa::path(
post, path = "/api/v1/cycles/{id}/compute", tag = "appraisals", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
responses(
    (status = 200, description = "Every appraisal of the cycle computed; the counts", body = crate::app::view::ComputeOutcome),
    (status = 409, description = "The cycle is not in review (`compute_in_review_only`)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn compute(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let outcome = app.compute(&caller, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// HR: every appraisal of the cycle; a supervisor: those of their direct reports.
#[utoipa::path(
get, path = "/api/v1/cycles/{id}/appraisals", tag = "appraisals", security(("bearer" = ["supervisor", "hr"])),
params(("id" = i32, Path), ("department_id" = Option<i32>, Query, minimum = 1)),
responses((status = 200, description = "HR: every appraisal; a supervisor: their direct reports'", body = ListView))
)]
pub async fn for_cycle(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["department_id"], &mut errors);
    let department = params.id("department_id", &mut errors);
    errors.into_result()?;
    let id = id.into_inner();
    let list = app.cycle_appraisals(&caller, id, department).await?;
    Ok(HttpResponse::Ok().json(ListView::of(list, reader_locale(&req))?))
}

#[utoipa::path(
get, path = "/api/v1/appraisals/{id}", tag = "appraisals", security(("bearer" = ["staff", "supervisor", "hr"])),
params(("id" = i32, Path, description = "The id")),
responses((status = 200, description = "Staff: their own once published; supervisors: also their reports'; HR: any", body = AppraisalView))
)]
pub async fn get(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let appraisal = app.appraisal(&caller, id).await?;
    Ok(HttpResponse::Ok().json(AppraisalView::of(appraisal, reader_locale(&req))?))
}

/// The caller's own published appraisals, newest cycle first.
#[utoipa::path(
get, path = "/api/v1/me/appraisals", tag = "appraisals", security(("bearer" = ["staff", "supervisor", "hr"])),
responses((status = 200, description = "The caller's published appraisals, newest cycle first", body = ListView))
)]
pub async fn mine(
    caller: Caller,
    app: web::Data<App>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let list = app.my_appraisals(&caller).await?;
    Ok(HttpResponse::Ok().json(ListView::of(list, reader_locale(&req))?))
}

/// A supervisor marks a direct report's appraisal reviewed, with a comment. HR runs the
/// appraisal and does not review (403).
#[utoipa::path(
post, path = "/api/v1/appraisals/{id}/review", tag = "appraisals", security(("bearer" = ["supervisor"])),
params(("id" = i32, Path, description = "The id")),
request_body = Review,
responses(
    (status = 200, description = "Marked reviewed", body = AppraisalView),
    (status = 409, description = "The cycle is not in review (`review_in_review_only`)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn review(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
    body: JsonBody<Review>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let reviewed = app.review(&caller, id.into_inner(), body.0).await?;
    Ok(HttpResponse::Ok().json(AppraisalView::of(reviewed, reader_locale(&req))?))
}

#[derive(Serialize, ToSchema)]
pub struct ReportView {
    cycle_id: i32,
    departments: Vec<DepartmentReport>,
}

#[utoipa::path(
get, path = "/api/v1/cycles/{id}/report", tag = "appraisals", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
responses((status = 200, description = "Per department: count, mean, min, max, grades", body = ReportView))
)]
pub async fn report(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let departments = app.cycle_report(&caller, id).await?;
    Ok(HttpResponse::Ok().json(ReportView {
        cycle_id: id,
        departments,
    }))
}

/// A cycle's appraisals as a spreadsheet (XLSX with the department report and its chart, or
/// CSV), with headers in the reader's language.
#[utoipa::path(
get, path = "/api/v1/cycles/{id}/export", tag = "appraisals", security(("bearer" = ["supervisor", "hr"])),
params(
    ("id" = i32, Path, description = "The id"),
    ("format" = Option<String>, Query, pattern = "^(xlsx|csv)$", description = "`xlsx` (the default: the appraisals, then the department report with a chart) or `csv` (the appraisals)"),
),
responses(
    (status = 200, description = "HR: every appraisal of the cycle; a supervisor: their reports'. Headers in the reader's language (Accept-Language); text that a spreadsheet would run as a formula starts with `'`", content(
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (String = "text/csv"),
    )),
    (status = 404, description = "No such cycle", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn export(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["format"], &mut errors);
    let format = match params.text("format", 10, &mut errors) {
        None => Some(ExportFormat::Xlsx),
        Some(text) => errors.take("format", ExportFormat::parse(&text)),
    };
    errors.into_result()?;
    let format = format.expect("parsed when there were no problems");
    let file = app
        .export_cycle(&caller, id.into_inner(), format, reader_locale(&req))
        .await?;
    Ok(crate::export::attachment(
        &file.filename,
        file.media_type,
        file.bytes,
    ))
}
