use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::body::{double_option, JsonBody, QueryParams};
use super::views::{PageView, UserView};
use crate::auth::{password, Hr};
use crate::db::Db;
use crate::domain::user::{parse_display_name, Email, Locale, NewPassword, Role};
use crate::error::{AppError, FieldErrors};
use crate::store::users::{self, NewUser, UserChanges, UserFilter};

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

pub async fn get(_hr: Hr, db: web::Data<Db>, id: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let user = db.run(move |conn| users::get(conn, id)).await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    email: String,
    display_name: String,
    role: String,
    department_id: i32,
    #[serde(default)]
    manager_id: Option<i32>,
    #[serde(default)]
    locale: Option<String>,
    password: String,
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchUser {
    email: Option<String>,
    display_name: Option<String>,
    role: Option<String>,
    department_id: Option<i32>,
    #[serde(default, deserialize_with = "double_option")]
    manager_id: Option<Option<i32>>,
    locale: Option<String>,
    password: Option<String>,
    active: Option<bool>,
}

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
            users::update(conn, actor, id, changes)
        })
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(updated)))
}
