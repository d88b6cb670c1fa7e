//! The company's time-limit policy for complaints (DESIGN §10, `GET/PUT /api/v1/sla-policy`):
//! per priority a first-response and a resolution limit in working minutes, and the working
//! hours the limits run in. Pure: read from the raw input with every problem named by its
//! field, and turned into [`business_time::Hours`] in the company's zone.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::business_time::{DayMinute, Hours, END_OF_DAY};
use super::problem::Problem;

/// How urgent a complaint is: the limits are the priority's.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantNames,
    strum::EnumIter,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A limit may be at most a year of working minutes.
pub const LIMIT_MAX_MINUTES: i64 = 525_600;
/// Holidays and make-up days listed at most (a few years of them).
pub const DATES_MAX: usize = 400;
/// Breaks in a day at most.
pub const BREAKS_MAX: usize = 8;

/// One priority's limits, in working minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    #[schema(minimum = 1, maximum = 525600)]
    pub first_response_minutes: i64,
    #[schema(minimum = 1, maximum = 525600)]
    pub resolution_minutes: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Priorities {
    pub low: Limits,
    pub normal: Limits,
    pub high: Limits,
    pub urgent: Limits,
}

impl Priorities {
    pub fn of(&self, priority: Priority) -> Limits {
        match priority {
            Priority::Low => self.low,
            Priority::Normal => self.normal,
            Priority::High => self.high,
            Priority::Urgent => self.urgent,
        }
    }
}

/// A day of the week, as the policy names it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    pub fn weekday(self) -> Weekday {
        match self {
            Day::Mon => Weekday::Mon,
            Day::Tue => Weekday::Tue,
            Day::Wed => Weekday::Wed,
            Day::Thu => Weekday::Thu,
            Day::Fri => Weekday::Fri,
            Day::Sat => Weekday::Sat,
            Day::Sun => Weekday::Sun,
        }
    }
}

/// A break inside the day, `HH:MM` to `HH:MM`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Break {
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub start: String,
    #[schema(pattern = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub end: String,
}

/// The hours the limits run in, in `company.time_zone`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    /// `mon` … `sun`.
    #[schema(max_items = 7)]
    pub days: Vec<Day>,
    /// `HH:MM`.
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub start: String,
    /// `HH:MM`, or `24:00`.
    #[schema(pattern = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub end: String,
    #[serde(default)]
    #[schema(max_items = 8)]
    pub breaks: Vec<Break>,
}

/// The complaint time limits per priority and the working hours they run in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicy {
    pub priorities: Priorities,
    pub business_hours: BusinessHours,
    /// Dates the clock does not run.
    #[serde(default)]
    #[schema(max_items = 400)]
    pub holidays: Vec<NaiveDate>,
    /// Dates the clock runs although their weekday is off (调休).
    #[serde(default)]
    #[schema(max_items = 400)]
    pub workdays: Vec<NaiveDate>,
}

/// `HH:MM` as minutes of the day; `24:00` only where `end_of_day` allows it.
fn time_of_day(text: &str, end_of_day: bool) -> Result<DayMinute, Problem> {
    let (h, m) = text.split_once(':').ok_or(Problem::NotTimeOfDay)?;
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(h) || !two_digits(m) {
        return Err(Problem::NotTimeOfDay);
    }
    let (h, m): (u16, u16) = (
        h.parse().map_err(|_| Problem::NotTimeOfDay)?,
        m.parse().map_err(|_| Problem::NotTimeOfDay)?,
    );
    match (h, m) {
        (24, 0) if end_of_day => Ok(END_OF_DAY),
        (0..=23, 0..=59) => Ok(h * 60 + m),
        _ => Err(Problem::NotTimeOfDay),
    }
}

