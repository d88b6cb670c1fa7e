//! Notices that come from the calendar rather than from a request: the review reminder to
//! supervisors near a cycle's end, and the collaboration-rating request when a cycle opens.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::cycles::Cycle;
use super::notices::{self, Kind, NewNotice};
use crate::db::schema::{cycles as cycle_table, inspections, users};
use crate::db::{write_tx, DbConn};
use crate::domain::cycle::CycleState;
use crate::domain::user::Role;
use crate::error::AppError;

/// The payload of a review reminder: who lacked inspections when it was queued.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReminderPayload {
    pub cycle_id: i32,
    pub minimum: i32,
    pub reports: Vec<ReminderReport>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ReminderReport {
    pub id: i32,
    pub inspections: i64,
}

/// Queues a reminder for every supervisor whose direct reports include someone with fewer
/// inspections than the cycle's minimum, for each open cycle that ends within `days` of
/// `today`. The dedupe key makes it once per cycle and supervisor however often this runs.
/// Returns how many reminders were newly queued.
pub fn queue_review_reminders(
    conn: &mut DbConn,
    today: NaiveDate,
    days: u32,
) -> Result<usize, AppError> {
    let ending: Vec<Cycle> = cycle_table::table
        .filter(cycle_table::state.eq(CycleState::Open.as_str()))
        .filter(cycle_table::period_end.ge(today))
        .filter(cycle_table::period_end.le(today + Duration::days(i64::from(days))))
        .select(cycle_table::all_columns)
        .load(conn)?;
    let mut queued = 0;
    for cycle in ending {
        let Some(scheme) = cycle.scheme()? else {
            continue;
        };
        let minimum = scheme.min_evidence.etiquette.max(1);
        queued += write_tx(conn, |conn| remind_for_cycle(conn, &cycle, minimum))?;
    }
    Ok(queued)
}

fn remind_for_cycle(conn: &mut DbConn, cycle: &Cycle, minimum: i32) -> Result<usize, AppError> {
    let counts: HashMap<i32, i64> = inspections::table
        .filter(inspections::cycle_id.eq(cycle.id))
        .group_by(inspections::employee_id)
        .select((inspections::employee_id, diesel::dsl::count_star()))
        .load::<(i32, i64)>(conn)?
        .into_iter()
        .collect();
    // Who may supervise (active, not staff), and the appraised people (active, not HR) who
    // report to someone; matched here rather than with a list of ids in SQL, which could
    // exceed SQLite's limit on bound parameters in a large company.
    let supervisors: HashSet<i32> = users::table
        .filter(users::active.eq(true))
        .filter(users::role.ne(Role::Staff.as_str()))
        .select(users::id)
        .load::<i32>(conn)?
        .into_iter()
        .collect();
    let reports: Vec<(i32, i32)> = users::table
        .filter(users::active.eq(true))
        .filter(users::role.ne(Role::Hr.as_str()))
        .filter(users::manager_id.is_not_null())
        .select((users::id, users::manager_id.assume_not_null()))
        .order(users::id)
        .load::<(i32, i32)>(conn)?
        .into_iter()
        .filter(|(_, manager)| supervisors.contains(manager))
        .collect();
    let mut lacking: BTreeMap<i32, Vec<ReminderReport>> = BTreeMap::new();
    for (employee, manager) in reports {
        let inspections = counts.get(&employee).copied().unwrap_or(0);
        if inspections < i64::from(minimum) {
            lacking.entry(manager).or_default().push(ReminderReport {
                id: employee,
                inspections,
            });
        }
    }
    let batch: Vec<NewNotice> = lacking
        .into_iter()
        .map(|(supervisor, reports)| NewNotice {
            kind: Kind::ReviewReminder,
            recipient_id: supervisor,
            dedupe_key: format!("review_reminder:{}:{supervisor}", cycle.id),
            payload: serde_json::to_value(ReminderPayload {
                cycle_id: cycle.id,
                minimum,
                reports,
            })
            .expect("a reminder payload serialises"),
        })
        .collect();
    notices::enqueue(conn, batch)
}

/// Asks everyone appraised in `cycle` (active, not HR) to rate colleagues of other
/// departments. Called in the transaction that opens the cycle.
pub fn queue_collaboration_requests(conn: &mut DbConn, cycle: &Cycle) -> Result<usize, AppError> {
    let people: Vec<i32> = users::table
        .filter(users::active.eq(true))
        .filter(users::role.ne(Role::Hr.as_str()))
        .select(users::id)
        .order(users::id)
        .load(conn)?;
    let batch = people
        .into_iter()
        .map(|id| NewNotice {
            kind: Kind::CollaborationRequest,
            recipient_id: id,
            dedupe_key: format!("collaboration_request:{}:{id}", cycle.id),
            payload: serde_json::json!({ "cycle_id": cycle.id }),
        })
        .collect();
    notices::enqueue(conn, batch)
}
