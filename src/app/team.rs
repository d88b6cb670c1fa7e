//! A reviewer's team for a cycle: the people whose appraisals they review (a supervisor's
//! direct reports; for HR, the people without a manager: `domain::user::may_review`), their
//! inspections in the cycle's period, their appraisals, and the other cycles with work.

use std::collections::HashMap;

use super::App;
use crate::auth::Caller;
use crate::domain::cycle::CycleState;
use crate::domain::user::Role;
use crate::error::AppError;
use crate::store::appraisals::{self, Appraisal};
use crate::store::cycles::{self, Cycle};
use crate::store::inspections::{self, InspectionDetail};
use crate::store::users::{self, User};

/// The states of cycles with work for a reviewer, the most urgent first: inspections while
/// open, drafts while in review.
pub const WITH_WORK: [CycleState; 2] = [CycleState::Open, CycleState::Review];

pub struct TeamView {
    pub cycle: Cycle,
    /// Every cycle with work (and this one), newest first.
    pub cycles: Vec<Cycle>,
    pub reports: Vec<User>,
    pub inspections: Vec<InspectionDetail>,
    pub appraisals: HashMap<i32, Appraisal>,
    pub minimum: i32,
}

impl App {
    /// The cycle a reviewer works in now: the open one that started last, else the one in
    /// review that started last, else the latest. Supervisors and HR.
    pub async fn team_cycle(&self, caller: &Caller) -> Result<Option<i32>, AppError> {
        super::allowed(caller, &[Role::Supervisor, Role::Hr])?;
        self.read(caller, |conn, _| {
            let all = cycles::all(conn)?;
            let pick = WITH_WORK
                .iter()
                .find_map(|s| {
                    all.iter()
                        .filter(|c| c.state == *s)
                        .max_by_key(|c| c.period_start)
                })
                .or_else(|| all.iter().max_by_key(|c| c.period_start));
            Ok(pick.map(|c| c.id))
        })
        .await
    }

    /// The team page of cycle `id` (404 if there is none). Supervisors and HR, each for the
    /// people they review.
    pub async fn team(&self, caller: &Caller, id: i32) -> Result<TeamView, AppError> {
        super::allowed(caller, &[Role::Supervisor, Role::Hr])?;
        self.read(caller, move |conn, me| {
            let mut cycles = cycles::all(conn)?;
            let cycle = cycles
                .iter()
                .find(|c| c.id == id)
                .cloned()
                .ok_or(AppError::NotFound)?;
            cycles.retain(|c| c.id == id || WITH_WORK.contains(&c.state));
            cycles.sort_by_key(|c| std::cmp::Reverse((c.period_start, c.id)));
            let reports = users::reviewed_by(conn, me)?;
            let ids: Vec<i32> = reports.iter().map(|r| r.id).collect();
            let appraisals = appraisals::of_people_in_cycle(conn, id, &ids)?
                .into_iter()
                .map(|a| (a.employee_id, a))
                .collect();
            Ok(TeamView {
                inspections: inspections::of_people_in_cycle(conn, &ids, id)?,
                minimum: cycle.inspections_needed()?,
                cycle,
                cycles,
                reports,
                appraisals,
            })
        })
        .await
    }
}
