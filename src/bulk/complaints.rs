//! Complaints from a helpdesk: the rows of its export (docs/PRODUCT.md §10, §12), read like
//! every other bulk body and checked cell by cell; `app::complaint_import` applies them.
//! A row may already carry the first response, the resolution and the customer's
//! follow-up rating.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::people::sheet_locale;
use super::{parse_rows, Parsed, RowReader, Spec, Upload, PERSON_COLUMNS};
use crate::domain::complaint::{CHANNEL_MAX, REF_MAX, SUMMARY_MAX};
use crate::domain::problem::Problem;
use crate::domain::sheet_time::parse_sheet_instant;
use crate::domain::sla::Priority;
use crate::domain::text::{free_text, required_text};
use crate::domain::user::{Locale, PersonRef};

/// The holding department, as a row names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepartmentRef {
    Id(i32),
    Name(String),
}

/// A complaint as a helpdesk's row has it. Times are UTC.
#[derive(Debug, Clone)]
pub struct ComplaintRow {
    pub row: usize,
    pub external_ref: String,
    pub received_at: NaiveDateTime,
    pub channel: String,
    /// None when the row leaves it out (a new complaint's is then `normal`).
    pub priority: Option<Priority>,
    pub summary: String,
    pub customer_ref: Option<String>,
    pub customer_locale: Locale,
    pub department: DepartmentRef,
    /// The responsible person, if the row names one (then `name` may be given to check).
    pub person: Option<PersonRef>,
    pub name: Option<String>,
    pub first_response_at: Option<NaiveDateTime>,
    pub resolved_at: Option<NaiveDateTime>,
    pub follow_up_rating: Option<i32>,
}

/// The columns in a template's order.
pub const COMPLAINT_COLUMNS: [&str; 13] = [
    "external_ref",
    "received_at",
    "channel",
    "priority",
    "summary",
    "customer_ref",
    "department",
    "employee_number",
    "display_name",
    "first_response_at",
    "resolved_at",
    "follow_up_rating",
    "customer_locale",
];

