//! Business time: how much of an interval falls in a company's working hours, and when a
//! number of working minutes after an instant ends (DESIGN §10: complaint time limits run
//! only while the company works). Pure: instants are UTC, the calendar is the company's zone.
//!
//! The working hours are weekdays with a start and an end (`end` may be 24:00), breaks inside
//! the day (the long Chinese lunch break), public holidays (a date that is not worked, the
//! Spring Festival week) and make-up working days (调休: a Saturday that is worked). A change
//! of hours applies from its instant on ([`Calendar`]): what was counted before it stays.
//!
//! Counting is in seconds, so that it is exactly additive over adjacent intervals; minutes are
//! whole minutes of it ([`Hours::minutes_between`]).

use std::collections::BTreeSet;

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

/// A time of day in minutes after midnight, 0 to 1440 (24:00 is the end of the day).
pub type DayMinute = u16;

/// The end of the day, as an `end`.
pub const END_OF_DAY: DayMinute = 24 * 60;

/// One set of working hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hours {
    pub zone: Tz,
    /// The weekdays worked (make-up days and holidays aside).
    pub days: Vec<Weekday>,
    pub start: DayMinute,
    pub end: DayMinute,
    /// Times inside the day that do not count, as `(from, to)`; kept sorted and apart.
    pub breaks: Vec<(DayMinute, DayMinute)>,
    /// Dates not worked, whatever their weekday.
    pub holidays: BTreeSet<NaiveDate>,
    /// Dates worked, whatever their weekday (调休).
    pub workdays: BTreeSet<NaiveDate>,
}

impl Hours {
    /// Whether `day` is worked.
    pub fn works_on(&self, day: NaiveDate) -> bool {
        if self.holidays.contains(&day) {
            return false;
        }
        self.workdays.contains(&day) || self.days.contains(&day.weekday())
    }

    /// The day's working windows as minutes of the day: start to end without the breaks.
    fn windows(&self) -> Vec<(DayMinute, DayMinute)> {
        let mut windows = Vec::new();
        let mut from = self.start;
        for &(b_from, b_to) in &self.breaks {
            let (b_from, b_to) = (b_from.max(self.start), b_to.min(self.end));
            if b_from >= b_to {
                continue;
            }
            if from < b_from {
                windows.push((from, b_from));
            }
            from = from.max(b_to);
        }
        if from < self.end {
            windows.push((from, self.end));
        }
        windows
    }

    /// The instant a local time of `day` names: the earlier of two (the hour a clock turns
    /// back), or the first valid one after it (the hour a clock skips).
    fn instant(&self, day: NaiveDate, minute: DayMinute) -> DateTime<Utc> {
        let local: NaiveDateTime = if minute >= END_OF_DAY {
            (day + Duration::days(1)).and_time(NaiveTime::MIN)
        } else {
            day.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minute))
        };
        let mut probe = local;
        for _ in 0..=180 {
            if let Some(at) = self.zone.from_local_datetime(&probe).earliest() {
                return at.with_timezone(&Utc);
            }
            probe += Duration::minutes(1);
        }
        // No zone skips three hours; read it as UTC rather than fail.
        Utc.from_utc_datetime(&local)
    }

    /// The working intervals of `day`, as instants.
    fn day_intervals(&self, day: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.works_on(day) {
            return Vec::new();
        }
        self.windows()
            .into_iter()
            .map(|(from, to)| (self.instant(day, from), self.instant(day, to)))
            .filter(|(from, to)| from < to)
            .collect()
    }

    fn local_day(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }

    /// Working seconds in `[from, to)`; 0 when `to` is not after `from`.
    pub fn seconds_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = 0;
        // A day before and after: windows of a local day may start before its UTC date.
        let mut day = self.local_day(from) - Duration::days(1);
        let last = self.local_day(to) + Duration::days(1);
        while day <= last {
            for (w_from, w_to) in self.day_intervals(day) {
                let (a, b) = (w_from.max(from), w_to.min(to));
                if a < b {
                    total += (b - a).num_seconds();
                }
            }
            day += Duration::days(1);
        }
        total
    }

    /// Whole working minutes in `[from, to)`.
    pub fn minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        self.seconds_between(from, to) / 60
    }

    /// The instant at which `seconds` working seconds after `from` have passed (at most
    /// `horizon_days` later; None beyond: hours that are never worked).
    pub fn after_seconds(
        &self,
        from: DateTime<Utc>,
        seconds: i64,
        horizon_days: i64,
    ) -> Option<DateTime<Utc>> {
        let mut left = seconds.max(0);
        if left == 0 {
            return Some(from);
        }
        let mut day = self.local_day(from) - Duration::days(1);
        let last = day + Duration::days(horizon_days.max(1) + 2);
        while day <= last {
            for (w_from, w_to) in self.day_intervals(day) {
                let a = w_from.max(from);
                if a >= w_to {
                    continue;
                }
                let here = (w_to - a).num_seconds();
                if here >= left {
                    return Some(a + Duration::seconds(left));
                }
                left -= here;
            }
            day += Duration::days(1);
        }
        None
    }
}

