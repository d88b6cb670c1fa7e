//! The complaints report of a cycle (`GET /api/v1/cycles/{id}/complaints/report`, HR): for
//! the complaints received in its period, per department and per employee charged, the
//! share of each limit met in time, the median working minutes to the first answer and to
//! the resolution, the escalations and the reopen rate. Each limit counts for whoever it
//! was charged to (PRODUCT §10); a limit still running counts for nobody yet.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::complaints::{history_of, Rules};
use super::{allowed, App};
use crate::auth::Caller;
use crate::domain::complaint::{EventKind, Holder, Limit, Outcome};
use crate::domain::scoring::round2;
use crate::domain::user::Role;
use crate::error::AppError;
use crate::store::{complaints, cycles, departments, period_of, users};

/// One row: a department, or a person in it.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ComplaintReportRow {
    pub department_id: i32,
    pub department_name: String,
    /// Null on a department's row.
    pub employee_id: Option<i32>,
    pub employee_name: Option<String>,
    /// Complaints with a limit charged here.
    pub complaints: i64,
    /// Percent of the decided first-response limits met in time (null when none).
    pub first_response_in_time: Option<f64>,
    pub resolution_in_time: Option<f64>,
    /// Median working minutes from receipt to the first answer / the first resolution.
    pub median_first_response_minutes: Option<i64>,
    pub median_resolution_minutes: Option<i64>,
    /// Complaints escalated while held here.
    pub escalations: i64,
    /// Percent of the resolutions charged here that were reopened.
    pub reopen_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplaintReport {
    pub cycle_id: i32,
    /// Complaints received in the period.
    pub complaints: i64,
    pub departments: Vec<ComplaintReportRow>,
    pub employees: Vec<ComplaintReportRow>,
}

#[derive(Default)]
struct Tally {
    complaints: std::collections::BTreeSet<i32>,
    response: (i64, i64),
    resolution: (i64, i64),
    response_minutes: Vec<i64>,
    resolution_minutes: Vec<i64>,
    escalations: i64,
    reopened: i64,
    resolved: i64,
}

fn share((met, of): (i64, i64)) -> Option<f64> {
    (of > 0).then(|| round2(100.0 * met as f64 / of as f64))
}

fn median(mut values: Vec<i64>) -> Option<i64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2] + 1) / 2),
    }
}

impl App {
    pub async fn complaint_report(
        &self,
        caller: &Caller,
        cycle: i32,
    ) -> Result<ComplaintReport, AppError> {
        allowed(caller, &[Role::Hr])?;
        let (zone, warn) = (self.time.zone(), self.complaints.warn_percent);
        self.read(caller, move |conn, _| report_of(conn, cycle, zone, warn))
            .await
    }
}

/// The report of `cycle`'s complaints (HR's: the caller is checked before), for the API,
/// the page and the cycle's export.
pub(crate) fn report_of(
    conn: &mut crate::db::DbConn,
    cycle: i32,
    zone: chrono_tz::Tz,
    warn: u8,
) -> Result<ComplaintReport, AppError> {
    cycles::get(conn, cycle)?;
    let period = period_of(conn, cycle)?;
    let rules = Rules::load(conn, zone, warn)?;
    let found = complaints::of_period(conn, period.start, period.end)?;
    let ids: Vec<i32> = found.iter().map(|c| c.id).collect();
    let mut events = complaints::events_of(conn, &ids)?;
    let now = crate::domain::clock::now();
    let mut by_holder: BTreeMap<(i32, Option<i32>), Tally> = BTreeMap::new();
    for c in &found {
        let history = history_of(c, &events.remove(&c.id).unwrap_or_default())?;
        let limits = rules.policy.priorities.of(c.priority()?);
        let views = history.assess(&rules.calendar, limits, now);
        for view in &views {
            let Some(Holder {
                department_id,
                employee_id,
            }) = view.charged
            else {
                continue;
            };
            let in_time = i64::from(view.outcome == Outcome::InTime);
            // The department's row, and the person's where one was charged.
            let mut keys = vec![(department_id, None)];
            if employee_id.is_some() {
                keys.push((department_id, employee_id));
            }
            for key in keys {
                let t = by_holder.entry(key).or_default();
                t.complaints.insert(c.id);
                match view.limit {
                    Limit::FirstResponse => {
                        t.response.0 += in_time;
                        t.response.1 += 1;
                        if view.met_at.is_some() {
                            t.response_minutes.push(view.used_minutes);
                        }
                    }
                    Limit::Resolution => {
                        t.resolution.0 += in_time;
                        t.resolution.1 += 1;
                        if view.met_at.is_some() {
                            t.resolution_minutes.push(view.used_minutes);
                            t.resolved += 1;
                            let reopened =
                                history.steps.iter().any(|s| s.kind == EventKind::Reopened);
                            t.reopened += i64::from(reopened);
                        }
                    }
                }
            }
        }
        // An escalation counts where the complaint was held when it happened.
        for step in history
            .steps
            .iter()
            .filter(|s| s.kind == EventKind::Escalated)
        {
            let at = history.holder_at(step.at + chrono::Duration::microseconds(1));
            by_holder
                .entry((at.department_id, None))
                .or_default()
                .escalations += 1;
            if at.employee_id.is_some() {
                by_holder
                    .entry((at.department_id, at.employee_id))
                    .or_default()
                    .escalations += 1;
            }
        }
    }
    let names: std::collections::HashMap<i32, String> = departments::all(conn)?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let people: Vec<i32> = by_holder.keys().filter_map(|k| k.1).collect();
    let person_names = users::names(conn, &people)?;
    let (mut departments, mut employees) = (Vec::new(), Vec::new());
    for ((department_id, employee_id), t) in by_holder {
        let row = ComplaintReportRow {
            department_id,
            department_name: names.get(&department_id).cloned().unwrap_or_default(),
            employee_id,
            employee_name: employee_id.and_then(|e| person_names.get(&e).cloned()),
            complaints: t.complaints.len() as i64,
            first_response_in_time: share(t.response),
            resolution_in_time: share(t.resolution),
            median_first_response_minutes: median(t.response_minutes),
            median_resolution_minutes: median(t.resolution_minutes),
            escalations: t.escalations,
            reopen_rate: share((t.reopened, t.resolved)),
        };
        if employee_id.is_some() {
            employees.push(row);
        } else {
            departments.push(row);
        }
    }
    Ok(ComplaintReport {
        cycle_id: cycle,
        complaints: found.len() as i64,
        departments,
        employees,
    })
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![30, 10, 20]), Some(20));
        assert_eq!(median(vec![10, 20, 31, 41]), Some(26));
    }
}
