//! One cycle as HR's page shows it: the cycle, its scheme, the departments (for overrides),
//! how many appraisals are computed, not yet, or stale, and whether someone's appeal is
//! open. HR only.

use super::App;
use crate::auth::Caller;
use crate::domain::scheme::Scheme;
use crate::domain::user::Role;
use crate::error::AppError;
use crate::store::appraisals;
use crate::store::cycles::{self, Cycle};
use crate::store::departments::{self, Department};

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

impl App {
    pub async fn cycle_page(&self, caller: &Caller, id: i32) -> Result<CyclePage, AppError> {
        self.read(caller, move |conn, me| {
            if me.role() != Role::Hr {
                return Err(AppError::Forbidden);
            }
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
