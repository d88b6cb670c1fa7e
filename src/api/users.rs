//! People (HR): adapters over `app::people`.

use actix_web::{web, HttpRequest, HttpResponse};

use super::body::{JsonBody, PageParams, QueryParams};
use super::views::{PageView, UserView};
use crate::app::people::{NewPerson, PersonChanges};
use crate::app::view::UserFilter;
use crate::app::App;
use crate::auth::Caller;
use crate::domain::user::Role;
use crate::error::{AppError, FieldErrors, ProblemBody};

#[utoipa::path(
get, path = "/api/v1/users", tag = "people", security(("bearer" = ["hr"])),
params(
    PageParams,
    ("department_id" = Option<i32>, Query, minimum = 1),
    ("role" = Option<Role>, Query),
    ("active" = Option<bool>, Query),
    ("q" = Option<String>, Query, max_length = 100, pattern = r"^[^\x00]*$", description = "Part of a name, an email or an employee number (any case)"),
),
responses((status = 200, description = "People by id", body = PageView<UserView>))
)]
pub async fn list(
    caller: Caller,
    app: web::Data<App>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(
        &["limit", "offset", "department_id", "role", "active", "q"],
        &mut errors,
    );
    let page = params.page(&mut errors);
    let filter = UserFilter {
        department_id: params.id("department_id", &mut errors),
        role: params
            .text("role", 20, &mut errors)
            .and_then(|r| errors.take("role", Role::parse(&r))),
        active: params.boolean("active", &mut errors),
        search: params
            .text("q", 100, &mut errors)
            .filter(|q| !q.trim().is_empty()),
        by_number: false,
    };
    errors.into_result()?;
    let paged = app.people(&caller, filter, page).await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, UserView::from)))
}

#[utoipa::path(
get, path = "/api/v1/users/{id}", tag = "people", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
responses((status = 200, description = "The person", body = UserView))
)]
pub async fn get(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let user = app.person(&caller, id).await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

#[utoipa::path(
post, path = "/api/v1/users", tag = "people", security(("bearer" = ["hr"])),
request_body = NewPerson,
responses(
    (status = 201, description = "Created", body = UserView),
    (status = 409, description = "The email is taken", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn create(
    caller: Caller,
    app: web::Data<App>,
    body: JsonBody<NewPerson>,
) -> Result<HttpResponse, AppError> {
    let created = app.create_person(&caller, body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/users/{}", created.id)))
        .json(UserView::from(created)))
}

#[utoipa::path(
patch, path = "/api/v1/users/{id}", tag = "people", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
request_body = PersonChanges,
responses(
    (status = 200, description = "Changed", body = UserView),
    (status = 409, description = "The email is taken, or the change would leave no active HR account, demote a supervisor who still manages people, or lock the caller out", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn patch(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
    body: JsonBody<PersonChanges>,
) -> Result<HttpResponse, AppError> {
    let updated = app.change_person(&caller, id.into_inner(), body.0).await?;
    Ok(HttpResponse::Ok().json(UserView::from(updated)))
}

/// One person of a people file: matched by `employee_number`, else `email`, else
/// new. `department` by name; `manager` by employee number or email (also of a later row).
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct PersonRow {
    #[schema(max_length = 32, pattern = r"^[A-Za-z0-9._/-]+$")]
    employee_number: Option<String>,
    #[schema(schema_with = crate::domain::user::email_schema::<false>)]
    email: String,
    #[schema(schema_with = crate::domain::text::name_schema::<{ crate::domain::user::DISPLAY_NAME_MAX }, false>)]
    display_name: String,
    #[schema(value_type = Role)]
    role: String,
    #[schema(max_length = 100)]
    department: String,
    /// An employee number or an email; empty leaves the manager as it is.
    #[schema(max_length = 254)]
    manager: Option<String>,
    #[schema(value_type = Option<crate::domain::user::Locale>)]
    locale: Option<String>,
    active: Option<bool>,
}

#[utoipa::path(
post, path = "/api/v1/users/bulk", tag = "people", security(("bearer" = ["hr"])),
params(("create_departments" = Option<bool>, Query, description = "true: departments the file names that do not exist are created (as front line) and listed in `departments_created`; otherwise each such row is refused (`no_department_named`). Names match regardless of case, full- or half-width characters and spacing")),
request_body(content(
    (Vec<PersonRow> = "application/json"),
    (String = "text/csv", example = json!("employee_number,email,display_name,role,department,manager,locale\nE0101,li.na@example.com,李娜,staff,旗舰店,E0001,zh-CN\n")),
    (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)),
responses(
    (status = 200, description = "Every row applied: the counts. People made without a password are mailed a link to set one", body = crate::app::people_bulk::PeopleOutcome),
    (status = 422, description = "Some rows are refused; nothing was applied (`row_errors` names each row as the spreadsheet shows it: the sheet's own row number for XLSX, the line a spreadsheet shows for CSV, item n as row n + 1 for JSON)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn bulk(
    caller: Caller,
    app: web::Data<App>,
    req: HttpRequest,
    body: super::import::ImportBody,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(&["create_departments"], &mut errors);
    let create_departments = params.boolean("create_departments", &mut errors);
    errors.into_result()?;
    let outcome = app
        .import_people(&caller, body.0, create_departments.unwrap_or(false))
        .await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// A one-time set-up code for a person without email (or who has never set a password),
/// shown once: they type it with a new password on the set-up page, or send it as the
/// `token` of `POST /api/v1/auth/reset`. Earlier set-up links and codes stop working.
#[utoipa::path(
post, path = "/api/v1/users/{id}/setup-code", tag = "people", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The person")),
responses(
    (status = 201, description = "The code (shown once) and when it expires (a week)", body = crate::app::passwords::SetupCode),
    (status = 404, description = "No such person", body = ProblemBody, content_type = "application/problem+json"),
    (status = 409, description = "The person is not active (`not_active_employee`), or has an email and a password (`has_email_and_password`: send a reset link instead)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn setup_code(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let (_, code) = app.setup_code(&caller, id.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("cache-control", "no-store"))
        .json(code))
}
