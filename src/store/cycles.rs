//! Cycles: their rows, scheme and state as stored, and the locks that order evidence and
//! state changes. The rules and the workflow of a change (`app::cycles`) are not here.

use crate::domain::audit::Action;
use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::audit::{self, Change, Entity};
use super::{now, Page, Paged};
use crate::db::schema::cycles;
use crate::db::DbConn;
use crate::domain::cycle::{CycleSpan, CycleState, Period};
use crate::domain::problem::Problem;
use crate::domain::scheme::Scheme;
use crate::error::AppError;

// Every column, in the order of the row struct.
use crate::db::schema::cycles::all_columns as COLUMNS;

#[derive(Debug, Clone, Queryable, Serialize)]
pub struct Cycle {
    pub id: i32,
    pub name: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// An unknown stored state is an error when the row is read, never a default.
    #[diesel(deserialize_as = String)]
    pub state: CycleState,
    pub appeal_window_days: i32,
    #[serde(skip)]
    pub scheme_json: Option<String>,
    #[serde(serialize_with = "super::as_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::as_utc")]
    pub updated_at: NaiveDateTime,
    /// Counts changes of the scheme and of the evidence that computed appraisals depend
    /// on; an appraisal computed from an older revision is stale.
    pub inputs_revision: i64,
    #[serde(serialize_with = "super::as_utc_opt")]
    pub computed_at: Option<NaiveDateTime>,
    /// Periods never overlap within a series (`main` unless HR names another).
    pub series: String,
}

impl Cycle {
    pub fn state(&self) -> CycleState {
        self.state
    }
    pub fn period(&self) -> Period {
        Period {
            start: self.period_start,
            end: self.period_end,
        }
    }
    /// [`crate::domain::scheme::inspections_needed`] of this cycle's scheme.
    pub fn inspections_needed(&self) -> Result<i32, AppError> {
        Ok(crate::domain::scheme::inspections_needed(
            self.scheme()?.as_ref(),
        ))
    }

    pub fn scheme(&self) -> Result<Option<Scheme>, AppError> {
        self.scheme_json
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(AppError::internal)
    }
    pub fn span(&self) -> CycleSpan {
        CycleSpan {
            id: self.id,
            name: self.name.clone(),
            period: self.period(),
            state: self.state,
            series: self.series.clone(),
        }
    }
}

pub fn get(conn: &mut DbConn, id: i32) -> Result<Cycle, AppError> {
    Ok(cycles::table.find(id).select(COLUMNS).first(conn)?)
}

pub fn all(conn: &mut DbConn) -> Result<Vec<Cycle>, AppError> {
    Ok(cycles::table
        .select(COLUMNS)
        .order(cycles::period_start.asc())
        .load(conn)?)
}

