use crate::domain::audit::Action;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::audit::{self, Change, Entity};
use super::{now, Page, Paged, LOOKUP_CHUNK};
use crate::db::schema::users;
use crate::db::{on_backend, DbConn};
use crate::domain::problem::Problem;
use crate::domain::user::{Email, Locale, Role};
use crate::error::AppError;

/// A user as the rest of the program sees one. The password hash is deliberately not
/// part of it (see [`find_for_login`]), so it cannot end up in a response or an audit row.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct User {
    pub id: i32,
    /// None for someone without email (they sign in with their employee number).
    pub email: Option<String>,
    pub display_name: String,
    /// An unknown stored role is an error when the row is read, never a default.
    #[diesel(deserialize_as = String)]
    pub role: Role,
    pub department_id: i32,
    pub manager_id: Option<i32>,
    #[diesel(deserialize_as = String)]
    pub locale: Locale,
    pub active: bool,
    #[serde(skip)]
    pub token_version: i32,
    #[serde(serialize_with = "super::as_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "super::as_utc")]
    pub updated_at: NaiveDateTime,
    /// The number HR's spreadsheets key the person by (工号), when HR gave one.
    pub employee_number: Option<String>,
}

impl super::scope::Viewer for User {
    fn viewer(&self) -> (i32, Role) {
        (self.id, self.role)
    }
}

impl User {
    pub fn role(&self) -> Role {
        self.role
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
    users::employee_number,
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
    users::employee_number,
);

/// The audit picture of a user: the public fields, plus a marker when the password changed.
#[derive(Serialize)]
struct Audited<'a> {
    #[serde(flatten)]
    user: &'a User,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<&'static str>,
}

/// A unique violation names what was taken: the email, or the employee number.
fn taken(error: diesel::result::Error, email: Option<&str>, number: Option<&str>) -> AppError {
    use diesel::result::{DatabaseErrorKind, Error};
    let on_number = matches!(
        &error,
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
            if info.message().contains("employee_number")
    );
    match (on_number, number) {
        (true, Some(number)) => AppError::unique_or(error, || Problem::EmployeeNumberTaken {
            number: number.to_owned(),
        }),
        _ => AppError::unique_or(error, || Problem::EmailTaken {
            email: email.unwrap_or_default().to_owned(),
        }),
    }
}

