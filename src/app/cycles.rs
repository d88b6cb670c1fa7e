//! Cycles: creating one (the API and the cycles page call [`App::create_cycle`]), changing
//! its name, period and appeal window as its state allows, its scheme, and moving it on one
//! step at a time with the workflow each step starts: opening asks everyone appraised to
//! rate colleagues of other departments; publishing makes the appraisals visible and tells
//! each employee.

use serde::Deserialize;
use utoipa::ToSchema;

use super::{notices, App};
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::cycle::{
    parse_appeal_window, parse_date, series_as_stored, CycleState, Period, CYCLE_NAME_MAX,
    DEFAULT_APPEAL_WINDOW_DAYS, DEFAULT_SERIES, SERIES_MAX,
};
use crate::domain::problem::Problem;
use crate::domain::scheme::{Scheme, SchemeInput};
use crate::domain::text::{self, name, name_schema};
use crate::error::{AppError, FieldErrors};
use crate::store::cycles::{self, Cycle};
use crate::store::{appraisals, departments};

/// A new cycle: the period runs from `period_start` to `period_end` inclusive, at most 366
/// days, and overlaps no other cycle of its series.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCycle {
    #[schema(schema_with = name_schema::<CYCLE_NAME_MAX, false>)]
    pub name: String,
    /// Cycles of one series never overlap; cycles of different series may (a monthly store
    /// cycle inside the quarterly company cycle). Dated evidence counts in every cycle whose
    /// period holds its date. Default `main`.
    #[schema(schema_with = name_schema::<SERIES_MAX, true>)]
    pub series: Option<String>,
    #[schema(format = Date)]
    pub period_start: String,
    #[schema(format = Date)]
    pub period_end: String,
    /// Days after publication in which staff may appeal (default 14).
    #[schema(minimum = 0, maximum = 90)]
    pub appeal_window_days: Option<i64>,
}

/// [`series_as_stored`] among the series the cycles have.
fn stored_series(tx: &mut DbConn, typed: &str) -> Result<String, AppError> {
    let all = cycles::all(tx)?;
    Ok(series_as_stored(
        typed,
        all.iter().map(|c| c.series.as_str()),
    ))
}

fn parse_period(start: &str, end: &str, errors: &mut FieldErrors) -> Option<Period> {
    let start = errors.take("period_start", parse_date(start));
    let end = errors.take("period_end", parse_date(end));
    errors.take("period_end", Period::new(start?, end?))
}

impl App {
    pub async fn create_cycle(&self, caller: &Caller, input: NewCycle) -> Result<Cycle, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        let mut errors = FieldErrors::new();
        let name = errors.take("name", name(&input.name, CYCLE_NAME_MAX));
        let series = errors.take(
            "series",
            text::name(
                input.series.as_deref().unwrap_or(DEFAULT_SERIES),
                SERIES_MAX,
            ),
        );
        let period = parse_period(&input.period_start, &input.period_end, &mut errors);
        let window = errors.take(
            "appeal_window_days",
            parse_appeal_window(
                input
                    .appeal_window_days
                    .unwrap_or(DEFAULT_APPEAL_WINDOW_DAYS.into()),
            ),
        );
        errors.into_result()?;
        let (name, series, period, window) = (
            name.expect("parsed"),
            series.expect("parsed"),
            period.expect("parsed"),
            window.expect("parsed"),
        );
        self.write(caller, move |tx, me| {
            let series = stored_series(tx, &series)?;
            cycles::insert(tx, me.id, &name, &series, period, window)
        })
        .await
    }
}

/// Absent or null fields stay as they are; a period may change only while the cycle is a
/// draft, the appeal window until publication, the name and series until it is archived.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CyclePatch {
    #[schema(schema_with = name_schema::<CYCLE_NAME_MAX, true>)]
    pub name: Option<String>,
    #[schema(schema_with = name_schema::<SERIES_MAX, true>)]
    pub series: Option<String>,
    #[schema(format = Date)]
    pub period_start: Option<String>,
    #[schema(format = Date)]
    pub period_end: Option<String>,
    #[schema(minimum = 0, maximum = 90)]
    pub appeal_window_days: Option<i64>,
}

impl App {
    pub async fn change_cycle(
        &self,
        caller: &Caller,
        id: i32,
        input: CyclePatch,
    ) -> Result<Cycle, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        let mut errors = FieldErrors::new();
        let name = input
            .name
            .as_deref()
            .and_then(|n| errors.take("name", name(n, CYCLE_NAME_MAX)));
        let series = input
            .series
            .as_deref()
            .and_then(|n| errors.take("series", text::name(n, SERIES_MAX)));
        let window = input
            .appeal_window_days
            .and_then(|d| errors.take("appeal_window_days", parse_appeal_window(d)));
        errors.into_result()?;
        self.write(caller, move |tx, me| {
            let names = (name.as_deref(), series.as_deref());
            change_cycle(tx, me.id, id, names, &input, window)
        })
        .await
    }
}

