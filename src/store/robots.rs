//! Departments' group robots and the posts to them (migration 17). A post is queued with
//! its `robot_post` job in the transaction of the change that causes it ([`enqueue`]); the
//! row keeps the outcome, with the platform's own error code, for HR.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::jobs::{self, Kind as JobKind, NewJob};
use super::now;
use crate::db::schema::{department_robots, robot_posts};
use crate::db::DbConn;
use crate::domain::robot::Platform;
use crate::error::AppError;

/// A department's robot, secret included: for the sender only, never for an answer (its
/// `Debug` leaves out the secret and the webhook's credential).
#[derive(Clone, Queryable)]
pub struct Robot {
    pub department_id: i32,
    pub platform: String,
    pub webhook_url: String,
    pub secret: Option<String>,
    pub updated_by: Option<i32>,
    pub updated_at: NaiveDateTime,
}

impl std::fmt::Debug for Robot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Robot")
            .field("department_id", &self.department_id)
            .field("platform", &self.platform)
            .field(
                "webhook_url",
                &crate::domain::robot::shown_url(&self.webhook_url),
            )
            .field("secret", &self.secret.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Robot {
    pub fn platform(&self) -> Result<Platform, AppError> {
        self.platform.parse().map_err(AppError::internal)
    }
}

#[derive(Debug, Clone, Queryable, Serialize, utoipa::ToSchema)]
pub struct RobotPost {
    pub id: i64,
    pub department_id: i32,
    /// complaint_escalated, cycle_open, cycle_review, cycle_published
    pub kind: String,
    #[serde(skip)]
    pub dedupe_key: String,
    #[serde(skip)]
    pub payload_json: String,
    /// pending, sent or failed
    pub status: String,
    pub attempts: i32,
    /// The platform's own error code and message of the last failed attempt.
    pub last_error: Option<String>,
    #[serde(serialize_with = "super::as_utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::as_utc_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub sent_at: Option<NaiveDateTime>,
}

pub fn get(conn: &mut DbConn, department: i32) -> Result<Option<Robot>, AppError> {
    Ok(department_robots::table
        .find(department)
        .first(conn)
        .optional()?)
}

/// Sets (or replaces) a department's robot.
pub fn set(
    conn: &mut DbConn,
    department: i32,
    platform: Platform,
    webhook_url: &str,
    secret: Option<&str>,
    actor: i32,
) -> Result<(), AppError> {
    diesel::delete(department_robots::table.find(department)).execute(conn)?;
    diesel::insert_into(department_robots::table)
        .values((
            department_robots::department_id.eq(department),
            department_robots::platform.eq(platform.as_str()),
            department_robots::webhook_url.eq(webhook_url),
            department_robots::secret.eq(secret),
            department_robots::updated_by.eq(Some(actor)),
            department_robots::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, department: i32) -> Result<bool, AppError> {
    Ok(diesel::delete(department_robots::table.find(department)).execute(conn)? > 0)
}

/// The departments that have a robot.
pub fn departments_with_robots(conn: &mut DbConn) -> Result<Vec<i32>, AppError> {
    Ok(department_robots::table
        .select(department_robots::department_id)
        .order(department_robots::department_id)
        .load(conn)?)
}

/// Queues a post to `department`'s robot, if it has one (idempotent by `key`).
pub fn enqueue(
    conn: &mut DbConn,
    department: i32,
    kind: &str,
    key: &str,
    payload: &serde_json::Value,
) -> Result<bool, AppError> {
    if get(conn, department)?.is_none() {
        return Ok(false);
    }
    // Queued once per key: a repeat is found and left alone (a concurrent repeat trips the
    // unique key, and the transaction runs again and finds it).
    let seen: i64 = robot_posts::table
        .filter(robot_posts::dedupe_key.eq(key))
        .count()
        .get_result(conn)?;
    if seen > 0 {
        return Ok(false);
    }
    let at = now();
    diesel::insert_into(robot_posts::table)
        .values((
            robot_posts::department_id.eq(department),
            robot_posts::kind.eq(kind),
            robot_posts::dedupe_key.eq(key),
            robot_posts::payload_json.eq(payload.to_string()),
            robot_posts::status.eq("pending"),
            robot_posts::attempts.eq(0),
            robot_posts::created_at.eq(at),
        ))
        .execute(conn)?;
    let id: i64 = robot_posts::table
        .filter(robot_posts::dedupe_key.eq(key))
        .select(robot_posts::id)
        .first(conn)?;
    jobs::enqueue(
        conn,
        &[NewJob {
            kind: JobKind::RobotPost,
            key: format!("robot_post:{id}"),
            payload: serde_json::json!({ "post_id": id }).to_string(),
            run_at: at,
        }],
    )?;
    Ok(true)
}

pub fn post(conn: &mut DbConn, id: i64) -> Result<RobotPost, AppError> {
    Ok(robot_posts::table.find(id).first(conn)?)
}

/// Records an attempt: sent, or failed with the platform's words (`gave_up`: no more tries).
pub fn record(
    conn: &mut DbConn,
    id: i64,
    outcome: Result<(), String>,
    gave_up: bool,
) -> Result<(), AppError> {
    let target = robot_posts::table.find(id);
    match outcome {
        Ok(()) => diesel::update(target)
            .set((
                robot_posts::status.eq("sent"),
                robot_posts::attempts.eq(robot_posts::attempts + 1),
                robot_posts::sent_at.eq(Some(now())),
            ))
            .execute(conn)?,
        Err(error) => diesel::update(target)
            .set((
                robot_posts::status.eq(if gave_up { "failed" } else { "pending" }),
                robot_posts::attempts.eq(robot_posts::attempts + 1),
                robot_posts::last_error.eq(Some(error)),
            ))
            .execute(conn)?,
    };
    Ok(())
}

/// The latest posts (of one department, or all), newest first.
pub fn recent(
    conn: &mut DbConn,
    department: Option<i32>,
    limit: i64,
) -> Result<Vec<RobotPost>, AppError> {
    let mut query = robot_posts::table.into_boxed();
    if let Some(d) = department {
        query = query.filter(robot_posts::department_id.eq(d));
    }
    Ok(query
        .order(robot_posts::id.desc())
        .limit(limit)
        .load(conn)?)
}
