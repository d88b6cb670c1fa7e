//! Complaints (docs/PRODUCT.md, "Service recovery"): anyone at the desk logs one; the
//! holder, its supervisors and HR move it on (answer, hand off, wait for the customer,
//! resume, resolve, change its priority); the one who logged it may also reopen it and take
//! the customer's follow-up. Everyone else gets 404.
//!
//! Every change ends with `complaint_check::settle`, which the escalation check also runs: it asks the
//! domain how each limit stands, rewrites what the limits charged to whom (the
//! responsiveness component sums that), queues the reminder and escalation notices that are
//! due (once each: their keys), and notes when to look again (`next_check_at`).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::App;
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::business_time::Calendar;
use crate::domain::complaint::{
    within_reach, Action, EventKind, History, Holder, Limit, LimitView, Outcome, State, Step,
};
use crate::domain::problem::Problem;
use crate::domain::sla::{Priority, SlaPolicy};
use crate::domain::text::{free_text, free_text_schema, required_text, required_text_schema};
use crate::domain::user::{Locale, Role};
use crate::error::{AppError, FieldErrors};
use crate::store::complaints::{self, Complaint, Event, NewComplaint, NewEvent};
use crate::store::users::{self, User};
use crate::store::{departments, now, sla, Page, Paged};

pub use crate::domain::complaint::{CHANNEL_MAX, NOTE_MAX, REF_MAX, SUMMARY_MAX};

/// A complaint as the desk takes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComplaintInput {
    /// When the customer complained (RFC 3339 with its zone); now when absent. Not in the
    /// future.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub received_at: Option<String>,
    /// How it came in: counter, phone, online, wechat, …
    #[schema(schema_with = required_text_schema::<CHANNEL_MAX>)]
    pub channel: String,
    /// `normal` when absent.
    #[serde(default)]
    pub priority: Option<Priority>,
    #[schema(schema_with = required_text_schema::<SUMMARY_MAX>)]
    pub summary: String,
    /// The customer's own reference (an order or phone number); never shown on the
    /// customer's status page.
    #[serde(default)]
    #[schema(schema_with = free_text_schema::<REF_MAX>)]
    pub customer_ref: Option<String>,
    /// The language of the customer's status page; zh-CN when absent.
    #[serde(default)]
    pub customer_locale: Option<Locale>,
    /// The department that must act; the caller's own when absent (and then the caller
    /// holds it).
    #[serde(default)]
    #[schema(minimum = 1)]
    pub department_id: Option<i32>,
    /// The person in that department who must act; when absent, its supervisors answer.
    #[serde(default)]
    #[schema(minimum = 1)]
    pub employee_id: Option<i32>,
    /// A helpdesk's own id: logging the same one again answers the complaint already
    /// logged (200) instead of a second one.
    #[serde(default)]
    #[schema(schema_with = free_text_schema::<REF_MAX>)]
    pub external_ref: Option<String>,
}

/// One step done to a complaint.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    pub kind: Action,
    /// For `hand_off`: the department that must act now (the person's when absent).
    #[serde(default)]
    #[schema(minimum = 1)]
    pub to_department_id: Option<i32>,
    /// For `hand_off`: the person who must act now (optional).
    #[serde(default)]
    #[schema(minimum = 1)]
    pub to_employee_id: Option<i32>,
    /// For `change_priority`.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// For `follow_up`: the customer's rating, 1–5.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    pub rating: Option<i32>,
    /// An internal note (never shown to the customer).
    #[serde(default)]
    #[schema(schema_with = free_text_schema::<NOTE_MAX>)]
    pub note: Option<String>,
}

/// How one limit stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LimitStatus {
    pub limit: Limit,
    /// The limit, in working minutes.
    pub minutes: i64,
    /// Working minutes run until it was met, or until now.
    pub used_minutes: i64,
    /// When it passes or passed; null while the complaint waits for the customer.
    pub due_at: Option<DateTime<Utc>>,
    pub met_at: Option<DateTime<Utc>>,
    pub outcome: Outcome,
}

/// A step of the history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i32>,
    pub to_department_id: Option<i32>,
    pub to_employee_id: Option<i32>,
    pub priority: Option<String>,
    pub rating: Option<i32>,
    /// For `escalated`: the level reached.
    pub level: Option<i32>,
    pub note: Option<String>,
}

