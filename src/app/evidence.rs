//! Bulk evidence: sales targets, sales records and satisfaction responses, from the API
//! (JSON or CSV) and the cycle page's upload alike. Every row is checked before anything is
//! written; one bad row refuses the whole import, naming each bad row as the spreadsheet
//! numbers it. Re-sending a row with the same `external_ref` and the same values is a
//! no-op; the same reference with other values is an error. Each import leaves one audit
//! event per cycle it touched.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::App;
use crate::auth::Caller;
use crate::bulk::{self, Upload};
use crate::db::DbConn;
use crate::domain::clock::not_in_future;
use crate::domain::cycle::{entry_cycle, entry_problem_is_conflict, CycleSpan, CycleState};
use crate::domain::problem::Problem;
use crate::domain::user::{PersonRef, Role};
use crate::error::{AppError, RowError};
use crate::store::evidence::{self, DatedRow, ImportOutcome, Response, Sale, TargetRow};
use crate::store::{cycles, users};

/// The kinds of evidence an upload may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SalesTargets,
    SalesRecords,
    SatisfactionResponses,
}

impl Kind {
    pub const VALUES: &'static [&'static str] =
        &["sales-targets", "sales-records", "satisfaction-responses"];

    pub fn parse(value: &str) -> Result<Kind, Problem> {
        match value {
            "sales-targets" => Ok(Kind::SalesTargets),
            "sales-records" => Ok(Kind::SalesRecords),
            "satisfaction-responses" => Ok(Kind::SatisfactionResponses),
            _ => Err(Problem::OneOf {
                options: Kind::VALUES,
            }),
        }
    }
}

impl App {
    /// Imports the rows of one kind of evidence, all or none. `within`: the cycle whose
    /// page the upload came from; its rows must fall in it (a target may leave its cycle
    /// out). Every problem of every row is found in one pass (the cells, the people named,
    /// the dates, the cycles, the references), so one corrected upload suffices.
    pub async fn import(
        &self,
        caller: &Caller,
        kind: Kind,
        upload: Upload,
        within: Option<i32>,
    ) -> Result<ImportOutcome, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        if upload.is_empty() {
            return Err(AppError::validation("body", Problem::NoRows));
        }
        let today = self.today();
        // Typed parsing of 100k rows is work for the blocking threads.
        match kind {
            Kind::SalesTargets => {
                let parsed = blocking(move || bulk::targets(&upload, within)).await?;
                self.write(caller, move |tx, me| {
                    let mut problems = RowProblems::of(&parsed.problems);
                    let mut rows = parsed.rows.clone();
                    resolve_people(tx, &mut rows, &mut problems)?;
                    if let Some(cycle) = within {
                        only_cycle_targets(&rows, cycle, &mut problems);
                    }
                    import_targets_checked(tx, me.id, &rows, problems)
                        .map(|outcome| outcome.setting_aside(&parsed.ignored, &parsed.skipped))
                })
                .await
            }
            Kind::SalesRecords => {
                let parsed = blocking(move || bulk::sales(&upload)).await?;
                self.write(caller, move |tx, me| {
                    let mut problems = RowProblems::of(&parsed.problems);
                    let mut rows = parsed.rows.clone();
                    resolve_people(tx, &mut rows, &mut problems)?;
                    only_dated_within(tx, &rows, within, &mut problems)?;
                    import_sales_checked(tx, me.id, &rows, today, problems)
                        .map(|outcome| outcome.setting_aside(&parsed.ignored, &parsed.skipped))
                })
                .await
            }
            Kind::SatisfactionResponses => {
                let parsed = blocking(move || bulk::satisfaction(&upload)).await?;
                self.write(caller, move |tx, me| {
                    let mut problems = RowProblems::of(&parsed.problems);
                    let mut rows = parsed.rows.clone();
                    resolve_people(tx, &mut rows, &mut problems)?;
                    only_dated_within(tx, &rows, within, &mut problems)?;
                    import_dated(tx, me.id, &rows, today, Responses, problems)
                        .map(|outcome| outcome.setting_aside(&parsed.ignored, &parsed.skipped))
                })
                .await
            }
        }
    }
}

/// Runs `work` on the blocking threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    crate::db::Db::blocking(work).await
}

/// A row that names its employee.
trait NamesPerson {
    fn row(&self) -> usize;
    fn person(&self) -> &PersonRef;
    fn name(&self) -> Option<&str>;
    fn employee_id(&self) -> i32;
    fn set_employee(&mut self, id: i32);
}

impl NamesPerson for TargetRow {
    fn row(&self) -> usize {
        self.row
    }
    fn person(&self) -> &PersonRef {
        &self.person
    }
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    fn employee_id(&self) -> i32 {
        self.employee_id
    }
    fn set_employee(&mut self, id: i32) {
        self.employee_id = id;
    }
}

