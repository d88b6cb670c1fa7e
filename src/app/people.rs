//! People: creating a person (the API, the people page and `appraisal create-user` all call
//! [`create_person`]), changing one, and one's own password. The rules: an email is
//! unique; a manager is an active supervisor, never oneself, never a loop; a supervisor who
//! still manages people keeps the role; the last active HR account stays; HR cannot take
//! over or lock out its own account through the people functions.

use serde::Deserialize;
use utoipa::ToSchema;

use super::{Actor, App};
use crate::auth::{password, Caller};
use crate::db::{write_tx, DbConn};
use crate::domain::problem::Problem;
use crate::domain::text::name_schema;
use crate::domain::user::{
    creates_management_cycle, email_or_empty_schema, new_password_schema_or_null,
    parse_display_name, parse_employee_number, Email, Locale, NewPassword, Role, DISPLAY_NAME_MAX,
};
use crate::error::{AppError, FieldErrors};
use crate::store::users::{self, NewUser, Stored, User};
use crate::store::{cycles, departments};

/// A new person, as the API's body, the people page's form and the CLI give it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    /// Absent, null or empty for someone without email: they sign in with their
    /// `employee_number` (then required) and a set-up code from HR.
    #[serde(default)]
    #[schema(schema_with = email_or_empty_schema)]
    pub email: Option<String>,
    #[schema(schema_with = name_schema::<DISPLAY_NAME_MAX, false>)]
    pub display_name: String,
    #[schema(value_type = Role)]
    pub role: String,
    #[schema(minimum = 1)]
    pub department_id: i32,
    /// The person's supervisor (an active supervisor).
    #[serde(default)]
    #[schema(minimum = 1)]
    pub manager_id: Option<i32>,
    /// `en` when absent or null.
    #[serde(default)]
    #[schema(value_type = Option<Locale>)]
    pub locale: Option<String>,
    /// Absent, null or empty: the person gets a mailed link to set one (valid a week), or,
    /// without email, HR gives them a set-up code.
    #[serde(default)]
    #[schema(schema_with = new_password_schema_or_null)]
    pub password: Option<String>,
    /// The number HR's spreadsheets key the person by (工号); unique.
    #[serde(default)]
    #[schema(max_length = 32, pattern = r"^[A-Za-z0-9._/-]+$")]
    pub employee_number: Option<String>,
}

/// A new person, parsed.
pub struct Person {
    pub email: Option<Email>,
    pub display_name: String,
    pub role: Role,
    pub department_id: i32,
    pub manager_id: Option<i32>,
    pub locale: Locale,
    /// None: the person sets one through a mailed link.
    pub password: Option<NewPassword>,
    pub employee_number: Option<String>,
}

impl NewPerson {
    /// Every field's problem, or the person (`default_locale` when none is given).
    pub fn parse(&self, default_locale: Locale) -> Result<Person, AppError> {
        let mut errors = FieldErrors::new();
        let email = match self.email.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(email) => errors.take("email", Email::parse(email)).map(Some),
        };
        let display_name = errors.take("display_name", parse_display_name(&self.display_name));
        let role = errors.take("role", Role::parse(&self.role));
        let locale = match &self.locale {
            Some(locale) => errors.take("locale", Locale::parse(locale)),
            None => Some(default_locale),
        };
        let password = match self.password.as_deref() {
            None | Some("") => Some(None),
            Some(p) => errors.take("password", NewPassword::parse(p)).map(Some),
        };
        let employee_number = match self.employee_number.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(number) => errors.take("employee_number", parse_employee_number(number)),
        };
        if email == Some(None) && employee_number.is_none() && errors.is_empty() {
            errors.add("employee_number", Problem::NoWayToSignIn);
        }
        match (email, display_name, role, locale, password) {
            (Some(email), Some(display_name), Some(role), Some(locale), Some(password))
                if errors.is_empty() =>
            {
                Ok(Person {
                    email,
                    display_name,
                    role,
                    department_id: self.department_id,
                    manager_id: self.manager_id,
                    locale,
                    password,
                    employee_number,
                })
            }
            _ => Err(AppError::Validation(errors)),
        }
    }
}

