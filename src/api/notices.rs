//! The outbox (HR): its delivery state and the retry of a failed notice.

use actix_web::{web, HttpRequest, HttpResponse};

use super::body::{PageParams, QueryParams};
use super::views::PageView;
use crate::app::view::{Notice, NoticeFilter, NoticeKind as Kind, NoticeStatus};
use crate::app::App;
use crate::auth::Caller;
use crate::domain::problem::Problem;
use crate::error::{AppError, FieldErrors, ProblemBody};

/// The outbox and its delivery state (HR).
#[utoipa::path(
get, path = "/api/v1/notices", tag = "notices", security(("bearer" = ["hr"])),
params(PageParams, ("status" = Option<NoticeStatus>, Query), ("kind" = Option<Kind>, Query)),
responses((status = 200, description = "The email outbox and its delivery state", body = PageView<Notice>))
)]
pub async fn list(
    caller: Caller,
    app: web::Data<App>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["limit", "offset", "status", "kind"], &mut errors);
    let page = params.page(&mut errors);
    let status = params.parsed("status", NoticeStatus::parse, &mut errors);
    let kind = params.text("kind", 50, &mut errors);
    if kind.as_deref().is_some_and(|k| Kind::parse(k).is_none()) {
        errors.add(
            "kind",
            Problem::OneOf {
                options: Kind::NAMES,
            },
        );
    }
    let filter = NoticeFilter {
        status,
        kind,
        newest_first: false,
    };
    errors.into_result()?;
    let paged = app.notices(&caller, filter, page).await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, |n: Notice| n)))
}

/// Queues a failed notice again (HR), with a fresh set of attempts.
#[utoipa::path(
post, path = "/api/v1/notices/{id}/retry", tag = "notices", security(("bearer" = ["hr"])),
params(("id" = i64, Path)),
responses(
    (status = 200, description = "Queued again with fresh attempts", body = Notice),
    (status = 409, description = "Only a failed notice can be retried (`notice_sent`, `notice_queued`)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn retry(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(app.retry_notice(&caller, id.into_inner()).await?))
}
