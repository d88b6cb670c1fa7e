//! Appraisals: computing a cycle (set-based: the evidence summed per employee in a handful
//! of queries, each employee scored by the domain's rules, the results written at once),
//! the supervisor's review, and the employee's acknowledgement or appeal with HR's
//! decision.

use std::collections::HashMap;
use std::time::Instant;

use serde::Deserialize;
use utoipa::ToSchema;

use super::{notices, App};
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::appraisal::{score_employee, AppealState, AppraisalState, EmployeeEvidence};
use crate::domain::audit::Action;
use crate::domain::clock::CompanyTime;
use crate::domain::component::Component;
use crate::domain::cycle::CycleState;
use crate::domain::evidence::COMMENT_MAX;
use crate::domain::problem::Problem;
use crate::domain::scoring;
use crate::domain::text::{free_text, free_text_schema, required_text, required_text_schema};
use crate::domain::user::may_review;
use crate::error::{AppError, FieldErrors};
use crate::store::appeals::{self, Appeal};
use crate::store::appraisals::{self, Appraisal, ComputeOutcome};
use crate::store::users::{self, User};
use crate::store::{cycles, evidence, now};

impl App {
    /// Computes (or recomputes) every appraisal of a cycle in review.
    pub async fn compute(&self, caller: &Caller, cycle: i32) -> Result<ComputeOutcome, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        let (zone, warn) = (self.time.zone(), self.complaints.warn_percent);
        // Complaints whose limits passed since the last check are charged first (in their
        // own transactions): a complaint still open counts for the limits it has missed.
        self.db
            .run(move |conn| super::complaint_check::check_due(conn, zone, warn))
            .await?;
        self.write(caller, move |tx, me| compute(tx, me.id, cycle))
            .await
    }
}

/// The cycle's row is written first, so a publication or a change of scheme of the same
/// cycle waits for the compute (or makes it run again, on PostgreSQL) instead of
/// interleaving with it.
pub fn compute(tx: &mut DbConn, actor: i32, cycle_id: i32) -> Result<ComputeOutcome, AppError> {
    let started = Instant::now();
    let cycle = cycles::mark_computing(tx, cycle_id)?;
    if cycle.state() != CycleState::Review {
        return Err(AppError::Conflict(Problem::ComputeInReviewOnly {
            state: cycle.state(),
        }));
    }
    let scheme = cycle
        .scheme()?
        .ok_or(AppError::Conflict(Problem::NoScheme))?;
    crate::db::refresh_statistics(tx)?;
    let summary: HashMap<i32, EmployeeEvidence> = evidence::summary(tx, cycle_id, None)?
        .into_iter()
        .map(|e| (e.employee_id, e))
        .collect();
    let mut inspected = appraisals::inspections_by_employee(tx, cycle_id, None)?;
    let none = EmployeeEvidence::default();
    let computed: Vec<_> = appraisals::appraised(tx)?
        .into_iter()
        .map(|(employee, department)| {
            let e = summary.get(&employee).unwrap_or(&none);
            let found = inspected.remove(&employee).unwrap_or_default();
            score_employee(&scheme, employee, department, e, found)
        })
        .collect();
    let read = started.elapsed();
    let mut by_department: HashMap<i32, Vec<(i32, Option<f64>)>> = HashMap::new();
    for c in &computed {
        by_department
            .entry(c.department_id)
            .or_default()
            .push((c.employee_id, c.total));
    }
    let ranks: HashMap<i32, u32> = by_department
        .values()
        .flat_map(|totals| scoring::ranks(totals))
        .collect();
    let ranked = computed
        .into_iter()
        .map(|c| {
            let rank = ranks.get(&c.employee_id).map(|r| *r as i32);
            (c, rank)
        })
        .collect();
    let scored = started.elapsed();
    let outcome = appraisals::write_computed(tx, actor, &cycle, ranked)?;
    tell_reviewers(tx, &cycle, &outcome)?;
    tracing::info!(
        cycle_id,
        computed = outcome.computed,
        changed = outcome.changed,
        read_ms = read.as_millis() as u64,
        score_ms = (scored - read).as_millis() as u64,
        write_ms = (started.elapsed() - scored).as_millis() as u64,
        "cycle computed"
    );
    Ok(outcome)
}

