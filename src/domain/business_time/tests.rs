use super::*;
use proptest::prelude::*;

fn at(zone: Tz, text: &str) -> DateTime<Utc> {
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    zone.from_local_datetime(&local)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A Shanghai office: weekdays 09:00–18:00, lunch 12:00–13:30, the Spring Festival week off
/// and the Saturday before it worked.
fn office() -> Hours {
    use Weekday::*;
    Hours {
        zone: chrono_tz::Asia::Shanghai,
        days: vec![Mon, Tue, Wed, Thu, Fri],
        start: 9 * 60,
        end: 18 * 60,
        breaks: vec![(12 * 60, 13 * 60 + 30)],
        holidays: (16..=22).map(|d| day(&format!("2026-02-{d}"))).collect(),
        workdays: [day("2026-02-14")].into_iter().collect(),
    }
}

/// Every hour of every day, in a zone with daylight saving.
fn always(zone: Tz) -> Hours {
    use Weekday::*;
    Hours {
        zone,
        days: vec![Mon, Tue, Wed, Thu, Fri, Sat, Sun],
        start: 0,
        end: END_OF_DAY,
        breaks: Vec::new(),
        holidays: BTreeSet::new(),
        workdays: BTreeSet::new(),
    }
}

const SH: Tz = chrono_tz::Asia::Shanghai;

#[test]
fn a_day_is_its_hours_without_the_lunch_break() {
    let h = office();
    // Tuesday 2026-03-03: 09:00–18:00 less 1.5 h.
    let m = h.minutes_between(at(SH, "2026-03-03 00:00"), at(SH, "2026-03-04 00:00"));
    assert_eq!(m, 9 * 60 - 90);
}

#[test]
fn a_limit_crosses_the_weekend() {
    let h = office();
    // Friday 17:00 to Monday 10:00: an hour on Friday, an hour on Monday.
    let from = at(SH, "2026-03-06 17:00");
    assert_eq!(h.minutes_between(from, at(SH, "2026-03-09 10:00")), 120);
    // Two working hours after Friday 17:00 end on Monday at 10:00.
    assert_eq!(
        h.after_seconds(from, 120 * 60, 30),
        Some(at(SH, "2026-03-09 10:00"))
    );
}

#[test]
fn nothing_counts_in_a_break_at_night_or_on_a_holiday() {
    let h = office();
    assert_eq!(
        h.minutes_between(at(SH, "2026-03-03 12:05"), at(SH, "2026-03-03 13:25")),
        0
    );
    assert_eq!(
        h.minutes_between(at(SH, "2026-03-03 18:00"), at(SH, "2026-03-04 09:00")),
        0
    );
    // The Spring Festival week, Monday to Sunday.
    assert_eq!(
        h.minutes_between(at(SH, "2026-02-16 00:00"), at(SH, "2026-02-23 00:00")),
        0
    );
    // A lunch break that starts in the morning counts until 12:00.
    assert_eq!(
        h.minutes_between(at(SH, "2026-03-03 11:30"), at(SH, "2026-03-03 13:40")),
        40
    );
}

#[test]
fn a_make_up_saturday_counts() {
    let h = office();
    // Saturday 2026-02-14 is worked; Saturday 2026-02-28 is not.
    assert_eq!(
        h.minutes_between(at(SH, "2026-02-14 00:00"), at(SH, "2026-02-15 00:00")),
        450
    );
    assert_eq!(
        h.minutes_between(at(SH, "2026-02-28 00:00"), at(SH, "2026-03-01 00:00")),
        0
    );
}

#[test]
fn hours_to_midnight_run_across_it() {
    let mut h = always(SH);
    h.start = 20 * 60;
    // 20:00–24:00 each day: 23:00 to 21:00 the next day is one hour, then one more.
    assert_eq!(
        h.minutes_between(at(SH, "2026-03-03 23:00"), at(SH, "2026-03-04 21:00")),
        120
    );
}

#[test]
fn a_daylight_saving_day_has_its_own_length() {
    let berlin = chrono_tz::Europe::Berlin;
    let h = always(berlin);
    // The clocks go forward on 2026-03-29 and back on 2026-10-25.
    let spring = h.minutes_between(
        at(berlin, "2026-03-29 00:00"),
        at(berlin, "2026-03-30 00:00"),
    );
    let autumn = h.minutes_between(
        at(berlin, "2026-10-25 00:00"),
        at(berlin, "2026-10-26 00:00"),
    );
    assert_eq!((spring, autumn), (23 * 60, 25 * 60));
}

#[test]
fn a_change_of_hours_applies_from_its_instant() {
    let mut calendar = Calendar::new(office());
    let before = calendar.minutes_between(at(SH, "2026-03-02 00:00"), at(SH, "2026-03-07 00:00"));
    let mut shorter = office();
    shorter.end = 17 * 60;
    calendar.change(at(SH, "2026-03-04 00:00"), shorter);
    // Monday and Tuesday as they were (7.5 h), Wednesday to Friday an hour shorter each.
    let after = calendar.minutes_between(at(SH, "2026-03-02 00:00"), at(SH, "2026-03-07 00:00"));
    assert_eq!(before, 5 * 450);
    assert_eq!(after, 2 * 450 + 3 * 390);
    // What was counted before the change stays.
    assert_eq!(
        calendar.minutes_between(at(SH, "2026-03-02 00:00"), at(SH, "2026-03-04 00:00")),
        900
    );
}

#[test]
fn pauses_are_left_out() {
    let calendar = Calendar::new(office());
    let (from, to) = (at(SH, "2026-03-03 09:00"), at(SH, "2026-03-03 18:00"));
    let paused = [
        (at(SH, "2026-03-03 10:00"), at(SH, "2026-03-03 11:00")),
        (at(SH, "2026-03-03 10:30"), at(SH, "2026-03-03 11:30")),
        (at(SH, "2026-03-03 17:30"), at(SH, "2026-03-04 09:00")),
    ];
    // 450 working minutes, less 10:00–11:30 and 17:30–18:00.
    assert_eq!(
        calendar.seconds_running(from, to, &paused) / 60,
        450 - 90 - 30
    );
}

fn instant_2026() -> impl Strategy<Value = DateTime<Utc>> {
    // Any minute of 2026 (Shanghai time), so that holidays and a make-up day are among them.
    let start = at(SH, "2026-01-01 00:00");
    (0i64..365 * 24 * 60)
        .prop_map(move |m| start + Duration::minutes(m) + Duration::seconds(m % 47))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn counting_is_monotone_additive_and_bounded(
        a in instant_2026(), b in instant_2026(), c in instant_2026()
    ) {
        let mut t = [a, b, c];
        t.sort();
        let [a, b, c] = t;
        for h in [office(), always(chrono_tz::Europe::Berlin)] {
            let (ab, bc, ac) = (h.seconds_between(a, b), h.seconds_between(b, c), h.seconds_between(a, c));
            prop_assert_eq!(ac, ab + bc);
            prop_assert!(ab <= ac);
            prop_assert!(ac <= (c - a).num_seconds());
            prop_assert!(ab >= 0);
        }
    }

    #[test]
    fn the_end_of_a_limit_is_where_its_time_has_passed(
        a in instant_2026(), minutes in 0i64..5_000
    ) {
        let h = office();
        let end = h.after_seconds(a, minutes * 60, 400).expect("within the horizon");
        prop_assert_eq!(h.seconds_between(a, end), minutes * 60);
        // Not later than it must be: a minute earlier, less had passed (unless nothing had).
        if minutes > 0 {
            prop_assert!(h.seconds_between(a, end - Duration::seconds(1)) < minutes * 60);
        }
    }

    #[test]
    fn holidays_and_weekends_count_nothing(a in instant_2026(), length in 0i64..24 * 60) {
        let h = office();
        let day = a.with_timezone(&SH).date_naive();
        let b = a + Duration::minutes(length);
        let last = b.with_timezone(&SH).date_naive();
        if !h.works_on(day) && !h.works_on(last) && (last - day).num_days() <= 1 {
            prop_assert_eq!(h.seconds_between(a, b), 0);
        }
    }

    #[test]
    fn a_calendar_splits_like_its_hours(
        a in instant_2026(), b in instant_2026(), change in instant_2026()
    ) {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let mut calendar = Calendar::new(office());
        let mut later = office();
        later.end = 17 * 60;
        calendar.change(change, later.clone());
        let expected = if change <= a {
            later.seconds_between(a, b)
        } else if change >= b {
            office().seconds_between(a, b)
        } else {
            office().seconds_between(a, change) + later.seconds_between(change, b)
        };
        prop_assert_eq!(calendar.seconds_between(a, b), expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// The end of a limit with pauses and a change of hours is where exactly its running
    /// time has passed (the inverse of `seconds_running`), and a second earlier it had not.
    #[test]
    fn the_end_of_a_running_limit_is_where_its_running_time_has_passed(
        a in instant_2026(), minutes in 1i64..3_000,
        pause_at in 0i64..20_000, pause_len in 0i64..5_000, change_at in 0i64..30_000
    ) {
        let mut calendar = Calendar::new(office());
        calendar.change(a + Duration::minutes(change_at), always(SH));
        let pause = (a + Duration::minutes(pause_at), a + Duration::minutes(pause_at + pause_len));
        let end = calendar
            .after_running(a, minutes * 60, &[pause], 400)
            .expect("within the horizon");
        prop_assert_eq!(calendar.seconds_running(a, end, &[pause]), minutes * 60);
        prop_assert!(calendar.seconds_running(a, end - Duration::seconds(1), &[pause]) < minutes * 60);
    }
}

#[test]
fn waiting_for_good_never_ends_a_limit() {
    let calendar = Calendar::new(office());
    let from = at(SH, "2026-03-02 09:00");
    let waiting = (at(SH, "2026-03-02 10:00"), DateTime::<Utc>::MAX_UTC);
    assert_eq!(
        calendar.after_running(from, 2 * 3600, &[waiting], 400),
        None
    );
    assert_eq!(
        calendar.after_running(from, 3600, &[waiting], 400),
        Some(at(SH, "2026-03-02 10:00"))
    );
}
