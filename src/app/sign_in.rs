//! Sign-in, shared by the API's token endpoint and the sign-in page, so both apply the same
//! rules: one answer for unknown email, wrong password and deactivated account after the
//! same work (a real or a dummy argon2 verification); attempts counted per email tried,
//! existing or not, before the password is checked; a locked email refused (429) without
//! looking at the password.

use super::password::{self, PasswordWorkers};
use crate::db::Db;
use crate::domain::lockout::LockoutPolicy;
use crate::domain::user::{EMAIL_MAX, PASSWORD_MAX};
use crate::error::{AppError, FieldErrors};
use crate::store::users::User;
use crate::store::{throttle, users};

pub const BAD_CREDENTIALS: &str = "invalid email or password";

/// The account that `email` and `password` sign in to, or why not.
pub async fn sign_in(
    db: &Db,
    policy: LockoutPolicy,
    passwords: &PasswordWorkers,
    email: &str,
    password: String,
) -> Result<User, AppError> {
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
        None => return Err(AppError::Unauthorized(BAD_CREDENTIALS)),
    };
    tracing::info!(user_id = user.id, "login");
    Ok(user)
}
