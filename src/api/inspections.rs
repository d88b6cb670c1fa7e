//! Etiquette inspections: adapters over `app::inspections`.

use actix_web::{web, HttpRequest, HttpResponse};

use super::body::{JsonBody, PageParams, QueryParams};
use super::views::PageView;
use crate::app::inspections::NewInspection;
use crate::app::view::{InspectionDetail, InspectionFilter};
use crate::app::App;
use crate::auth::Caller;
use crate::error::{AppError, FieldErrors, ProblemBody};

/// Supervisors for their direct reports, HR for anyone; staff get 403, anyone else's
/// report 404.
#[utoipa::path(
post, path = "/api/v1/inspections", tag = "inspections", security(("bearer" = ["supervisor", "hr"])),
request_body = NewInspection,
responses(
    (status = 201, description = "Recorded; the employee is notified", body = InspectionDetail),
    (status = 404, description = "The employee is not the caller's direct report", body = ProblemBody, content_type = "application/problem+json"),
    (status = 409, description = "The cycle of the date is not open (`cycle_not_open`)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn create(
    caller: Caller,
    app: web::Data<App>,
    body: JsonBody<NewInspection>,
) -> Result<HttpResponse, AppError> {
    let created = app.record_inspection(&caller, body.0).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Inspections in the caller's scope: own (staff), own and direct reports' (supervisors),
/// everyone's (HR).
#[utoipa::path(
get, path = "/api/v1/inspections", tag = "inspections", security(("bearer" = ["staff", "supervisor", "hr"])),
params(PageParams, ("employee_id" = Option<i32>, Query, minimum = 1), ("cycle_id" = Option<i32>, Query, minimum = 1)),
responses(
    (status = 200, description = "Staff: their own; supervisors: also their reports'; HR: all", body = PageView<InspectionDetail>),
    (status = 404, description = "`employee_id` names someone outside the caller's scope", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn list(
    caller: Caller,
    app: web::Data<App>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["limit", "offset", "employee_id", "cycle_id"], &mut errors);
    let page = params.page(&mut errors);
    let filter = InspectionFilter {
        employee_id: params.id("employee_id", &mut errors),
        cycle_id: params.id("cycle_id", &mut errors),
    };
    errors.into_result()?;
    let paged = app.inspections(&caller, filter, page).await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, |i: InspectionDetail| i)))
}
