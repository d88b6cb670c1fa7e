//! Appraisal rows: written for a whole cycle at once (set-based: a handful of aggregate
//! queries, then one transaction of writes; the scoring is `domain::appraisal`'s and the
//! orchestration `app::appraisals`'), read through the data scope.

use crate::domain::audit::Action;
use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::audit::{self, Change, Entity};
use super::cycles::Cycle;
use super::now;
use super::scope::Scope;
use super::users::User;
use crate::db::schema::{
    appraisals, checklist_items, cycles as cycle_table, inspection_scores, inspections, users,
};
use crate::db::{on_backend, DbConn};
use crate::domain::appraisal::{centi, AppraisalState, Computed};
pub use crate::domain::appraisal::{ComponentInput, Inputs, InspectionInput};
use crate::domain::checklist::score_from_totals;
use crate::domain::component::Component;
use crate::domain::scoring::mean_of_hundredths;
use crate::domain::user::Role;
use crate::error::AppError;

// Every column, in the order of the row struct.
use crate::db::schema::appraisals::all_columns as COLUMNS;

#[derive(Debug, Clone, Queryable, Serialize)]
pub struct Appraisal {
    pub id: i32,
    pub cycle_id: i32,
    pub employee_id: i32,
    pub department_id: i32,
    pub sales_centi: Option<i32>,
    pub satisfaction_centi: Option<i32>,
    pub etiquette_centi: Option<i32>,
    pub collaboration_centi: Option<i32>,
    pub total_centi: Option<i32>,
    pub grade: Option<String>,
    pub department_rank: Option<i32>,
    #[serde(skip)]
    pub inputs_json: String,
    /// An unknown stored state is an error when the row is read, never a default.
    #[diesel(deserialize_as = String)]
    pub state: AppraisalState,
    pub supervisor_comment: Option<String>,
    pub reviewed_by: Option<i32>,
    #[serde(serialize_with = "super::as_utc")]
    pub computed_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    pub version: i32,
    /// The cycle's `inputs_revision` this appraisal was computed from.
    pub basis_revision: i64,
    pub responsiveness_centi: Option<i32>,
}

impl Appraisal {
    pub fn inputs(&self) -> Result<Inputs, AppError> {
        serde_json::from_str(&self.inputs_json).map_err(AppError::internal)
    }
    pub fn is_published(&self) -> bool {
        self.state.is_published()
    }
    /// When the appeal window of this (published) appraisal closes in `cycle`.
    pub fn appeal_closes(&self, cycle: &Cycle) -> NaiveDateTime {
        crate::domain::appraisal::appeal_closes(
            self.published_at.unwrap_or(self.computed_at),
            cycle.appeal_window_days,
        )
    }

    /// A component's score in hundredths, as stored.
    pub fn centi(&self, c: Component) -> Option<i32> {
        match c {
            Component::Sales => self.sales_centi,
            Component::Satisfaction => self.satisfaction_centi,
            Component::Etiquette => self.etiquette_centi,
            Component::Collaboration => self.collaboration_centi,
            Component::Responsiveness => self.responsiveness_centi,
        }
    }

    /// The total as a number with two decimals (stored in hundredths).
    pub fn total(&self) -> Option<f64> {
        self.total_centi.map(|t| f64::from(t) / 100.0)
    }
}

