//! One cycle as HR's page shows it: the cycle, its scheme, the departments (for overrides),
//! how many appraisals are computed, not yet, or stale, and whether someone's appeal is
//! open. HR only.

use super::App;
use crate::auth::Caller;
use crate::domain::scheme::Scheme;
use crate::domain::user::Role;
use crate::error::AppError;
use crate::store::cycles::{self, Cycle};
use crate::store::departments::{self, Department};
use crate::store::{appraisals, users};

pub struct CyclePage {
    pub cycle: Cycle,
    pub scheme: Option<Scheme>,
    pub departments: Vec<Department>,
    pub computed: i64,
    pub uncomputed: i64,
    pub stale: i64,
    /// Someone of this cycle has an open appeal: HR may correct their evidence.
    pub appealed: bool,
}

/// What the next step of a cycle will do, said before it is taken (each step is
/// irreversible): how many people, how many computed and reviewed, stale, uncomputed, and
/// how many lack inspections.
pub struct StepPreview {
    pub cycle: Cycle,
    pub people: usize,
    pub total: i64,
    pub reviewed: i64,
    pub stale: i64,
    pub uncomputed: i64,
    pub lacking: usize,
}

impl App {
    pub async fn step_preview(&self, caller: &Caller, id: i32) -> Result<StepPreview, AppError> {
        super::allowed(caller, &[Role::Hr])?;
        self.read(caller, move |conn, _| {
            let cycle = cycles::get(conn, id)?;
            let appraised = users::appraised_ids(conn)?;
            let total = appraisals::count_for_cycle(conn, id)?;
            let unreviewed = appraisals::unreviewed(conn, id)?;
            let lacking = super::to_do::lacking_inspections(conn, &cycle, &appraised)?.len();
            Ok(StepPreview {
                people: appraised.len(),
                total,
                reviewed: total - unreviewed,
                stale: appraisals::stale(conn, &cycle)?,
                uncomputed: appraisals::uncomputed(conn, id)?,
                lacking,
                cycle,
            })
        })
        .await
    }

    pub async fn cycle_page(&self, caller: &Caller, id: i32) -> Result<CyclePage, AppError> {
        super::allowed(caller, &[Role::Hr])?;
        self.read(caller, move |conn, _| {
            let cycle = cycles::get(conn, id)?;
            let uncomputed = appraisals::uncomputed(conn, id)?;
            let computed = appraisals::count_for_cycle(conn, id)?;
            let stale = appraisals::stale(conn, &cycle)?;
            let appealed = cycles::open_appeals(conn)?.iter().any(|(c, _)| *c == id);
            Ok(CyclePage {
                stale,
                appealed,
                scheme: cycle.scheme()?,
                departments: departments::all(conn)?,
                cycle,
                computed,
                uncomputed,
            })
        })
        .await
    }
}
