//! People in bulk (docs/PRODUCT.md §12): a file of `employee_number, email, display_name, role,
//! department, manager, locale, active`, applied all or none in one write transaction.
//!
//! A row updates the person with that employee number, else the one with that email, else
//! makes a new person (without a password: they are mailed a link to set one). A row never
//! moves an identity silently: when its number and its email name two different people it
//! is refused naming the other one, and a person found by email keeps the employee number
//! they have (a row giving another is refused; a first number is set). A number is changed
//! on the person's page. The templates' example row (an address at `example.invalid`) is
//! refused, so a template uploaded unedited changes nobody. Departments
//! are named; a manager is named by employee number or email, of someone already there or of
//! a row of the same file (also a later one).
//!
//! The rules are those of one person changed on the page (`app::people`), checked against
//! the company as it will be once the whole file is applied: every email and number unique,
//! a manager an active supervisor and never oneself, no management loop, a supervisor who
//! still manages people keeps the role, an active HR account remains, and HR does not
//! demote or deactivate its own account. The company is read once and the file planned in
//! memory ([`plan`]), so every row's problems are reported together; any problem and
//! nothing is written. Then the new people are written in bulk (COPY on PostgreSQL,
//! multi-row INSERTs on SQLite), managers before the people they manage; their set-password
//! mails are queued as one batch that the delivery worker turns into a notice each; one
//! audit event (`import_people`) records the import and the ids it made; each changed
//! person is updated with its own audit event (before → after). A row that changes nothing
//! writes nothing, so importing the same file again changes nothing.
//!
//! An empty `manager`, `locale` or `active` cell leaves that field as it is (a new person:
//! no manager, `company.default_locale`, active); a person's manager is removed on their page. A new person
//! imported as inactive gets no set-password mail (they cannot sign in until made active,
//! and HR then sends a reset link from their page).

use foldhash::{HashMap, HashMapExt};

use serde::Serialize;
use utoipa::ToSchema;

use super::evidence::RowProblems;
use super::{passwords, App};
use crate::auth::{password, Caller};
use crate::bulk::{self, PersonRow, Upload};
use crate::db::DbConn;
use crate::domain::department::{name_key, parse_department_name, DepartmentKind};
use crate::domain::problem::Problem;
use crate::domain::user::{creates_management_cycle, manager_problem, Email, Locale, Role};
use crate::error::AppError;
use crate::store::users::{self, NewUser, Stored, User};
use crate::store::{cycles, departments};

/// What an import of people did.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct PeopleOutcome {
    /// Rows in the file.
    pub received: usize,
    /// New people (each mailed a link to set a password).
    pub created: usize,
    /// People whose record changed.
    pub updated: usize,
    /// Rows that matched a person exactly as stored.
    pub unchanged: usize,
    /// Columns of the file that no rule reads, as the file names them: left aside.
    pub ignored_columns: Vec<String>,
    /// Totals rows of the file: skipped.
    pub skipped_rows: Vec<usize>,
    /// Departments the file named that did not exist, created as front line
    /// (`create_departments=true` only), as the file first spells them.
    pub departments_created: Vec<String>,
}

impl App {
    /// People in bulk. A department the file names that does not exist is a row problem,
    /// unless `create_departments` (HR confirmed it), when it is created as front line.
    pub async fn import_people(
        &self,
        caller: &Caller,
        upload: Upload,
        create_departments: bool,
    ) -> Result<PeopleOutcome, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        if upload.is_empty() {
            return Err(AppError::validation(
                "body",
                crate::domain::problem::Problem::NoRows,
            ));
        }
        // Reading every cell of a large file is work for the blocking threads.
        let parsed = crate::db::Db::blocking(move || bulk::people(&upload)).await?;
        let default_locale = self.default_locale;
        self.write(caller, move |tx, me| {
            let problems = RowProblems::of(&parsed.problems);
            let options = Options {
                default_locale,
                create_departments,
            };
            import_people(tx, me, &parsed.rows, problems, options).map(|mut outcome| {
                outcome.ignored_columns = parsed.ignored.clone();
                outcome.skipped_rows = parsed.skipped.clone();
                outcome
            })
        })
        .await
    }
}