/// Each reviewer whose reviews a recompute undid (their numbers changed) is told which, in
/// one notice per reviewer and compute.
fn tell_reviewers(
    tx: &mut DbConn,
    cycle: &crate::store::cycles::Cycle,
    outcome: &ComputeOutcome,
) -> Result<(), AppError> {
    use crate::store::notices::{enqueue, Kind, NewNotice, ReviewAgainPayload};
    let mut by_reviewer: std::collections::BTreeMap<i32, Vec<i32>> = Default::default();
    for (reviewer, appraisal) in &outcome.reset {
        by_reviewer.entry(*reviewer).or_default().push(*appraisal);
    }
    let stamp = crate::store::now().and_utc().timestamp_micros();
    let notices = by_reviewer
        .into_iter()
        .map(|(reviewer, appraisals)| {
            let payload = ReviewAgainPayload {
                cycle_id: cycle.id,
                appraisals,
            };
            Ok(NewNotice {
                kind: Kind::ReviewAgain,
                recipient_id: reviewer,
                dedupe_key: format!("review_again:{}:{reviewer}:{stamp}", cycle.id),
                payload: serde_json::to_value(payload).map_err(AppError::internal)?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    enqueue(tx, notices)?;
    Ok(())
}

/// A review comment (optional).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    #[serde(default)]
    #[schema(schema_with = free_text_schema::<COMMENT_MAX>)]
    pub comment: Option<String>,
}

impl App {
    /// A supervisor's review of a direct report's appraisal while the cycle is in review
    /// (HR's, for someone without a manager: `domain::user::may_review`).
    pub async fn review(
        &self,
        caller: &Caller,
        id: i32,
        input: Review,
    ) -> Result<Appraisal, AppError> {
        super::allowed(
            caller,
            &[
                crate::domain::user::Role::Supervisor,
                crate::domain::user::Role::Hr,
            ],
        )?;
        let comment = free_text(input.comment.as_deref(), COMMENT_MAX)
            .map_err(|p| AppError::validation("comment", p))?;
        self.write(caller, move |tx, me| review(tx, me, id, comment.clone()))
            .await
    }
}

impl App {
    /// A supervisor reviews several drafts at once (the team page: select, one comment): all
    /// or none, each by the rules of [`App::review`]. An empty comment keeps each draft's
    /// own. Answers how many were reviewed.
    pub async fn review_many(
        &self,
        caller: &Caller,
        cycle: i32,
        ids: Vec<i32>,
        comment: Option<String>,
    ) -> Result<usize, AppError> {
        super::allowed(
            caller,
            &[
                crate::domain::user::Role::Supervisor,
                crate::domain::user::Role::Hr,
            ],
        )?;
        /// More drafts than any team has.
        const AT_MOST: usize = 1000;
        if ids.is_empty() {
            return Err(AppError::validation("appraisal", Problem::Choose));
        }
        if ids.len() > AT_MOST {
            return Err(AppError::validation(
                "appraisal",
                Problem::OutOfRange {
                    min: 1,
                    max: AT_MOST as i64,
                },
            ));
        }
        let comment = free_text(comment.as_deref(), COMMENT_MAX)
            .map_err(|p| AppError::validation("comment", p))?;
        self.write(caller, move |tx, me| {
            for &id in &ids {
                let draft = appraisals::get(tx, id)?;
                // The drafts of the cycle the page is about, nothing else.
                if draft.cycle_id != cycle {
                    return Err(AppError::NotFound);
                }
                let own = comment.clone().or(draft.supervisor_comment);
                review(tx, me, id, own)?;
            }
            Ok(ids.len())
        })
        .await
    }
}

pub fn review(
    tx: &mut DbConn,
    reviewer: &User,
    id: i32,
    comment: Option<String>,
) -> Result<Appraisal, AppError> {
    let (before, manager) = appraisals::with_manager(tx, id)?;
    let manager = users::active_manager(tx, manager)?;
    match may_review((reviewer.id, reviewer.role), before.employee_id, manager) {
        Some(true) => {}
        Some(false) => return Err(AppError::Forbidden),
        None => return Err(AppError::NotFound),
    }
    let cycle = cycles::get(tx, before.cycle_id)?;
    if cycle.state() != CycleState::Review || before.is_published() {
        return Err(AppError::Conflict(Problem::ReviewInReviewOnly {
            state: cycle.state(),
        }));
    }
    appraisals::mark_reviewed(tx, reviewer.id, &before, comment)
}

/// The caller's own appraisal, published and not yet acknowledged or appealed (else 404 /
/// 409).
fn own_published(tx: &mut DbConn, user: &User, id: i32) -> Result<Appraisal, AppError> {
    let appraisal = appraisals::get(tx, id)?;
    if appraisal.employee_id != user.id || !appraisal.is_published() {
        return Err(AppError::NotFound);
    }
    match appraisal.state {
        AppraisalState::Published => Ok(appraisal),
        // One appeal at a time (also a unique index): a decided appeal publishes the
        // appraisal again, and it may then be appealed again within its window.
        AppraisalState::Appealed => Err(AppError::Conflict(Problem::AppealOpen)),
        _ => Err(AppError::Conflict(Problem::AcknowledgedFinal)),
    }
}

impl App {
    pub async fn acknowledge(&self, caller: &Caller, id: i32) -> Result<Appraisal, AppError> {
        self.write(caller, move |tx, me| {
            let before = own_published(tx, me, id)?;
            let after = appraisals::set_state(tx, id, AppraisalState::Acknowledged)?;
            appraisals::record(tx, me.id, Action::Acknowledge, &before, &after)?;
            Ok(after)
        })
        .await
    }
}

/// An appeal's reason.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAppeal {
    #[schema(schema_with = required_text_schema::<COMMENT_MAX>)]
    pub reason: String,
}

impl App {
    /// Files an appeal within the cycle's appeal window (counted from publication); HR is
    /// told.
    pub async fn appeal(
        &self,
        caller: &Caller,
        id: i32,
        input: NewAppeal,
    ) -> Result<Appeal, AppError> {
        let reason = required_text(&input.reason, COMMENT_MAX)
            .map_err(|p| AppError::validation("reason", p))?;
        let time = self.time.clone();
        self.write(caller, move |tx, me| appeal(tx, me, id, &reason, &time))
            .await
    }
}

pub fn appeal(
    tx: &mut DbConn,
    user: &User,
    id: i32,
    reason: &str,
    time: &CompanyTime,
) -> Result<Appeal, AppError> {
    let before = own_published(tx, user, id)?;
    let cycle = cycles::get(tx, before.cycle_id)?;
    let closes = before.appeal_closes(&cycle);
    if now() > closes {
        return Err(AppError::Conflict(Problem::AppealWindowClosed {
            days: cycle.appeal_window_days,
            closed: time.local(closes),
            zone: time.name(),
        }));
    }
    let appeal = appeals::insert(tx, id, reason)?;
    let after = appraisals::set_state(tx, id, AppraisalState::Appealed)?;
    notices::tell_appealed(tx, appeal.id, id)?;
    appraisals::record(tx, user.id, Action::Appeal, &before, &after)?;
    Ok(appeal)
}

/// HR's decision: `upheld` recomputes that one appraisal from its corrected evidence;
/// `rejected` needs a note saying why.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    #[schema(value_type = DecisionKind)]
    pub decision: String,
    #[serde(default)]
    #[schema(schema_with = free_text_schema::<COMMENT_MAX>)]
    pub note: Option<String>,
}

#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DecisionKind {
    Upheld,
    Rejected,
}