/// The inspections of the cycle's period with their scores, per employee: one query that totals each
/// inspection's points in the database, so a cycle's item scores never travel one by one.
pub fn inspections_by_employee(
    conn: &mut DbConn,
    cycle_id: i32,
    employee: Option<i32>,
) -> Result<HashMap<i32, Vec<InspectionInput>>, AppError> {
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Integer};
    let period = super::period_of(conn, cycle_id)?;
    let mut query = inspection_scores::table
        .inner_join(inspections::table)
        .inner_join(checklist_items::table)
        .filter(inspections::occurred_on.between(period.start, period.end))
        .group_by((
            inspections::id,
            inspections::employee_id,
            inspections::occurred_on,
        ))
        .select((
            inspections::id,
            inspections::employee_id,
            inspections::occurred_on,
            sql::<BigInt>("CAST(SUM(inspection_scores.points) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(checklist_items.max_points) AS BIGINT)"),
            sql::<Integer>(
                "CAST(MAX(CASE WHEN checklist_items.critical AND inspection_scores.points = 0 \
                 THEN 1 ELSE 0 END) AS INTEGER)",
            ),
        ))
        .order(inspections::id)
        .into_boxed();
    if let Some(employee) = employee {
        query = query.filter(inspections::employee_id.eq(employee));
    }
    let rows: Vec<(i32, i32, NaiveDate, i64, i64, i32)> = query.load(conn)?;
    let mut result: HashMap<i32, Vec<InspectionInput>> = HashMap::new();
    for (id, employee, day, points, max_points, critical_failed) in rows {
        let total = |v: i64| i32::try_from(v).map_err(AppError::internal);
        let score = score_from_totals(total(points)?, total(max_points)?, critical_failed != 0);
        result.entry(employee).or_default().push(InspectionInput {
            id,
            occurred_on: day,
            score: score.score,
            critical_failed: score.critical_failed,
        });
    }
    Ok(result)
}

