//! One appraisal as its page shows it: the appraisal (for whoever may see it:
//! `store::appraisals::get_for`), the inspections behind it, the appeal, the rank, the
//! people's names, and for HR its audit trail (its own, its inspections', its cycle's).

use std::collections::HashMap;

use super::App;
use crate::auth::Caller;
use crate::domain::user::Role;
use crate::error::AppError;
use crate::store::appeals::{self, Appeal};
use crate::store::appraisals::{self, Appraisal};
use crate::store::audit::{self, AuditEvent};
use crate::store::cycles::{self, Cycle};
use crate::store::inspections::{self, InspectionDetail};
use crate::store::users::{self, User};

pub struct AppraisalPage {
    /// The employee's department's name (on the page and the printed review sheet).
    pub department: String,
    /// Department names, for the audit trail (HR only; empty otherwise).
    pub departments: HashMap<i32, String>,
    pub appraisal: Appraisal,
    pub cycle: Cycle,
    pub employee: User,
    /// The employee's active manager, who reviews (None: HR does).
    pub manager: Option<i32>,
    pub inspections: Vec<InspectionDetail>,
    pub names: HashMap<i32, String>,
    pub appeal: Option<Appeal>,
    pub audit: Vec<AuditEvent>,
    pub ranked: i64,
}

/// The inspections an appraisal stands on: its employee's in its cycle's period, if the
/// viewer may see that employee (the appraisal's page, HR's appeal page, `/me`).
pub(crate) fn inspections_behind(
    conn: &mut crate::db::DbConn,
    viewer: &User,
    appraisal: &Appraisal,
) -> Result<Vec<InspectionDetail>, AppError> {
    inspections::of_employee_in_cycle(conn, viewer, appraisal.employee_id, appraisal.cycle_id)
}

impl App {
    pub async fn appraisal_page(
        &self,
        caller: &Caller,
        id: i32,
    ) -> Result<AppraisalPage, AppError> {
        self.read(caller, move |conn, me| {
            let appraisal = appraisals::get_for(conn, me, id)?;
            let inspections = inspections_behind(conn, me, &appraisal)?;
            // HR: this appraisal's own history: its computes, review, appeal and
            // acknowledgement, the person's inspections (recorded, corrected), and what
            // happened to the cycle (imports, state changes).
            let audit = if me.role() == Role::Hr {
                let mut events = audit::of_object(conn, "appraisal", id)?;
                for inspection in &inspections {
                    events.extend(audit::of_object(conn, "inspection", inspection.id)?);
                }
                events.extend(audit::of_object(conn, "cycle", appraisal.cycle_id)?);
                events.sort_by_key(|e| (e.at, e.id));
                events
            } else {
                Vec::new()
            };
            let employee = users::get(conn, appraisal.employee_id)?;
            let department = crate::store::departments::get(conn, employee.department_id)?.name;
            let manager = users::active_manager(conn, employee.manager_id)?;
            let mut ids: Vec<i32> = inspections.iter().map(|i| i.inspector_id).collect();
            ids.extend(audit.iter().filter_map(|e| e.actor_id));
            ids.extend(audit.iter().flat_map(audit::people_named));
            Ok(AppraisalPage {
                ranked: appraisals::ranked_in_department(
                    conn,
                    appraisal.cycle_id,
                    appraisal.department_id,
                )?,
                cycle: cycles::get(conn, appraisal.cycle_id)?,
                employee,
                manager,
                appeal: appeals::of_appraisal(conn, id)?,
                names: users::names(conn, &ids)?,
                department,
                departments: if me.role() == Role::Hr {
                    crate::store::departments::all(conn)?
                        .into_iter()
                        .map(|d| (d.id, d.name))
                        .collect()
                } else {
                    HashMap::new()
                },
                appraisal,
                inspections,
                audit,
            })
        })
        .await
    }
}
