//! Complaints from a helpdesk (HR): the rows of its export, all or none, through the same
//! bounded readers as every upload (docs/PRODUCT.md §10, "From a helpdesk").
//!
//! A row is a complaint as it came in (its reference, receipt, channel, priority, summary,
//! holding department and responsible person) and the steps the helpdesk recorded since:
//! the first response, the resolution, the customer's follow-up rating. A new reference
//! logs the complaint with those steps. A known reference adds the steps it has that were
//! not recorded yet, after the last one recorded; a row that says otherwise than what was
//! recorded (another receipt, another first response, another department) is refused,
//! naming the column and what is recorded: nothing is overwritten. Each complaint is then
//! settled like one logged at the desk, so one whose limit has passed escalates on the
//! next check.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::complaint_check::settle;
use super::complaints::{history_of, Rules};
use super::evidence::RowProblems;
use super::App;
use crate::auth::Caller;
use crate::bulk::{self, ComplaintRow, DepartmentRef, Upload};
use crate::db::{Db, DbConn};
use crate::domain::complaint::{within_reach, Action, EventKind, Holder};
use crate::domain::department::name_key;
use crate::domain::problem::Problem;
use crate::domain::sla::Priority;
use crate::domain::user::{PersonRef, Role};
use crate::error::AppError;
use crate::store::complaints::{self, Complaint, NewComplaint, NewEvent, Standing};
use crate::store::evidence::ImportOutcome;
use crate::store::{departments, now, users};

/// A checked row: the ids it names, and what it adds to a complaint already recorded.
struct Checked {
    row: ComplaintRow,
    holder: Holder,
    existing: Option<Complaint>,
}

impl App {
    /// Imports a helpdesk's complaints, all or none: every problem of every row in one
    /// answer (422, each row as the spreadsheet numbers it).
    pub async fn import_complaints(
        &self,
        caller: &Caller,
        upload: Upload,
    ) -> Result<ImportOutcome, AppError> {
        super::allowed(caller, &[Role::Hr])?;
        if upload.is_empty() {
            return Err(AppError::validation("body", Problem::NoRows));
        }
        let zone = self.time.zone();
        let parsed = Db::blocking(move || bulk::complaints(&upload, zone)).await?;
        let app = self.clone();
        self.write(caller, move |tx, me| {
            let at = now();
            let mut problems = RowProblems::of(&parsed.problems);
            let mut checked = check(tx, parsed.rows.clone(), at, &mut problems)?;
            let rules = Rules::load(tx, zone, app.complaints.warn_percent)?;
            let plans: Vec<Vec<(Action, NaiveDateTime)>> = checked
                .iter()
                .map(|c| steps_to_add(tx, c, &app, at, &mut problems))
                .collect::<Result<_, _>>()?;
            problems.into_result()?;
            let mut outcome = ImportOutcome {
                received: checked.len(),
                ..ImportOutcome::default()
            };
            for (c, steps) in checked.iter_mut().zip(plans) {
                let id = match &c.existing {
                    Some(_) if steps.is_empty() => {
                        outcome.unchanged += 1;
                        continue;
                    }
                    Some(existing) => {
                        outcome.updated += 1;
                        existing.id
                    }
                    None => {
                        outcome.inserted += 1;
                        let (complaint, _token) = complaints::insert(
                            tx,
                            &NewComplaint {
                                external_ref: Some(c.row.external_ref.clone()),
                                received_at: c.row.received_at,
                                received_on: app.time.local(c.row.received_at).date(),
                                channel: c.row.channel.clone(),
                                priority: c.row.priority.unwrap_or(Priority::Normal),
                                summary: c.row.summary.clone(),
                                customer_ref: c.row.customer_ref.clone(),
                                customer_locale: c.row.customer_locale.as_str().to_owned(),
                                holder: c.holder,
                                logged_by: Some(me.id),
                            },
                        )?;
                        complaint.id
                    }
                };
                apply(tx, id, &c.row, &steps, me.id, at)?;
                settle(tx, id, &rules, at)?;
            }
            Ok(outcome.setting_aside(&parsed.ignored, &parsed.skipped))
        })
        .await
    }
}

