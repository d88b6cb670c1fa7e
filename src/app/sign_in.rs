//! Sign-in, shared by the API's token endpoint and the sign-in page, so both apply the same
//! rules: one answer for unknown email or employee number, wrong password and deactivated
//! account after the same work (a real or a dummy argon2 verification); attempts counted per
//! name tried (an email, or an employee number for people without email), existing or not,
//! before the password is checked; a locked name refused (429) without looking at the
//! password.

use serde::Deserialize;
use utoipa::ToSchema;

use super::App;
use crate::auth::password;
use crate::domain::problem::Problem;
use crate::domain::user::{EMAIL_MAX, EMPLOYEE_NUMBER_MAX, PASSWORD_MAX};
use crate::error::{AppError, FieldErrors};
use crate::store::users::{SignInName, User};
use crate::store::{throttle, users};

/// An email and a password, or (for someone without email) an employee number and a
/// password: exactly one of `email` and `employee_number`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    #[serde(default)]
    #[schema(
        max_length = 254,
        pattern = r"^[^\x00]*$",
        example = "li.na@example.com"
    )]
    pub email: Option<String>,
    /// For someone without email (工号).
    #[serde(default)]
    #[schema(max_length = 32, pattern = r"^[^\x00]*$", example = json!(null))]
    pub employee_number: Option<String>,
    #[schema(max_length = 128, pattern = r"^[^\x00]*$", example = "your password")]
    pub password: String,
}

impl Credentials {
    /// The sign-in page's one box: an email when it holds an `@`, else an employee number.
    pub fn from_one_box(name: &str, password: String) -> Credentials {
        let (email, employee_number) = if name.contains('@') {
            (Some(name.to_owned()), None)
        } else {
            (None, Some(name.to_owned()))
        };
        Credentials {
            email,
            employee_number,
            password,
        }
    }
}

impl App {
    /// The account that the credentials sign in to, or why not.
    pub async fn sign_in(&self, input: Credentials) -> Result<User, AppError> {
        let mut errors = FieldErrors::new();
        let name = match (&input.email, &input.employee_number) {
            (Some(email), None) => {
                if email.chars().count() > EMAIL_MAX {
                    errors.add("email", Problem::TooLong { max: EMAIL_MAX });
                }
                SignInName::Email(email.trim().to_lowercase())
            }
            (None, Some(number)) => {
                if number.chars().count() > EMPLOYEE_NUMBER_MAX {
                    errors.add(
                        "employee_number",
                        Problem::TooLong {
                            max: EMPLOYEE_NUMBER_MAX,
                        },
                    );
                }
                SignInName::Number(number.trim().to_owned())
            }
            (Some(_), Some(_)) => {
                return Err(AppError::validation(
                    "employee_number",
                    Problem::BothGiven {
                        first: "email",
                        second: "employee_number",
                    },
                ))
            }
            (None, None) => return Err(AppError::validation("email", Problem::Required)),
        };
        errors.into_result()?;
        sign_in(self, name, input.password).await
    }
}

async fn sign_in(app: &App, name: SignInName, password: String) -> Result<User, AppError> {
    let (db, policy, passwords) = (&app.db, app.lockout, &app.passwords);
    // No account has a longer password; refusing it here keeps hashing cheap.
    if password.chars().count() > PASSWORD_MAX {
        return Err(AppError::validation(
            "password",
            Problem::TooLong { max: PASSWORD_MAX },
        ));
    }
    // Attempts are counted per name tried: an email (lower case), or an employee number as
    // written (no email has the same text: an email holds an `@`, a number cannot).
    let key = match &name {
        SignInName::Email(email) | SignInName::Number(email) => email.clone(),
    };
    // A place on the password threads first: refused for capacity, nothing is counted.
    let admission = passwords.admit()?;
    let lookup = key.clone();
    let found = db
        .run(move |conn| {
            throttle::begin_attempt(conn, &lookup, policy)?;
            users::find_for_login(conn, &name)
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
