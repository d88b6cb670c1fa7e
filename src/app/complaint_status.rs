//! The customer's status link (`/c/{token}`): without sign-in, what the customer may know of
//! their complaint: its state, the holding department's name, when it was received and the
//! last step. Never a staff name, an internal note or a score. The link stops working
//! [`LINK_DAYS`] days after the complaint was resolved.

use chrono::{Duration, NaiveDateTime};

use super::App;
use crate::domain::complaint::{EventKind, State};
use crate::domain::user::Locale;
use crate::error::AppError;
use crate::store::{complaints, departments, now};

/// Days after its resolution that a status link still works.
pub const LINK_DAYS: i64 = 30;

/// What the customer's page shows (times in the company's zone).
#[derive(Debug, Clone)]
pub struct CustomerStatus {
    pub locale: Locale,
    pub state: State,
    pub department: String,
    pub received_at: NaiveDateTime,
    /// The last step the customer may know of, and when.
    pub last_step: (EventKind, NaiveDateTime),
}

/// Steps a customer is told of (escalations, reminders and priorities are internal).
fn told(kind: EventKind) -> bool {
    !matches!(
        kind,
        EventKind::Reminded | EventKind::Escalated | EventKind::PriorityChanged
    )
}

/// A link's secret looks like one the service makes: 22 URL-safe characters.
fn well_formed(token: &str) -> bool {
    token.len() == 22
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl App {
    /// The status a link shows, or None (a guessed or expired link: the page answers 404).
    pub async fn complaint_status(
        &self,
        token: String,
    ) -> Result<Option<CustomerStatus>, AppError> {
        if !well_formed(&token) {
            return Ok(None);
        }
        let time = self.time.clone();
        self.db
            .run(move |conn| {
                let Some(complaint) = complaints::by_token(conn, &token)? else {
                    return Ok(None);
                };
                let state = complaint.state()?;
                if matches!(state, State::Resolved | State::Closed) {
                    let resolved = complaint.resolved_at.unwrap_or(complaint.updated_at);
                    if now() > resolved + Duration::days(LINK_DAYS) {
                        return Ok(None);
                    }
                }
                let last = complaints::events(conn, complaint.id)?
                    .into_iter()
                    .filter_map(|e| e.kind().ok().filter(|k| told(*k)).map(|k| (k, e.at)))
                    .next_back()
                    .unwrap_or((EventKind::Received, complaint.received_at));
                Ok(Some(CustomerStatus {
                    locale: Locale::of(&complaint.customer_locale),
                    state,
                    department: departments::get(conn, complaint.department_id)?.name,
                    received_at: time.local(complaint.received_at),
                    last_step: (last.0, time.local(last.1)),
                }))
            })
            .await
    }
}
