use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::appraisals::AppraisalView;
use super::body::{JsonBody, QueryParams};
use super::views::PageView;
use crate::auth::{AuthUser, Hr};
use crate::db::Db;
use crate::domain::evidence::{parse_optional_text, COMMENT_MAX};
use crate::error::{AppError, FieldErrors};
use crate::store::appeals::{self, Appeal, Decision};

/// The employee acknowledges their own published appraisal.
pub async fn acknowledge(
    user: AuthUser,
    db: web::Data<Db>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, id.into_inner());
    let appraisal = db
        .run(move |conn| appeals::acknowledge(conn, &user, id))
        .await?;
    Ok(HttpResponse::Ok().json(AppraisalView::of(appraisal)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppealBody {
    reason: String,
}

/// The employee appeals their own published appraisal within the appeal window.
pub async fn appeal(
    user: AuthUser,
    db: web::Data<Db>,
    id: web::Path<i32>,
    body: JsonBody<AppealBody>,
) -> Result<HttpResponse, AppError> {
    let reason = crate::domain::bounded_text(&body.0.reason, 1, COMMENT_MAX)
        .map_err(|r| AppError::validation("reason", r))?;
    let (user, id) = (user.0, id.into_inner());
    let appeal = db
        .run(move |conn| appeals::appeal(conn, &user, id, &reason))
        .await?;
    Ok(HttpResponse::Created().json(appeal))
}

pub async fn list(_hr: Hr, db: web::Data<Db>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["limit", "offset", "state"], &mut errors);
    let page = params.page(&mut errors);
    let state = params.text("state", 20, &mut errors);
    if let Some(s) = &state {
        if !["open", "upheld", "rejected"].contains(&s.as_str()) {
            errors.add("state", "must be open, upheld or rejected");
        }
    }
    errors.into_result()?;
    let paged = db.run(move |conn| appeals::list(conn, state, page)).await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, |a: Appeal| a)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    decision: String,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Serialize)]
struct DecisionView {
    appeal: Appeal,
    appraisal: AppraisalView,
}

/// HR decides: `upheld` recomputes that one appraisal from its corrected evidence;
/// `rejected` needs a note saying why.
pub async fn decide(
    hr: Hr,
    db: web::Data<Db>,
    id: web::Path<i32>,
    body: JsonBody<DecisionBody>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let decision = match body.0.decision.as_str() {
        "upheld" => Some(Decision::Upheld),
        "rejected" => Some(Decision::Rejected),
        _ => {
            errors.add("decision", "must be upheld or rejected");
            None
        }
    };
    let note = errors
        .take(
            "note",
            parse_optional_text(body.0.note.as_deref(), COMMENT_MAX),
        )
        .flatten();
    if decision == Some(Decision::Rejected) && note.is_none() {
        errors.add("note", "is required when an appeal is rejected");
    }
    errors.into_result()?;
    let decision = decision.expect("checked");
    let (hr, id) = (hr.0 .0, id.into_inner());
    let (appeal, appraisal) = db
        .run(move |conn| appeals::decide(conn, &hr, id, decision, note))
        .await?;
    Ok(HttpResponse::Ok().json(DecisionView {
        appeal,
        appraisal: AppraisalView::of(appraisal)?,
    }))
}
