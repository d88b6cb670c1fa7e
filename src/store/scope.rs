//! Data scope, in one place: whose employee data a caller may read (docs/PRODUCT.md, roles).
//! Staff: themselves. Supervisors: themselves and their direct reports. HR: everyone.
//!
//! One filter states it, [`in_scope!`], applied in SQL to the employee column of whatever is
//! read (inspections, appraisals, people): lists are filtered by it, and a single id is
//! checked by the same filter ([`Scope::can_see`]). Out-of-scope ids are answered as not
//! found.

use diesel::prelude::*;

use crate::db::schema::users;
use crate::db::DbConn;
use crate::domain::user::Role;
use crate::error::AppError;

diesel::alias!(crate::db::schema::users as team_members: TeamMembers);

/// The people table under another name, for the subquery of a supervisor's team (a query
/// may read `users` itself as well).
pub const TEAM: diesel::query_source::Alias<TeamMembers> = team_members;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    /// The supervisor and their direct reports.
    Team(i32),
    Own(i32),
}

/// Narrows a boxed query to the rows whose `$employee` column is in `$scope`: everyone, one
/// person, or a supervisor and whoever reports to them now (a subquery, so a team of any
/// size is one statement).
#[macro_export]
macro_rules! in_scope {
    ($query:expr, $scope:expr, $employee:expr) => {{
        use $crate::store::scope::Scope;
        match $scope {
            Scope::All => $query,
            Scope::Own(me) => $query.filter($employee.eq(me)),
            Scope::Team(lead) => {
                use $crate::db::schema::users as u;
                let team = $crate::store::scope::TEAM;
                $query.filter(
                    $employee.eq(lead).or($employee.eq_any(
                        team.filter(team.field(u::manager_id).eq(lead))
                            .select(team.field(u::id)),
                    )),
                )
            }
        }
    }};
}

/// Whoever reads: their id and role (a stored person; `store::users` says so for its row,
/// so that this file needs nothing of it and the two do not import each other).
pub trait Viewer {
    fn viewer(&self) -> (i32, Role);
}

impl Scope {
    pub fn of(viewer: &impl Viewer) -> Scope {
        let (id, role) = viewer.viewer();
        match role {
            Role::Hr => Scope::All,
            Role::Supervisor => Scope::Team(id),
            Role::Staff => Scope::Own(id),
        }
    }

    /// Whether `employee` is in scope: the same filter, on the person's row.
    pub fn can_see(self, conn: &mut DbConn, employee: i32) -> Result<bool, AppError> {
        let query = users::table.filter(users::id.eq(employee)).into_boxed();
        let found: i64 = in_scope!(query, self, users::id).count().get_result(conn)?;
        Ok(found > 0)
    }

    /// May the caller record inspections for `employee`? HR for anyone, a supervisor for
    /// direct reports only (not for themselves).
    pub fn can_inspect(self, conn: &mut DbConn, employee: i32) -> Result<bool, AppError> {
        match self {
            Scope::All => Ok(true),
            Scope::Team(manager) if manager != employee => self.can_see(conn, employee),
            _ => Ok(false),
        }
    }
}
