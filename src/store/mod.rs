//! Queries, one file per aggregate, as functions over `&mut DbConn`. Every function that
//! writes does so in one transaction together with its audit event.

pub mod appeals;
pub mod appraisals;
pub mod audit;
pub mod checklists;
pub mod collaboration;
pub mod complaints;
pub mod cycles;
pub mod departments;
pub mod evidence;
pub mod inspections;
pub mod jobs;
pub mod notices;
pub mod password_tokens;
pub mod reset_requests;
pub mod robots;
pub mod scope;
pub mod sla;
pub mod throttle;
pub mod users;

use chrono::{NaiveDateTime, SubsecRound};

/// Values per `IN (…)` list, well under both backends' limits on bound parameters.
pub const LOOKUP_CHUNK: usize = 1000;

/// `load` run on each [`LOOKUP_CHUNK`] of `ids` (one `IN (…)` list each), the rows joined.
pub fn chunked<T>(
    ids: &[i32],
    mut load: impl FnMut(&[i32]) -> Result<Vec<T>, crate::error::AppError>,
) -> Result<Vec<T>, crate::error::AppError> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        found.extend(load(chunk)?);
    }
    Ok(found)
}

/// A validated page request (`limit` 1..=200, `offset` ≥ 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

/// One page of rows plus the number of rows across all pages.
#[derive(Debug)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// The hex SHA-256 of a link's secret (a password link, a complaint's status link): what the
/// tables keep instead of the secret.
pub(crate) fn secret_digest(token: &str) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(token.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// The current time as stored: UTC, microsecond precision on both backends.
pub fn now() -> NaiveDateTime {
    crate::domain::clock::now().naive_utc().trunc_subsecs(6)
}

/// Serialises a stored (UTC) timestamp as RFC 3339 with its zone, like the API views.
pub fn as_utc<S: serde::Serializer>(at: &NaiveDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&at.and_utc(), serializer)
}

/// [`as_utc`] for an optional timestamp.
pub fn as_utc_opt<S: serde::Serializer>(
    at: &Option<NaiveDateTime>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&at.map(|at| at.and_utc()), serializer)
}

/// A cycle's period: the dates of the evidence it counts (in every series). Here, not in
/// `cycles`, because every evidence table reads by it.
pub fn period_of(
    conn: &mut crate::db::DbConn,
    id: i32,
) -> Result<crate::domain::cycle::Period, crate::error::AppError> {
    use crate::db::schema::cycles;
    use diesel::prelude::*;
    let (start, end) = cycles::table
        .find(id)
        .select((cycles::period_start, cycles::period_end))
        .first::<(chrono::NaiveDate, chrono::NaiveDate)>(conn)?;
    Ok(crate::domain::cycle::Period { start, end })
}
