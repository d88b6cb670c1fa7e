use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::audit::{self, Change, Entity};
use super::{now, Page, Paged};
use crate::db::schema::{cycles, departments};
use crate::db::{write_tx, DbConn};
use crate::domain::cycle::{CycleState, Period};
use crate::domain::scheme::Scheme;
use crate::error::{AppError, FieldErrors};

// Every column, in the order of the row struct.
use crate::db::schema::cycles::all_columns as COLUMNS;

#[derive(Debug, Clone, Queryable, Serialize)]
pub struct Cycle {
    pub id: i32,
    pub name: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub state: String,
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
}

impl Cycle {
    /// The column has a CHECK constraint; `draft` is the safe reading of anything else.
    pub fn state(&self) -> CycleState {
        CycleState::parse(&self.state).unwrap_or(CycleState::Draft)
    }
    pub fn period(&self) -> Period {
        Period {
            start: self.period_start,
            end: self.period_end,
        }
    }
    pub fn scheme(&self) -> Result<Option<Scheme>, AppError> {
        self.scheme_json
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(AppError::internal)
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

/// Why evidence dated `day` cannot be entered now.
pub enum EntryProblem {
    /// No cycle covers the date (a validation problem of the date).
    NoCycle,
    /// The covering cycle is not open (a conflict with the cycle's state).
    NotOpen { name: String, state: CycleState },
}

impl EntryProblem {
    pub fn message(&self) -> String {
        match self {
            EntryProblem::NoCycle => "no appraisal cycle covers this date".to_owned(),
            EntryProblem::NotOpen { name, state } => format!(
                "cycle \"{name}\" is {state}: evidence is accepted only while its cycle is open"
            ),
        }
    }
    pub fn into_error(self, field: &str) -> AppError {
        match self {
            EntryProblem::NoCycle => AppError::validation(field, self.message()),
            EntryProblem::NotOpen { .. } => AppError::Conflict(self.message()),
        }
    }
}

/// The open cycle whose period holds `day`. Periods never overlap, so there is at most one.
pub fn open_cycle_for(cycles: &[Cycle], day: NaiveDate) -> Result<&Cycle, EntryProblem> {
    let cycle = cycles
        .iter()
        .find(|c| c.period().contains(day))
        .ok_or(EntryProblem::NoCycle)?;
    match cycle.state() {
        CycleState::Open => Ok(cycle),
        state => Err(EntryProblem::NotOpen {
            name: cycle.name.clone(),
            state,
        }),
    }
}

/// Evidence is about to be written into `entered` (cycles that accepted it). On PostgreSQL
/// their rows are locked in share mode until the transaction ends: a change of state (which
/// updates the row) waits for evidence writes in flight, and one that committed first makes
/// them run again and see it (`db::write_tx`). SQLite's one write lock already orders them.
/// Evidence entered past `open` (HR's corrections while an appeal is open) changes what the
/// cycle's appraisals were computed from.
pub fn hold_for_entry(conn: &mut DbConn, entered: &[&Cycle]) -> Result<(), AppError> {
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
        .filter(|c| c.state() != CycleState::Open)
        .map(|c| c.id)
        .collect();
    if !past_open.is_empty() {
        diesel::update(cycles::table.filter(cycles::id.eq_any(past_open)))
            .set(cycles::inputs_revision.eq(cycles::inputs_revision + 1))
            .execute(conn)?;
    }
    Ok(())
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

/// Does `cycle` take evidence for `employee` now? While it is open, for anyone; once
/// published, only for an employee whose appeal is open (HR's corrections).
pub fn accepts_entry(cycle: &Cycle, appeals: &HashSet<(i32, i32)>, employee: i32) -> bool {
    match cycle.state() {
        CycleState::Open => true,
        CycleState::Published => appeals.contains(&(cycle.id, employee)),
        _ => false,
    }
}

/// [`open_cycle_for`], except that a published cycle takes corrections for an employee
/// whose appeal is open.
pub fn entry_cycle_for<'a>(
    cycles: &'a [Cycle],
    appeals: &HashSet<(i32, i32)>,
    day: NaiveDate,
    employee: i32,
) -> Result<&'a Cycle, EntryProblem> {
    match open_cycle_for(cycles, day) {
        Err(problem @ EntryProblem::NotOpen { .. }) => cycles
            .iter()
            .find(|c| c.period().contains(day) && accepts_entry(c, appeals, employee))
            .ok_or(problem),
        other => other,
    }
}

fn overlap_conflict(
    conn: &mut DbConn,
    period: Period,
    except: Option<i32>,
) -> Result<(), AppError> {
    let clash = all(conn)?
        .into_iter()
        .filter(|c| Some(c.id) != except)
        .find(|c| c.period().overlaps(&period));
    match clash {
        Some(c) => Err(AppError::Conflict(format!(
            "the period overlaps cycle \"{}\" ({} to {}); every date belongs to one cycle",
            c.name, c.period_start, c.period_end
        ))),
        None => Ok(()),
    }
}

fn name_taken(name: &str) -> impl FnOnce() -> String + '_ {
    move || format!("a cycle named \"{name}\" already exists")
}

