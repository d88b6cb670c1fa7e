//! Appraisal cycles: a period and a state that only moves forward, one step at a time.

use super::problem::Problem;
pub use super::state::CycleState;
use chrono::NaiveDate;

impl CycleState {
    pub fn parse(value: &str) -> Result<Self, Problem> {
        value.parse().map_err(|_| Problem::OneOf {
            options: Self::VALUES,
        })
    }

    /// Why a cycle in `self` cannot move to `to` (ignoring the guards that need data).
    pub fn transition_problem(self, to: CycleState) -> Option<Problem> {
        match self.next() {
            Some(next) if next == to => None,
            Some(next) => Some(Problem::NextStateOnly {
                from: self,
                next,
                to,
            }),
            None => Some(Problem::FinalState { state: self }),
        }
    }
}

impl TryFrom<String> for CycleState {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        CycleState::parse(&value).map_err(|_| format!("unknown cycle state {value:?}"))
    }
}

pub const CYCLE_NAME_MAX: usize = 100;
pub const MAX_PERIOD_DAYS: i64 = 366;
pub const MAX_APPEAL_WINDOW_DAYS: i32 = 90;
pub const DEFAULT_APPEAL_WINDOW_DAYS: i32 = 14;
/// The series of a cycle for which HR names none (DESIGN: text, default `main`).
pub const DEFAULT_SERIES: &str = "main";
pub const SERIES_MAX: usize = 40;
/// The names the default series is shown under (the catalog's `series-main` in each
/// language); typed back, they mean the default series.
pub const DEFAULT_SERIES_NAMES: [&str; 2] = ["main", "主系列"];

/// A series as HR typed it, as it is stored: the default series under any of its names is
/// `main`; a name that is an existing series' after folding case, width and spacing
/// (`department::name_key`) is that series, so "月度", "月度 " and "月度　" are one series.
pub fn series_as_stored<'a>(typed: &str, existing: impl IntoIterator<Item = &'a str>) -> String {
    use super::department::name_key;
    let key = name_key(typed);
    if DEFAULT_SERIES_NAMES.iter().any(|n| name_key(n) == key) {
        return DEFAULT_SERIES.to_owned();
    }
    existing
        .into_iter()
        .find(|s| name_key(s) == key)
        .unwrap_or(typed)
        .to_owned()
}

/// A cycle's period: both ends inclusive, at most a year long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Period, Problem> {
        if end < start {
            return Err(Problem::PeriodEndsBeforeStart);
        }
        if (end - start).num_days() + 1 > MAX_PERIOD_DAYS {
            return Err(Problem::PeriodTooLong {
                max_days: MAX_PERIOD_DAYS,
            });
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

/// What the entry rule needs of a cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleSpan {
    pub id: i32,
    pub name: String,
    pub period: Period,
    pub state: CycleState,
    pub series: String,
}

/// Why evidence dated `day` cannot be entered now: a date no cycle covers (a problem of
/// the date: 422), or a covering cycle that takes no evidence (a conflict: 409).
pub fn entry_problem_is_conflict(problem: &Problem) -> bool {
    matches!(problem, Problem::CycleNotOpen { .. })
}

/// Where evidence dated `day` goes: it counts in every cycle whose period holds the date
/// (one per series); `cycle` is the one recorded as having taken it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    pub cycle: &'a CycleSpan,
    /// Every cycle that takes the evidence (the cycles it changes), `cycle` among them.
    pub takers: Vec<&'a CycleSpan>,
}

/// Evidence dated `day` for one employee is entered when a cycle whose period holds the
/// date takes it (open; once published, only for an employee with an open appeal:
/// `appealing`, HR's corrections) and no other such cycle is past taking it: the evidence
/// counts in each of them, so it must not change a cycle in review or published without
/// saying so. A cycle still in draft neither takes nor refuses (it counts the evidence
/// once it opens). With one series there is one cycle per date.
pub fn entry_cycle(
    cycles: &[CycleSpan],
    day: NaiveDate,
    appealing: impl Fn(i32) -> bool,
) -> Result<Entry<'_>, Problem> {
    let covering: Vec<&CycleSpan> = cycles.iter().filter(|c| c.period.contains(day)).collect();
    let takes = |c: &CycleSpan| match c.state {
        CycleState::Open => Some(true),
        CycleState::Published if appealing(c.id) => Some(true),
        CycleState::Draft => None,
        _ => Some(false),
    };
    let not_open = |c: &CycleSpan| Problem::CycleNotOpen {
        cycle: c.name.clone(),
        state: c.state,
    };
    if let Some(closed) = covering.iter().find(|c| takes(c) == Some(false)) {
        return Err(not_open(closed));
    }
    let takers: Vec<&CycleSpan> = covering
        .iter()
        .copied()
        .filter(|c| takes(c) == Some(true))
        .collect();
    match (takers.first(), covering.first()) {
        (Some(&cycle), _) => Ok(Entry { cycle, takers }),
        (None, Some(draft)) => Err(not_open(draft)),
        (None, None) => Err(Problem::NoCycleForDate),
    }
}

/// A calendar date written exactly `YYYY-MM-DD` (RFC 3339 full-date).
pub fn parse_date(value: &str) -> Result<NaiveDate, Problem> {
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
        .ok_or(Problem::NotDate)
}

