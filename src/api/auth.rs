use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::body::JsonBody;
use super::views::TokenView;
use crate::auth::password::PasswordWorkers;
use crate::auth::sign_in::sign_in;
use crate::auth::TokenKeys;
use crate::db::Db;
use crate::domain::lockout::LockoutPolicy;
use crate::error::AppError;
use crate::store::users::User;

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

/// The rules are [`sign_in`]'s (shared with the sign-in page).
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
    let user = sign_in(&db, **policy, &passwords, &email, password).await?;
    Ok(HttpResponse::Ok().json(token_response(&keys, &user)?))
}
