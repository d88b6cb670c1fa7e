//! Bulk evidence: sales targets, sales records and satisfaction responses. Every row is
//! checked before anything is written; one bad row refuses the whole import. Re-sending a
//! row with the same `external_ref` and the same values is a no-op; the same reference with
//! other values is an error. Each import leaves one audit event per cycle it touched.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use super::audit::{self, Change, Entity};
use super::cycles::{self, Cycle, EntryProblem};
use super::now;
use crate::db::schema::{sales_records, sales_targets, satisfaction_responses, users};
use crate::db::{write_tx, DbConn};
use crate::domain::clock::not_in_future;
use crate::domain::cycle::CycleState;
use crate::domain::user::Role;
use crate::error::{AppError, RowError};

/// Rows per INSERT statement (well under both backends' bind-parameter limits).
const CHUNK: usize = 1000;

#[derive(Debug, Default, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    pub received: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Collects row problems; knows whether any was a conflict with a cycle's state.
#[derive(Default)]
struct RowProblems {
    errors: Vec<RowError>,
    conflict: bool,
}

impl RowProblems {
    fn add(&mut self, row: usize, column: &str, message: impl Into<String>) {
        self.errors.push(RowError {
            row,
            column: column.to_owned(),
            message: message.into(),
        });
    }
    fn entry(&mut self, row: usize, column: &str, problem: EntryProblem) {
        self.conflict |= matches!(problem, EntryProblem::NotOpen { .. });
        self.add(row, column, problem.message());
    }
    fn into_result(mut self) -> Result<(), AppError> {
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

/// Appraised people (staff and supervisors) by id, for checking employee columns.
fn employees(conn: &mut DbConn) -> Result<HashMap<i32, String>, AppError> {
    Ok(users::table
        .select((users::id, users::role))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect())
}

fn check_employee(known: &HashMap<i32, String>, row: usize, id: i32, problems: &mut RowProblems) {
    match known.get(&id) {
        None => problems.add(row, "employee_id", "no such employee"),
        Some(role) if role == Role::Hr.as_str() => {
            problems.add(row, "employee_id", "HR staff are not appraised")
        }
        Some(_) => {}
    }
}

fn record_import(
    conn: &mut DbConn,
    actor: i32,
    action: &str,
    per_cycle: BTreeMap<i32, ImportOutcome>,
) -> Result<(), AppError> {
    for (cycle_id, outcome) in per_cycle {
        if outcome.inserted + outcome.updated == 0 {
            continue;
        }
        audit::record(
            conn,
            Change::<(), _> {
                actor: Some(actor),
                action,
                entity: Entity::Cycle,
                entity_id: cycle_id,
                before: None,
                after: Some(&outcome),
            },
        )?;
    }
    Ok(())
}

pub struct TargetRow {
    pub row: usize,
    pub employee_id: i32,
    pub cycle_id: i32,
    pub target: i64,
}

/// Targets may be set while a cycle is being prepared (draft) or is open; a new target for
/// the same employee and cycle replaces the old one.
pub fn import_targets(
    conn: &mut DbConn,
    actor: i32,
    rows: &[TargetRow],
) -> Result<ImportOutcome, AppError> {
    write_tx(conn, |conn| {
        let known = employees(conn)?;
        let all: HashMap<i32, Cycle> = cycles::all(conn)?.into_iter().map(|c| (c.id, c)).collect();
        let appeals = cycles::open_appeals(conn)?;
        let mut problems = RowProblems::default();
        let mut wanted: HashMap<(i32, i32), (usize, i64)> = HashMap::new();
        for r in rows {
            check_employee(&known, r.row, r.employee_id, &mut problems);
            match all.get(&r.cycle_id) {
                None => problems.add(r.row, "cycle_id", "no such cycle"),
                Some(c)
                    if c.state() > CycleState::Open
                        && !cycles::accepts_entry(c, &appeals, r.employee_id) =>
                {
                    problems.conflict = true;
                    problems.add(
                        r.row,
                        "cycle_id",
                        format!(
                            "cycle \"{}\" is {}: targets can no longer change",
                            c.name,
                            c.state()
                        ),
                    );
                }
                Some(_) => {}
            }
            match wanted.insert((r.cycle_id, r.employee_id), (r.row, r.target)) {
                Some((first, target)) if target != r.target => problems.add(
                    r.row,
                    "target",
                    format!("row {first} sets another target for the same employee and cycle"),
                ),
                _ => {}
            }
        }
        problems.into_result()?;
        let entered: Vec<&Cycle> = wanted
            .keys()
            .filter_map(|(cycle_id, _)| all.get(cycle_id))
            .collect();
        cycles::hold_for_entry(conn, &entered)?;

        let mut outcome = ImportOutcome {
            received: rows.len(),
            ..ImportOutcome::default()
        };
        let mut per_cycle: BTreeMap<i32, ImportOutcome> = BTreeMap::new();
        let at = now();
        for ((cycle_id, employee_id), (_, target)) in wanted {
            let existing: Option<i64> = sales_targets::table
                .find((cycle_id, employee_id))
                .select(sales_targets::target_minor)
                .first(conn)
                .optional()?;
            let tally = per_cycle.entry(cycle_id).or_default();
            match existing {
                Some(current) if current == target => {
                    outcome.unchanged += 1;
                    tally.unchanged += 1;
                }
                Some(_) => {
                    diesel::update(sales_targets::table.find((cycle_id, employee_id)))
                        .set((
                            sales_targets::target_minor.eq(target),
                            sales_targets::updated_at.eq(at),
                        ))
                        .execute(conn)?;
                    outcome.updated += 1;
                    tally.updated += 1;
                }
                None => {
                    diesel::insert_into(sales_targets::table)
                        .values((
                            sales_targets::cycle_id.eq(cycle_id),
                            sales_targets::employee_id.eq(employee_id),
                            sales_targets::target_minor.eq(target),
                            sales_targets::updated_at.eq(at),
                        ))
                        .execute(conn)?;
                    outcome.inserted += 1;
                    tally.inserted += 1;
                }
            }
        }
        // Rows that repeat a row of the same file count as unchanged.
        outcome.unchanged += rows.len() - (outcome.inserted + outcome.updated + outcome.unchanged);
        record_import(conn, actor, "import_sales_targets", per_cycle)?;
        Ok(outcome)
    })
}

/// A dated row of evidence with an external reference, generic over its values.
pub struct DatedRow<V> {
    pub row: usize,
    pub employee_id: i32,
    pub occurred_on: NaiveDate,
    pub external_ref: String,
    pub values: V,
}

/// The common checks of dated evidence: employee, a date not after the company's `today`,
/// open cycle for the date, references repeated in the file or already stored with other
/// values. Returns, for each row to insert, its cycle; rows already stored identically are
/// skipped. The cycles written into are held for the rest of the transaction.
fn plan_dated<V: PartialEq>(
    conn: &mut DbConn,
    rows: &[DatedRow<V>],
    today: NaiveDate,
    existing: impl Fn(&mut DbConn, &[String]) -> Result<Vec<(String, i32, NaiveDate, V)>, AppError>,
) -> Result<(Vec<(usize, i32)>, ImportOutcome), AppError> {
    let known = employees(conn)?;
    let all = cycles::all(conn)?;
    let appeals = cycles::open_appeals(conn)?;
    let mut problems = RowProblems::default();
    let mut cycle_of = Vec::with_capacity(rows.len());
    let mut first_with_ref: HashMap<&str, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        check_employee(&known, r.row, r.employee_id, &mut problems);
        if let Err(reason) = not_in_future(r.occurred_on, today) {
            problems.add(r.row, "occurred_on", reason);
            cycle_of.push(None);
        } else {
            match cycles::entry_cycle_for(&all, &appeals, r.occurred_on, r.employee_id) {
                Ok(c) => cycle_of.push(Some(c.id)),
                Err(problem) => {
                    problems.entry(r.row, "occurred_on", problem);
                    cycle_of.push(None);
                }
            }
        }
        if let Some(&first) = first_with_ref.get(r.external_ref.as_str()) {
            let a = &rows[first];
            if a.employee_id != r.employee_id
                || a.occurred_on != r.occurred_on
                || a.values != r.values
            {
                problems.add(
                    r.row,
                    "external_ref",
                    format!("row {} has the same external_ref with other values", a.row),
                );
            }
        } else {
            first_with_ref.insert(&r.external_ref, i);
        }
    }
    let refs: Vec<String> = first_with_ref.keys().map(|r| r.to_string()).collect();
    let mut stored: HashMap<String, (i32, NaiveDate, V)> = HashMap::new();
    for chunk in refs.chunks(CHUNK) {
        for (reference, employee, day, values) in existing(conn, chunk)? {
            stored.insert(reference, (employee, day, values));
        }
    }
    let mut outcome = ImportOutcome {
        received: rows.len(),
        ..ImportOutcome::default()
    };
    let mut plan = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let first = first_with_ref[r.external_ref.as_str()] == i;
        match stored.get(&r.external_ref) {
            Some((employee, day, values))
                if *employee == r.employee_id && *day == r.occurred_on && *values == r.values =>
            {
                outcome.unchanged += 1
            }
            Some(_) => problems.add(
                r.row,
                "external_ref",
                "was imported before with other values",
            ),
            None if !first => outcome.unchanged += 1,
            None => {
                if let Some(cycle) = cycle_of[i] {
                    plan.push((i, cycle));
                }
            }
        }
    }
    problems.into_result()?;
    outcome.inserted = plan.len();
    let into: std::collections::HashSet<i32> = plan.iter().map(|(_, id)| *id).collect();
    let entered: Vec<&Cycle> = all.iter().filter(|c| into.contains(&c.id)).collect();
    cycles::hold_for_entry(conn, &entered)?;
    Ok((plan, outcome))
}

