//! Loads what a notice says from the database, for its recipient only: an employee's notice
//! is refused unless the appraisal or inspection is theirs, a reminder lists only people who
//! still report to the supervisor, and an appeal goes only to HR.

use crate::domain::clock::CompanyTime;
use crate::domain::delivery::Failure;
use chrono::NaiveDate;
use serde::Deserialize;

use super::templates::{ComponentLine, Content, ItemLine, ReportLine};
use crate::db::DbConn;
use crate::domain::appraisal::AppealState;
use crate::domain::user::Role;
use crate::error::AppError;
use crate::store::appraisals::{self, Appraisal};
use crate::store::notices::{Kind, Notice, ReminderPayload, ReviewAgainPayload};
use crate::store::password_tokens::{self, Purpose};
use crate::store::users::{self, User};
use crate::store::{appeals, complaints, cycles, departments, inspections};

/// Why a notice could not be put together.
#[derive(Debug)]
pub enum LoadError {
    /// It never will be (the data is gone, or not the recipient's): do not retry.
    Permanent(Failure, String),
    /// The database failed; try again later.
    Transient(AppError),
}

impl From<AppError> for LoadError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::NotFound => LoadError::Permanent(
                Failure::SubjectGone,
                "what this notice is about no longer exists".into(),
            ),
            other => LoadError::Transient(other),
        }
    }
}

#[derive(Deserialize)]
struct AppraisalRef {
    appraisal_id: i32,
}

#[derive(Deserialize)]
struct InspectionRef {
    inspection_id: i32,
}

#[derive(Deserialize)]
struct AppealRef {
    appeal_id: i32,
}

#[derive(Deserialize)]
struct CycleRef {
    cycle_id: i32,
}

fn payload<T: serde::de::DeserializeOwned>(notice: &Notice) -> Result<T, LoadError> {
    serde_json::from_str(&notice.payload_json)
        .map_err(|e| LoadError::Permanent(Failure::Unbuildable, format!("unreadable payload: {e}")))
}

fn not_theirs() -> LoadError {
    LoadError::Permanent(
        Failure::NotTheirs,
        "the subject of this notice does not belong to its recipient".into(),
    )
}

/// The recipient (active) and what to tell them.
pub fn load(
    conn: &mut DbConn,
    notice: &Notice,
    time: &CompanyTime,
) -> Result<(User, Content), LoadError> {
    let recipient = users::get(conn, notice.recipient_id)?;
    if !recipient.active {
        return Err(LoadError::Permanent(
            Failure::RecipientInactive,
            "the recipient is deactivated".into(),
        ));
    }
    let kind = Kind::parse(&notice.kind).ok_or_else(|| {
        LoadError::Permanent(
            Failure::Unbuildable,
            format!("unknown kind {}", notice.kind),
        )
    })?;
    let content = match kind {
        Kind::AppraisalPublished => {
            let AppraisalRef { appraisal_id } = payload(notice)?;
            published(conn, &recipient, appraisal_id, time)?
        }
        Kind::InspectionRecorded => {
            let InspectionRef { inspection_id } = payload(notice)?;
            inspection(conn, &recipient, inspection_id)?
        }
        Kind::AppealFiled => {
            let AppealRef { appeal_id } = payload(notice)?;
            appeal_filed(conn, &recipient, appeal_id)?
        }
        Kind::AppealDecided => {
            let AppealRef { appeal_id } = payload(notice)?;
            appeal_decided(conn, &recipient, appeal_id)?
        }
        Kind::ReviewReminder => reminder(conn, &recipient, payload(notice)?)?,
        Kind::ReviewAgain => review_again(conn, &recipient, payload(notice)?)?,
        Kind::PasswordSetup | Kind::PasswordReset => {
            // The link's secret is made now, for this mail only; the table keeps its hash.
            let purpose = if kind == Kind::PasswordSetup {
                Purpose::Setup
            } else {
                Purpose::Reset
            };
            let (token, expires) = password_tokens::issue(conn, recipient.id, purpose)?;
            Content::PasswordLink {
                setup: kind == Kind::PasswordSetup,
                email: recipient.email.clone().unwrap_or_default(),
                token,
                expires: time.local(expires),
            }
        }
        Kind::ComplaintReminder | Kind::ComplaintEscalated => {
            complaint(conn, &recipient, payload(notice)?, time)?
        }
        Kind::CollaborationRequest => {
            let CycleRef { cycle_id } = payload(notice)?;
            let cycle = cycles::get(conn, cycle_id)?;
            Content::CollaborationRequest {
                cycle_id,
                cycle: cycle.name,
                period_end: cycle.period_end,
            }
        }
    };
    Ok((recipient, content))
}

