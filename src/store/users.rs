use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::audit::{self, Change, Entity};
use super::{departments, now, Page, Paged};
use crate::db::schema::users;
use crate::db::{on_backend, write_tx, DbConn};
use crate::domain::user::{creates_management_cycle, Email, Locale, Role};
use crate::error::{AppError, FieldErrors};

/// A user as the rest of the program sees one. The password hash is deliberately not
/// part of it (see [`find_for_login`]), so it cannot end up in a response or an audit row.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct User {
    pub id: i32,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub department_id: i32,
    pub manager_id: Option<i32>,
    pub locale: String,
    pub active: bool,
    #[serde(skip)]
    pub token_version: i32,
    #[serde(serialize_with = "super::as_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::as_utc")]
    pub updated_at: NaiveDateTime,
}

impl User {
    /// The column has a CHECK constraint; should it ever hold something else, the least
    /// privileged role is the safe reading.
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Staff)
    }
}

type Columns = (
    users::id,
    users::email,
    users::display_name,
    users::role,
    users::department_id,
    users::manager_id,
    users::locale,
    users::active,
    users::token_version,
    users::created_at,
    users::updated_at,
);

const COLUMNS: Columns = (
    users::id,
    users::email,
    users::display_name,
    users::role,
    users::department_id,
    users::manager_id,
    users::locale,
    users::active,
    users::token_version,
    users::created_at,
    users::updated_at,
);

/// The audit picture of a user: the public fields, plus a marker when the password changed.
#[derive(Serialize)]
struct Audited<'a> {
    #[serde(flatten)]
    user: &'a User,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<&'static str>,
}

fn email_taken(email: &str) -> impl FnOnce() -> String + '_ {
    move || format!("a user with email {email} already exists")
}

/// Every authenticated request reads its caller here: on the concrete connection, so the
/// prepared statement is reused.
pub fn get(conn: &mut DbConn, id: i32) -> Result<User, AppError> {
    let query = users::table.find(id).select(COLUMNS);
    Ok(on_backend!(conn, c => query.first(c))?)
}

/// The active people who report directly to `manager` now, by name.
pub fn direct_reports(conn: &mut DbConn, manager: i32) -> Result<Vec<User>, AppError> {
    Ok(users::table
        .filter(users::manager_id.eq(manager))
        .filter(users::active.eq(true))
        .select(COLUMNS)
        .order((users::display_name, users::id))
        .load(conn)?)
}

/// The people of `department` whom `rater` may rate for collaboration: active staff and
/// supervisors of another department than the rater's (the rules are `collaboration::rate`'s).
pub fn rateable_in(
    conn: &mut DbConn,
    rater: &User,
    department: i32,
) -> Result<Vec<User>, AppError> {
    if department == rater.department_id {
        return Ok(Vec::new());
    }
    Ok(users::table
        .filter(users::department_id.eq(department))
        .filter(users::active.eq(true))
        .filter(users::role.ne(Role::Hr.as_str()))
        .select(COLUMNS)
        .order((users::display_name, users::id))
        .load(conn)?)
}

/// Display names by id (for labelling lists; callers decide what may be shown).
pub fn names(
    conn: &mut DbConn,
    ids: &[i32],
) -> Result<std::collections::HashMap<i32, String>, AppError> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect())
}

/// Those of `ids` who are active and report directly to `manager` now.
pub fn direct_reports_among(
    conn: &mut DbConn,
    manager: i32,
    ids: &[i32],
) -> Result<Vec<User>, AppError> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .filter(users::manager_id.eq(manager))
        .filter(users::active.eq(true))
        .select(COLUMNS)
        .load(conn)?)
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> Result<Option<User>, AppError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(COLUMNS)
        .first(conn)
        .optional()?)
}

/// The user with this email and their password hash, for verifying a login.
pub fn find_for_login(conn: &mut DbConn, email: &str) -> Result<Option<(User, String)>, AppError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select((COLUMNS, users::password_hash))
        .first(conn)
        .optional()?)
}

pub fn password_hash(conn: &mut DbConn, id: i32) -> Result<String, AppError> {
    Ok(users::table
        .find(id)
        .select(users::password_hash)
        .first(conn)?)
}

pub fn hr_exists(conn: &mut DbConn) -> Result<bool, AppError> {
    Ok(diesel::select(diesel::dsl::exists(
        users::table.filter(users::role.eq(Role::Hr.as_str())),
    ))
    .get_result(conn)?)
}

