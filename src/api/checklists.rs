use crate::domain::checklist::CHECKLIST_NAME_MAX;
use crate::domain::text::line_schema;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::body::{JsonBody, QueryParams};
use super::cycles::invalid;
use super::views::PageView;
use crate::auth::{AuthUser, Hr};
use crate::db::Db;
use crate::domain::checklist::{ChecklistDraft, ItemInput};
use crate::error::{AppError, FieldErrors};
use crate::store::checklists::{self, ChecklistWithItems};

/// Item titles are unique within a checklist (ignoring case).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistBody {
    #[schema(schema_with = line_schema::<CHECKLIST_NAME_MAX, false>)]
    name: String,
    #[schema(min_items = 1, max_items = 50)]
    items: Vec<ItemInput>,
}

#[utoipa::path(
get, path = "/api/v1/checklists", tag = "inspections", security(("bearer" = ["staff", "supervisor", "hr"])),
params(crate::api::openapi::PageParams, ("all_versions" = Option<bool>, Query, description = "Include superseded versions")),
responses((status = 200, description = "Checklists with their items", body = PageView<ChecklistWithItems>))
)]
pub async fn list(
    _user: AuthUser,
    db: web::Data<Db>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["limit", "offset", "all_versions"], &mut errors);
    let page = params.page(&mut errors);
    let all_versions = params.boolean("all_versions", &mut errors).unwrap_or(false);
    errors.into_result()?;
    let paged = db
        .run(move |conn| checklists::list(conn, all_versions, page))
        .await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, |c: ChecklistWithItems| c)))
}

#[utoipa::path(
get, path = "/api/v1/checklists/{id}", tag = "inspections", security(("bearer" = ["staff", "supervisor", "hr"])),
params(("id" = i32, Path, description = "The id")),
responses((status = 200, description = "The checklist version", body = ChecklistWithItems))
)]
pub async fn get(
    _user: AuthUser,
    db: web::Data<Db>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let checklist = db.run(move |conn| checklists::get(conn, id)).await?;
    Ok(HttpResponse::Ok().json(checklist))
}

#[utoipa::path(
post, path = "/api/v1/checklists", tag = "inspections", security(("bearer" = ["hr"])),
request_body = ChecklistBody,
responses(
    (status = 201, description = "Created", body = ChecklistWithItems),
    (status = 409, description = "The name is taken", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn create(
    hr: Hr,
    db: web::Data<Db>,
    body: JsonBody<ChecklistBody>,
) -> Result<HttpResponse, AppError> {
    let draft = ChecklistDraft::parse(&body.0.name, &body.0.items).map_err(invalid)?;
    let actor = hr.id();
    let created = db
        .run(move |conn| checklists::create(conn, actor, &draft))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/checklists/{}", created.checklist.id),
        ))
        .json(created))
}

/// Edits a checklist. When an inspection already used this version, a new version is made
/// (answered with 201 and its own id); otherwise the version is changed in place (200).
#[utoipa::path(
put, path = "/api/v1/checklists/{id}", tag = "inspections", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
request_body = ChecklistBody,
responses(
    (status = 200, description = "Changed in place (no inspection used this version)", body = ChecklistWithItems),
    (status = 201, description = "A new version (an inspection used this one)", body = ChecklistWithItems),
    (status = 409, description = "Not the current version, or the name is taken", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn edit(
    hr: Hr,
    db: web::Data<Db>,
    id: web::Path<i32>,
    body: JsonBody<ChecklistBody>,
) -> Result<HttpResponse, AppError> {
    let draft = ChecklistDraft::parse(&body.0.name, &body.0.items).map_err(invalid)?;
    let (actor, id) = (hr.id(), id.into_inner());
    let edited = db
        .run(move |conn| checklists::edit(conn, actor, id, &draft))
        .await?;
    if edited.checklist.id == id {
        Ok(HttpResponse::Ok().json(edited))
    } else {
        Ok(HttpResponse::Created()
            .insert_header((
                "Location",
                format!("/api/v1/checklists/{}", edited.checklist.id),
            ))
            .json(edited))
    }
}
