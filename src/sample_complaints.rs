//! The sample company's month of complaints (`appraisal serve --sample`): the flagship
//! store's desk logs them; most are answered and resolved at the counter, some are handed
//! to Warehouse & Logistics (a few of those let the resolution pass), some reach an
//! escalation, one is reopened, many have the customer's follow-up rating, and the last few
//! are still open. The warehouse's group has a WeCom robot (its key a placeholder to
//! replace). Written as the desk and the holders would have, step by step at past times,
//! then settled now like every complaint.

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::app::complaint_check::settle;
use crate::app::complaints::Rules;
use crate::db::DbConn;
use crate::domain::complaint::{EventKind, Holder, State};
use crate::domain::robot::Platform;
use crate::domain::sla::Priority;
use crate::error::AppError;
use crate::store::complaints::{self, NewComplaint, NewEvent, Standing};
use crate::store::users::User;
use crate::store::{now, robots};

const ZONE: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

const SUMMARIES: [&str; 6] = [
    "冰箱送货比约定晚了三天 The fridge came three days late",
    "退货款一周未到账 Refund not received after a week",
    "店员态度冷淡 The clerk was curt",
    "安装师傅未按时上门 The fitter missed the appointment",
    "发票抬头开错 Wrong name on the invoice",
    "包装破损，商品有划痕 Box damaged, item scratched",
];

/// A company time as stored (UTC).
fn at(day: NaiveDate, hour: u32, minute: u32) -> NaiveDateTime {
    let local = day.and_hms_opt(hour, minute, 0).expect("a time of day");
    ZONE.from_local_datetime(&local)
        .earliest()
        .map_or(local, |t| t.with_timezone(&Utc).naive_utc())
}

fn step(
    conn: &mut DbConn,
    id: i32,
    kind: EventKind,
    at: NaiveDateTime,
    actor: &User,
) -> Result<(), AppError> {
    complaints::add_event(
        conn,
        id,
        NewEvent {
            kind: Some(kind),
            at: Some(at),
            actor_id: Some(actor.id),
            ..NewEvent::default()
        },
    )
}

/// Seeds the month before `today`: `desk` are the store's staff, `store_lead` its
/// supervisor, `warehouse` the warehouse's staff and `warehouse_lead` theirs.
pub fn seed(
    conn: &mut DbConn,
    today: NaiveDate,
    desk: &[User],
    warehouse: &[User],
    warehouse_lead: &User,
) -> Result<(), AppError> {
    let rules = Rules::load(conn, ZONE, 80)?;
    let mut n = 0usize;
    for days_ago in (1..=30).rev() {
        let day = today - Duration::days(days_ago);
        if matches!(
            chrono::Datelike::weekday(&day),
            chrono::Weekday::Sat | chrono::Weekday::Sun
        ) {
            continue;
        }
        n += 1;
        let clerk = &desk[n % desk.len()];
        let handed = n % 3 == 0;
        let received = at(day, 10, (n % 4) as u32 * 10);
        let (complaint, _) = complaints::insert(
            conn,
            &NewComplaint {
                external_ref: None,
                received_at: received,
                received_on: day,
                channel: ["counter", "phone", "wechat", "online"][n % 4].into(),
                priority: if n % 7 == 0 {
                    Priority::High
                } else {
                    Priority::Normal
                },
                summary: SUMMARIES[n % SUMMARIES.len()].into(),
                customer_ref: Some(format!("ORDER-{:05}", 20_000 + n * 37)),
                customer_locale: "zh-CN".into(),
                holder: Holder {
                    department_id: clerk.department_id,
                    employee_id: Some(clerk.id),
                },
                logged_by: Some(clerk.id),
            },
        )?;
        let id = complaint.id;
        let mut standing = Standing {
            state: State::Open.as_str().into(),
            priority: complaint.priority.clone(),
            department_id: clerk.department_id,
            employee_id: Some(Some(clerk.id)),
            first_response_at: None,
            resolved_at: None,
            follow_up_rating: None,
            updated_at: now(),
        };
        // The last two are still open, one of them unanswered (it escalates).
        if days_ago <= 2 {
            if n % 2 == 0 {
                let answered = received + Duration::minutes(25);
                step(conn, id, EventKind::Responded, answered, clerk)?;
                standing.first_response_at = Some(Some(answered));
            }
            complaints::set_standing(conn, id, &standing)?;
            settle(conn, id, &rules, now())?;
            continue;
        }
        // Every fifth is answered late (a level-1 escalation once it is settled).
        let answer_after = if n % 5 == 0 {
            26 * 60
        } else {
            15 + (n % 3) as i64 * 10
        };
        let answered = received + Duration::minutes(answer_after);
        step(conn, id, EventKind::Responded, answered, clerk)?;
        standing.first_response_at = Some(Some(answered));
        let mut holder = (clerk, clerk.department_id);
        if handed {
            let to = &warehouse[n % warehouse.len()];
            let handed_at = answered + Duration::minutes(20);
            complaints::add_event(
                conn,
                id,
                NewEvent {
                    kind: Some(EventKind::HandedOff),
                    at: Some(handed_at),
                    actor_id: Some(clerk.id),
                    to: Some(Holder {
                        department_id: to.department_id,
                        employee_id: Some(to.id),
                    }),
                    ..NewEvent::default()
                },
            )?;
            standing.department_id = to.department_id;
            standing.employee_id = Some(Some(to.id));
            holder = (to, to.department_id);
        }
        // The warehouse takes one or two working days; the counter an hour or two.
        let resolve_after = if handed {
            Duration::hours(if n % 2 == 0 { 24 } else { 48 })
        } else {
            Duration::minutes(60 + (n % 4) as i64 * 30)
        };
        let resolved = answered + resolve_after;
        step(conn, id, EventKind::Resolved, resolved, holder.0)?;
        standing.state = State::Resolved.as_str().into();
        standing.resolved_at = Some(Some(resolved));
        if n == 4 {
            // The customer came back two days later: reopened, resolved again.
            let reopened = resolved + Duration::days(2);
            step(conn, id, EventKind::Reopened, reopened, clerk)?;
            let again = reopened + Duration::hours(3);
            step(conn, id, EventKind::Resolved, again, holder.0)?;
        }
        if n % 2 == 1 {
            let rating = if handed && n % 4 == 1 {
                2
            } else {
                4 + (n % 2) as i32
            };
            let follow = resolved + Duration::days(1);
            complaints::add_event(
                conn,
                id,
                NewEvent {
                    kind: Some(EventKind::FollowUp),
                    at: Some(follow),
                    actor_id: Some(clerk.id),
                    rating: Some(rating),
                    ..NewEvent::default()
                },
            )?;
            standing.state = State::Closed.as_str().into();
            standing.follow_up_rating = Some(Some(rating));
        }
        complaints::set_standing(conn, id, &standing)?;
        settle(conn, id, &rules, now())?;
    }
    // The warehouse's group robot: a placeholder key to replace with the group's own.
    robots::set(
        conn,
        warehouse[0].department_id,
        Platform::Wecom,
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SAMPLE-replace-with-your-robot-key",
        None,
        warehouse_lead.id,
    )?;
    Ok(())
}