impl<V> NamesPerson for DatedRow<V> {
    fn row(&self) -> usize {
        self.row
    }
    fn person(&self) -> &PersonRef {
        &self.person
    }
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    fn employee_id(&self) -> i32 {
        self.employee_id
    }
    fn set_employee(&mut self, id: i32) {
        self.employee_id = id;
    }
}

/// Rows that name their employee by employee number or email get the employee's id; a
/// number or email nobody has is the row's problem, and so is a name given beside it
/// (`姓名`) that is not that person's. Rows whose person is not found are left out of the
/// checks that follow (their problem is already said).
fn resolve_people<R: NamesPerson>(
    tx: &mut DbConn,
    rows: &mut Vec<R>,
    problems: &mut RowProblems,
) -> Result<(), AppError> {
    let (mut numbers, mut emails) = (Vec::new(), Vec::new());
    for r in rows.iter() {
        match r.person() {
            PersonRef::Number(n) => numbers.push(n.clone()),
            PersonRef::Email(e) => emails.push(e.clone()),
            PersonRef::Id(_) => {}
        }
    }
    numbers.sort();
    numbers.dedup();
    emails.sort();
    emails.dedup();
    let (by_number, by_email) = users::ids_by_number_and_email(tx, &numbers, &emails)?;
    let mut found_ids = Vec::new();
    rows.retain_mut(|r| {
        let found = match r.person() {
            PersonRef::Id(id) => Some(*id),
            PersonRef::Number(n) => by_number.get(n).copied(),
            PersonRef::Email(e) => by_email.get(e).copied(),
        };
        match found {
            Some(id) => {
                r.set_employee(id);
                found_ids.push(id);
                true
            }
            None => {
                problems.add(r.row(), r.person().column(), Problem::NoSuchEmployee);
                false
            }
        }
    });
    if rows.iter().any(|r| r.name().is_some()) {
        found_ids.sort_unstable();
        found_ids.dedup();
        let names = users::names(tx, &found_ids)?;
        rows.retain(|r| {
            let (Some(given), Some(name)) = (r.name(), names.get(&r.employee_id())) else {
                return true;
            };
            if given.trim() == name.trim() {
                return true;
            }
            problems.add(
                r.row(),
                "display_name",
                Problem::NameMismatch { name: name.clone() },
            );
            false
        });
    }
    Ok(())
}

/// On a cycle's page, targets are for that cycle.
fn only_cycle_targets(rows: &[TargetRow], cycle: i32, problems: &mut RowProblems) {
    for r in rows.iter().filter(|r| r.cycle_id != cycle) {
        problems.add(r.row, "cycle_id", Problem::OtherCycle);
    }
}

/// On a cycle's page, dated evidence falls in that cycle's period.
fn only_dated_within<V>(
    tx: &mut DbConn,
    rows: &[DatedRow<V>],
    within: Option<i32>,
    problems: &mut RowProblems,
) -> Result<(), AppError> {
    let Some(cycle) = within else {
        return Ok(());
    };
    let cycle = cycles::get(tx, cycle)?;
    let period = cycle.period();
    for r in rows.iter().filter(|r| !period.contains(r.occurred_on)) {
        problems.add(
            r.row,
            "occurred_on",
            Problem::OutsideCycle {
                cycle: cycle.name.clone(),
                start: period.start,
                end: period.end,
            },
        );
    }
    Ok(())
}

/// Sales records (blocking, in the caller's transaction).
pub fn import_sales(
    tx: &mut DbConn,
    actor: i32,
    rows: &[DatedRow<Sale>],
    today: NaiveDate,
) -> Result<ImportOutcome, AppError> {
    import_sales_checked(tx, actor, rows, today, RowProblems::default())
}

/// [`import_sales`], with the problems already found in the rows.
fn import_sales_checked(
    tx: &mut DbConn,
    actor: i32,
    rows: &[DatedRow<Sale>],
    today: NaiveDate,
    problems: RowProblems,
) -> Result<ImportOutcome, AppError> {
    let mut outcome = import_dated(tx, actor, rows, today, Sales, problems)?;
    for r in rows.iter().filter(|r| r.values.amount < 0) {
        outcome.returns += 1;
        outcome.returns_amount += r.values.amount;
    }
    Ok(outcome)
}

/// Satisfaction responses (blocking, in the caller's transaction).
pub fn import_responses(
    tx: &mut DbConn,
    actor: i32,
    rows: &[DatedRow<Response>],
    today: NaiveDate,
) -> Result<ImportOutcome, AppError> {
    import_dated(tx, actor, rows, today, Responses, RowProblems::default())
}