/// Every authenticated request reads its caller here: on the concrete connection, so the
/// prepared statement is reused.
pub fn get(conn: &mut DbConn, id: i32) -> Result<User, AppError> {
    // `get_result`, not `first`: the key finds one row already, and on SQLite a bound
    // `LIMIT ?` marks the cached statement to be compiled again whenever the limit is bound
    // (SQLite 3.50 reads a bound LIMIT when planning), which cost ~30,000 instructions a
    // request (docs/PERFORMANCE.md, "Issues 15–17").
    let query = users::table.find(id).select(COLUMNS);
    Ok(on_backend!(conn, c => query.get_result(c))?)
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

type Boxed = users::BoxedQuery<'static, <DbConn as Connection>::Backend>;

/// The people whose appraisals HR reviews (`domain::user::may_review`): appraised (active,
/// not HR) and without an active manager (none, or one who has left).
fn reviewed_by_hr() -> Boxed {
    let manager = super::scope::TEAM;
    appraised().filter(
        users::manager_id
            .is_null()
            .or(users::manager_id.assume_not_null().eq_any(
                manager
                    .filter(manager.field(users::active).eq(false))
                    .select(manager.field(users::id)),
            )),
    )
}

/// The people appraised now: active staff and supervisors (HR is not appraised).
fn appraised() -> Boxed {
    users::table
        .filter(users::active.eq(true))
        .filter(users::role.ne(Role::Hr.as_str()))
        .into_boxed()
}

/// The ids of [`reviewed_by_hr`] (few: the people at the top).
pub fn reviewed_by_hr_ids(conn: &mut DbConn) -> Result<Vec<i32>, AppError> {
    Ok(reviewed_by_hr().select(users::id).load(conn)?)
}

/// `manager` if they are an active account: the one who reviews their reports.
pub fn active_manager(conn: &mut DbConn, manager: Option<i32>) -> Result<Option<i32>, AppError> {
    let Some(id) = manager else {
        return Ok(None);
    };
    let active: Option<bool> = users::table
        .find(id)
        .select(users::active)
        .first(conn)
        .optional()?;
    Ok(active.unwrap_or(false).then_some(id))
}

/// The people whose appraisals `reviewer` reviews (`domain::user::may_review`): a
/// supervisor's active direct reports; for HR, [`reviewed_by_hr`].
pub fn reviewed_by(conn: &mut DbConn, reviewer: &User) -> Result<Vec<User>, AppError> {
    if reviewer.role != Role::Hr {
        return direct_reports(conn, reviewer.id);
    }
    Ok(reviewed_by_hr()
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
    Ok(rateable_by(rater)
        .filter(users::department_id.eq(department))
        .select(COLUMNS)
        .order((users::display_name, users::id))
        .load(conn)?)
}

/// The departments with someone `rater` may rate ([`rateable_in`]'s rule): the others are
/// not offered.
pub fn rateable_departments(conn: &mut DbConn, rater: &User) -> Result<Vec<i32>, AppError> {
    Ok(rateable_by(rater)
        .select(users::department_id)
        .distinct()
        .load(conn)?)
}

/// Whom `rater` may rate: the people appraised in the other departments.
fn rateable_by(rater: &User) -> Boxed {
    appraised().filter(users::department_id.ne(rater.department_id))
}

/// The ids of the people with these employee numbers and these emails (chunked: a
/// spreadsheet may name thousands).
#[allow(clippy::type_complexity)]
pub fn ids_by_number_and_email(
    conn: &mut DbConn,
    numbers: &[String],
    emails: &[String],
) -> Result<
    (
        std::collections::HashMap<String, i32>,
        std::collections::HashMap<String, i32>,
    ),
    AppError,
> {
    let mut by_number = std::collections::HashMap::new();
    for chunk in numbers.chunks(LOOKUP_CHUNK) {
        let found: Vec<(Option<String>, i32)> = users::table
            .filter(users::employee_number.eq_any(chunk))
            .select((users::employee_number, users::id))
            .load(conn)?;
        by_number.extend(found.into_iter().filter_map(|(n, id)| n.map(|n| (n, id))));
    }
    let mut by_email = std::collections::HashMap::new();
    for chunk in emails.chunks(LOOKUP_CHUNK) {
        let found: Vec<(Option<String>, i32)> = users::table
            .filter(users::email.eq_any(chunk))
            .select((users::email, users::id))
            .load(conn)?;
        by_email.extend(found.into_iter().filter_map(|(e, id)| e.map(|e| (e, id))));
    }
    Ok((by_number, by_email))
}

/// The active supervisors, by name: who may be someone's supervisor.
pub fn active_supervisors(conn: &mut DbConn) -> Result<Vec<User>, AppError> {
    Ok(users::table
        .filter(users::role.eq(Role::Supervisor.as_str()))
        .filter(users::active.eq(true))
        .select(COLUMNS)
        .order((users::display_name, users::id))
        .load(conn)?)
}

/// Name and employee number of everyone whose employee data `viewer` may read (HR: all; a
/// supervisor: themselves and their reports; staff: themselves), for labelling an export.
pub fn labels(
    conn: &mut DbConn,
    viewer: &User,
) -> Result<std::collections::HashMap<i32, (String, Option<String>)>, AppError> {
    let query = users::table
        .select((users::id, users::display_name, users::employee_number))
        .into_boxed();
    let query = crate::in_scope!(query, super::scope::Scope::of(viewer), users::id);
    Ok(query
        .load::<(i32, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, name, number)| (id, (name, number)))
        .collect())
}

/// Display names by id (for labelling lists; callers decide what may be shown), read in
/// chunks: a list may be longer than SQLite allows bound parameters.
pub fn names(
    conn: &mut DbConn,
    ids: &[i32],
) -> Result<std::collections::HashMap<i32, String>, AppError> {
    let mut names = std::collections::HashMap::new();
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let found: Vec<(i32, String)> = users::table
            .filter(users::id.eq_any(chunk))
            .select((users::id, users::display_name))
            .load(conn)?;
        names.extend(found);
    }
    Ok(names)
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

/// How someone signing in names themselves: their email, or their employee number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInName {
    Email(String),
    Number(String),
}

