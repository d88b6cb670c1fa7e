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

/// Counts a failure; returns the new lock length in seconds when this failure locks.
pub fn record_failure(
    conn: &mut DbConn,
    email: &str,
    policy: LockoutPolicy,
) -> Result<Option<u32>, AppError> {
    write_tx(conn, |conn| {
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
        let failures: i32 = diesel::update(login_throttle::table.find(email))
            .set((
                login_throttle::failed_count.eq(login_throttle::failed_count + 1),
                login_throttle::last_failed_at.eq(at),
            ))
            .returning(login_throttle::failed_count)
            .get_result(conn)?;
        let lock = policy.lock_seconds(failures.max(0) as u32);
        if let Some(seconds) = lock {
            diesel::update(login_throttle::table.find(email))
                .set(login_throttle::locked_until.eq(at + Duration::seconds(i64::from(seconds))))
                .execute(conn)?;
        }
        Ok(lock)
    })
}

/// A successful login forgets earlier failures.
pub fn clear(conn: &mut DbConn, email: &str) -> Result<(), AppError> {
    diesel::delete(login_throttle::table.find(email)).execute(conn)?;
    Ok(())
}