/// A complaint, with how its limits stand (and its history where asked for).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplaintView {
    pub id: i32,
    pub external_ref: Option<String>,
    pub received_at: DateTime<Utc>,
    pub channel: String,
    pub priority: Priority,
    pub summary: String,
    pub customer_ref: Option<String>,
    pub customer_locale: String,
    /// The holding department.
    pub department_id: i32,
    pub department_name: String,
    /// The responsible person, if one is named.
    pub employee_id: Option<i32>,
    pub logged_by: Option<i32>,
    pub state: State,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// 0 none, 1 the holder's supervisor told, 2 HR told.
    pub escalation_level: i32,
    pub follow_up_rating: Option<i32>,
    pub limits: Vec<LimitStatus>,
    /// Only in the answer that logged it: the customer's read-only status link (it cannot
    /// be shown again).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_url: Option<String>,
    /// Only on `GET /complaints/{id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventView>>,
    /// Only on `GET /complaints/{id}`: the people the complaint and its history mention.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<Vec<PersonName>>,
}

/// A person a complaint mentions, by id.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonName {
    pub id: i32,
    pub name: String,
}

/// What the limits are measured by: the working hours as they changed, and the limits per
/// priority now.
pub struct Rules {
    pub calendar: Calendar,
    pub policy: SlaPolicy,
    pub warn_percent: u8,
}

impl Rules {
    pub fn load(
        conn: &mut DbConn,
        zone: chrono_tz::Tz,
        warn_percent: u8,
    ) -> Result<Rules, AppError> {
        let mut policy = SlaPolicy::default_policy();
        let mut calendar = Calendar::new(policy.hours(zone));
        for (from, changed) in sla::history(conn)? {
            calendar.change(from.and_utc(), changed.hours(zone));
            policy = changed;
        }
        Ok(Rules {
            calendar,
            policy,
            warn_percent,
        })
    }
}

pub(crate) fn history_of(complaint: &Complaint, events: &[Event]) -> Result<History, AppError> {
    let mut first_holder = complaint.holder();
    let mut steps = Vec::with_capacity(events.len());
    for e in events {
        let kind = e.kind()?;
        let holder = e.to_department_id.map(|department_id| Holder {
            department_id,
            employee_id: e.to_employee_id,
        });
        if kind == EventKind::Received {
            if let Some(h) = holder {
                first_holder = h;
            }
            continue;
        }
        steps.push(Step {
            at: e.at.and_utc(),
            kind,
            holder,
        });
    }
    Ok(History {
        received_at: complaint.received_at.and_utc(),
        first_holder,
        steps,
    })
}

fn limit_status(view: &LimitView) -> LimitStatus {
    LimitStatus {
        limit: view.limit,
        minutes: view.minutes,
        used_minutes: view.used_minutes,
        due_at: view.due_at,
        met_at: view.met_at,
        outcome: view.outcome,
    }
}

