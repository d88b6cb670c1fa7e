//! Complaints, their history and what their limits charged to whom (migration 15). Who may
//! see one is decided here in SQL for lists ([`visible_to`]) and by `domain` rules in the
//! use case for one; the verdicts on the limits come from `domain::complaint`.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::secret_digest as digest;
use super::users::User;
use super::{now, Page, Paged};
use crate::db::schema::{complaint_charges, complaint_events, complaints, users};
use crate::db::DbConn;
use crate::domain::complaint::{EventKind, Holder, State};
use crate::domain::sla::Priority;
use crate::domain::user::Role;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = complaints)]
pub struct Complaint {
    pub id: i32,
    pub external_ref: Option<String>,
    pub received_at: NaiveDateTime,
    pub received_on: chrono::NaiveDate,
    pub channel: String,
    pub priority: String,
    pub summary: String,
    pub customer_ref: Option<String>,
    pub customer_locale: String,
    pub department_id: i32,
    pub employee_id: Option<i32>,
    pub logged_by: Option<i32>,
    pub state: String,
    pub first_response_at: Option<NaiveDateTime>,
    pub resolved_at: Option<NaiveDateTime>,
    pub escalation_level: i32,
    pub escalated_at: Option<NaiveDateTime>,
    pub follow_up_rating: Option<i32>,
    #[serde(skip)]
    pub status_token_hash: String,
    pub next_check_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Complaint {
    pub fn state(&self) -> Result<State, AppError> {
        self.state.parse().map_err(AppError::internal)
    }

    pub fn priority(&self) -> Result<Priority, AppError> {
        self.priority.parse().map_err(AppError::internal)
    }

    pub fn holder(&self) -> Holder {
        Holder {
            department_id: self.department_id,
            employee_id: self.employee_id,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = complaint_events)]
pub struct Event {
    pub id: i64,
    pub complaint_id: i32,
    pub kind: String,
    pub at: NaiveDateTime,
    pub actor_id: Option<i32>,
    pub to_department_id: Option<i32>,
    pub to_employee_id: Option<i32>,
    pub priority: Option<String>,
    pub rating: Option<i32>,
    pub level: Option<i32>,
    pub note: Option<String>,
}

impl Event {
    pub fn kind(&self) -> Result<EventKind, AppError> {
        self.kind.parse().map_err(AppError::internal)
    }
}

/// A complaint to write (checked by the use case).
#[derive(Debug, Clone)]
pub struct NewComplaint {
    pub external_ref: Option<String>,
    pub received_at: NaiveDateTime,
    /// The company's date of `received_at`.
    pub received_on: chrono::NaiveDate,
    pub channel: String,
    pub priority: Priority,
    pub summary: String,
    pub customer_ref: Option<String>,
    pub customer_locale: String,
    pub holder: Holder,
    pub logged_by: Option<i32>,
}

/// A step to write.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub kind: Option<EventKind>,
    pub at: Option<NaiveDateTime>,
    pub actor_id: Option<i32>,
    pub to: Option<Holder>,
    pub priority: Option<Priority>,
    pub rating: Option<i32>,
    pub level: Option<i32>,
    pub note: Option<String>,
}

/// A new status-link secret (128 bits, URL-safe) and the hash the table keeps.
pub fn new_status_token() -> (String, String) {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = digest(&token);
    (token, hash)
}

/// Writes a complaint and its `received` step; answers it with its status link's secret.
pub fn insert(conn: &mut DbConn, new: &NewComplaint) -> Result<(Complaint, String), AppError> {
    let (token, hash) = new_status_token();
    let at = now();
    let id: i32 = diesel::insert_into(complaints::table)
        .values((
            complaints::external_ref.eq(&new.external_ref),
            complaints::received_at.eq(new.received_at),
            complaints::received_on.eq(new.received_on),
            complaints::channel.eq(&new.channel),
            complaints::priority.eq(new.priority.as_str()),
            complaints::summary.eq(&new.summary),
            complaints::customer_ref.eq(&new.customer_ref),
            complaints::customer_locale.eq(&new.customer_locale),
            complaints::department_id.eq(new.holder.department_id),
            complaints::employee_id.eq(new.holder.employee_id),
            complaints::logged_by.eq(new.logged_by),
            complaints::state.eq(State::Open.as_str()),
            complaints::escalation_level.eq(0),
            complaints::status_token_hash.eq(hash),
            complaints::created_at.eq(at),
            complaints::updated_at.eq(at),
        ))
        .returning(complaints::id)
        .get_result(conn)?;
    let complaint = get(conn, id)?;
    add_event(
        conn,
        complaint.id,
        NewEvent {
            kind: Some(EventKind::Received),
            at: Some(new.received_at),
            actor_id: new.logged_by,
            to: Some(new.holder),
            priority: Some(new.priority),
            ..NewEvent::default()
        },
    )?;
    Ok((complaint, token))
}

pub fn add_event(conn: &mut DbConn, complaint: i32, event: NewEvent) -> Result<(), AppError> {
    let kind = event
        .kind
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("an event without a kind")))?;
    diesel::insert_into(complaint_events::table)
        .values((
            complaint_events::complaint_id.eq(complaint),
            complaint_events::kind.eq(kind.as_str()),
            complaint_events::at.eq(event.at.unwrap_or_else(now)),
            complaint_events::actor_id.eq(event.actor_id),
            complaint_events::to_department_id.eq(event.to.map(|h| h.department_id)),
            complaint_events::to_employee_id.eq(event.to.and_then(|h| h.employee_id)),
            complaint_events::priority.eq(event.priority.map(|p| p.as_str())),
            complaint_events::rating.eq(event.rating),
            complaint_events::level.eq(event.level),
            complaint_events::note.eq(event.note),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, id: i32) -> Result<Complaint, AppError> {
    Ok(complaints::table
        .find(id)
        .select(Complaint::as_select())
        .first(conn)?)
}

/// The complaint a status link's secret opens, if any.
pub fn by_token(conn: &mut DbConn, token: &str) -> Result<Option<Complaint>, AppError> {
    Ok(complaints::table
        .filter(complaints::status_token_hash.eq(digest(token)))
        .select(Complaint::as_select())
        .first(conn)
        .optional()?)
}

pub fn by_external_ref(conn: &mut DbConn, reference: &str) -> Result<Option<Complaint>, AppError> {
    Ok(complaints::table
        .filter(complaints::external_ref.eq(reference))
        .select(Complaint::as_select())
        .first(conn)
        .optional()?)
}

/// The complaints logged under these references (chunked: an import may name thousands).
pub fn by_external_refs(
    conn: &mut DbConn,
    references: &[String],
) -> Result<std::collections::HashMap<String, Complaint>, AppError> {
    let mut found = std::collections::HashMap::new();
    for chunk in references.chunks(super::LOOKUP_CHUNK) {
        let rows: Vec<Complaint> = complaints::table
            .filter(complaints::external_ref.eq_any(chunk))
            .select(Complaint::as_select())
            .load(conn)?;
        found.extend(
            rows.into_iter()
                .filter_map(|c| c.external_ref.clone().map(|r| (r, c))),
        );
    }
    Ok(found)
}

/// The history, in order.
pub fn events(conn: &mut DbConn, id: i32) -> Result<Vec<Event>, AppError> {
    Ok(complaint_events::table
        .filter(complaint_events::complaint_id.eq(id))
        .order((complaint_events::at, complaint_events::id))
        .select(Event::as_select())
        .load(conn)?)
}

/// Where a complaint stands after a step.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = complaints)]
pub struct Standing {
    pub state: String,
    pub priority: String,
    pub department_id: i32,
    /// `Some(None)`: nobody named.
    pub employee_id: Option<Option<i32>>,
    pub first_response_at: Option<Option<NaiveDateTime>>,
    pub resolved_at: Option<Option<NaiveDateTime>>,
    pub follow_up_rating: Option<Option<i32>>,
    pub updated_at: NaiveDateTime,
}

impl Standing {
    /// The complaint as it stands, in `state` from `at` on; a step sets what it changes.
    pub fn after(complaint: &Complaint, state: State, at: NaiveDateTime) -> Standing {
        Standing {
            state: state.as_str().to_owned(),
            priority: complaint.priority.clone(),
            department_id: complaint.department_id,
            employee_id: None,
            first_response_at: None,
            resolved_at: None,
            follow_up_rating: None,
            updated_at: at,
        }
    }
}

pub fn set_standing(conn: &mut DbConn, id: i32, standing: &Standing) -> Result<(), AppError> {
    diesel::update(complaints::table.find(id))
        .set(standing)
        .execute(conn)?;
    Ok(())
}

/// What the escalation check recorded: the level reached (and when level 1 was), and when
/// to look again.
pub fn set_check(
    conn: &mut DbConn,
    id: i32,
    level: i32,
    escalated_at: Option<NaiveDateTime>,
    next_check_at: Option<NaiveDateTime>,
) -> Result<(), AppError> {
    diesel::update(complaints::table.find(id))
        .set((
            complaints::escalation_level.eq(level),
            complaints::escalated_at.eq(escalated_at),
            complaints::next_check_at.eq(next_check_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The complaints the check must look at now, oldest due first (through the due index).
pub fn due(conn: &mut DbConn, at: NaiveDateTime, limit: i64) -> Result<Vec<i32>, AppError> {
    Ok(complaints::table
        .filter(complaints::next_check_at.le(at))
        .order((complaints::next_check_at, complaints::id))
        .select(complaints::id)
        .limit(limit)
        .load(conn)?)
}

/// After a change of policy, every complaint that is still running is looked at again.
pub fn check_all_running(conn: &mut DbConn) -> Result<usize, AppError> {
    Ok(diesel::update(
        complaints::table.filter(
            complaints::state.eq_any([State::Open.as_str(), State::WaitingCustomer.as_str()]),
        ),
    )
    .set(complaints::next_check_at.eq(now()))
    .execute(conn)?)
}

/// One item a limit charged: (employee, item, earned).
pub type Charge = (i32, &'static str, bool);

/// Replaces what the complaint's limits charged to whom; answers whether it changed.
pub fn replace_charges(conn: &mut DbConn, id: i32, charges: &[Charge]) -> Result<bool, AppError> {
    let mut before: Vec<(i32, String, bool)> = complaint_charges::table
        .filter(complaint_charges::complaint_id.eq(id))
        .select((
            complaint_charges::employee_id,
            complaint_charges::item,
            complaint_charges::earned,
        ))
        .load(conn)?;
    let mut after: Vec<(i32, String, bool)> = charges
        .iter()
        .map(|&(e, item, earned)| (e, item.to_owned(), earned))
        .collect();
    before.sort();
    after.sort();
    after.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    if before == after {
        return Ok(false);
    }
    diesel::delete(complaint_charges::table.filter(complaint_charges::complaint_id.eq(id)))
        .execute(conn)?;
    let mut seen = std::collections::HashSet::new();
    for &(employee, item, earned) in charges {
        if !seen.insert((employee, item)) {
            continue;
        }
        diesel::insert_into(complaint_charges::table)
            .values((
                complaint_charges::complaint_id.eq(id),
                complaint_charges::employee_id.eq(employee),
                complaint_charges::item.eq(item),
                complaint_charges::earned.eq(earned),
            ))
            .execute(conn)?;
    }
    Ok(true)
}

/// The active supervisors of a department (who answer for what it holds without a named
/// person).
pub fn department_supervisors(conn: &mut DbConn, department: i32) -> Result<Vec<i32>, AppError> {
    Ok(users::table
        .filter(users::department_id.eq(department))
        .filter(users::role.eq(Role::Supervisor.as_str()))
        .filter(users::active.eq(true))
        .order(users::id)
        .select(users::id)
        .load(conn)?)
}

/// What a list may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<State>,
    pub department_id: Option<i32>,
    /// Only what the viewer holds (themself, or as a supervisor of the holding department).
    pub held: bool,
    /// Only those escalated and not resolved yet (a supervisor's escalations).
    pub escalated: bool,
}

type Boxed<'a> = complaints::BoxedQuery<'a, <DbConn as diesel::Connection>::Backend>;

/// The complaints `viewer` may see: HR all; others what they logged or hold; a supervisor
/// also what their department holds and what their direct reports hold or logged (a report's
/// missed limit is escalated to them even after a hand-off).
fn visible_to(viewer: &User) -> Boxed<'static> {
    let query = complaints::table.into_boxed();
    if viewer.role == Role::Hr {
        return query;
    }
    let own = complaints::logged_by
        .eq(viewer.id)
        .or(complaints::employee_id.eq(viewer.id));
    if viewer.role == Role::Supervisor {
        let reports = || {
            users::table
                .filter(users::manager_id.eq(viewer.id))
                .select(users::id)
        };
        query.filter(
            own.or(complaints::department_id.eq(viewer.department_id))
                .or(complaints::employee_id.eq_any(reports().nullable()))
                .or(complaints::logged_by.eq_any(reports().nullable())),
        )
    } else {
        query.filter(own)
    }
}

fn narrowed(viewer: &User, filter: &Filter) -> Boxed<'static> {
    let mut query = visible_to(viewer);
    if let Some(state) = filter.state {
        query = query.filter(complaints::state.eq(state.as_str()));
    }
    if let Some(department) = filter.department_id {
        query = query.filter(complaints::department_id.eq(department));
    }
    if filter.escalated {
        query = query.filter(complaints::escalation_level.gt(0)).filter(
            complaints::state.eq_any([State::Open.as_str(), State::WaitingCustomer.as_str()]),
        );
    }
    if filter.held {
        query = match viewer.role {
            Role::Supervisor => query.filter(
                complaints::employee_id
                    .eq(viewer.id)
                    .or(complaints::department_id
                        .eq(viewer.department_id)
                        .and(complaints::employee_id.is_null())),
            ),
            _ => query.filter(complaints::employee_id.eq(viewer.id)),
        };
    }
    query
}

/// A page of the complaints `viewer` may see, newest first.
pub fn list_for(
    conn: &mut DbConn,
    viewer: &User,
    filter: &Filter,
    page: Page,
) -> Result<Paged<Complaint>, AppError> {
    let total: i64 = narrowed(viewer, filter).count().get_result(conn)?;
    let items = narrowed(viewer, filter)
        .order((complaints::received_at.desc(), complaints::id.desc()))
        .limit(page.limit)
        .offset(page.offset)
        .select(Complaint::as_select())
        .load(conn)?;
    Ok(Paged { items, total })
}

/// Whether `viewer` may see complaint `id`.
pub fn visible(conn: &mut DbConn, viewer: &User, id: i32) -> Result<bool, AppError> {
    let found: i64 = visible_to(viewer)
        .filter(complaints::id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// The complaints received in `[start, end]` (company dates), oldest first.
pub fn of_period(
    conn: &mut DbConn,
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
) -> Result<Vec<Complaint>, AppError> {
    Ok(complaints::table
        .filter(complaints::received_on.between(start, end))
        .order(complaints::id)
        .select(Complaint::as_select())
        .load(conn)?)
}

/// The histories of `ids`, each in order.
pub fn events_of(
    conn: &mut DbConn,
    ids: &[i32],
) -> Result<std::collections::HashMap<i32, Vec<Event>>, AppError> {
    let mut by_complaint: std::collections::HashMap<i32, Vec<Event>> =
        std::collections::HashMap::new();
    for chunk in ids.chunks(super::LOOKUP_CHUNK) {
        let found: Vec<Event> = complaint_events::table
            .filter(complaint_events::complaint_id.eq_any(chunk))
            .order((
                complaint_events::complaint_id,
                complaint_events::at,
                complaint_events::id,
            ))
            .select(Event::as_select())
            .load(conn)?;
        for e in found {
            by_complaint.entry(e.complaint_id).or_default().push(e);
        }
    }
    Ok(by_complaint)
}
