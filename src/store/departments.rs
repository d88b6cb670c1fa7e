use crate::domain::audit::Action;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::audit::{self, Change, Entity};
use super::{now, Page, Paged};
use crate::db::schema::departments;
use crate::db::{write_tx, DbConn};
use crate::domain::department::DepartmentKind;
use crate::domain::problem::Problem;
use crate::error::AppError;

// Every column, in the order of the row struct.
use crate::db::schema::departments::all_columns as COLUMNS;

#[derive(Debug, Clone, Queryable, Serialize)]
pub struct Department {
    pub id: i32,
    pub name: String,
    #[diesel(deserialize_as = String)]
    pub kind: DepartmentKind,
    #[serde(serialize_with = "super::as_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::as_utc")]
    pub updated_at: NaiveDateTime,
}

fn name_taken(name: &str) -> impl FnOnce() -> Problem + '_ {
    move || Problem::DepartmentNameTaken {
        name: name.to_owned(),
    }
}

pub fn get(conn: &mut DbConn, id: i32) -> Result<Department, AppError> {
    Ok(departments::table.find(id).select(COLUMNS).first(conn)?)
}

pub fn exists(conn: &mut DbConn, id: i32) -> Result<bool, AppError> {
    Ok(diesel::select(diesel::dsl::exists(departments::table.find(id))).get_result(conn)?)
}

pub fn find_by_name(conn: &mut DbConn, name: &str) -> Result<Option<Department>, AppError> {
    Ok(departments::table
        .filter(departments::name.eq(name))
        .select(COLUMNS)
        .first(conn)
        .optional()?)
}

/// Every department, by name (a company has few: for choices and labels).
pub fn all(conn: &mut DbConn) -> Result<Vec<Department>, AppError> {
    Ok(departments::table
        .select(COLUMNS)
        .order(departments::name.asc())
        .load(conn)?)
}

pub fn list(conn: &mut DbConn, page: Page) -> Result<Paged<Department>, AppError> {
    let total = departments::table.count().get_result(conn)?;
    let items = departments::table
        .select(COLUMNS)
        .order(departments::name.asc())
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    Ok(Paged { items, total })
}

pub fn create(
    conn: &mut DbConn,
    actor: Option<i32>,
    name: &str,
    kind: DepartmentKind,
) -> Result<Department, AppError> {
    write_tx(conn, |conn| {
        let at = now();
        let created: Department = diesel::insert_into(departments::table)
            .values((
                departments::name.eq(name),
                departments::kind.eq(kind.as_str()),
                departments::created_at.eq(at),
                departments::updated_at.eq(at),
            ))
            .returning(COLUMNS)
            .get_result(conn)
            .map_err(|e| AppError::unique_or(e, name_taken(name)))?;
        audit::record(
            conn,
            Change::<(), _> {
                actor,
                action: Action::Create,
                entity: Entity::Department,
                entity_id: created.id,
                before: None,
                after: Some(&created),
            },
        )?;
        Ok(created)
    })
}

#[derive(Debug, Default, Clone)]
pub struct DepartmentChanges {
    pub name: Option<String>,
    pub kind: Option<DepartmentKind>,
}

pub fn update(
    conn: &mut DbConn,
    actor: i32,
    id: i32,
    changes: &DepartmentChanges,
) -> Result<Department, AppError> {
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        let name = changes.name.clone().unwrap_or_else(|| before.name.clone());
        let kind = changes.kind.unwrap_or(before.kind);
        if name == before.name && kind == before.kind {
            return Ok(before);
        }
        let after: Department = diesel::update(departments::table.find(id))
            .set((
                departments::name.eq(&name),
                departments::kind.eq(kind.as_str()),
                departments::updated_at.eq(now()),
            ))
            .returning(COLUMNS)
            .get_result(conn)
            .map_err(|e| AppError::unique_or(e, name_taken(&name)))?;
        audit::record(
            conn,
            Change {
                actor: Some(actor),
                action: Action::Update,
                entity: Entity::Department,
                entity_id: id,
                before: Some(&before),
                after: Some(&after),
            },
        )?;
        Ok(after)
    })
}