impl App {
    /// HR creates a person. The password is hashed on the password threads, before the
    /// transaction (a retried transaction does not hash again).
    pub async fn create_person(&self, caller: &Caller, input: NewPerson) -> Result<User, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        let person = input.parse(self.default_locale)?;
        let hash = match &person.password {
            Some(new) => {
                let secret = new.expose().to_owned();
                self.passwords
                    .run(move || password::hash(&secret))
                    .await??
            }
            None => password::NO_PASSWORD.to_owned(),
        };
        self.write(caller, move |tx, me| {
            create_person(tx, Actor::Person(me), &person, &hash)
        })
        .await
    }
}

/// Creates a person whose password is already hashed (in the caller's transaction); one
/// without a password is mailed a link to set it.
pub fn create_person(
    tx: &mut DbConn,
    actor: Actor,
    person: &Person,
    password_hash: &str,
) -> Result<User, AppError> {
    check_references(tx, None, Some(person.department_id), person.manager_id)?;
    let created = users::insert(
        tx,
        actor.id(),
        &NewUser {
            email: person.email.clone(),
            display_name: person.display_name.clone(),
            role: person.role,
            department_id: person.department_id,
            manager_id: person.manager_id,
            locale: person.locale,
            password_hash: password_hash.to_owned(),
            employee_number: person.employee_number.clone(),
        },
    )?;
    // Someone without email gets a set-up code from HR instead (`App::setup_code`).
    if password_hash == password::NO_PASSWORD && created.email.is_some() {
        super::passwords::send_setup_link(tx, created.id)?;
    }
    Ok(created)
}

/// Why `manager` cannot manage `user` (None for a new person), by the one rule
/// (`domain::user::manager_problem`) with the candidate and the line above them read.
fn manager_problem(
    tx: &mut DbConn,
    user: Option<i32>,
    manager: i32,
) -> Result<Option<Problem>, AppError> {
    let standing = users::standing(tx, manager)?;
    let mut failure = None;
    let looped = standing.is_some()
        && user.is_some_and(|user| {
            creates_management_cycle(user, manager, |person| {
                users::standing(tx, person)
                    .unwrap_or_else(|e| {
                        failure.get_or_insert(e);
                        None
                    })
                    .and_then(|(_, _, manager)| manager)
            })
        });
    if let Some(error) = failure {
        return Err(error);
    }
    Ok(crate::domain::user::manager_problem(
        user == Some(manager),
        standing.map(|(role, active, _)| (role, active)),
        looped,
    ))
}

fn check_references(
    tx: &mut DbConn,
    user: Option<i32>,
    department_id: Option<i32>,
    manager_id: Option<i32>,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    if let Some(department) = department_id {
        if !departments::exists(tx, department)? {
            errors.add("department_id", Problem::NoSuchDepartment);
        }
    }
    if let Some(manager) = manager_id {
        if let Some(problem) = manager_problem(tx, user, manager)? {
            errors.add("manager_id", problem);
        }
    }
    errors.into_result()
}

/// Changes to a person: absent or null fields stay as they are, except `manager_id`, where
/// null removes the supervisor. A role change, a deactivation or a new password revokes
/// the person's tokens.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonChanges {
    /// Empty removes it (the person then signs in with their employee number).
    #[schema(schema_with = email_or_empty_schema)]
    pub email: Option<String>,
    #[schema(schema_with = name_schema::<DISPLAY_NAME_MAX, true>)]
    pub display_name: Option<String>,
    #[schema(value_type = Option<Role>)]
    pub role: Option<String>,
    #[schema(minimum = 1)]
    pub department_id: Option<i32>,
    #[serde(default, deserialize_with = "crate::domain::text::double_option")]
    #[schema(value_type = Option<i32>, minimum = 1)]
    pub manager_id: Option<Option<i32>>,
    #[schema(value_type = Option<Locale>)]
    pub locale: Option<String>,
    #[schema(schema_with = new_password_schema_or_null)]
    pub password: Option<String>,
    pub active: Option<bool>,
    /// Null (or empty) removes it.
    #[serde(default, deserialize_with = "crate::domain::text::double_option")]
    #[schema(value_type = Option<String>, max_length = 32, pattern = r"^[A-Za-z0-9._/-]*$")]
    pub employee_number: Option<Option<String>>,
}

