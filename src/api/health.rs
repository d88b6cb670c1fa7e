use actix_web::{web, HttpResponse};
use diesel::RunQueryDsl;

use super::views::StatusView;
use crate::db::{self, Db};
use crate::error::AppError;

/// The process is up.
#[utoipa::path(
get, path = "/health", tag = "meta",
responses((status = 200, description = "The process is up", body = StatusView))
)]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(StatusView { status: "up" })
}

/// The database answers and every migration is applied.
#[utoipa::path(
get, path = "/ready", tag = "meta",
responses(
    (status = 200, description = "The database answers and every migration is applied", body = StatusView),
    (status = 503, description = "Not ready", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn ready(db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let complete = db
        .run(|conn| {
            diesel::sql_query("SELECT 1")
                .execute(conn)
                .map_err(|e| AppError::Unavailable(format!("database: {e}")))?;
            db::migrations_complete(conn).map_err(|e| AppError::Unavailable(e.to_string()))
        })
        .await?;
    if complete {
        Ok(HttpResponse::Ok().json(StatusView { status: "ready" }))
    } else {
        Err(AppError::Unavailable("migrations pending".into()))
    }
}
