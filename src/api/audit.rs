//! The audit trail (HR).

use actix_web::{web, HttpRequest, HttpResponse};

use super::body::{PageParams, QueryParams};
use super::views::{AuditEventView, PageView};
use crate::app::view::AuditFilter;
use crate::app::App;
use crate::auth::Caller;
use crate::error::{AppError, FieldErrors};

#[utoipa::path(
get, path = "/api/v1/audit-events", tag = "audit", security(("bearer" = ["hr"])),
params(PageParams, ("entity" = Option<String>, Query, max_length = 50, pattern = r"^[^\x00]*$"), ("entity_id" = Option<i32>, Query, minimum = 1)),
responses((status = 200, description = "Audit events, oldest first", body = PageView<AuditEventView>))
)]
pub async fn list(
    caller: Caller,
    app: web::Data<App>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["limit", "offset", "entity", "entity_id"], &mut errors);
    let page = params.page(&mut errors);
    let filter = AuditFilter {
        entity: params.text("entity", 50, &mut errors),
        entity_id: params.id("entity_id", &mut errors),
    };
    errors.into_result()?;
    let paged = app.audit_events(&caller, filter, page).await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, AuditEventView::from)))
}
