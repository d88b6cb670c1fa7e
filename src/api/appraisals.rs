use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::body::QueryParams;
use crate::auth::{AuthUser, Caller, Hr, Reviewer, Supervisor};
use crate::db::Db;
use crate::domain::scheme::{GradeBand, MinEvidence, Weights};
use crate::error::{AppError, FieldErrors};
use crate::store::appraisals::{self, Appraisal, ComponentInput, InspectionInput};

#[derive(Debug, Serialize, ToSchema)]
pub struct Components {
    pub sales: ComponentInput,
    pub satisfaction: ComponentInput,
    pub etiquette: ComponentInput,
    pub collaboration: ComponentInput,
}

/// The states of an appraisal.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AppraisalState {
    Draft,
    Reviewed,
    Published,
    Acknowledged,
    Appealed,
}

/// One appraisal with everything it was computed from.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppraisalView {
    pub id: i32,
    pub cycle_id: i32,
    pub employee_id: i32,
    pub department_id: i32,
    #[schema(value_type = AppraisalState)]
    pub state: String,
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
    pub critical_rule: String,
    pub supervisor_comment: Option<String>,
    pub computed_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i32,
    /// The cycle's `inputs_revision` this appraisal was computed from: lower than the
    /// cycle's now means stale (the scheme, evidence or people changed since).
    pub basis_revision: i64,
}

impl AppraisalView {
    pub fn of(a: Appraisal) -> Result<Self, AppError> {
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
            components: Components {
                sales: inputs.sales,
                satisfaction: inputs.satisfaction,
                etiquette: inputs.etiquette,
                collaboration: inputs.collaboration,
            },
            weights: inputs.weights,
            full_marks_at: inputs.full_marks_at,
            min_evidence: inputs.min_evidence,
            grade_bands: inputs.grade_bands,
            sales_total: inputs.sales_total,
            sales_target: inputs.sales_target,
            inspections: inputs.inspections,
            critical_rule: inputs.critical_rule,
            supervisor_comment: a.supervisor_comment,
            computed_at: a.computed_at.and_utc(),
            published_at: a.published_at.map(|p| p.and_utc()),
            version: a.version,
            basis_revision: a.basis_revision,
        })
    }
}

fn views(list: Vec<Appraisal>) -> Result<Vec<AppraisalView>, AppError> {
    list.into_iter().map(AppraisalView::of).collect()
}

#[derive(Serialize, ToSchema)]
pub struct ListView {
    items: Vec<AppraisalView>,
    total: usize,
}

#[utoipa::path(
post, path = "/api/v1/cycles/{id}/compute", tag = "appraisals", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
responses(
    (status = 200, description = "Every appraisal of the cycle computed; the counts", body = crate::store::appraisals::ComputeOutcome),
    (status = 409, description = "The cycle is not in review", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn compute(
    hr: Hr,
    db: web::Data<Db>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (hr.id(), id.into_inner());
    let outcome = db
        .run(move |conn| appraisals::compute(conn, actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// HR: every appraisal of the cycle; a supervisor: those of their direct reports.
#[utoipa::path(
get, path = "/api/v1/cycles/{id}/appraisals", tag = "appraisals", security(("bearer" = ["supervisor", "hr"])),
params(("id" = i32, Path), ("department_id" = Option<i32>, Query, minimum = 1)),
responses((status = 200, description = "HR: every appraisal; a supervisor: their direct reports'", body = ListView))
)]
pub async fn for_cycle(
    viewer: Supervisor,
    db: web::Data<Db>,
    id: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["department_id"], &mut errors);
    let department = params.id("department_id", &mut errors);
    errors.into_result()?;
    let (viewer, id) = (viewer.0 .0, id.into_inner());
    let list = db
        .run(move |conn| appraisals::list_for_cycle(conn, &viewer, id, department))
        .await?;
    let items = views(list)?;
    Ok(HttpResponse::Ok().json(ListView {
        total: items.len(),
        items,
    }))
}

#[utoipa::path(
get, path = "/api/v1/appraisals/{id}", tag = "appraisals", security(("bearer" = ["staff", "supervisor", "hr"])),
params(("id" = i32, Path, description = "The id")),
responses((status = 200, description = "Staff: their own once published; supervisors: also their reports'; HR: any", body = AppraisalView))
)]
pub async fn get(
    user: AuthUser,
    db: web::Data<Db>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let (viewer, id) = (user.0, id.into_inner());
    let appraisal = db
        .run(move |conn| appraisals::get_for(conn, &viewer, id))
        .await?;
    Ok(HttpResponse::Ok().json(AppraisalView::of(appraisal)?))
}

/// The caller's own published appraisals, newest cycle first.
#[utoipa::path(
get, path = "/api/v1/me/appraisals", tag = "appraisals", security(("bearer" = ["staff", "supervisor", "hr"])),
responses((status = 200, description = "The caller's published appraisals, newest cycle first", body = ListView))
)]
pub async fn mine(caller: Caller, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    // The account check and the query in one database call (see api::ONE_CALL).
    let list = db
        .run(move |conn| {
            let viewer = caller.user(conn)?;
            appraisals::mine(conn, &viewer)
        })
        .await?;
    let items = views(list)?;
    Ok(HttpResponse::Ok().json(ListView {
        total: items.len(),
        items,
    }))
}

#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    #[serde(default)]
    #[schema(schema_with = crate::domain::text::free_text_schema::<{ crate::domain::evidence::COMMENT_MAX }>)]
    comment: Option<String>,
}

/// A supervisor marks a direct report's appraisal reviewed, with a comment. HR runs the
/// appraisal and does not review (403).
#[utoipa::path(
post, path = "/api/v1/appraisals/{id}/review", tag = "appraisals", security(("bearer" = ["supervisor"])),
params(("id" = i32, Path, description = "The id")),
request_body = ReviewBody,
responses(
    (status = 200, description = "Marked reviewed", body = AppraisalView),
    (status = 409, description = "The cycle is not in review", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn review(
    reviewer: Reviewer,
    db: web::Data<Db>,
    id: web::Path<i32>,
    body: super::body::JsonBody<ReviewBody>,
) -> Result<HttpResponse, AppError> {
    let comment = crate::domain::text::free_text(
        body.0.comment.as_deref(),
        crate::domain::evidence::COMMENT_MAX,
    )
    .map_err(|r| AppError::validation("comment", r))?;
    let (reviewer, id) = (reviewer.0 .0, id.into_inner());
    let reviewed = db
        .run(move |conn| appraisals::review(conn, &reviewer, id, comment))
        .await?;
    Ok(HttpResponse::Ok().json(AppraisalView::of(reviewed)?))
}

#[derive(Serialize, ToSchema)]
pub struct ReportView {
    cycle_id: i32,
    departments: Vec<appraisals::DepartmentReport>,
}

#[utoipa::path(
get, path = "/api/v1/cycles/{id}/report", tag = "appraisals", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
responses((status = 200, description = "Per department: count, mean, min, max, grades", body = ReportView))
)]
pub async fn report(
    _hr: Hr,
    db: web::Data<Db>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let departments = db.run(move |conn| appraisals::report(conn, id)).await?;
    Ok(HttpResponse::Ok().json(ReportView {
        cycle_id: id,
        departments,
    }))
}