fn own_appraisal(conn: &mut DbConn, recipient: &User, id: i32) -> Result<Appraisal, LoadError> {
    let appraisal = appraisals::get(conn, id)?;
    if appraisal.employee_id != recipient.id {
        return Err(not_theirs());
    }
    Ok(appraisal)
}

fn published(
    conn: &mut DbConn,
    recipient: &User,
    id: i32,
    time: &CompanyTime,
) -> Result<Content, LoadError> {
    let appraisal = own_appraisal(conn, recipient, id)?;
    let cycle = cycles::get(conn, appraisal.cycle_id)?;
    let inputs = appraisal.inputs()?;
    let components = inputs
        .counted_contributions()
        .into_iter()
        .map(|(name, input, used)| ComponentLine {
            name,
            weight: input.weight,
            score: input.score,
            used,
            evidence: input.evidence,
            minimum: inputs.min_evidence.of(name),
        })
        .collect();
    let appeal_until: Option<NaiveDate> = appraisal
        .published_at
        .map(|_| time.local(appraisal.appeal_closes(&cycle)).date());
    Ok(Content::AppraisalPublished {
        appraisal_id: appraisal.id,
        cycle: cycle.name,
        total: appraisal.total(),
        grade: appraisal.grade,
        rank: appraisal.department_rank,
        components,
        appeal_until,
    })
}

fn inspection(conn: &mut DbConn, recipient: &User, id: i32) -> Result<Content, LoadError> {
    let detail = inspections::detail(conn, id)?;
    if detail.employee_id != recipient.id {
        return Err(not_theirs());
    }
    let inspector = users::get(conn, detail.inspector_id)?;
    Ok(Content::InspectionRecorded {
        inspection_id: detail.id,
        occurred_on: detail.occurred_on,
        inspector: inspector.display_name,
        checklist: detail.checklist_name,
        items: detail
            .items
            .into_iter()
            .map(|i| ItemLine {
                title: i.title,
                points: i.points,
                max_points: i.max_points,
                critical: i.critical,
                note: i.note,
            })
            .collect(),
        score: detail.score,
        critical_failed: detail.critical_failed,
        comment: detail.comment,
    })
}

fn appeal_filed(conn: &mut DbConn, recipient: &User, id: i32) -> Result<Content, LoadError> {
    if recipient.role != Role::Hr {
        return Err(not_theirs());
    }
    let appeal = appeals::get(conn, id)?;
    let appraisal = appraisals::get(conn, appeal.appraisal_id)?;
    let employee = users::get(conn, appraisal.employee_id)?;
    let department = departments::get(conn, employee.department_id)?;
    let cycle = cycles::get(conn, appraisal.cycle_id)?;
    Ok(Content::AppealFiled {
        appeal_id: appeal.id,
        employee: employee.display_name,
        department: department.name,
        cycle: cycle.name,
        reason: appeal.reason,
    })
}

