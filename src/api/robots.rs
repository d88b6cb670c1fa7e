//! Departments' group robots: adapters over `app::robots`.

use actix_web::{web, HttpResponse};

use super::body::JsonBody;
use crate::app::robots::{RobotInput, RobotView};
use crate::app::App;
use crate::auth::Caller;
use crate::error::{AppError, ProblemBody};

/// The department's group robot, its webhook's credential hidden, with the latest posts
/// and each platform's answer; never the secret.
#[utoipa::path(
get, path = "/api/v1/departments/{id}/robot", tag = "departments", security(("bearer" = ["hr"])),
params(("id" = i32, Path, minimum = 1)),
responses((status = 200, description = "The robot (404 when the department has none)", body = RobotView))
)]
pub async fn get(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(app.robot(&caller, id.into_inner()).await?))
}

/// Sets (or replaces) the department's WeCom, DingTalk or Feishu custom robot. Complaint
/// escalations of the department and the cycles' steps are posted to its group; never an
/// individual's score, grade or appeal.
#[utoipa::path(
put, path = "/api/v1/departments/{id}/robot", tag = "departments", security(("bearer" = ["hr"])),
params(("id" = i32, Path, minimum = 1)),
request_body = RobotInput,
responses(
    (status = 200, description = "Set; audited without the credential or the secret", body = RobotView),
    (status = 422, description = "A webhook not on the platforms' hosts (`webhook_host`), not https (`webhook_not_https`), WeCom's without its key, or a DingTalk or Feishu robot without its secret", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn put(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
    body: JsonBody<RobotInput>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(app.set_robot(&caller, id.into_inner(), body.0).await?))
}

/// Removes the department's robot (posts still waiting are not sent).
#[utoipa::path(
delete, path = "/api/v1/departments/{id}/robot", tag = "departments", security(("bearer" = ["hr"])),
params(("id" = i32, Path, minimum = 1)),
responses((status = 204, description = "Removed"))
)]
pub async fn delete(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    app.delete_robot(&caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