fn tally(plan: &[(usize, i32)]) -> BTreeMap<i32, ImportOutcome> {
    let mut per_cycle: BTreeMap<i32, ImportOutcome> = BTreeMap::new();
    for (_, cycle) in plan {
        let t = per_cycle.entry(*cycle).or_default();
        t.inserted += 1;
        t.received += 1;
    }
    per_cycle
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sale {
    pub amount: i64,
}

pub fn import_sales(
    conn: &mut DbConn,
    actor: i32,
    rows: &[DatedRow<Sale>],
    today: NaiveDate,
) -> Result<ImportOutcome, AppError> {
    write_tx(conn, |conn| {
        let (plan, outcome) = plan_dated(conn, rows, today, |conn, refs| {
            Ok(sales_records::table
                .filter(sales_records::external_ref.eq_any(refs))
                .select((
                    sales_records::external_ref,
                    sales_records::employee_id,
                    sales_records::occurred_on,
                    sales_records::amount_minor,
                ))
                .load::<(String, i32, NaiveDate, i64)>(conn)?
                .into_iter()
                .map(|(r, e, d, amount)| (r, e, d, Sale { amount }))
                .collect())
        })?;
        let at = now();
        for chunk in plan.chunks(CHUNK) {
            let values: Vec<_> = chunk
                .iter()
                .map(|&(i, cycle)| {
                    let r = &rows[i];
                    (
                        sales_records::cycle_id.eq(cycle),
                        sales_records::employee_id.eq(r.employee_id),
                        sales_records::occurred_on.eq(r.occurred_on),
                        sales_records::amount_minor.eq(r.values.amount),
                        sales_records::external_ref.eq(&r.external_ref),
                        sales_records::created_at.eq(at),
                    )
                })
                .collect();
            // Multi-row inserts do not go through the multi connection; use the variant.
            let insert = diesel::insert_into(sales_records::table).values(&values);
            match conn {
                DbConn::Pg(c) => insert.execute(c)?,
                DbConn::Sqlite(c) => insert.execute(c)?,
            };
        }
        record_import(conn, actor, "import_sales_records", tally(&plan))?;
        Ok(outcome)
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub rating: i32,
    pub channel: String,
}

pub fn import_satisfaction(
    conn: &mut DbConn,
    actor: i32,
    rows: &[DatedRow<Response>],
    today: NaiveDate,
) -> Result<ImportOutcome, AppError> {
    write_tx(conn, |conn| {
        let (plan, outcome) = plan_dated(conn, rows, today, |conn, refs| {
            Ok(satisfaction_responses::table
                .filter(satisfaction_responses::external_ref.eq_any(refs))
                .select((
                    satisfaction_responses::external_ref,
                    satisfaction_responses::employee_id,
                    satisfaction_responses::occurred_on,
                    satisfaction_responses::rating,
                    satisfaction_responses::channel,
                ))
                .load::<(String, i32, NaiveDate, i32, String)>(conn)?
                .into_iter()
                .map(|(r, e, d, rating, channel)| (r, e, d, Response { rating, channel }))
                .collect())
        })?;
        let at = now();
        for chunk in plan.chunks(CHUNK) {
            let values: Vec<_> = chunk
                .iter()
                .map(|&(i, cycle)| {
                    let r = &rows[i];
                    (
                        satisfaction_responses::cycle_id.eq(cycle),
                        satisfaction_responses::employee_id.eq(r.employee_id),
                        satisfaction_responses::occurred_on.eq(r.occurred_on),
                        satisfaction_responses::rating.eq(r.values.rating),
                        satisfaction_responses::channel.eq(&r.values.channel),
                        satisfaction_responses::external_ref.eq(&r.external_ref),
                        satisfaction_responses::created_at.eq(at),
                    )
                })
                .collect();
            let insert = diesel::insert_into(satisfaction_responses::table).values(&values);
            match conn {
                DbConn::Pg(c) => insert.execute(c)?,
                DbConn::Sqlite(c) => insert.execute(c)?,
            };
        }
        record_import(conn, actor, "import_satisfaction_responses", tally(&plan))?;
        Ok(outcome)
    })
}

/// What a cycle holds for one employee: counts and sums, never who rated whom.
#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
pub struct EmployeeEvidence {
    pub employee_id: i32,
    pub sales_target: Option<i64>,
    pub sales_records: i64,
    pub sales_total: i64,
    pub satisfaction_responses: i64,
    pub satisfaction_rating_sum: i64,
    pub inspections: i64,
    pub collaboration_raters: i64,
    pub collaboration_rating_sum: i64,
}

/// One aggregate query per evidence table over the whole cycle (no query per employee).
pub fn summary(
    conn: &mut DbConn,
    cycle_id: i32,
    employee: Option<i32>,
) -> Result<Vec<EmployeeEvidence>, AppError> {
    use crate::db::schema::{collaboration_ratings as cr, inspections as ins};
    use diesel::dsl::{count_star, sql};
    use diesel::sql_types::BigInt;

    let mut by_employee: BTreeMap<i32, EmployeeEvidence> = BTreeMap::new();
    fn slot(map: &mut BTreeMap<i32, EmployeeEvidence>, id: i32) -> &mut EmployeeEvidence {
        map.entry(id).or_insert_with(|| EmployeeEvidence {
            employee_id: id,
            ..EmployeeEvidence::default()
        })
    }
    let wanted = |id: i32| employee.is_none_or(|e| e == id);

    let targets: Vec<(i32, i64)> = sales_targets::table
        .filter(sales_targets::cycle_id.eq(cycle_id))
        .select((sales_targets::employee_id, sales_targets::target_minor))
        .load(conn)?;
    for (id, target) in targets.into_iter().filter(|(id, _)| wanted(*id)) {
        slot(&mut by_employee, id).sales_target = Some(target);
    }
    let sales: Vec<(i32, i64, i64)> = sales_records::table
        .filter(sales_records::cycle_id.eq(cycle_id))
        .group_by(sales_records::employee_id)
        .select((
            sales_records::employee_id,
            count_star(),
            sql::<BigInt>("CAST(SUM(amount_minor) AS BIGINT)"),
        ))
        .load(conn)?;
    for (id, n, total) in sales.into_iter().filter(|r| wanted(r.0)) {
        let e = slot(&mut by_employee, id);
        e.sales_records = n;
        e.sales_total = total;
    }
    let csat: Vec<(i32, i64, i64)> = satisfaction_responses::table
        .filter(satisfaction_responses::cycle_id.eq(cycle_id))
        .group_by(satisfaction_responses::employee_id)
        .select((
            satisfaction_responses::employee_id,
            count_star(),
            sql::<BigInt>("CAST(SUM(rating) AS BIGINT)"),
        ))
        .load(conn)?;
    for (id, n, sum) in csat.into_iter().filter(|r| wanted(r.0)) {
        let e = slot(&mut by_employee, id);
        e.satisfaction_responses = n;
        e.satisfaction_rating_sum = sum;
    }
    let inspected: Vec<(i32, i64)> = ins::table
        .filter(ins::cycle_id.eq(cycle_id))
        .group_by(ins::employee_id)
        .select((ins::employee_id, count_star()))
        .load(conn)?;
    for (id, n) in inspected.into_iter().filter(|r| wanted(r.0)) {
        slot(&mut by_employee, id).inspections = n;
    }
    // One rating per rater and ratee per cycle (unique), so rows are raters.
    let collaboration: Vec<(i32, i64, i64)> = cr::table
        .filter(cr::cycle_id.eq(cycle_id))
        .group_by(cr::ratee_id)
        .select((
            cr::ratee_id,
            count_star(),
            sql::<BigInt>("CAST(SUM(rating) AS BIGINT)"),
        ))
        .load(conn)?;
    for (id, n, sum) in collaboration.into_iter().filter(|r| wanted(r.0)) {
        let e = slot(&mut by_employee, id);
        e.collaboration_raters = n;
        e.collaboration_rating_sum = sum;
    }
    Ok(by_employee.into_values().collect())
}
