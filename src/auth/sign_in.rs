//! Sign-in, shared by the API's token endpoint and the sign-in page, so both apply the same
//! rules: one answer for unknown email, wrong password and deactivated account after the
//! same work (a real or a dummy argon2 verification); failures counted per email tried,
//! existing or not; a locked email refused (429) without looking at the password.

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
    Ok(user)
}