/// The changes, parsed.
#[derive(Default)]
pub struct Changes {
    /// `Some(None)`: the email is removed.
    pub email: Option<Option<Email>>,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub department_id: Option<i32>,
    pub manager_id: Option<Option<i32>>,
    pub locale: Option<Locale>,
    pub password: Option<NewPassword>,
    pub active: Option<bool>,
    pub employee_number: Option<Option<String>>,
}

impl PersonChanges {
    pub fn parse(&self) -> Result<Changes, AppError> {
        let mut errors = FieldErrors::new();
        let changes = Changes {
            email: match self.email.as_deref().map(str::trim) {
                None => None,
                Some("") => Some(None),
                Some(e) => errors.take("email", Email::parse(e)).map(Some),
            },
            display_name: self
                .display_name
                .as_deref()
                .and_then(|n| errors.take("display_name", parse_display_name(n))),
            role: self
                .role
                .as_deref()
                .and_then(|r| errors.take("role", Role::parse(r))),
            department_id: self.department_id,
            manager_id: self.manager_id,
            locale: self
                .locale
                .as_deref()
                .and_then(|l| errors.take("locale", Locale::parse(l))),
            password: self
                .password
                .as_deref()
                .and_then(|p| errors.take("password", NewPassword::parse(p))),
            active: self.active,
            employee_number: match &self.employee_number {
                None => None,
                Some(None) => Some(None),
                Some(Some(n)) if n.trim().is_empty() => Some(None),
                Some(Some(n)) => errors
                    .take("employee_number", parse_employee_number(n))
                    .map(Some),
            },
        };
        errors.into_result()?;
        Ok(changes)
    }
}

impl App {
    /// HR changes a person (the API's `PATCH /users/{id}` and the people page). A stolen HR
    /// session must not be enough to take over or lock out its own account: HR changes its
    /// own password on the password page, and another HR account changes its role or
    /// deactivates it.
    pub async fn change_person(
        &self,
        caller: &Caller,
        id: i32,
        input: PersonChanges,
    ) -> Result<User, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        let changes = input.parse()?;
        if caller.id == id
            && (changes.password.is_some()
                || changes.role.is_some_and(|r| r != Role::Hr)
                || changes.active == Some(false))
        {
            return Err(AppError::Conflict(Problem::OwnAccount));
        }
        let hash = match &changes.password {
            Some(new) => {
                let secret = new.expose().to_owned();
                Some(
                    self.passwords
                        .run(move || password::hash(&secret))
                        .await??,
                )
            }
            None => None,
        };
        self.write(caller, move |tx, me| {
            change_person(tx, me.id, id, &changes, hash.as_deref())
        })
        .await
    }
}