/// Reads every row. Times without a zone are the company's (`zone`); whether they lie in
/// the future or too far back is the use case's to say (it reads the clock).
pub fn complaints(upload: &Upload, zone: chrono_tz::Tz) -> Parsed<ComplaintRow> {
    let known: Vec<&str> = COMPLAINT_COLUMNS
        .iter()
        .chain(&["department_id", "employee_id", "email"])
        .copied()
        .collect();
    let spec = Spec {
        known: &known,
        required: &[
            &["external_ref"],
            &["received_at"],
            &["channel"],
            &["summary"],
            &["department", "department_id"],
        ],
        // A totals row names no complaint.
        person: &["external_ref"],
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    parse_rows(upload, &spec, |r| {
        let external_ref = r
            .text("external_ref")
            .and_then(|x| r.check("external_ref", required_text(&x, REF_MAX)));
        if let Some(x) = &external_ref {
            if seen.insert(x.clone(), r.number()).is_some() {
                r.fail("external_ref", Problem::Twice);
            }
        }
        let received_at = instant(r, "received_at", zone);
        let channel = r
            .text("channel")
            .and_then(|c| r.check("channel", required_text(&c, CHANNEL_MAX)));
        let priority = match r.optional_text("priority") {
            Some(Some(p)) => r.check("priority", sheet_priority(&p)).map(Some),
            Some(None) => Some(None),
            None => None,
        };
        let summary = r
            .text("summary")
            .and_then(|s| r.check("summary", required_text(&s, SUMMARY_MAX)));
        let customer_ref = r
            .optional_text("customer_ref")
            .and_then(|c| r.check("customer_ref", free_text(c.as_deref(), REF_MAX)));
        let customer_locale = match r.optional_text("customer_locale") {
            Some(Some(l)) => r.check("customer_locale", sheet_locale(&l)),
            Some(None) => Some(Locale::ZhCn),
            None => None,
        };
        let department = match (r.has("department"), r.has("department_id")) {
            (true, true) => {
                r.fail(
                    "department_id",
                    Problem::BothGiven {
                        first: "department",
                        second: "department_id",
                    },
                );
                None
            }
            (false, true) => r.id("department_id").map(DepartmentRef::Id),
            _ => r
                .text("department")
                .map(|d| DepartmentRef::Name(d.trim().to_owned())),
        };
        let person = if PERSON_COLUMNS.iter().any(|c| r.has(c)) {
            r.person().map(Some)
        } else {
            Some(None)
        };
        let name = r.optional_text("display_name");
        let first_response_at = optional_instant(r, "first_response_at", zone);
        let resolved_at = optional_instant(r, "resolved_at", zone);
        let follow_up_rating = if r.has("follow_up_rating") {
            r.int("follow_up_rating").and_then(|v| {
                r.check(
                    "follow_up_rating",
                    (1..=5)
                        .contains(&v)
                        .then_some(v as i32)
                        .ok_or(Problem::OutOfRange { min: 1, max: 5 }),
                )
                .map(Some)
            })
        } else {
            Some(None)
        };
        // The times in the order they happen.
        if let (Some(received), Some(Some(first))) = (received_at, first_response_at) {
            if first < received {
                r.fail(
                    "first_response_at",
                    Problem::EarlierThan {
                        column: "received_at",
                    },
                );
            }
        }
        if let (Some(received), Some(Some(resolved))) = (received_at, resolved_at) {
            if resolved < received {
                r.fail(
                    "resolved_at",
                    Problem::EarlierThan {
                        column: "received_at",
                    },
                );
            }
        }
        if let (Some(Some(first)), Some(Some(resolved))) = (first_response_at, resolved_at) {
            if resolved < first {
                r.fail(
                    "resolved_at",
                    Problem::EarlierThan {
                        column: "first_response_at",
                    },
                );
            }
        }
        if let (Some(Some(_)), Some(None)) = (follow_up_rating, resolved_at) {
            r.fail("follow_up_rating", Problem::FollowUpNeedsResolution);
        }
        Some(ComplaintRow {
            row: r.number(),
            external_ref: external_ref?,
            received_at: received_at?,
            channel: channel?,
            priority: priority?,
            summary: summary?,
            customer_ref: customer_ref?,
            customer_locale: customer_locale?,
            department: department?,
            person: person?,
            name: name?.filter(|n| !n.is_empty()),
            first_response_at: first_response_at?,
            resolved_at: resolved_at?,
            follow_up_rating: follow_up_rating?,
        })
    })
}

/// A time cell, read in the company's zone when it names none.
fn instant(r: &mut RowReader, column: &str, zone: chrono_tz::Tz) -> Option<NaiveDateTime> {
    let text = r.text(column)?;
    r.check(
        column,
        parse_sheet_instant(&text, zone).map(|at| at.naive_utc()),
    )
}

/// A time cell that may be empty.
fn optional_instant(
    r: &mut RowReader,
    column: &str,
    zone: chrono_tz::Tz,
) -> Option<Option<NaiveDateTime>> {
    if r.has(column) {
        instant(r, column, zone).map(Some)
    } else {
        Some(None)
    }
}

/// A priority as a sheet names it: the code, or 低 / 普通 / 高 / 紧急.
fn sheet_priority(text: &str) -> Result<Priority, Problem> {
    match text.trim() {
        "低" => Ok(Priority::Low),
        "普通" | "一般" | "中" => Ok(Priority::Normal),
        "高" => Ok(Priority::High),
        "紧急" | "特急" => Ok(Priority::Urgent),
        other => other
            .to_ascii_lowercase()
            .parse::<Priority>()
            .map_err(|_| Problem::OneOf {
                options: <Priority as strum::VariantNames>::VARIANTS,
            }),
    }
}
