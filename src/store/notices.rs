//! The outbox. Business code calls [`enqueue`] inside its own transaction, so a notice exists
//! exactly when the change that caused it committed. Delivery (a worker with leases and
//! retries) reads `pending` rows; it is not part of this module yet.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::{now, Page, Paged};
use crate::db::schema::notices;
use crate::db::DbConn;
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    AppraisalPublished,
    InspectionRecorded,
    AppealFiled,
    AppealDecided,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::AppraisalPublished => "appraisal_published",
            Kind::InspectionRecorded => "inspection_recorded",
            Kind::AppealFiled => "appeal_filed",
            Kind::AppealDecided => "appeal_decided",
        }
    }
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

/// Queues notices; one whose dedupe key is already queued is skipped.
pub fn enqueue(conn: &mut DbConn, batch: Vec<NewNotice>) -> Result<(), AppError> {
    let at = now();
    for chunk in batch.chunks(CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|n| {
                (
                    notices::kind.eq(n.kind.as_str()),
                    notices::recipient_id.eq(n.recipient_id),
                    notices::dedupe_key.eq(n.dedupe_key.clone()),
                    notices::payload_json.eq(n.payload.to_string()),
                    notices::status.eq("pending"),
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
        match conn {
            DbConn::Pg(c) => insert.execute(c)?,
            DbConn::Sqlite(c) => insert.execute(c)?,
        };
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable, Serialize)]
pub struct Notice {
    pub id: i64,
    pub kind: String,
    pub recipient_id: i32,
    pub dedupe_key: String,
    #[serde(skip)]
    pub payload_json: String,
    pub status: String,
    pub attempts: i32,
    #[serde(serialize_with = "super::as_utc")]
    pub next_attempt_at: NaiveDateTime,
    #[serde(skip)]
    pub lease_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    #[serde(serialize_with = "super::as_utc")]
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

#[derive(Debug, Default, Clone)]
pub struct NoticeFilter {
    pub status: Option<String>,
    pub kind: Option<String>,
}

pub fn list(
    conn: &mut DbConn,
    filter: &NoticeFilter,
    page: Page,
) -> Result<Paged<Notice>, AppError> {
    let query = || {
        let mut query = notices::table.into_boxed();
        if let Some(status) = &filter.status {
            query = query.filter(notices::status.eq(status.clone()));
        }
        if let Some(kind) = &filter.kind {
            query = query.filter(notices::kind.eq(kind.clone()));
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .select(notices::all_columns)
        .order(notices::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    Ok(Paged { items, total })
}