/// Checks what the rows name against what is recorded: the times in reach of now, the
/// departments and people, and each known reference's complaint as received.
fn check(
    tx: &mut DbConn,
    rows: Vec<ComplaintRow>,
    at: NaiveDateTime,
    problems: &mut RowProblems,
) -> Result<Vec<Checked>, AppError> {
    let departments = departments::all(tx)?;
    let ids: HashSet<i32> = departments.iter().map(|d| d.id).collect();
    let named = DepartmentNames::of(&departments);

    let (mut numbers, mut emails) = (Vec::new(), Vec::new());
    for r in &rows {
        match &r.person {
            Some(PersonRef::Number(n)) => numbers.push(n.clone()),
            Some(PersonRef::Email(e)) => emails.push(e.clone()),
            _ => {}
        }
    }
    numbers.sort();
    numbers.dedup();
    emails.sort();
    emails.dedup();
    let (by_number, by_email) = users::ids_by_number_and_email(tx, &numbers, &emails)?;
    let references: Vec<String> = rows.iter().map(|r| r.external_ref.clone()).collect();
    let mut recorded = complaints::by_external_refs(tx, &references)?;
    let mut people = HashMap::new();

    let mut checked = Vec::with_capacity(rows.len());
    for mut row in rows {
        let n = row.row;
        let existing = recorded.remove(&row.external_ref);
        // A new complaint's times must be in reach of now (taken as now within a minute);
        // a known one's are compared with what is recorded, and the steps it adds are
        // checked when they are planned (`steps_to_add`): an old complaint re-exported
        // next year still reads.
        if existing.is_none() {
            let mut in_reach =
                |column: &str, value: &mut NaiveDateTime| match within_reach(*value, at) {
                    Ok(clamped) => *value = clamped,
                    Err(problem) => problems.add(n, column, problem),
                };
            in_reach("received_at", &mut row.received_at);
            if let Some(value) = row.first_response_at.as_mut() {
                in_reach("first_response_at", value);
            }
            if let Some(value) = row.resolved_at.as_mut() {
                in_reach("resolved_at", value);
            }
        }
        let department = match &row.department {
            DepartmentRef::Id(id) if ids.contains(id) => Some(*id),
            DepartmentRef::Id(_) => {
                problems.add(n, "department_id", Problem::NoSuchDepartment);
                None
            }
            DepartmentRef::Name(name) => match named.find(name) {
                Ok(id) => Some(id),
                Err(problem) => {
                    problems.add(n, "department", problem);
                    None
                }
            },
        };
        let employee = match &row.person {
            None => Some(None),
            Some(person) => {
                let found = match person {
                    PersonRef::Id(id) => Some(*id),
                    PersonRef::Number(number) => by_number.get(number).copied(),
                    PersonRef::Email(email) => by_email.get(email).copied(),
                };
                let user = match found {
                    Some(id) => match people.get(&id) {
                        Some(user) => Some(user),
                        None => match users::get(tx, id) {
                            Ok(user) => Some(&*people.entry(id).or_insert(user)),
                            Err(AppError::NotFound) => None,
                            Err(e) => return Err(e),
                        },
                    },
                    None => None,
                };
                match (user, department) {
                    (None, _) => {
                        problems.add(n, person.column(), Problem::NoSuchEmployee);
                        None
                    }
                    // A complaint recorded before is compared with its holder as recorded
                    // (the person may have moved on since).
                    (Some(user), Some(department))
                        if existing.is_none()
                            && (!user.active || user.department_id != department) =>
                    {
                        problems.add(n, person.column(), Problem::NotInDepartment);
                        None
                    }
                    (Some(user), _) => match &row.name {
                        Some(given) if given.trim() != user.display_name.trim() => {
                            problems.add(
                                n,
                                "display_name",
                                Problem::NameMismatch {
                                    name: user.display_name.clone(),
                                },
                            );
                            None
                        }
                        _ => Some(Some(user.id)),
                    },
                }
            }
        };
        // A row whose holder cannot be read has said its problem; its other columns are
        // still checked where they can be (a time out of reach does not hide the rest).
        let (Some(department_id), Some(employee_id)) = (department, employee) else {
            continue;
        };
        checked.push(Checked {
            holder: Holder {
                department_id,
                employee_id,
            },
            existing,
            row,
        });
    }
    Ok(checked)
}

