//! Departments' group robots (docs/PRODUCT.md, notices): HR sets, reads and removes them;
//! the secret is never answered, logged or exported again. Posts are queued here for a
//! complaint's escalation (to its holding department's group) and for a cycle opening,
//! entering review and being published (to every group): never an individual's score,
//! grade or appeal.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{allowed, App};
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::cycle::CycleState;
use crate::domain::problem::Problem;
use crate::domain::robot::{check_webhook, shown_url, Platform, SECRET_MAX, URL_MAX};
use crate::domain::user::Role;
use crate::error::{AppError, FieldErrors};
use crate::store::robots::{self, RobotPost};
use crate::store::{audit, departments};

/// A department's robot as HR sets it (its `Debug` leaves out the secret and the webhook's
/// credential).
#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RobotInput {
    pub platform: Platform,
    /// The custom robot's webhook address, as the platform gives it (`https://`, on one of
    /// the platforms' hosts).
    #[schema(max_length = 500)]
    pub webhook_url: String,
    /// DingTalk's and Feishu's signing secret (required for them, ignored for WeCom). Never
    /// shown again.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub secret: Option<String>,
}

impl std::fmt::Debug for RobotInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RobotInput")
            .field("platform", &self.platform)
            .field("webhook_url", &shown_url(&self.webhook_url))
            .field("secret", &self.secret.as_ref().map(|_| "…"))
            .finish()
    }
}

/// A department's robot as it may be shown: the webhook with its credential hidden, whether
/// a secret is set, and the latest posts with the platform's answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RobotView {
    pub department_id: i32,
    pub platform: Platform,
    pub webhook_url: String,
    pub has_secret: bool,
    pub recent_posts: Vec<RobotPost>,
}

fn view(conn: &mut DbConn, department: i32) -> Result<RobotView, AppError> {
    let robot = robots::get(conn, department)?.ok_or(AppError::NotFound)?;
    Ok(RobotView {
        department_id: department,
        platform: robot.platform()?,
        webhook_url: shown_url(&robot.webhook_url),
        has_secret: robot.secret.is_some(),
        recent_posts: robots::recent(conn, Some(department), 20)?,
    })
}

impl App {
    pub async fn robot(&self, caller: &Caller, department: i32) -> Result<RobotView, AppError> {
        allowed(caller, &[Role::Hr])?;
        self.read(caller, move |conn, _| view(conn, department))
            .await
    }

    /// Sets a department's robot (HR): a webhook elsewhere than the platforms' hosts is a
    /// 422, so robots cannot reach internal addresses.
    pub async fn set_robot(
        &self,
        caller: &Caller,
        department: i32,
        input: RobotInput,
    ) -> Result<RobotView, AppError> {
        allowed(caller, &[Role::Hr])?;
        let mut errors = FieldErrors::new();
        let url = input.webhook_url.trim().to_owned();
        if url.chars().count() > URL_MAX {
            errors.add("webhook_url", Problem::TooLong { max: URL_MAX });
        } else if let Err(problem) = check_webhook(input.platform, &url, &self.robot_hosts) {
            errors.add("webhook_url", problem);
        }
        let secret = input
            .secret
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty() && input.platform.signs())
            .map(str::to_owned);
        match &secret {
            None if input.platform.signs() => errors.add("secret", Problem::SecretRequired),
            Some(s) if s.chars().count() > SECRET_MAX => {
                errors.add("secret", Problem::TooLong { max: SECRET_MAX })
            }
            _ => {}
        }
        errors.into_result()?;
        self.write(caller, move |tx, me| {
            if !departments::exists(tx, department)? {
                return Err(AppError::NotFound);
            }
            robots::set(
                tx,
                department,
                input.platform,
                &url,
                secret.as_deref(),
                me.id,
            )?;
            // Audited without the webhook's credential or the secret.
            let after =
                serde_json::json!({"platform": input.platform, "webhook_url": shown_url(&url)});
            audit::record(
                tx,
                audit::Change::<(), _> {
                    actor: Some(me.id),
                    action: crate::domain::audit::Action::SetRobot,
                    entity: audit::Entity::Department,
                    entity_id: department,
                    before: None,
                    after: Some(&after),
                },
            )?;
            view(tx, department)
        })
        .await
    }

    pub async fn delete_robot(&self, caller: &Caller, department: i32) -> Result<(), AppError> {
        allowed(caller, &[Role::Hr])?;
        self.write(caller, move |tx, me| {
            if !robots::delete(tx, department)? {
                return Err(AppError::NotFound);
            }
            audit::record(
                tx,
                audit::Change::<(), ()> {
                    actor: Some(me.id),
                    action: crate::domain::audit::Action::RemoveRobot,
                    entity: audit::Entity::Department,
                    entity_id: department,
                    before: None,
                    after: None,
                },
            )
        })
        .await
    }
}

impl App {
    /// Every department's robot, as it may be shown (HR's service page).
    pub async fn robots(&self, caller: &Caller) -> Result<Vec<RobotView>, AppError> {
        allowed(caller, &[Role::Hr])?;
        self.read(caller, move |conn, _| {
            robots::departments_with_robots(conn)?
                .into_iter()
                .map(|d| view(conn, d))
                .collect()
        })
        .await
    }

    /// The latest posts to every group robot, with each department's name (HR's notices
    /// page).
    pub async fn robot_posts(&self, caller: &Caller) -> Result<Vec<(RobotPost, String)>, AppError> {
        allowed(caller, &[Role::Hr])?;
        self.read(caller, move |conn, _| {
            let names: std::collections::HashMap<i32, String> = departments::all(conn)?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect();
            Ok(robots::recent(conn, None, 50)?
                .into_iter()
                .map(|p| {
                    let name = names.get(&p.department_id).cloned().unwrap_or_default();
                    (p, name)
                })
                .collect())
        })
        .await
    }
}

/// A post about a complaint's escalation, to its holding department's group.
pub fn post_escalation(
    tx: &mut DbConn,
    department: i32,
    complaint: i32,
    level: i32,
) -> Result<bool, AppError> {
    robots::enqueue(
        tx,
        department,
        "complaint_escalated",
        &format!("robot:complaint_escalated:{complaint}:{level}"),
        &serde_json::json!({"complaint_id": complaint, "level": level}),
    )
}

/// A post about a cycle's step (opened, in review, published), to every group.
pub fn post_cycle_step(tx: &mut DbConn, cycle: i32, state: CycleState) -> Result<usize, AppError> {
    let kind = match state {
        CycleState::Open => "cycle_open",
        CycleState::Review => "cycle_review",
        CycleState::Published => "cycle_published",
        _ => return Ok(0),
    };
    let mut queued = 0;
    for department in robots::departments_with_robots(tx)? {
        if robots::enqueue(
            tx,
            department,
            kind,
            &format!("robot:{kind}:{cycle}:{department}"),
            &serde_json::json!({ "cycle_id": cycle }),
        )? {
            queued += 1;
        }
    }
    Ok(queued)
}
