//! The use cases: one module per thing people do (create a person, open a cycle, put a
//! scheme, import evidence, record an inspection, compute, review, publish, appeal, decide,
//! rate, …). The three doors, the API, the pages and the CLI, are thin adapters over them:
//! each reads its own form of the same raw input, and the use case parses it into domain
//! types, checks the rules, and writes through `store`.
//!
//! A request's use case runs in one blocking call ([`App::write`], [`App::read`]) that also
//! checks the caller's account (active, at its token's version and role), inside the same
//! write transaction as the work, so a person deactivated a moment ago can no longer act,
//! and every rule sees one consistent state (`db::write_tx`). The use cases own the workflow
//! that spans aggregates (publishing queues notices, opening queues rating requests); a
//! `store` module only reads and writes its own tables.
//!
//! Arrows: `app` → `domain`, `store`, `auth`, `db`, `i18n`; nobody in `app` imports `api`
//! or `web`.

pub mod appeal_pages;
pub mod appraisal_page;
pub mod appraisals;
pub mod checklists;
pub mod collaboration;
pub mod complaint_check;
pub mod complaint_import;
pub mod complaint_report;
pub mod complaint_status;
pub mod complaints;
pub mod cycle_page;
pub mod cycles;
pub mod departments;
pub mod evidence;
pub mod export;
pub mod inspections;
pub mod lists;
pub mod my_rating;
pub mod notices;
pub mod passwords;
pub mod people;
pub mod people_bulk;
pub mod report;
pub mod robots;
pub mod sign_in;
pub mod sla;
pub mod team;
pub mod to_do;
pub mod view;

use std::sync::Arc;

use crate::auth::password::PasswordWorkers;
use crate::auth::{Caller, TokenKeys};
use crate::db::{write_tx, Db, DbConn};
use crate::domain::clock::CompanyTime;
use crate::domain::lockout::LockoutPolicy;
use crate::error::AppError;
use crate::store::users::User;

/// Who may call a use case, stated first in the use case: the role the caller's token
/// carries must be one of `roles` (403 otherwise), before any work (an upload parsed, a
/// password hashed, a read). The account check inside the transaction then finds the
/// account still at that role, or answers 401. The route table and the page extractors
/// refuse early too (`tests/api/matrix.rs` checks that they agree).
pub(crate) fn allowed(
    caller: &Caller,
    roles: &[crate::domain::user::Role],
) -> Result<(), AppError> {
    if roles.contains(&caller.role) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// What the use cases need from the running service; cheap to clone.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub time: CompanyTime,
    pub lockout: LockoutPolicy,
    pub passwords: Arc<PasswordWorkers>,
    pub keys: Arc<TokenKeys>,
    pub uploads: UploadGate,
    /// The language of a person made without one (`company.default_locale`).
    pub default_locale: crate::domain::user::Locale,
    /// The escalation check's warning share (`complaints.warn_percent`).
    pub complaints: crate::settings::ComplaintSettings,
    /// The hosts a group robot's webhook may point at (`notices.robot_hosts`).
    pub robot_hosts: Vec<String>,
}

/// Bounds how many uploaded files are read and imported at once, so that several large
/// files arriving together cannot together take more memory than one may times
/// `uploads.parallel`.
#[derive(Clone)]
pub struct UploadGate {
    turns: Arc<tokio::sync::Semaphore>,
    wait: std::time::Duration,
}

/// An upload's turn, held until its rows are imported (or refused) and dropped.
pub struct UploadTurn(#[allow(dead_code)] tokio::sync::OwnedSemaphorePermit);

impl UploadGate {
    pub fn new(parallel: usize, wait_seconds: u64) -> UploadGate {
        UploadGate {
            turns: Arc::new(tokio::sync::Semaphore::new(parallel.max(1))),
            wait: std::time::Duration::from_secs(wait_seconds),
        }
    }

    /// A turn to read an upload: at once, or within the wait; else 503 with `Retry-After`.
    pub async fn turn(&self) -> Result<UploadTurn, AppError> {
        let busy = AppError::Busy {
            retry_after_seconds: self.wait.as_secs().max(1),
        };
        match tokio::time::timeout(self.wait, self.turns.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(UploadTurn(permit)),
            _ => Err(busy),
        }
    }
}

/// Who does something: a person (their audited id), or the system (bootstrap, the CLI).
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    Person(&'a User),
    System,
}

impl Actor<'_> {
    pub fn id(&self) -> Option<i32> {
        match self {
            Actor::Person(user) => Some(user.id),
            Actor::System => None,
        }
    }
}

impl App {
    /// Runs `work` for `caller` in one blocking call and one write transaction: the
    /// account is checked first, inside the transaction. `work` may run again when the
    /// transaction loses a race (`db::write_tx`), so it only touches the database.
    pub async fn write<T, F>(&self, caller: &Caller, mut work: F) -> Result<T, AppError>
    where
        F: FnMut(&mut DbConn, &User) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let caller = caller.clone();
        self.db
            .run(move |conn| {
                write_tx(conn, |tx| {
                    let me = caller.account(tx)?;
                    work(tx, &me)
                })
            })
            .await
    }

    /// Runs `work` for `caller` in one blocking call, after the account check, without a
    /// write transaction (reads).
    pub async fn read<T, F>(&self, caller: &Caller, work: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn, &User) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let caller = caller.clone();
        self.db
            .run(move |conn| {
                let me = caller.account(conn)?;
                work(conn, &me)
            })
            .await
    }

    /// The company's date now.
    pub fn today(&self) -> chrono::NaiveDate {
        self.time.today()
    }
}
