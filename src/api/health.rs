use actix_web::{web, HttpResponse};

use super::views::StatusView;
use crate::app::App;
use crate::error::AppError;

/// The process is up.
#[utoipa::path(
get, path = "/health", tag = "meta",
responses((status = 200, description = "The process is up", body = StatusView))
)]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(StatusView { status: "up" })
}

/// The database answers, every migration is applied, and its storage takes writes.
#[utoipa::path(
get, path = "/ready", tag = "meta",
responses(
    (status = 200, description = "The database answers, every migration is applied, and its storage takes writes", body = StatusView),
    (status = 503, description = "Not ready: the database does not answer, migrations are pending, or its storage failed (a full disk or an I/O error in the last 30 s, the SQLite file gone)", body = crate::error::ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn ready(app: web::Data<App>) -> Result<HttpResponse, AppError> {
    app.ready().await?;
    Ok(HttpResponse::Ok().json(StatusView { status: "ready" }))
}
