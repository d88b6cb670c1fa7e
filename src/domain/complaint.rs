//! Complaints and their time limits (docs/PRODUCT.md, "Service recovery"): the states and
//! steps of a complaint, which step may follow which, how much of each limit has run, who
//! is charged with each limit, and what the escalation check must do now and when it must
//! look again. Pure: the history comes in, the verdicts go out.
//!
//! - Both limits (first response, resolution) run from receipt, in working time
//!   ([`Calendar`]), and stop while the complaint waits for the customer or stands resolved.
//! - The limits are those of the complaint's priority now: a change of priority counts from
//!   receipt, pauses kept.
//! - A limit is charged to whoever held the complaint when it was met, or when it passed
//!   unmet: a hand-off leaves the next holder what is left of the limit.
//! - A resolution reopened within 7 days is a resolution not in time.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::business_time::Calendar;
use super::problem::Problem;
use super::sla::Limits;

pub const SUMMARY_MAX: usize = 2000;
pub const NOTE_MAX: usize = 2000;
pub const REF_MAX: usize = 100;
pub const CHANNEL_MAX: usize = 40;
/// How far back a complaint's receipt may lie.
pub const RECEIVED_WITHIN_DAYS: i64 = 366;

/// A complaint's moment as given: not in the future (a minute of clock difference is
/// allowed, and taken as now), and not before the last year: a complaint from before then is
/// history, not work, and no clock counts back over centuries.
pub fn within_reach(
    at: chrono::NaiveDateTime,
    now: chrono::NaiveDateTime,
) -> Result<chrono::NaiveDateTime, Problem> {
    if at > now + Duration::seconds(60) {
        return Err(Problem::InstantInFuture);
    }
    if at < now - Duration::days(RECEIVED_WITHIN_DAYS) {
        return Err(Problem::InstantTooOld {
            days: RECEIVED_WITHIN_DAYS,
        });
    }
    Ok(at.min(now))
}

/// Where a complaint stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum State {
    Open,
    WaitingCustomer,
    Resolved,
    /// Resolved, and the customer's follow-up taken.
    Closed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A step of a complaint's history.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EventKind {
    Received,
    Responded,
    HandedOff,
    Waiting,
    Resumed,
    Resolved,
    Reopened,
    FollowUp,
    PriorityChanged,
    /// The holder was reminded that a limit is nearly used (the check).
    Reminded,
    /// A level of escalation was reached (the check).
    Escalated,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What someone does to a complaint (`POST …/events` `kind`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    /// The customer was answered (the first answer stops the first-response limit).
    Respond,
    /// Another department (or a person of it) must act now.
    HandOff,
    /// Waiting for the customer: the limits stop.
    Wait,
    /// The customer answered: the limits run again.
    Resume,
    Resolve,
    /// The customer came back: not resolved after all.
    Reopen,
    /// The customer's rating of how it was handled, 1–5 (closes it).
    FollowUp,
    /// A new priority: its limits apply, counted from receipt.
    ChangePriority,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The step it writes.
    pub fn event(self) -> EventKind {
        match self {
            Action::Respond => EventKind::Responded,
            Action::HandOff => EventKind::HandedOff,
            Action::Wait => EventKind::Waiting,
            Action::Resume => EventKind::Resumed,
            Action::Resolve => EventKind::Resolved,
            Action::Reopen => EventKind::Reopened,
            Action::FollowUp => EventKind::FollowUp,
            Action::ChangePriority => EventKind::PriorityChanged,
        }
    }

    /// The state after it, or None when it may not be done in `state`.
    pub fn next_state(self, state: State) -> Option<State> {
        use State::*;
        match (self, state) {
            (Action::Respond | Action::HandOff | Action::ChangePriority, Open) => Some(Open),
            (Action::Respond | Action::ChangePriority, WaitingCustomer) => Some(WaitingCustomer),
            (Action::Wait, Open) => Some(WaitingCustomer),
            (Action::Resume, WaitingCustomer) => Some(Open),
            (Action::Resolve, Open | WaitingCustomer) => Some(Resolved),
            (Action::Reopen, Resolved | Closed) => Some(Open),
            (Action::FollowUp, Resolved) => Some(Closed),
            _ => None,
        }
    }

    /// Whether only the holder, its supervisors and HR may do it (the one who logged the
    /// complaint may also reopen it and take the customer's follow-up).
    pub fn holder_only(self) -> bool {
        !matches!(self, Action::Reopen | Action::FollowUp)
    }
}

