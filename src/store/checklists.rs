//! Versioned checklists. A version that an inspection used never changes: editing it makes
//! a new version (and the old one stops being current); an unused version is edited in place.

use crate::domain::audit::Action;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::audit::{self, Change, Entity};
use super::{now, Page, Paged};
use crate::db::schema::{checklist_items, checklists, inspections};
use crate::db::{write_tx, DbConn};
use crate::domain::checklist::ChecklistDraft;
use crate::domain::problem::Problem;
use crate::error::AppError;

// Every column, in the order of the row struct.
use crate::db::schema::checklist_items::all_columns as ITEM_COLUMNS;
// Every column, in the order of the row struct.
use crate::db::schema::checklists::all_columns as COLUMNS;

#[derive(Debug, Clone, Queryable, Serialize, utoipa::ToSchema)]
pub struct Checklist {
    pub id: i32,
    pub name: String,
    pub version: i32,
    pub previous_id: Option<i32>,
    pub current: bool,
    #[serde(serialize_with = "super::as_utc")]
    pub created_at: NaiveDateTime,
    /// Retired by HR: no longer offered to inspectors (its versions stay with the
    /// inspections that used them).
    pub retired: bool,
}

#[derive(Debug, Clone, Queryable, Serialize, utoipa::ToSchema)]
pub struct ChecklistItem {
    pub id: i32,
    pub checklist_id: i32,
    pub position: i32,
    pub title: String,
    pub max_points: i32,
    pub critical: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChecklistWithItems {
    #[serde(flatten)]
    pub checklist: Checklist,
    pub items: Vec<ChecklistItem>,
}

pub fn items_of(conn: &mut DbConn, ids: &[i32]) -> Result<Vec<ChecklistItem>, AppError> {
    Ok(checklist_items::table
        .filter(checklist_items::checklist_id.eq_any(ids))
        .select(ITEM_COLUMNS)
        .order((checklist_items::checklist_id, checklist_items::position))
        .load(conn)?)
}

pub fn get(conn: &mut DbConn, id: i32) -> Result<ChecklistWithItems, AppError> {
    let checklist: Checklist = checklists::table.find(id).select(COLUMNS).first(conn)?;
    let items = items_of(conn, &[id])?;
    Ok(ChecklistWithItems { checklist, items })
}

/// Current versions only, unless `all_versions`.
pub fn list(
    conn: &mut DbConn,
    all_versions: bool,
    page: Page,
) -> Result<Paged<ChecklistWithItems>, AppError> {
    let query = || {
        let mut query = checklists::table.into_boxed();
        if !all_versions {
            query = query.filter(checklists::current.eq(true));
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let found: Vec<Checklist> = query()
        .select(COLUMNS)
        .order((checklists::name.asc(), checklists::version.desc()))
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    Ok(Paged {
        items: with_items(conn, found)?,
        total,
    })
}

/// The current version of every checklist (the few an inspector chooses from).
pub fn current(conn: &mut DbConn) -> Result<Vec<ChecklistWithItems>, AppError> {
    let found: Vec<Checklist> = checklists::table
        .filter(checklists::current.eq(true))
        .select(COLUMNS)
        .order((checklists::name.asc(), checklists::version.desc()))
        .load(conn)?;
    with_items(conn, found)
}

fn with_items(
    conn: &mut DbConn,
    found: Vec<Checklist>,
) -> Result<Vec<ChecklistWithItems>, AppError> {
    let ids: Vec<i32> = found.iter().map(|c| c.id).collect();
    let all_items = items_of(conn, &ids)?;
    Ok(found
        .into_iter()
        .map(|checklist| {
            let items = all_items
                .iter()
                .filter(|i| i.checklist_id == checklist.id)
                .cloned()
                .collect();
            ChecklistWithItems { checklist, items }
        })
        .collect())
}

fn insert_items(
    conn: &mut DbConn,
    checklist_id: i32,
    draft: &ChecklistDraft,
) -> Result<(), AppError> {
    for (position, item) in draft.items.iter().enumerate() {
        diesel::insert_into(checklist_items::table)
            .values((
                checklist_items::checklist_id.eq(checklist_id),
                checklist_items::position.eq(position as i32),
                checklist_items::title.eq(&item.title),
                checklist_items::max_points.eq(item.max_points),
                checklist_items::critical.eq(item.critical),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn insert_version(
    conn: &mut DbConn,
    draft: &ChecklistDraft,
    version: i32,
    previous_id: Option<i32>,
) -> Result<i32, AppError> {
    let id: i32 = diesel::insert_into(checklists::table)
        .values((
            checklists::name.eq(&draft.name),
            checklists::version.eq(version),
            checklists::previous_id.eq(previous_id),
            checklists::current.eq(true),
            checklists::created_at.eq(now()),
        ))
        .returning(checklists::id)
        .get_result(conn)?;
    insert_items(conn, id, draft)?;
    Ok(id)
}

pub fn create(
    conn: &mut DbConn,
    actor: i32,
    draft: &ChecklistDraft,
) -> Result<ChecklistWithItems, AppError> {
    write_tx(conn, |conn| {
        let id = insert_version(conn, draft, 1, None)?;
        let created = get(conn, id)?;
        audit::record(
            conn,
            Change::<(), _> {
                actor: Some(actor),
                action: Action::Create,
                entity: Entity::Checklist,
                entity_id: id,
                before: None,
                after: Some(&created),
            },
        )?;
        Ok(created)
    })
}

/// Edits checklist `id` (a current version). Answers the version that now holds the edit:
/// the same id when no inspection used it, a new version otherwise.
/// Whether an inspection used this version (an edit then makes a new version).
pub fn used(conn: &mut DbConn, id: i32) -> Result<bool, AppError> {
    Ok(diesel::select(diesel::dsl::exists(
        inspections::table.filter(inspections::checklist_id.eq(id)),
    ))
    .get_result(conn)?)
}

/// HR retires a checklist: its current version stops being current, so inspectors are no
/// longer offered it and an inspection naming it is refused; the versions stay with the
/// inspections that used them.
pub fn retire(conn: &mut DbConn, actor: i32, id: i32) -> Result<ChecklistWithItems, AppError> {
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        if !before.checklist.current {
            return Err(AppError::Conflict(Problem::OldChecklistVersion));
        }
        diesel::update(checklists::table.find(id))
            .set((checklists::current.eq(false), checklists::retired.eq(true)))
            .execute(conn)?;
        let after = get(conn, id)?;
        audit::record(
            conn,
            Change {
                actor: Some(actor),
                action: Action::Retire,
                entity: Entity::Checklist,
                entity_id: id,
                before: Some(&before),
                after: Some(&after),
            },
        )?;
        Ok(after)
    })
}

pub fn edit(
    conn: &mut DbConn,
    actor: i32,
    id: i32,
    draft: &ChecklistDraft,
) -> Result<ChecklistWithItems, AppError> {
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        if !before.checklist.current {
            return Err(AppError::Conflict(Problem::OldChecklistVersion));
        }
        let used: bool = diesel::select(diesel::dsl::exists(
            inspections::table.filter(inspections::checklist_id.eq(id)),
        ))
        .get_result(conn)?;
        let edited_id = if used {
            diesel::update(checklists::table.find(id))
                .set(checklists::current.eq(false))
                .execute(conn)?;
            insert_version(conn, draft, before.checklist.version + 1, Some(id))?
        } else {
            diesel::delete(checklist_items::table.filter(checklist_items::checklist_id.eq(id)))
                .execute(conn)?;
            diesel::update(checklists::table.find(id))
                .set(checklists::name.eq(&draft.name))
                .execute(conn)?;
            insert_items(conn, id, draft)?;
            id
        };
        let after = get(conn, edited_id)?;
        audit::record(
            conn,
            Change {
                actor: Some(actor),
                action: if used {
                    Action::NewVersion
                } else {
                    Action::Update
                },
                entity: Entity::Checklist,
                entity_id: edited_id,
                before: Some(&before),
                after: Some(&after),
            },
        )?;
        Ok(after)
    })
}
