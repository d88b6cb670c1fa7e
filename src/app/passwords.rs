//! Passwords set and reset by mailed link: an account made without a password gets a link
//! to set one (a week); anyone may ask for a reset link on the sign-in page (the answer is
//! the same whether the email is known or not, and at most one mail an hour is sent per
//! account); HR may send a person one.
//!
//! "Forgot password" does the same work for every email: it records the request (one
//! insert, one commit), and the delivery worker looks the account up later and queues its
//! mail ([`answer_reset_request`]). Looking the account up on the request path made a
//! known account's request measurably slower on PostgreSQL (the notice's write and commit),
//! which told who has an account. The link's token is made when the mail is written
//! (`notify::content`) and only its hash is stored; using it sets the password, ends every
//! earlier session, and clears the lockout.

use crate::domain::audit::Action;
use chrono::Utc;
use serde::Deserialize;
use utoipa::ToSchema;

use super::App;
use crate::auth::{password, Caller};
use crate::db::{write_tx, DbConn};
use crate::domain::problem::Problem;
use crate::domain::user::{new_password_schema, NewPassword, EMAIL_MAX};
use crate::error::{AppError, FieldErrors};
use crate::store::notices::{self, Kind, NewNotice};
use crate::store::users::{self, Stored};
use crate::store::{password_tokens, reset_requests, throttle};

/// The job of one "forgot password" request (in the job's transaction): a reset mail for
/// the active account it names (at most one an hour per account, counted from when it was
/// asked); the request is removed either way.
pub fn answer_reset_request(tx: &mut DbConn, request: i64) -> Result<(), AppError> {
    if let Some((email, at)) = reset_requests::take(tx, request)? {
        if let Some(user) = users::find_by_email(tx, &email)? {
            if user.active {
                send_reset_link_at(tx, user.id, 3600, at.and_utc().timestamp())?;
            }
        }
    }
    Ok(())
}

/// Queues the mail with a link to set a first password (in the caller's transaction); a
/// second one in the same second is the same notice.
pub fn send_setup_link(tx: &mut DbConn, user: i32) -> Result<usize, AppError> {
    notices::enqueue(
        tx,
        vec![setup_notice(user, crate::domain::clock::now().timestamp())],
    )
}

/// [`send_setup_link`] for the people an import just created, as one batch of notices
/// (`notices::enqueue_batch`): the import writes one row, the delivery worker one notice per
/// person. Their ids are new, so the first names the batch uniquely.
pub fn send_setup_links_to_new(tx: &mut DbConn, users: &[i32]) -> Result<usize, AppError> {
    let Some(first) = users.first() else {
        return Ok(0);
    };
    let prefix = format!("password_setup:import:{first}");
    notices::enqueue_batch(
        tx,
        Kind::PasswordSetup,
        users,
        &prefix,
        &serde_json::json!({}),
    )
}

fn setup_notice(user: i32, second: i64) -> NewNotice {
    NewNotice {
        kind: Kind::PasswordSetup,
        recipient_id: user,
        dedupe_key: format!("password_setup:{user}:{second}"),
        payload: serde_json::json!({}),
    }
}

/// Queues a reset link; `per` bounds how often: one mail per account and hour for the
/// sign-in page's form, one a minute when HR sends it.
fn send_reset_link(tx: &mut DbConn, user: i32, per_seconds: i64) -> Result<usize, AppError> {
    send_reset_link_at(
        tx,
        user,
        per_seconds,
        crate::domain::clock::now().timestamp(),
    )
}

fn send_reset_link_at(
    tx: &mut DbConn,
    user: i32,
    per_seconds: i64,
    second: i64,
) -> Result<usize, AppError> {
    let slot = second / per_seconds;
    notices::enqueue(
        tx,
        vec![NewNotice {
            kind: Kind::PasswordReset,
            recipient_id: user,
            dedupe_key: format!("password_reset:{user}:{per_seconds}:{slot}"),
            payload: serde_json::json!({}),
        }],
    )
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Forgotten {
    #[schema(
        max_length = 254,
        pattern = r"^[^\x00]*$",
        example = "li.na@example.com"
    )]
    pub email: String,
}

/// A set-up code, shown once: the person types it with their new password.
#[derive(Debug, Clone, serde::Serialize, ToSchema)]
pub struct SetupCode {
    pub user_id: i32,
    #[schema(example = "ABCD-EFGH-JKMN")]
    pub code: String,
    pub expires_at: chrono::DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// The token of the mailed link, or a set-up code from HR (dashes and case as typed).
    #[schema(max_length = 100, pattern = r"^[A-Za-z0-9_ -]+$")]
    pub token: String,
    #[schema(schema_with = new_password_schema)]
    pub new_password: String,
}

impl App {
    /// "Forgot password": a reset link for an active account with that email. Nothing in
    /// the answer, or its time, tells whether the account exists.
    pub async fn forgot_password(&self, input: Forgotten) -> Result<(), AppError> {
        if input.email.chars().count() > EMAIL_MAX {
            return Err(AppError::validation(
                "email",
                Problem::TooLong { max: EMAIL_MAX },
            ));
        }
        let email = input.email.trim().to_lowercase();
        self.db
            .run(move |conn| write_tx(conn, |tx| reset_requests::record(tx, &email)))
            .await
    }

