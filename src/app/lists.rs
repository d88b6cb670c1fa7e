//! The plain reads: lists and single records, for the API and the pages. Each states who may
//! call it (`only`) and whose data it returns (the store's scoped reads take the caller);
//! the route table and the page extractors refuse early too, and `tests/api/matrix.rs`
//! checks that the two agree.

use std::collections::HashMap;

use super::App;
use crate::auth::Caller;
use crate::domain::appraisal::AppealState;
use crate::domain::cycle::{CycleState, Period};
use crate::domain::scheme::Scheme;
use crate::domain::user::Role::{Hr, Supervisor};
use crate::error::AppError;
use crate::store::appeals::{self, Appeal};
use crate::store::appraisals::{self, Appraisal};
use crate::store::audit::{self, AuditEvent, AuditFilter};
use crate::store::checklists::{self, ChecklistWithItems};
use crate::store::cycles::{self, Cycle};
use crate::store::departments::{self, Department};
use crate::store::evidence::{self, EmployeeEvidence};
use crate::store::inspections::{self, InspectionDetail, InspectionFilter};
use crate::store::notices::{self, Notice, NoticeFilter};
use crate::store::users::{self, User, UserFilter};
use crate::store::{Page, Paged};

/// HR's people page: the page of people, every department, and who may be a supervisor.
pub struct PeoplePage {
    pub people: Paged<User>,
    pub departments: Vec<Department>,
    pub supervisors: Vec<User>,
}

/// One person's form: the person, every department, who may be their supervisor.
pub struct PersonPage {
    pub person: User,
    pub departments: Vec<Department>,
    pub supervisors: Vec<User>,
}

/// The inspection form for one employee in one cycle.
pub struct InspectionForm {
    pub cycle: Cycle,
    pub employee: User,
    pub checklists: Vec<ChecklistWithItems>,
}

/// A page of HR's outbox, with the recipients' names.
pub struct Outbox {
    pub notices: Paged<Notice>,
    pub names: HashMap<i32, String>,
}

impl App {
    /// Appeals (HR).
    pub async fn appeals(
        &self,
        caller: &Caller,
        state: Option<AppealState>,
        page: Page,
    ) -> Result<Paged<Appeal>, AppError> {
        super::allowed(caller, &[Hr])?;
        self.read(caller, move |conn, _| appeals::list(conn, state, page))
            .await
    }

    /// A cycle's appraisals: a supervisor's reports', or any (HR).
    pub async fn cycle_appraisals(
        &self,
        caller: &Caller,
        cycle: i32,
        department: Option<i32>,
    ) -> Result<Vec<Appraisal>, AppError> {
        super::allowed(caller, &[Supervisor, Hr])?;
        self.read(caller, move |conn, me| {
            cycles::get(conn, cycle)?;
            appraisals::list_for_cycle(conn, me, cycle, department)
        })
        .await
    }

    /// One appraisal, for whoever may see it (404 for anyone else).
    pub async fn appraisal(&self, caller: &Caller, id: i32) -> Result<Appraisal, AppError> {
        self.read(caller, move |conn, me| appraisals::get_for(conn, me, id))
            .await
    }

    /// The audit trail (HR).
    pub async fn audit_events(
        &self,
        caller: &Caller,
        filter: AuditFilter,
        page: Page,
    ) -> Result<Paged<AuditEvent>, AppError> {
        super::allowed(caller, &[Hr])?;
        self.read(caller, move |conn, _| audit::list(conn, &filter, page))
            .await
    }

    /// The checklists (anyone: staff see what they are inspected on).
    pub async fn checklists(
        &self,
        caller: &Caller,
        all_versions: bool,
        page: Page,
    ) -> Result<Paged<ChecklistWithItems>, AppError> {
        self.read(caller, move |conn, _| {
            checklists::list(conn, all_versions, page)
        })
        .await
    }

    /// The checklists in use now, one version of each (anyone).
    pub async fn current_checklists(
        &self,
        caller: &Caller,
    ) -> Result<Vec<ChecklistWithItems>, AppError> {
        self.read(caller, move |conn, _| checklists::current(conn))
            .await
    }