/// Applies `changes` to person `id` in the caller's transaction. Nothing to change: nothing
/// written.
pub fn change_person(
    tx: &mut DbConn,
    actor: i32,
    id: i32,
    changes: &Changes,
    password_hash: Option<&str>,
) -> Result<User, AppError> {
    let before = users::get(tx, id)?;
    check_references(
        tx,
        Some(id),
        changes.department_id,
        changes.manager_id.flatten(),
    )?;
    let after = Stored {
        email: changes
            .email
            .clone()
            .map_or(before.email.clone(), |e| e.map(Email::into_string)),
        display_name: changes
            .display_name
            .clone()
            .unwrap_or_else(|| before.display_name.clone()),
        role: changes.role.unwrap_or(before.role),
        department_id: changes.department_id.unwrap_or(before.department_id),
        manager_id: changes.manager_id.unwrap_or(before.manager_id),
        locale: changes.locale.unwrap_or(before.locale),
        active: changes.active.unwrap_or(before.active),
        employee_number: changes
            .employee_number
            .clone()
            .unwrap_or_else(|| before.employee_number.clone()),
    };
    if before.role == Role::Supervisor && after.role != Role::Supervisor {
        let reports = users::count_reports(tx, id)?;
        if reports > 0 {
            return Err(AppError::Conflict(Problem::ManagesPeople {
                count: reports,
            }));
        }
    }
    if before.email.is_some()
        && after.email.is_none()
        && users::password_hash(tx, id)? != password::NO_PASSWORD
    {
        return Err(AppError::Conflict(Problem::EmailStays));
    }
    if after.email.is_none() && after.employee_number.is_none() {
        let field = if changes.email == Some(None) {
            "email"
        } else {
            "employee_number"
        };
        return Err(AppError::validation(field, Problem::NoWayToSignIn));
    }
    let loses_hr =
        before.active && before.role == Role::Hr && (after.role != Role::Hr || !after.active);
    if loses_hr && users::other_active_hr(tx, id)? == 0 {
        return Err(AppError::Conflict(Problem::LastActiveHr));
    }
    let current = Stored::of(&before);
    let unchanged = after.email == current.email
        && after.display_name == current.display_name
        && after.role == current.role
        && after.department_id == current.department_id
        && after.manager_id == current.manager_id
        && after.locale == current.locale
        && after.active == current.active
        && after.employee_number == current.employee_number
        && password_hash.is_none();
    if unchanged {
        return Ok(before);
    }
    if after.role != before.role
        || after.active != before.active
        || after.department_id != before.department_id
    {
        // Who is appraised, and in which department, is part of what a cycle in review
        // computed its appraisals from.
        cycles::people_changed(tx)?;
    }
    if after.email != before.email {
        // A link mailed to the old address must not open the account.
        crate::store::password_tokens::expire_all(tx, id)?;
    }
    let revoke =
        after.role != before.role || after.active != before.active || password_hash.is_some();
    users::update(tx, actor, &before, &after, password_hash, revoke)
}

impl App {
    /// The caller changes their own password: the current one is checked (and counts
    /// towards the lockout like a sign-in), the new one replaces it only while the one
    /// checked is still the stored one, and every older token ends. Answers the account.
    pub async fn change_own_password(
        &self,
        caller: &Caller,
        current_password: String,
        new_password: String,
    ) -> Result<User, AppError> {
        let mut errors = FieldErrors::new();
        if current_password.chars().count() > crate::domain::user::PASSWORD_MAX {
            errors.add(
                "current_password",
                Problem::TooLong {
                    max: crate::domain::user::PASSWORD_MAX,
                },
            );
        }
        let new = errors.take("new_password", NewPassword::parse(&new_password));
        if new.as_ref().is_some_and(|p| p.expose() == current_password) {
            errors.add("new_password", Problem::PasswordUnchanged);
        }
        errors.into_result()?;
        let new = new.expect("parsed when there were no problems");
        let admission = self.passwords.admit()?;
        let policy = self.lockout;
        let (id, caller_checked) = (caller.id, caller.clone());
        let (me, stored) = self
            .db
            .run(move |conn| {
                write_tx(conn, |tx| {
                    let me = caller_checked.account(tx)?;
                    crate::store::throttle::begin_attempt(tx, &throttle_key(&me), policy)?;
                    Ok((me.clone(), users::password_hash(tx, id)?))
                })
            })
            .await?;
        let checked = stored.clone();
        let new_hash = admission
            .run(move || {
                if !password::verify(&current_password, &checked) {
                    return Ok(None);
                }
                password::hash(new.expose()).map(Some)
            })
            .await??;
        let Some(new_hash) = new_hash else {
            return Err(AppError::validation(
                "current_password",
                Problem::PasswordWrong,
            ));
        };
        let key = throttle_key(&me);
        self.write(caller, move |tx, _| {
            crate::store::throttle::clear(tx, &key)?;
            if users::password_hash(tx, id)? != stored {
                return Err(AppError::Conflict(Problem::PasswordChangedMeanwhile));
            }
            let changes = Changes::default();
            change_person(tx, id, id, &changes, Some(&new_hash))
        })
        .await
    }
}

/// The name a person signs in with, as their failed attempts are counted: their email, else
/// their employee number (`app::sign_in`).
fn throttle_key(user: &User) -> String {
    user.email
        .clone()
        .or_else(|| user.employee_number.clone())
        .unwrap_or_default()
}

