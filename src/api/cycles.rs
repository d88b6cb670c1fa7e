use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::{JsonBody, QueryParams};
use super::views::PageView;
use crate::auth::{AuthUser, Hr};
use crate::db::Db;
use crate::domain::cycle::{
    parse_appeal_window, parse_date, CycleState, Period, CYCLE_NAME_MAX, DEFAULT_APPEAL_WINDOW_DAYS,
};
use crate::domain::scheme::{Problems, Scheme, SchemeInput};
use crate::domain::text::line_schema;
use crate::error::{AppError, FieldErrors};
use crate::store::cycles::{self, Cycle, CycleChanges};
use crate::store::evidence;

#[derive(Debug, Serialize, ToSchema)]
pub struct CycleView {
    pub id: i32,
    pub name: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    #[schema(value_type = CycleState)]
    pub state: String,
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
            name: c.name,
            period_start: c.period_start,
            period_end: c.period_end,
            state: c.state,
            appeal_window_days: c.appeal_window_days,
            has_scheme: c.scheme_json.is_some(),
            inputs_revision: c.inputs_revision,
            computed_at: c.computed_at.map(|at| at.and_utc()),
            created_at: c.created_at.and_utc(),
            updated_at: c.updated_at.and_utc(),
        }
    }
}

/// Domain problems as a 422 naming each field.
pub fn invalid(problems: Problems) -> AppError {
    let mut errors = FieldErrors::new();
    for (field, reason) in problems {
        errors.add(&field, reason);
    }
    AppError::Validation(errors)
}

#[utoipa::path(
get, path = "/api/v1/cycles", tag = "cycles", security(("bearer" = ["staff", "supervisor", "hr"])),
params(crate::api::openapi::PageParams, ("state" = Option<CycleState>, Query)),
responses((status = 200, description = "Cycles, newest period first", body = PageView<CycleView>))
)]
pub async fn list(
    _user: AuthUser,
    db: web::Data<Db>,
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
    let paged = db.run(move |conn| cycles::list(conn, state, page)).await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, CycleView::from)))
}

#[utoipa::path(
get, path = "/api/v1/cycles/{id}", tag = "cycles", security(("bearer" = ["staff", "supervisor", "hr"])),
params(("id" = i32, Path, description = "The id")),
responses((status = 200, description = "The cycle", body = CycleView))
)]
pub async fn get(
    _user: AuthUser,
    db: web::Data<Db>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let cycle = db.run(move |conn| cycles::get(conn, id)).await?;
    Ok(HttpResponse::Ok().json(CycleView::from(cycle)))
}

/// The period runs from `period_start` to `period_end` inclusive, at most 366 days, and
/// overlaps no other cycle.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCycle {
    #[schema(schema_with = line_schema::<CYCLE_NAME_MAX, false>)]
    name: String,
    #[schema(format = Date)]
    period_start: String,
    #[schema(format = Date)]
    period_end: String,
    /// Days after publication in which staff may appeal (default 14).
    #[schema(minimum = 0, maximum = 90)]
    appeal_window_days: Option<i64>,
}

fn parse_period(start: &str, end: &str, errors: &mut FieldErrors) -> Option<Period> {
    let start = errors.take("period_start", parse_date(start));
    let end = errors.take("period_end", parse_date(end));
    errors.take("period_end", Period::new(start?, end?))
}

#[utoipa::path(
post, path = "/api/v1/cycles", tag = "cycles", security(("bearer" = ["hr"])),
request_body = CreateCycle,
responses(
    (status = 201, description = "Created as a draft", body = CycleView),
    (status = 409, description = "The period overlaps another cycle", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn create(
    hr: Hr,
    db: web::Data<Db>,
    body: JsonBody<CreateCycle>,
) -> Result<HttpResponse, AppError> {
    let input = body.0;
    let mut errors = FieldErrors::new();
    let name = errors.take(
        "name",
        crate::domain::text::line(&input.name, CYCLE_NAME_MAX),
    );
    let period = parse_period(&input.period_start, &input.period_end, &mut errors);
    let window = errors.take(
        "appeal_window_days",
        parse_appeal_window(
            input
                .appeal_window_days
                .unwrap_or(DEFAULT_APPEAL_WINDOW_DAYS.into()),
        ),
    );
    errors.into_result()?;
    let (name, period, window) = (
        name.expect("checked"),
        period.expect("checked"),
        window.expect("checked"),
    );
    let actor = hr.id();
    let created = db
        .run(move |conn| cycles::create(conn, actor, &name, period, window))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/cycles/{}", created.id)))
        .json(CycleView::from(created)))
}

/// Absent or null fields stay as they are; a period may change only while the cycle is a
/// draft.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchCycle {
    #[schema(schema_with = line_schema::<CYCLE_NAME_MAX, true>)]
    name: Option<String>,
    #[schema(format = Date)]
    period_start: Option<String>,
    #[schema(format = Date)]
    period_end: Option<String>,
    #[schema(minimum = 0, maximum = 90)]
    appeal_window_days: Option<i64>,
}

