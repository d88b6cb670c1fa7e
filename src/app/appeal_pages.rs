//! HR's reads of appeals: the list (a page at a time, each with the employee's name) and
//! one appeal with what deciding it needs (the appraisal, the employee, the inspections
//! behind it, the rank, and the sales target as it stands now). HR only.

use std::collections::HashMap;

use super::App;
use crate::auth::Caller;
use crate::domain::appraisal::AppealState;
use crate::domain::user::Role;
use crate::error::AppError;
use crate::store::appeals::{self, Appeal};
use crate::store::appraisals::{self, Appraisal};
use crate::store::cycles::{self, Cycle};
use crate::store::inspections::InspectionDetail;
use crate::store::users::{self, User};
use crate::store::Page;

pub struct AppealList {
    pub list: Vec<Appeal>,
    pub total: i64,
    /// The employee's name, by appraisal.
    pub names: HashMap<i32, String>,
}

pub struct AppealPage {
    pub appeal: Appeal,
    pub appraisal: Appraisal,
    pub employee: User,
    pub cycle: Cycle,
    pub inspections: Vec<InspectionDetail>,
    /// The inspectors' names.
    pub names: HashMap<i32, String>,
    pub ranked: i64,
    /// The target as it stands now (the appraisal shows the one it was computed with).
    pub target: Option<i64>,
}

impl App {
    pub async fn appeal_list(
        &self,
        caller: &Caller,
        state: Option<AppealState>,
        page: Page,
    ) -> Result<AppealList, AppError> {
        super::allowed(caller, &[Role::Hr])?;
        self.read(caller, move |conn, _| {
            let paged = appeals::list(conn, state, page)?;
            let ids: Vec<i32> = paged.items.iter().map(|a| a.appraisal_id).collect();
            let employees = appraisals::employees_of(conn, &ids)?;
            let people: Vec<i32> = employees.values().copied().collect();
            let names = users::names(conn, &people)?;
            let by_appraisal: HashMap<i32, String> = employees
                .into_iter()
                .map(|(a, e)| (a, names.get(&e).cloned().unwrap_or_default()))
                .collect();
            Ok(AppealList {
                list: paged.items,
                total: paged.total,
                names: by_appraisal,
            })
        })
        .await
    }

    pub async fn appeal_page(&self, caller: &Caller, id: i32) -> Result<AppealPage, AppError> {
        super::allowed(caller, &[Role::Hr])?;
        self.read(caller, move |conn, me| {
            let appeal = appeals::get(conn, id)?;
            let appraisal = appraisals::get(conn, appeal.appraisal_id)?;
            let employee = users::get(conn, appraisal.employee_id)?;
            let cycle = cycles::get(conn, appraisal.cycle_id)?;
            let inspections = super::appraisal_page::inspections_behind(conn, me, &appraisal)?;
            let ids: Vec<i32> = inspections.iter().map(|i| i.inspector_id).collect();
            let names = users::names(conn, &ids)?;
            let ranked = appraisals::ranked_in_department(
                conn,
                appraisal.cycle_id,
                appraisal.department_id,
            )?;
            let target = crate::store::evidence::summary(
                conn,
                appraisal.cycle_id,
                Some(appraisal.employee_id),
            )?
            .pop()
            .and_then(|e| e.sales_target);
            Ok(AppealPage {
                appeal,
                appraisal,
                employee,
                cycle,
                inspections,
                names,
                ranked,
                target,
            })
        })
        .await
    }
}