/// Collects row problems; knows whether any was a conflict with a cycle's state.
#[derive(Default)]
pub(crate) struct RowProblems {
    errors: Vec<RowError>,
    conflict: bool,
}

impl RowProblems {
    /// Problems already found (in the cells of the rows).
    pub(crate) fn of(errors: &[RowError]) -> RowProblems {
        let mut problems = RowProblems::default();
        for e in errors {
            problems.add(e.row, &e.column, e.problem.clone());
        }
        problems
    }

    pub(crate) fn add(&mut self, row: usize, column: &str, problem: Problem) {
        self.conflict |= matches!(
            problem,
            Problem::CycleNotOpen { .. } | Problem::TargetsFrozen { .. }
        );
        self.errors.push(RowError {
            row,
            column: column.to_owned(),
            problem,
        });
    }
    /// How many problems were found so far.
    pub(crate) fn len(&self) -> usize {
        self.errors.len()
    }

    pub(crate) fn into_result(mut self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            return Ok(());
        }
        self.errors.sort_by_key(|e| e.row);
        Err(AppError::Rows {
            conflict: self.conflict,
            errors: self.errors,
        })
    }
}

fn check_employee(roles: &HashMap<i32, Role>, row: usize, id: i32, problems: &mut RowProblems) {
    match roles.get(&id) {
        None => problems.add(row, "employee_id", Problem::NoSuchEmployee),
        Some(Role::Hr) => problems.add(row, "employee_id", Problem::HrNotAppraised),
        Some(_) => {}
    }
}

/// Targets may be set while a cycle is being prepared (draft) or is open (or, once
/// published, for an employee whose appeal is open); a new target for the same employee
/// and cycle replaces the old one.
pub fn import_targets(
    tx: &mut DbConn,
    actor: i32,
    rows: &[TargetRow],
) -> Result<ImportOutcome, AppError> {
    import_targets_checked(tx, actor, rows, RowProblems::default())
}

/// [`import_targets`], with the problems already found in the rows.
fn import_targets_checked(
    tx: &mut DbConn,
    actor: i32,
    rows: &[TargetRow],
    mut problems: RowProblems,
) -> Result<ImportOutcome, AppError> {
    let roles = users::roles(tx)?;
    let spans: HashMap<i32, CycleSpan> = cycles::all(tx)?
        .into_iter()
        .map(|c| (c.id, c.span()))
        .collect();
    let appeals = cycles::open_appeals(tx)?;
    let mut wanted: HashMap<(i32, i32), (usize, i64)> = HashMap::new();
    for r in rows {
        check_employee(&roles, r.row, r.employee_id, &mut problems);
        match spans.get(&r.cycle_id) {
            None => problems.add(r.row, "cycle_id", Problem::NoSuchCycle),
            Some(c)
                if c.state > CycleState::Open
                    && !(c.state == CycleState::Published
                        && appeals.contains(&(c.id, r.employee_id))) =>
            {
                problems.add(
                    r.row,
                    "cycle_id",
                    Problem::TargetsFrozen {
                        cycle: c.name.clone(),
                        state: c.state,
                    },
                );
            }
            Some(_) => {}
        }
        match wanted.insert((r.cycle_id, r.employee_id), (r.row, r.target)) {
            Some((first, target)) if target != r.target => {
                problems.add(r.row, "target", Problem::OtherTargetInFile { row: first })
            }
            _ => {}
        }
    }
    problems.into_result()?;
    let entered: Vec<&CycleSpan> = wanted
        .keys()
        .filter_map(|(cycle_id, _)| spans.get(cycle_id))
        .collect();
    cycles::hold_for_entry(tx, &entered)?;
    let mut outcome = evidence::set_targets(tx, actor, &wanted)?;
    outcome.received = rows.len();
    // Rows that repeat a row of the same file count as unchanged.
    outcome.unchanged = rows.len() - (outcome.inserted + outcome.updated);
    Ok(outcome)
}

/// The parts of dated evidence that differ by kind.
trait DatedKind<V> {
    fn stored(
        &self,
        tx: &mut DbConn,
        refs: &[String],
    ) -> Result<Vec<(String, i32, NaiveDate, V)>, AppError>;
    fn insert(
        &self,
        tx: &mut DbConn,
        actor: i32,
        rows: &[(&DatedRow<V>, &[i32])],
    ) -> Result<(), AppError>;
}

struct Sales;
struct Responses;

impl DatedKind<Sale> for Sales {
    fn stored(
        &self,
        tx: &mut DbConn,
        refs: &[String],
    ) -> Result<Vec<(String, i32, NaiveDate, Sale)>, AppError> {
        evidence::stored_sales(tx, refs)
    }
    fn insert(
        &self,
        tx: &mut DbConn,
        actor: i32,
        rows: &[(&DatedRow<Sale>, &[i32])],
    ) -> Result<(), AppError> {
        evidence::insert_sales(tx, actor, rows)
    }
}