    /// Sets the password of the link's account: once per link, not after it expires (an
    /// unknown, used or expired link answer alike, 422 on `token`).
    pub async fn reset_password(&self, input: PasswordReset) -> Result<(), AppError> {
        let mut errors = FieldErrors::new();
        let new = errors.take("new_password", NewPassword::parse(&input.new_password));
        if input.token.is_empty() || input.token.len() > 100 {
            errors.add("token", Problem::LinkInvalid);
        }
        errors.into_result()?;
        let new = new.expect("parsed when there were no problems");
        let secret = new.expose().to_owned();
        let hash = self
            .passwords
            .run(move || password::hash(&secret))
            .await??;
        let token = input.token;
        self.db
            .run(move |conn| {
                write_tx(conn, |tx| {
                    let Some(id) = password_tokens::redeem(tx, &token)? else {
                        return Err(AppError::validation("token", Problem::LinkInvalid));
                    };
                    let before = users::get(tx, id)?;
                    if !before.active {
                        return Err(AppError::validation("token", Problem::LinkInvalid));
                    }
                    // Sign-in attempts are counted per email (stored in lower case) and per
                    // employee number.
                    for key in [&before.email, &before.employee_number]
                        .into_iter()
                        .flatten()
                    {
                        throttle::clear(tx, key)?;
                    }
                    users::update(tx, id, &before, &Stored::of(&before), Some(&hash), true)?;
                    Ok(())
                })
            })
            .await
    }

    /// Whether a link still opens the form (the reset page).
    pub async fn reset_link_valid(&self, token: String) -> Result<bool, AppError> {
        if token.is_empty() || token.len() > 100 {
            return Ok(false);
        }
        self.db
            .run(move |conn| password_tokens::is_valid(conn, &token))
            .await
    }

    /// HR obtains a one-time set-up code for a person (shown once; valid a week), which the
    /// person types with a new password on the set-up page (`POST /api/v1/auth/reset` with
    /// the code as its token). For anyone who has never set a password; for someone who has,
    /// only when they have no email (their one way back in, as a helpdesk resets it) and are
    /// not HR: an account with an email resets by mail, and an HR account cannot be taken
    /// over by another. Every earlier link and code stops working; audited without the code.
    /// Answers the person with their code (the slip names them).
    pub async fn setup_code(
        &self,
        caller: &Caller,
        id: i32,
    ) -> Result<(users::User, SetupCode), AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        self.write(caller, move |tx, me| issue_setup_code(tx, me, id))
            .await
    }

    /// Set-up codes for everyone who is waiting for one (active, without email, never set a
    /// password, no code handed out yet that still works), for HR to print and hand out, in
    /// one transaction. Someone whose slip was lost gets a new code on their own page.
    pub async fn setup_codes_for_all_waiting(
        &self,
        caller: &Caller,
    ) -> Result<Vec<(users::User, SetupCode)>, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        self.write(caller, move |tx, me| {
            let mut codes = Vec::new();
            for person in users::waiting_for_a_code(tx)? {
                if password_tokens::has_live_setup(tx, person.id)? {
                    continue;
                }
                codes.push(issue_setup_code(tx, me, person.id)?);
            }
            Ok(codes)
        })
        .await
    }

    /// HR sends a person a link to choose a new password (the person's page).
    pub async fn send_reset_link(&self, caller: &Caller, id: i32) -> Result<(), AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        self.write(caller, move |tx, _| {
            let person = users::get(tx, id)?;
            if !person.active {
                return Err(AppError::Conflict(Problem::NotActiveEmployee));
            }
            if person.email.is_none() {
                return Err(AppError::Conflict(Problem::NoEmail));
            }
            let sent = if users::password_hash(tx, id)? == password::NO_PASSWORD {
                send_setup_link(tx, id)?
            } else {
                send_reset_link(tx, id, 60)?
            };
            let _ = sent;
            Ok(())
        })
        .await
    }
}

/// [`App::setup_code`] in the caller's transaction.
fn issue_setup_code(
    tx: &mut DbConn,
    me: &users::User,
    id: i32,
) -> Result<(users::User, SetupCode), AppError> {
    let person = users::get(tx, id)?;
    if !person.active {
        return Err(AppError::Conflict(Problem::NotActiveEmployee));
    }
    let has_password = users::password_hash(tx, id)? != password::NO_PASSWORD;
    if has_password && (person.email.is_some() || person.role == crate::domain::user::Role::Hr) {
        return Err(AppError::Conflict(Problem::HasEmailAndPassword));
    }
    let (code, expires) = password_tokens::issue_code(tx, id)?;
    crate::store::audit::record(
        tx,
        crate::store::audit::Change::<(), _> {
            actor: Some(me.id),
            action: Action::SetupCode,
            entity: crate::store::audit::Entity::User,
            entity_id: id,
            before: None,
            after: Some(&serde_json::json!({
                "expires_at": expires.and_utc().to_rfc3339()
            })),
        },
    )?;
    let code = SetupCode {
        user_id: id,
        code,
        expires_at: expires.and_utc(),
    };
    Ok((person, code))
}