/// The steps a row adds: for a new complaint, those it carries; for one recorded, those it
/// carries that were not recorded yet, each after the last step recorded. A row that says
/// otherwise than what was recorded is a problem of the row, and adds nothing.
fn steps_to_add(
    tx: &mut DbConn,
    c: &Checked,
    app: &App,
    now: NaiveDateTime,
    problems: &mut RowProblems,
) -> Result<Vec<(Action, NaiveDateTime)>, AppError> {
    let row = &c.row;
    let carried = [
        (Action::Respond, row.first_response_at),
        (Action::Resolve, row.resolved_at),
        (Action::FollowUp, row.follow_up_rating.and(row.resolved_at)),
    ];
    let Some(existing) = &c.existing else {
        return Ok(carried
            .into_iter()
            .filter_map(|(action, at)| at.map(|at| (action, at)))
            .collect());
    };
    let shown = |at: NaiveDateTime| app.time.local(at).format("%Y-%m-%d %H:%M:%S").to_string();
    let events = complaints::events(tx, existing.id)?;
    let history = history_of(existing, &events)?;
    let before = problems.len();
    let mut differs = |column: &str, recorded: String| {
        problems.add(row.row, column, Problem::RecordedOtherwise { recorded });
    };
    if existing.received_at != row.received_at {
        differs("received_at", shown(existing.received_at));
    }
    if existing.channel != row.channel {
        differs("channel", existing.channel.clone());
    }
    // What the row leaves out, it does not contradict; a priority changed here since is
    // not the helpdesk's to undo.
    if row
        .priority
        .is_some_and(|p| p.as_str() != existing.priority)
        && !events_have(&events, EventKind::PriorityChanged)
    {
        differs("priority", existing.priority.clone());
    }
    if existing.summary != row.summary {
        differs("summary", existing.summary.clone());
    }
    if row.customer_ref.is_some() && existing.customer_ref != row.customer_ref {
        differs(
            "customer_ref",
            existing.customer_ref.clone().unwrap_or_default(),
        );
    }
    // The holder it was given to when received (hand-offs happen here, after): its
    // department, and its person where the row names one.
    let first = history.first_holder;
    if first.department_id != c.holder.department_id {
        let column = match row.department {
            DepartmentRef::Id(_) => "department_id",
            DepartmentRef::Name(_) => "department",
        };
        differs(column, departments::get(tx, first.department_id)?.name);
    } else if let Some(person) = row
        .person
        .as_ref()
        .filter(|_| first.employee_id != c.holder.employee_id)
    {
        let recorded = match first.employee_id {
            Some(id) => users::get(tx, id)?.display_name,
            None => String::new(),
        };
        differs(person.column(), recorded);
    }
    // The steps as the history has them, whatever happened after (a reopen clears the
    // resolution's columns, not its step): the first answer, the first resolution, the
    // latest follow-up.
    let first_at = |kind: EventKind| events.iter().find(|e| e.kind == kind.as_str());
    let answered = first_at(EventKind::Responded).map(|e| e.at);
    let resolved = first_at(EventKind::Resolved).map(|e| e.at);
    let followed = events
        .iter()
        .rev()
        .find(|e| e.kind == EventKind::FollowUp.as_str())
        .and_then(|e| e.rating);
    for (column, recorded, given) in [
        ("first_response_at", answered, row.first_response_at),
        ("resolved_at", resolved, row.resolved_at),
    ] {
        if let (Some(recorded), Some(given)) = (recorded, given) {
            if recorded != given {
                differs(column, shown(recorded));
            }
        }
    }
    if let (Some(recorded), Some(given)) = (followed, row.follow_up_rating) {
        if recorded != given {
            differs("follow_up_rating", recorded.to_string());
        }
    }
    if problems.len() > before {
        return Ok(Vec::new());
    }
    // The steps not recorded yet, in order, each possible in the state it meets and after
    // the last step recorded.
    // (The check's own reminders and escalations are not steps: the helpdesk's answer may
    // come from before one.)
    let last = events
        .iter()
        .filter(|e| !matches!(e.kind(), Ok(EventKind::Reminded | EventKind::Escalated)))
        .map(|e| e.at)
        .max()
        .unwrap_or(existing.received_at);
    let mut state = existing.state()?;
    let mut steps = Vec::new();
    // A first answer the desk recorded as part of a resolution (a resolve without an answer
    // before it) is recorded; the helpdesk's own earlier time for it is not added after.
    for (action, column, recorded, given) in [
        (
            Action::Respond,
            "first_response_at",
            answered.is_some() || resolved.is_some(),
            row.first_response_at,
        ),
        (
            Action::Resolve,
            "resolved_at",
            resolved.is_some(),
            row.resolved_at,
        ),
        (
            Action::FollowUp,
            "follow_up_rating",
            followed.is_some(),
            row.follow_up_rating.and(row.resolved_at),
        ),
    ] {
        let Some(at) = given.filter(|_| !recorded) else {
            continue;
        };
        let at = match within_reach(at, now) {
            Ok(at) => at,
            Err(problem) => {
                problems.add(row.row, column, problem);
                return Ok(Vec::new());
            }
        };
        if at < last {
            problems.add(row.row, column, Problem::BeforeLastStep { at: shown(last) });
            return Ok(Vec::new());
        }
        let Some(next) = action.next_state(state) else {
            problems.add(row.row, column, Problem::ComplaintNotNow { state });
            return Ok(Vec::new());
        };
        state = next;
        steps.push((action, at));
    }
    Ok(steps)
}