pub fn list(
    conn: &mut DbConn,
    state: Option<CycleState>,
    page: Page,
) -> Result<Paged<Cycle>, AppError> {
    let query = || {
        let mut query = cycles::table.into_boxed();
        if let Some(state) = state {
            query = query.filter(cycles::state.eq(state.as_str()));
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .select(COLUMNS)
        .order(cycles::period_start.desc())
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    Ok(Paged { items, total })
}

/// Evidence is about to be written into `entered` (cycles that accepted it). On PostgreSQL
/// their rows are locked in share mode until the transaction ends: a change of state (which
/// updates the row) waits for evidence writes in flight, and one that committed first makes
/// them run again and see it (`db::write_tx`). SQLite's one write lock already orders them.
/// Evidence entered past `open` (HR's corrections while an appeal is open) changes what the
/// cycle's appraisals were computed from.
pub fn hold_for_entry(conn: &mut DbConn, entered: &[&CycleSpan]) -> Result<(), AppError> {
    let mut ids: Vec<i32> = entered.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    ids.dedup();
    if let DbConn::Pg(pg) = conn {
        cycles::table
            .filter(cycles::id.eq_any(&ids))
            .select(cycles::id)
            .for_share()
            .load::<i32>(pg)?;
    }
    let past_open: Vec<i32> = entered
        .iter()
        .filter(|c| c.state != CycleState::Open)
        .map(|c| c.id)
        .collect();
    if !past_open.is_empty() {
        diesel::update(cycles::table.filter(cycles::id.eq_any(past_open)))
            .set(cycles::inputs_revision.eq(cycles::inputs_revision + 1))
            .execute(conn)?;
    }
    Ok(())
}

/// What a complaint received on `day` charged changed: the appraisals of a cycle in review
/// whose period holds the day are stale until computed again.
pub fn complaint_changed(conn: &mut DbConn, day: chrono::NaiveDate) -> Result<usize, AppError> {
    Ok(diesel::update(
        cycles::table
            .filter(cycles::state.eq(CycleState::Review.as_str()))
            .filter(cycles::period_start.le(day))
            .filter(cycles::period_end.ge(day)),
    )
    .set(cycles::inputs_revision.eq(cycles::inputs_revision + 1))
    .execute(conn)?)
}

/// Something the appraisals of cycles in review depend on changed outside their evidence
/// (a person's department, role or active state): their appraisals are stale until computed
/// again.
pub fn people_changed(conn: &mut DbConn) -> Result<usize, AppError> {
    Ok(
        diesel::update(cycles::table.filter(cycles::state.eq(CycleState::Review.as_str())))
            .set(cycles::inputs_revision.eq(cycles::inputs_revision + 1))
            .execute(conn)?,
    )
}

/// (cycle, employee) pairs with an open appeal: while it is open, HR may correct that
/// employee's evidence in the (published) cycle, and nobody else's.
pub fn open_appeals(conn: &mut DbConn) -> Result<HashSet<(i32, i32)>, AppError> {
    use crate::db::schema::{appeals, appraisals};
    Ok(appeals::table
        .inner_join(appraisals::table)
        .filter(appeals::state.eq("open"))
        .select((appraisals::cycle_id, appraisals::employee_id))
        .load::<(i32, i32)>(conn)?
        .into_iter()
        .collect())
}

/// A cycle of `series` other than `except` whose period overlaps `period`, if any.
pub fn overlapping(
    conn: &mut DbConn,
    series: &str,
    period: Period,
    except: Option<i32>,
) -> Result<Option<Cycle>, AppError> {
    Ok(all(conn)?
        .into_iter()
        .filter(|c| Some(c.id) != except && c.series == series)
        .find(|c| c.period().overlaps(&period)))
}

fn overlap(found: &Cycle) -> Problem {
    Problem::PeriodOverlaps {
        cycle: found.name.clone(),
        start: found.period_start,
        end: found.period_end,
        series: found.series.clone(),
    }
}

/// The 409 of a unique name or of the database's own overlap rule.
fn refused(error: diesel::result::Error, name: &str) -> AppError {
    match AppError::from(error) {
        AppError::Duplicate(_) => AppError::Duplicate(Problem::CycleNameTaken {
            name: name.to_owned(),
        }),
        other => other,
    }
}

fn record(
    conn: &mut DbConn,
    actor: i32,
    action: Action,
    before: Option<&Cycle>,
    after: &Cycle,
) -> Result<(), AppError> {
    audit::record(
        conn,
        Change {
            actor: Some(actor),
            action,
            entity: Entity::Cycle,
            entity_id: after.id,
            before,
            after: Some(after),
        },
    )
}

/// A new draft cycle (the rules are `app::cycles`'); a period that overlaps another
/// cycle's of the same series is 409 naming it (also when the database's own rule catches
/// a race).
pub fn insert(
    conn: &mut DbConn,
    actor: i32,
    name: &str,
    series: &str,
    period: Period,
    appeal_window_days: i32,
) -> Result<Cycle, AppError> {
    if let Some(found) = overlapping(conn, series, period, None)? {
        return Err(AppError::Conflict(overlap(&found)));
    }
    let at = now();
    let created: Cycle = diesel::insert_into(cycles::table)
        .values((
            cycles::name.eq(name),
            cycles::series.eq(series),
            cycles::period_start.eq(period.start),
            cycles::period_end.eq(period.end),
            cycles::state.eq(CycleState::Draft.as_str()),
            cycles::appeal_window_days.eq(appeal_window_days),
            cycles::created_at.eq(at),
            cycles::updated_at.eq(at),
        ))
        .returning(COLUMNS)
        .get_result(conn)
        .map_err(|e| refused(e, name))?;
    record(conn, actor, Action::Create, None, &created)?;
    Ok(created)
}

/// Writes a cycle's name, series, period and appeal window (checked by `app::cycles`).
pub fn update(
    conn: &mut DbConn,
    actor: i32,
    before: &Cycle,
    name: &str,
    series: &str,
    period: Period,
    appeal_window_days: i32,
) -> Result<Cycle, AppError> {
    if period != before.period() || series != before.series {
        if let Some(found) = overlapping(conn, series, period, Some(before.id))? {
            return Err(AppError::Conflict(overlap(&found)));
        }
    }
    let after: Cycle = diesel::update(cycles::table.find(before.id))
        .set((
            cycles::name.eq(name),
            cycles::series.eq(series),
            cycles::period_start.eq(period.start),
            cycles::period_end.eq(period.end),
            cycles::appeal_window_days.eq(appeal_window_days),
            cycles::updated_at.eq(now()),
        ))
        .returning(COLUMNS)
        .get_result(conn)
        .map_err(|e| refused(e, name))?;
    record(conn, actor, Action::Update, Some(before), &after)?;
    Ok(after)
}

/// Stores a scheme; appraisals computed before (in review) become stale.
pub fn set_scheme(
    conn: &mut DbConn,
    actor: i32,
    cycle: &Cycle,
    scheme: &Scheme,
) -> Result<(), AppError> {
    let before = cycle.scheme()?;
    let json = serde_json::to_string(scheme).map_err(AppError::internal)?;
    diesel::update(cycles::table.find(cycle.id))
        .set((
            cycles::scheme_json.eq(json),
            cycles::inputs_revision.eq(cycles::inputs_revision + 1),
            cycles::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        Change {
            actor: Some(actor),
            action: Action::SetScheme,
            entity: Entity::Cycle,
            entity_id: cycle.id,
            before: before.as_ref(),
            after: Some(scheme),
        },
    )
}

/// Moves the stored state (the guards are `app::cycles`').
pub fn set_state(
    conn: &mut DbConn,
    actor: i32,
    before: &Cycle,
    to: CycleState,
) -> Result<Cycle, AppError> {
    let after: Cycle = diesel::update(cycles::table.find(before.id))
        .set((cycles::state.eq(to.as_str()), cycles::updated_at.eq(now())))
        .returning(COLUMNS)
        .get_result(conn)?;
    record(conn, actor, Action::State, Some(before), &after)?;
    Ok(after)
}

/// Marks the cycle computed now; written first by a compute, so that a publication or a
/// change of the same cycle waits for it (or makes it run again) instead of interleaving.
pub fn mark_computing(conn: &mut DbConn, id: i32) -> Result<Cycle, AppError> {
    Ok(diesel::update(cycles::table.find(id))
        .set(cycles::computed_at.eq(now()))
        .returning(COLUMNS)
        .get_result(conn)?)
}