/// A date as a spreadsheet holds it: `2026-11-26`, or `2026/11/26` and `2026/1/5` as Excel
/// in China writes dates into a CSV (cells of date type arrive from XLSX already as dates).
///
/// Also as offices write them: `2026-11-5`, `2026.11.5` and `2026年11月5日`. A date of the
/// right shape that the calendar does not have (`2026/6/31`) is named as such. A time of day
/// after the date (`2026-11-05 14:30`, an Excel date-time cell) is the same day.
pub fn parse_sheet_date(value: &str) -> Result<NaiveDate, Problem> {
    if let Ok(date) = parse_date(value) {
        return Ok(date);
    }
    let value = value.trim();
    let value = match value.split_once(' ') {
        Some((date, time))
            if time.contains(':') && time.bytes().all(|b| b.is_ascii_digit() || b == b':') =>
        {
            date
        }
        _ => value,
    };
    let chinese = value
        .strip_suffix('日')
        .and_then(|v| v.split_once('年'))
        .and_then(|(y, rest)| rest.split_once('月').map(|(m, d)| [y, m, d]));
    let parts: Vec<&str> = match chinese {
        Some(parts) => parts.to_vec(),
        None => ['/', '-', '.']
            .into_iter()
            .map(|separator| value.split(separator).collect::<Vec<_>>())
            .find(|parts| parts.len() == 3)
            .unwrap_or_default(),
    };
    let digits = |p: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    match parts.as_slice() {
        [y, m, d] if digits(y, 4..=4) && digits(m, 1..=2) && digits(d, 1..=2) => {
            NaiveDate::from_ymd_opt(
                y.parse().map_err(|_| Problem::NotDate)?,
                m.parse().map_err(|_| Problem::NotDate)?,
                d.parse().map_err(|_| Problem::NotDate)?,
            )
            .ok_or_else(|| Problem::NoSuchDate {
                date: value.to_owned(),
            })
        }
        _ => Err(Problem::NotDate),
    }
}

pub fn parse_appeal_window(days: i64) -> Result<i32, Problem> {
    if (0..=i64::from(MAX_APPEAL_WINDOW_DAYS)).contains(&days) {
        Ok(days as i32)
    } else {
        Err(Problem::OutOfRange {
            min: 0,
            max: MAX_APPEAL_WINDOW_DAYS.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_dates_take_the_forms_excel_writes() {
        let want = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        for text in [
            "2026-01-05",
            "2026/1/5",
            "2026/01/05",
            "2026/1/05",
            "2026-1-5",
            "2026.1.5",
            "2026年1月5日",
            "2026年01月05日",
        ] {
            assert_eq!(parse_sheet_date(text), Ok(want), "{text}");
        }
        for text in [
            "26/1/5",
            "2026/1/5/1",
            "2026/1/",
            "5/1/2026",
            "2026年1月5",
            "2026-1/5",
        ] {
            assert_eq!(parse_sheet_date(text), Err(Problem::NotDate), "{text}");
        }
        // The right shape, but no such day: named as such.
        for text in ["2026/13/1", "2026/2/30", "2026/6/31", "2026年2月29日"] {
            assert_eq!(
                parse_sheet_date(text),
                Err(Problem::NoSuchDate { date: text.into() }),
                "{text}"
            );
        }
    }

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
        assert_eq!(
            CycleState::Draft.transition_problem(CycleState::Review),
            Some(Problem::NextStateOnly {
                from: CycleState::Draft,
                next: CycleState::Open,
                to: CycleState::Review
            })
        );
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

    fn span(id: i32, series: &str, [start, end]: [&str; 2], state: CycleState) -> CycleSpan {
        CycleSpan {
            id,
            name: format!("C{id}"),
            period: Period::new(day(start), day(end)).unwrap(),
            state,
            series: series.into(),
        }
    }

    #[test]
    fn a_series_is_known_by_any_of_its_names() {
        let existing = ["main", "月度"];
        assert_eq!(series_as_stored("主系列", existing), "main");
        assert_eq!(series_as_stored("MAIN", existing), "main");
        assert_eq!(series_as_stored("月度　", existing), "月度");
        assert_eq!(series_as_stored("季度", existing), "季度");
    }

    #[test]
    fn evidence_goes_to_every_cycle_of_its_date_or_nowhere() {
        use CycleState::*;
        let quarter = |state| span(1, "季度", ["2026-01-01", "2026-03-31"], state);
        let january = |state| span(2, "月度", ["2026-01-01", "2026-01-31"], state);
        let taken = |cycles: &[CycleSpan], d: &str| {
            entry_cycle(cycles, day(d), |_| false).map(|e| {
                (
                    e.cycle.id,
                    e.takers.iter().map(|c| c.id).collect::<Vec<_>>(),
                )
            })
        };
        // Both open: the evidence counts in both.
        let both = [quarter(Open), january(Open)];
        assert_eq!(taken(&both, "2026-01-10"), Ok((1, vec![1, 2])));
        assert_eq!(taken(&both, "2026-02-10"), Ok((1, vec![1])));
        assert_eq!(taken(&both, "2026-04-01"), Err(Problem::NoCycleForDate));
        // One past open refuses, naming it, whatever the other's state.
        let review = [quarter(Open), january(Review)];
        assert_eq!(
            taken(&review, "2026-01-10"),
            Err(Problem::CycleNotOpen {
                cycle: "C2".into(),
                state: Review
            })
        );
        assert_eq!(taken(&review, "2026-02-10"), Ok((1, vec![1])));
        // A draft neither takes nor refuses; alone it is named.
        let draft = [quarter(Draft), january(Open)];
        assert_eq!(taken(&draft, "2026-01-10"), Ok((2, vec![2])));
        assert_eq!(
            taken(&draft, "2026-02-10"),
            Err(Problem::CycleNotOpen {
                cycle: "C1".into(),
                state: Draft
            })
        );
        // A published cycle takes HR's corrections for an employee with an open appeal only.
        let published = [quarter(Open), january(Published)];
        assert!(taken(&published, "2026-01-10").is_err());
        let appealing = entry_cycle(&published, day("2026-01-10"), |c| c == 2).unwrap();
        assert_eq!(appealing.takers.len(), 2);
    }
}
