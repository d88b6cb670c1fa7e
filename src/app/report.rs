//! A cycle's report: per department the count, mean, lowest and highest total and the
//! grades (one arithmetic for the page, the API and the spreadsheet:
//! `scoring::mean_of_hundredths`), and, on the page, one department's appraisals. HR only.

use std::collections::HashMap;

use super::App;
use crate::auth::Caller;
use crate::domain::user::Role;
use crate::error::AppError;
use crate::store::appraisals::{self, Appraisal, DepartmentReport};
use crate::store::cycles::{self, Cycle};
use crate::store::departments::{self, Department};
use crate::store::users;

/// The report page: the cycle, its figures, the departments by id, and the appraisals of
/// the department asked for with their people's names.
pub struct ReportPage {
    pub cycle: Cycle,
    pub report: Vec<DepartmentReport>,
    pub departments: HashMap<i32, Department>,
    pub list: Vec<Appraisal>,
    pub names: HashMap<i32, String>,
}

impl App {
    /// The figures of cycle `id` per department (404 if there is no such cycle).
    pub async fn cycle_report(
        &self,
        caller: &Caller,
        id: i32,
    ) -> Result<Vec<DepartmentReport>, AppError> {
        super::allowed(caller, &[Role::Hr])?;
        self.read(caller, move |conn, _| {
            cycles::get(conn, id)?;
            appraisals::report(conn, id)
        })
        .await
    }

    /// [`App::cycle_report`] with what the page shows beside it.
    pub async fn report_page(
        &self,
        caller: &Caller,
        id: i32,
        department: Option<i32>,
    ) -> Result<ReportPage, AppError> {
        super::allowed(caller, &[Role::Hr])?;
        self.read(caller, move |conn, me| {
            let cycle = cycles::get(conn, id)?;
            let report = appraisals::report(conn, id)?;
            let departments = departments::all(conn)?
                .into_iter()
                .map(|d| (d.id, d))
                .collect();
            let list = match department {
                Some(d) => appraisals::list_for_cycle(conn, me, id, Some(d))?,
                None => Vec::new(),
            };
            let ids: Vec<i32> = list.iter().map(|a| a.employee_id).collect();
            let names = users::names(conn, &ids)?;
            Ok(ReportPage {
                cycle,
                report,
                departments,
                list,
                names,
            })
        })
        .await
    }
}
