//! The caller's own profile and password: adapters over `app::people`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::token_response;
use super::body::JsonBody;
use super::views::UserView;
use crate::app::App;
use crate::auth::Caller;
use crate::error::{AppError, ProblemBody};

#[utoipa::path(
get, path = "/api/v1/me", tag = "me", security(("bearer" = ["staff", "supervisor", "hr"])),
responses((status = 200, description = "The caller's profile", body = UserView))
)]
pub async fn get_me(caller: Caller, app: web::Data<App>) -> Result<HttpResponse, AppError> {
    let me = app.me(&caller).await?;
    Ok(HttpResponse::Ok().json(UserView::from(me)))
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
    (status = 409, description = "Another change of the password went first (`password_changed_meanwhile`)", body = ProblemBody, content_type = "application/problem+json"),
    (status = 429, description = "Too many wrong current passwords; see Retry-After", body = ProblemBody, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait"))),
    (status = 503, description = "More password checks at this moment than the service does at once; see Retry-After", body = ProblemBody, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait"))),
)
)]
pub async fn change_password(
    caller: Caller,
    app: web::Data<App>,
    body: JsonBody<PasswordChange>,
) -> Result<HttpResponse, AppError> {
    let PasswordChange {
        current_password,
        new_password,
    } = body.0;
    let updated = app
        .change_own_password(&caller, current_password, new_password)
        .await?;
    Ok(HttpResponse::Ok().json(token_response(&app.keys, &updated)?))
}