impl Decision {
    /// `upheld` or `rejected`, and a note, which a rejection must have (it tells the
    /// employee why).
    pub fn parse(&self) -> Result<(bool, Option<String>), AppError> {
        let mut errors = FieldErrors::new();
        let upheld = match self.decision.as_str() {
            "upheld" => Some(true),
            "rejected" => Some(false),
            _ => {
                errors.add(
                    "decision",
                    Problem::OneOf {
                        options: &["upheld", "rejected"],
                    },
                );
                None
            }
        };
        let note = errors
            .take("note", free_text(self.note.as_deref(), COMMENT_MAX))
            .flatten();
        if upheld == Some(false) && note.is_none() {
            errors.add("note", Problem::NoteRequired);
        }
        errors.into_result()?;
        Ok((upheld.expect("parsed"), note))
    }
}

impl App {
    /// Upheld: the appraisal is recomputed from the (corrected) evidence, alone, with the
    /// weights, bands and minimums it was computed with. Rejected: the note says why. Either
    /// way the appraisal is published again (and may be acknowledged, or appealed again
    /// within its window), and the employee is told.
    /// HR sets, from an open appeal, the sales target of the appealing employee in the
    /// appraisal's cycle (a missing or wrong target is a common cause of an appeal; the
    /// cycle is published, so only an open appeal lets it change). Upholding the appeal then
    /// recomputes the appraisal with it.
    pub async fn correct_target(
        &self,
        caller: &Caller,
        appeal_id: i32,
        target_yuan: &str,
    ) -> Result<crate::store::evidence::ImportOutcome, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        let target = crate::domain::evidence::parse_yuan(target_yuan)
            .and_then(crate::domain::evidence::parse_target)
            .map_err(|problem| AppError::validation("target_yuan", problem))?;
        self.write(caller, move |tx, me| {
            let appeal = appeals::get(tx, appeal_id)?;
            if appeal.state != AppealState::Open {
                return Err(AppError::Conflict(Problem::AppealDecided {
                    upheld: appeal.state == AppealState::Upheld,
                }));
            }
            let appraisal = appraisals::get(tx, appeal.appraisal_id)?;
            let row = crate::store::evidence::TargetRow {
                row: 1,
                person: crate::domain::user::PersonRef::Id(appraisal.employee_id),
                name: None,
                employee_id: appraisal.employee_id,
                cycle_id: appraisal.cycle_id,
                target,
            };
            super::evidence::import_targets(tx, me.id, &[row])
        })
        .await
    }

    pub async fn decide(
        &self,
        caller: &Caller,
        id: i32,
        input: Decision,
    ) -> Result<(Appeal, Appraisal, Vec<NumberChange>), AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        let (upheld, note) = input.parse()?;
        self.write(caller, move |tx, me| {
            decide(tx, me, id, upheld, note.clone())
        })
        .await
    }
}

