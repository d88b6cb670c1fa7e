//! Cross-department collaboration ratings: one per rater, ratee and cycle; a second rating
//! replaces the first. Who rated whom is visible to HR only (audit trail).

use crate::domain::audit::Action;
use diesel::prelude::*;
use serde::Serialize;

use super::audit::{self, Change, Entity};
use super::now;
use crate::db::schema::collaboration_ratings as cr;
use crate::db::DbConn;
use crate::error::AppError;

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

/// The ratings `rater` gave in a cycle, as (ratee, rating).
pub fn given_by(conn: &mut DbConn, rater: i32, cycle: i32) -> Result<Vec<(i32, i32)>, AppError> {
    Ok(cr::table
        .filter(cr::rater_id.eq(rater))
        .filter(cr::cycle_id.eq(cycle))
        .select((cr::ratee_id, cr::rating))
        .load(conn)?)
}

/// Stores `rater`'s rating of `ratee` in a cycle, replacing an earlier one, with its audit
/// event; answers the rating and whether it replaced one (the rules are
/// `app::collaboration`'s).
pub fn put(
    conn: &mut DbConn,
    rater: i32,
    ratee: i32,
    cycle: i32,
    rating: i32,
    comment: Option<String>,
) -> Result<(Rating, bool), AppError> {
    let key = cr::table
        .filter(cr::cycle_id.eq(cycle))
        .filter(cr::rater_id.eq(rater))
        .filter(cr::ratee_id.eq(ratee));
    let before: Option<Rating> = key.select(COLUMNS).first(conn).optional()?;
    let at = now();
    let after: Rating = match &before {
        Some(old) => diesel::update(cr::table.find(old.id))
            .set((
                cr::rating.eq(rating),
                cr::comment.eq(&comment),
                cr::updated_at.eq(at),
            ))
            .returning(COLUMNS)
            .get_result(conn)?,
        None => diesel::insert_into(cr::table)
            .values((
                cr::cycle_id.eq(cycle),
                cr::rater_id.eq(rater),
                cr::ratee_id.eq(ratee),
                cr::rating.eq(rating),
                cr::comment.eq(&comment),
                cr::created_at.eq(at),
                cr::updated_at.eq(at),
            ))
            .returning(COLUMNS)
            .get_result(conn)?,
    };
    audit::record(
        conn,
        Change {
            actor: Some(rater),
            action: if before.is_some() {
                Action::Replace
            } else {
                Action::Create
            },
            entity: Entity::CollaborationRating,
            entity_id: after.id,
            before: before.as_ref(),
            after: Some(&after),
        },
    )?;
    Ok((after, before.is_some()))
}
