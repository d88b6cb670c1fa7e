//! The job queue: every piece of work done later or on a timer (docs/ARCHITECTURE.md,
//! "Jobs"). Business code queues a job inside its own transaction ([`enqueue`]), so a job
//! exists exactly when the change that asked for it committed. Workers [`claim`] due jobs
//! with a lease and record the outcome only while they still hold it ([`hold`] in the same
//! transaction as the work, or [`finish`] / [`retry`] / [`fail`] / [`reschedule`]). A done
//! job is deleted; a periodic job is one row whose run moves forward.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text, Timestamp};
use serde::{de::DeserializeOwned, Serialize};

use super::now;
use crate::db::schema::jobs;
use crate::db::{write_tx, DbConn};
use crate::domain::delivery::Failure;
use crate::error::AppError;

/// What a job does. Stored by its snake_case name; a worker claims only the kinds it knows,
/// so a row of a newer kind waits for a worker of a newer build (a rolling upgrade).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr, strum::VariantNames,
)]
#[strum(serialize_all = "snake_case")]
pub enum Kind {
    /// Deliver one notice (payload [`NoticeJob`]).
    Notice,
    /// Turn a batch of notices into notices, a slice at a time (payload [`BatchJob`]).
    NoticeBatch,
    /// Answer one "forgot password" request (payload [`ResetJob`]).
    ResetRequest,
    /// Periodic: queue the review reminders that have come due.
    ReviewReminders,
    /// Periodic: the complaints' escalation check (reminders, escalations) of those due.
    ComplaintCheck,
    /// Post one message to a department's group robot (payload [`RobotJob`]).
    RobotPost,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The kinds this build does (the only ones it claims).
    const KNOWN: &'static [&'static str] = <Kind as strum::VariantNames>::VARIANTS;
}

#[derive(Debug, Serialize, serde::Deserialize)]
pub struct NoticeJob {
    pub notice_id: i64,
}

#[derive(Debug, Serialize, serde::Deserialize)]
pub struct BatchJob {
    pub batch_id: i64,
}

#[derive(Debug, Serialize, serde::Deserialize)]
pub struct RobotJob {
    pub post_id: i64,
}

#[derive(Debug, Serialize, serde::Deserialize)]
pub struct ResetJob {
    pub request_id: i64,
}

const PENDING: &str = "pending";
const FAILED: &str = "failed";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub dedupe_key: String,
    pub payload_json: String,
    pub run_at: NaiveDateTime,
    pub attempts: i32,
}

impl Job {
    pub fn kind(&self) -> Option<Kind> {
        self.kind.parse().ok()
    }

    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, AppError> {
        serde_json::from_str(&self.payload_json).map_err(AppError::internal)
    }
}

/// One job to queue. `key` makes queueing idempotent: a second job with a key still queued
/// is not added.
pub struct NewJob {
    pub kind: Kind,
    pub key: String,
    pub payload: String,
    pub run_at: NaiveDateTime,
}

impl NewJob {
    /// A job due now.
    pub fn now(kind: Kind, key: String, payload: &impl Serialize) -> NewJob {
        NewJob {
            kind,
            key,
            payload: serde_json::to_string(payload).unwrap_or_else(|_| "{}".into()),
            run_at: now(),
        }
    }
}

const CHUNK: usize = 500;

/// Queues jobs (in the caller's transaction); one whose key is already queued is skipped.
/// Returns how many were added.
pub fn enqueue(conn: &mut DbConn, new: &[NewJob]) -> Result<usize, AppError> {
    let at = now();
    let mut added = 0;
    for chunk in new.chunks(CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|job| {
                (
                    jobs::kind.eq(job.kind.as_str()),
                    jobs::dedupe_key.eq(job.key.as_str()),
                    jobs::payload_json.eq(job.payload.as_str()),
                    jobs::status.eq(PENDING),
                    jobs::run_at.eq(job.run_at),
                    jobs::attempts.eq(0),
                    jobs::created_at.eq(at),
                )
            })
            .collect();
        let insert = diesel::insert_into(jobs::table)
            .values(&rows)
            .on_conflict(jobs::dedupe_key)
            .do_nothing();
        // Multi-row upserts do not go through the multi connection; use the variant.
        added += match conn {
            DbConn::Pg(c) => insert.execute(c)?,
            DbConn::Sqlite(c) => insert.execute(c)?,
        };
    }
    Ok(added)
}

