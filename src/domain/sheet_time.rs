//! A moment as a helpdesk's export or an office's sheet writes it: RFC 3339 with its zone,
//! or a date and a time of day without one (`2026-11-05 14:30`, `2026/11/5 9:05:00`,
//! `2026年11月5日 14:30`, or an Excel date-time cell), read in the company's time zone.

use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeZone, Utc};

use super::cycle::parse_sheet_date;
use super::problem::Problem;

/// The instant a cell names. Without a zone it is the company's local time; a local time
/// the zone skips (a daylight-saving change) is refused, one it repeats is the earlier.
pub fn parse_sheet_instant(text: &str, zone: chrono_tz::Tz) -> Result<DateTime<Utc>, Problem> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    let (date, time) = text
        .split_once([' ', 'T', '\u{3000}'])
        .ok_or(Problem::NotSheetInstant)?;
    let date = parse_sheet_date(date).map_err(|_| Problem::NotSheetInstant)?;
    // A full-width colon, as a Chinese keyboard types it, is a colon.
    let time = time_of_day(&time.trim().replace('：', ":")).ok_or(Problem::NotSheetInstant)?;
    zone.from_local_datetime(&NaiveDateTime::new(date, time))
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .ok_or(Problem::NotSheetInstant)
}

/// `H:MM` or `H:MM:SS` (24-hour clock).
fn time_of_day(text: &str) -> Option<NaiveTime> {
    let parts: Vec<&str> = text.split(':').collect();
    let digits = |p: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    let number = |p: &str| p.parse::<u32>().ok();
    match parts.as_slice() {
        [h, m] if digits(h, 1..=2) && digits(m, 2..=2) => {
            NaiveTime::from_hms_opt(number(h)?, number(m)?, 0)
        }
        [h, m, s] if digits(h, 1..=2) && digits(m, 2..=2) && digits(s, 2..=2) => {
            NaiveTime::from_hms_opt(number(h)?, number(m)?, number(s)?)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn zoned_and_local_times_as_sheets_write_them() {
        let shanghai = chrono_tz::Asia::Shanghai;
        for (written, meant) in [
            ("2026-11-05T14:30:00+08:00", "2026-11-05T06:30:00Z"),
            ("2026-11-05T06:30:00Z", "2026-11-05T06:30:00Z"),
            ("2026-11-05 14:30", "2026-11-05T06:30:00Z"),
            ("2026/11/5 9:05:07", "2026-11-05T01:05:07Z"),
            ("2026年11月5日 14:30", "2026-11-05T06:30:00Z"),
            ("2026-11-05 14：30", "2026-11-05T06:30:00Z"),
            (" 2026-11-05T14:30 ", "2026-11-05T06:30:00Z"),
        ] {
            assert_eq!(
                parse_sheet_instant(written, shanghai),
                Ok(utc(meant)),
                "{written}"
            );
        }
        for wrong in [
            "2026-11-05",
            "14:30",
            "2026-11-05 25:00",
            "2026-11-05 9:5",
            "2026-02-30 10:00",
            "yesterday",
        ] {
            assert_eq!(
                parse_sheet_instant(wrong, shanghai),
                Err(Problem::NotSheetInstant),
                "{wrong}"
            );
        }
    }

    #[test]
    fn a_local_time_a_clock_change_skips_is_refused_and_a_repeated_one_is_the_earlier() {
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(
            parse_sheet_instant("2026-03-29 02:30", berlin),
            Err(Problem::NotSheetInstant)
        );
        assert_eq!(
            parse_sheet_instant("2026-10-25 02:30", berlin),
            Ok(utc("2026-10-25T00:30:00Z"))
        );
    }
}
