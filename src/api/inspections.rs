use crate::domain::text::free_text_schema;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::body::{JsonBody, QueryParams};
use super::views::PageView;
use crate::auth::{AuthUser, Supervisor};
use crate::db::Db;
use crate::domain::clock::CompanyTime;
use crate::domain::cycle::parse_date;
use crate::domain::evidence::{COMMENT_MAX, NOTE_MAX};
use crate::domain::text::free_text;
use crate::error::{AppError, FieldErrors};
use crate::store::inspections::{
    self, InspectionDetail, InspectionFilter, NewInspection, ScoreInput,
};

pub const MAX_SCORES: usize = 50;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreBody {
    /// An item of the checklist.
    #[schema(minimum = 1, maximum = 2147483647)]
    item_id: i64,
    /// From 0 to the item's `max_points`.
    #[schema(minimum = 0, maximum = 100)]
    points: i64,
    #[serde(default)]
    #[schema(schema_with = free_text_schema::<NOTE_MAX>)]
    note: Option<String>,
}

/// Every item of the checklist is scored exactly once; the date lies in an open cycle.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionBody {
    #[schema(minimum = 1)]
    employee_id: i32,
    #[schema(minimum = 1)]
    checklist_id: i32,
    #[schema(format = Date)]
    occurred_on: String,
    #[schema(min_items = 1, max_items = 50)]
    scores: Vec<ScoreBody>,
    #[serde(default)]
    #[schema(schema_with = free_text_schema::<COMMENT_MAX>)]
    comment: Option<String>,
}

/// Supervisors for their direct reports, HR for anyone; staff get 403, anyone else's
/// report 404.
#[utoipa::path(
post, path = "/api/v1/inspections", tag = "inspections", security(("bearer" = ["supervisor", "hr"])),
request_body = InspectionBody,
responses(
    (status = 201, description = "Recorded; the employee is notified", body = InspectionDetail),
    (status = 404, description = "The employee is not the caller's direct report, or the checklist is unknown", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
    (status = 409, description = "No open cycle covers the date", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn create(
    inspector: Supervisor,
    db: web::Data<Db>,
    time: web::Data<CompanyTime>,
    body: JsonBody<InspectionBody>,
) -> Result<HttpResponse, AppError> {
    let input = body.0;
    let mut errors = FieldErrors::new();
    let occurred_on = errors.take("occurred_on", parse_date(&input.occurred_on));
    let comment = errors
        .take("comment", free_text(input.comment.as_deref(), COMMENT_MAX))
        .flatten();
    if input.scores.len() > MAX_SCORES {
        errors.add("scores", format!("must have at most {MAX_SCORES} entries"));
    }
    let mut scores = Vec::with_capacity(input.scores.len());
    for (i, s) in input.scores.into_iter().enumerate() {
        let note = errors
            .take(
                &format!("scores[{i}].note"),
                free_text(s.note.as_deref(), NOTE_MAX),
            )
            .flatten();
        scores.push(ScoreInput {
            item_id: s.item_id,
            points: s.points,
            note,
        });
    }
    errors.into_result()?;
    let new = NewInspection {
        employee_id: input.employee_id,
        checklist_id: input.checklist_id,
        occurred_on: occurred_on.expect("checked"),
        scores,
        comment,
    };
    let (inspector, today) = (inspector.0 .0, time.today());
    let created = db
        .run(move |conn| inspections::create(conn, &inspector, new, today))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Inspections in the caller's scope: own (staff), own and direct reports' (supervisors),
/// everyone's (HR).
#[utoipa::path(
get, path = "/api/v1/inspections", tag = "inspections", security(("bearer" = ["staff", "supervisor", "hr"])),
params(crate::api::openapi::PageParams, ("employee_id" = Option<i32>, Query, minimum = 1), ("cycle_id" = Option<i32>, Query, minimum = 1)),
responses(
    (status = 200, description = "Staff: their own; supervisors: also their reports'; HR: all", body = PageView<InspectionDetail>),
    (status = 404, description = "`employee_id` names someone outside the caller's scope", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn list(
    user: AuthUser,
    db: web::Data<Db>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["limit", "offset", "employee_id", "cycle_id"], &mut errors);
    let page = params.page(&mut errors);
    let filter = InspectionFilter {
        employee_id: params.id("employee_id", &mut errors),
        cycle_id: params.id("cycle_id", &mut errors),
    };
    errors.into_result()?;
    let viewer = user.0;
    let paged = db
        .run(move |conn| inspections::list(conn, &viewer, filter, page))
        .await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, |i: InspectionDetail| i)))
}
