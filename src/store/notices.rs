//! The outbox. Business code calls [`enqueue`] inside its own transaction, so a notice exists
//! exactly when the change that caused it committed. Delivery workers [`claim`] due notices
//! with a lease, and record the outcome only while they still own it.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use serde::Serialize;

use super::audit::{self, Change, Entity};
use super::{now, Page, Paged};
use crate::db::schema::notices;
use crate::db::{write_tx, DbConn};
use crate::domain::problem::Problem;
use crate::error::AppError;

/// What a notice is about (`as_str` and the serialised name agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    AppraisalPublished,
    InspectionRecorded,
    AppealFiled,
    AppealDecided,
    ReviewReminder,
    CollaborationRequest,
    /// A link to set a first password (an account made without one).
    PasswordSetup,
    /// A link to choose a new password (forgotten, or sent by HR).
    PasswordReset,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::AppraisalPublished => "appraisal_published",
            Kind::InspectionRecorded => "inspection_recorded",
            Kind::AppealFiled => "appeal_filed",
            Kind::AppealDecided => "appeal_decided",
            Kind::ReviewReminder => "review_reminder",
            Kind::CollaborationRequest => "collaboration_request",
            Kind::PasswordSetup => "password_setup",
            Kind::PasswordReset => "password_reset",
        }
    }

    pub const ALL: [Kind; 8] = [
        Kind::AppraisalPublished,
        Kind::InspectionRecorded,
        Kind::AppealFiled,
        Kind::AppealDecided,
        Kind::ReviewReminder,
        Kind::CollaborationRequest,
        Kind::PasswordSetup,
        Kind::PasswordReset,
    ];

    /// The kinds as written.
    pub const NAMES: &'static [&'static str] = &[
        "appraisal_published",
        "inspection_recorded",
        "appeal_filed",
        "appeal_decided",
        "review_reminder",
        "collaboration_request",
        "password_setup",
        "password_reset",
    ];

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// The payload of a review reminder: who lacked inspections when it was queued.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct ReminderPayload {
    pub cycle_id: i32,
    pub minimum: i32,
    pub reports: Vec<ReminderReport>,
}

#[derive(Debug, Serialize, serde::Deserialize)]
pub struct ReminderReport {
    pub id: i32,
    pub inspections: i64,
}

/// One notice to queue: what happened (payload: ids the template will load), for whom.
pub struct NewNotice {
    pub kind: Kind,
    pub recipient_id: i32,
    /// Unique per event and recipient, e.g. `appraisal_published:42:v1`.
    pub dedupe_key: String,
    pub payload: serde_json::Value,
}

const CHUNK: usize = 500;

/// A notice's row as [`enqueue_new`] writes it.
#[derive(Insertable)]
#[diesel(table_name = notices, treat_none_as_default_value = false)]
struct Queued<'a> {
    kind: &'static str,
    recipient_id: i32,
    dedupe_key: &'a str,
    payload_json: String,
    status: &'static str,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    created_at: NaiveDateTime,
}

/// Queues notices that cannot have been queued before (their dedupe keys name people just
/// created: the set-password links of a people import), written the bulk way
/// (`db::insert_bulk`: COPY on PostgreSQL) rather than one upsert per chunk. Returns how
/// many were queued.
pub fn enqueue_new(conn: &mut DbConn, batch: &[NewNotice]) -> Result<usize, AppError> {
    let at = now();
    let rows: Vec<Queued> = batch
        .iter()
        .map(|n| Queued {
            kind: n.kind.as_str(),
            recipient_id: n.recipient_id,
            dedupe_key: &n.dedupe_key,
            payload_json: n.payload.to_string(),
            status: PENDING,
            attempts: 0,
            next_attempt_at: at,
            created_at: at,
        })
        .collect();
    crate::db::insert_bulk!(&mut *conn, notices::table, &rows[..])?;
    Ok(rows.len())
}

/// Queues notices; one whose dedupe key is already queued is skipped. Returns how many were
/// newly queued.
pub fn enqueue(conn: &mut DbConn, batch: Vec<NewNotice>) -> Result<usize, AppError> {
    let at = now();
    let mut queued = 0;
    for chunk in batch.chunks(CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|n| {
                (
                    notices::kind.eq(n.kind.as_str()),
                    notices::recipient_id.eq(n.recipient_id),
                    notices::dedupe_key.eq(n.dedupe_key.clone()),
                    notices::payload_json.eq(n.payload.to_string()),
                    notices::status.eq(PENDING),
                    notices::attempts.eq(0),
                    notices::next_attempt_at.eq(at),
                    notices::created_at.eq(at),
                )
            })
            .collect();
        // Multi-row upserts do not go through the multi connection; use the variant.
        let insert = diesel::insert_into(notices::table)
            .values(&rows)
            .on_conflict(notices::dedupe_key)
            .do_nothing();
        queued += match conn {
            DbConn::Pg(c) => insert.execute(c)?,
            DbConn::Sqlite(c) => insert.execute(c)?,
        };
    }
    Ok(queued)
}

