//! The company's calendar (`company.time_zone`): which day it is for the company, and how a
//! stored instant (UTC) reads on its clocks. Every date and time shown to people, and the
//! "today" that evidence may not come after, are the company's.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::problem::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompanyTime(Tz);

impl CompanyTime {
    pub const UTC: CompanyTime = CompanyTime(Tz::UTC);

    /// An IANA time zone name, such as `Asia/Shanghai`.
    pub fn parse(name: &str) -> Result<CompanyTime, String> {
        name.parse::<Tz>()
            .map(CompanyTime)
            .map_err(|_| format!("{name:?} is not an IANA time zone name (e.g. Asia/Shanghai)"))
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The company's date now (reads the system clock).
    pub fn today(&self) -> NaiveDate {
        self.date_of(Utc::now())
    }

    /// The company's date at the instant `at`.
    pub fn date_of(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.0).date_naive()
    }

    /// A stored UTC timestamp as the company's wall-clock time.
    pub fn local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        utc.and_utc().with_timezone(&self.0).naive_local()
    }
}

/// Evidence describes what happened: a date after the company's today is refused.
pub fn not_in_future(day: NaiveDate, today: NaiveDate) -> Result<NaiveDate, Problem> {
    if day > today {
        Err(Problem::FutureDate { today })
    } else {
        Ok(day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_company_date_follows_its_zone() {
        let shanghai = CompanyTime::parse("Asia/Shanghai").unwrap();
        // 2026-11-30 17:30 UTC is already 1 December in Shanghai (UTC+8).
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 17, 30, 0).unwrap();
        assert_eq!(
            shanghai.date_of(at),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        let utc = CompanyTime::parse("UTC").unwrap();
        assert_eq!(
            utc.date_of(at),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        assert_eq!(
            shanghai
                .local(at.naive_utc())
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            "2026-12-01 01:30"
        );
        assert!(CompanyTime::parse("Mars/Olympus").is_err());
    }

    #[test]
    fn evidence_may_be_dated_today_but_not_tomorrow() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert!(not_in_future(today, today).is_ok());
        assert!(not_in_future(today.succ_opt().unwrap(), today).is_err());
    }
}
