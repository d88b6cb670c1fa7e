//! Inspection checklists: adapters over `app::checklists`.

use actix_web::{web, HttpRequest, HttpResponse};

use super::body::{JsonBody, PageParams, QueryParams};
use super::views::PageView;
use crate::app::checklists::ChecklistInput;
use crate::app::view::ChecklistWithItems;
use crate::app::App;
use crate::auth::Caller;
use crate::error::{AppError, FieldErrors, ProblemBody};

#[utoipa::path(
get, path = "/api/v1/checklists", tag = "inspections", security(("bearer" = ["staff", "supervisor", "hr"])),
params(PageParams, ("all_versions" = Option<bool>, Query, description = "Include superseded versions")),
responses((status = 200, description = "Checklists with their items", body = PageView<ChecklistWithItems>))
)]
pub async fn list(
    caller: Caller,
    app: web::Data<App>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["limit", "offset", "all_versions"], &mut errors);
    let page = params.page(&mut errors);
    let all_versions = params.boolean("all_versions", &mut errors).unwrap_or(false);
    errors.into_result()?;
    let paged = app.checklists(&caller, all_versions, page).await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, |c: ChecklistWithItems| c)))
}

#[utoipa::path(
get, path = "/api/v1/checklists/{id}", tag = "inspections", security(("bearer" = ["staff", "supervisor", "hr"])),
params(("id" = i32, Path, description = "The id")),
responses((status = 200, description = "The checklist version", body = ChecklistWithItems))
)]
pub async fn get(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let checklist = app.checklist(&caller, id).await?;
    Ok(HttpResponse::Ok().json(checklist))
}

#[utoipa::path(
post, path = "/api/v1/checklists", tag = "inspections", security(("bearer" = ["hr"])),
request_body = ChecklistInput,
responses(
    (status = 201, description = "Created", body = ChecklistWithItems),
    (status = 409, description = "The name is taken", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn create(
    caller: Caller,
    app: web::Data<App>,
    body: JsonBody<ChecklistInput>,
) -> Result<HttpResponse, AppError> {
    let created = app.create_checklist(&caller, body.0).await?;
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
request_body = ChecklistInput,
responses(
    (status = 200, description = "Changed in place (no inspection used this version)", body = ChecklistWithItems),
    (status = 201, description = "A new version (an inspection used this one)", body = ChecklistWithItems),
    (status = 409, description = "Not the current version (`old_checklist_version`), or the name is taken", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn edit(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
    body: JsonBody<ChecklistInput>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let edited = app.edit_checklist(&caller, id, body.0).await?;
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
