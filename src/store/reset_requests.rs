//! "Forgot password" requests waiting for the delivery worker: the email as typed
//! (normalised) and when it was asked for. A request writes one row whatever the email;
//! the worker looks the account up and deletes the row.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::now;
use crate::db::schema::reset_requests;
use crate::db::DbConn;
use crate::error::AppError;

/// Records one request (in the caller's transaction).
pub fn record(conn: &mut DbConn, email: &str) -> Result<(), AppError> {
    diesel::insert_into(reset_requests::table)
        .values((
            reset_requests::email.eq(email),
            reset_requests::requested_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Takes (and deletes) up to `limit` of the oldest requests, in the caller's write
/// transaction: concurrent workers take different ones on PostgreSQL, and take turns on
/// SQLite.
pub fn take(conn: &mut DbConn, limit: i64) -> Result<Vec<(String, NaiveDateTime)>, AppError> {
    let oldest = reset_requests::table
        .select((
            reset_requests::id,
            reset_requests::email,
            reset_requests::requested_at,
        ))
        .order(reset_requests::id)
        .limit(limit);
    let taken: Vec<(i64, String, NaiveDateTime)> = match conn {
        DbConn::Pg(pg) => oldest.for_update().skip_locked().load(pg)?,
        DbConn::Sqlite(lite) => oldest.load(lite)?,
    };
    let ids: Vec<i64> = taken.iter().map(|(id, _, _)| *id).collect();
    if !ids.is_empty() {
        diesel::delete(reset_requests::table.filter(reset_requests::id.eq_any(&ids)))
            .execute(conn)?;
    }
    Ok(taken.into_iter().map(|(_, e, at)| (e, at)).collect())
}
