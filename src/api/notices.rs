use actix_web::{web, HttpRequest, HttpResponse};

use super::body::QueryParams;
use super::views::PageView;
use crate::auth::Hr;
use crate::db::Db;
use crate::error::{AppError, FieldErrors};
use crate::store::notices::{self, Notice, NoticeFilter};

/// The outbox and its delivery state (HR).
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
    let filter = NoticeFilter {
        status,
        kind: params.text("kind", 50, &mut errors),
    };
    errors.into_result()?;
    let paged = db
        .run(move |conn| notices::list(conn, &filter, page))
        .await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, |n: Notice| n)))
}
