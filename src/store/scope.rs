//! Data scope, in one place: whose employee data a caller may read (DESIGN §1).
//! Staff: themselves. Supervisors: themselves and their direct reports. HR: everyone.
//! Every query that reads employee data filters through here; out-of-scope ids are
//! answered as not found.

use diesel::prelude::*;

use crate::db::schema::users;
use crate::db::DbConn;
use crate::domain::user::Role;
use crate::error::AppError;
use crate::store::users::User;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    /// The supervisor and their direct reports.
    Team(i32),
    Own(i32),
}

impl Scope {
    pub fn of(user: &User) -> Scope {
        match user.role() {
            Role::Hr => Scope::All,
            Role::Supervisor => Scope::Team(user.id),
            Role::Staff => Scope::Own(user.id),
        }
    }

    /// The employee ids in scope, or None for everyone.
    pub fn visible_ids(self, conn: &mut DbConn) -> Result<Option<Vec<i32>>, AppError> {
        match self {
            Scope::All => Ok(None),
            Scope::Own(id) => Ok(Some(vec![id])),
            Scope::Team(manager) => {
                let mut ids: Vec<i32> = users::table
                    .filter(users::manager_id.eq(manager))
                    .select(users::id)
                    .load(conn)?;
                ids.push(manager);
                Ok(Some(ids))
            }
        }
    }

    pub fn can_see(self, conn: &mut DbConn, employee: i32) -> Result<bool, AppError> {
        match self {
            Scope::All => Ok(true),
            Scope::Own(id) => Ok(id == employee),
            Scope::Team(manager) if manager == employee => Ok(true),
            Scope::Team(manager) => Ok(users::table
                .find(employee)
                .select(users::manager_id)
                .first::<Option<i32>>(conn)
                .optional()?
                .flatten()
                == Some(manager)),
        }
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