/// A person from the command line: the department by name (made when there is none, of
/// `department_kind`), the manager by email.
pub struct CliPerson {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub department: String,
    pub department_kind: String,
    pub manager_email: Option<String>,
    pub locale: String,
    pub password: String,
    pub employee_number: Option<String>,
}

/// `appraisal create-user`: the same rules as the API's and the page's, through
/// [`create_person`]. Blocking.
pub fn create_from_cli(conn: &mut DbConn, input: CliPerson) -> Result<User, AppError> {
    use crate::domain::department::{parse_department_name, DepartmentKind};
    let mut errors = FieldErrors::new();
    let kind = errors.take(
        "department-kind",
        DepartmentKind::parse(&input.department_kind),
    );
    let department = errors.take("department", parse_department_name(&input.department));
    let manager = match &input.manager_email {
        Some(email) => errors.take("manager-email", Email::parse(email.trim())),
        None => None,
    };
    errors.into_result()?;
    let (kind, department) = (kind.expect("parsed"), department.expect("parsed"));
    write_tx(conn, |tx| {
        let department = super::departments::ensure(tx, &department, kind)?;
        let manager_id = match &manager {
            Some(email) => Some(
                users::find_by_email(tx, email.as_str())?
                    .ok_or_else(|| AppError::validation("manager-email", Problem::NoSuchUser))?
                    .id,
            ),
            None => None,
        };
        let raw = NewPerson {
            email: Some(input.email.trim().to_owned()),
            display_name: input.display_name.clone(),
            role: input.role.clone(),
            department_id: department.id,
            manager_id,
            locale: Some(input.locale.clone()),
            password: Some(input.password.clone()),
            employee_number: input.employee_number.clone(),
        };
        let person = raw
            .parse(Locale::En)
            .map_err(|e| rename(e, &[("display_name", "name")]))?;
        let hash = match &person.password {
            Some(new) => password::hash(new.expose())?,
            None => password::NO_PASSWORD.to_owned(),
        };
        create_person(tx, Actor::System, &person, &hash)
    })
}

/// The CLI names some fields by its own flags.
fn rename(error: AppError, names: &[(&str, &str)]) -> AppError {
    match error {
        AppError::Validation(errors) => {
            let mut renamed = FieldErrors::new();
            for e in errors.iter() {
                let field = names
                    .iter()
                    .find(|(from, _)| *from == e.field)
                    .map_or(e.field.clone(), |(_, to)| (*to).to_owned());
                renamed.add(field, e.problem.clone());
            }
            AppError::Validation(renamed)
        }
        other => other,
    }
}

/// Creates the configured HR account when no HR account exists and a password is set.
/// Idempotent, also when several instances start together.
pub fn bootstrap_hr(
    conn: &mut DbConn,
    settings: &crate::settings::BootstrapSettings,
) -> Result<Option<User>, AppError> {
    use crate::domain::department::DepartmentKind;
    if settings.hr_password.is_empty() || users::hr_exists(conn)? {
        return Ok(None);
    }
    let email = Email::parse(settings.hr_email.trim())
        .map_err(|problem| AppError::validation("bootstrap.hr_email", problem))?;
    let hash = password::hash(settings.hr_password.expose())?;
    write_tx(conn, |tx| {
        if users::hr_exists(tx)? {
            return Ok(None);
        }
        let department = super::departments::ensure(
            tx,
            super::departments::HR_DEPARTMENT,
            DepartmentKind::BackOffice,
        )?;
        let new = NewUser {
            email: Some(email.clone()),
            display_name: "HR Administrator".to_owned(),
            role: Role::Hr,
            department_id: department.id,
            manager_id: None,
            locale: Locale::En,
            password_hash: hash.clone(),
            employee_number: None,
        };
        users::insert(tx, None, &new).map(Some)
    })
}

impl App {
    /// The caller chooses the language of their pages and mails (the language switch, while
    /// signed in); kept on the account, audited as a change of the person.
    pub async fn choose_language(&self, caller: &Caller, locale: Locale) -> Result<(), AppError> {
        self.write(caller, move |tx, me| {
            if me.locale == locale {
                return Ok(());
            }
            let mut after = Stored::of(me);
            after.locale = locale;
            users::update(tx, me.id, me, &after, None, false)?;
            Ok(())
        })
        .await
    }
}