/// Working hours as they changed: each set applies from its instant until the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// `(from, hours)`, sorted by `from`; the first applies to everything before it too.
    pub changes: Vec<(DateTime<Utc>, Hours)>,
}

impl Calendar {
    pub fn new(hours: Hours) -> Calendar {
        Calendar {
            changes: vec![(DateTime::<Utc>::MIN_UTC, hours)],
        }
    }

    /// From `at` on, `hours` apply: a change never rewrites what was counted before it. Changes
    /// come in time order (a policy changes from now on); one at or before a later one
    /// already listed replaces it.
    pub fn change(&mut self, at: DateTime<Utc>, hours: Hours) {
        self.changes.retain(|(from, _)| *from < at);
        self.changes.push((at, hours));
    }

    /// The pieces of `[from, to)` with the hours of each.
    fn pieces(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>, &Hours)> {
        self.changes
            .iter()
            .enumerate()
            .filter_map(move |(i, (start, hours))| {
                let start = if i == 0 {
                    DateTime::<Utc>::MIN_UTC
                } else {
                    *start
                };
                let end = self
                    .changes
                    .get(i + 1)
                    .map_or(DateTime::<Utc>::MAX_UTC, |(next, _)| *next);
                let (a, b) = (start.max(from), end.min(to));
                (a < b).then_some((a, b, hours))
            })
    }

    /// Working seconds in `[from, to)`, each part counted by the hours then in force.
    pub fn seconds_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        self.pieces(from, to)
            .map(|(a, b, hours)| hours.seconds_between(a, b))
            .sum()
    }

    /// Whole working minutes in `[from, to)`.
    pub fn minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        self.seconds_between(from, to) / 60
    }

    /// Working seconds in `[from, to)` outside the `paused` intervals (a complaint waiting for
    /// the customer); the pauses may overlap each other and the ends.
    pub fn seconds_running(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        paused: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> i64 {
        let mut pauses: Vec<(DateTime<Utc>, DateTime<Utc>)> = paused
            .iter()
            .map(|&(a, b)| (a.max(from), b.min(to)))
            .filter(|(a, b)| a < b)
            .collect();
        pauses.sort();
        let mut total = 0;
        let mut at = from;
        for (a, b) in pauses {
            if a > at {
                total += self.seconds_between(at, a);
            }
            at = at.max(b);
        }
        if at < to {
            total += self.seconds_between(at, to);
        }
        total
    }

    /// The instant at which `seconds` working seconds have run after `from`, outside the
    /// `paused` intervals (one may end at `DateTime::<Utc>::MAX_UTC`: waiting still), each part
    /// counted by the hours in force then. None when that never happens within
    /// `horizon_days` of the last pause or change (hours never worked, or paused for good).
    pub fn after_running(
        &self,
        from: DateTime<Utc>,
        seconds: i64,
        paused: &[(DateTime<Utc>, DateTime<Utc>)],
        horizon_days: i64,
    ) -> Option<DateTime<Utc>> {
        let mut left = seconds.max(0);
        let mut pauses: Vec<(DateTime<Utc>, DateTime<Utc>)> = paused
            .iter()
            .map(|&(a, b)| (a.max(from), b))
            .filter(|(a, b)| a < b)
            .collect();
        pauses.sort();
        // The running stretches: between the pauses, then open-ended.
        let mut stretches = Vec::new();
        let mut at = from;
        for (a, b) in pauses {
            if a > at {
                stretches.push((at, a));
            }
            at = at.max(b);
        }
        if at < DateTime::<Utc>::MAX_UTC {
            stretches.push((at, DateTime::<Utc>::MAX_UTC));
        }
        if left == 0 {
            return stretches.first().map(|s| s.0);
        }
        for (a, b) in stretches {
            for (p_from, p_to, hours) in self.pieces(a, b) {
                if p_to == DateTime::<Utc>::MAX_UTC {
                    return hours.after_seconds(p_from, left, horizon_days);
                }
                let here = hours.seconds_between(p_from, p_to);
                if here >= left {
                    return hours.after_seconds(p_from, left, horizon_days);
                }
                left -= here;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests;
