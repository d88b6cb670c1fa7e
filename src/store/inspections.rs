use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::audit::{self, Change, Entity};
use super::scope::Scope;
use super::users::User;
use super::{checklists, cycles, notices, now, users, Page, Paged};
use crate::db::schema::{
    checklist_items, checklists as checklist_table, inspection_scores, inspections,
};
use crate::db::{write_tx, DbConn};
use crate::domain::checklist::{inspection_score, ScoredItem};
use crate::domain::clock::not_in_future;
use crate::domain::user::Role;
use crate::error::{AppError, FieldErrors};

// Every column, in the order of the row struct.
use crate::db::schema::inspections::all_columns as COLUMNS;

#[derive(Debug, Clone, Queryable)]
struct InspectionRow {
    id: i32,
    cycle_id: i32,
    employee_id: i32,
    inspector_id: i32,
    checklist_id: i32,
    occurred_on: NaiveDate,
    comment: Option<String>,
    created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScoredItemView {
    pub item_id: i32,
    pub title: String,
    pub max_points: i32,
    pub critical: bool,
    pub points: i32,
    pub note: Option<String>,
}

/// An inspection as the employee, their supervisor and HR see it, with its score.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InspectionDetail {
    pub id: i32,
    pub cycle_id: i32,
    pub employee_id: i32,
    pub inspector_id: i32,
    pub checklist_id: i32,
    pub checklist_name: String,
    pub checklist_version: i32,
    pub occurred_on: NaiveDate,
    pub comment: Option<String>,
    #[serde(serialize_with = "super::as_utc")]
    pub created_at: NaiveDateTime,
    pub items: Vec<ScoredItemView>,
    pub points: i32,
    pub max_points: i32,
    pub critical_failed: bool,
    /// 0–100, rounded to two decimals for presentation.
    pub score: f64,
}

pub fn round2(value: f64) -> f64 {
    // f64::round rounds half away from zero, as DESIGN §3 asks.
    (value * 100.0).round() / 100.0
}

/// inspection, item, points, note, title, max points, critical
type ScoreRow = (i32, i32, i32, Option<String>, String, i32, bool);

fn details(conn: &mut DbConn, rows: Vec<InspectionRow>) -> Result<Vec<InspectionDetail>, AppError> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let scored: Vec<ScoreRow> = inspection_scores::table
        .inner_join(checklist_items::table)
        .filter(inspection_scores::inspection_id.eq_any(&ids))
        .order((inspection_scores::inspection_id, checklist_items::position))
        .select((
            inspection_scores::inspection_id,
            inspection_scores::item_id,
            inspection_scores::points,
            inspection_scores::note,
            checklist_items::title,
            checklist_items::max_points,
            checklist_items::critical,
        ))
        .load(conn)?;
    let checklist_ids: Vec<i32> = rows.iter().map(|r| r.checklist_id).collect();
    let names: HashMap<i32, (String, i32)> = checklist_table::table
        .filter(checklist_table::id.eq_any(&checklist_ids))
        .select((
            checklist_table::id,
            checklist_table::name,
            checklist_table::version,
        ))
        .load::<(i32, String, i32)>(conn)?
        .into_iter()
        .map(|(id, name, version)| (id, (name, version)))
        .collect();
    let mut items: HashMap<i32, Vec<ScoredItemView>> = HashMap::new();
    for (inspection, item_id, points, note, title, max_points, critical) in scored {
        items.entry(inspection).or_default().push(ScoredItemView {
            item_id,
            title,
            max_points,
            critical,
            points,
            note,
        });
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let items = items.remove(&row.id).unwrap_or_default();
            let scored: Vec<ScoredItem> = items
                .iter()
                .map(|i| ScoredItem {
                    points: i.points,
                    max_points: i.max_points,
                    critical: i.critical,
                })
                .collect();
            let score = inspection_score(&scored);
            let (checklist_name, checklist_version) =
                names.get(&row.checklist_id).cloned().unwrap_or_default();
            InspectionDetail {
                id: row.id,
                cycle_id: row.cycle_id,
                employee_id: row.employee_id,
                inspector_id: row.inspector_id,
                checklist_id: row.checklist_id,
                checklist_name,
                checklist_version,
                occurred_on: row.occurred_on,
                comment: row.comment,
                created_at: row.created_at,
                items,
                points: score.points,
                max_points: score.max_points,
                critical_failed: score.critical_failed,
                score: round2(score.score),
            }
        })
        .collect())
}

/// One inspection with its scores (no scope check: for callers that already decided access,
/// such as the notice of an inspection to the employee inspected).
pub fn detail(conn: &mut DbConn, id: i32) -> Result<InspectionDetail, AppError> {
    let row = inspections::table
        .find(id)
        .select(COLUMNS)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    details(conn, vec![row])?.pop().ok_or(AppError::NotFound)
}

pub struct ScoreInput {
    pub item_id: i64,
    pub points: i64,
    pub note: Option<String>,
}

pub struct NewInspection {
    pub employee_id: i32,
    pub checklist_id: i32,
    pub occurred_on: NaiveDate,
    pub scores: Vec<ScoreInput>,
    pub comment: Option<String>,
}

