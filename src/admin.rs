//! Account set-up outside the HTTP API: the bootstrap HR account and `create-user`.
//! Blocking; runs at start or from the CLI.

use crate::auth::password;
use crate::db::DbConn;
use crate::domain::department::DepartmentKind;
use crate::domain::user::{parse_display_name, Email, Locale, NewPassword, Role};
use crate::error::AppError;
use crate::settings::BootstrapSettings;
use crate::store::departments::{self, Department};
use crate::store::users::{self, NewUser, User};

pub const HR_DEPARTMENT: &str = "Human Resources";

/// The department with this name, created (with `kind`) when there is none.
pub fn ensure_department(
    conn: &mut DbConn,
    name: &str,
    kind: DepartmentKind,
) -> Result<Department, AppError> {
    if let Some(existing) = departments::find_by_name(conn, name)? {
        return Ok(existing);
    }
    match departments::create(conn, None, name, kind) {
        // Another instance starting at the same moment made it first.
        Err(AppError::Duplicate(_)) => {
            departments::find_by_name(conn, name)?.ok_or(AppError::NotFound)
        }
        other => other,
    }
}

/// Creates the configured HR account when no HR account exists and a password is set.
/// Idempotent, also when several instances start together.
pub fn bootstrap_hr(
    conn: &mut DbConn,
    settings: &BootstrapSettings,
) -> Result<Option<User>, AppError> {
    if settings.hr_password.is_empty() || users::hr_exists(conn)? {
        return Ok(None);
    }
    let email = Email::parse(settings.hr_email.trim())
        .map_err(|reason| AppError::validation("bootstrap.hr_email", reason))?;
    let department = ensure_department(conn, HR_DEPARTMENT, DepartmentKind::BackOffice)?;
    let new = NewUser {
        email,
        display_name: "HR Administrator".to_owned(),
        role: Role::Hr,
        department_id: department.id,
        manager_id: None,
        locale: Locale::En,
        password_hash: password::hash(settings.hr_password.expose())?,
    };
    match users::create(conn, None, new) {
        Ok(user) => Ok(Some(user)),
        Err(AppError::Duplicate(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

pub struct CliUser {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub department: String,
    pub department_kind: String,
    pub manager_email: Option<String>,
    pub locale: String,
    pub password: String,
}

/// Validates like the API does and creates the user, creating the department if needed.
pub fn create_user(conn: &mut DbConn, input: CliUser) -> Result<User, AppError> {
    let mut errors = crate::error::FieldErrors::new();
    let email = errors.take("email", Email::parse(input.email.trim()));
    let display_name = errors.take("name", parse_display_name(&input.display_name));
    let role = errors.take("role", Role::parse(&input.role));
    let kind = errors.take(
        "department-kind",
        DepartmentKind::parse(&input.department_kind),
    );
    let locale = errors.take("locale", Locale::parse(&input.locale));
    let password = errors.take("password", NewPassword::parse(&input.password));
    let department_name = errors.take(
        "department",
        crate::domain::department::parse_department_name(&input.department),
    );
    errors.into_result()?;
    let manager_id = match input.manager_email {
        Some(manager) => {
            let manager = Email::parse(&manager)
                .map_err(|reason| AppError::validation("manager-email", reason))?;
            let found = users::find_by_email(conn, manager.as_str())?
                .ok_or_else(|| AppError::validation("manager-email", "no such user"))?;
            Some(found.id)
        }
        None => None,
    };
    let department = ensure_department(
        conn,
        &department_name.expect("checked"),
        kind.expect("checked"),
    )?;
    let new = NewUser {
        email: email.expect("checked"),
        display_name: display_name.expect("checked"),
        role: role.expect("checked"),
        department_id: department.id,
        manager_id,
        locale: locale.expect("checked"),
        password_hash: password::hash(password.expect("checked").expose())?,
    };
    users::create(conn, None, new)
}
