//! People in bulk (DESIGN §12): a file of `employee_number, email, display_name, role,
//! department, manager, locale, active`, applied all or none in one write transaction.
//!
//! A row updates the person with that employee number, else the one with that email, else
//! makes a new person (without a password: they are mailed a link to set one). Departments
//! are named; a manager is named by employee number or email, of someone already there or of
//! a row of the same file (also a later one): every person is written first, the managers
//! after. Each row goes through the same rules as one person changed on the page
//! (`people::create_person`, `people::change_person`), in a savepoint of its own, so every
//! row's problems are reported; any problem and nothing is kept. A row that changes nothing
//! writes nothing, so importing the same file again changes nothing.
//!
//! An empty `manager`, `locale` or `active` cell leaves that field as it is (a new person:
//! no manager, `en`, active); a person's manager is removed on their page.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use super::evidence::RowProblems;
use super::people::{change_person, create_person, Changes, Person};
use super::{Actor, App};
use crate::auth::{password, Caller};
use crate::bulk::{self, PersonRow, Row};
use crate::db::{write_tx, DbConn};
use crate::domain::problem::Problem;
use crate::domain::user::{Email, Locale, Role};
use crate::error::AppError;
use crate::store::departments;
use crate::store::users::{self, User};

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
}

impl App {
    pub async fn import_people(
        &self,
        caller: &Caller,
        rows: Vec<Row>,
    ) -> Result<PeopleOutcome, AppError> {
        // Reading every cell of a large file is work for the blocking threads.
        let people = actix_web::web::block(move || bulk::people(&rows)).await??;
        self.write(caller, move |tx, me| import_people(tx, me, &people))
            .await
    }
}

/// The same person, field for field (what the import compares to count a change).
fn same(a: &User, b: &User) -> bool {
    a.email == b.email
        && a.display_name == b.display_name
        && a.role == b.role
        && a.department_id == b.department_id
        && a.manager_id == b.manager_id
        && a.locale == b.locale
        && a.active == b.active
        && a.employee_number == b.employee_number
}

/// A refusal of one row becomes that row's problems; anything else (a lost race, a storage
/// fault) ends the import as it is.
fn into_row(problems: &mut RowProblems, row: usize, error: AppError) -> Result<(), AppError> {
    match error {
        AppError::Validation(fields) => {
            for f in fields.iter() {
                let column = match f.field.as_str() {
                    "department_id" => "department",
                    "manager_id" => "manager",
                    other => other,
                };
                problems.add(row, column, f.problem.clone());
            }
            Ok(())
        }
        AppError::Conflict(p) | AppError::Duplicate(p) => {
            let column = match &p {
                Problem::EmailTaken { .. } => "email",
                Problem::EmployeeNumberTaken { .. } => "employee_number",
                _ => "role",
            };
            problems.add(row, column, p);
            Ok(())
        }
        other => Err(other),
    }
}