/// The user signing in under this name and their password hash, for verifying a login.
pub fn find_for_login(
    conn: &mut DbConn,
    name: &SignInName,
) -> Result<Option<(User, String)>, AppError> {
    let query = users::table.select((COLUMNS, users::password_hash));
    Ok(match name {
        SignInName::Email(email) => query.filter(users::email.eq(email)).first(conn),
        // By number only for someone without email: an account with an email signs in with
        // it (one name, one count of failed attempts).
        SignInName::Number(number) => query
            .filter(users::employee_number.eq(number))
            .filter(users::email.is_null())
            .first(conn),
    }
    .optional()?)
}

/// The active people without email who have never set a password (each needs a set-up code
/// from HR), by name.
pub fn waiting_for_a_code(conn: &mut DbConn) -> Result<Vec<User>, AppError> {
    Ok(users::table
        .filter(users::email.is_null())
        .filter(users::active.eq(true))
        .filter(users::password_hash.eq(crate::auth::password::NO_PASSWORD))
        .select(COLUMNS)
        .order((users::display_name, users::id))
        .load(conn)?)
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

#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub department_id: Option<i32>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// Part of a name, an email or an employee number (any case).
    pub search: Option<String>,
    /// By employee number (people without one last, by name), as HR's spreadsheets list
    /// them; otherwise by id (the API's order).
    pub by_number: bool,
}

diesel::define_sql_function! {
    /// SQL's `lower`, so a search ignores case on both backends.
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    #[sql_name = "lower"]
    fn lower_nullable(
        text: diesel::sql_types::Nullable<diesel::sql_types::Text>,
    ) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// `text` for a LIKE pattern that matches it anywhere, its own `%`, `_` and `\` taken
/// literally.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
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
        if let Some(search) = &filter.search {
            let pattern = contains_pattern(search.trim());
            query = query.filter(
                lower(users::display_name)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(users::email.like(pattern.clone()).escape('\\'))
                    .or(lower_nullable(users::employee_number)
                        .like(pattern)
                        .escape('\\')),
            );
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let ordered = if filter.by_number {
        query().order((
            users::employee_number.is_null(),
            users::employee_number.asc(),
            users::display_name.asc(),
            users::id.asc(),
        ))
    } else {
        query().order(users::id.asc())
    };
    let items = ordered
        .select(COLUMNS)
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    Ok(Paged { items, total })
}

/// A new person's row (the rules are checked by `app::people`).
pub struct NewUser {
    pub email: Option<Email>,
    pub display_name: String,
    pub role: Role,
    pub department_id: i32,
    pub manager_id: Option<i32>,
    pub locale: Locale,
    pub password_hash: String,
    pub employee_number: Option<String>,
}

/// Inserts a person, with its audit event. A taken email is 409 naming it.
pub fn insert(conn: &mut DbConn, actor: Option<i32>, new: &NewUser) -> Result<User, AppError> {
    let at = now();
    let created: User = diesel::insert_into(users::table)
        .values((
            users::email.eq(new.email.as_ref().map(Email::as_str)),
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
            users::employee_number.eq(&new.employee_number),
        ))
        .returning(COLUMNS)
        .get_result(conn)
        .map_err(|e| {
            taken(
                e,
                new.email.as_ref().map(Email::as_str),
                new.employee_number.as_deref(),
            )
        })?;
    audit::record(
        conn,
        Change::<(), _> {
            actor,
            action: Action::Create,
            entity: Entity::User,
            entity_id: created.id,
            before: None,
            after: Some(&created),
        },
    )?;
    Ok(created)
}

/// A new person's row as the bulk paths write it.
#[derive(Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
struct Inserted<'a> {
    id: i32,
    email: Option<&'a str>,
    display_name: &'a str,
    role: &'static str,
    department_id: i32,
    manager_id: Option<i32>,
    locale: &'static str,
    password_hash: &'a str,
    active: bool,
    token_version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    employee_number: Option<&'a str>,
}

