//! The escalation check of complaints: [`settle`] brings one complaint up to date (what
//! its limits charged to whom, the reminder and escalations due, when to look again);
//! [`check_due`] is the periodic job that settles every complaint that has come due. Every
//! change to a complaint ends with `settle` too.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::complaints::{history_of, Rules};
use crate::db::DbConn;
use crate::domain::complaint::{plan_check, EventKind, Holder, Limit, Outcome, Standing};
use crate::error::AppError;
use crate::store::complaints::{self, NewEvent};
use crate::store::notices::{self, Kind, NewNotice};
use crate::store::{now, users};

/// The people a holder stands for: the responsible person, else the holding department's
/// active supervisors.
fn people_of(conn: &mut DbConn, holder: Holder) -> Result<Vec<i32>, AppError> {
    match holder.employee_id {
        Some(id) => Ok(vec![id]),
        None => complaints::department_supervisors(conn, holder.department_id),
    }
}

/// Who hears of level 1: the responsible person's active manager, else the holding
/// department's supervisors, else HR.
fn level_one_recipients(conn: &mut DbConn, holder: Holder) -> Result<Vec<i32>, AppError> {
    if let Some(id) = holder.employee_id {
        let person = users::get(conn, id)?;
        if let Some(manager) = users::active_manager(conn, person.manager_id)? {
            return Ok(vec![manager]);
        }
    }
    let supervisors: Vec<i32> = complaints::department_supervisors(conn, holder.department_id)?
        .into_iter()
        .filter(|s| Some(*s) != holder.employee_id)
        .collect();
    if !supervisors.is_empty() {
        return Ok(supervisors);
    }
    users::active_hr_ids(conn)
}

/// The payload of a complaint's reminder or escalation notice.
#[derive(Debug, Serialize, Deserialize)]
pub struct ComplaintNotice {
    pub complaint_id: i32,
    /// The limit a reminder is about.
    #[serde(default)]
    pub limit: Option<Limit>,
    /// The level an escalation reached.
    #[serde(default)]
    pub level: Option<i32>,
}

/// Brings one complaint up to date at `at`: what its limits charged to whom, the reminder
/// and escalations now due (queued once each), and when to look again.
pub fn settle(tx: &mut DbConn, id: i32, rules: &Rules, at: NaiveDateTime) -> Result<(), AppError> {
    let complaint = complaints::get(tx, id)?;
    let events = complaints::events(tx, id)?;
    let history = history_of(&complaint, &events)?;
    let limits = rules.policy.priorities.of(complaint.priority()?);
    let now = at.and_utc();
    let views = history.assess(&rules.calendar, limits, now);

    let mut charges = Vec::new();
    for view in &views {
        let (Some(holder), true) = (view.charged, view.outcome != Outcome::Running) else {
            continue;
        };
        let earned = view.outcome == Outcome::InTime;
        for person in people_of(tx, holder)? {
            charges.push((person, view.limit.as_str(), earned));
            if view.limit == Limit::Resolution {
                if let Some(rating) = complaint.follow_up_rating {
                    charges.push((person, "follow_up", rating >= 4));
                }
            }
        }
    }
    if complaints::replace_charges(tx, id, &charges)? {
        // The appraisals of a cycle in review that counts this complaint are stale now.
        crate::store::cycles::complaint_changed(tx, complaint.received_on)?;
    }

    let standing = Standing {
        state: complaint.state()?,
        level: complaint.escalation_level as i16,
        escalated_at: complaint.escalated_at.map(|t| t.and_utc()),
    };
    let plan = plan_check(
        &history,
        standing,
        &rules.calendar,
        limits,
        rules.warn_percent,
        now,
    );
    // Who is reminded: the holder now. Who answers for an escalation: the holder when the
    // limit that matters passed (a hand-off since does not pass the miss on).
    let holder = history.holder();
    let pending = if history.first_response_at().is_none() {
        Limit::FirstResponse
    } else {
        Limit::Resolution
    };
    let escalated_holder = views
        .iter()
        .find(|v| v.limit == pending && v.outcome == Outcome::Missed)
        .and_then(|v| v.charged)
        .unwrap_or(holder);
    if let Some(limit) = plan.remind {
        let holder_key = format!(
            "{}-{}",
            holder.department_id,
            holder.employee_id.unwrap_or(0)
        );
        let batch: Vec<NewNotice> = people_of(tx, holder)?
            .into_iter()
            .map(|recipient| NewNotice {
                kind: Kind::ComplaintReminder,
                recipient_id: recipient,
                dedupe_key: format!(
                    "complaint_reminder:{id}:{}:{holder_key}:{recipient}",
                    limit.as_str()
                ),
                payload: serde_json::json!(ComplaintNotice {
                    complaint_id: id,
                    limit: Some(limit),
                    level: None,
                }),
            })
            .collect();
        if notices::enqueue(tx, batch)? > 0 {
            complaints::add_event(
                tx,
                id,
                NewEvent {
                    kind: Some(EventKind::Reminded),
                    at: Some(at),
                    ..NewEvent::default()
                },
            )?;
        }
    }
    let mut level = complaint.escalation_level;
    let mut escalated_at = complaint.escalated_at;
    for reached in &plan.escalate_to {
        let reached = i32::from(*reached);
        let recipients = if reached == 1 {
            level_one_recipients(tx, escalated_holder)?
        } else {
            users::active_hr_ids(tx)?
        };
        let batch: Vec<NewNotice> = recipients
            .into_iter()
            .map(|recipient| NewNotice {
                kind: Kind::ComplaintEscalated,
                recipient_id: recipient,
                dedupe_key: format!("complaint_escalated:{id}:{reached}:{recipient}"),
                payload: serde_json::json!(ComplaintNotice {
                    complaint_id: id,
                    limit: None,
                    level: Some(reached),
                }),
            })
            .collect();
        notices::enqueue(tx, batch)?;
        super::robots::post_escalation(tx, escalated_holder.department_id, id, reached)?;
        complaints::add_event(
            tx,
            id,
            NewEvent {
                kind: Some(EventKind::Escalated),
                at: Some(at),
                level: Some(reached),
                ..NewEvent::default()
            },
        )?;
        if reached == 1 {
            escalated_at = Some(at);
        }
        level = level.max(reached);
    }
    // Look again when the check has something to do, or when a running limit passes (what
    // it charges changes then, even with nobody to tell).
    let next_check = views
        .iter()
        .filter(|v| v.outcome == Outcome::Running)
        .filter_map(|v| v.due_at)
        .filter(|due| *due > now)
        .chain(plan.next_check)
        .min();
    complaints::set_check(
        tx,
        id,
        level,
        escalated_at,
        next_check.map(|t| t.naive_utc()),
    )
}

/// The escalation check (a periodic job): settles every complaint that has come due, a
/// slice at a time. Answers how many it looked at.
pub fn check_due(
    conn: &mut DbConn,
    zone: chrono_tz::Tz,
    warn_percent: u8,
) -> Result<usize, AppError> {
    const SLICE: i64 = 500;
    let rules = Rules::load(conn, zone, warn_percent)?;
    let mut done = 0;
    loop {
        let at = now();
        let due = complaints::due(conn, at, SLICE)?;
        if due.is_empty() {
            return Ok(done);
        }
        crate::db::write_tx(conn, |tx| {
            for &id in &due {
                settle(tx, id, &rules, at)?;
            }
            Ok(())
        })?;
        done += due.len();
        if (due.len() as i64) < SLICE {
            return Ok(done);
        }
    }
}