/// Who a row or a manager cell names in the company as the file leaves it: a person
/// already there by their id, or the `k`th new person of the file as `-1 - k`.
type Key = i32;

fn new_key(k: usize) -> Key {
    -1 - k as i32
}

fn new_index(key: Key) -> Option<usize> {
    (key < 0).then(|| (-1 - key) as usize)
}

/// What applying a file will write, once every rule holds.
struct Plan {
    /// The new people in the order of the file, their managers by [`Key`].
    new: Vec<Stored>,
    /// People already there whose record changes: (their row as it is, as it will be, with
    /// the manager by [`Key`]).
    changed: Vec<(User, Stored)>,
    /// Whether who is appraised where changes (a role, being active, a department), which
    /// makes a cycle in review stale.
    people_changed: bool,
}

/// The company as the file leaves it, every rule checked on it; the rows' problems, or what
/// to write.
fn plan(
    me: &User,
    everyone: &[User],
    departments: &HashMap<String, Result<i32, Problem>>,
    rows: &[PersonRow],
    mut problems: RowProblems,
    default_locale: Locale,
) -> Result<Plan, AppError> {
    let by_number: HashMap<&str, i32> = everyone
        .iter()
        .filter_map(|u| u.employee_number.as_deref().map(|n| (n, u.id)))
        .collect();
    let by_email: HashMap<&str, i32> = everyone
        .iter()
        .filter_map(|u| u.email.as_deref().map(|e| (e, u.id)))
        .collect();
    let before: HashMap<i32, &User> = everyone.iter().map(|u| (u.id, u)).collect();
    let mut state: HashMap<Key, Stored> = everyone.iter().map(|u| (u.id, Stored::of(u))).collect();

    // Every row's person, without the managers yet: (index of the row, its key).
    let mut placed: Vec<(usize, Key)> = Vec::with_capacity(rows.len());
    let mut row_of: HashMap<Key, usize> = HashMap::with_capacity(rows.len());
    let mut new_count = 0;
    for (index, r) in rows.iter().enumerate() {
        let department_id = match departments.get(&r.department) {
            Some(Ok(id)) => *id,
            Some(Err(problem)) => {
                problems.add(r.row, "department", problem.clone());
                continue;
            }
            None => {
                problems.add(r.row, "department", Problem::NoSuchDepartment);
                continue;
            }
        };
        if r.email
            .as_ref()
            .is_some_and(|e| e.as_str().ends_with("@example.invalid"))
        {
            problems.add(r.row, "email", Problem::TemplateExampleRow);
            continue;
        }
        let by_its_number = r
            .employee_number
            .as_deref()
            .and_then(|n| by_number.get(n))
            .copied();
        let by_its_email = r
            .email
            .as_ref()
            .and_then(|e| by_email.get(e.as_str()))
            .copied();
        // A row never moves an identity silently: its number and its email name one person,
        // and a person found by email keeps the number they have (changed on their page).
        match (by_its_number, by_its_email) {
            (Some(a), Some(b)) if a != b => {
                let other = before[&b];
                problems.add(
                    r.row,
                    "email",
                    Problem::EmailOfAnother {
                        name: other.display_name.clone(),
                        number: other.employee_number.clone(),
                    },
                );
                continue;
            }
            (None, Some(b)) => {
                let found = before[&b];
                if let (Some(to), Some(from)) = (&r.employee_number, &found.employee_number) {
                    problems.add(
                        r.row,
                        "employee_number",
                        Problem::NumberWouldChange {
                            name: found.display_name.clone(),
                            from: from.clone(),
                            to: to.clone(),
                        },
                    );
                    continue;
                }
            }
            _ => {}
        }
        let existing = by_its_number.or(by_its_email);
        let key = match existing {
            Some(id) => {
                if row_of.contains_key(&id) {
                    // Two rows name one person (one by number, one by email).
                    let column = if by_its_number.is_some() {
                        "employee_number"
                    } else {
                        "email"
                    };
                    problems.add(r.row, column, Problem::Twice);
                    continue;
                }
                if id == me.id && (r.role != Role::Hr || r.active == Some(false)) {
                    problems.add(r.row, "role", Problem::OwnAccount);
                    continue;
                }
                let Some(person) = state.get_mut(&id) else {
                    continue;
                };
                // An empty email cell leaves the email as it is (it is removed on the
                // person's page).
                if let Some(email) = &r.email {
                    person.email = Some(email.as_str().to_owned());
                }
                person.display_name = r.display_name.clone();
                person.role = r.role;
                person.department_id = department_id;
                if let Some(locale) = r.locale {
                    person.locale = locale;
                }
                if let Some(active) = r.active {
                    person.active = active;
                }
                if let Some(number) = &r.employee_number {
                    person.employee_number = Some(number.clone());
                }
                id
            }
            None => {
                let key = new_key(new_count);
                new_count += 1;
                state.insert(
                    key,
                    Stored {
                        email: r.email.as_ref().map(|e| e.as_str().to_owned()),
                        display_name: r.display_name.clone(),
                        role: r.role,
                        department_id,
                        manager_id: None,
                        locale: r.locale.unwrap_or(default_locale),
                        active: r.active.unwrap_or(true),
                        employee_number: r.employee_number.clone(),
                    },
                );
                key
            }
        };
        row_of.insert(key, r.row);
        placed.push((index, key));
    }

    // Emails and numbers stay unique across the whole company (a person not in the file
    // keeps theirs); the row in the file is told, the later one when both are.
    let mut emails: HashMap<&str, Key> = HashMap::with_capacity(state.len());
    let mut numbers: HashMap<&str, Key> = HashMap::with_capacity(state.len());
    // In the order of the file (people it does not name first), each row looked up once.
    let mut keys: Vec<(usize, Key)> = state
        .keys()
        .map(|k| (row_of.get(k).copied().unwrap_or(0), *k))
        .collect();
    keys.sort_unstable();
    for (_, key) in &keys {
        let person = &state[key];
        if let Some(email) = &person.email {
            if let Some(other) = emails.insert(email, *key) {
                let row = row_of.get(key).or_else(|| row_of.get(&other));
                if let Some(row) = row {
                    let email = email.clone();
                    problems.add(*row, "email", Problem::EmailTaken { email });
                }
            }
        }
        if let Some(number) = &person.employee_number {
            if let Some(other) = numbers.insert(number, *key) {
                if let Some(row) = row_of.get(key).or_else(|| row_of.get(&other)) {
                    let number = number.clone();
                    problems.add(
                        *row,
                        "employee_number",
                        Problem::EmployeeNumberTaken { number },
                    );
                }
            }
        }
    }

    // The managers, by number or email of the company as the file leaves it.
    let mut assigned: Vec<(usize, Key, Key)> = Vec::new();
    for (index, key) in &placed {
        let r = &rows[*index];
        let Some(manager) = r.manager.as_deref() else {
            continue;
        };
        let found = if manager.contains('@') {
            Email::parse(manager)
                .ok()
                .and_then(|e| emails.get(e.as_str()).copied())
        } else {
            numbers.get(manager).copied()
        };
        match found {
            None => problems.add(r.row, "manager", Problem::NoSuchUser),
            Some(m) => assigned.push((r.row, *key, m)),
        }
    }
    for (_, key, manager) in &assigned {
        if let Some(person) = state.get_mut(key) {
            person.manager_id = Some(*manager);
        }
    }
    for (row, key, manager) in &assigned {
        let boss = &state[manager];
        let looped =
            creates_management_cycle(*key, *manager, |p| state.get(&p).and_then(|s| s.manager_id));
        let standing = Some((boss.role, boss.active));
        if let Some(problem) = manager_problem(key == manager, standing, looped) {
            problems.add(*row, "manager", problem);
        }
    }

    // A supervisor who still manages people keeps the role; an active HR account remains.
    let mut reports: HashMap<Key, i64> = HashMap::new();
    for person in state.values() {
        if let Some(manager) = person.manager_id {
            *reports.entry(manager).or_default() += 1;
        }
    }
    let active_hr = state
        .values()
        .filter(|p| p.active && p.role == Role::Hr)
        .count();
    let mut changed = Vec::new();
    let mut people_changed = false;
    for (index, key) in &placed {
        let Some(user) = before.get(key) else {
            continue;
        };
        let after = &state[key];
        let row = rows[*index].row;
        if user.role == Role::Supervisor && after.role != Role::Supervisor {
            if let Some(&count) = reports.get(key) {
                problems.add(row, "role", Problem::ManagesPeople { count });
            }
        }
        let was_hr = user.active && user.role == Role::Hr;
        if was_hr && !(after.active && after.role == Role::Hr) && active_hr == 0 {
            problems.add(row, "role", Problem::LastActiveHr);
        }
        if *after != Stored::of(user) {
            people_changed |= after.role != user.role
                || after.active != user.active
                || after.department_id != user.department_id;
            changed.push(((*user).clone(), after.clone()));
        }
    }
    problems.into_result()?;
    let mut new: Vec<(Key, Stored)> = state.into_iter().filter(|(k, _)| *k < 0).collect();
    new.sort_unstable_by_key(|(k, _)| std::cmp::Reverse(*k));
    Ok(Plan {
        new: new.into_iter().map(|(_, person)| person).collect(),
        changed,
        people_changed,
    })
}

