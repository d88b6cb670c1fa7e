//! Signing in: an adapter over `app::sign_in`.

use actix_web::{web, HttpResponse};

use super::body::JsonBody;
use super::views::TokenView;
use crate::app::passwords::{Forgotten, PasswordReset};
use crate::app::sign_in::Credentials;
use crate::app::view::User;
use crate::app::App;
use crate::auth::TokenKeys;
use crate::error::{AppError, ProblemBody};

/// A sign-in's body: an email and a password, or an employee number and a password.
// (The document's description; the body is read as `Credentials`, which names the field of
// any problem.)
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum SignInBody {
    ByEmail(SignInByEmail),
    ByEmployeeNumber(SignInByNumber),
}

/// An email and a password.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct SignInByEmail {
    #[schema(
        max_length = 254,
        pattern = r"^[^\x00]*$",
        example = "li.na@example.com"
    )]
    email: String,
    #[schema(max_length = 128, pattern = r"^[^\x00]*$", example = "your password")]
    password: String,
}

/// For someone without email: their employee number (工号) and a password.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct SignInByNumber {
    #[schema(max_length = 32, pattern = r"^[^\x00]*$", example = "E0101")]
    employee_number: String,
    #[schema(max_length = 128, pattern = r"^[^\x00]*$", example = "your password")]
    password: String,
}

pub fn token_response(keys: &TokenKeys, user: &User) -> Result<TokenView, AppError> {
    Ok(TokenView {
        access_token: keys.issue(user)?,
        token_type: "Bearer",
        expires_in: keys.ttl_seconds(),
    })
}

/// Signs in with an email and password (or, for someone without email, an employee number
/// and password), as the sign-in page does: a bearer token for the other calls.
#[utoipa::path(
post, path = "/api/v1/auth/login", tag = "auth",
request_body = SignInBody,
responses(
    (status = 200, description = "A bearer token", body = TokenView),
    (status = 401, description = "Unknown email or employee number, wrong password or a deactivated account (one answer for all)", body = ProblemBody, content_type = "application/problem+json"),
    (status = 422, description = "Neither or both of email and employee_number, or a value longer than any account has", body = ProblemBody, content_type = "application/problem+json"),
    (status = 429, description = "Too many failed attempts for this email; see Retry-After", body = ProblemBody, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait"))),
    (status = 503, description = "More sign-ins at this moment than the service checks at once; see Retry-After", body = ProblemBody, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait"))),
)
)]
pub async fn login(
    app: web::Data<App>,
    body: JsonBody<Credentials>,
) -> Result<HttpResponse, AppError> {
    let user = app.sign_in(body.0).await?;
    Ok(HttpResponse::Ok().json(token_response(&app.keys, &user)?))
}

/// "Forgot password": mails a reset link (valid 24 hours) to an active account with this
/// email. The answer is the same, 202, whether or not such an account exists; at most one
/// mail an hour goes to an account.
#[utoipa::path(
post, path = "/api/v1/auth/forgot", tag = "auth",
request_body = Forgotten,
responses((status = 202, description = "If an active account has this email, a reset link is on its way"))
)]
pub async fn forgot(
    app: web::Data<App>,
    body: JsonBody<Forgotten>,
) -> Result<HttpResponse, AppError> {
    app.forgot_password(body.0).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Sets a new password with the token of a mailed link (once; a used, expired or unknown
/// token answers 422 on `token`, alike). Every earlier session of the account ends.
#[utoipa::path(
post, path = "/api/v1/auth/reset", tag = "auth",
request_body = PasswordReset,
responses((status = 204, description = "The password is set; sign in with it"))
)]
pub async fn reset(
    app: web::Data<App>,
    body: JsonBody<PasswordReset>,
) -> Result<HttpResponse, AppError> {
    app.reset_password(body.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
