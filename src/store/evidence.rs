//! Evidence rows: sales targets, sales records and satisfaction responses as stored, the
//! references already imported, and the per-employee sums a computation reads. The checks
//! of an import are `app::evidence`'s.

use crate::domain::audit::Action;
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use super::audit::{self, Change, Entity};
use super::now;
use crate::db::schema::{sales_records, sales_targets, satisfaction_responses};
use crate::db::DbConn;
pub use crate::domain::appraisal::EmployeeEvidence;
use crate::domain::user::PersonRef;
use crate::error::AppError;

/// Rows per INSERT statement, and references per lookup (well under both backends'
/// bind-parameter limits).
pub const CHUNK: usize = 1000;

#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    pub received: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Sales records with a negative amount among those received: returns and refunds,
    /// counted so that the one who uploads sees them (0 for other kinds).
    pub returns: usize,
    /// Their amounts together, in fen (zero or negative).
    pub returns_amount: i64,
    /// Columns of the file that no rule reads, as the file names them: left aside.
    pub ignored_columns: Vec<String>,
    /// Totals rows of the file (a "合计" or "Total" row naming nobody): skipped.
    pub skipped_rows: Vec<usize>,
}

impl ImportOutcome {
    /// The answer, with what the file held that was left aside.
    pub fn setting_aside(mut self, ignored: &[String], skipped: &[usize]) -> ImportOutcome {
        self.ignored_columns = ignored.to_vec();
        self.skipped_rows = skipped.to_vec();
        self
    }
}

