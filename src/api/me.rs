use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::auth::token_response;
use super::body::JsonBody;
use super::views::UserView;
use crate::auth::{password, AuthUser, TokenKeys};
use crate::db::Db;
use crate::domain::lockout::LockoutPolicy;
use crate::domain::user::NewPassword;
use crate::error::{AppError, FieldErrors};
use crate::store::throttle;
use crate::store::users::{self, UserChanges};

pub async fn get_me(user: AuthUser) -> HttpResponse {
    HttpResponse::Ok().json(UserView::from(user.0))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Changes the caller's password and revokes every older token; the answer carries a fresh
/// token so this client stays signed in. Wrong current passwords count towards the lockout,
/// so a stolen token cannot be used to guess the password.
pub async fn change_password(
    user: AuthUser,
    db: web::Data<Db>,
    keys: web::Data<TokenKeys>,
    policy: web::Data<LockoutPolicy>,
    body: JsonBody<PasswordChange>,
) -> Result<HttpResponse, AppError> {
    let PasswordChange {
        current_password,
        new_password,
    } = body.0;
    let mut errors = FieldErrors::new();
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
    let updated = db
        .run(move |conn| {
            if let Some(retry_after_seconds) = throttle::locked_for(conn, &email)? {
                return Err(AppError::TooManyRequests {
                    retry_after_seconds,
                });
            }
            if !password::verify(&current_password, &users::password_hash(conn, id)?) {
                throttle::record_failure(conn, &email, policy)?;
                return Err(AppError::validation("current_password", "is not correct"));
            }
            let changes = UserChanges {
                password_hash: Some(password::hash(new_password.expose())?),
                ..UserChanges::default()
            };
            users::update(conn, id, id, changes)
        })
        .await?;
    Ok(HttpResponse::Ok().json(token_response(&keys, &updated)?))
}