/// Inserts many people at once, each `(person, active)`, and answers them in the order
/// given, written by [`crate::db::insert_bulk`] (the people import of 100,000 rows:
/// docs/PERFORMANCE.md). No audit event per person: the import records one for all it made
/// ([`record_import`]). A taken email or number is 409 naming the first.
pub fn insert_many(conn: &mut DbConn, new: &[(NewUser, bool)]) -> Result<Vec<User>, AppError> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let at = now();
    // The ids are taken first, so that the people need not be read back after the load.
    let ids = reserve_ids(conn, new.len())?;
    let rows: Vec<Inserted> = new
        .iter()
        .zip(&ids)
        .map(|((person, active), &id)| Inserted {
            id,
            email: person.email.as_ref().map(Email::as_str),
            display_name: &person.display_name,
            role: person.role.as_str(),
            department_id: person.department_id,
            manager_id: person.manager_id,
            locale: person.locale.as_str(),
            password_hash: &person.password_hash,
            active: *active,
            token_version: 0,
            created_at: at,
            updated_at: at,
            employee_number: person.employee_number.as_deref(),
        })
        .collect();
    let written = crate::db::insert_bulk!(&mut *conn, users::table, &rows[..]);
    let first = &new[0].0;
    written.map_err(|e| {
        taken(
            e,
            first.email.as_ref().map(Email::as_str),
            first.employee_number.as_deref(),
        )
    })?;
    let created: Vec<User> = new
        .iter()
        .zip(ids)
        .map(|((person, active), id)| User {
            id,
            email: person.email.as_ref().map(|e| e.as_str().to_owned()),
            display_name: person.display_name.clone(),
            role: person.role,
            department_id: person.department_id,
            manager_id: person.manager_id,
            locale: person.locale,
            active: *active,
            token_version: 0,
            created_at: at,
            updated_at: at,
            employee_number: person.employee_number.clone(),
        })
        .collect();
    Ok(created)
}

/// The one audit event of an import that made people (`import_people`), filed under the
/// first person it made; `after` tells how many rows made, changed or left people and which
/// ids were made.
pub fn record_import<A: serde::Serialize>(
    conn: &mut DbConn,
    actor: i32,
    first_created: i32,
    after: &A,
) -> Result<(), AppError> {
    audit::record(
        conn,
        Change::<(), A> {
            actor: Some(actor),
            action: Action::ImportPeople,
            entity: Entity::User,
            entity_id: first_created,
            before: None,
            after: Some(after),
        },
    )
}

#[derive(QueryableByName)]
struct Reserved {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    id: i32,
}

/// `n` ids for new people, in order. PostgreSQL: from the table's sequence, so that
/// concurrent writers never get the same; SQLite: the next ones after the largest, as the
/// table would give (the caller holds the database's one write lock: `db::write_tx`).
fn reserve_ids(conn: &mut DbConn, n: usize) -> Result<Vec<i32>, AppError> {
    match conn {
        DbConn::Pg(pg) => Ok(diesel::sql_query(
            "SELECT nextval(pg_get_serial_sequence('users', 'id'))::integer AS id \
             FROM generate_series(1, $1) ORDER BY 1",
        )
        .bind::<diesel::sql_types::Integer, _>(n as i32)
        .load::<Reserved>(pg)?
        .into_iter()
        .map(|r| r.id)
        .collect()),
        DbConn::Sqlite(_) => {
            let largest: Option<i32> = users::table
                .select(diesel::dsl::max(users::id))
                .first(conn)?;
            let after = largest.unwrap_or(0);
            Ok((1..=n as i32).map(|k| after + k).collect())
        }
    }
}

/// Everyone, active or not, by id (the people import checks a file against the whole
/// company).
pub fn everyone(conn: &mut DbConn) -> Result<Vec<User>, AppError> {
    Ok(users::table.select(COLUMNS).order(users::id).load(conn)?)
}

/// A person's fields as they are to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub email: Option<String>,
    pub display_name: String,
    pub role: Role,
    pub department_id: i32,
    pub manager_id: Option<i32>,
    pub locale: Locale,
    pub active: bool,
    pub employee_number: Option<String>,
}

impl Stored {
    pub fn of(user: &User) -> Stored {
        Stored {
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            role: user.role,
            department_id: user.department_id,
            manager_id: user.manager_id,
            locale: user.locale,
            active: user.active,
            employee_number: user.employee_number.clone(),
        }
    }
}