fn appeal_decided(conn: &mut DbConn, recipient: &User, id: i32) -> Result<Content, LoadError> {
    let appeal = appeals::get(conn, id)?;
    let appraisal = own_appraisal(conn, recipient, appeal.appraisal_id)?;
    let cycle = cycles::get(conn, appraisal.cycle_id)?;
    Ok(Content::AppealDecided {
        appraisal_id: appraisal.id,
        cycle: cycle.name,
        upheld: appeal.state == AppealState::Upheld,
        note: appeal.decision_note,
        total: appraisal.total(),
        grade: appraisal.grade,
    })
}

/// The people whose reviewed appraisals a recompute changed, among those the recipient
/// still reviews (a transfer since must not name a former report).
fn review_again(
    conn: &mut DbConn,
    recipient: &User,
    payload: ReviewAgainPayload,
) -> Result<Content, LoadError> {
    let cycle = cycles::get(conn, payload.cycle_id)?;
    let mut names = Vec::new();
    for id in payload.appraisals {
        let appraisal = appraisals::get(conn, id)?;
        if appraisal.cycle_id != cycle.id {
            continue;
        }
        let employee = users::get(conn, appraisal.employee_id)?;
        let manager = users::active_manager(conn, employee.manager_id)?;
        let reviewer = (recipient.id, recipient.role);
        if crate::domain::user::may_review(reviewer, employee.id, manager) == Some(true) {
            names.push(employee.display_name);
        }
    }
    if names.is_empty() {
        return Err(LoadError::Permanent(
            Failure::NotTheirs,
            "none of these appraisals is the recipient's to review any more".into(),
        ));
    }
    Ok(Content::ReviewAgain {
        cycle_id: cycle.id,
        cycle: cycle.name,
        names,
    })
}

fn reminder(
    conn: &mut DbConn,
    recipient: &User,
    payload: ReminderPayload,
) -> Result<Content, LoadError> {
    let cycle = cycles::get(conn, payload.cycle_id)?;
    let ids: Vec<i32> = payload.reports.iter().map(|r| r.id).collect();
    // Only people who still report to the recipient: a transfer since the reminder was
    // queued must not show a former report's progress to their old supervisor.
    let current = users::direct_reports_among(conn, recipient.id, &ids)?;
    let reports: Vec<ReportLine> = payload
        .reports
        .iter()
        .filter_map(|r| {
            current.iter().find(|u| u.id == r.id).map(|u| ReportLine {
                name: u.display_name.clone(),
                inspections: r.inspections,
            })
        })
        .collect();
    if reports.is_empty() {
        return Err(LoadError::Permanent(
            Failure::NotTheirs,
            "none of the people in this reminder report to the recipient any more".into(),
        ));
    }
    Ok(Content::ReviewReminder {
        cycle_id: cycle.id,
        cycle: cycle.name,
        period_end: cycle.period_end,
        minimum: payload.minimum,
        reports,
    })
}

/// A complaint's reminder or escalation, only while the recipient may still see it (a
/// transfer since must not show it to a former supervisor).
fn complaint(
    conn: &mut DbConn,
    recipient: &User,
    notice: crate::app::complaint_check::ComplaintNotice,
    time: &CompanyTime,
) -> Result<Content, LoadError> {
    let id = notice.complaint_id;
    if !complaints::visible(conn, recipient, id)? {
        return Err(not_theirs());
    }
    let complaint = complaints::get(conn, id)?;
    let department = departments::get(conn, complaint.department_id)?.name;
    let received = time.local(complaint.received_at);
    Ok(match notice.level {
        Some(level) => Content::ComplaintEscalated {
            complaint_id: id,
            level,
            summary: complaint.summary,
            department,
            holder: match complaint.employee_id {
                Some(person) => Some(users::get(conn, person)?.display_name),
                None => None,
            },
            received,
        },
        None => Content::ComplaintReminder {
            complaint_id: id,
            summary: complaint.summary,
            department,
            received,
            first_response: notice.limit == Some(crate::domain::complaint::Limit::FirstResponse),
        },
    })
}
