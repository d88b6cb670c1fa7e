//! The complaint time-limit policy: adapters over `app::sla`.

use actix_web::{web, HttpResponse};

use super::body::JsonBody;
use crate::app::App;
use crate::auth::Caller;
use crate::domain::sla::SlaPolicy;
use crate::error::{AppError, ProblemBody};

#[utoipa::path(
get, path = "/api/v1/sla-policy", tag = "complaints", security(("bearer" = ["staff", "supervisor", "hr"])),
responses((status = 200, description = "The time limits per priority (working minutes) and the working hours they run in; the default until HR sets one", body = SlaPolicy))
)]
pub async fn get(caller: Caller, app: web::Data<App>) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(app.sla_policy(&caller).await?))
}

#[utoipa::path(
put, path = "/api/v1/sla-policy", tag = "complaints", security(("bearer" = ["hr"])),
request_body = SlaPolicy,
responses(
    (status = 200, description = "Set, from now on (time counted before stays as it was counted); audited. Answers the policy as stored: days in week order, breaks and dates sorted", body = SlaPolicy),
    (status = 422, description = "Every problem, each with its field: a limit out of 1–525600, a resolution limit shorter than its first response, a time not HH:MM, an end not after its start, a break outside the hours or over another, a day or date twice, a date both a holiday and a working day", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn put(
    caller: Caller,
    app: web::Data<App>,
    body: JsonBody<SlaPolicy>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(app.set_sla_policy(&caller, body.0).await?))
}
