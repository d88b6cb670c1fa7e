use actix_web::{web, HttpRequest, HttpResponse};

use super::body::QueryParams;
use super::views::{AuditEventView, PageView};
use crate::auth::Hr;
use crate::db::Db;
use crate::error::{AppError, FieldErrors};
use crate::store::audit::{self, AuditFilter};

#[utoipa::path(
get, path = "/api/v1/audit-events", tag = "audit", security(("bearer" = ["hr"])),
params(crate::api::openapi::PageParams, ("entity" = Option<String>, Query, max_length = 50, pattern = r"^[^\x00]*$"), ("entity_id" = Option<i32>, Query, minimum = 1)),
responses((status = 200, description = "Audit events, newest first", body = PageView<AuditEventView>))
)]
pub async fn list(_hr: Hr, db: web::Data<Db>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["limit", "offset", "entity", "entity_id"], &mut errors);
    let page = params.page(&mut errors);
    let filter = AuditFilter {
        entity: params.text("entity", 50, &mut errors),
        entity_id: params.id("entity_id", &mut errors),
    };
    errors.into_result()?;
    let paged = db.run(move |conn| audit::list(conn, &filter, page)).await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, AuditEventView::from)))
}