/// Where a notice is in its delivery: queued (and being tried), sent, or given up on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NoticeStatus {
    Pending,
    Sent,
    Failed,
}

impl NoticeStatus {
    pub const VALUES: &'static [&'static str] = &["pending", "sent", "failed"];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeStatus::Pending => "pending",
            NoticeStatus::Sent => "sent",
            NoticeStatus::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Result<NoticeStatus, Problem> {
        match value {
            "pending" => Ok(NoticeStatus::Pending),
            "sent" => Ok(NoticeStatus::Sent),
            "failed" => Ok(NoticeStatus::Failed),
            _ => Err(Problem::OneOf {
                options: Self::VALUES,
            }),
        }
    }
}

impl TryFrom<String> for NoticeStatus {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        NoticeStatus::parse(&value).map_err(|_| format!("unknown notice status {value:?}"))
    }
}

const PENDING: &str = "pending";
const SENT: &str = "sent";
const FAILED: &str = "failed";

#[derive(Debug, Clone, Queryable, Serialize, utoipa::ToSchema)]
pub struct Notice {
    pub id: i64,
    pub kind: String,
    pub recipient_id: i32,
    pub dedupe_key: String,
    #[serde(skip)]
    pub payload_json: String,
    /// An unknown stored status is an error when the row is read, never a default.
    #[diesel(deserialize_as = String)]
    pub status: NoticeStatus,
    pub attempts: i32,
    #[serde(serialize_with = "super::as_utc")]
    pub next_attempt_at: NaiveDateTime,
    #[serde(skip)]
    pub lease_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    #[serde(serialize_with = "super::as_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::as_utc_opt")]
    pub sent_at: Option<NaiveDateTime>,
    #[serde(skip)]
    pub lease_owner: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct NoticeFilter {
    pub status: Option<NoticeStatus>,
    pub kind: Option<String>,
    /// The outbox page reads newest first; the API oldest first (its documented order).
    pub newest_first: bool,
}

pub fn list(
    conn: &mut DbConn,
    filter: &NoticeFilter,
    page: Page,
) -> Result<Paged<Notice>, AppError> {
    let query = || {
        let mut query = notices::table.into_boxed();
        if let Some(status) = filter.status {
            query = query.filter(notices::status.eq(status.as_str()));
        }
        if let Some(kind) = &filter.kind {
            query = query.filter(notices::kind.eq(kind.clone()));
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let ordered = if filter.newest_first {
        query().order(notices::id.desc())
    } else {
        query().order(notices::id.asc())
    };
    let items = ordered
        .select(notices::all_columns)
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    Ok(Paged { items, total })
}

pub fn get(conn: &mut DbConn, id: i64) -> Result<Notice, AppError> {
    notices::table
        .find(id)
        .select(notices::all_columns)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// Due: pending, its next attempt reached, and nobody holding a live lease on it.
fn due_ids(conn: &mut DbConn, at: NaiveDateTime, limit: i64) -> Result<Vec<i64>, AppError> {
    Ok(notices::table
        .filter(notices::status.eq(PENDING))
        .filter(notices::next_attempt_at.le(at))
        .filter(
            notices::lease_until
                .is_null()
                .or(notices::lease_until.lt(at)),
        )
        .order((notices::next_attempt_at, notices::id))
        .limit(limit)
        .select(notices::id)
        .load(conn)?)
}

#[derive(QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Claims up to `limit` due notices for `owner` until `at + lease`, and returns them.
///
/// PostgreSQL: one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`, so concurrent
/// workers take disjoint batches without waiting on each other. SQLite has one writer at a
/// time: each row is taken by a conditional update whose row count says whether it was still
/// free, inside a write transaction.
pub fn claim(
    conn: &mut DbConn,
    owner: &str,
    at: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> Result<Vec<Notice>, AppError> {
    let until = at + lease;
    let ids: Vec<i64> = match conn {
        DbConn::Pg(pg) => diesel::sql_query(
            "UPDATE notices SET lease_until = $1, lease_owner = $2 WHERE id IN ( \
               SELECT id FROM notices WHERE status = 'pending' AND next_attempt_at <= $3 \
               AND (lease_until IS NULL OR lease_until < $3) \
               ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING id",
        )
        .bind::<Timestamp, _>(until)
        .bind::<Text, _>(owner)
        .bind::<Timestamp, _>(at)
        .bind::<BigInt, _>(limit)
        .load::<ClaimedId>(pg)?
        .into_iter()
        .map(|row| row.id)
        .collect(),
        DbConn::Sqlite(_) => write_tx(conn, |conn| {
            let mut taken = Vec::new();
            for id in due_ids(conn, at, limit)? {
                let updated = diesel::update(notices::table.find(id))
                    .filter(notices::status.eq(PENDING))
                    .filter(
                        notices::lease_until
                            .is_null()
                            .or(notices::lease_until.lt(at)),
                    )
                    .set((
                        notices::lease_until.eq(until),
                        notices::lease_owner.eq(owner),
                    ))
                    .execute(conn)?;
                if updated == 1 {
                    taken.push(id);
                }
            }
            Ok::<_, AppError>(taken)
        })?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(notices::table
        .filter(notices::id.eq_any(&ids))
        .filter(notices::lease_owner.eq(owner))
        .select(notices::all_columns)
        .order((notices::next_attempt_at, notices::id))
        .load(conn)?)
}

/// Records a delivery. False when `owner` no longer holds the lease (it ran out and another
/// worker took the notice): the caller's lease was too short for its send.
pub fn mark_sent(conn: &mut DbConn, id: i64, owner: &str) -> Result<bool, AppError> {
    let at = now();
    let updated = diesel::update(notices::table.find(id))
        .filter(notices::status.eq(PENDING))
        .filter(notices::lease_owner.eq(owner))
        .set((
            notices::status.eq(SENT),
            notices::sent_at.eq(Some(at)),
            notices::attempts.eq(notices::attempts + 1),
            notices::lease_until.eq(None::<NaiveDateTime>),
            notices::lease_owner.eq(None::<String>),
            notices::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Records a failed attempt: retried at `retry_at`, or `failed` for good when it is None.
pub fn mark_attempt_failed(
    conn: &mut DbConn,
    id: i64,
    owner: &str,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> Result<bool, AppError> {
    let status = if retry_at.is_some() { PENDING } else { FAILED };
    let updated = diesel::update(notices::table.find(id))
        .filter(notices::status.eq(PENDING))
        .filter(notices::lease_owner.eq(owner))
        .set((
            notices::status.eq(status),
            notices::attempts.eq(notices::attempts + 1),
            notices::next_attempt_at.eq(retry_at.unwrap_or_else(now)),
            notices::lease_until.eq(None::<NaiveDateTime>),
            notices::lease_owner.eq(None::<String>),
            notices::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Gives back every lease `owner` holds (a worker stopping with notices still unsent).
pub fn release(conn: &mut DbConn, owner: &str) -> Result<usize, AppError> {
    Ok(diesel::update(notices::table)
        .filter(notices::lease_owner.eq(owner))
        .filter(notices::status.eq(PENDING))
        .set((
            notices::lease_until.eq(None::<NaiveDateTime>),
            notices::lease_owner.eq(None::<String>),
        ))
        .execute(conn)?)
}

/// HR queues a failed notice again, with a fresh set of attempts. Only failed notices: a
/// pending one is already queued, and a sent one is never mailed twice.
pub fn requeue(conn: &mut DbConn, actor: i32, id: i64) -> Result<Notice, AppError> {
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        match before.status {
            NoticeStatus::Failed => {}
            NoticeStatus::Sent => return Err(AppError::Conflict(Problem::NoticeSent)),
            NoticeStatus::Pending => return Err(AppError::Conflict(Problem::NoticeQueued)),
        }
        let after: Notice = diesel::update(notices::table.find(id))
            .filter(notices::status.eq(FAILED))
            .set((
                notices::status.eq(PENDING),
                notices::attempts.eq(0),
                notices::next_attempt_at.eq(now()),
            ))
            .returning(notices::all_columns)
            .get_result(conn)?;
        audit::record(
            conn,
            Change {
                actor: Some(actor),
                action: "retry",
                entity: Entity::Notice,
                entity_id: i32::try_from(id).map_err(AppError::internal)?,
                before: Some(&before),
                after: Some(&after),
            },
        )?;
        Ok(after)
    })
}

#[cfg(test)]
mod tests {
    use super::Kind;

    /// The OpenAPI document lists kinds by their serialised names; the store and the
    /// filter use `as_str`.
    #[test]
    fn documented_kind_names_are_the_stored_ones() {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names, Kind::NAMES);
        for kind in Kind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
    }
}