fn change_cycle(
    tx: &mut DbConn,
    actor: i32,
    id: i32,
    (name, series): (Option<&str>, Option<&str>),
    input: &CyclePatch,
    window: Option<i32>,
) -> Result<Cycle, AppError> {
    let before = cycles::get(tx, id)?;
    let state = before.state();
    // A partial period is completed from the stored one.
    let period = if input.period_start.is_some() || input.period_end.is_some() {
        let mut errors = FieldErrors::new();
        let start = input
            .period_start
            .clone()
            .unwrap_or(before.period_start.to_string());
        let end = input
            .period_end
            .clone()
            .unwrap_or(before.period_end.to_string());
        let period = parse_period(&start, &end, &mut errors);
        errors.into_result()?;
        period.expect("parsed")
    } else {
        before.period()
    };
    let name = name.map_or_else(|| before.name.clone(), str::to_owned);
    let series = match series {
        Some(typed) => stored_series(tx, typed)?,
        None => before.series.clone(),
    };
    let window = window.unwrap_or(before.appeal_window_days);
    if period != before.period() && state != CycleState::Draft {
        return Err(AppError::Conflict(Problem::PeriodFrozen { state }));
    }
    if window != before.appeal_window_days && state >= CycleState::Published {
        return Err(AppError::Conflict(Problem::AppealWindowFrozen { state }));
    }
    if state == CycleState::Archived && (name != before.name || series != before.series) {
        return Err(AppError::Conflict(Problem::CycleArchived));
    }
    if period == before.period()
        && name == before.name
        && series == before.series
        && window == before.appeal_window_days
    {
        return Ok(before);
    }
    cycles::update(tx, actor, &before, &name, &series, period, window)
}

impl App {
    /// Weights, evidence minimums and grade bands: accepted until the cycle is published.
    /// In review, a changed scheme makes every computed appraisal stale.
    pub async fn put_scheme(
        &self,
        caller: &Caller,
        id: i32,
        input: SchemeInput,
    ) -> Result<Scheme, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        let scheme = Scheme::parse(&input).map_err(AppError::from)?;
        self.write(caller, move |tx, me| put_scheme(tx, me.id, id, &scheme))
            .await
    }
}

pub fn put_scheme(
    tx: &mut DbConn,
    actor: i32,
    id: i32,
    scheme: &Scheme,
) -> Result<Scheme, AppError> {
    let cycle = cycles::get(tx, id)?;
    if !cycle.state().scheme_editable() {
        return Err(AppError::Conflict(Problem::SchemeFrozen {
            state: cycle.state(),
        }));
    }
    let mut errors = FieldErrors::new();
    for (i, o) in scheme.department_overrides.iter().enumerate() {
        if !departments::exists(tx, o.department_id)? {
            errors.add(
                format!("department_overrides[{i}].department_id"),
                Problem::NoSuchDepartment,
            );
        }
    }
    errors.into_result()?;
    if cycle.scheme()?.as_ref() != Some(scheme) {
        cycles::set_scheme(tx, actor, &cycle, scheme)?;
    }
    Ok(scheme.clone())
}

/// What stops `cycle` from moving to `to`, given the data.
fn guard(tx: &mut DbConn, cycle: &Cycle, to: CycleState) -> Result<Option<Problem>, AppError> {
    if let Some(problem) = cycle.state().transition_problem(to) {
        return Ok(Some(problem));
    }
    Ok(match to {
        CycleState::Open if cycle.scheme_json.is_none() => Some(Problem::SchemeNeeded),
        CycleState::Published => {
            let waiting = appraisals::uncomputed(tx, cycle.id)?;
            let stale = appraisals::stale(tx, cycle)?;
            if waiting > 0 {
                Some(Problem::Uncomputed { count: waiting })
            } else if stale > 0 {
                Some(Problem::Stale { count: stale })
            } else {
                None
            }
        }
        _ => None,
    })
}

impl App {
    pub async fn move_cycle(&self, caller: &Caller, id: i32, to: &str) -> Result<Cycle, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        let to = CycleState::parse(to).map_err(|p| AppError::validation("state", p))?;
        self.write(caller, move |tx, me| move_cycle(tx, me.id, id, to))
            .await
    }
}

/// One step forward, with the workflow the step starts.
pub fn move_cycle(tx: &mut DbConn, actor: i32, id: i32, to: CycleState) -> Result<Cycle, AppError> {
    let before = cycles::get(tx, id)?;
    if let Some(problem) = guard(tx, &before, to)? {
        return Err(AppError::Conflict(problem));
    }
    let after = cycles::set_state(tx, actor, &before, to)?;
    match to {
        CycleState::Open => {
            notices::ask_for_ratings(tx, &after)?;
        }
        CycleState::Published => {
            let published = appraisals::publish_all(tx, id)?;
            notices::tell_published(tx, &after, &published)?;
        }
        _ => {}
    }
    super::robots::post_cycle_step(tx, id, to)?;
    Ok(after)
}
