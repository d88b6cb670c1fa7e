//! Acknowledging and appealing published appraisals, and HR's decisions on appeals.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::appraisals::{self, Appraisal};
use super::audit::{self, Change, Entity};
use super::users::User;
use super::{cycles, notices, now, Page, Paged};
use crate::db::schema::{appeals, users};
use crate::db::{write_tx, DbConn};
use crate::domain::clock::CompanyTime;
use crate::domain::evidence::COMMENT_MAX;
use crate::domain::text::free_text;
use crate::domain::user::Role;
use crate::error::{AppError, FieldErrors};

// Every column, in the order of the row struct.
use crate::db::schema::appeals::all_columns as COLUMNS;

#[derive(Debug, Clone, Queryable, Serialize, utoipa::ToSchema)]
pub struct Appeal {
    pub id: i32,
    pub appraisal_id: i32,
    pub reason: String,
    pub state: String,
    pub decision_note: Option<String>,
    pub decided_by: Option<i32>,
    #[serde(serialize_with = "super::as_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::as_utc_opt")]
    pub decided_at: Option<NaiveDateTime>,
}

pub fn get(conn: &mut DbConn, id: i32) -> Result<Appeal, AppError> {
    appeals::table
        .find(id)
        .select(COLUMNS)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The latest appeal of an appraisal, if any (callers decide access to the appraisal first).
pub fn of_appraisal(conn: &mut DbConn, appraisal_id: i32) -> Result<Option<Appeal>, AppError> {
    Ok(appeals::table
        .filter(appeals::appraisal_id.eq(appraisal_id))
        .order(appeals::id.desc())
        .select(COLUMNS)
        .first(conn)
        .optional()?)
}

/// The caller's own appraisal, published (else 404 / 409).
fn own_published(conn: &mut DbConn, user: &User, id: i32) -> Result<Appraisal, AppError> {
    let appraisal = appraisals::get(conn, id)?;
    if appraisal.employee_id != user.id || !appraisal.is_published() {
        return Err(AppError::NotFound);
    }
    match appraisal.state.as_str() {
        "published" => Ok(appraisal),
        // One appeal at a time (also a unique index): a decided appeal publishes the
        // appraisal again, and it may then be appealed again within its window.
        "appealed" => Err(AppError::Conflict(
            "this appraisal has an open appeal; HR decides it first (after the decision it may \
             be appealed again within the window)"
                .into(),
        )),
        _ => Err(AppError::Conflict(
            "this appraisal was acknowledged, which is final: it can no longer be appealed".into(),
        )),
    }
}

fn record(
    conn: &mut DbConn,
    actor: i32,
    action: &str,
    before: &Appraisal,
    after: &Appraisal,
) -> Result<(), AppError> {
    audit::record(
        conn,
        Change {
            actor: Some(actor),
            action,
            entity: Entity::Appraisal,
            entity_id: after.id,
            before: Some(before),
            after: Some(after),
        },
    )
}

pub fn acknowledge(conn: &mut DbConn, user: &User, id: i32) -> Result<Appraisal, AppError> {
    write_tx(conn, |conn| {
        let before = own_published(conn, user, id)?;
        let after = appraisals::set_state(conn, id, "acknowledged")?;
        record(conn, user.id, "acknowledge", &before, &after)?;
        Ok(after)
    })
}

/// Files an appeal within the cycle's appeal window (counted from publication).
pub fn appeal(
    conn: &mut DbConn,
    user: &User,
    id: i32,
    reason: &str,
    time: CompanyTime,
) -> Result<Appeal, AppError> {
    write_tx(conn, |conn| {
        let before = own_published(conn, user, id)?;
        let cycle = cycles::get(conn, before.cycle_id)?;
        let published = before.published_at.unwrap_or(before.computed_at);
        let closes = published + Duration::days(i64::from(cycle.appeal_window_days));
        if now() > closes {
            return Err(AppError::Conflict(format!(
                "the appeal window of {} days closed on {} ({})",
                cycle.appeal_window_days,
                time.local(closes).format("%Y-%m-%d %H:%M"),
                time.name(),
            )));
        }
        let appeal: Appeal = diesel::insert_into(appeals::table)
            .values((
                appeals::appraisal_id.eq(id),
                appeals::reason.eq(reason),
                appeals::state.eq("open"),
                appeals::created_at.eq(now()),
            ))
            .returning(COLUMNS)
            .get_result(conn)?;
        let after = appraisals::set_state(conn, id, "appealed")?;
        let hr: Vec<i32> = users::table
            .filter(users::role.eq(Role::Hr.as_str()))
            .filter(users::active.eq(true))
            .select(users::id)
            .load(conn)?;
        let batch = hr
            .into_iter()
            .map(|recipient| notices::NewNotice {
                kind: notices::Kind::AppealFiled,
                recipient_id: recipient,
                dedupe_key: format!("appeal_filed:{}:{recipient}", appeal.id),
                payload: serde_json::json!({"appeal_id": appeal.id, "appraisal_id": id}),
            })
            .collect();
        notices::enqueue(conn, batch)?;
        record(conn, user.id, "appeal", &before, &after)?;
        Ok(appeal)
    })
}

pub fn list(
    conn: &mut DbConn,
    state: Option<String>,
    page: Page,
) -> Result<Paged<Appeal>, AppError> {
    let query = || {
        let mut query = appeals::table.into_boxed();
        if let Some(state) = &state {
            query = query.filter(appeals::state.eq(state.clone()));
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .select(COLUMNS)
        .order(appeals::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    Ok(Paged { items, total })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Upheld,
    Rejected,
}

impl Decision {
    /// HR's decision and note as sent (by the API or the appeal page): `upheld` or
    /// `rejected`, and a note, which a rejection must have (it tells the employee why).
    pub fn parse(
        decision: &str,
        note: Option<&str>,
    ) -> Result<(Decision, Option<String>), AppError> {
        let mut errors = FieldErrors::new();
        let decision = match decision {
            "upheld" => Some(Decision::Upheld),
            "rejected" => Some(Decision::Rejected),
            _ => {
                errors.add("decision", "must be upheld or rejected");
                None
            }
        };
        let note = errors.take("note", free_text(note, COMMENT_MAX)).flatten();
        if decision == Some(Decision::Rejected) && note.is_none() {
            errors.add("note", "is required when an appeal is rejected");
        }
        errors.into_result()?;
        Ok((decision.expect("checked"), note))
    }
}

/// Upheld: the appraisal is recomputed from the (corrected) evidence, alone. Rejected:
/// the note says why. Either way the appraisal is published again and may be acknowledged.
pub fn decide(
    conn: &mut DbConn,
    hr: &User,
    id: i32,
    decision: Decision,
    note: Option<String>,
) -> Result<(Appeal, Appraisal), AppError> {
    write_tx(conn, |conn| {
        let appeal: Appeal = appeals::table.find(id).select(COLUMNS).first(conn)?;
        if appeal.state != "open" {
            return Err(AppError::Conflict(format!(
                "this appeal was already {}",
                appeal.state
            )));
        }
        let before = appraisals::get(conn, appeal.appraisal_id)?;
        if decision == Decision::Upheld {
            appraisals::recompute_one(conn, &before)?;
        }
        let after = appraisals::set_state(conn, before.id, "published")?;
        let decided: Appeal = diesel::update(appeals::table.find(id))
            .set((
                appeals::state.eq(match decision {
                    Decision::Upheld => "upheld",
                    Decision::Rejected => "rejected",
                }),
                appeals::decision_note.eq(&note),
                appeals::decided_by.eq(hr.id),
                appeals::decided_at.eq(now()),
            ))
            .returning(COLUMNS)
            .get_result(conn)?;
        notices::enqueue(
            conn,
            vec![notices::NewNotice {
                kind: notices::Kind::AppealDecided,
                recipient_id: after.employee_id,
                dedupe_key: format!("appeal_decided:{id}"),
                payload: serde_json::json!({"appeal_id": id, "appraisal_id": after.id}),
            }],
        )?;
        let action = match decision {
            Decision::Upheld => "appeal_upheld",
            Decision::Rejected => "appeal_rejected",
        };
        record(conn, hr.id, action, &before, &after)?;
        Ok((decided, after))
    })
}
