//! Cycles: adapters over `app::cycles`.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::{JsonBody, PageParams, QueryParams};
use super::views::PageView;
use crate::app::cycles::{CyclePatch, NewCycle};
use crate::app::view::Cycle;
use crate::app::App;
use crate::auth::Caller;
use crate::domain::appraisal::EmployeeEvidence;
use crate::domain::cycle::CycleState;
use crate::domain::scheme::{Scheme, SchemeInput};
use crate::error::{AppError, FieldErrors, ProblemBody};

#[derive(Debug, Serialize, ToSchema)]
pub struct CycleView {
    pub id: i32,
    pub name: String,
    /// Cycles of one series never overlap; dated evidence counts in every cycle whose period
    /// holds its date.
    pub series: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub state: CycleState,
    pub appeal_window_days: i32,
    pub has_scheme: bool,
    /// Counts the changes of the scheme, evidence and people that computed appraisals depend
    /// on; an appraisal whose `basis_revision` is lower is stale (recompute before publishing).
    pub inputs_revision: i64,
    /// When the cycle's appraisals were last computed.
    pub computed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Cycle> for CycleView {
    fn from(c: Cycle) -> Self {
        CycleView {
            id: c.id,
            has_scheme: c.scheme_json.is_some(),
            name: c.name,
            series: c.series,
            period_start: c.period_start,
            period_end: c.period_end,
            state: c.state,
            appeal_window_days: c.appeal_window_days,
            inputs_revision: c.inputs_revision,
            computed_at: c.computed_at.map(|at| at.and_utc()),
            created_at: c.created_at.and_utc(),
            updated_at: c.updated_at.and_utc(),
        }
    }
}

#[utoipa::path(
get, path = "/api/v1/cycles", tag = "cycles", security(("bearer" = ["staff", "supervisor", "hr"])),
params(PageParams, ("state" = Option<CycleState>, Query)),
responses((status = 200, description = "Cycles, newest period first", body = PageView<CycleView>))
)]
pub async fn list(
    caller: Caller,
    app: web::Data<App>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["limit", "offset", "state"], &mut errors);
    let page = params.page(&mut errors);
    let state = params
        .text("state", 20, &mut errors)
        .and_then(|s| errors.take("state", CycleState::parse(&s)));
    errors.into_result()?;
    let paged = app.cycles(&caller, state, page).await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, CycleView::from)))
}

#[utoipa::path(
get, path = "/api/v1/cycles/{id}", tag = "cycles", security(("bearer" = ["staff", "supervisor", "hr"])),
params(("id" = i32, Path, description = "The id")),
responses((status = 200, description = "The cycle", body = CycleView))
)]
pub async fn get(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let cycle = app.cycle(&caller, id).await?;
    Ok(HttpResponse::Ok().json(CycleView::from(cycle)))
}

#[utoipa::path(
post, path = "/api/v1/cycles", tag = "cycles", security(("bearer" = ["hr"])),
request_body = NewCycle,
responses(
    (status = 201, description = "Created as a draft", body = CycleView),
    (status = 409, description = "The period overlaps another cycle, or the name is taken", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn create(
    caller: Caller,
    app: web::Data<App>,
    body: JsonBody<NewCycle>,
) -> Result<HttpResponse, AppError> {
    let created = app.create_cycle(&caller, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/cycles/{}", created.id)))
        .json(CycleView::from(created)))
}

#[utoipa::path(
patch, path = "/api/v1/cycles/{id}", tag = "cycles", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
request_body = CyclePatch,
responses(
    (status = 200, description = "Changed", body = CycleView),
    (status = 409, description = "The period overlaps another cycle, or may no longer change", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn patch(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
    body: JsonBody<CyclePatch>,
) -> Result<HttpResponse, AppError> {
    let updated = app.change_cycle(&caller, id.into_inner(), body.0).await?;
    Ok(HttpResponse::Ok().json(CycleView::from(updated)))
}

/// The next state: `draft` → `open` → `review` → `published` → `archived`, one step at a
/// time.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateChange {
    #[schema(value_type = CycleState)]
    state: String,
}

#[utoipa::path(
post, path = "/api/v1/cycles/{id}/state", tag = "cycles", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
request_body = StateChange,
responses(
    (status = 200, description = "Moved", body = CycleView),
    (status = 409, description = "A guard failed; `code` says which: `next_state_only` / `final_state` (not the next state), `scheme_needed` (opening without a scheme), `uncomputed` (an active employee has no appraisal), `stale` (appraisals were computed before the latest change of the scheme, the evidence or the people: compute again)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn change_state(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
    body: JsonBody<StateChange>,
) -> Result<HttpResponse, AppError> {
    let cycle = app
        .move_cycle(&caller, id.into_inner(), &body.0.state)
        .await?;
    Ok(HttpResponse::Ok().json(CycleView::from(cycle)))
}

#[utoipa::path(
get, path = "/api/v1/cycles/{id}/scheme", tag = "cycles", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
responses((status = 200, description = "The cycle's scheme (404 until one is set)", body = Scheme))
)]
pub async fn get_scheme(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let scheme = app.scheme(&caller, id).await?;
    match scheme {
        Some(scheme) => Ok(HttpResponse::Ok().json(scheme)),
        None => Err(AppError::NotFound),
    }
}

#[utoipa::path(
put, path = "/api/v1/cycles/{id}/scheme", tag = "cycles", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
request_body = SchemeInput,
responses(
    (status = 200, description = "Stored. In a cycle in review, a changed scheme makes every computed appraisal stale: publication answers 409 (`stale`) until the cycle is computed again", body = Scheme),
    (status = 409, description = "The cycle is published or archived: its scheme is frozen (`scheme_frozen`)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn put_scheme(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
    body: JsonBody<SchemeInput>,
) -> Result<HttpResponse, AppError> {
    let stored = app.put_scheme(&caller, id.into_inner(), body.0).await?;
    Ok(HttpResponse::Ok().json(stored))
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceView {
    cycle_id: i32,
    employees: Vec<EmployeeEvidence>,
}

/// What has been entered for the cycle, per employee (counts and sums; HR only).
#[utoipa::path(
get, path = "/api/v1/cycles/{id}/evidence", tag = "evidence", security(("bearer" = ["hr"])),
params(("id" = i32, Path), ("employee_id" = Option<i32>, Query, minimum = 1)),
responses((status = 200, description = "Per employee: counts and sums of what was entered", body = EvidenceView))
)]
pub async fn evidence(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["employee_id"], &mut errors);
    let employee = params.id("employee_id", &mut errors);
    errors.into_result()?;
    let id = id.into_inner();
    let employees = app.evidence_summary(&caller, id, employee).await?;
    Ok(HttpResponse::Ok().json(EvidenceView {
        cycle_id: id,
        employees,
    }))
}
