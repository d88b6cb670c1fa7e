//! Departments: adapters over `app::departments`.

use actix_web::{web, HttpRequest, HttpResponse};

use super::body::{JsonBody, PageParams, QueryParams};
use super::views::{DepartmentView, PageView};
use crate::app::departments::{DepartmentPatch, NewDepartment};
use crate::app::App;
use crate::auth::Caller;
use crate::error::{AppError, FieldErrors, ProblemBody};

#[utoipa::path(
get, path = "/api/v1/departments", tag = "people", security(("bearer" = ["staff", "supervisor", "hr"])),
params(PageParams),
responses((status = 200, description = "Departments by name", body = PageView<DepartmentView>))
)]
pub async fn list(
    caller: Caller,
    app: web::Data<App>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["limit", "offset"], &mut errors);
    let page = params.page(&mut errors);
    errors.into_result()?;
    let paged = app.departments(&caller, page).await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, DepartmentView::from)))
}

#[utoipa::path(
get, path = "/api/v1/departments/{id}", tag = "people", security(("bearer" = ["staff", "supervisor", "hr"])),
params(("id" = i32, Path, description = "The id")),
responses((status = 200, description = "The department", body = DepartmentView))
)]
pub async fn get(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let department = app.department(&caller, id).await?;
    Ok(HttpResponse::Ok().json(DepartmentView::from(department)))
}

#[utoipa::path(
post, path = "/api/v1/departments", tag = "people", security(("bearer" = ["hr"])),
request_body = NewDepartment,
responses(
    (status = 201, description = "Created", body = DepartmentView),
    (status = 409, description = "The name is taken", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn create(
    caller: Caller,
    app: web::Data<App>,
    body: JsonBody<NewDepartment>,
) -> Result<HttpResponse, AppError> {
    let created = app.create_department(&caller, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/departments/{}", created.id)))
        .json(DepartmentView::from(created)))
}

#[utoipa::path(
patch, path = "/api/v1/departments/{id}", tag = "people", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
request_body = DepartmentPatch,
responses(
    (status = 200, description = "Changed", body = DepartmentView),
    (status = 409, description = "The name is taken", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn patch(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
    body: JsonBody<DepartmentPatch>,
) -> Result<HttpResponse, AppError> {
    let updated = app
        .change_department(&caller, id.into_inner(), body.0)
        .await?;
    Ok(HttpResponse::Ok().json(DepartmentView::from(updated)))
}
