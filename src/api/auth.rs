use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::body::JsonBody;
use super::views::TokenView;
use crate::auth::password::{self, PasswordWorkers};
use crate::auth::TokenKeys;
use crate::db::Db;
use crate::domain::lockout::LockoutPolicy;
use crate::domain::user::{EMAIL_MAX, PASSWORD_MAX};
use crate::error::{AppError, FieldErrors};
use crate::store::users::User;
use crate::store::{throttle, users};

pub const BAD_CREDENTIALS: &str = "invalid email or password";

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(max_length = 254, pattern = r"^[^\x00]*$")]
    email: String,
    #[schema(max_length = 128, pattern = r"^[^\x00]*$")]
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
#[utoipa::path(
post, path = "/api/v1/auth/login", tag = "auth",
request_body = LoginRequest,
responses(
    (status = 200, description = "A bearer token", body = TokenView),
    (status = 401, description = "Unknown email, wrong password or a deactivated account (one answer for all)", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many failed attempts for this email; see Retry-After", body = crate::api::openapi::Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait"))),
    (status = 503, description = "More sign-ins at this moment than the service checks at once; see Retry-After", body = crate::api::openapi::Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait"))),
)
)]
pub async fn login(
    db: web::Data<Db>,
    keys: web::Data<TokenKeys>,
    policy: web::Data<LockoutPolicy>,
    passwords: web::Data<PasswordWorkers>,
    body: JsonBody<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let LoginRequest { email, password } = body.0;
    // No account has a longer email or password; refusing them here keeps hashing cheap.
    let mut errors = FieldErrors::new();
    if email.chars().count() > EMAIL_MAX {
        errors.add("email", format!("must have at most {EMAIL_MAX} characters"));
    }
    if password.chars().count() > PASSWORD_MAX {
        errors.add(
            "password",
            format!("must have at most {PASSWORD_MAX} characters"),
        );
    }
    errors.into_result()?;
    let key = email.trim().to_lowercase();
    let policy = **policy;
    let lookup = key.clone();
    let found = db
        .run(move |conn| {
            if let Some(retry_after_seconds) = throttle::locked_for(conn, &lookup)? {
                return Err(AppError::TooManyRequests {
                    retry_after_seconds,
                });
            }
            users::find_for_login(conn, &lookup)
        })
        .await?;
    // The slow part runs on the password threads; a full queue answers 503 at once.
    let verified = passwords
        .run(move || match found {
            Some((user, hash)) => {
                let ok = password::verify(&password, &hash);
                (ok && user.active).then_some(user)
            }
            None => {
                password::verify_dummy(&password);
                None
            }
        })
        .await?;
    let user = db
        .run(move |conn| match verified {
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
        })
        .await?;
    tracing::info!(user_id = user.id, "login");
    Ok(HttpResponse::Ok().json(token_response(&keys, &user)?))
}
