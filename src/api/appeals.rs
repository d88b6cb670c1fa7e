//! Acknowledging and appealing an appraisal, and HR's appeals: adapters over
//! `app::appraisals`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::appraisals::AppraisalView;
use super::body::{JsonBody, PageParams, QueryParams};
use super::views::PageView;
use crate::app::appraisals::{Decision, NewAppeal};
use crate::app::view::Appeal;
use crate::app::App;
use crate::auth::Caller;
use crate::domain::appraisal::AppealState;
use crate::error::{reader_locale, AppError, FieldErrors, ProblemBody};

/// The employee acknowledges their own published appraisal (final: it can no longer be
/// appealed).
#[utoipa::path(
post, path = "/api/v1/appraisals/{id}/acknowledge", tag = "appraisals", security(("bearer" = ["staff", "supervisor", "hr"])),
params(("id" = i32, Path, description = "The id")),
responses(
    (status = 200, description = "Acknowledged", body = AppraisalView),
    (status = 409, description = "Already acknowledged (`acknowledged_final`), or an appeal is open (`appeal_open`)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn acknowledge(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let appraisal = app.acknowledge(&caller, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(AppraisalView::of(appraisal, reader_locale(&req))?))
}

/// The employee appeals their own published appraisal within the appeal window. One
/// appeal at a time: once HR has decided, the appraisal may be appealed again within the
/// window; an acknowledged one not.
#[utoipa::path(
post, path = "/api/v1/appraisals/{id}/appeal", tag = "appraisals", security(("bearer" = ["staff", "supervisor", "hr"])),
params(("id" = i32, Path, description = "The id")),
request_body = NewAppeal,
responses(
    (status = 201, description = "Filed; HR is notified", body = Appeal),
    (status = 409, description = "An appeal is open (`appeal_open`), the appraisal was acknowledged (`acknowledged_final`), or the window has closed (`appeal_window_closed`)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn appeal(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
    body: JsonBody<NewAppeal>,
) -> Result<HttpResponse, AppError> {
    let appeal = app.appeal(&caller, id.into_inner(), body.0).await?;
    Ok(HttpResponse::Created().json(appeal))
}

#[utoipa::path(
get, path = "/api/v1/appeals", tag = "appraisals", security(("bearer" = ["hr"])),
params(PageParams, ("state" = Option<AppealState>, Query)),
responses((status = 200, description = "Appeals, oldest first", body = PageView<Appeal>))
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
        .and_then(|s| errors.take("state", AppealState::parse(&s)));
    errors.into_result()?;
    let paged = app.appeals(&caller, state, page).await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, |a: Appeal| a)))
}

#[derive(Serialize, ToSchema)]
pub struct DecisionView {
    appeal: Appeal,
    appraisal: AppraisalView,
    /// The appraisal's numbers the decision changed (an upheld appeal recomputes it from
    /// the corrected evidence): empty when none did.
    changed: Vec<crate::app::appraisals::NumberChange>,
}

/// HR decides: `upheld` recomputes that one appraisal from its corrected evidence;
/// `rejected` needs a note saying why.
#[utoipa::path(
post, path = "/api/v1/appeals/{id}/decision", tag = "appraisals", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
request_body = Decision,
responses(
    (status = 200, description = "Decided; upheld recomputes that one appraisal; the employee is notified", body = DecisionView),
    (status = 409, description = "Already decided (`appeal_decided`)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn decide(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
    body: JsonBody<Decision>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let (appeal, appraisal, changed) = app.decide(&caller, id.into_inner(), body.0).await?;
    Ok(HttpResponse::Ok().json(DecisionView {
        appeal,
        appraisal: AppraisalView::of(appraisal, reader_locale(&req))?,
        changed,
    }))
}