    /// One checklist version (anyone).
    pub async fn checklist(
        &self,
        caller: &Caller,
        id: i32,
    ) -> Result<ChecklistWithItems, AppError> {
        self.read(caller, move |conn, _| checklists::get(conn, id))
            .await
    }

    /// One checklist version and whether an inspection used it (HR's edit page).
    pub async fn checklist_for_editing(
        &self,
        caller: &Caller,
        id: i32,
    ) -> Result<(ChecklistWithItems, bool), AppError> {
        super::allowed(caller, &[Hr])?;
        self.read(caller, move |conn, _| {
            Ok((checklists::get(conn, id)?, checklists::used(conn, id)?))
        })
        .await
    }

    /// Cycles (anyone).
    pub async fn cycles(
        &self,
        caller: &Caller,
        state: Option<CycleState>,
        page: Page,
    ) -> Result<Paged<Cycle>, AppError> {
        self.read(caller, move |conn, _| cycles::list(conn, state, page))
            .await
    }

    /// One cycle (anyone).
    pub async fn cycle(&self, caller: &Caller, id: i32) -> Result<Cycle, AppError> {
        self.read(caller, move |conn, _| cycles::get(conn, id))
            .await
    }

    /// The dates a cycle counts evidence of (anyone).
    pub async fn cycle_period(&self, caller: &Caller, id: i32) -> Result<Period, AppError> {
        self.read(caller, move |conn, _| crate::store::period_of(conn, id))
            .await
    }

    /// A cycle's scheme, None until one is set (HR).
    pub async fn scheme(&self, caller: &Caller, id: i32) -> Result<Option<Scheme>, AppError> {
        super::allowed(caller, &[Hr])?;
        self.read(caller, move |conn, _| cycles::get(conn, id)?.scheme())
            .await
    }

    /// What was entered for a cycle, per employee (HR).
    pub async fn evidence_summary(
        &self,
        caller: &Caller,
        cycle: i32,
        employee: Option<i32>,
    ) -> Result<Vec<EmployeeEvidence>, AppError> {
        super::allowed(caller, &[Hr])?;
        self.read(caller, move |conn, _| {
            cycles::get(conn, cycle)?;
            evidence::summary(conn, cycle, employee)
        })
        .await
    }

    /// Departments (anyone).
    pub async fn departments(
        &self,
        caller: &Caller,
        page: Page,
    ) -> Result<Paged<Department>, AppError> {
        self.read(caller, move |conn, _| departments::list(conn, page))
            .await
    }

    /// Every department (anyone).
    pub async fn all_departments(&self, caller: &Caller) -> Result<Vec<Department>, AppError> {
        self.read(caller, move |conn, _| departments::all(conn))
            .await
    }

    /// One department (anyone).
    pub async fn department(&self, caller: &Caller, id: i32) -> Result<Department, AppError> {
        self.read(caller, move |conn, _| departments::get(conn, id))
            .await
    }

    /// Inspections: one's own (staff), one's reports' (supervisors), any (HR).
    pub async fn inspections(
        &self,
        caller: &Caller,
        filter: InspectionFilter,
        page: Page,
    ) -> Result<Paged<InspectionDetail>, AppError> {
        self.read(caller, move |conn, me| {
            inspections::list(conn, me, filter, page)
        })
        .await
    }

    /// One inspection with its employee's and inspector's names, for whoever may see the
    /// employee's data (404 for anyone else).
    pub async fn inspection(
        &self,
        caller: &Caller,
        id: i32,
    ) -> Result<(InspectionDetail, HashMap<i32, String>), AppError> {
        self.read(caller, move |conn, me| {
            let detail = inspections::get_for(conn, me, id)?;
            let names = users::names(conn, &[detail.inspector_id, detail.employee_id])?;
            Ok((detail, names))
        })
        .await
    }

