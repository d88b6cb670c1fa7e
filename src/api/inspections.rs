use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::body::{JsonBody, QueryParams};
use super::views::PageView;
use crate::auth::{AuthUser, Supervisor};
use crate::db::Db;
use crate::domain::cycle::parse_date;
use crate::domain::evidence::{parse_optional_text, COMMENT_MAX, NOTE_MAX};
use crate::error::{AppError, FieldErrors};
use crate::store::inspections::{
    self, InspectionDetail, InspectionFilter, NewInspection, ScoreInput,
};

pub const MAX_SCORES: usize = 50;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreBody {
    item_id: i64,
    points: i64,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectionBody {
    employee_id: i32,
    checklist_id: i32,
    occurred_on: String,
    scores: Vec<ScoreBody>,
    #[serde(default)]
    comment: Option<String>,
}

/// Supervisors for their direct reports, HR for anyone; staff get 403, anyone else's
/// report 404.
pub async fn create(
    inspector: Supervisor,
    db: web::Data<Db>,
    body: JsonBody<InspectionBody>,
) -> Result<HttpResponse, AppError> {
    let input = body.0;
    let mut errors = FieldErrors::new();
    let occurred_on = errors.take("occurred_on", parse_date(&input.occurred_on));
    let comment = errors
        .take(
            "comment",
            parse_optional_text(input.comment.as_deref(), COMMENT_MAX),
        )
        .flatten();
    if input.scores.len() > MAX_SCORES {
        errors.add("scores", format!("must have at most {MAX_SCORES} entries"));
    }
    let mut scores = Vec::with_capacity(input.scores.len());
    for (i, s) in input.scores.into_iter().enumerate() {
        let note = errors
            .take(
                &format!("scores[{i}].note"),
                parse_optional_text(s.note.as_deref(), NOTE_MAX),
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
    let inspector = inspector.0 .0;
    let created = db
        .run(move |conn| inspections::create(conn, &inspector, new))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Inspections in the caller's scope: own (staff), own and direct reports' (supervisors),
/// everyone's (HR).
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
