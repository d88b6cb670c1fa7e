use super::*;
use crate::domain::sla::SlaPolicy;
use chrono::{NaiveDateTime, TimeZone};

const SH: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

fn at(text: &str) -> DateTime<Utc> {
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    SH.from_local_datetime(&local)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

/// The default policy's hours: weekdays 09:00–18:00, lunch 12:00–13:30, Shanghai.
fn office() -> Calendar {
    Calendar::new(SlaPolicy::default_policy().hours(SH))
}

fn limits(first: i64, resolution: i64) -> Limits {
    Limits {
        first_response_minutes: first,
        resolution_minutes: resolution,
    }
}

const DESK: Holder = Holder {
    department_id: 1,
    employee_id: Some(10),
};
const WAREHOUSE: Holder = Holder {
    department_id: 2,
    employee_id: Some(20),
};

fn step(when: &str, kind: EventKind) -> Step {
    Step {
        at: at(when),
        kind,
        holder: None,
    }
}

fn hand_off(when: &str, to: Holder) -> Step {
    Step {
        at: at(when),
        kind: EventKind::HandedOff,
        holder: Some(to),
    }
}

fn history(received: &str, steps: Vec<Step>) -> History {
    History {
        received_at: at(received),
        first_holder: DESK,
        steps,
    }
}

#[test]
fn a_limit_runs_across_the_weekend_in_working_hours_only() {
    // Friday 2026-03-06 17:00, two working hours to answer: an hour on Friday, an hour on
    // Monday morning. Answered at 09:30 on Monday: 90 minutes used, in time.
    let h = history(
        "2026-03-06 17:00",
        vec![step("2026-03-09 09:30", EventKind::Responded)],
    );
    let [response, resolution] = h.assess(&office(), limits(120, 600), at("2026-03-09 11:00"));
    assert_eq!(response.due_at, Some(at("2026-03-09 10:00")));
    assert_eq!(response.used_minutes, 90);
    assert_eq!(response.outcome, Outcome::InTime);
    assert_eq!(response.charged, Some(DESK));
    assert_eq!(resolution.outcome, Outcome::Running);
    assert_eq!(resolution.charged, None);
    assert_eq!(resolution.used_minutes, 60 + 120);
}

#[test]
fn a_hand_off_charges_the_holder_who_let_the_limit_pass() {
    // The desk answers at 09:10 and hands it to the warehouse at 10:00 with 3 of the 4
    // hours left; the warehouse resolves at 15:00, 270 working minutes after receipt. The
    // limit passed at 14:30 while the warehouse held it.
    let h = history(
        "2026-03-09 09:00",
        vec![
            step("2026-03-09 09:10", EventKind::Responded),
            hand_off("2026-03-09 10:00", WAREHOUSE),
            step("2026-03-09 15:00", EventKind::Resolved),
        ],
    );
    let [response, resolution] = h.assess(&office(), limits(60, 240), at("2026-03-10 09:00"));
    assert_eq!(
        (response.outcome, response.charged),
        (Outcome::InTime, Some(DESK))
    );
    assert_eq!(resolution.due_at, Some(at("2026-03-09 14:30")));
    assert_eq!(resolution.used_minutes, 270);
    assert_eq!(
        (resolution.outcome, resolution.charged),
        (Outcome::Missed, Some(WAREHOUSE))
    );
}

#[test]
fn a_limit_passed_before_the_hand_off_stays_with_the_one_who_let_it_pass() {
    let h = history(
        "2026-03-09 09:00",
        vec![
            hand_off("2026-03-09 11:00", WAREHOUSE),
            step("2026-03-09 11:30", EventKind::Responded),
        ],
    );
    let [response, _] = h.assess(&office(), limits(60, 600), at("2026-03-09 12:00"));
    assert_eq!(
        (response.outcome, response.charged),
        (Outcome::Missed, Some(DESK))
    );
}

#[test]
fn waiting_for_the_customer_stops_both_limits() {
    // Answered at 09:30, waiting from 10:00 until Wednesday 09:00, resolved at 11:00: 60 +
    // 120 minutes ran.
    let h = history(
        "2026-03-09 09:00",
        vec![
            step("2026-03-09 09:30", EventKind::Responded),
            step("2026-03-09 10:00", EventKind::Waiting),
            step("2026-03-11 09:00", EventKind::Resumed),
            step("2026-03-11 11:00", EventKind::Resolved),
        ],
    );
    let [_, resolution] = h.assess(&office(), limits(60, 240), at("2026-03-12 09:00"));
    assert_eq!(resolution.used_minutes, 180);
    assert_eq!(resolution.outcome, Outcome::InTime);
    // While it waits, the limit has no end.
    let waiting = history(
        "2026-03-09 09:00",
        vec![step("2026-03-09 10:00", EventKind::Waiting)],
    );
    let [response, _] = waiting.assess(&office(), limits(120, 240), at("2026-03-20 09:00"));
    assert_eq!(
        (response.due_at, response.outcome),
        (None, Outcome::Running)
    );
}

#[test]
fn a_reopen_within_seven_days_is_a_resolution_not_in_time() {
    let resolved = vec![
        step("2026-03-09 09:30", EventKind::Resolved),
        step("2026-03-16 09:00", EventKind::Reopened),
    ];
    let h = history("2026-03-09 09:00", resolved);
    let [response, resolution] = h.assess(&office(), limits(60, 240), at("2026-03-17 09:00"));
    assert_eq!(response.outcome, Outcome::InTime);
    assert_eq!(resolution.outcome, Outcome::Missed);
    // Eight days later is a new matter: the first resolution stands.
    let later = vec![
        step("2026-03-09 09:30", EventKind::Resolved),
        step("2026-03-17 10:00", EventKind::Reopened),
    ];
    let h = history("2026-03-09 09:00", later);
    let [_, resolution] = h.assess(&office(), limits(60, 240), at("2026-03-18 09:00"));
    assert_eq!(resolution.outcome, Outcome::InTime);
}

fn standing(level: i16, escalated_at: Option<&str>) -> Standing {
    Standing {
        state: State::Open,
        level,
        escalated_at: escalated_at.map(at),
    }
}

#[test]
fn a_complaint_three_hours_over_reaches_level_one_then_level_two_a_limit_later() {
    let h = history("2026-03-09 09:00", Vec::new());
    let l = limits(60, 480);
    let now = at("2026-03-09 12:00");
    let plan = plan_check(&h, standing(0, None), &office(), l, 80, now);
    assert_eq!(plan.escalate_to, vec![1]);
    assert_eq!(plan.remind, None);
    // Level 2 an hour of working time after level 1 (the lunch break does not count).
    assert_eq!(plan.next_check, Some(at("2026-03-09 14:30")));
    let plan = plan_check(
        &h,
        standing(1, Some("2026-03-09 12:00")),
        &office(),
        l,
        80,
        at("2026-03-09 14:00"),
    );
    assert!(plan.escalate_to.is_empty());
    let plan = plan_check(
        &h,
        standing(1, Some("2026-03-09 12:00")),
        &office(),
        l,
        80,
        at("2026-03-09 14:30"),
    );
    assert_eq!(plan.escalate_to, vec![2]);
    assert_eq!(plan.next_check, None);
}

#[test]
fn at_eighty_percent_the_holder_is_reminded_and_nothing_escalates() {
    let h = history("2026-03-09 09:00", Vec::new());
    let plan = plan_check(
        &h,
        standing(0, None),
        &office(),
        limits(60, 480),
        80,
        at("2026-03-09 09:50"),
    );
    assert_eq!(plan.remind, Some(Limit::FirstResponse));
    assert!(plan.escalate_to.is_empty());
    assert_eq!(plan.next_check, Some(at("2026-03-09 10:00")));
    // Before it: nothing yet, look again at 09:48.
    let plan = plan_check(
        &h,
        standing(0, None),
        &office(),
        limits(60, 480),
        80,
        at("2026-03-09 09:20"),
    );
    assert_eq!(
        plan,
        CheckPlan {
            remind: None,
            escalate_to: Vec::new(),
            next_check: Some(at("2026-03-09 09:48")),
        }
    );
}

#[test]
fn an_answered_complaint_is_checked_against_its_resolution_and_a_waiting_one_not_at_all() {
    let h = history(
        "2026-03-09 09:00",
        vec![step("2026-03-09 09:30", EventKind::Responded)],
    );
    let plan = plan_check(
        &h,
        standing(0, None),
        &office(),
        limits(60, 120),
        80,
        at("2026-03-09 10:30"),
    );
    assert!(plan.escalate_to.is_empty());
    assert_eq!(plan.next_check, Some(at("2026-03-09 10:36")));
    let waiting = Standing {
        state: State::WaitingCustomer,
        ..standing(0, None)
    };
    assert_eq!(
        plan_check(
            &h,
            waiting,
            &office(),
            limits(60, 120),
            80,
            at("2026-03-20 10:30")
        ),
        CheckPlan::default()
    );
}

#[test]
fn the_actions_follow_the_states() {
    use Action::*;
    assert_eq!(Respond.next_state(State::Open), Some(State::Open));
    assert_eq!(Wait.next_state(State::Open), Some(State::WaitingCustomer));
    assert_eq!(Wait.next_state(State::WaitingCustomer), None);
    assert_eq!(Resume.next_state(State::Open), None);
    assert_eq!(HandOff.next_state(State::Resolved), None);
    assert_eq!(FollowUp.next_state(State::Open), None);
    assert_eq!(FollowUp.next_state(State::Resolved), Some(State::Closed));
    assert_eq!(Reopen.next_state(State::Closed), Some(State::Open));
    // The names in forms and JSON agree.
    for a in [Respond, HandOff, FollowUp, ChangePriority] {
        assert_eq!(
            serde_json::to_value(a).unwrap(),
            serde_json::json!(a.as_str())
        );
        assert_eq!(a.as_str().parse::<Action>(), Ok(a));
    }
    assert_eq!(Limit::FirstResponse.as_str(), "first_response");
}
