//! The service's clock and the company's calendar (`company.time_zone`): what time it is,
//! which day it is for the company, and how a stored instant (UTC) reads on its clocks.
//! Every date and time shown to people, and the "today" that evidence may not come after,
//! are the company's.
//!
//! The service is given its [`Clock`] (`company.clock` in the settings): the system clock in
//! production, one that tests set and move (so that a test of "after the lease", "after the
//! time limit" moves the clock instead of waiting). Database work run through `Db::run`
//! sees it as [`now`].

use std::cell::RefCell;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::problem::Problem;

/// The time: the system's, or (for tests) the system's moved by an offset that can be set
/// and advanced. Clones share the offset.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that reads the system time until it is moved.
    pub fn movable() -> Clock {
        Clock(Some(Arc::new(AtomicI64::new(0))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        let system = Utc::now();
        match &self.0 {
            None => system,
            Some(offset) => system + Duration::microseconds(offset.load(Ordering::SeqCst)),
        }
    }

    /// Moves a movable clock forward (or back) by `by`; the system clock does not move.
    pub fn advance(&self, by: Duration) {
        let micros = by
            .num_microseconds()
            .expect("a move of less than 290,000 years");
        match &self.0 {
            Some(offset) => {
                offset.fetch_add(micros, Ordering::SeqCst);
            }
            None => panic!("the system clock cannot be moved"),
        }
    }

    /// Sets a movable clock so that it reads `at` now (and runs on from there).
    pub fn set(&self, at: DateTime<Utc>) {
        let offset = at - Utc::now();
        match &self.0 {
            Some(o) => o.store(offset.num_microseconds().unwrap_or(0), Ordering::SeqCst),
            None => panic!("the system clock cannot be set"),
        }
    }

    /// Runs `f` with this clock as the one [`now`] reads on this thread.
    pub fn scoped<T>(&self, f: impl FnOnce() -> T) -> T {
        let before = CURRENT.with(|c| c.replace(Some(self.clone())));
        struct Restore(Option<Clock>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let before = self.0.take();
                CURRENT.with(|c| *c.borrow_mut() = before);
            }
        }
        let _restore = Restore(before);
        f()
    }
}

impl PartialEq for Clock {
    fn eq(&self, other: &Clock) -> bool {
        match (&self.0, &other.0) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Eq for Clock {}

thread_local! {
    static CURRENT: RefCell<Option<Clock>> = const { RefCell::new(None) };
}

/// The time for the work running on this thread: the clock of the `Db::run` (or
/// [`Clock::scoped`]) it runs in, else the system's.
pub fn now() -> DateTime<Utc> {
    CURRENT.with(|c| c.borrow().as_ref().map_or_else(Utc::now, Clock::now))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyTime {
    zone: Tz,
    clock: Clock,
}

impl CompanyTime {
    pub const UTC: CompanyTime = CompanyTime {
        zone: Tz::UTC,
        clock: Clock(None),
    };

    /// An IANA time zone name, such as `Asia/Shanghai` (on the system clock).
    pub fn parse(name: &str) -> Result<CompanyTime, String> {
        name.parse::<Tz>()
            .map(|zone| CompanyTime {
                zone,
                clock: Clock::system(),
            })
            .map_err(|_| format!("{name:?} is not an IANA time zone name (e.g. Asia/Shanghai)"))
    }

    /// The same calendar on `clock`.
    pub fn on(mut self, clock: Clock) -> CompanyTime {
        self.clock = clock;
        self
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn name(&self) -> &'static str {
        self.zone.name()
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The company's date now, on the service's clock.
    pub fn today(&self) -> NaiveDate {
        self.date_of(self.clock.now())
    }

    /// The company's date at the instant `at`.
    pub fn date_of(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }

    /// A stored UTC timestamp as the company's wall-clock time.
    pub fn local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        utc.and_utc().with_timezone(&self.zone).naive_local()
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
    fn a_movable_clock_moves_and_is_seen_where_it_is_scoped() {
        let clock = Clock::movable();
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 17, 30, 0).unwrap();
        clock.set(at);
        assert!((clock.now() - at).num_seconds().abs() < 5);
        clock.advance(Duration::days(2));
        assert_eq!(
            clock.clone().now().date_naive(),
            at.date_naive() + Duration::days(2)
        );
        let shanghai = CompanyTime::parse("Asia/Shanghai")
            .unwrap()
            .on(clock.clone());
        assert_eq!(
            shanghai.today(),
            NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
        );
        // `now` is the scoped clock's inside, the system's outside (and after).
        let inside = clock.scoped(now);
        assert_eq!(inside.date_naive(), at.date_naive() + Duration::days(2));
        assert!((now() - Utc::now()).num_seconds().abs() < 5);
    }

    #[test]
    fn evidence_may_be_dated_today_but_not_tomorrow() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert!(not_in_future(today, today).is_ok());
        assert!(not_in_future(today.succ_opt().unwrap(), today).is_err());
    }
}
