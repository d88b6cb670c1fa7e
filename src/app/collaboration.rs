//! Cross-department collaboration ratings: anyone rates an active colleague of another
//! department while a cycle is open; one rating per rater, ratee and cycle (a second one
//! replaces the first). Who rated whom is visible to HR only (audit trail).

use std::collections::HashMap;

use serde::Deserialize;
use utoipa::ToSchema;

use super::App;
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::cycle::CycleState;
use crate::domain::evidence::{parse_rating, COMMENT_MAX};
use crate::domain::problem::Problem;
use crate::domain::text::{free_text, free_text_schema};
use crate::domain::user::Role;
use crate::error::{AppError, FieldErrors};
use crate::store::collaboration::{self, Rating};
use crate::store::cycles::{self, Cycle};
use crate::store::departments::{self, Department};
use crate::store::users;
use crate::store::users::User;

/// One rating from 1 to 5 of a colleague in another department, during an open cycle.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRating {
    #[schema(minimum = 1)]
    pub ratee_id: i32,
    #[schema(minimum = 1)]
    pub cycle_id: i32,
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i64,
    #[serde(default)]
    #[schema(schema_with = free_text_schema::<COMMENT_MAX>)]
    pub comment: Option<String>,
}

impl App {
    /// Answers the stored rating and whether it replaced an earlier one.
    pub async fn rate(
        &self,
        caller: &Caller,
        input: NewRating,
    ) -> Result<(Rating, bool), AppError> {
        let mut errors = FieldErrors::new();
        let rating = errors.take("rating", parse_rating(input.rating));
        let comment = errors
            .take("comment", free_text(input.comment.as_deref(), COMMENT_MAX))
            .flatten();
        errors.into_result()?;
        let rating = rating.expect("parsed");
        let (ratee, cycle) = (input.ratee_id, input.cycle_id);
        self.write(caller, move |tx, me| {
            rate(tx, me, ratee, cycle, rating, comment.clone())
        })
        .await
    }
}

pub fn rate(
    tx: &mut DbConn,
    rater: &User,
    ratee_id: i32,
    cycle_id: i32,
    rating: i32,
    comment: Option<String>,
) -> Result<(Rating, bool), AppError> {
    let mut errors = FieldErrors::new();
    if ratee_id == rater.id {
        errors.add("ratee_id", Problem::RateSelf);
    }
    match users::get(tx, ratee_id) {
        Ok(ratee) if ratee.role() == Role::Hr || !ratee.active => {
            errors.add("ratee_id", Problem::NotActiveEmployee)
        }
        Ok(ratee) if ratee.department_id == rater.department_id && ratee.id != rater.id => {
            errors.add("ratee_id", Problem::RateOwnDepartment)
        }
        Ok(_) => {}
        Err(AppError::NotFound) => errors.add("ratee_id", Problem::NoSuchEmployee),
        Err(other) => return Err(other),
    }
    let cycle = match cycles::get(tx, cycle_id) {
        Ok(cycle) => Some(cycle),
        Err(AppError::NotFound) => {
            errors.add("cycle_id", Problem::NoSuchCycle);
            None
        }
        Err(other) => return Err(other),
    };
    errors.into_result()?;
    let cycle = cycle.expect("found when there were no problems");
    if cycle.state() != CycleState::Open {
        return Err(AppError::Conflict(Problem::RatingsClosed {
            cycle: cycle.name.clone(),
            state: cycle.state(),
        }));
    }
    cycles::hold_for_entry(tx, &[&cycle.span()])?;
    collaboration::put(tx, rater.id, ratee_id, cycle_id, rating, comment)
}

/// The page of rating colleagues of other departments: the cycle, the departments one may
/// rate in, the people of the one chosen, and one's ratings given so far (by ratee).
pub struct Colleagues {
    pub cycle: Cycle,
    pub departments: Vec<Department>,
    pub people: Vec<User>,
    pub given: HashMap<i32, i32>,
}

impl App {
    /// Anyone, for the colleagues they may rate (`users::rateable_in`).
    pub async fn colleagues(
        &self,
        caller: &Caller,
        id: i32,
        department: Option<i32>,
    ) -> Result<Colleagues, AppError> {
        self.read(caller, move |conn, me| {
            let cycle = cycles::get(conn, id)?;
            let rateable = users::rateable_departments(conn, me)?;
            let mut departments = departments::all(conn)?;
            departments.retain(|d| rateable.contains(&d.id));
            let people = match department {
                Some(d) => users::rateable_in(conn, me, d)?,
                None => Vec::new(),
            };
            let given = collaboration::given_by(conn, me.id, id)?
                .into_iter()
                .collect();
            Ok(Colleagues {
                cycle,
                departments,
                people,
                given,
            })
        })
        .await
    }
}