#[derive(Debug, Default, Clone, Copy)]
pub struct UserFilter {
    pub department_id: Option<i32>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

pub fn list(conn: &mut DbConn, filter: UserFilter, page: Page) -> Result<Paged<User>, AppError> {
    let query = || {
        let mut query = users::table.into_boxed();
        if let Some(department) = filter.department_id {
            query = query.filter(users::department_id.eq(department));
        }
        if let Some(role) = filter.role {
            query = query.filter(users::role.eq(role.as_str()));
        }
        if let Some(active) = filter.active {
            query = query.filter(users::active.eq(active));
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .select(COLUMNS)
        .order(users::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    Ok(Paged { items, total })
}

/// Why `manager` cannot manage `user` (None for a new user), or `Ok(None)` when it can.
fn manager_problem(
    conn: &mut DbConn,
    user: Option<i32>,
    manager: i32,
) -> Result<Option<&'static str>, AppError> {
    if user == Some(manager) {
        return Ok(Some("a person cannot be their own manager"));
    }
    let candidate: Option<(String, bool)> = users::table
        .find(manager)
        .select((users::role, users::active))
        .first(conn)
        .optional()?;
    match candidate {
        None => return Ok(Some("no such user")),
        Some((_, false)) => return Ok(Some("must be an active user")),
        Some((role, true)) if role != Role::Supervisor.as_str() => {
            return Ok(Some("must be a supervisor"))
        }
        Some(_) => {}
    }
    let Some(user) = user else { return Ok(None) };
    let mut failure = None;
    let cycle = creates_management_cycle(user, manager, |person| {
        users::table
            .find(person)
            .select(users::manager_id)
            .first::<Option<i32>>(conn)
            .unwrap_or_else(|e| {
                failure.get_or_insert(e);
                None
            })
    });
    if let Some(error) = failure {
        return Err(error.into());
    }
    Ok(cycle.then_some("would make a loop in the management chain"))
}

fn check_references(
    conn: &mut DbConn,
    user: Option<i32>,
    department_id: Option<i32>,
    manager_id: Option<i32>,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    if let Some(department) = department_id {
        if !departments::exists(conn, department)? {
            errors.add("department_id", "no such department");
        }
    }
    if let Some(manager) = manager_id {
        if let Some(reason) = manager_problem(conn, user, manager)? {
            errors.add("manager_id", reason);
        }
    }
    errors.into_result()
}

pub struct NewUser {
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub department_id: i32,
    pub manager_id: Option<i32>,
    pub locale: Locale,
    pub password_hash: String,
}

pub fn create(conn: &mut DbConn, actor: Option<i32>, new: NewUser) -> Result<User, AppError> {
    write_tx(conn, |conn| {
        check_references(conn, None, Some(new.department_id), new.manager_id)?;
        let at = now();
        let created: User = diesel::insert_into(users::table)
            .values((
                users::email.eq(new.email.as_str()),
                users::display_name.eq(&new.display_name),
                users::role.eq(new.role.as_str()),
                users::department_id.eq(new.department_id),
                users::manager_id.eq(new.manager_id),
                users::locale.eq(new.locale.as_str()),
                users::password_hash.eq(&new.password_hash),
                users::active.eq(true),
                users::token_version.eq(0),
                users::created_at.eq(at),
                users::updated_at.eq(at),
            ))
            .returning(COLUMNS)
            .get_result(conn)
            .map_err(|e| AppError::unique_or(e, email_taken(new.email.as_str())))?;
        audit::record(
            conn,
            Change::<(), _> {
                actor,
                action: "create",
                entity: Entity::User,
                entity_id: created.id,
                before: None,
                after: Some(&created),
            },
        )?;
        Ok(created)
    })
}

/// Fields to change; `None` keeps the current value. `manager_id: Some(None)` removes the
/// manager.
#[derive(Default)]
pub struct UserChanges {
    pub email: Option<Email>,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub department_id: Option<i32>,
    pub manager_id: Option<Option<i32>>,
    pub locale: Option<Locale>,
    pub password_hash: Option<String>,
    pub active: Option<bool>,
}

fn count_reports(conn: &mut DbConn, manager: i32) -> Result<i64, AppError> {
    Ok(users::table
        .filter(users::manager_id.eq(manager))
        .count()
        .get_result(conn)?)
}

fn other_active_hr(conn: &mut DbConn, except: i32) -> Result<i64, AppError> {
    Ok(users::table
        .filter(users::role.eq(Role::Hr.as_str()))
        .filter(users::active.eq(true))
        .filter(users::id.ne(except))
        .count()
        .get_result(conn)?)
}

/// Applies `changes` to user `id`. A change of role, of active, or of password revokes the
/// user's earlier tokens (the token version moves on). Nothing to change: nothing written.
/// HR changes a person (the API's `PATCH /users/{id}`, the people page): as [`update`],
/// except that a stolen HR session must not be enough to take over or lock out its own
/// account.
pub fn change_person(
    conn: &mut DbConn,
    actor: i32,
    id: i32,
    changes: UserChanges,
) -> Result<User, AppError> {
    if actor == id
        && (changes.password_hash.is_some()
            || changes.role.is_some_and(|r| r != Role::Hr)
            || changes.active == Some(false))
    {
        return Err(AppError::Conflict(
            "your own password changes with PUT /api/v1/me/password; another HR account \
             changes your role or deactivates you"
                .into(),
        ));
    }
    update(conn, actor, id, changes)
}

/// The caller's own new password, set only while the password they proved is still the
/// stored one: of two changes made at the same moment with the same current password, the
/// second answers 409 instead of silently replacing the first.
pub fn change_own_password(
    conn: &mut DbConn,
    id: i32,
    checked_hash: &str,
    new_hash: String,
) -> Result<User, AppError> {
    write_tx(conn, |conn| {
        if password_hash(conn, id)? != checked_hash {
            return Err(AppError::Conflict(
                "the password was changed by another request meanwhile; sign in again with \
                 the new one"
                    .into(),
            ));
        }
        let changes = UserChanges {
            password_hash: Some(new_hash.clone()),
            ..UserChanges::default()
        };
        update(conn, id, id, changes)
    })
}

pub fn update(
    conn: &mut DbConn,
    actor: i32,
    id: i32,
    changes: UserChanges,
) -> Result<User, AppError> {
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        check_references(
            conn,
            Some(id),
            changes.department_id,
            changes.manager_id.flatten(),
        )?;
        let role = changes.role.unwrap_or(before.role());
        let active = changes.active.unwrap_or(before.active);

        if before.role() == Role::Supervisor && role != Role::Supervisor {
            let reports = count_reports(conn, id)?;
            if reports > 0 {
                return Err(AppError::Conflict(format!(
                    "this supervisor manages {reports} people; give them another manager first"
                )));
            }
        }
        let loses_hr = before.active && before.role() == Role::Hr && (role != Role::Hr || !active);
        if loses_hr && other_active_hr(conn, id)? == 0 {
            return Err(AppError::Conflict(
                "the last active HR account cannot be deactivated or given another role".into(),
            ));
        }

        let email = changes
            .email
            .clone()
            .map_or(before.email.clone(), Email::into_string);
        let display_name = changes
            .display_name
            .clone()
            .unwrap_or_else(|| before.display_name.clone());
        let department_id = changes.department_id.unwrap_or(before.department_id);
        let manager_id = changes.manager_id.unwrap_or(before.manager_id);
        let locale = changes
            .locale
            .map_or(before.locale.clone(), |l| l.as_str().to_owned());
        let unchanged = email == before.email
            && display_name == before.display_name
            && role == before.role()
            && department_id == before.department_id
            && manager_id == before.manager_id
            && locale == before.locale
            && active == before.active
            && changes.password_hash.is_none();
        if unchanged {
            return Ok(before);
        }

        let revoke =
            role != before.role() || active != before.active || changes.password_hash.is_some();
        if role != before.role() || active != before.active || department_id != before.department_id
        {
            // Who is appraised, and in which department, is part of what a cycle in review
            // computed its appraisals from.
            super::cycles::people_changed(conn)?;
        }
        let after: User = diesel::update(users::table.find(id))
            .set((
                users::email.eq(&email),
                users::display_name.eq(&display_name),
                users::role.eq(role.as_str()),
                users::department_id.eq(department_id),
                users::manager_id.eq(manager_id),
                users::locale.eq(&locale),
                users::active.eq(active),
                users::token_version.eq(before.token_version + i32::from(revoke)),
                users::updated_at.eq(now()),
            ))
            .returning(COLUMNS)
            .get_result(conn)
            .map_err(|e| AppError::unique_or(e, email_taken(&email)))?;
        if let Some(hash) = &changes.password_hash {
            diesel::update(users::table.find(id))
                .set(users::password_hash.eq(hash))
                .execute(conn)?;
        }
        audit::record(
            conn,
            Change {
                actor: Some(actor),
                action: "update",
                entity: Entity::User,
                entity_id: id,
                before: Some(&Audited {
                    user: &before,
                    password: None,
                }),
                after: Some(&Audited {
                    user: &after,
                    password: changes.password_hash.as_ref().map(|_| "changed"),
                }),
            },
        )?;
        Ok(after)
    })
}
