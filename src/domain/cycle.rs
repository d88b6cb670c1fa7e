//! Appraisal cycles: a period and a state that only moves forward, one step at a time.

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CycleState {
    Draft,
    Open,
    Review,
    Published,
    Archived,
}

impl CycleState {
    pub const ALL: [CycleState; 5] = [
        CycleState::Draft,
        CycleState::Open,
        CycleState::Review,
        CycleState::Published,
        CycleState::Archived,
    ];

    pub fn parse(value: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| "must be draft, open, review, published or archived".to_owned())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CycleState::Draft => "draft",
            CycleState::Open => "open",
            CycleState::Review => "review",
            CycleState::Published => "published",
            CycleState::Archived => "archived",
        }
    }

    pub fn next(self) -> Option<CycleState> {
        match self {
            CycleState::Draft => Some(CycleState::Open),
            CycleState::Open => Some(CycleState::Review),
            CycleState::Review => Some(CycleState::Published),
            CycleState::Published => Some(CycleState::Archived),
            CycleState::Archived => None,
        }
    }

    /// Why a cycle in `self` cannot move to `to` (ignoring the guards that need data).
    pub fn transition_problem(self, to: CycleState) -> Option<String> {
        match self.next() {
            Some(next) if next == to => None,
            Some(next) => Some(format!(
                "a {self} cycle can only move to {next}, not to {to}"
            )),
            None => Some(format!("an {self} cycle does not change state any more")),
        }
    }

    /// The scheme may change until the results are published.
    pub fn scheme_editable(self) -> bool {
        self < CycleState::Published
    }
}

impl fmt::Display for CycleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const CYCLE_NAME_MAX: usize = 100;
pub const MAX_PERIOD_DAYS: i64 = 366;
pub const MAX_APPEAL_WINDOW_DAYS: i32 = 90;
pub const DEFAULT_APPEAL_WINDOW_DAYS: i32 = 14;

/// A cycle's period: both ends inclusive, at most a year long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Period, String> {
        if end < start {
            return Err("period_end must not be before period_start".to_owned());
        }
        if (end - start).num_days() + 1 > MAX_PERIOD_DAYS {
            return Err(format!("a period may last at most {MAX_PERIOD_DAYS} days"));
        }
        Ok(Period { start, end })
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    pub fn overlaps(&self, other: &Period) -> bool {
        self.start <= other.end && other.start <= self.end
    }
}

/// A calendar date written exactly `YYYY-MM-DD` (RFC 3339 full-date).
pub fn parse_date(value: &str) -> Result<NaiveDate, String> {
    let shape = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shape
        .then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| "must be a date written YYYY-MM-DD".to_owned())
}

pub fn parse_appeal_window(days: i64) -> Result<i32, String> {
    if (0..=i64::from(MAX_APPEAL_WINDOW_DAYS)).contains(&days) {
        Ok(days as i32)
    } else {
        Err(format!("must be from 0 to {MAX_APPEAL_WINDOW_DAYS} days"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn states_move_forward_one_step() {
        assert_eq!(CycleState::Draft.transition_problem(CycleState::Open), None);
        assert_eq!(
            CycleState::Review.transition_problem(CycleState::Published),
            None
        );
        assert!(CycleState::Draft
            .transition_problem(CycleState::Review)
            .unwrap()
            .contains("only move to open"));
        assert!(CycleState::Open
            .transition_problem(CycleState::Draft)
            .is_some());
        assert!(CycleState::Open
            .transition_problem(CycleState::Open)
            .is_some());
        assert!(CycleState::Archived
            .transition_problem(CycleState::Draft)
            .is_some());
        assert!(CycleState::Review.scheme_editable());
        assert!(!CycleState::Published.scheme_editable());
    }

    #[test]
    fn periods_are_checked() {
        let p = Period::new(day("2026-01-01"), day("2026-03-31")).unwrap();
        assert!(p.contains(day("2026-01-01")) && p.contains(day("2026-03-31")));
        assert!(!p.contains(day("2026-04-01")));
        assert!(Period::new(day("2026-02-01"), day("2026-01-01")).is_err());
        assert!(Period::new(day("2026-01-01"), day("2027-01-01")).is_ok());
        assert!(Period::new(day("2026-01-01"), day("2027-01-02")).is_err());
        let q = Period::new(day("2026-03-31"), day("2026-04-30")).unwrap();
        assert!(p.overlaps(&q));
        let r = Period::new(day("2026-04-01"), day("2026-04-30")).unwrap();
        assert!(!p.overlaps(&r));
        assert!(parse_date("2026-13-01").is_err());
        assert!(parse_date("01/02/2026").is_err());
    }
}