/// Makes sure a periodic job's row is there and waiting: added if missing, and put back in
/// the queue if an older build gave up on it.
pub fn ensure_periodic(conn: &mut DbConn, kind: Kind) -> Result<(), AppError> {
    let key = kind.as_str();
    enqueue(
        conn,
        &[NewJob {
            kind,
            key: key.to_owned(),
            payload: "{}".into(),
            run_at: now(),
        }],
    )?;
    diesel::update(jobs::table.filter(jobs::dedupe_key.eq(key)))
        .filter(jobs::status.eq(FAILED))
        .set((
            jobs::status.eq(PENDING),
            jobs::attempts.eq(0),
            jobs::run_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Puts a job back in the queue with a fresh set of attempts, whatever became of the one of
/// the same key (HR sending a failed notice again).
pub fn replace(conn: &mut DbConn, job: NewJob) -> Result<(), AppError> {
    diesel::delete(jobs::table.filter(jobs::dedupe_key.eq(&job.key))).execute(conn)?;
    enqueue(conn, &[job])?;
    Ok(())
}

#[derive(QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Claims up to `limit` due jobs for `owner` until `at + lease`, oldest due first.
///
/// PostgreSQL: one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`, so concurrent
/// workers take disjoint sets without waiting on each other. SQLite has one writer at a
/// time: each row is taken by a conditional update inside a write transaction.
pub fn claim(
    conn: &mut DbConn,
    owner: &str,
    at: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> Result<Vec<Job>, AppError> {
    let until = at + lease;
    let free = || jobs::lease_until.is_null().or(jobs::lease_until.lt(at));
    let ids: Vec<i64> = match conn {
        DbConn::Pg(pg) => diesel::sql_query(
            "UPDATE jobs SET lease_until = $1, lease_owner = $2 WHERE id IN ( \
               SELECT id FROM jobs WHERE status = 'pending' AND run_at <= $3 \
               AND (lease_until IS NULL OR lease_until < $3) AND kind = ANY($5) \
               ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING id",
        )
        .bind::<Timestamp, _>(until)
        .bind::<Text, _>(owner)
        .bind::<Timestamp, _>(at)
        .bind::<BigInt, _>(limit)
        .bind::<Array<Text>, _>(Kind::KNOWN)
        .load::<ClaimedId>(pg)?
        .into_iter()
        .map(|row| row.id)
        .collect(),
        DbConn::Sqlite(_) => write_tx(conn, |conn| {
            let due: Vec<i64> = jobs::table
                .filter(jobs::status.eq(PENDING))
                .filter(jobs::run_at.le(at))
                .filter(free())
                .filter(jobs::kind.eq_any(Kind::KNOWN))
                .order((jobs::run_at, jobs::id))
                .limit(limit)
                .select(jobs::id)
                .load(conn)?;
            diesel::update(jobs::table.filter(jobs::id.eq_any(&due)))
                .set((jobs::lease_until.eq(until), jobs::lease_owner.eq(owner)))
                .execute(conn)?;
            Ok::<_, AppError>(due)
        })?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(jobs::table
        .filter(jobs::id.eq_any(&ids))
        .filter(jobs::lease_owner.eq(owner))
        .select(Job::as_select())
        .order((jobs::run_at, jobs::id))
        .load(conn)?)
}

/// Whether `owner` still holds job `id`, locking its row on PostgreSQL until the caller's
/// transaction ends: work done in that transaction is recorded by exactly one worker.
pub fn hold(conn: &mut DbConn, id: i64, owner: &str) -> Result<bool, AppError> {
    let found = match conn {
        DbConn::Pg(pg) => jobs::table
            .filter(jobs::id.eq(id))
            .filter(jobs::status.eq(PENDING))
            .filter(jobs::lease_owner.eq(owner))
            .select(jobs::id)
            .for_update()
            .first::<i64>(pg)
            .optional()?,
        DbConn::Sqlite(lite) => jobs::table
            .filter(jobs::id.eq(id))
            .filter(jobs::status.eq(PENDING))
            .filter(jobs::lease_owner.eq(owner))
            .select(jobs::id)
            .first::<i64>(lite)
            .optional()?,
    };
    Ok(found.is_some())
}

/// The update of a job `owner` holds, giving the lease back; the macro keeps each caller's
/// columns typed without spelling diesel's types out.
macro_rules! update_held {
    ($conn:expr, $id:expr, $owner:expr, $($set:expr),+ $(,)?) => {{
        let updated = diesel::update(
            jobs::table
                .filter(jobs::id.eq($id))
                .filter(jobs::status.eq(PENDING))
                .filter(jobs::lease_owner.eq($owner)),
        )
        .set((
            $($set,)+
            jobs::lease_until.eq(None::<NaiveDateTime>),
            jobs::lease_owner.eq(None::<String>),
        ))
        .execute($conn)?;
        Ok(updated == 1)
    }};
}

/// Done: the job is removed. False when `owner` no longer holds it.
pub fn finish(conn: &mut DbConn, id: i64, owner: &str) -> Result<bool, AppError> {
    let deleted = diesel::delete(
        jobs::table
            .filter(jobs::id.eq(id))
            .filter(jobs::status.eq(PENDING))
            .filter(jobs::lease_owner.eq(owner)),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}

/// Runs again at `at` (a periodic job's next run, or the rest of a batch now), its lease
/// given back and its attempts cleared.
pub fn reschedule(
    conn: &mut DbConn,
    id: i64,
    owner: &str,
    at: NaiveDateTime,
) -> Result<bool, AppError> {
    update_held!(
        conn,
        id,
        owner,
        jobs::run_at.eq(at),
        jobs::attempts.eq(0),
        jobs::last_failure.eq(None::<String>),
    )
}

/// A failed attempt to be tried again at `at`.
pub fn retry(
    conn: &mut DbConn,
    id: i64,
    owner: &str,
    failure: Failure,
    at: NaiveDateTime,
) -> Result<bool, AppError> {
    update_held!(
        conn,
        id,
        owner,
        jobs::run_at.eq(at),
        jobs::attempts.eq(jobs::attempts + 1),
        jobs::last_failure.eq(Some(failure.as_str())),
    )
}

/// Given up on: kept as `failed` with its failure's code, never claimed again.
pub fn fail(conn: &mut DbConn, id: i64, owner: &str, failure: Failure) -> Result<bool, AppError> {
    update_held!(
        conn,
        id,
        owner,
        jobs::status.eq(FAILED),
        jobs::attempts.eq(jobs::attempts + 1),
        jobs::last_failure.eq(Some(failure.as_str())),
    )
}

/// Gives back every lease `owner` holds (a worker stopping with jobs still in hand).
pub fn release(conn: &mut DbConn, owner: &str) -> Result<usize, AppError> {
    Ok(diesel::update(jobs::table)
        .filter(jobs::lease_owner.eq(owner))
        .filter(jobs::status.eq(PENDING))
        .set((
            jobs::lease_until.eq(None::<NaiveDateTime>),
            jobs::lease_owner.eq(None::<String>),
        ))
        .execute(conn)?)
}

/// How many jobs wait (due or not), how many of them a worker holds, and how many failed
/// for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub pending: i64,
    pub leased: i64,
    pub failed: i64,
}

pub fn counts(conn: &mut DbConn) -> Result<Counts, AppError> {
    let of_status = |conn: &mut DbConn, status: &str| -> Result<i64, AppError> {
        Ok(jobs::table
            .filter(jobs::status.eq(status))
            .count()
            .get_result(conn)?)
    };
    let leased = jobs::table
        .filter(jobs::status.eq(PENDING))
        .filter(jobs::lease_owner.is_not_null())
        .count()
        .get_result(conn)?;
    Ok(Counts {
        pending: of_status(conn, PENDING)?,
        leased,
        failed: of_status(conn, FAILED)?,
    })
}
