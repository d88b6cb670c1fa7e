//! Cross-department collaboration ratings: one per rater, ratee and cycle; a second rating
//! replaces the first. Who rated whom is visible to HR only (audit trail).

use diesel::prelude::*;
use serde::Serialize;

use super::audit::{self, Change, Entity};
use super::users::User;
use super::{cycles, now, users};
use crate::db::schema::collaboration_ratings as cr;
use crate::db::{write_tx, DbConn};
use crate::domain::cycle::CycleState;
use crate::domain::user::Role;
use crate::error::{AppError, FieldErrors};

#[derive(Debug, Clone, Queryable, Serialize)]
pub struct Rating {
    pub id: i32,
    pub cycle_id: i32,
    pub rater_id: i32,
    pub ratee_id: i32,
    pub rating: i32,
    pub comment: Option<String>,
}

const COLUMNS: (
    cr::id,
    cr::cycle_id,
    cr::rater_id,
    cr::ratee_id,
    cr::rating,
    cr::comment,
) = (
    cr::id,
    cr::cycle_id,
    cr::rater_id,
    cr::ratee_id,
    cr::rating,
    cr::comment,
);

pub struct NewRating {
    pub ratee_id: i32,
    pub cycle_id: i32,
    pub rating: i32,
    pub comment: Option<String>,
}

/// The ratings `rater` gave in a cycle, as (ratee, rating).
pub fn given_by(conn: &mut DbConn, rater: i32, cycle: i32) -> Result<Vec<(i32, i32)>, AppError> {
    Ok(cr::table
        .filter(cr::rater_id.eq(rater))
        .filter(cr::cycle_id.eq(cycle))
        .select((cr::ratee_id, cr::rating))
        .load(conn)?)
}

/// Answers the stored rating and whether it replaced an earlier one.
pub fn rate(conn: &mut DbConn, rater: &User, new: NewRating) -> Result<(Rating, bool), AppError> {
    write_tx(conn, |conn| {
        let mut errors = FieldErrors::new();
        if new.ratee_id == rater.id {
            errors.add("ratee_id", "you cannot rate yourself");
        }
        match users::get(conn, new.ratee_id) {
            Ok(ratee) if ratee.role() == Role::Hr || !ratee.active => {
                errors.add("ratee_id", "is not an active employee")
            }
            Ok(ratee) if ratee.department_id == rater.department_id && ratee.id != rater.id => {
                errors.add(
                    "ratee_id",
                    "works in your own department; rate colleagues of other departments",
                )
            }
            Ok(_) => {}
            Err(AppError::NotFound) => errors.add("ratee_id", "no such employee"),
            Err(other) => return Err(other),
        }
        let cycle = match cycles::get(conn, new.cycle_id) {
            Ok(cycle) => Some(cycle),
            Err(AppError::NotFound) => {
                errors.add("cycle_id", "no such cycle");
                None
            }
            Err(other) => return Err(other),
        };
        errors.into_result()?;
        let cycle = cycle.expect("checked");
        if cycle.state() != CycleState::Open {
            return Err(AppError::Conflict(format!(
                "cycle \"{}\" is {}: ratings are accepted only while it is open",
                cycle.name,
                cycle.state()
            )));
        }
        cycles::hold_for_entry(conn, &[&cycle])?;
        let key = cr::table
            .filter(cr::cycle_id.eq(new.cycle_id))
            .filter(cr::rater_id.eq(rater.id))
            .filter(cr::ratee_id.eq(new.ratee_id));
        let before: Option<Rating> = key.select(COLUMNS).first(conn).optional()?;
        let at = now();
        let after: Rating = match &before {
            Some(old) => diesel::update(cr::table.find(old.id))
                .set((
                    cr::rating.eq(new.rating),
                    cr::comment.eq(&new.comment),
                    cr::updated_at.eq(at),
                ))
                .returning(COLUMNS)
                .get_result(conn)?,
            None => diesel::insert_into(cr::table)
                .values((
                    cr::cycle_id.eq(new.cycle_id),
                    cr::rater_id.eq(rater.id),
                    cr::ratee_id.eq(new.ratee_id),
                    cr::rating.eq(new.rating),
                    cr::comment.eq(&new.comment),
                    cr::created_at.eq(at),
                    cr::updated_at.eq(at),
                ))
                .returning(COLUMNS)
                .get_result(conn)?,
        };
        audit::record(
            conn,
            Change {
                actor: Some(rater.id),
                action: if before.is_some() {
                    "replace"
                } else {
                    "create"
                },
                entity: Entity::CollaborationRating,
                entity_id: after.id,
                before: before.as_ref(),
                after: Some(&after),
            },
        )?;
        Ok((after, before.is_some()))
    })
}
