use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::body::JsonBody;
use super::views::TokenView;
use crate::auth::{password, TokenKeys};
use crate::db::Db;
use crate::domain::lockout::LockoutPolicy;
use crate::error::AppError;
use crate::store::users::User;
use crate::store::{throttle, users};

pub const BAD_CREDENTIALS: &str = "invalid email or password";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    email: String,
    password: String,
}

pub fn token_response(keys: &TokenKeys, user: &User) -> Result<TokenView, AppError> {
    Ok(TokenView {
        access_token: keys.issue(user)?,
        token_type: "Bearer",
        expires_in: keys.ttl_seconds(),
    })
}

/// Unknown email, wrong password and deactivated account all get the same answer after the
/// same work (a real or a dummy argon2 verification). Failures are counted per email tried,
/// existing or not, and a locked email answers 429 without looking at the password.
pub async fn login(
    db: web::Data<Db>,
    keys: web::Data<TokenKeys>,
    policy: web::Data<LockoutPolicy>,
    body: JsonBody<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let LoginRequest { email, password } = body.0;
    let key = email.trim().to_lowercase();
    let policy = **policy;
    let user = db
        .run(move |conn| {
            if let Some(retry_after_seconds) = throttle::locked_for(conn, &key)? {
                return Err(AppError::TooManyRequests {
                    retry_after_seconds,
                });
            }
            let verified = match users::find_for_login(conn, &key)? {
                Some((user, hash)) => {
                    let ok = password::verify(&password, &hash);
                    (ok && user.active).then_some(user)
                }
                None => {
                    password::verify_dummy(&password);
                    None
                }
            };
            match verified {
                Some(user) => {
                    throttle::clear(conn, &key)?;
                    Ok(user)
                }
                None => {
                    if let Some(seconds) = throttle::record_failure(conn, &key, policy)? {
                        tracing::warn!(lock_seconds = seconds, "login locked after failures");
                    }
                    Err(AppError::Unauthorized(BAD_CREDENTIALS))
                }
            }
        })
        .await?;
    tracing::info!(user_id = user.id, "login");
    Ok(HttpResponse::Ok().json(token_response(&keys, &user)?))
}
