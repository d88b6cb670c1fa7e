//! Which notices each event queues, to whom (in the event's transaction: the outbox of
//! PRODUCT §5), the review reminders that come from the calendar, and HR's retry of a failed
//! notice. The dedupe key is unique per event and recipient, so queueing twice is a no-op.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Duration, NaiveDate};

use super::App;
use crate::auth::Caller;
use crate::db::{write_tx, DbConn};
use crate::error::AppError;
use crate::store::cycles::Cycle;
use crate::store::notices::{self, Kind, NewNotice, Notice, ReminderPayload, ReminderReport};
use crate::store::{cycles, inspections, users};

/// Asks everyone appraised in `cycle` (active, not HR) to rate colleagues of other
/// departments; in the transaction that opens the cycle.
pub fn ask_for_ratings(tx: &mut DbConn, cycle: &Cycle) -> Result<usize, AppError> {
    let batch = users::appraised_ids(tx)?
        .into_iter()
        .map(|id| NewNotice {
            kind: Kind::CollaborationRequest,
            recipient_id: id,
            dedupe_key: format!("collaboration_request:{}:{id}", cycle.id),
            payload: serde_json::json!({ "cycle_id": cycle.id }),
        })
        .collect();
    notices::enqueue(tx, batch)
}

/// Tells each employee whose appraisal was just published: (appraisal, employee, version).
pub fn tell_published(
    tx: &mut DbConn,
    cycle: &Cycle,
    published: &[(i32, i32, i32)],
) -> Result<usize, AppError> {
    let batch = published
        .iter()
        .map(|&(id, employee, version)| NewNotice {
            kind: Kind::AppraisalPublished,
            recipient_id: employee,
            dedupe_key: format!("appraisal_published:{id}:v{version}"),
            payload: serde_json::json!({"appraisal_id": id, "cycle_id": cycle.id}),
        })
        .collect();
    notices::enqueue(tx, batch)
}

pub fn tell_inspected(tx: &mut DbConn, inspection: i32, employee: i32) -> Result<usize, AppError> {
    notices::enqueue(
        tx,
        vec![NewNotice {
            kind: Kind::InspectionRecorded,
            recipient_id: employee,
            dedupe_key: format!("inspection_recorded:{inspection}"),
            payload: serde_json::json!({ "inspection_id": inspection }),
        }],
    )
}

/// Every active HR account hears of an appeal.
pub fn tell_appealed(tx: &mut DbConn, appeal: i32, appraisal: i32) -> Result<usize, AppError> {
    let batch = users::active_hr_ids(tx)?
        .into_iter()
        .map(|recipient| NewNotice {
            kind: Kind::AppealFiled,
            recipient_id: recipient,
            dedupe_key: format!("appeal_filed:{appeal}:{recipient}"),
            payload: serde_json::json!({"appeal_id": appeal, "appraisal_id": appraisal}),
        })
        .collect();
    notices::enqueue(tx, batch)
}

pub fn tell_decided(
    tx: &mut DbConn,
    appeal: i32,
    appraisal: i32,
    employee: i32,
) -> Result<usize, AppError> {
    notices::enqueue(
        tx,
        vec![NewNotice {
            kind: Kind::AppealDecided,
            recipient_id: employee,
            dedupe_key: format!("appeal_decided:{appeal}"),
            payload: serde_json::json!({"appeal_id": appeal, "appraisal_id": appraisal}),
        }],
    )
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
    let until = today + Duration::days(i64::from(days));
    let ending: Vec<Cycle> = cycles::all(conn)?
        .into_iter()
        .filter(|c| c.state() == crate::domain::cycle::CycleState::Open)
        .filter(|c| c.period_end >= today && c.period_end <= until)
        .collect();
    let mut queued = 0;
    for cycle in ending {
        // An open cycle has a scheme (opening needs one).
        let minimum = cycle.inspections_needed()?;
        queued += write_tx(conn, |tx| remind_for_cycle(tx, &cycle, minimum))?;
    }
    Ok(queued)
}

fn remind_for_cycle(tx: &mut DbConn, cycle: &Cycle, minimum: i32) -> Result<usize, AppError> {
    let counts: HashMap<i32, i64> = inspections::count_by_employee(tx, cycle.id)?;
    // Who may supervise (active, not staff), and the appraised people (active, not HR) who
    // report to someone; matched here rather than with a list of ids in SQL, which could
    // exceed SQLite's limit on bound parameters in a large company.
    let supervisors: HashSet<i32> = users::possible_managers(tx)?.into_iter().collect();
    let mut lacking: BTreeMap<i32, Vec<ReminderReport>> = BTreeMap::new();
    for (employee, manager) in users::managed_appraised(tx)? {
        if !supervisors.contains(&manager) {
            continue;
        }
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
    notices::enqueue(tx, batch)
}

impl App {
    /// HR queues a failed notice again, with a fresh set of attempts.
    pub async fn retry_notice(&self, caller: &Caller, id: i64) -> Result<Notice, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        self.write(caller, move |tx, me| notices::requeue(tx, me.id, id))
            .await
    }
}

/// A notice as a page shows it to someone without email: when, its subject and its text
/// (the mail's plain text, in their language).
#[derive(Debug, Clone)]
pub struct PageNotice {
    pub at: chrono::NaiveDateTime,
    pub subject: String,
    pub text: String,
}

/// How many notices `/me` shows someone without email.
const NOTICES_ON_A_PAGE: i64 = 10;

impl App {
    /// The notices the caller would have been mailed, had they an email: the latest ten,
    /// newest first, as the mail would have read (links start at `public_url`). Empty for
    /// someone with email (their notices are mailed).
    pub async fn notices_on_my_pages(
        &self,
        caller: &Caller,
        public_url: String,
    ) -> Result<Vec<PageNotice>, AppError> {
        let time = self.time.clone();
        self.read(caller, move |conn, me| {
            if me.email.is_some() {
                return Ok(Vec::new());
            }
            let shown = notices::on_page_for(conn, me.id, NOTICES_ON_A_PAGE)?;
            Ok(shown
                .iter()
                .filter(|notice| {
                    // Password links are never shown (they are not sent to anyone without
                    // email; loading one would make a token).
                    !matches!(
                        Kind::parse(&notice.kind),
                        Some(Kind::PasswordSetup | Kind::PasswordReset) | None
                    )
                })
                .filter_map(|notice| {
                    // A notice whose subject is gone (a deleted cycle) is left out.
                    let (recipient, content) =
                        crate::notify::content::load(conn, notice, &time).ok()?;
                    let rendered = crate::notify::templates::render(
                        &content,
                        recipient.locale,
                        &recipient.display_name,
                        &public_url,
                    );
                    Some(PageNotice {
                        at: notice.created_at,
                        subject: rendered.subject,
                        text: rendered.text,
                    })
                })
                .collect())
        })
        .await
    }
}
