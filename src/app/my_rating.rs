//! "My service rating": what a person sees of their own appraisals (published ones only:
//! `store::appraisals::mine`), the inspections behind the latest, its appeal and rank, and
//! the cycles open for rating colleagues. Any role, for themselves.

use std::collections::HashMap;

use super::App;
use crate::auth::Caller;
use crate::domain::cycle::CycleState;
use crate::error::AppError;
use crate::store::appeals::{self, Appeal};
use crate::store::appraisals::{self, Appraisal};
use crate::store::cycles::{self, Cycle};
use crate::store::inspections::InspectionDetail;
use crate::store::users;

pub struct MyRating {
    pub mine: Vec<Appraisal>,
    pub cycles: HashMap<i32, Cycle>,
    pub inspections: Vec<InspectionDetail>,
    pub inspectors: HashMap<i32, String>,
    pub appeal: Option<Appeal>,
    pub open_cycles: Vec<Cycle>,
    /// How many are ranked in the latest appraisal's department.
    pub ranked: i64,
}

fn by_id(list: Vec<Cycle>) -> HashMap<i32, Cycle> {
    list.into_iter().map(|c| (c.id, c)).collect()
}

impl App {
    pub async fn my_rating(&self, caller: &Caller) -> Result<MyRating, AppError> {
        self.read(caller, |conn, me| {
            let mine = appraisals::mine(conn, me)?;
            let all = cycles::all(conn)?;
            let open_cycles = all
                .iter()
                .filter(|c| c.state == CycleState::Open)
                .cloned()
                .collect();
            let (inspections, appeal, ranked) = match mine.first() {
                Some(latest) => (
                    super::appraisal_page::inspections_behind(conn, me, latest)?,
                    appeals::of_appraisal(conn, latest.id)?,
                    appraisals::ranked_in_department(conn, latest.cycle_id, latest.department_id)?,
                ),
                None => (Vec::new(), None, 0),
            };
            let ids: Vec<i32> = inspections.iter().map(|i| i.inspector_id).collect();
            Ok(MyRating {
                inspectors: users::names(conn, &ids)?,
                mine,
                cycles: by_id(all),
                inspections,
                appeal,
                open_cycles,
                ranked,
            })
        })
        .await
    }
}