fn import_people(
    tx: &mut DbConn,
    me: &User,
    rows: &[PersonRow],
) -> Result<PeopleOutcome, AppError> {
    let mut problems = RowProblems::default();
    let mut outcome = PeopleOutcome {
        received: rows.len(),
        ..PeopleOutcome::default()
    };
    let departments: HashMap<String, i32> = departments::all(tx)?
        .into_iter()
        .map(|d| (d.name, d.id))
        .collect();
    let numbers: Vec<String> = rows
        .iter()
        .filter_map(|r| r.employee_number.clone())
        .collect();
    let emails: Vec<String> = rows.iter().map(|r| r.email.as_str().to_owned()).collect();
    let (by_number, by_email) = users::ids_by_number_and_email(tx, &numbers, &emails)?;

    // First every person, without managers; the row's person id for the second pass.
    let mut placed: Vec<(usize, i32)> = Vec::with_capacity(rows.len());
    let mut touched: HashSet<i32> = HashSet::new();
    let mut created_ids: HashSet<i32> = HashSet::new();
    for (index, r) in rows.iter().enumerate() {
        let Some(&department_id) = departments.get(&r.department) else {
            problems.add(r.row, "department", Problem::NoSuchDepartment);
            continue;
        };
        let existing = r
            .employee_number
            .as_ref()
            .and_then(|n| by_number.get(n))
            .or_else(|| by_email.get(r.email.as_str()))
            .copied();
        let written = match existing {
            Some(id) => {
                if id == me.id && (r.role != Role::Hr || r.active == Some(false)) {
                    problems.add(r.row, "role", Problem::OwnAccount);
                    continue;
                }
                let changes = Changes {
                    email: Some(r.email.clone()),
                    display_name: Some(r.display_name.clone()),
                    role: Some(r.role),
                    department_id: Some(department_id),
                    manager_id: None,
                    locale: r.locale,
                    password: None,
                    active: r.active,
                    employee_number: r.employee_number.clone().map(Some),
                };
                write_tx(tx, |t| {
                    let before = users::get(t, id)?;
                    let after = change_person(t, me.id, id, &changes, None)?;
                    Ok((after.id, !same(&before, &after)))
                })
                .map(|(id, changed)| {
                    if changed {
                        touched.insert(id);
                    }
                    id
                })
            }
            None => {
                let person = Person {
                    email: r.email.clone(),
                    display_name: r.display_name.clone(),
                    role: r.role,
                    department_id,
                    manager_id: None,
                    locale: r.locale.unwrap_or(Locale::En),
                    password: None,
                    employee_number: r.employee_number.clone(),
                };
                let active = r.active;
                write_tx(tx, |t| {
                    let mut created =
                        create_person(t, Actor::Person(me), &person, password::NO_PASSWORD)?;
                    if active == Some(false) {
                        let off = Changes {
                            active: Some(false),
                            ..Changes::default()
                        };
                        created = change_person(t, me.id, created.id, &off, None)?;
                    }
                    Ok(created.id)
                })
                .inspect(|id| {
                    outcome.created += 1;
                    created_ids.insert(*id);
                })
            }
        };
        match written {
            Ok(id) => placed.push((index, id)),
            Err(error) => into_row(&mut problems, r.row, error)?,
        }
    }

    // Then the managers, now that everyone in the file exists.
    let wanted: Vec<&str> = placed
        .iter()
        .filter_map(|(i, _)| rows[*i].manager.as_deref())
        .collect();
    let (manager_numbers, manager_emails): (Vec<&str>, Vec<&str>) =
        wanted.iter().partition(|m| !m.contains('@'));
    let emails: Vec<String> = manager_emails
        .iter()
        .filter_map(|m| Email::parse(m).ok().map(|e| e.as_str().to_owned()))
        .collect();
    let numbers: Vec<String> = manager_numbers.iter().map(|m| (*m).to_owned()).collect();
    let (by_number, by_email) = users::ids_by_number_and_email(tx, &numbers, &emails)?;
    for (index, id) in &placed {
        let r = &rows[*index];
        let Some(manager) = r.manager.as_deref() else {
            continue;
        };
        let found = if manager.contains('@') {
            Email::parse(manager)
                .ok()
                .and_then(|e| by_email.get(e.as_str()).copied())
        } else {
            by_number.get(manager).copied()
        };
        let Some(manager_id) = found else {
            problems.add(r.row, "manager", Problem::NoSuchUser);
            continue;
        };
        let changes = Changes {
            manager_id: Some(Some(manager_id)),
            ..Changes::default()
        };
        let id = *id;
        let result = write_tx(tx, |t| {
            let before = users::get(t, id)?;
            let after = change_person(t, me.id, id, &changes, None)?;
            Ok(!same(&before, &after))
        });
        match result {
            Ok(true) => {
                touched.insert(id);
            }
            Ok(false) => {}
            Err(error) => into_row(&mut problems, r.row, error)?,
        }
    }
    problems.into_result()?;
    // A new person given a manager was created, not updated.
    outcome.updated = touched.difference(&created_ids).count();
    outcome.unchanged = placed.len() - outcome.created - outcome.updated;
    Ok(outcome)
}