/// An import's audit event: its counts and the ids of the people it made, as ranges
/// `[first, last]`.
#[derive(Serialize)]
struct ImportRecord {
    received: usize,
    created: usize,
    updated: usize,
    unchanged: usize,
    created_ids: Vec<[i32; 2]>,
}

/// Sorted ids as the ranges of consecutive ones they make.
fn id_ranges(ids: &[i32]) -> Vec<[i32; 2]> {
    let mut ranges: Vec<[i32; 2]> = Vec::new();
    for &id in ids {
        match ranges.last_mut() {
            Some(last) if last[1].checked_add(1) == Some(id) => last[1] = id,
            _ => ranges.push([id, id]),
        }
    }
    ranges
}

/// Writes a plan: the new people in waves, each wave's managers already written (people
/// managed by someone already there first, then those managed by them, …); then the
/// changes to people already there.
fn apply(
    tx: &mut DbConn,
    me: &User,
    received: usize,
    plan: Plan,
) -> Result<PeopleOutcome, AppError> {
    let Plan {
        new,
        changed,
        people_changed,
    } = plan;
    // The wave of each new person: 0 when managed by nobody or someone already there.
    let mut wave: Vec<Option<usize>> = vec![None; new.len()];
    fn wave_of(k: usize, new: &[Stored], wave: &mut [Option<usize>]) -> usize {
        if let Some(w) = wave[k] {
            return w;
        }
        // The plan refused loops, so this walk ends.
        let w = match new[k].manager_id.and_then(new_index) {
            None => 0,
            Some(m) => wave_of(m, new, wave) + 1,
        };
        wave[k] = Some(w);
        w
    }
    for k in 0..new.len() {
        wave_of(k, &new, &mut wave);
    }
    let waves = wave.iter().flatten().max().map_or(0, |w| w + 1);
    let mut ids: Vec<i32> = vec![0; new.len()];
    let real = |key: Key, ids: &[i32]| new_index(key).map_or(key, |k| ids[k]);
    let mut mailed = Vec::with_capacity(new.len());
    for w in 0..waves {
        let members: Vec<usize> = (0..new.len()).filter(|k| wave[*k] == Some(w)).collect();
        let rows: Vec<(NewUser, bool)> = members
            .iter()
            .map(|&k| {
                let p = &new[k];
                let email = p
                    .email
                    .as_deref()
                    .map(Email::parse)
                    .transpose()
                    .map_err(|_| {
                        AppError::internal(anyhow::anyhow!("a planned email does not parse"))
                    })?;
                Ok((
                    NewUser {
                        email,
                        display_name: p.display_name.clone(),
                        role: p.role,
                        department_id: p.department_id,
                        manager_id: p.manager_id.map(|m| real(m, &ids)),
                        locale: p.locale,
                        password_hash: password::NO_PASSWORD.to_owned(),
                        employee_number: p.employee_number.clone(),
                    },
                    p.active,
                ))
            })
            .collect::<Result<_, AppError>>()?;
        let created = users::insert_many(tx, &rows)?;
        for (&k, user) in members.iter().zip(&created) {
            ids[k] = user.id;
            // Someone without email gets a set-up code from HR instead.
            if user.active && user.email.is_some() {
                mailed.push(user.id);
            }
        }
    }
    passwords::send_setup_links_to_new(tx, &mailed)?;
    let mut made = ids.clone();
    made.sort_unstable();
    if let Some(&first) = made.first() {
        let record = ImportRecord {
            received,
            created: new.len(),
            updated: changed.len(),
            unchanged: received - new.len() - changed.len(),
            created_ids: id_ranges(&made),
        };
        users::record_import(tx, me.id, first, &record)?;
    }
    for (before, mut after) in changed.iter().cloned() {
        after.manager_id = after.manager_id.map(|m| real(m, &ids));
        let revoke = after.role != before.role || after.active != before.active;
        users::update(tx, me.id, &before, &after, None, revoke)?;
    }
    if people_changed {
        cycles::people_changed(tx)?;
    }
    Ok(PeopleOutcome {
        created: new.len(),
        updated: changed.len(),
        ..PeopleOutcome::default()
    })
}