fn record_import(
    conn: &mut DbConn,
    actor: i32,
    action: Action,
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

#[derive(Debug, Clone)]
pub struct TargetRow {
    pub row: usize,
    /// How the row named the employee; `employee_id` is theirs once resolved.
    pub person: PersonRef,
    /// The name the row gives beside the number or email (`姓名`), checked against theirs.
    pub name: Option<String>,
    pub employee_id: i32,
    pub cycle_id: i32,
    pub target: i64,
}

/// Sets each (cycle, employee) → target, with one audit event per cycle touched; answers
/// how many were inserted, updated and already so.
pub fn set_targets(
    conn: &mut DbConn,
    actor: i32,
    wanted: &HashMap<(i32, i32), (usize, i64)>,
) -> Result<ImportOutcome, AppError> {
    let mut outcome = ImportOutcome::default();
    let mut per_cycle: BTreeMap<i32, ImportOutcome> = BTreeMap::new();
    let at = now();
    for (&(cycle_id, employee_id), &(_, target)) in wanted {
        let existing: Option<i64> = sales_targets::table
            .find((cycle_id, employee_id))
            .select(sales_targets::target_minor)
            .first(conn)
            .optional()?;
        let tally = per_cycle.entry(cycle_id).or_default();
        // The audit event says how many of the file's targets were for this cycle.
        tally.received += 1;
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
    record_import(conn, actor, Action::ImportSalesTargets, per_cycle)?;
    Ok(outcome)
}

/// A dated row of evidence with an external reference, generic over its values.
#[derive(Debug, Clone)]
pub struct DatedRow<V> {
    /// As the spreadsheet shows it ([`crate::error::RowError`]).
    pub row: usize,
    /// How the row named the employee; `employee_id` is theirs once resolved.
    pub person: PersonRef,
    /// The name the row gives beside the number or email (`姓名`), checked against theirs.
    pub name: Option<String>,
    pub employee_id: i32,
    pub occurred_on: NaiveDate,
    pub external_ref: String,
    pub values: V,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sale {
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub rating: i32,
    pub channel: String,
}

/// Per cycle, how many rows go in (the audit event of an import).
/// What each cycle received: a row counts in every cycle it was placed in.
fn tally<V>(plan: &[(&DatedRow<V>, &[i32])]) -> BTreeMap<i32, ImportOutcome> {
    let mut per_cycle: BTreeMap<i32, ImportOutcome> = BTreeMap::new();
    for (_, cycles) in plan {
        for cycle in *cycles {
            let t = per_cycle.entry(*cycle).or_default();
            t.inserted += 1;
            t.received += 1;
        }
    }
    per_cycle
}

/// The stored sales among `refs`: (reference, employee, date, amount).
pub fn stored_sales(
    conn: &mut DbConn,
    refs: &[String],
) -> Result<Vec<(String, i32, NaiveDate, Sale)>, AppError> {
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
}

/// The stored responses among `refs`.
pub fn stored_responses(
    conn: &mut DbConn,
    refs: &[String],
) -> Result<Vec<(String, i32, NaiveDate, Response)>, AppError> {
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
}

/// Inserts sales, each recorded under the first of its cycles (`cycle_id`: the cycle that
/// took it), with one audit event per cycle it counts in.
pub fn insert_sales(
    conn: &mut DbConn,
    actor: i32,
    plan: &[(&DatedRow<Sale>, &[i32])],
) -> Result<(), AppError> {
    let at = now();
    for chunk in plan.chunks(CHUNK) {
        let values: Vec<_> = chunk
            .iter()
            .map(|&(r, cycles)| {
                (
                    sales_records::cycle_id.eq(cycles[0]),
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
    record_import(conn, actor, Action::ImportSalesRecords, tally(plan))
}

/// Inserts satisfaction responses as [`insert_sales`] does sales.
pub fn insert_responses(
    conn: &mut DbConn,
    actor: i32,
    plan: &[(&DatedRow<Response>, &[i32])],
) -> Result<(), AppError> {
    let at = now();
    for chunk in plan.chunks(CHUNK) {
        let values: Vec<_> = chunk
            .iter()
            .map(|&(r, cycles)| {
                (
                    satisfaction_responses::cycle_id.eq(cycles[0]),
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
    record_import(
        conn,
        actor,
        Action::ImportSatisfactionResponses,
        tally(plan),
    )
}

/// One aggregate query per evidence table over the whole cycle (no query per employee):
/// targets and ratings are the cycle's own, dated evidence is what its period holds.
pub fn summary(
    conn: &mut DbConn,
    cycle_id: i32,
    employee: Option<i32>,
) -> Result<Vec<EmployeeEvidence>, AppError> {
    use crate::db::schema::{
        collaboration_ratings as cr, complaint_charges as cc, complaints, inspections as ins,
    };
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
    let period = super::period_of(conn, cycle_id)?;

    let targets: Vec<(i32, i64)> = sales_targets::table
        .filter(sales_targets::cycle_id.eq(cycle_id))
        .select((sales_targets::employee_id, sales_targets::target_minor))
        .load(conn)?;
    for (id, target) in targets.into_iter().filter(|(id, _)| wanted(*id)) {
        slot(&mut by_employee, id).sales_target = Some(target);
    }
    let sales: Vec<(i32, i64, i64)> = sales_records::table
        .filter(sales_records::occurred_on.between(period.start, period.end))
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
        .filter(satisfaction_responses::occurred_on.between(period.start, period.end))
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
        .filter(ins::occurred_on.between(period.start, period.end))
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
    // What the complaints received in the period charged to each employee.
    let charged: Vec<(i32, i64, i64, i64)> = cc::table
        .inner_join(complaints::table)
        .filter(complaints::received_on.between(period.start, period.end))
        .group_by(cc::employee_id)
        .select((
            cc::employee_id,
            diesel::dsl::count(cc::complaint_id).aggregate_distinct(),
            sql::<BigInt>(
                "CAST(SUM(CASE WHEN complaint_charges.earned THEN 1 ELSE 0 END) AS BIGINT)",
            ),
            count_star(),
        ))
        .load(conn)?;
    for (id, complaints, earned, possible) in charged.into_iter().filter(|r| wanted(r.0)) {
        let e = slot(&mut by_employee, id);
        e.complaints = complaints;
        e.responsiveness_earned = earned;
        e.responsiveness_possible = possible;
    }
    Ok(by_employee.into_values().collect())
}