impl DatedKind<Response> for Responses {
    fn stored(
        &self,
        tx: &mut DbConn,
        refs: &[String],
    ) -> Result<Vec<(String, i32, NaiveDate, Response)>, AppError> {
        evidence::stored_responses(tx, refs)
    }
    fn insert(
        &self,
        tx: &mut DbConn,
        actor: i32,
        rows: &[(&DatedRow<Response>, &[i32])],
    ) -> Result<(), AppError> {
        evidence::insert_responses(tx, actor, rows)
    }
}

/// The checks of dated evidence: employee, a date not after the company's `today`, a cycle
/// that takes the date, references repeated in the file or already stored with other
/// values. Rows already stored identically are skipped; the cycles written into are held
/// for the rest of the transaction.
fn import_dated<V: PartialEq>(
    tx: &mut DbConn,
    actor: i32,
    rows: &[DatedRow<V>],
    today: NaiveDate,
    kind: impl DatedKind<V>,
    mut problems: RowProblems,
) -> Result<ImportOutcome, AppError> {
    let roles = users::roles(tx)?;
    let spans: Vec<CycleSpan> = cycles::all(tx)?.iter().map(|c| c.span()).collect();
    let appeals = cycles::open_appeals(tx)?;
    let mut first_with_ref: HashMap<&str, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(&first) = first_with_ref.get(r.external_ref.as_str()) {
            let a = &rows[first];
            if a.employee_id != r.employee_id
                || a.occurred_on != r.occurred_on
                || a.values != r.values
            {
                problems.add(
                    r.row,
                    "external_ref",
                    Problem::OtherValuesInFile { row: a.row },
                );
            }
        } else {
            first_with_ref.insert(&r.external_ref, i);
        }
    }
    let refs: Vec<String> = first_with_ref.keys().map(|r| r.to_string()).collect();
    let mut stored: HashMap<String, (i32, NaiveDate, V)> = HashMap::new();
    for chunk in refs.chunks(evidence::CHUNK) {
        for (reference, employee, day, values) in kind.stored(tx, chunk)? {
            stored.insert(reference, (employee, day, values));
        }
    }
    let mut outcome = ImportOutcome {
        received: rows.len(),
        ..ImportOutcome::default()
    };
    // Per new row: every cycle it counts in, the one recorded as taking it first.
    let mut takers_of: Vec<(usize, Vec<i32>)> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let first = first_with_ref[r.external_ref.as_str()] == i;
        let stored_as = stored.get(&r.external_ref);
        // A row stored before with the same values is skipped before any other check: a
        // file sent again is taken for its new rows even when an older date's cycle has
        // moved on since.
        if stored_as.is_some_and(|(employee, day, values)| {
            *employee == r.employee_id && *day == r.occurred_on && *values == r.values
        }) {
            outcome.unchanged += 1;
            continue;
        }
        check_employee(&roles, r.row, r.employee_id, &mut problems);
        let entry = not_in_future(r.occurred_on, today).and_then(|day| {
            entry_cycle(&spans, day, |cycle| {
                appeals.contains(&(cycle, r.employee_id))
            })
        });
        let takers: Option<Vec<i32>> = match entry {
            Ok(entry) => Some(
                std::iter::once(entry.cycle.id)
                    .chain(
                        entry
                            .takers
                            .iter()
                            .map(|c| c.id)
                            .filter(|&c| c != entry.cycle.id),
                    )
                    .collect(),
            ),
            Err(problem) => {
                debug_assert!(
                    entry_problem_is_conflict(&problem)
                        || matches!(
                            problem,
                            Problem::NoCycleForDate | Problem::FutureDate { .. }
                        )
                );
                problems.add(r.row, "occurred_on", problem);
                None
            }
        };
        match (stored_as, takers) {
            (Some(_), _) => problems.add(r.row, "external_ref", Problem::ReferenceTaken),
            (None, _) if !first => outcome.unchanged += 1,
            (None, Some(takers)) => takers_of.push((i, takers)),
            (None, None) => {}
        }
    }
    let plan: Vec<(&DatedRow<V>, &[i32])> = takers_of
        .iter()
        .map(|(i, takers)| (&rows[*i], takers.as_slice()))
        .collect();
    let into: HashSet<i32> = takers_of
        .iter()
        .flat_map(|(_, t)| t.iter().copied())
        .collect();
    problems.into_result()?;
    outcome.inserted = plan.len();
    let entered: Vec<&CycleSpan> = spans.iter().filter(|c| into.contains(&c.id)).collect();
    cycles::hold_for_entry(tx, &entered)?;
    kind.insert(tx, actor, &plan)?;
    Ok(outcome)
}