/// How an import treats what the file leaves open.
#[derive(Debug, Clone, Copy)]
struct Options {
    /// The language of a new person whose row gives none.
    default_locale: Locale,
    /// Whether a department the file names that does not exist is created.
    create_departments: bool,
}

fn import_people(
    tx: &mut DbConn,
    me: &User,
    rows: &[PersonRow],
    problems: RowProblems,
    options: Options,
) -> Result<PeopleOutcome, AppError> {
    let (departments, created) = file_departments(tx, me, rows, options.create_departments)?;
    let everyone = users::everyone(tx)?;
    let plan = plan(
        me,
        &everyone,
        &departments,
        rows,
        problems,
        options.default_locale,
    )?;
    let written = apply(tx, me, rows.len(), plan)?;
    Ok(PeopleOutcome {
        received: rows.len(),
        unchanged: rows.len() - written.created - written.updated,
        departments_created: created,
        ..written
    })
}

/// Each department name a file spells, and the department's id or the row's problem.
type FileDepartments = HashMap<String, Result<i32, Problem>>;

/// Each department name the file spells, as the department it names: the one of that exact
/// name, else the one whose name matches it regardless of case, width and spacing
/// ([`name_key`]); else, when `create` is set, a new front-line department of that name
/// (the names made are returned); else the row's problem. Departments made here are undone
/// with the rest when a row is refused (one transaction).
fn file_departments(
    tx: &mut DbConn,
    me: &User,
    rows: &[PersonRow],
    create: bool,
) -> Result<(FileDepartments, Vec<String>), AppError> {
    let existing = departments::all(tx)?;
    let exact: HashMap<&str, i32> = existing.iter().map(|d| (d.name.as_str(), d.id)).collect();
    // A key two departments share names neither (say "Store" and "store"): the file must
    // spell one exactly.
    let mut by_key: HashMap<String, Option<i32>> = HashMap::with_capacity(existing.len());
    for d in &existing {
        by_key
            .entry(name_key(&d.name))
            .and_modify(|id| *id = None)
            .or_insert(Some(d.id));
    }
    let mut found: FileDepartments = HashMap::new();
    let mut created = Vec::new();
    for r in rows {
        if found.contains_key(&r.department) {
            continue;
        }
        let key = name_key(&r.department);
        let matched = match exact.get(r.department.as_str()) {
            Some(&id) => Some(Some(id)),
            None => by_key.get(&key).copied(),
        };
        let department = match matched {
            Some(Some(id)) => Ok(id),
            Some(None) => Err(Problem::DepartmentAmbiguous {
                name: r.department.clone(),
            }),
            None if create => match parse_department_name(&r.department) {
                Ok(name) => {
                    let made =
                        departments::create(tx, Some(me.id), &name, DepartmentKind::FrontLine)?;
                    by_key.insert(key, Some(made.id));
                    created.push(name);
                    Ok(made.id)
                }
                Err(problem) => Err(problem),
            },
            None => Err(Problem::NoDepartmentNamed {
                name: r.department.clone(),
            }),
        };
        found.insert(r.department.clone(), department);
    }
    Ok((found, created))
}
