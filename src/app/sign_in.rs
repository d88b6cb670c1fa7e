//! Sign-in, shared by the API's token endpoint and the sign-in page, so both apply the same
//! rules: one answer for unknown email, wrong password and deactivated account after the
//! same work (a real or a dummy argon2 verification); attempts counted per email tried,
//! existing or not, before the password is checked; a locked email refused (429) without
//! looking at the password.

use serde::Deserialize;
use utoipa::ToSchema;

use super::App;
use crate::auth::password;
use crate::domain::problem::Problem;
use crate::domain::user::{EMAIL_MAX, PASSWORD_MAX};
use crate::error::{AppError, FieldErrors};
use crate::store::users::User;
use crate::store::{throttle, users};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    #[schema(
        max_length = 254,
        pattern = r"^[^\x00]*$",
        example = "li.na@example.com"
    )]
    pub email: String,
    #[schema(max_length = 128, pattern = r"^[^\x00]*$", example = "your password")]
    pub password: String,
}

impl App {
    /// The account that the credentials sign in to, or why not.
    pub async fn sign_in(&self, input: Credentials) -> Result<User, AppError> {
        sign_in(self, &input.email, input.password).await
    }
}

async fn sign_in(app: &App, email: &str, password: String) -> Result<User, AppError> {
    let (db, policy, passwords) = (&app.db, app.lockout, &app.passwords);
    // No account has a longer email or password; refusing them here keeps hashing cheap.
    let mut errors = FieldErrors::new();
    if email.chars().count() > EMAIL_MAX {
        errors.add("email", Problem::TooLong { max: EMAIL_MAX });
    }
    if password.chars().count() > PASSWORD_MAX {
        errors.add("password", Problem::TooLong { max: PASSWORD_MAX });
    }
    errors.into_result()?;
    let key = email.trim().to_lowercase();
    // A place on the password threads first: refused for capacity, nothing is counted.
    let admission = passwords.admit()?;
    let lookup = key.clone();
    let found = db
        .run(move |conn| {
            throttle::begin_attempt(conn, &lookup, policy)?;
            users::find_for_login(conn, &lookup)
        })
        .await?;
    let verified = admission
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
    let user = match verified {
        Some(user) => {
            db.run(move |conn| throttle::clear(conn, &key)).await?;
            user
        }
        None => return Err(AppError::Unauthorized(Problem::BadCredentials)),
    };
    tracing::info!(user_id = user.id, "login");
    Ok(user)
}
