use actix_web::{web, HttpRequest, HttpResponse};

use super::body::QueryParams;
use super::views::PageView;
use crate::auth::Hr;
use crate::db::Db;
use crate::error::{AppError, FieldErrors};
use crate::store::notices::{self, Kind, Notice, NoticeFilter};

#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NoticeStatus {
    Pending,
    Sent,
    Failed,
}

/// The outbox and its delivery state (HR).
#[utoipa::path(
get, path = "/api/v1/notices", tag = "notices", security(("bearer" = ["hr"])),
params(crate::api::openapi::PageParams, ("status" = Option<NoticeStatus>, Query), ("kind" = Option<Kind>, Query)),
responses((status = 200, description = "The email outbox and its delivery state", body = PageView<Notice>))
)]
pub async fn list(_hr: Hr, db: web::Data<Db>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["limit", "offset", "status", "kind"], &mut errors);
    let page = params.page(&mut errors);
    let status = params.text("status", 20, &mut errors);
    if status
        .as_deref()
        .is_some_and(|s| !["pending", "sent", "failed"].contains(&s))
    {
        errors.add("status", "must be pending, sent or failed");
    }
    let kind = params.text("kind", 50, &mut errors);
    if kind.as_deref().is_some_and(|k| Kind::parse(k).is_none()) {
        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        errors.add("kind", format!("must be one of {}", kinds.join(", ")));
    }
    let filter = NoticeFilter { status, kind };
    errors.into_result()?;
    let paged = db
        .run(move |conn| notices::list(conn, &filter, page))
        .await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, |n: Notice| n)))
}

/// Queues a failed notice again (HR), with a fresh set of attempts.
#[utoipa::path(
post, path = "/api/v1/notices/{id}/retry", tag = "notices", security(("bearer" = ["hr"])),
params(("id" = i64, Path)),
responses(
    (status = 200, description = "Queued again with fresh attempts", body = Notice),
    (status = 409, description = "Only a failed notice can be retried", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn retry(
    hr: Hr,
    db: web::Data<Db>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (hr.0.id(), id.into_inner());
    let notice = db
        .run(move |conn| notices::requeue(conn, actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(notice))
}
