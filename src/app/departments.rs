//! Departments: created and renamed by HR; names are unique.

use serde::Deserialize;
use utoipa::ToSchema;

use super::App;
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::department::{parse_department_name, DepartmentKind, DEPARTMENT_NAME_MAX};
use crate::domain::text::name_schema;
use crate::error::{AppError, FieldErrors};
use crate::store::departments::{self, Department, DepartmentChanges};

/// The department the bootstrap HR account is made in.
pub const HR_DEPARTMENT: &str = "Human Resources";

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    #[schema(schema_with = name_schema::<DEPARTMENT_NAME_MAX, false>)]
    pub name: String,
    #[schema(value_type = DepartmentKind)]
    pub kind: String,
}

/// Absent or null fields stay as they are.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentPatch {
    #[schema(schema_with = name_schema::<DEPARTMENT_NAME_MAX, true>)]
    pub name: Option<String>,
    #[schema(value_type = Option<DepartmentKind>)]
    pub kind: Option<String>,
}

impl App {
    pub async fn create_department(
        &self,
        caller: &Caller,
        input: NewDepartment,
    ) -> Result<Department, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        let mut errors = FieldErrors::new();
        let name = errors.take("name", parse_department_name(&input.name));
        let kind = errors.take("kind", DepartmentKind::parse(&input.kind));
        errors.into_result()?;
        let (name, kind) = (name.expect("parsed"), kind.expect("parsed"));
        self.write(caller, move |tx, me| {
            departments::create(tx, Some(me.id), &name, kind)
        })
        .await
    }

    pub async fn change_department(
        &self,
        caller: &Caller,
        id: i32,
        input: DepartmentPatch,
    ) -> Result<Department, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        let mut errors = FieldErrors::new();
        let changes = DepartmentChanges {
            name: input
                .name
                .as_deref()
                .and_then(|n| errors.take("name", parse_department_name(n))),
            kind: input
                .kind
                .as_deref()
                .and_then(|k| errors.take("kind", DepartmentKind::parse(k))),
        };
        errors.into_result()?;
        self.write(caller, move |tx, me| {
            departments::update(tx, me.id, id, &changes)
        })
        .await
    }
}

/// The department with this name, created (with `kind`) when there is none.
pub fn ensure(tx: &mut DbConn, name: &str, kind: DepartmentKind) -> Result<Department, AppError> {
    if let Some(existing) = departments::find_by_name(tx, name)? {
        return Ok(existing);
    }
    departments::create(tx, None, name, kind)
}