fn record(
    conn: &mut DbConn,
    actor: i32,
    action: &str,
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

pub fn create(
    conn: &mut DbConn,
    actor: i32,
    name: &str,
    period: Period,
    appeal_window_days: i32,
) -> Result<Cycle, AppError> {
    write_tx(conn, |conn| {
        overlap_conflict(conn, period, None)?;
        let at = now();
        let created: Cycle = diesel::insert_into(cycles::table)
            .values((
                cycles::name.eq(name),
                cycles::period_start.eq(period.start),
                cycles::period_end.eq(period.end),
                cycles::state.eq(CycleState::Draft.as_str()),
                cycles::appeal_window_days.eq(appeal_window_days),
                cycles::created_at.eq(at),
                cycles::updated_at.eq(at),
            ))
            .returning(COLUMNS)
            .get_result(conn)
            .map_err(|e| AppError::unique_or(e, name_taken(name)))?;
        record(conn, actor, "create", None, &created)?;
        Ok(created)
    })
}

#[derive(Debug, Default)]
pub struct CycleChanges {
    pub name: Option<String>,
    pub period: Option<Period>,
    pub appeal_window_days: Option<i32>,
}

/// The period may change only in draft (evidence is tied to it from `open` on); the
/// appeal window until publication; the name until the cycle is archived.
pub fn update(
    conn: &mut DbConn,
    actor: i32,
    id: i32,
    changes: CycleChanges,
) -> Result<Cycle, AppError> {
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        let state = before.state();
        let period = changes.period.unwrap_or(before.period());
        let name = changes.name.clone().unwrap_or_else(|| before.name.clone());
        let window = changes
            .appeal_window_days
            .unwrap_or(before.appeal_window_days);
        if period != before.period() {
            if state != CycleState::Draft {
                return Err(AppError::Conflict(format!(
                    "the period of a {state} cycle cannot change any more"
                )));
            }
            overlap_conflict(conn, period, Some(id))?;
        }
        if window != before.appeal_window_days && state >= CycleState::Published {
            return Err(AppError::Conflict(format!(
                "the appeal window of a {state} cycle cannot change any more"
            )));
        }
        if state == CycleState::Archived && name != before.name {
            return Err(AppError::Conflict("an archived cycle cannot change".into()));
        }
        if period == before.period() && name == before.name && window == before.appeal_window_days {
            return Ok(before);
        }
        let after: Cycle = diesel::update(cycles::table.find(id))
            .set((
                cycles::name.eq(&name),
                cycles::period_start.eq(period.start),
                cycles::period_end.eq(period.end),
                cycles::appeal_window_days.eq(window),
                cycles::updated_at.eq(now()),
            ))
            .returning(COLUMNS)
            .get_result(conn)
            .map_err(|e| AppError::unique_or(e, name_taken(&name)))?;
        record(conn, actor, "update", Some(&before), &after)?;
        Ok(after)
    })
}

pub fn set_scheme(
    conn: &mut DbConn,
    actor: i32,
    id: i32,
    scheme: &Scheme,
) -> Result<Scheme, AppError> {
    write_tx(conn, |conn| {
        let cycle = get(conn, id)?;
        if !cycle.state().scheme_editable() {
            return Err(AppError::Conflict(format!(
                "the scheme of a {} cycle is frozen",
                cycle.state()
            )));
        }
        let mut errors = FieldErrors::new();
        for (i, o) in scheme.department_overrides.iter().enumerate() {
            let exists: bool = diesel::select(diesel::dsl::exists(
                departments::table.find(o.department_id),
            ))
            .get_result(conn)?;
            if !exists {
                errors.add(
                    &format!("department_overrides[{i}].department_id"),
                    "no such department",
                );
            }
        }
        errors.into_result()?;
        let before = cycle.scheme()?;
        if before.as_ref() == Some(scheme) {
            return Ok(scheme.clone());
        }
        let json = serde_json::to_string(scheme).map_err(AppError::internal)?;
        // Appraisals computed before (in review) are now stale.
        diesel::update(cycles::table.find(id))
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
                action: "set_scheme",
                entity: Entity::Cycle,
                entity_id: id,
                before: before.as_ref(),
                after: Some(scheme),
            },
        )?;
        Ok(scheme.clone())
    })
}

/// What stops `cycle` from moving to `to`, given the data.
fn guard(conn: &mut DbConn, cycle: &Cycle, to: CycleState) -> Result<Option<String>, AppError> {
    if let Some(problem) = cycle.state().transition_problem(to) {
        return Ok(Some(problem));
    }
    Ok(match to {
        CycleState::Open if cycle.scheme_json.is_none() => {
            Some("set a valid scheme (weights and grade bands) before opening the cycle".into())
        }
        CycleState::Published => {
            let waiting = super::appraisals::uncomputed(conn, cycle.id)?;
            let stale = super::appraisals::stale(conn, cycle)?;
            if waiting > 0 {
                Some(format!(
                    "{waiting} active employees have no computed appraisal for this cycle"
                ))
            } else if stale > 0 {
                Some(format!(
                    "{stale} appraisals were computed before the latest change of the scheme, \
                     the evidence or the people; recompute first"
                ))
            } else {
                None
            }
        }
        _ => None,
    })
}

pub fn transition(
    conn: &mut DbConn,
    actor: i32,
    id: i32,
    to: CycleState,
) -> Result<Cycle, AppError> {
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        if let Some(problem) = guard(conn, &before, to)? {
            return Err(AppError::Conflict(problem));
        }
        let after: Cycle = diesel::update(cycles::table.find(id))
            .set((cycles::state.eq(to.as_str()), cycles::updated_at.eq(now())))
            .returning(COLUMNS)
            .get_result(conn)?;
        match to {
            CycleState::Open => {
                super::reminders::queue_collaboration_requests(conn, &after)?;
            }
            CycleState::Published => {
                super::appraisals::publish_all(conn, id)?;
            }
            _ => {}
        }
        record(conn, actor, "state", Some(&before), &after)?;
        Ok(after)
    })
}
