//! "Forgot password" requests waiting for the delivery worker: the email as typed
//! (normalised) and when it was asked for. A request writes the same rows whatever the
//! email (the request and its job); the job looks the account up and deletes the request.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::jobs::{self, NewJob, ResetJob};
use super::now;
use crate::db::schema::reset_requests;
use crate::db::DbConn;
use crate::error::AppError;

/// Records one request and queues its job (in the caller's transaction).
pub fn record(conn: &mut DbConn, email: &str) -> Result<(), AppError> {
    let request_id: i64 = diesel::insert_into(reset_requests::table)
        .values((
            reset_requests::email.eq(email),
            reset_requests::requested_at.eq(now()),
        ))
        .returning(reset_requests::id)
        .get_result(conn)?;
    jobs::enqueue(
        conn,
        &[NewJob::now(
            jobs::Kind::ResetRequest,
            format!("reset_request:{request_id}"),
            &ResetJob { request_id },
        )],
    )?;
    Ok(())
}

/// Takes (and deletes) request `id`, in the caller's transaction (its job's): the email
/// and when it was asked for, or None when it is gone.
pub fn take(conn: &mut DbConn, id: i64) -> Result<Option<(String, NaiveDateTime)>, AppError> {
    let request = reset_requests::table
        .find(id)
        .select((reset_requests::email, reset_requests::requested_at))
        .first(conn)
        .optional()?;
    diesel::delete(reset_requests::table.find(id)).execute(conn)?;
    Ok(request)
}
