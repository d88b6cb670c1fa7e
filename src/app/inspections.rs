//! Etiquette inspections: a supervisor records one for a direct report (HR for anyone),
//! against the current version of a checklist, every item scored once within its points,
//! dated in a cycle that takes evidence and not after today; the employee is told.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use utoipa::ToSchema;

use super::{notices, App};
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::clock::not_in_future;
use crate::domain::cycle::{entry_cycle, parse_date, CycleSpan};
use crate::domain::evidence::{COMMENT_MAX, NOTE_MAX};
use crate::domain::problem::Problem;
use crate::domain::text::{free_text, free_text_schema};
use crate::domain::user::Role;
use crate::error::{AppError, FieldErrors};
use crate::store::checklists::{self, ChecklistItem};
use crate::store::inspections::{self, InspectionDetail, NewScore};
use crate::store::scope::Scope;
use crate::store::{cycles, users};

pub const MAX_SCORES: usize = 50;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    /// An item of the checklist.
    #[schema(minimum = 1, maximum = 2147483647)]
    pub item_id: i64,
    /// From 0 to the item's `max_points`.
    #[schema(minimum = 0, maximum = 100)]
    pub points: i64,
    #[serde(default)]
    #[schema(schema_with = free_text_schema::<NOTE_MAX>)]
    pub note: Option<String>,
}

/// Every item of the checklist is scored exactly once; the date lies in an open cycle and
/// not after today.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInspection {
    #[schema(minimum = 1)]
    pub employee_id: i32,
    #[schema(minimum = 1)]
    pub checklist_id: i32,
    #[schema(format = Date)]
    pub occurred_on: String,
    #[schema(min_items = 1, max_items = 50)]
    pub scores: Vec<ScoreInput>,
    #[serde(default)]
    #[schema(schema_with = free_text_schema::<COMMENT_MAX>)]
    pub comment: Option<String>,
}

/// An inspection, parsed (dates, texts); the rules that need the database are checked by
/// [`record`].
pub struct Parsed {
    employee_id: i32,
    checklist_id: i32,
    occurred_on: chrono::NaiveDate,
    scores: Vec<ScoreInput>,
    comment: Option<String>,
}

impl NewInspection {
    pub fn parse(&self, today: chrono::NaiveDate) -> Result<Parsed, AppError> {
        let mut errors = FieldErrors::new();
        let occurred_on = errors
            .take("occurred_on", parse_date(&self.occurred_on))
            .and_then(|day| errors.take("occurred_on", not_in_future(day, today)));
        let comment = errors
            .take("comment", free_text(self.comment.as_deref(), COMMENT_MAX))
            .flatten();
        if self.scores.len() > MAX_SCORES {
            errors.add("scores", Problem::TooManyScores { max: MAX_SCORES });
        }
        let mut scores = Vec::with_capacity(self.scores.len());
        for (i, s) in self.scores.iter().enumerate() {
            let note = errors
                .take(
                    &format!("scores[{i}].note"),
                    free_text(s.note.as_deref(), NOTE_MAX),
                )
                .flatten();
            scores.push(ScoreInput {
                item_id: s.item_id,
                points: s.points,
                note,
            });
        }
        errors.into_result()?;
        Ok(Parsed {
            employee_id: self.employee_id,
            checklist_id: self.checklist_id,
            occurred_on: occurred_on.expect("parsed"),
            scores,
            comment,
        })
    }
}

impl App {
    pub async fn record_inspection(
        &self,
        caller: &Caller,
        input: NewInspection,
    ) -> Result<InspectionDetail, AppError> {
        super::allowed(
            caller,
            &[
                crate::domain::user::Role::Supervisor,
                crate::domain::user::Role::Hr,
            ],
        )?;
        let parsed = input.parse(self.today())?;
        self.write(caller, move |tx, me| record(tx, me, &parsed))
            .await
    }
}

/// Checks that every item of the checklist is scored once, within its points.
fn check_scores(items: &[ChecklistItem], scores: &[ScoreInput], errors: &mut FieldErrors) {
    let by_id: HashMap<i64, &ChecklistItem> = items.iter().map(|i| (i64::from(i.id), i)).collect();
    let mut seen = HashSet::new();
    for (i, score) in scores.iter().enumerate() {
        let Some(item) = by_id.get(&score.item_id) else {
            errors.add(format!("scores[{i}].item_id"), Problem::NotAnItem);
            continue;
        };
        if !seen.insert(score.item_id) {
            errors.add(format!("scores[{i}].item_id"), Problem::ScoredTwice);
        }
        if !(0..=i64::from(item.max_points)).contains(&score.points) {
            errors.add(
                format!("scores[{i}].points"),
                Problem::PointsRange {
                    max: item.max_points,
                    item: item.title.clone(),
                },
            );
        }
    }
    let missing: Vec<String> = items
        .iter()
        .filter(|i| !seen.contains(&i64::from(i.id)))
        .map(|i| i.title.clone())
        .collect();
    if !missing.is_empty() {
        errors.add("scores", Problem::ItemsMissing { items: missing });
    }
}

pub fn record(
    tx: &mut DbConn,
    inspector: &users::User,
    new: &Parsed,
) -> Result<InspectionDetail, AppError> {
    let employee = users::get(tx, new.employee_id)?;
    if !Scope::of(inspector).can_inspect(tx, employee.id)? {
        return Err(AppError::NotFound);
    }
    let mut errors = FieldErrors::new();
    if employee.role() == Role::Hr {
        errors.add("employee_id", Problem::HrNotAppraised);
    } else if !employee.active {
        errors.add("employee_id", Problem::NotActiveEmployee);
    }
    match checklists::get(tx, new.checklist_id) {
        Ok(checklist) if checklist.checklist.retired => {
            errors.add("checklist_id", Problem::ChecklistRetired)
        }
        Ok(checklist) if !checklist.checklist.current => {
            errors.add("checklist_id", Problem::ChecklistReplaced)
        }
        Ok(checklist) => check_scores(&checklist.items, &new.scores, &mut errors),
        Err(AppError::NotFound) => errors.add("checklist_id", Problem::NoSuchChecklist),
        Err(other) => return Err(other),
    }
    errors.into_result()?;
    let spans: Vec<CycleSpan> = cycles::all(tx)?.iter().map(|c| c.span()).collect();
    let appeals = cycles::open_appeals(tx)?;
    let entry = entry_cycle(&spans, new.occurred_on, |c| {
        appeals.contains(&(c, employee.id))
    })
    .map_err(|p| match p {
        Problem::CycleNotOpen { .. } => AppError::Conflict(p),
        other => AppError::validation("occurred_on", other),
    })?;
    cycles::hold_for_entry(tx, &entry.takers)?;
    let scores: Vec<NewScore> = new
        .scores
        .iter()
        .map(|s| NewScore {
            item_id: s.item_id as i32,
            points: s.points as i32,
            note: s.note.clone(),
        })
        .collect();
    let detail = inspections::insert(
        tx,
        inspector.id,
        &inspections::NewRow {
            cycle_id: entry.cycle.id,
            employee_id: employee.id,
            checklist_id: new.checklist_id,
            occurred_on: new.occurred_on,
            comment: new.comment.clone(),
        },
        &scores,
    )?;
    notices::tell_inspected(tx, detail.id, employee.id)?;
    Ok(detail)
}
