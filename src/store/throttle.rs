//! Failed-login counters per normalised email (see the migration for why not per user row).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::now;
use crate::db::schema::login_throttle;
use crate::db::{write_tx, DbConn};
use crate::domain::lockout::LockoutPolicy;
use crate::error::AppError;

/// Seconds left on the lock of `email`, if it is locked now.
pub fn locked_for(conn: &mut DbConn, email: &str) -> Result<Option<u64>, AppError> {
    let until: Option<Option<NaiveDateTime>> = login_throttle::table
        .find(email)
        .select(login_throttle::locked_until)
        .first(conn)
        .optional()?;
    let current = now();
    Ok(until
        .flatten()
        .filter(|until| *until > current)
        .map(|until| (until - current).num_seconds().max(1) as u64))
}

/// Counts a sign-in attempt before its password is checked: refused (429) while `email` is
/// locked; otherwise counted, and the attempt that reaches the limit locks at once. So
/// attempts made at the same moment cannot all be checked before the lock: at most
/// `max_failures` are checked, however many arrive together. A success [`clear`]s the
/// count; a failure leaves it counted.
pub fn begin_attempt(
    conn: &mut DbConn,
    email: &str,
    policy: LockoutPolicy,
) -> Result<(), AppError> {
    write_tx(conn, |conn| {
        if let Some(retry_after_seconds) = locked_for(conn, email)? {
            return Err(AppError::TooManyRequests {
                retry_after_seconds,
            });
        }
        let at = now();
        // The typed upsert does not go through the multi connection; run it on the variant.
        let seed = diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::email.eq(email),
                login_throttle::failed_count.eq(0),
                login_throttle::last_failed_at.eq(at),
            ))
            .on_conflict(login_throttle::email)
            .do_nothing();
        match conn {
            DbConn::Pg(c) => seed.execute(c)?,
            DbConn::Sqlite(c) => seed.execute(c)?,
        };
        let attempts: i32 = diesel::update(login_throttle::table.find(email))
            .set((
                login_throttle::failed_count.eq(login_throttle::failed_count + 1),
                login_throttle::last_failed_at.eq(at),
            ))
            .returning(login_throttle::failed_count)
            .get_result(conn)?;
        if let Some(seconds) = policy.lock_seconds(attempts.max(0) as u32) {
            tracing::warn!(
                lock_seconds = seconds,
                "sign-in locked after failed attempts"
            );
            diesel::update(login_throttle::table.find(email))
                .set(login_throttle::locked_until.eq(at + Duration::seconds(i64::from(seconds))))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// A successful login forgets earlier failures.
pub fn clear(conn: &mut DbConn, email: &str) -> Result<(), AppError> {
    diesel::delete(login_throttle::table.find(email)).execute(conn)?;
    Ok(())
}
