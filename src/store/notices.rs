//! The outbox. Business code calls [`enqueue`] inside its own transaction, so a notice exists
//! exactly when the change that caused it committed, and with it the job that delivers it
//! (`store::jobs`, kind `notice`). The notice row is the delivery's record, which HR's
//! outbox reads; the job is its place in the queue (run at, lease).

use crate::domain::audit::Action;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::audit::{self, Change, Entity};
use super::jobs::{self, BatchJob, NewJob, NoticeJob};
use super::{now, Page, Paged};
use crate::db::schema::{notice_batches, notices};
use crate::db::{write_tx, DbConn};
use crate::domain::problem::Problem;
use crate::error::AppError;

/// What a notice is about (`as_str` and the serialised name agree).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Serialize,
    utoipa::ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Kind {
    AppraisalPublished,
    InspectionRecorded,
    AppealFiled,
    AppealDecided,
    ReviewReminder,
    /// Appraisals a reviewer had reviewed whose numbers a recompute changed.
    ReviewAgain,
    CollaborationRequest,
    /// A link to set a first password (an account made without one).
    PasswordSetup,
    /// A link to choose a new password (forgotten, or sent by HR).
    PasswordReset,
    /// A complaint's holder: most of a time limit is used.
    ComplaintReminder,
    /// A complaint's holder let a time limit pass (level 1: their supervisor; 2: HR).
    ComplaintEscalated,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub const ALL: [Kind; 11] = [
        Kind::AppraisalPublished,
        Kind::InspectionRecorded,
        Kind::AppealFiled,
        Kind::AppealDecided,
        Kind::ReviewReminder,
        Kind::ReviewAgain,
        Kind::CollaborationRequest,
        Kind::PasswordSetup,
        Kind::PasswordReset,
        Kind::ComplaintReminder,
        Kind::ComplaintEscalated,
    ];

    /// The kinds as written.
    pub const NAMES: &'static [&'static str] = <Self as strum::VariantNames>::VARIANTS;

    pub fn parse(text: &str) -> Option<Kind> {
        text.parse().ok()
    }
}

/// The payload of a "review again": the appraisals of the recipient's reviews that a
/// recompute undid.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct ReviewAgainPayload {
    pub cycle_id: i32,
    pub appraisals: Vec<i32>,
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

/// Queues one notice of `kind` for each of `recipients` as a single row (a batch), for the
/// delivery worker to turn into notices ([`expand_batch`]) in transactions of its own: a
/// change that concerns many people at once (an import's set-password links) writes one
/// row, and the outbox stays all-or-nothing. `dedupe_prefix` must be unique to the event;
/// each notice's dedupe key is it, a colon and the recipient's id.
pub fn enqueue_batch(
    conn: &mut DbConn,
    kind: Kind,
    recipients: &[i32],
    dedupe_prefix: &str,
    payload: &serde_json::Value,
) -> Result<usize, AppError> {
    if recipients.is_empty() {
        return Ok(0);
    }
    let recipients_json = serde_json::to_string(recipients).map_err(AppError::internal)?;
    let batch_id: i64 = diesel::insert_into(notice_batches::table)
        .values((
            notice_batches::kind.eq(kind.as_str()),
            notice_batches::recipients_json.eq(recipients_json),
            notice_batches::dedupe_prefix.eq(dedupe_prefix),
            notice_batches::payload_json.eq(payload.to_string()),
            notice_batches::created_at.eq(now()),
        ))
        .returning(notice_batches::id)
        .get_result(conn)?;
    jobs::enqueue(conn, &[batch_job(batch_id)])?;
    Ok(recipients.len())
}

fn batch_job(batch_id: i64) -> NewJob {
    NewJob::now(
        jobs::Kind::NoticeBatch,
        format!("notice_batch:{batch_id}"),
        &BatchJob { batch_id },
    )
}

fn notice_job(notice_id: i64) -> NewJob {
    NewJob::now(
        jobs::Kind::Notice,
        format!("notice:{notice_id}"),
        &NoticeJob { notice_id },
    )
}

/// Notices a worker writes from a batch in one transaction, so that a large batch does not
/// hold SQLite's write lock for long.
pub const BATCH_SLICE: usize = 5_000;

