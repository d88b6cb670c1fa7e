use crate::domain::text::{free_text_schema, required_text_schema};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::appraisals::AppraisalView;
use super::body::{JsonBody, QueryParams};
use super::views::PageView;
use crate::auth::{AuthUser, Hr};
use crate::db::Db;
use crate::domain::evidence::COMMENT_MAX;
use crate::error::{AppError, FieldErrors};
use crate::store::appeals::{self, Appeal, Decision};

/// The employee acknowledges their own published appraisal.
#[utoipa::path(
post, path = "/api/v1/appraisals/{id}/acknowledge", tag = "appraisals", security(("bearer" = ["staff", "supervisor", "hr"])),
params(("id" = i32, Path, description = "The id")),
responses(
    (status = 200, description = "Acknowledged", body = AppraisalView),
    (status = 409, description = "Not published, or already acknowledged or appealed", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealBody {
    #[schema(schema_with = required_text_schema::<COMMENT_MAX>)]
    reason: String,
}

/// The employee appeals their own published appraisal within the appeal window.
#[utoipa::path(
post, path = "/api/v1/appraisals/{id}/appeal", tag = "appraisals", security(("bearer" = ["staff", "supervisor", "hr"])),
params(("id" = i32, Path, description = "The id")),
request_body = AppealBody,
responses(
    (status = 201, description = "Filed; HR is notified", body = Appeal),
    (status = 409, description = "Not published, already appealed, or the appeal window has closed", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn appeal(
    user: AuthUser,
    db: web::Data<Db>,
    time: web::Data<crate::domain::clock::CompanyTime>,
    id: web::Path<i32>,
    body: JsonBody<AppealBody>,
) -> Result<HttpResponse, AppError> {
    let reason = crate::domain::text::required_text(&body.0.reason, COMMENT_MAX)
        .map_err(|r| AppError::validation("reason", r))?;
    let (user, id, time) = (user.0, id.into_inner(), **time);
    let appeal = db
        .run(move |conn| appeals::appeal(conn, &user, id, &reason, time))
        .await?;
    Ok(HttpResponse::Created().json(appeal))
}

#[utoipa::path(
get, path = "/api/v1/appeals", tag = "appraisals", security(("bearer" = ["hr"])),
params(crate::api::openapi::PageParams, ("state" = Option<AppealState>, Query)),
responses((status = 200, description = "Appeals, oldest first", body = PageView<Appeal>))
)]
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

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AppealState {
    Open,
    Upheld,
    Rejected,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DecisionKind {
    Upheld,
    Rejected,
}

/// A rejection needs a note saying why.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    #[schema(value_type = DecisionKind)]
    decision: String,
    #[serde(default)]
    #[schema(schema_with = free_text_schema::<COMMENT_MAX>)]
    note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionView {
    appeal: Appeal,
    appraisal: AppraisalView,
}

/// HR decides: `upheld` recomputes that one appraisal from its corrected evidence;
/// `rejected` needs a note saying why.
#[utoipa::path(
post, path = "/api/v1/appeals/{id}/decision", tag = "appraisals", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
request_body = DecisionBody,
responses(
    (status = 200, description = "Decided; upheld recomputes that one appraisal; the employee is notified", body = DecisionView),
    (status = 409, description = "Already decided", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn decide(
    hr: Hr,
    db: web::Data<Db>,
    id: web::Path<i32>,
    body: JsonBody<DecisionBody>,
) -> Result<HttpResponse, AppError> {
    let (decision, note) = Decision::parse(&body.0.decision, body.0.note.as_deref())?;
    let (hr, id) = (hr.0 .0, id.into_inner());
    let (appeal, appraisal) = db
        .run(move |conn| appeals::decide(conn, &hr, id, decision, note))
        .await?;
    Ok(HttpResponse::Ok().json(DecisionView {
        appeal,
        appraisal: AppraisalView::of(appraisal)?,
    }))
}