fn view_of(
    conn: &mut DbConn,
    complaint: &Complaint,
    events: &[Event],
    rules: &Rules,
    with_events: bool,
) -> Result<ComplaintView, AppError> {
    let priority = complaint.priority()?;
    let history = history_of(complaint, events)?;
    let limits = history.assess(
        &rules.calendar,
        rules.policy.priorities.of(priority),
        crate::domain::clock::now(),
    );
    let department = departments::get(conn, complaint.department_id)?;
    let names = if with_events {
        let ids: Vec<i32> = events
            .iter()
            .flat_map(|e| [e.actor_id, e.to_employee_id])
            .chain([complaint.employee_id, complaint.logged_by])
            .flatten()
            .collect();
        let mut found: Vec<PersonName> = users::names(conn, &ids)?
            .into_iter()
            .map(|(id, name)| PersonName { id, name })
            .collect();
        found.sort_by_key(|p| p.id);
        Some(found)
    } else {
        None
    };
    let events = if with_events {
        Some(
            events
                .iter()
                .map(|e| {
                    Ok(EventView {
                        kind: e.kind()?,
                        at: e.at.and_utc(),
                        actor_id: e.actor_id,
                        to_department_id: e.to_department_id,
                        to_employee_id: e.to_employee_id,
                        priority: e.priority.clone(),
                        rating: e.rating,
                        level: e.level,
                        note: e.note.clone(),
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?,
        )
    } else {
        None
    };
    Ok(ComplaintView {
        id: complaint.id,
        external_ref: complaint.external_ref.clone(),
        received_at: complaint.received_at.and_utc(),
        channel: complaint.channel.clone(),
        priority,
        summary: complaint.summary.clone(),
        customer_ref: complaint.customer_ref.clone(),
        customer_locale: complaint.customer_locale.clone(),
        department_id: complaint.department_id,
        department_name: department.name,
        employee_id: complaint.employee_id,
        logged_by: complaint.logged_by,
        state: complaint.state()?,
        first_response_at: complaint.first_response_at.map(|t| t.and_utc()),
        resolved_at: complaint.resolved_at.map(|t| t.and_utc()),
        escalation_level: complaint.escalation_level,
        follow_up_rating: complaint.follow_up_rating,
        limits: limits.iter().map(limit_status).collect(),
        status_url: None,
        events,
        names,
    })
}

/// Reads an RFC 3339 instant, not in the future (a minute of clock difference allowed).
fn parse_instant(text: &str, now: NaiveDateTime) -> Result<NaiveDateTime, Problem> {
    let at = DateTime::parse_from_rfc3339(text.trim())
        .map_err(|_| Problem::NotInstant)?
        .with_timezone(&Utc)
        .naive_utc();
    within_reach(at, now)
}

/// The person must be an active member of the department.
fn check_member(
    conn: &mut DbConn,
    department: i32,
    employee: i32,
    field: &str,
) -> Result<(), AppError> {
    let person = match users::get(conn, employee) {
        Ok(p) => p,
        Err(AppError::NotFound) => return Err(AppError::validation(field, Problem::NoSuchUser)),
        Err(e) => return Err(e),
    };
    if !person.active || person.department_id != department {
        return Err(AppError::validation(field, Problem::NotInDepartment));
    }
    Ok(())
}

fn check_department(conn: &mut DbConn, department: i32, field: &str) -> Result<(), AppError> {
    if departments::exists(conn, department)? {
        Ok(())
    } else {
        Err(AppError::validation(field, Problem::NoSuchDepartment))
    }
}

/// May `me` move the complaint on: HR; the responsible person; a supervisor of the holding
/// department or of the responsible person.
fn may_act(conn: &mut DbConn, me: &User, complaint: &Complaint) -> Result<bool, AppError> {
    if me.role == Role::Hr || complaint.employee_id == Some(me.id) {
        return Ok(true);
    }
    if me.role != Role::Supervisor {
        return Ok(false);
    }
    if complaint.department_id == me.department_id {
        return Ok(true);
    }
    match complaint.employee_id {
        Some(id) => Ok(users::get(conn, id)?.manager_id == Some(me.id)),
        None => Ok(false),
    }
}

struct Parsed {
    received_at: NaiveDateTime,
    channel: String,
    priority: Priority,
    summary: String,
    customer_ref: Option<String>,
    customer_locale: Locale,
    department_id: Option<i32>,
    employee_id: Option<i32>,
    external_ref: Option<String>,
}

/// An id, where given, is positive.
fn positive_id(errors: &mut FieldErrors, field: &str, id: Option<i32>) {
    if id.is_some_and(|id| id < 1) {
        errors.add(field, Problem::NotPositiveId);
    }
}

impl NewComplaintInput {
    fn parse(&self, now: NaiveDateTime) -> Result<Parsed, AppError> {
        let mut errors = FieldErrors::new();
        positive_id(&mut errors, "department_id", self.department_id);
        positive_id(&mut errors, "employee_id", self.employee_id);
        let received_at = match &self.received_at {
            Some(text) => errors.take("received_at", parse_instant(text, now)),
            None => Some(now),
        };
        let channel = errors.take("channel", required_text(&self.channel, CHANNEL_MAX));
        let summary = errors.take("summary", required_text(&self.summary, SUMMARY_MAX));
        let customer_ref = errors
            .take(
                "customer_ref",
                free_text(self.customer_ref.as_deref(), REF_MAX),
            )
            .flatten();
        let external_ref = errors
            .take(
                "external_ref",
                free_text(self.external_ref.as_deref(), REF_MAX),
            )
            .flatten();
        errors.into_result()?;
        Ok(Parsed {
            received_at: received_at.expect("parsed"),
            channel: channel.expect("parsed"),
            priority: self.priority.unwrap_or(Priority::Normal),
            summary: summary.expect("parsed"),
            customer_ref,
            customer_locale: self.customer_locale.unwrap_or(Locale::ZhCn),
            department_id: self.department_id,
            employee_id: self.employee_id,
            external_ref,
        })
    }
}

impl App {
    fn rules(&self, conn: &mut DbConn) -> Result<Rules, AppError> {
        Rules::load(conn, self.time.zone(), self.complaints.warn_percent)
    }

    /// Logs a complaint (anyone signed in). Answers it, with the customer's status link,
    /// and whether it was new (false: its `external_ref` was logged before).
    pub async fn log_complaint(
        &self,
        caller: &Caller,
        input: NewComplaintInput,
    ) -> Result<(ComplaintView, bool), AppError> {
        let app = self.clone();
        self.write(caller, move |tx, me| {
            // The instant is read here, on the service's clock (`Db::run`).
            let parsed = input.parse(now())?;
            if let Some(reference) = &parsed.external_ref {
                if let Some(existing) = complaints::by_external_ref(tx, reference)? {
                    if !complaints::visible(tx, me, existing.id)? {
                        return Err(AppError::Conflict(Problem::ReferenceTaken));
                    }
                    let rules = app.rules(tx)?;
                    let events = complaints::events(tx, existing.id)?;
                    return Ok((view_of(tx, &existing, &events, &rules, false)?, false));
                }
            }
            let holder = match parsed.department_id {
                None => Holder {
                    department_id: me.department_id,
                    employee_id: Some(parsed.employee_id.unwrap_or(me.id)),
                },
                Some(department_id) => Holder {
                    department_id,
                    employee_id: parsed.employee_id,
                },
            };
            check_department(tx, holder.department_id, "department_id")?;
            if let Some(employee) = holder.employee_id {
                check_member(tx, holder.department_id, employee, "employee_id")?;
            }
            let (complaint, token) = complaints::insert(
                tx,
                &NewComplaint {
                    external_ref: parsed.external_ref.clone(),
                    received_at: parsed.received_at,
                    received_on: app.time.local(parsed.received_at).date(),
                    channel: parsed.channel.clone(),
                    priority: parsed.priority,
                    summary: parsed.summary.clone(),
                    customer_ref: parsed.customer_ref.clone(),
                    customer_locale: parsed.customer_locale.as_str().to_owned(),
                    holder,
                    logged_by: Some(me.id),
                },
            )?;
            let rules = app.rules(tx)?;
            super::complaint_check::settle(tx, complaint.id, &rules, now())?;
            let complaint = complaints::get(tx, complaint.id)?;
            let events = complaints::events(tx, complaint.id)?;
            let mut view = view_of(tx, &complaint, &events, &rules, false)?;
            view.status_url = Some(format!("/c/{token}"));
            Ok((view, true))
        })
        .await
    }

    /// One complaint with its history (404 unless the caller may see it).
    pub async fn complaint(&self, caller: &Caller, id: i32) -> Result<ComplaintView, AppError> {
        let app = self.clone();
        self.read(caller, move |conn, me| {
            if !complaints::visible(conn, me, id)? {
                return Err(AppError::NotFound);
            }
            let complaint = complaints::get(conn, id)?;
            let events = complaints::events(conn, id)?;
            let rules = app.rules(conn)?;
            view_of(conn, &complaint, &events, &rules, true)
        })
        .await
    }

    /// The complaints the caller may see, newest first.
    pub async fn complaints(
        &self,
        caller: &Caller,
        filter: complaints::Filter,
        page: Page,
    ) -> Result<Paged<ComplaintView>, AppError> {
        let app = self.clone();
        self.read(caller, move |conn, me| {
            let found = complaints::list_for(conn, me, &filter, page)?;
            let rules = app.rules(conn)?;
            // The page's histories in one read.
            let ids: Vec<i32> = found.items.iter().map(|c| c.id).collect();
            let mut events = complaints::events_of(conn, &ids)?;
            let mut items = Vec::with_capacity(found.items.len());
            for complaint in &found.items {
                let history = events.remove(&complaint.id).unwrap_or_default();
                items.push(view_of(conn, complaint, &history, &rules, false)?);
            }
            Ok(Paged {
                items,
                total: found.total,
            })
        })
        .await
    }

    /// One step done to a complaint: 404 unless the caller may see it, 403 when it is not
    /// theirs to do, 409 when the complaint's state does not allow it.
    pub async fn complaint_event(
        &self,
        caller: &Caller,
        id: i32,
        input: EventInput,
    ) -> Result<ComplaintView, AppError> {
        // Every field as the document states it, whatever the kind uses.
        let mut errors = FieldErrors::new();
        positive_id(&mut errors, "to_department_id", input.to_department_id);
        positive_id(&mut errors, "to_employee_id", input.to_employee_id);
        if input.rating.is_some_and(|r| !(1..=5).contains(&r)) {
            errors.add("rating", Problem::OutOfRange { min: 1, max: 5 });
        }
        let note = errors
            .take("note", free_text(input.note.as_deref(), NOTE_MAX))
            .flatten();
        errors.into_result()?;
        let app = self.clone();
        self.write(caller, move |tx, me| {
            if !complaints::visible(tx, me, id)? {
                return Err(AppError::NotFound);
            }
            let complaint = complaints::get(tx, id)?;
            let action = input.kind;
            if action.holder_only() && !may_act(tx, me, &complaint)? {
                return Err(AppError::Forbidden);
            }
            let state = complaint.state()?;
            let next = action
                .next_state(state)
                .ok_or(AppError::Conflict(Problem::ComplaintNotNow { state }))?;
            let at = now();
            let mut standing = complaints::Standing::after(&complaint, next, at);
            let mut event = NewEvent {
                kind: Some(action.event()),
                at: Some(at),
                actor_id: Some(me.id),
                note: note.clone(),
                ..NewEvent::default()
            };
            match action {
                Action::Respond => {
                    if complaint.first_response_at.is_none() {
                        standing.first_response_at = Some(Some(at));
                    }
                }
                Action::Resolve => {
                    if complaint.first_response_at.is_none() {
                        standing.first_response_at = Some(Some(at));
                    }
                    standing.resolved_at = Some(Some(at));
                }
                Action::Reopen => {
                    // The customer came back: an earlier follow-up no longer stands.
                    standing.resolved_at = Some(None);
                    standing.follow_up_rating = Some(None);
                }
                Action::HandOff => {
                    let to = hand_off_target(tx, &input)?;
                    if to == complaint.holder() {
                        return Err(AppError::validation(
                            "to_department_id",
                            Problem::AlreadyHolds,
                        ));
                    }
                    standing.department_id = to.department_id;
                    standing.employee_id = Some(to.employee_id);
                    event.to = Some(to);
                }
                Action::ChangePriority => {
                    let priority = input
                        .priority
                        .ok_or_else(|| AppError::validation("priority", Problem::Required))?;
                    if priority.as_str() == complaint.priority {
                        return Err(AppError::validation("priority", Problem::PriorityUnchanged));
                    }
                    standing.priority = priority.as_str().to_owned();
                    event.priority = Some(priority);
                }
                Action::FollowUp => {
                    let rating = input
                        .rating
                        .ok_or_else(|| AppError::validation("rating", Problem::Required))?;
                    if !(1..=5).contains(&rating) {
                        return Err(AppError::validation(
                            "rating",
                            Problem::OutOfRange { min: 1, max: 5 },
                        ));
                    }
                    standing.follow_up_rating = Some(Some(rating));
                    event.rating = Some(rating);
                }
                Action::Wait | Action::Resume => {}
            }
            complaints::set_standing(tx, id, &standing)?;
            complaints::add_event(tx, id, event)?;
            let rules = app.rules(tx)?;
            super::complaint_check::settle(tx, id, &rules, at)?;
            let complaint = complaints::get(tx, id)?;
            let events = complaints::events(tx, id)?;
            view_of(tx, &complaint, &events, &rules, true)
        })
        .await
    }
}

/// Who a hand-off goes to: the department named (the person's when only a person is), and
/// the person if named, who must be an active member of it.
fn hand_off_target(conn: &mut DbConn, input: &EventInput) -> Result<Holder, AppError> {
    let department = match (input.to_department_id, input.to_employee_id) {
        (Some(d), _) => d,
        (None, Some(e)) => match users::get(conn, e) {
            Ok(person) => person.department_id,
            Err(AppError::NotFound) => {
                return Err(AppError::validation("to_employee_id", Problem::NoSuchUser))
            }
            Err(e) => return Err(e),
        },
        (None, None) => return Err(AppError::validation("to_department_id", Problem::Required)),
    };
    check_department(conn, department, "to_department_id")?;
    if let Some(employee) = input.to_employee_id {
        check_member(conn, department, employee, "to_employee_id")?;
    }
    Ok(Holder {
        department_id: department,
        employee_id: input.to_employee_id,
    })
}
