use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::token_response;
use super::body::JsonBody;
use super::views::UserView;
use crate::auth::password::{self, PasswordWorkers};
use crate::auth::{AuthUser, TokenKeys};
use crate::db::Db;
use crate::domain::lockout::LockoutPolicy;
use crate::domain::user::{NewPassword, PASSWORD_MAX};
use crate::error::{AppError, FieldErrors};
use crate::store::throttle;
use crate::store::users;

#[utoipa::path(
get, path = "/api/v1/me", tag = "me", security(("bearer" = ["staff", "supervisor", "hr"])),
responses((status = 200, description = "The caller's profile", body = UserView))
)]
pub async fn get_me(user: AuthUser) -> HttpResponse {
    HttpResponse::Ok().json(UserView::from(user.0))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(max_length = 128, pattern = r"^[^\x00]*$")]
    current_password: String,
    /// 10–128 characters, not only spaces, and not the current password.
    #[schema(schema_with = crate::domain::user::new_password_schema)]
    new_password: String,
}

/// Changes the caller's password and revokes every older token; the answer carries a fresh
/// token so this client stays signed in. Wrong current passwords count towards the lockout,
/// so a stolen token cannot be used to guess the password.
#[utoipa::path(
put, path = "/api/v1/me/password", tag = "me", security(("bearer" = ["staff", "supervisor", "hr"])),
request_body = PasswordChange,
responses(
    (status = 200, description = "Changed; older tokens are revoked and this fresh one replaces them", body = crate::api::views::TokenView),
    (status = 429, description = "Too many wrong current passwords; see Retry-After", body = crate::api::openapi::Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait"))),
    (status = 503, description = "More password checks at this moment than the service does at once; see Retry-After", body = crate::api::openapi::Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait"))),
)
)]
pub async fn change_password(
    user: AuthUser,
    db: web::Data<Db>,
    keys: web::Data<TokenKeys>,
    policy: web::Data<LockoutPolicy>,
    passwords: web::Data<PasswordWorkers>,
    body: JsonBody<PasswordChange>,
) -> Result<HttpResponse, AppError> {
    let PasswordChange {
        current_password,
        new_password,
    } = body.0;
    let mut errors = FieldErrors::new();
    if current_password.chars().count() > PASSWORD_MAX {
        errors.add(
            "current_password",
            format!("must have at most {PASSWORD_MAX} characters"),
        );
    }
    let new_password = errors.take("new_password", NewPassword::parse(&new_password));
    if new_password
        .as_ref()
        .is_some_and(|p| p.expose() == current_password)
    {
        errors.add("new_password", "must differ from the current password");
    }
    errors.into_result()?;
    let new_password = new_password.expect("checked above");
    let policy = **policy;
    let (id, email) = (user.id(), user.0.email.clone());
    let admission = passwords.admit()?;
    let lookup = email.clone();
    let stored = db
        .run(move |conn| {
            throttle::begin_attempt(conn, &lookup, policy)?;
            users::password_hash(conn, id)
        })
        .await?;
    // Checking the current password and hashing the new one run on the password threads.
    let checked = stored.clone();
    let new_hash = admission
        .run(move || {
            if !password::verify(&current_password, &checked) {
                return Ok(None);
            }
            password::hash(new_password.expose()).map(Some)
        })
        .await??;
    let updated = db
        .run(move |conn| {
            let Some(password_hash) = new_hash else {
                return Err(AppError::validation("current_password", "is not correct"));
            };
            throttle::clear(conn, &email)?;
            users::change_own_password(conn, id, &stored, password_hash)
        })
        .await?;
    Ok(HttpResponse::Ok().json(token_response(&keys, &updated)?))
}