/// Who holds a complaint: a department, and in it the responsible person if one is named
/// (else the department's supervisors answer for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Holder {
    pub department_id: i32,
    pub employee_id: Option<i32>,
}

/// One step of the history, as the clock needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    /// For a hand-off: the new holder.
    pub holder: Option<Holder>,
}

/// A complaint's history: its receipt, first holder and steps in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub received_at: DateTime<Utc>,
    pub first_holder: Holder,
    pub steps: Vec<Step>,
}

/// The two limits.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Limit {
    FirstResponse,
    Resolution,
}

impl Limit {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// How a limit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Not met and not passed yet.
    Running,
    /// Met within the limit.
    InTime,
    /// Met late, passed unmet, or (resolution) reopened within 7 days.
    Missed,
}

/// One limit of one complaint, as of an instant.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitView {
    pub limit: Limit,
    pub minutes: i64,
    /// Working minutes run until it was met, or until now (to the nearest minute).
    pub used_minutes: i64,
    /// When it passes (or passed); None while the complaint waits with the limit unmet.
    pub due_at: Option<DateTime<Utc>>,
    pub met_at: Option<DateTime<Utc>>,
    pub outcome: Outcome,
    /// Who answers for it: the holder when it was met or passed (None while running).
    pub charged: Option<Holder>,
}

/// Days after a resolution within which a reopen makes it a resolution not in time.
pub const REOPEN_DAYS: i64 = 7;

/// How far ahead a limit's end is looked for (hours that are never worked end nowhere).
const HORIZON_DAYS: i64 = 800;

impl History {
    /// The holder just before `at` (a hand-off at the very instant a limit passes leaves it
    /// with the one who let it pass).
    pub fn holder_at(&self, at: DateTime<Utc>) -> Holder {
        self.steps
            .iter()
            .filter(|s| s.kind == EventKind::HandedOff && s.at < at)
            .filter_map(|s| s.holder)
            .next_back()
            .unwrap_or(self.first_holder)
    }

    /// The holder now.
    pub fn holder(&self) -> Holder {
        self.steps
            .iter()
            .filter(|s| s.kind == EventKind::HandedOff)
            .filter_map(|s| s.holder)
            .next_back()
            .unwrap_or(self.first_holder)
    }

    /// The intervals in which the limits stop: waiting for the customer, and standing
    /// resolved until a reopen; one still going ends at `DateTime::<Utc>::MAX_UTC`.
    pub fn pauses(&self) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let mut pauses = Vec::new();
        let mut since: Option<DateTime<Utc>> = None;
        for step in &self.steps {
            match step.kind {
                EventKind::Waiting | EventKind::Resolved => {
                    since.get_or_insert(step.at);
                }
                EventKind::Resumed | EventKind::Reopened => {
                    if let Some(from) = since.take() {
                        pauses.push((from, step.at));
                    }
                }
                _ => {}
            }
        }
        if let Some(from) = since {
            pauses.push((from, DateTime::<Utc>::MAX_UTC));
        }
        pauses
    }

    /// The first answer to the customer (a resolution answers too).
    pub fn first_response_at(&self) -> Option<DateTime<Utc>> {
        self.steps
            .iter()
            .find(|s| matches!(s.kind, EventKind::Responded | EventKind::Resolved))
            .map(|s| s.at)
    }

    /// The first resolution, and whether a reopen within [`REOPEN_DAYS`] undid it.
    pub fn first_resolution(&self) -> Option<(DateTime<Utc>, bool)> {
        let resolved = self
            .steps
            .iter()
            .find(|s| s.kind == EventKind::Resolved)?
            .at;
        let undone = self.steps.iter().any(|s| {
            s.kind == EventKind::Reopened
                && s.at >= resolved
                && s.at <= resolved + Duration::days(REOPEN_DAYS)
        });
        Some((resolved, undone))
    }

    /// Working seconds the limits ran between receipt and `to`.
    pub fn running_seconds(&self, calendar: &Calendar, to: DateTime<Utc>) -> i64 {
        calendar.seconds_running(self.received_at, to, &self.pauses())
    }

    /// The instant `seconds` working seconds after receipt have run, as things stand.
    fn after(&self, calendar: &Calendar, seconds: i64) -> Option<DateTime<Utc>> {
        calendar.after_running(self.received_at, seconds, &self.pauses(), HORIZON_DAYS)
    }

    /// Both limits as of `now`, under the limits of the priority now.
    pub fn assess(
        &self,
        calendar: &Calendar,
        limits: Limits,
        now: DateTime<Utc>,
    ) -> [LimitView; 2] {
        let response = self.view(
            calendar,
            Limit::FirstResponse,
            limits.first_response_minutes,
            self.first_response_at().map(|at| (at, false)),
            now,
        );
        let resolution = self.view(
            calendar,
            Limit::Resolution,
            limits.resolution_minutes,
            self.first_resolution(),
            now,
        );
        [response, resolution]
    }

    fn view(
        &self,
        calendar: &Calendar,
        limit: Limit,
        minutes: i64,
        met: Option<(DateTime<Utc>, bool)>,
        now: DateTime<Utc>,
    ) -> LimitView {
        let seconds = minutes * 60;
        let due_at = self.after(calendar, seconds);
        let until = met.map_or(now, |(at, _)| at.min(now));
        let used = self.running_seconds(calendar, until);
        let (outcome, charged) = match met {
            Some((at, undone)) if at <= now => {
                let passed_first = used > seconds;
                let outcome = if passed_first || undone {
                    Outcome::Missed
                } else {
                    Outcome::InTime
                };
                // Passed before it was met: the one who let it pass answers for it.
                let when = match due_at {
                    Some(due) if passed_first && due < at => due,
                    _ => at,
                };
                (outcome, Some(self.holder_at(when)))
            }
            _ if used >= seconds && seconds > 0 => {
                let when = due_at.filter(|d| *d <= now).unwrap_or(now);
                (Outcome::Missed, Some(self.holder_at(when)))
            }
            _ => (Outcome::Running, None),
        };
        LimitView {
            limit,
            minutes,
            used_minutes: (used + 30) / 60,
            due_at,
            met_at: met.map(|(at, _)| at),
            outcome,
            charged,
        }
    }
}

