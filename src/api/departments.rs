use crate::domain::department::DEPARTMENT_NAME_MAX;
use crate::domain::text::line_schema;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::body::{JsonBody, QueryParams};
use super::views::{DepartmentView, PageView};
use crate::auth::{AuthUser, Hr};
use crate::db::Db;
use crate::domain::department::{parse_department_name, DepartmentKind};
use crate::error::{AppError, FieldErrors};
use crate::store::departments::{self, DepartmentChanges};

#[utoipa::path(
get, path = "/api/v1/departments", tag = "people", security(("bearer" = ["staff", "supervisor", "hr"])),
params(crate::api::openapi::PageParams),
responses((status = 200, description = "Departments by id", body = PageView<DepartmentView>))
)]
pub async fn list(
    _user: AuthUser,
    db: web::Data<Db>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["limit", "offset"], &mut errors);
    let page = params.page(&mut errors);
    errors.into_result()?;
    let paged = db.run(move |conn| departments::list(conn, page)).await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, DepartmentView::from)))
}

#[utoipa::path(
get, path = "/api/v1/departments/{id}", tag = "people", security(("bearer" = ["staff", "supervisor", "hr"])),
params(("id" = i32, Path, description = "The id")),
responses((status = 200, description = "The department", body = DepartmentView))
)]
pub async fn get(
    _user: AuthUser,
    db: web::Data<Db>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let department = db.run(move |conn| departments::get(conn, id)).await?;
    Ok(HttpResponse::Ok().json(DepartmentView::from(department)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDepartment {
    #[schema(schema_with = line_schema::<DEPARTMENT_NAME_MAX, false>)]
    name: String,
    #[schema(value_type = DepartmentKind)]
    kind: String,
}

#[utoipa::path(
post, path = "/api/v1/departments", tag = "people", security(("bearer" = ["hr"])),
request_body = CreateDepartment,
responses(
    (status = 201, description = "Created", body = DepartmentView),
    (status = 409, description = "The name is taken", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn create(
    hr: Hr,
    db: web::Data<Db>,
    body: JsonBody<CreateDepartment>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.take("name", parse_department_name(&body.0.name));
    let kind = errors.take("kind", DepartmentKind::parse(&body.0.kind));
    errors.into_result()?;
    let (name, kind) = (name.expect("checked"), kind.expect("checked"));
    let actor = hr.id();
    let created = db
        .run(move |conn| departments::create(conn, Some(actor), &name, kind))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/departments/{}", created.id)))
        .json(DepartmentView::from(created)))
}

/// Absent or null fields stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchDepartment {
    #[schema(schema_with = line_schema::<DEPARTMENT_NAME_MAX, true>)]
    name: Option<String>,
    #[schema(value_type = Option<DepartmentKind>)]
    kind: Option<String>,
}

#[utoipa::path(
patch, path = "/api/v1/departments/{id}", tag = "people", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
request_body = PatchDepartment,
responses(
    (status = 200, description = "Changed", body = DepartmentView),
    (status = 409, description = "The name is taken", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn patch(
    hr: Hr,
    db: web::Data<Db>,
    id: web::Path<i32>,
    body: JsonBody<PatchDepartment>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let changes = DepartmentChanges {
        name: body
            .0
            .name
            .and_then(|n| errors.take("name", parse_department_name(&n))),
        kind: body
            .0
            .kind
            .and_then(|k| errors.take("kind", DepartmentKind::parse(&k))),
    };
    errors.into_result()?;
    let (actor, id) = (hr.id(), id.into_inner());
    let updated = db
        .run(move |conn| departments::update(conn, actor, id, changes))
        .await?;
    Ok(HttpResponse::Ok().json(DepartmentView::from(updated)))
}
