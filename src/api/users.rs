use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::body::{double_option, JsonBody, QueryParams};
use super::views::{PageView, UserView};
use crate::auth::{password, Hr};
use crate::db::Db;
use crate::domain::text::line_schema;
use crate::domain::user::{
    email_schema, new_password_schema, new_password_schema_or_null, parse_display_name, Email,
    Locale, NewPassword, Role, DISPLAY_NAME_MAX,
};
use crate::error::{AppError, FieldErrors};
use crate::store::users::{self, NewUser, UserChanges, UserFilter};

#[utoipa::path(
get, path = "/api/v1/users", tag = "people", security(("bearer" = ["hr"])),
params(
    crate::api::openapi::PageParams,
    ("department_id" = Option<i32>, Query, minimum = 1),
    ("role" = Option<Role>, Query),
    ("active" = Option<bool>, Query),
),
responses((status = 200, description = "People by id", body = PageView<UserView>))
)]
pub async fn list(_hr: Hr, db: web::Data<Db>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(
        &["limit", "offset", "department_id", "role", "active"],
        &mut errors,
    );
    let page = params.page(&mut errors);
    let filter = UserFilter {
        department_id: params.id("department_id", &mut errors),
        role: params
            .text("role", 20, &mut errors)
            .and_then(|r| errors.take("role", Role::parse(&r))),
        active: params.boolean("active", &mut errors),
    };
    errors.into_result()?;
    let paged = db.run(move |conn| users::list(conn, filter, page)).await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, UserView::from)))
}

#[utoipa::path(
get, path = "/api/v1/users/{id}", tag = "people", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
responses((status = 200, description = "The person", body = UserView))
)]
pub async fn get(_hr: Hr, db: web::Data<Db>, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let user = db.run(move |conn| users::get(conn, id)).await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    #[schema(schema_with = email_schema::<false>)]
    email: String,
    #[schema(schema_with = line_schema::<DISPLAY_NAME_MAX, false>)]
    display_name: String,
    #[schema(value_type = Role)]
    role: String,
    #[schema(minimum = 1)]
    department_id: i32,
    /// The person's supervisor (a supervisor or HR account).
    #[serde(default)]
    #[schema(minimum = 1)]
    manager_id: Option<i32>,
    /// `en` when absent or null.
    #[serde(default)]
    #[schema(value_type = Option<Locale>)]
    locale: Option<String>,
    #[schema(schema_with = new_password_schema)]
    password: String,
}

#[utoipa::path(
post, path = "/api/v1/users", tag = "people", security(("bearer" = ["hr"])),
request_body = CreateUser,
responses(
    (status = 201, description = "Created", body = UserView),
    (status = 409, description = "The email is taken", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn create(
    hr: Hr,
    db: web::Data<Db>,
    body: JsonBody<CreateUser>,
) -> Result<HttpResponse, AppError> {
    let input = body.0;
    let mut errors = FieldErrors::new();
    let email = errors.take("email", Email::parse(&input.email));
    let display_name = errors.take("display_name", parse_display_name(&input.display_name));
    let role = errors.take("role", Role::parse(&input.role));
    let locale = match &input.locale {
        Some(locale) => errors.take("locale", Locale::parse(locale)),
        None => Some(Locale::En),
    };
    let password = errors.take("password", NewPassword::parse(&input.password));
    errors.into_result()?;
    let actor = hr.id();
    let (email, display_name, role, locale, password) = (
        email.expect("checked"),
        display_name.expect("checked"),
        role.expect("checked"),
        locale.expect("checked"),
        password.expect("checked"),
    );
    let created = db
        .run(move |conn| {
            let new = NewUser {
                email,
                display_name,
                role,
                department_id: input.department_id,
                manager_id: input.manager_id,
                locale,
                password_hash: password::hash(password.expose())?,
            };
            users::create(conn, Some(actor), new)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/users/{}", created.id)))
        .json(UserView::from(created)))
}

/// Absent or null fields stay as they are, except `manager_id`, where null removes the
/// supervisor. A role change, a deactivation or a new password revokes the person's tokens.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchUser {
    #[schema(schema_with = email_schema::<true>)]
    email: Option<String>,
    #[schema(schema_with = line_schema::<DISPLAY_NAME_MAX, true>)]
    display_name: Option<String>,
    #[schema(value_type = Option<Role>)]
    role: Option<String>,
    #[schema(minimum = 1)]
    department_id: Option<i32>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>, minimum = 1)]
    manager_id: Option<Option<i32>>,
    #[schema(value_type = Option<Locale>)]
    locale: Option<String>,
    #[schema(schema_with = new_password_schema_or_null)]
    password: Option<String>,
    active: Option<bool>,
}

#[utoipa::path(
patch, path = "/api/v1/users/{id}", tag = "people", security(("bearer" = ["hr"])),
params(("id" = i32, Path, description = "The id")),
request_body = PatchUser,
responses(
    (status = 200, description = "Changed", body = UserView),
    (status = 409, description = "The email is taken, or the change would leave no active HR account or lock the caller out", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn patch(
    hr: Hr,
    db: web::Data<Db>,
    id: web::Path<i32>,
    body: JsonBody<PatchUser>,
) -> Result<HttpResponse, AppError> {
    let input = body.0;
    let mut errors = FieldErrors::new();
    let mut changes = UserChanges {
        email: input
            .email
            .and_then(|e| errors.take("email", Email::parse(&e))),
        display_name: input
            .display_name
            .and_then(|n| errors.take("display_name", parse_display_name(&n))),
        role: input
            .role
            .and_then(|r| errors.take("role", Role::parse(&r))),
        department_id: input.department_id,
        manager_id: input.manager_id,
        locale: input
            .locale
            .and_then(|l| errors.take("locale", Locale::parse(&l))),
        password_hash: None,
        active: input.active,
    };
    let password = input
        .password
        .and_then(|p| errors.take("password", NewPassword::parse(&p)));
    errors.into_result()?;
    let (actor, id) = (hr.id(), id.into_inner());
    let updated = db
        .run(move |conn| {
            if let Some(password) = password {
                changes.password_hash = Some(password::hash(password.expose())?);
            }
            users::change_person(conn, actor, id, changes)
        })
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(updated)))
}