pub fn decide(
    tx: &mut DbConn,
    hr: &User,
    id: i32,
    upheld: bool,
    note: Option<String>,
) -> Result<(Appeal, Appraisal, Vec<NumberChange>), AppError> {
    let appeal = appeals::get(tx, id)?;
    if appeal.state != AppealState::Open {
        return Err(AppError::Conflict(Problem::AppealDecided {
            upheld: appeal.state == AppealState::Upheld,
        }));
    }
    let before = appraisals::get(tx, appeal.appraisal_id)?;
    if upheld {
        recompute_one(tx, &before)?;
    }
    let after = appraisals::set_state(tx, before.id, AppraisalState::Published)?;
    let state = if upheld {
        AppealState::Upheld
    } else {
        AppealState::Rejected
    };
    let decided = appeals::decide(tx, id, state, note.as_deref(), hr.id)?;
    notices::tell_decided(tx, id, after.id, after.employee_id)?;
    let action = if upheld {
        Action::AppealUpheld
    } else {
        Action::AppealRejected
    };
    appraisals::record(tx, hr.id, action, &before, &after)?;
    let changed = number_changes(&before, &after);
    Ok((decided, after, changed))
}

/// One of an appraisal's numbers as a decision changed it (two decimals; a grade's name;
/// none when there is no score).
#[derive(Debug, Clone, PartialEq, serde::Serialize, ToSchema)]
pub struct NumberChange {
    /// `sales`, `satisfaction`, `etiquette`, `collaboration`, `total` or `grade`.
    pub what: &'static str,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The numbers that differ between two versions of an appraisal, components first.
pub fn number_changes(before: &Appraisal, after: &Appraisal) -> Vec<NumberChange> {
    let centi = |v: Option<i32>| v.map(|c| format!("{:.2}", f64::from(c) / 100.0));
    let components = Component::ALL.map(|c| (c.as_str(), before.centi(c), after.centi(c)));
    let total = ("total", before.total_centi, after.total_centi);
    let mut changes: Vec<NumberChange> = components
        .into_iter()
        .chain([total])
        .filter(|(_, b, a)| b != a)
        .map(|(what, b, a)| NumberChange {
            what,
            before: centi(b),
            after: centi(a),
        })
        .collect();
    if before.grade != after.grade {
        changes.push(NumberChange {
            what: "grade",
            before: before.grade.clone(),
            after: after.grade.clone(),
        });
    }
    changes
}

/// Recomputes one appraisal from its employee's current evidence (an upheld appeal), with
/// the scheme it was computed with. Only this appraisal changes: its rank is placed among
/// the others' stored totals, which stay.
fn recompute_one(tx: &mut DbConn, appraisal: &Appraisal) -> Result<Appraisal, AppError> {
    let scheme = appraisal.inputs()?.scheme();
    let cycle = cycles::get(tx, appraisal.cycle_id)?;
    let e = evidence::summary(tx, appraisal.cycle_id, Some(appraisal.employee_id))?
        .pop()
        .unwrap_or_default();
    let found =
        appraisals::inspections_by_employee(tx, appraisal.cycle_id, Some(appraisal.employee_id))?
            .remove(&appraisal.employee_id)
            .unwrap_or_default();
    let c = score_employee(
        &scheme,
        appraisal.employee_id,
        appraisal.department_id,
        &e,
        found,
    );
    appraisals::write_recomputed(tx, appraisal, &cycle, &c)
}
