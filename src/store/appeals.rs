//! Appeal rows: filed, listed and decided (the rules are `app::appraisals`'). An appraisal
//! has at most one open appeal (a unique index says so too).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::{now, Page, Paged};
use crate::db::schema::appeals;
use crate::db::DbConn;
use crate::domain::appraisal::AppealState;
use crate::error::AppError;

// Every column, in the order of the row struct.
use crate::db::schema::appeals::all_columns as COLUMNS;

#[derive(Debug, Clone, Queryable, Serialize, utoipa::ToSchema)]
pub struct Appeal {
    pub id: i32,
    pub appraisal_id: i32,
    pub reason: String,
    /// An unknown stored state is an error when the row is read, never a default.
    #[diesel(deserialize_as = String)]
    pub state: AppealState,
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

pub fn insert(conn: &mut DbConn, appraisal_id: i32, reason: &str) -> Result<Appeal, AppError> {
    Ok(diesel::insert_into(appeals::table)
        .values((
            appeals::appraisal_id.eq(appraisal_id),
            appeals::reason.eq(reason),
            appeals::state.eq(AppealState::Open.as_str()),
            appeals::created_at.eq(now()),
        ))
        .returning(COLUMNS)
        .get_result(conn)?)
}

pub fn decide(
    conn: &mut DbConn,
    id: i32,
    state: AppealState,
    note: Option<&str>,
    by: i32,
) -> Result<Appeal, AppError> {
    Ok(diesel::update(appeals::table.find(id))
        .set((
            appeals::state.eq(state.as_str()),
            appeals::decision_note.eq(note),
            appeals::decided_by.eq(by),
            appeals::decided_at.eq(now()),
        ))
        .returning(COLUMNS)
        .get_result(conn)?)
}

pub fn list(
    conn: &mut DbConn,
    state: Option<AppealState>,
    page: Page,
) -> Result<Paged<Appeal>, AppError> {
    let query = || {
        let mut query = appeals::table.into_boxed();
        if let Some(state) = state {
            query = query.filter(appeals::state.eq(state.as_str()));
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
