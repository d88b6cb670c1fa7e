//! What the doors render and hand back: the records and filters the use cases return and
//! take. The doors import these from here, never from `store` (the architecture test).

pub use crate::store::appeals::Appeal;
pub use crate::store::appraisals::{Appraisal, ComputeOutcome, DepartmentReport};
pub use crate::store::audit::{changed_fields, AuditEvent, AuditFilter, PERSON_FIELDS};
pub use crate::store::checklists::ChecklistWithItems;
pub use crate::store::complaints::Filter as ComplaintFilter;
pub use crate::store::cycles::Cycle;
pub use crate::store::departments::Department;
pub use crate::store::evidence::{EmployeeEvidence, ImportOutcome};
pub use crate::store::inspections::{InspectionDetail, InspectionFilter};
pub use crate::store::notices::{Kind as NoticeKind, Notice, NoticeFilter, NoticeStatus};
pub use crate::store::users::{User, UserFilter};
pub use crate::store::{Page, Paged};