    /// The inspection form: HR for anyone, a supervisor for their direct reports (the rule
    /// of recording one); 404 for anyone else.
    pub async fn inspection_form(
        &self,
        caller: &Caller,
        cycle: i32,
        employee: i32,
    ) -> Result<InspectionForm, AppError> {
        super::allowed(caller, &[Supervisor, Hr])?;
        self.read(caller, move |conn, me| {
            if !crate::store::scope::Scope::of(me).can_inspect(conn, employee)? {
                return Err(AppError::NotFound);
            }
            Ok(InspectionForm {
                cycle: cycles::get(conn, cycle)?,
                employee: users::get(conn, employee)?,
                checklists: checklists::current(conn)?,
            })
        })
        .await
    }

    /// The outbox (HR).
    pub async fn notices(
        &self,
        caller: &Caller,
        filter: NoticeFilter,
        page: Page,
    ) -> Result<Paged<Notice>, AppError> {
        super::allowed(caller, &[Hr])?;
        self.read(caller, move |conn, _| notices::list(conn, &filter, page))
            .await
    }

    /// The outbox with its recipients' names (HR's page).
    pub async fn outbox(
        &self,
        caller: &Caller,
        filter: NoticeFilter,
        page: Page,
    ) -> Result<Outbox, AppError> {
        super::allowed(caller, &[Hr])?;
        self.read(caller, move |conn, _| {
            let notices = notices::list(conn, &filter, page)?;
            let ids: Vec<i32> = notices.items.iter().map(|n| n.recipient_id).collect();
            let names = users::names(conn, &ids)?;
            Ok(Outbox { notices, names })
        })
        .await
    }

    /// People (HR).
    pub async fn people(
        &self,
        caller: &Caller,
        filter: UserFilter,
        page: Page,
    ) -> Result<Paged<User>, AppError> {
        super::allowed(caller, &[Hr])?;
        self.read(caller, move |conn, _| users::list(conn, filter, page))
            .await
    }

    /// One person (HR).
    pub async fn person(&self, caller: &Caller, id: i32) -> Result<User, AppError> {
        super::allowed(caller, &[Hr])?;
        self.read(caller, move |conn, _| users::get(conn, id)).await
    }

    /// HR's people page.
    pub async fn people_page(
        &self,
        caller: &Caller,
        filter: UserFilter,
        page: Page,
    ) -> Result<PeoplePage, AppError> {
        super::allowed(caller, &[Hr])?;
        self.read(caller, move |conn, _| {
            Ok(PeoplePage {
                people: users::list(conn, filter, page)?,
                departments: departments::all(conn)?,
                supervisors: users::active_supervisors(conn)?,
            })
        })
        .await
    }

    /// One person's form (HR).
    pub async fn person_page(&self, caller: &Caller, id: i32) -> Result<PersonPage, AppError> {
        super::allowed(caller, &[Hr])?;
        self.read(caller, move |conn, _| {
            Ok(PersonPage {
                person: users::get(conn, id)?,
                departments: departments::all(conn)?,
                supervisors: users::active_supervisors(conn)?,
            })
        })
        .await
    }

    /// The caller's own account (anyone).
    pub async fn me(&self, caller: &Caller) -> Result<User, AppError> {
        self.read(caller, |_, me| Ok(me.clone())).await
    }

    /// The caller's own published appraisals (anyone).
    pub async fn my_appraisals(&self, caller: &Caller) -> Result<Vec<Appraisal>, AppError> {
        self.read(caller, appraisals::mine).await
    }

    /// Ready to serve: the database answers, every migration is applied, and its storage
    /// took the last writes (503 otherwise; no caller, the probe is open).
    pub async fn ready(&self) -> Result<(), AppError> {
        if let Some(problem) = self.db.storage_problem() {
            return Err(AppError::Unavailable(problem));
        }
        let complete = self
            .db
            .run(|conn| {
                use diesel::RunQueryDsl;
                diesel::sql_query("SELECT 1")
                    .execute(conn)
                    .map_err(|e| AppError::Unavailable(format!("database: {e}")))?;
                crate::db::migrations_complete(conn)
                    .map_err(|e| AppError::Unavailable(e.to_string()))
            })
            .await?;
        if complete {
            Ok(())
        } else {
            Err(AppError::Unavailable("migrations pending".into()))
        }
    }
}