/// Active people who are appraised (staff and supervisors), with their department.
pub fn appraised(conn: &mut DbConn) -> Result<Vec<(i32, i32)>, AppError> {
    Ok(users::table
        .filter(users::active.eq(true))
        .filter(users::role.ne(Role::Hr.as_str()))
        .select((users::id, users::department_id))
        .order(users::id)
        .load(conn)?)
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ComputeOutcome {
    pub computed: usize,
    pub with_total: usize,
    pub insufficient_evidence: usize,
    /// Appraisals new, or whose numbers (a component's score, the total, the grade) changed.
    pub changed: usize,
    /// Reviewed appraisals whose numbers changed: back to draft, their reviewer told.
    pub reviews_reset: usize,
    /// Reviewed appraisals whose numbers stayed: their review stands.
    pub reviews_kept: usize,
    /// The reviews set back, as (reviewer, appraisal), for the use case to tell them.
    #[serde(skip)]
    #[schema(ignore)]
    pub reset: Vec<(i32, i32)>,
}

/// A first computation's row.
#[derive(Insertable)]
#[diesel(table_name = appraisals, treat_none_as_default_value = false)]
struct NewAppraisal {
    cycle_id: i32,
    employee_id: i32,
    department_id: i32,
    sales_centi: Option<i32>,
    satisfaction_centi: Option<i32>,
    etiquette_centi: Option<i32>,
    collaboration_centi: Option<i32>,
    responsiveness_centi: Option<i32>,
    total_centi: Option<i32>,
    grade: Option<String>,
    department_rank: Option<i32>,
    inputs_json: String,
    state: &'static str,
    computed_at: NaiveDateTime,
    version: i32,
    basis_revision: i64,
}

fn insert_new(conn: &mut DbConn, rows: &[NewAppraisal]) -> Result<(), AppError> {
    Ok(crate::db::insert_bulk!(conn, appraisals::table, rows)?)
}

/// Writes a computation of `cycle` (every appraised employee's result with their rank):
/// new appraisals in bulk; one whose numbers changed (a component's score, the total, the
/// grade) gets a new version and goes back to draft, its review undone, for its supervisor
/// to review again; one whose numbers stayed keeps its state and review (its stored inputs
/// and rank are brought up to date if they moved). Every appraisal of the cycle then stands
/// on the cycle's current inputs. One audit event on the cycle.
pub fn write_computed(
    conn: &mut DbConn,
    actor: i32,
    cycle: &Cycle,
    computed: Vec<(Computed, Option<i32>)>,
) -> Result<ComputeOutcome, AppError> {
    let existing: HashMap<i32, Appraisal> = appraisals::table
        .filter(appraisals::cycle_id.eq(cycle.id))
        .select(COLUMNS)
        .load::<Appraisal>(conn)?
        .into_iter()
        .map(|a| (a.employee_id, a))
        .collect();
    let recompute = !existing.is_empty();
    let at = now();
    let mut outcome = ComputeOutcome::default();
    let mut new_rows = Vec::new();
    for (c, rank) in computed {
        let inputs_json = serde_json::to_string(&c.inputs).map_err(AppError::internal)?;
        outcome.computed += 1;
        if c.total.is_some() {
            outcome.with_total += 1;
        } else {
            outcome.insufficient_evidence += 1;
        }
        match existing.get(&c.employee_id) {
            None => {
                outcome.changed += 1;
                new_rows.push(NewAppraisal {
                    cycle_id: cycle.id,
                    employee_id: c.employee_id,
                    department_id: c.department_id,
                    sales_centi: centi(c.inputs.sales.score),
                    satisfaction_centi: centi(c.inputs.satisfaction.score),
                    etiquette_centi: centi(c.inputs.etiquette.score),
                    collaboration_centi: centi(c.inputs.collaboration.score),
                    responsiveness_centi: centi(c.inputs.responsiveness.score),
                    total_centi: c.total_centi(),
                    grade: c.grade,
                    department_rank: rank,
                    inputs_json,
                    state: AppraisalState::Draft.as_str(),
                    computed_at: at,
                    version: 1,
                    basis_revision: cycle.inputs_revision,
                });
            }
            Some(old) => {
                let numbers_changed = Component::ALL
                    .iter()
                    .any(|&k| old.centi(k) != centi(c.inputs.component(k).score))
                    || old.total_centi != c.total_centi()
                    || old.grade != c.grade;
                let reviewed = old.state == AppraisalState::Reviewed;
                if !numbers_changed {
                    if reviewed {
                        outcome.reviews_kept += 1;
                    }
                    let moved = old.inputs_json != inputs_json
                        || old.department_rank != rank
                        || old.department_id != c.department_id;
                    if moved {
                        diesel::update(appraisals::table.find(old.id))
                            .set((
                                appraisals::department_id.eq(c.department_id),
                                appraisals::department_rank.eq(rank),
                                appraisals::inputs_json.eq(&inputs_json),
                                appraisals::computed_at.eq(at),
                                appraisals::version.eq(old.version + 1),
                            ))
                            .execute(conn)?;
                    }
                } else {
                    outcome.changed += 1;
                    if reviewed {
                        outcome.reviews_reset += 1;
                        if let Some(reviewer) = old.reviewed_by {
                            outcome.reset.push((reviewer, old.id));
                        }
                    }
                    // A changed result needs its supervisor's review again.
                    diesel::update(appraisals::table.find(old.id))
                        .set((
                            appraisals::department_id.eq(c.department_id),
                            appraisals::sales_centi.eq(centi(c.inputs.sales.score)),
                            appraisals::satisfaction_centi.eq(centi(c.inputs.satisfaction.score)),
                            appraisals::etiquette_centi.eq(centi(c.inputs.etiquette.score)),
                            appraisals::collaboration_centi.eq(centi(c.inputs.collaboration.score)),
                            appraisals::responsiveness_centi
                                .eq(centi(c.inputs.responsiveness.score)),
                            appraisals::total_centi.eq(c.total_centi()),
                            appraisals::grade.eq(c.grade.clone()),
                            appraisals::department_rank.eq(rank),
                            appraisals::inputs_json.eq(&inputs_json),
                            appraisals::computed_at.eq(at),
                            appraisals::state.eq(AppraisalState::Draft.as_str()),
                            appraisals::reviewed_by.eq(None::<i32>),
                            appraisals::version.eq(old.version + 1),
                        ))
                        .execute(conn)?;
                }
            }
        }
    }
    insert_new(conn, &new_rows)?;
    diesel::update(
        appraisals::table
            .filter(appraisals::cycle_id.eq(cycle.id))
            .filter(appraisals::basis_revision.ne(cycle.inputs_revision)),
    )
    .set(appraisals::basis_revision.eq(cycle.inputs_revision))
    .execute(conn)?;
    audit::record(
        conn,
        Change::<(), _> {
            actor: Some(actor),
            action: if recompute {
                Action::Recompute
            } else {
                Action::Compute
            },
            entity: Entity::Cycle,
            entity_id: cycle.id,
            before: None,
            after: Some(&outcome),
        },
    )?;
    Ok(outcome)
}

/// Writes one appraisal recomputed (an upheld appeal): its scores, its rank among the
/// others' stored totals, a new version, on the cycle's current inputs.
pub fn write_recomputed(
    conn: &mut DbConn,
    appraisal: &Appraisal,
    cycle: &Cycle,
    c: &Computed,
) -> Result<Appraisal, AppError> {
    let others: Vec<i32> = appraisals::table
        .filter(appraisals::cycle_id.eq(appraisal.cycle_id))
        .filter(appraisals::department_id.eq(appraisal.department_id))
        .filter(appraisals::id.ne(appraisal.id))
        .select(appraisals::total_centi)
        .load::<Option<i32>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    let new_total = c.total_centi();
    let rank = new_total.map(|t| others.iter().filter(|o| **o > t).count() as i32 + 1);
    let inputs_json = serde_json::to_string(&c.inputs).map_err(AppError::internal)?;
    Ok(diesel::update(appraisals::table.find(appraisal.id))
        .set((
            appraisals::sales_centi.eq(centi(c.inputs.sales.score)),
            appraisals::satisfaction_centi.eq(centi(c.inputs.satisfaction.score)),
            appraisals::etiquette_centi.eq(centi(c.inputs.etiquette.score)),
            appraisals::collaboration_centi.eq(centi(c.inputs.collaboration.score)),
            appraisals::responsiveness_centi.eq(centi(c.inputs.responsiveness.score)),
            appraisals::total_centi.eq(new_total),
            appraisals::grade.eq(c.grade.clone()),
            appraisals::department_rank.eq(rank),
            appraisals::inputs_json.eq(inputs_json),
            appraisals::computed_at.eq(now()),
            appraisals::version.eq(appraisal.version + 1),
            appraisals::basis_revision.eq(cycle.inputs_revision),
        ))
        .returning(COLUMNS)
        .get_result(conn)?)
}

/// Active appraised employees without an appraisal in the cycle (the publish guard).
/// NOT EXISTS, not `<> ALL (subquery)`: PostgreSQL plans the latter as a scan of the
/// subquery per user once it outgrows work_mem (111 s for 100,000 people, measured).
pub fn uncomputed(conn: &mut DbConn, cycle_id: i32) -> Result<i64, AppError> {
    use diesel::dsl::{exists, not};
    let done = appraisals::table
        .filter(appraisals::cycle_id.eq(cycle_id))
        .filter(appraisals::employee_id.eq(users::id));
    Ok(users::table
        .filter(users::active.eq(true))
        .filter(users::role.ne(Role::Hr.as_str()))
        .filter(not(exists(done)))
        .count()
        .get_result(conn)?)
}

/// Drafts of a cycle that no supervisor has reviewed yet (HR's to-do list).
pub fn unreviewed(conn: &mut DbConn, cycle_id: i32) -> Result<i64, AppError> {
    Ok(appraisals::table
        .filter(appraisals::cycle_id.eq(cycle_id))
        .filter(appraisals::state.eq(AppraisalState::Draft.as_str()))
        .count()
        .get_result(conn)?)
}

/// The drafts of `cycle` not yet reviewed: (appraisal, employee), for naming them.
pub fn draft_ids(conn: &mut DbConn, cycle_id: i32) -> Result<Vec<(i32, i32)>, AppError> {
    Ok(appraisals::table
        .filter(appraisals::cycle_id.eq(cycle_id))
        .filter(appraisals::state.eq(AppraisalState::Draft.as_str()))
        .select((appraisals::id, appraisals::employee_id))
        .load(conn)?)
}

/// Drafts of `cycle` of the people `ids` (HR's to review: `users::reviewed_by_hr_ids`).
pub fn drafts_among(conn: &mut DbConn, cycle_id: i32, ids: &[i32]) -> Result<i64, AppError> {
    let counts = super::chunked(ids, |chunk| {
        Ok(vec![appraisals::table
            .filter(appraisals::cycle_id.eq(cycle_id))
            .filter(appraisals::state.eq(AppraisalState::Draft.as_str()))
            .filter(appraisals::employee_id.eq_any(chunk))
            .count()
            .get_result::<i64>(conn)?])
    })?;
    Ok(counts.iter().sum())
}

/// Appraisals of `cycle` not yet published that were computed from older inputs than the
/// cycle's current ones (its scheme, evidence or people changed since): publishing waits
/// for a recompute.
pub fn stale(conn: &mut DbConn, cycle: &Cycle) -> Result<i64, AppError> {
    Ok(appraisals::table
        .filter(appraisals::cycle_id.eq(cycle.id))
        .filter(appraisals::state.eq_any(["draft", "reviewed"]))
        .filter(appraisals::basis_revision.lt(cycle.inputs_revision))
        .count()
        .get_result(conn)?)
}

/// Publishing makes every appraisal of the cycle visible to its employee; answers those
/// published, as (appraisal, employee, version), for the notices.
pub fn publish_all(conn: &mut DbConn, cycle_id: i32) -> Result<Vec<(i32, i32, i32)>, AppError> {
    let unpublished = || {
        appraisals::table
            .filter(appraisals::cycle_id.eq(cycle_id))
            .filter(appraisals::state.eq_any([
                AppraisalState::Draft.as_str(),
                AppraisalState::Reviewed.as_str(),
            ]))
    };
    let targets: Vec<(i32, i32, i32)> = unpublished()
        .select((appraisals::id, appraisals::employee_id, appraisals::version))
        .load(conn)?;
    diesel::update(unpublished())
        .set((
            appraisals::state.eq(AppraisalState::Published.as_str()),
            appraisals::published_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(targets)
}

/// May `viewer` see appraisal `a` of an employee managed by `manager`? HR: all;
/// supervisors: their direct reports' (any state); everyone: their own once published.
fn visible(viewer: &User, a: &Appraisal, manager: Option<i32>) -> bool {
    match Scope::of(viewer) {
        Scope::All => true,
        _ if a.employee_id == viewer.id => a.is_published(),
        Scope::Team(lead) => manager == Some(lead),
        Scope::Own(_) => false,
    }
}

pub fn get(conn: &mut DbConn, id: i32) -> Result<Appraisal, AppError> {
    Ok(appraisals::table.find(id).select(COLUMNS).first(conn)?)
}

pub fn set_state(conn: &mut DbConn, id: i32, state: AppraisalState) -> Result<Appraisal, AppError> {
    Ok(diesel::update(appraisals::table.find(id))
        .set(appraisals::state.eq(state.as_str()))
        .returning(COLUMNS)
        .get_result(conn)?)
}

pub fn get_for(conn: &mut DbConn, viewer: &User, id: i32) -> Result<Appraisal, AppError> {
    let found: Option<(Appraisal, Option<i32>)> = appraisals::table
        .inner_join(users::table.on(users::id.eq(appraisals::employee_id)))
        .filter(appraisals::id.eq(id))
        .select((COLUMNS, users::manager_id))
        .first(conn)
        .optional()?;
    match found {
        Some((a, manager)) if visible(viewer, &a, manager) => Ok(a),
        _ => Err(AppError::NotFound),
    }
}

type Boxed = appraisals::BoxedQuery<'static, <DbConn as diesel::Connection>::Backend>;

/// A cycle's appraisals in the viewer's scope, in the report's order (department, rank,
/// employee); None when the viewer may see none.
fn of_cycle_for(viewer: &User, cycle_id: i32, department_id: Option<i32>) -> Option<Boxed> {
    let mut query = appraisals::table
        .filter(appraisals::cycle_id.eq(cycle_id))
        .into_boxed();
    // A supervisor sees their reports' appraisals of the cycle (their own only once
    // published, through "my appraisals"); staff see none here.
    query = match Scope::of(viewer) {
        Scope::Team(lead) => query.filter(appraisals::employee_id.ne(lead)),
        Scope::Own(_) => return None,
        Scope::All => query,
    };
    query = crate::in_scope!(query, Scope::of(viewer), appraisals::employee_id);
    if let Some(department) = department_id {
        query = query.filter(appraisals::department_id.eq(department));
    }
    Some(query.order((
        appraisals::department_id,
        appraisals::department_rank.asc(),
        appraisals::employee_id,
    )))
}

/// A cycle's appraisals: all for HR, direct reports' for a supervisor.
pub fn list_for_cycle(
    conn: &mut DbConn,
    viewer: &User,
    cycle_id: i32,
    department_id: Option<i32>,
) -> Result<Vec<Appraisal>, AppError> {
    match of_cycle_for(viewer, cycle_id, department_id) {
        Some(query) => Ok(query.select(COLUMNS).load(conn)?),
        None => Ok(Vec::new()),
    }
}

/// The ids of [`list_for_cycle`]'s appraisals, in its order: a big cycle is then read in
/// pages ([`by_ids`]) instead of in one answer.
pub fn ids_for_cycle(
    conn: &mut DbConn,
    viewer: &User,
    cycle_id: i32,
) -> Result<Vec<i32>, AppError> {
    match of_cycle_for(viewer, cycle_id, None) {
        Some(query) => Ok(query.select(appraisals::id).load(conn)?),
        None => Ok(Vec::new()),
    }
}

/// The appraisals `ids`, in that order (ids not found are left out).
pub fn by_ids(conn: &mut DbConn, ids: &[i32]) -> Result<Vec<Appraisal>, AppError> {
    let mut found: HashMap<i32, Appraisal> = appraisals::table
        .filter(appraisals::id.eq_any(ids))
        .select(COLUMNS)
        .load::<Appraisal>(conn)?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// The appraisals of `cycle` of the people `ids` (whose scope the caller has decided: the
/// team page's reports).
pub fn of_people_in_cycle(
    conn: &mut DbConn,
    cycle_id: i32,
    ids: &[i32],
) -> Result<Vec<Appraisal>, AppError> {
    super::chunked(ids, |chunk| {
        Ok(appraisals::table
            .filter(appraisals::cycle_id.eq(cycle_id))
            .filter(appraisals::employee_id.eq_any(chunk))
            .select(COLUMNS)
            .load(conn)?)
    })
}

/// How many appraisals a cycle has.
pub fn count_for_cycle(conn: &mut DbConn, cycle_id: i32) -> Result<i64, AppError> {
    Ok(appraisals::table
        .filter(appraisals::cycle_id.eq(cycle_id))
        .count()
        .get_result(conn)?)
}

/// The employee of each of `ids` (appraisal id → employee id).
pub fn employees_of(
    conn: &mut DbConn,
    ids: &[i32],
) -> Result<std::collections::HashMap<i32, i32>, AppError> {
    Ok(appraisals::table
        .filter(appraisals::id.eq_any(ids))
        .select((appraisals::id, appraisals::employee_id))
        .load::<(i32, i32)>(conn)?
        .into_iter()
        .collect())
}

/// The viewer's own published appraisals, newest cycle first.
pub fn mine(conn: &mut DbConn, viewer: &User) -> Result<Vec<Appraisal>, AppError> {
    // Three equalities, not `eq_any`: diesel does not keep a prepared statement for an IN
    // list, and this is the read every employee makes (docs/PERFORMANCE.md).
    // On the concrete connection, so the prepared statement is reused (db::on_backend).
    let [a, b, c] = [
        AppraisalState::Published,
        AppraisalState::Acknowledged,
        AppraisalState::Appealed,
    ]
    .map(AppraisalState::as_str);
    let query = appraisals::table
        .inner_join(cycle_table::table)
        .filter(appraisals::employee_id.eq(viewer.id))
        .filter(
            appraisals::state
                .eq(a)
                .or(appraisals::state.eq(b))
                .or(appraisals::state.eq(c)),
        )
        .order(cycle_table::period_start.desc())
        .select(COLUMNS);
    Ok(on_backend!(conn, c => query.load(c))?)
}

/// How many in `department` have a rank in `cycle` (the "of n" of a rank).
pub fn ranked_in_department(
    conn: &mut DbConn,
    cycle: i32,
    department: i32,
) -> Result<i64, AppError> {
    Ok(appraisals::table
        .filter(appraisals::cycle_id.eq(cycle))
        .filter(appraisals::department_id.eq(department))
        .filter(appraisals::department_rank.is_not_null())
        .count()
        .get_result(conn)?)
}

/// The appraisal and its employee's manager (`users::active_manager` says whether they
/// still review it).
pub fn with_manager(conn: &mut DbConn, id: i32) -> Result<(Appraisal, Option<i32>), AppError> {
    Ok(appraisals::table
        .inner_join(users::table.on(users::id.eq(appraisals::employee_id)))
        .filter(appraisals::id.eq(id))
        .select((COLUMNS, users::manager_id))
        .first(conn)?)
}

/// Marks an appraisal reviewed by `reviewer`, with a comment, and audits it.
pub fn mark_reviewed(
    conn: &mut DbConn,
    reviewer: i32,
    before: &Appraisal,
    comment: Option<String>,
) -> Result<Appraisal, AppError> {
    let after: Appraisal = diesel::update(appraisals::table.find(before.id))
        .set((
            appraisals::state.eq(AppraisalState::Reviewed.as_str()),
            appraisals::supervisor_comment.eq(&comment),
            appraisals::reviewed_by.eq(reviewer),
        ))
        .returning(COLUMNS)
        .get_result(conn)?;
    record(conn, reviewer, Action::Review, before, &after)?;
    Ok(after)
}

/// The audit event of a change of an appraisal.
pub fn record(
    conn: &mut DbConn,
    actor: i32,
    action: Action,
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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DepartmentReport {
    pub department_id: i32,
    pub count: usize,
    pub with_total: usize,
    pub mean: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub grades: BTreeMap<String, usize>,
}

type TotalAndGrade = (Option<i32>, Option<String>);

/// Per department: how many appraisals, the mean, lowest and highest total, and how many
/// of each grade (HR's overview of a cycle).
pub fn report(conn: &mut DbConn, cycle_id: i32) -> Result<Vec<DepartmentReport>, AppError> {
    let rows: Vec<(i32, Option<i32>, Option<String>)> = appraisals::table
        .filter(appraisals::cycle_id.eq(cycle_id))
        .select((
            appraisals::department_id,
            appraisals::total_centi,
            appraisals::grade,
        ))
        .load(conn)?;
    let mut by_department: BTreeMap<i32, Vec<TotalAndGrade>> = BTreeMap::new();
    for (department, total, grade) in rows {
        by_department
            .entry(department)
            .or_default()
            .push((total, grade));
    }
    Ok(by_department
        .into_iter()
        .map(|(department_id, rows)| {
            let totals: Vec<i64> = rows.iter().filter_map(|(t, _)| t.map(i64::from)).collect();
            let mut grades = BTreeMap::new();
            for grade in rows.iter().filter_map(|(_, g)| g.clone()) {
                *grades.entry(grade).or_insert(0) += 1;
            }
            let centi = |v: i64| v as f64 / 100.0;
            DepartmentReport {
                department_id,
                count: rows.len(),
                with_total: totals.len(),
                mean: mean_of_hundredths(totals.iter().sum(), totals.len()),
                min: totals.iter().min().map(|v| centi(*v)),
                max: totals.iter().max().map(|v| centi(*v)),
                grades,
            }
        })
        .collect())
}