/// What the escalation check does about one complaint now, and when it must look again.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckPlan {
    /// Remind the holder of this limit (once per limit and holder: the notice's key).
    pub remind: Option<Limit>,
    /// Reach these levels now (1, 2), in order.
    pub escalate_to: Vec<i16>,
    /// When to look again (None: nothing can come due until someone acts).
    pub next_check: Option<DateTime<Utc>>,
}

/// Where a complaint stands for the check: its state, and the level of escalation reached
/// (0–2) with when level 1 was reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standing {
    pub state: State,
    pub level: i16,
    pub escalated_at: Option<DateTime<Utc>>,
}

/// The escalation rules as the check applies them at `now`:
/// - the limit that matters is the first response until there is one, then the resolution
///   until the complaint is resolved;
/// - at `warn_percent` of it, the holder is reminded;
/// - once it passes, level 1 (the holder's supervisor);
/// - once it has passed and as much working time again as the limit has run since level 1
///   without the complaint being resolved, level 2 (HR). Once per level.
pub fn plan_check(
    history: &History,
    standing: Standing,
    calendar: &Calendar,
    limits: Limits,
    warn_percent: u8,
    now: DateTime<Utc>,
) -> CheckPlan {
    let Standing {
        state,
        level,
        escalated_at,
    } = standing;
    if !matches!(state, State::Open) {
        return CheckPlan::default();
    }
    let (limit, minutes) = if history.first_response_at().is_none() {
        (Limit::FirstResponse, limits.first_response_minutes)
    } else {
        (Limit::Resolution, limits.resolution_minutes)
    };
    let seconds = minutes * 60;
    let warn_seconds = seconds * i64::from(warn_percent.min(100)) / 100;
    let used = history.running_seconds(calendar, now);
    let mut plan = CheckPlan::default();
    let mut later = Vec::new();
    if used >= warn_seconds && used < seconds {
        plan.remind = Some(limit);
    } else if used < warn_seconds {
        later.push(history.after(calendar, warn_seconds));
    }
    let mut reached = level;
    if used >= seconds {
        if reached < 1 {
            plan.escalate_to.push(1);
            reached = 1;
        }
    } else {
        later.push(history.after(calendar, seconds));
    }
    if reached == 1 {
        // Level 2 counts from level 1 (now, if it is reached now).
        let since = if level >= 1 {
            escalated_at.unwrap_or(now)
        } else {
            now
        };
        let after_level_1 = calendar.seconds_running(since, now, &history.pauses());
        if used >= seconds && after_level_1 >= seconds && level >= 1 {
            plan.escalate_to.push(2);
        } else {
            let level_2 = calendar.after_running(since, seconds, &history.pauses(), HORIZON_DAYS);
            let limit_end = history.after(calendar, seconds);
            later.push(match (level_2, limit_end) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            });
        }
    }
    plan.next_check = later.into_iter().flatten().filter(|at| *at > now).min();
    plan
}

#[cfg(test)]
mod tests;