#[utoipa::path(
patch, path = "/api/v1/cycles/{id}", tag = "cycles", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
request_body = PatchCycle,
responses(
    (status = 200, description = "Changed", body = CycleView),
    (status = 409, description = "The period overlaps another cycle, or may no longer change", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn patch(
    hr: Hr,
    db: web::Data<Db>,
    id: web::Path<i32>,
    body: JsonBody<PatchCycle>,
) -> Result<HttpResponse, AppError> {
    let input = body.0;
    let (actor, id) = (hr.id(), id.into_inner());
    let mut errors = FieldErrors::new();
    let name = input
        .name
        .and_then(|n| errors.take("name", crate::domain::text::line(&n, CYCLE_NAME_MAX)));
    let window = input
        .appeal_window_days
        .and_then(|d| errors.take("appeal_window_days", parse_appeal_window(d)));
    errors.into_result()?;
    let updated = db
        .run(move |conn| {
            // A partial period is completed from the stored one.
            let period = if input.period_start.is_some() || input.period_end.is_some() {
                let current = cycles::get(conn, id)?;
                let mut errors = FieldErrors::new();
                let start = input
                    .period_start
                    .unwrap_or(current.period_start.to_string());
                let end = input.period_end.unwrap_or(current.period_end.to_string());
                let period = parse_period(&start, &end, &mut errors);
                errors.into_result()?;
                period
            } else {
                None
            };
            cycles::update(
                conn,
                actor,
                id,
                CycleChanges {
                    name,
                    period,
                    appeal_window_days: window,
                },
            )
        })
        .await?;
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
    (status = 409, description = "A guard failed; the detail says which (not the next state; opening without a scheme; publishing while an active employee has no appraisal, or while appraisals are stale: computed before the latest change of the scheme, the evidence or the people, so the cycle must be computed again)", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn change_state(
    hr: Hr,
    db: web::Data<Db>,
    id: web::Path<i32>,
    body: JsonBody<StateChange>,
) -> Result<HttpResponse, AppError> {
    let to = CycleState::parse(&body.0.state).map_err(|r| AppError::validation("state", r))?;
    let (actor, id) = (hr.id(), id.into_inner());
    let cycle = db
        .run(move |conn| cycles::transition(conn, actor, id, to))
        .await?;
    Ok(HttpResponse::Ok().json(CycleView::from(cycle)))
}

#[utoipa::path(
get, path = "/api/v1/cycles/{id}/scheme", tag = "cycles", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
responses((status = 200, description = "The cycle's scheme (404 until one is set)", body = Scheme))
)]
pub async fn get_scheme(
    _hr: Hr,
    db: web::Data<Db>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let scheme = db.run(move |conn| cycles::get(conn, id)?.scheme()).await?;
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
    (status = 200, description = "Stored. In a cycle in review, a changed scheme makes every computed appraisal stale: publication answers 409 until the cycle is computed again", body = Scheme),
    (status = 409, description = "The cycle is published or archived: its scheme is frozen", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn put_scheme(
    hr: Hr,
    db: web::Data<Db>,
    id: web::Path<i32>,
    body: JsonBody<SchemeInput>,
) -> Result<HttpResponse, AppError> {
    let scheme = Scheme::parse(&body.0).map_err(invalid)?;
    let (actor, id) = (hr.id(), id.into_inner());
    let stored = db
        .run(move |conn| cycles::set_scheme(conn, actor, id, &scheme))
        .await?;
    Ok(HttpResponse::Ok().json(stored))
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceView {
    cycle_id: i32,
    employees: Vec<evidence::EmployeeEvidence>,
}

/// What has been entered for the cycle, per employee (counts and sums; HR only).
#[utoipa::path(
get, path = "/api/v1/cycles/{id}/evidence", tag = "evidence", security(("bearer" = ["hr"])),
params(("id" = i32, Path), ("employee_id" = Option<i32>, Query, minimum = 1)),
responses((status = 200, description = "Per employee: counts and sums of what was entered", body = EvidenceView))
)]
pub async fn evidence(
    _hr: Hr,
    db: web::Data<Db>,
    id: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["employee_id"], &mut errors);
    let employee = params.id("employee_id", &mut errors);
    errors.into_result()?;
    let id = id.into_inner();
    let employees = db
        .run(move |conn| {
            cycles::get(conn, id)?;
            evidence::summary(conn, id, employee)
        })
        .await?;
    Ok(HttpResponse::Ok().json(EvidenceView {
        cycle_id: id,
        employees,
    }))
}
