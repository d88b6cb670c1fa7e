use std::collections::HashMap;

use crate::domain::audit::Action;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::audit::{self, Change, Entity};
use super::scope::Scope;
use super::users::User;
use super::{now, Page, Paged};
use crate::db::schema::{
    checklist_items, checklists as checklist_table, inspection_scores, inspections,
};
use crate::db::DbConn;
use crate::domain::checklist::{inspection_score, ScoredItem};
use crate::error::AppError;

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
    /// The cycle that took the inspection; it counts in every cycle (of every series) whose
    /// period holds `occurred_on`.
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
                score: crate::domain::scoring::round2(score.score),
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

/// One item's score as stored.
pub struct NewScore {
    pub item_id: i32,
    pub points: i32,
    pub note: Option<String>,
}

/// An inspection's row as stored (the rules are `app::inspections`').
pub struct NewRow {
    pub cycle_id: i32,
    pub employee_id: i32,
    pub checklist_id: i32,
    pub occurred_on: NaiveDate,
    pub comment: Option<String>,
}

/// Inserts an inspection and its scores, with its audit event; answers it with its score.
pub fn insert(
    conn: &mut DbConn,
    inspector: i32,
    new: &NewRow,
    scores: &[NewScore],
) -> Result<InspectionDetail, AppError> {
    let id: i32 = diesel::insert_into(inspections::table)
        .values((
            inspections::cycle_id.eq(new.cycle_id),
            inspections::employee_id.eq(new.employee_id),
            inspections::inspector_id.eq(inspector),
            inspections::checklist_id.eq(new.checklist_id),
            inspections::occurred_on.eq(new.occurred_on),
            inspections::comment.eq(&new.comment),
            inspections::created_at.eq(now()),
        ))
        .returning(inspections::id)
        .get_result(conn)?;
    for score in scores {
        diesel::insert_into(inspection_scores::table)
            .values((
                inspection_scores::inspection_id.eq(id),
                inspection_scores::item_id.eq(score.item_id),
                inspection_scores::points.eq(score.points),
                inspection_scores::note.eq(&score.note),
            ))
            .execute(conn)?;
    }
    let detail = detail(conn, id)?;
    audit::record(
        conn,
        Change::<(), _> {
            actor: Some(inspector),
            action: Action::Create,
            entity: Entity::Inspection,
            entity_id: id,
            before: None,
            after: Some(&detail),
        },
    )?;
    Ok(detail)
}

/// How many inspections each employee has in a cycle (its period's, in every series).
pub fn count_by_employee(conn: &mut DbConn, cycle_id: i32) -> Result<HashMap<i32, i64>, AppError> {
    let period = super::period_of(conn, cycle_id)?;
    Ok(inspections::table
        .filter(inspections::occurred_on.between(period.start, period.end))
        .group_by(inspections::employee_id)
        .select((inspections::employee_id, diesel::dsl::count_star()))
        .load::<(i32, i64)>(conn)?
        .into_iter()
        .collect())
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
    // No such cycle: nothing is in it.
    let period = match filter.cycle_id.map(|c| super::period_of(conn, c)) {
        Some(Err(AppError::NotFound)) => {
            return Ok(Paged {
                items: Vec::new(),
                total: 0,
            })
        }
        found => found.transpose()?,
    };
    let query = || {
        let mut query = inspections::table.into_boxed();
        if let Some(employee) = filter.employee_id {
            query = query.filter(inspections::employee_id.eq(employee));
        }
        if let Some(period) = period {
            query = query.filter(inspections::occurred_on.between(period.start, period.end));
        }
        crate::in_scope!(query, scope, inspections::employee_id)
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

/// The inspections of `cycle` of the people `ids` (whose scope the caller has decided: the
/// team page's reports), newest first.
pub fn of_people_in_cycle(
    conn: &mut DbConn,
    ids: &[i32],
    cycle: i32,
) -> Result<Vec<InspectionDetail>, AppError> {
    let period = super::period_of(conn, cycle)?;
    let mut rows: Vec<InspectionRow> = super::chunked(ids, |chunk| {
        Ok(inspections::table
            .filter(inspections::employee_id.eq_any(chunk))
            .filter(inspections::occurred_on.between(period.start, period.end))
            .select(COLUMNS)
            .load(conn)?)
    })?;
    rows.sort_by_key(|r| std::cmp::Reverse((r.occurred_on, r.id)));
    // `details` reads the inspections' scores with one IN list per call.
    let mut found = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(super::LOOKUP_CHUNK) {
        found.extend(details(conn, chunk.to_vec())?);
    }
    Ok(found)
}

/// Every inspection of one employee in one cycle (a handful), if the employee is in the
/// viewer's scope (404 otherwise).
pub fn of_employee_in_cycle(
    conn: &mut DbConn,
    viewer: &User,
    employee: i32,
    cycle: i32,
) -> Result<Vec<InspectionDetail>, AppError> {
    let scope = Scope::of(viewer);
    if !scope.can_see(conn, employee)? {
        return Err(AppError::NotFound);
    }
    let period = super::period_of(conn, cycle)?;
    let rows = inspections::table
        .filter(inspections::employee_id.eq(employee))
        .filter(inspections::occurred_on.between(period.start, period.end))
        .select(COLUMNS)
        .order((inspections::occurred_on.desc(), inspections::id.desc()))
        .load(conn)?;
    details(conn, rows)
}