impl SlaPolicy {
    /// What a company has until HR sets its own: weekdays 09:00–18:00 with a lunch break
    /// 12:00–13:30; urgent 30 minutes to answer and 4 hours to resolve, high 1 and 8 hours,
    /// normal 4 hours and 3 working days, low a working day and 6.
    pub fn default_policy() -> SlaPolicy {
        let limits = |first, resolution| Limits {
            first_response_minutes: first,
            resolution_minutes: resolution,
        };
        SlaPolicy {
            priorities: Priorities {
                low: limits(450, 6 * 450),
                normal: limits(240, 3 * 450),
                high: limits(60, 480),
                urgent: limits(30, 240),
            },
            business_hours: BusinessHours {
                days: vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri],
                start: "09:00".into(),
                end: "18:00".into(),
                breaks: vec![Break {
                    start: "12:00".into(),
                    end: "13:30".into(),
                }],
            },
            holidays: Vec::new(),
            workdays: Vec::new(),
        }
    }

    /// Checks the policy: every problem, each with its field (`priorities.high.resolution_minutes`,
    /// `business_hours.breaks[0].end`, `holidays[3]`, …). On success the policy comes back in
    /// its plain form: days in week order, breaks and dates sorted.
    pub fn parse(mut self) -> Result<SlaPolicy, Vec<(String, Problem)>> {
        let mut problems = Vec::new();
        for (name, priority) in [
            ("low", Priority::Low),
            ("normal", Priority::Normal),
            ("high", Priority::High),
            ("urgent", Priority::Urgent),
        ] {
            let limits = self.priorities.of(priority);
            let range = |v: i64| (1..=LIMIT_MAX_MINUTES).contains(&v);
            let out_of_range = Problem::OutOfRange {
                min: 1,
                max: LIMIT_MAX_MINUTES,
            };
            if !range(limits.first_response_minutes) {
                problems.push((
                    format!("priorities.{name}.first_response_minutes"),
                    out_of_range.clone(),
                ));
            }
            if !range(limits.resolution_minutes) {
                problems.push((
                    format!("priorities.{name}.resolution_minutes"),
                    out_of_range,
                ));
            } else if limits.resolution_minutes < limits.first_response_minutes {
                problems.push((
                    format!("priorities.{name}.resolution_minutes"),
                    Problem::ResolutionBeforeResponse,
                ));
            }
        }

        let hours = &mut self.business_hours;
        let mut days = BTreeSet::new();
        for (i, day) in hours.days.iter().enumerate() {
            if !days.insert(*day) {
                problems.push((format!("business_hours.days[{i}]"), Problem::Twice));
            }
        }
        hours.days = days.into_iter().collect();
        let start = time_of_day(&hours.start, false)
            .map_err(|p| problems.push(("business_hours.start".into(), p)))
            .ok();
        let end = time_of_day(&hours.end, true)
            .map_err(|p| problems.push(("business_hours.end".into(), p)))
            .ok();
        if let (Some(start), Some(end)) = (start, end) {
            if end <= start {
                problems.push(("business_hours.end".into(), Problem::EndsNotAfterStart));
            }
        }
        if hours.breaks.len() > BREAKS_MAX {
            problems.push((
                "business_hours.breaks".into(),
                Problem::OutOfRange {
                    min: 0,
                    max: BREAKS_MAX as i64,
                },
            ));
        }
        let mut breaks: Vec<(DayMinute, DayMinute, usize)> = Vec::new();
        for (i, b) in hours.breaks.iter().enumerate() {
            let field = |part: &str| format!("business_hours.breaks[{i}].{part}");
            let from = time_of_day(&b.start, false).map_err(|p| problems.push((field("start"), p)));
            let to = time_of_day(&b.end, true).map_err(|p| problems.push((field("end"), p)));
            if let (Ok(from), Ok(to)) = (from, to) {
                if to <= from {
                    problems.push((field("end"), Problem::EndsNotAfterStart));
                } else {
                    breaks.push((from, to, i));
                }
            }
        }
        breaks.sort();
        if let (Some(start), Some(end)) = (start, end) {
            let mut last_end = start;
            for &(from, to, i) in &breaks {
                if from < last_end || to > end {
                    problems.push((
                        format!("business_hours.breaks[{i}]"),
                        Problem::BreakOutsideHours,
                    ));
                }
                last_end = last_end.max(to);
            }
        }
        hours.breaks = breaks
            .iter()
            .map(|&(_, _, i)| hours.breaks[i].clone())
            .collect();

        for (field, dates) in [
            ("holidays", &mut self.holidays),
            ("workdays", &mut self.workdays),
        ] {
            if dates.len() > DATES_MAX {
                problems.push((
                    field.into(),
                    Problem::OutOfRange {
                        min: 0,
                        max: DATES_MAX as i64,
                    },
                ));
            }
            let mut seen = BTreeSet::new();
            for (i, date) in dates.iter().enumerate() {
                if !seen.insert(*date) {
                    problems.push((format!("{field}[{i}]"), Problem::Twice));
                }
            }
            *dates = seen.into_iter().collect();
        }
        let holidays: BTreeSet<_> = self.holidays.iter().collect();
        for (i, date) in self.workdays.iter().enumerate() {
            if holidays.contains(date) {
                problems.push((format!("workdays[{i}]"), Problem::Twice));
            }
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(problems)
        }
    }

    /// The working hours of a checked policy in `zone`.
    pub fn hours(&self, zone: Tz) -> Hours {
        let h = &self.business_hours;
        Hours {
            zone,
            days: h.days.iter().map(|d| d.weekday()).collect(),
            start: time_of_day(&h.start, false).unwrap_or(0),
            end: time_of_day(&h.end, true).unwrap_or(END_OF_DAY),
            breaks: h
                .breaks
                .iter()
                .filter_map(|b| {
                    Some((
                        time_of_day(&b.start, false).ok()?,
                        time_of_day(&b.end, true).ok()?,
                    ))
                })
                .collect(),
            holidays: self.holidays.iter().copied().collect(),
            workdays: self.workdays.iter().copied().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

    fn at(text: &str) -> DateTime<Utc> {
        let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
        chrono_tz::Asia::Shanghai
            .from_local_datetime(&local)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn fields(problems: Vec<(String, Problem)>) -> Vec<(String, &'static str)> {
        problems.into_iter().map(|(f, p)| (f, p.code())).collect()
    }

    #[test]
    fn the_default_policy_is_valid_and_counts_a_chinese_office_day() {
        let policy = SlaPolicy::default_policy().parse().unwrap();
        let hours = policy.hours(chrono_tz::Asia::Shanghai);
        assert_eq!(
            hours.minutes_between(at("2026-03-03 00:00"), at("2026-03-04 00:00")),
            450
        );
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let mut p = SlaPolicy::default_policy();
        p.priorities.high.resolution_minutes = 30;
        p.priorities.low.first_response_minutes = 0;
        p.business_hours.days = vec![Day::Mon, Day::Tue, Day::Mon];
        p.business_hours.end = "08:00".into();
        p.business_hours.breaks.push(Break {
            start: "12:30".into(),
            end: "25:00".into(),
        });
        p.holidays = vec![NaiveDate::from_ymd_opt(2026, 2, 17).unwrap(); 2];
        p.workdays = vec![NaiveDate::from_ymd_opt(2026, 2, 17).unwrap()];
        let problems = fields(p.parse().unwrap_err());
        let expected = [
            ("priorities.low.first_response_minutes", "out_of_range"),
            (
                "priorities.high.resolution_minutes",
                "resolution_before_response",
            ),
            ("business_hours.days[2]", "twice"),
            ("business_hours.end", "ends_not_after_start"),
            ("business_hours.breaks[1].end", "not_time_of_day"),
            ("holidays[1]", "twice"),
            ("workdays[0]", "twice"),
        ];
        for (field, code) in expected {
            assert!(
                problems.iter().any(|(f, c)| f == field && *c == code),
                "{field} {code} in {problems:?}"
            );
        }
    }

    #[test]
    fn times_are_hh_mm_and_only_an_end_may_be_24_00() {
        assert_eq!(time_of_day("09:05", false), Ok(545));
        assert_eq!(time_of_day("24:00", true), Ok(END_OF_DAY));
        for bad in ["24:00", "9:00", "09:60", "0900", "ab:cd", ""] {
            assert_eq!(time_of_day(bad, false), Err(Problem::NotTimeOfDay), "{bad}");
        }
        assert_eq!(time_of_day("24:01", true), Err(Problem::NotTimeOfDay));
    }

    #[test]
    fn breaks_must_lie_inside_the_day_and_apart() {
        let mut p = SlaPolicy::default_policy();
        p.business_hours.breaks = vec![
            Break {
                start: "12:00".into(),
                end: "13:30".into(),
            },
            Break {
                start: "13:00".into(),
                end: "14:00".into(),
            },
            Break {
                start: "17:30".into(),
                end: "18:30".into(),
            },
        ];
        let problems = fields(p.parse().unwrap_err());
        assert_eq!(
            problems,
            [
                ("business_hours.breaks[1]".to_owned(), "break_outside_hours"),
                ("business_hours.breaks[2]".to_owned(), "break_outside_hours"),
            ]
        );
    }

    #[test]
    fn a_checked_policy_comes_back_plain() {
        let mut p = SlaPolicy::default_policy();
        p.business_hours.days = vec![Day::Fri, Day::Mon];
        p.business_hours.end = "24:00".into();
        let d = |m| NaiveDate::from_ymd_opt(2026, m, 1).unwrap();
        p.holidays = vec![d(5), d(1)];
        let plain = p.parse().unwrap();
        assert_eq!(plain.business_hours.days, [Day::Mon, Day::Fri]);
        assert_eq!(plain.holidays, [d(1), d(5)]);
        let hours = plain.hours(chrono_tz::Asia::Shanghai);
        assert_eq!((hours.start, hours.end), (540, END_OF_DAY));
    }
}