fn events_have(events: &[complaints::Event], kind: EventKind) -> bool {
    events.iter().any(|e| e.kind == kind.as_str())
}

/// Writes the steps as the desk's would be written, by the one who imported them, and the
/// complaint's standing after them.
fn apply(
    tx: &mut DbConn,
    id: i32,
    row: &ComplaintRow,
    steps: &[(Action, NaiveDateTime)],
    actor: i32,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    if steps.is_empty() {
        return Ok(());
    }
    let complaint = complaints::get(tx, id)?;
    let mut state = complaint.state()?;
    let mut standing = Standing::after(&complaint, state, at);
    let mut first_response = complaint.first_response_at;
    for &(action, when) in steps {
        state = action.next_state(state).unwrap_or(state);
        let mut event = NewEvent {
            kind: Some(action.event()),
            at: Some(when),
            actor_id: Some(actor),
            ..NewEvent::default()
        };
        match action {
            Action::Respond => {
                first_response.get_or_insert(when);
            }
            Action::Resolve => {
                first_response.get_or_insert(when);
                standing.resolved_at = Some(Some(when));
            }
            Action::FollowUp => {
                standing.follow_up_rating = Some(row.follow_up_rating);
                event.rating = row.follow_up_rating;
            }
            _ => {}
        }
        complaints::add_event(tx, id, event)?;
    }
    standing.first_response_at = Some(first_response);
    standing.state = state.as_str().to_owned();
    complaints::set_standing(tx, id, &standing)?;
    Ok(())
}

/// The company's departments as a helpdesk names them: exactly, or regardless of case,
/// width and spacing (as the people file does), or by one part of a name that holds a
/// Chinese and an English name ("呼叫中心 Call Centre" is found as "呼叫中心").
struct DepartmentNames {
    /// Each name's key and its parts' keys, with the department.
    keys: Vec<(String, i32)>,
    /// The names, to list when none matches.
    all: Vec<String>,
}

impl DepartmentNames {
    fn of(departments: &[crate::store::departments::Department]) -> DepartmentNames {
        let mut keys = Vec::new();
        for d in departments {
            let key = name_key(&d.name);
            if let Some((first, rest)) = key.split_once(' ') {
                keys.push((first.to_owned(), d.id));
                keys.push((rest.to_owned(), d.id));
            }
            keys.push((key, d.id));
        }
        DepartmentNames {
            keys,
            all: departments.iter().map(|d| d.name.clone()).collect(),
        }
    }

    fn find(&self, name: &str) -> Result<i32, Problem> {
        let key = name_key(name);
        let mut found: Vec<i32> = self
            .keys
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, id)| *id)
            .collect();
        found.sort_unstable();
        found.dedup();
        match found.as_slice() {
            [id] => Ok(*id),
            [] => {
                let mut known = self
                    .all
                    .iter()
                    .take(12)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                if self.all.len() > 12 {
                    known.push('…');
                }
                Err(Problem::NoDepartmentCalled {
                    name: name.to_owned(),
                    known,
                })
            }
            _ => Err(Problem::DepartmentAmbiguous {
                name: name.to_owned(),
            }),
        }
    }
}