/// Turns batch `batch_id`'s first [`BATCH_SLICE`] recipients into notices (already queued
/// ones are skipped), and keeps the rest of the batch for the next call, or removes it. In
/// the caller's transaction (the batch's job). Returns how many notices were queued and
/// whether any recipient is left; a batch already gone queues nothing.
pub fn expand_batch(conn: &mut DbConn, batch_id: i64) -> Result<(usize, bool), AppError> {
    let batch: Option<(String, String, String, String)> = notice_batches::table
        .find(batch_id)
        .select((
            notice_batches::kind,
            notice_batches::recipients_json,
            notice_batches::dedupe_prefix,
            notice_batches::payload_json,
        ))
        .first(conn)
        .optional()?;
    let Some((kind, recipients, prefix, payload)) = batch else {
        return Ok((0, false));
    };
    let recipients: Vec<i32> = serde_json::from_str(&recipients).map_err(AppError::internal)?;
    let payload: serde_json::Value = serde_json::from_str(&payload).map_err(AppError::internal)?;
    let kind = Kind::parse(&kind)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a notice batch of an unknown kind")))?;
    let (now, later) = recipients.split_at(recipients.len().min(BATCH_SLICE));
    let notices: Vec<NewNotice> = now
        .iter()
        .map(|&recipient_id| NewNotice {
            kind,
            recipient_id,
            dedupe_key: format!("{prefix}:{recipient_id}"),
            payload: payload.clone(),
        })
        .collect();
    let queued = enqueue(conn, notices)?;
    let this = notice_batches::table.find(batch_id);
    if later.is_empty() {
        diesel::delete(this).execute(conn)?;
    } else {
        let rest = serde_json::to_string(later).map_err(AppError::internal)?;
        diesel::update(this)
            .set(notice_batches::recipients_json.eq(rest))
            .execute(conn)?;
    }
    Ok((queued, !later.is_empty()))
}

/// Queues notices, each with the job that delivers it; one whose dedupe key is already
/// queued is skipped. Returns how many were newly queued.
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
            .do_nothing()
            .returning(notices::id);
        let added: Vec<i64> = match conn {
            DbConn::Pg(c) => insert.get_results(c)?,
            DbConn::Sqlite(c) => insert.get_results(c)?,
        };
        let deliveries: Vec<NewJob> = added.iter().map(|&id| notice_job(id)).collect();
        jobs::enqueue(conn, &deliveries)?;
        queued += added.len();
    }
    Ok(queued)
}

/// Where a notice is in its delivery: queued (and being tried), sent, given up on, or, for
/// someone without email, shown on their pages instead (`on_page`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    utoipa::ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "snake_case")]
pub enum NoticeStatus {
    Pending,
    Sent,
    Failed,
    #[serde(rename = "on_page")]
    OnPage,
}

impl NoticeStatus {
    pub const VALUES: &'static [&'static str] = <Self as strum::VariantNames>::VARIANTS;

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(value: &str) -> Result<NoticeStatus, Problem> {
        value.parse().map_err(|_| Problem::OneOf {
            options: Self::VALUES,
        })
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
const ON_PAGE: &str = "on_page";

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
    /// Why the last attempt failed: a code (`refused`, `deferred`, `unreachable`,
    /// `not_written`, `no_address`, `unbuildable`, `subject_gone`, `not_theirs`,
    /// `recipient_inactive`, `unavailable`), a colon and a space, and what the mail server or
    /// the system said.
    pub last_error: Option<String>,
    #[serde(serialize_with = "super::as_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::as_utc_opt")]
    pub sent_at: Option<NaiveDateTime>,
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

/// Records a delivery (in the transaction that finishes its job).
pub fn mark_sent(conn: &mut DbConn, id: i64) -> Result<(), AppError> {
    diesel::update(notices::table.find(id))
        .filter(notices::status.eq(PENDING))
        .set((
            notices::status.eq(SENT),
            notices::sent_at.eq(Some(now())),
            notices::attempts.eq(notices::attempts + 1),
            notices::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records that a notice is shown on its recipient's pages instead of mailed (they have no
/// email).
pub fn mark_on_page(conn: &mut DbConn, id: i64) -> Result<(), AppError> {
    diesel::update(notices::table.find(id))
        .filter(notices::status.eq(PENDING))
        .set((
            notices::status.eq(ON_PAGE),
            notices::sent_at.eq(Some(now())),
            notices::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// The latest notices shown on `recipient`'s pages (someone without email), newest first.
pub fn on_page_for(conn: &mut DbConn, recipient: i32, limit: i64) -> Result<Vec<Notice>, AppError> {
    Ok(notices::table
        .filter(notices::recipient_id.eq(recipient))
        .filter(notices::status.eq(ON_PAGE))
        .select(notices::all_columns)
        .order((notices::created_at.desc(), notices::id.desc()))
        .limit(limit)
        .load(conn)?)
}

/// Records a failed attempt: retried at `retry_at`, or `failed` for good when it is None.
pub fn mark_attempt_failed(
    conn: &mut DbConn,
    id: i64,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> Result<(), AppError> {
    let status = if retry_at.is_some() { PENDING } else { FAILED };
    diesel::update(notices::table.find(id))
        .filter(notices::status.eq(PENDING))
        .set((
            notices::status.eq(status),
            notices::attempts.eq(notices::attempts + 1),
            notices::next_attempt_at.eq(retry_at.unwrap_or_else(now)),
            notices::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(())
}

/// HR queues a failed notice again, with a fresh set of attempts. Only failed notices: a
/// pending one is already queued, and a sent one is never mailed twice.
pub fn requeue(conn: &mut DbConn, actor: i32, id: i64) -> Result<Notice, AppError> {
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        match before.status {
            NoticeStatus::Failed => {}
            NoticeStatus::Sent | NoticeStatus::OnPage => {
                return Err(AppError::Conflict(Problem::NoticeSent))
            }
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
        jobs::replace(conn, notice_job(id))?;
        audit::record(
            conn,
            Change {
                actor: Some(actor),
                action: Action::Retry,
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