/// Checks that every item of the checklist is scored once, within its points.
fn check_scores(
    items: &[checklists::ChecklistItem],
    scores: &[ScoreInput],
    errors: &mut FieldErrors,
) {
    let by_id: HashMap<i64, &checklists::ChecklistItem> =
        items.iter().map(|i| (i64::from(i.id), i)).collect();
    let mut seen = HashSet::new();
    for (i, score) in scores.iter().enumerate() {
        let Some(item) = by_id.get(&score.item_id) else {
            errors.add(
                &format!("scores[{i}].item_id"),
                "is not an item of this checklist",
            );
            continue;
        };
        if !seen.insert(score.item_id) {
            errors.add(&format!("scores[{i}].item_id"), "is scored twice");
        }
        if !(0..=i64::from(item.max_points)).contains(&score.points) {
            errors.add(
                &format!("scores[{i}].points"),
                format!(
                    "must be from 0 to {} for \"{}\"",
                    item.max_points, item.title
                ),
            );
        }
    }
    let missing: Vec<&str> = items
        .iter()
        .filter(|i| !seen.contains(&i64::from(i.id)))
        .map(|i| i.title.as_str())
        .collect();
    if !missing.is_empty() {
        errors.add(
            "scores",
            format!("every item must be scored; missing: {}", missing.join(", ")),
        );
    }
}

pub fn create(
    conn: &mut DbConn,
    inspector: &User,
    new: NewInspection,
    today: NaiveDate,
) -> Result<InspectionDetail, AppError> {
    write_tx(conn, |conn| {
        let employee = users::get(conn, new.employee_id)?;
        if !Scope::of(inspector).can_inspect(conn, employee.id)? {
            return Err(AppError::NotFound);
        }
        let mut errors = FieldErrors::new();
        if employee.role() == Role::Hr {
            errors.add("employee_id", "HR staff are not appraised");
        } else if !employee.active {
            errors.add("employee_id", "is not an active employee");
        }
        match checklists::get(conn, new.checklist_id) {
            Ok(checklist) if !checklist.checklist.current => errors.add(
                "checklist_id",
                "has been replaced by a newer version; use the current one",
            ),
            Ok(checklist) => check_scores(&checklist.items, &new.scores, &mut errors),
            Err(AppError::NotFound) => errors.add("checklist_id", "no such checklist"),
            Err(other) => return Err(other),
        }
        errors.take("occurred_on", not_in_future(new.occurred_on, today));
        errors.into_result()?;
        let all_cycles = cycles::all(conn)?;
        let appeals = cycles::open_appeals(conn)?;
        let cycle = cycles::entry_cycle_for(&all_cycles, &appeals, new.occurred_on, employee.id)
            .map_err(|p| p.into_error("occurred_on"))?;
        cycles::hold_for_entry(conn, &[cycle])?;
        let id: i32 = diesel::insert_into(inspections::table)
            .values((
                inspections::cycle_id.eq(cycle.id),
                inspections::employee_id.eq(employee.id),
                inspections::inspector_id.eq(inspector.id),
                inspections::checklist_id.eq(new.checklist_id),
                inspections::occurred_on.eq(new.occurred_on),
                inspections::comment.eq(&new.comment),
                inspections::created_at.eq(now()),
            ))
            .returning(inspections::id)
            .get_result(conn)?;
        for score in &new.scores {
            diesel::insert_into(inspection_scores::table)
                .values((
                    inspection_scores::inspection_id.eq(id),
                    inspection_scores::item_id.eq(score.item_id as i32),
                    inspection_scores::points.eq(score.points as i32),
                    inspection_scores::note.eq(&score.note),
                ))
                .execute(conn)?;
        }
        let row = inspections::table.find(id).select(COLUMNS).first(conn)?;
        let detail = details(conn, vec![row])?.remove(0);
        notices::enqueue(
            conn,
            vec![notices::NewNotice {
                kind: notices::Kind::InspectionRecorded,
                recipient_id: employee.id,
                dedupe_key: format!("inspection_recorded:{id}"),
                payload: serde_json::json!({"inspection_id": id}),
            }],
        )?;
        audit::record(
            conn,
            Change::<(), _> {
                actor: Some(inspector.id),
                action: "create",
                entity: Entity::Inspection,
                entity_id: id,
                before: None,
                after: Some(&detail),
            },
        )?;
        Ok(detail)
    })
}

/// One inspection, if its employee is in the viewer's scope (404 otherwise).
pub fn get_for(conn: &mut DbConn, viewer: &User, id: i32) -> Result<InspectionDetail, AppError> {
    let found = detail(conn, id)?;
    if Scope::of(viewer).can_see(conn, found.employee_id)? {
        Ok(found)
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct InspectionFilter {
    pub employee_id: Option<i32>,
    pub cycle_id: Option<i32>,
}

/// Inspections in the caller's scope; naming an employee outside it answers 404.
pub fn list(
    conn: &mut DbConn,
    viewer: &User,
    filter: InspectionFilter,
    page: Page,
) -> Result<Paged<InspectionDetail>, AppError> {
    let scope = Scope::of(viewer);
    if let Some(employee) = filter.employee_id {
        if !scope.can_see(conn, employee)? {
            return Err(AppError::NotFound);
        }
    }
    let visible = scope.visible_ids(conn)?;
    let query = || {
        let mut query = inspections::table.into_boxed();
        if let Some(ids) = &visible {
            query = query.filter(inspections::employee_id.eq_any(ids.clone()));
        }
        if let Some(employee) = filter.employee_id {
            query = query.filter(inspections::employee_id.eq(employee));
        }
        if let Some(cycle) = filter.cycle_id {
            query = query.filter(inspections::cycle_id.eq(cycle));
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .select(COLUMNS)
        .order((inspections::occurred_on.desc(), inspections::id.desc()))
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    Ok(Paged {
        items: details(conn, rows)?,
        total,
    })
}