/// Writes `after` over `before` (and a new password hash, when given), with its audit
/// event; `revoke` moves the token version on, ending every earlier token.
pub fn update(
    conn: &mut DbConn,
    actor: i32,
    before: &User,
    after: &Stored,
    password_hash: Option<&str>,
    revoke: bool,
) -> Result<User, AppError> {
    let updated: User = diesel::update(users::table.find(before.id))
        .set((
            users::email.eq(&after.email),
            users::display_name.eq(&after.display_name),
            users::role.eq(after.role.as_str()),
            users::department_id.eq(after.department_id),
            users::manager_id.eq(after.manager_id),
            users::locale.eq(after.locale.as_str()),
            users::active.eq(after.active),
            users::token_version.eq(before.token_version + i32::from(revoke)),
            users::updated_at.eq(now()),
            users::employee_number.eq(&after.employee_number),
        ))
        .returning(COLUMNS)
        .get_result(conn)
        .map_err(|e| taken(e, after.email.as_deref(), after.employee_number.as_deref()))?;
    if let Some(hash) = password_hash {
        diesel::update(users::table.find(before.id))
            .set(users::password_hash.eq(hash))
            .execute(conn)?;
    }
    audit::record(
        conn,
        Change {
            actor: Some(actor),
            action: Action::Update,
            entity: Entity::User,
            entity_id: before.id,
            before: Some(&Audited {
                user: before,
                password: None,
            }),
            after: Some(&Audited {
                user: &updated,
                password: password_hash.map(|_| "changed"),
            }),
        },
    )?;
    Ok(updated)
}

/// The role, active state and manager of a person (the manager checks), if they exist.
pub fn standing(conn: &mut DbConn, id: i32) -> Result<Option<(Role, bool, Option<i32>)>, AppError> {
    users::table
        .find(id)
        .select((users::role, users::active, users::manager_id))
        .first::<(String, bool, Option<i32>)>(conn)
        .optional()?
        .map(|(role, active, manager)| {
            Role::parse(&role)
                .map(|role| (role, active, manager))
                .map_err(|_| stored_role(&role))
        })
        .transpose()
}

/// How many people name `manager` as theirs.
pub fn count_reports(conn: &mut DbConn, manager: i32) -> Result<i64, AppError> {
    Ok(users::table
        .filter(users::manager_id.eq(manager))
        .count()
        .get_result(conn)?)
}

/// Active HR accounts other than `except`.
pub fn other_active_hr(conn: &mut DbConn, except: i32) -> Result<i64, AppError> {
    Ok(users::table
        .filter(users::role.eq(Role::Hr.as_str()))
        .filter(users::active.eq(true))
        .filter(users::id.ne(except))
        .count()
        .get_result(conn)?)
}

/// Every person's role by id (checking the employee column of imports).
pub fn roles(conn: &mut DbConn) -> Result<std::collections::HashMap<i32, Role>, AppError> {
    users::table
        .select((users::id, users::role))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .map(|(id, role)| Ok((id, Role::parse(&role).map_err(|_| stored_role(&role))?)))
        .collect()
}

fn stored_role(role: &str) -> AppError {
    AppError::internal(anyhow::anyhow!("unknown stored role {role:?}"))
}

/// Everyone appraised now: active staff and supervisors.
pub fn appraised_ids(conn: &mut DbConn) -> Result<Vec<i32>, AppError> {
    Ok(appraised().select(users::id).order(users::id).load(conn)?)
}

pub fn active_hr_ids(conn: &mut DbConn) -> Result<Vec<i32>, AppError> {
    Ok(users::table
        .filter(users::role.eq(Role::Hr.as_str()))
        .filter(users::active.eq(true))
        .select(users::id)
        .load(conn)?)
}

/// Who may supervise: active accounts that are not staff.
pub fn possible_managers(conn: &mut DbConn) -> Result<Vec<i32>, AppError> {
    Ok(users::table
        .filter(users::active.eq(true))
        .filter(users::role.ne(Role::Staff.as_str()))
        .select(users::id)
        .load(conn)?)
}

/// Appraised people (active, not HR) who report to someone, with their manager.
pub fn managed_appraised(conn: &mut DbConn) -> Result<Vec<(i32, i32)>, AppError> {
    Ok(users::table
        .filter(users::active.eq(true))
        .filter(users::role.ne(Role::Hr.as_str()))
        .filter(users::manager_id.is_not_null())
        .select((users::id, users::manager_id.assume_not_null()))
        .order(users::id)
        .load(conn)?)
}
