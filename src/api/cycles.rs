use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::body::{JsonBody, QueryParams};
use super::views::PageView;
use crate::auth::{AuthUser, Hr};
use crate::db::Db;
use crate::domain::cycle::{
    parse_appeal_window, parse_date, CycleState, Period, CYCLE_NAME_MAX, DEFAULT_APPEAL_WINDOW_DAYS,
};
use crate::domain::scheme::{Problems, Scheme, SchemeInput};
use crate::error::{AppError, FieldErrors};
use crate::store::cycles::{self, Cycle, CycleChanges};
use crate::store::evidence;

#[derive(Debug, Serialize)]
pub struct CycleView {
    pub id: i32,
    pub name: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub state: String,
    pub appeal_window_days: i32,
    pub has_scheme: bool,
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

pub async fn get(
    _user: AuthUser,
    db: web::Data<Db>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let cycle = db.run(move |conn| cycles::get(conn, id)).await?;
    Ok(HttpResponse::Ok().json(CycleView::from(cycle)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCycle {
    name: String,
    period_start: String,
    period_end: String,
    appeal_window_days: Option<i64>,
}

fn parse_period(start: &str, end: &str, errors: &mut FieldErrors) -> Option<Period> {
    let start = errors.take("period_start", parse_date(start));
    let end = errors.take("period_end", parse_date(end));
    errors.take("period_end", Period::new(start?, end?))
}

pub async fn create(
    hr: Hr,
    db: web::Data<Db>,
    body: JsonBody<CreateCycle>,
) -> Result<HttpResponse, AppError> {
    let input = body.0;
    let mut errors = FieldErrors::new();
    let name = errors.take(
        "name",
        crate::domain::bounded_text(&input.name, 1, CYCLE_NAME_MAX),
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchCycle {
    name: Option<String>,
    period_start: Option<String>,
    period_end: Option<String>,
    appeal_window_days: Option<i64>,
}

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
        .and_then(|n| errors.take("name", crate::domain::bounded_text(&n, 1, CYCLE_NAME_MAX)));
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateChange {
    state: String,
}

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

#[derive(Serialize)]
struct EvidenceView {
    cycle_id: i32,
    employees: Vec<evidence::EmployeeEvidence>,
}

/// What has been entered for the cycle, per employee (counts and sums; HR only).
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
