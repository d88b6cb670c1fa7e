//! The message catalog: every word a person reads, in Chinese (zh-CN) and English, for the
//! pages, the mails and the API's problem details. The words live in Fluent files
//! (`src/i18n/locales/{en,zh-CN}/*.ftl`, compiled into the binary by `fluent-templates`);
//! this module looks them up for one language and renders the typed values of the domain
//! (problems, states, fields) with them. The Chinese words follow one glossary
//! (docs/GLOSSARY.md).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

use crate::domain::cycle::CycleState;
use crate::domain::problem::Problem;
pub use crate::domain::user::Locale;

fluent_templates::static_loader! {
    static CATALOG = {
        locales: "./src/i18n/locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: they would end up in mails,
        // headers and JSON.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

fn language(locale: Locale) -> &'static LanguageIdentifier {
    static EN: LazyLock<LanguageIdentifier> = LazyLock::new(|| "en".parse().expect("en"));
    static ZH: LazyLock<LanguageIdentifier> = LazyLock::new(|| "zh-CN".parse().expect("zh-CN"));
    match locale {
        Locale::En => &EN,
        Locale::ZhCn => &ZH,
    }
}

/// One argument of a message.
pub type Args = Vec<(&'static str, FluentValue<'static>)>;

/// The message `key`, in `locale`. A key missing from the catalog is a bug the catalog
/// tests catch; it would show as the key.
pub fn text(locale: Locale, key: &str) -> String {
    CATALOG.lookup(language(locale), key)
}

/// The message `key` with its arguments.
pub fn format(locale: Locale, key: &str, args: Args) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .into_iter()
        .map(|(k, v)| (Cow::Borrowed(k), v))
        .collect();
    CATALOG.lookup_with_args(language(locale), key, &args)
}

/// Looks `key` up in `locale` only, with every argument present: `None` when the catalog
/// lacks it there (the catalog tests use this).
pub fn exact(locale: Locale, key: &str, args: Args) -> Option<String> {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .into_iter()
        .map(|(k, v)| (Cow::Borrowed(k), v))
        .collect();
    CATALOG
        .lookup_single_language(language(locale), key, Some(&args))
        .ok()
}

pub fn words(value: impl Into<String>) -> FluentValue<'static> {
    FluentValue::String(Cow::Owned(value.into()))
}

pub fn number(value: impl Into<i64>) -> FluentValue<'static> {
    FluentValue::from(value.into())
}

/// A cycle's state as a word inside a sentence.
pub fn cycle_state(locale: Locale, state: CycleState) -> String {
    text(locale, &format!("cycle-state-{}", state.as_str()))
}

/// A cycle's series as a reader sees it: the default series (`main`) in their language,
/// any other as HR named it.
pub fn series(locale: Locale, series: &str) -> String {
    if series == crate::domain::cycle::DEFAULT_SERIES {
        text(locale, "series-main")
    } else {
        series.to_owned()
    }
}

/// Why a notice was not delivered, in the reader's words, from `notices.last_error` as
/// stored (`code: detail`); a row from before failures were typed reads as it was written.
pub fn delivery_failure(locale: Locale, stored: &str) -> String {
    match crate::domain::delivery::read_stored(stored) {
        (Some(failure), _) => text(locale, &format!("delivery-failure-{}", failure.as_str())),
        (None, as_written) => as_written.to_owned(),
    }
}

/// What a notice is about, by its kind as stored.
pub fn notice_kind(locale: Locale, kind: &str) -> String {
    exact(locale, &format!("notice-kind-{kind}"), Vec::new())
        .unwrap_or_else(|| text(locale, "audit-action-other"))
}

/// An audit event's object and change, by their codes as stored ("cycle", "state"); a
/// code the catalog does not know reads as "other change".
pub fn audit_event(locale: Locale, entity: &str, action: &str) -> String {
    let word = |key: String| exact(locale, &key, Vec::new());
    let entity = word(format!("audit-entity-{entity}")).unwrap_or_default();
    let action = word(format!("audit-action-{action}"))
        .unwrap_or_else(|| text(locale, "audit-action-other"));
    format!("{entity} · {action}")
}

/// Items of a list joined as the language joins them.
pub fn list(locale: Locale, items: &[String]) -> String {
    items.join(match locale {
        Locale::En => ", ",
        Locale::ZhCn => "、",
    })
}

/// Why a component (`sales`, `satisfaction`, `etiquette`, `collaboration`) has no score.
pub fn missing_reason(
    locale: Locale,
    component: crate::domain::component::Component,
    reason: &crate::domain::appraisal::MissingReason,
) -> String {
    let component = component.as_str();
    use crate::domain::appraisal::MissingReason;
    match reason {
        MissingReason::NoTarget => text(locale, "missing-no_target"),
        MissingReason::TooFew { have, need } => format(
            locale,
            &format!("missing-too_few-{component}"),
            vec![("have", number(*have)), ("need", number(*need))],
        ),
    }
}

/// Why something was refused, in `locale`.
pub fn problem(locale: Locale, p: &Problem) -> String {
    format(
        locale,
        &format!("problem-{}", p.code()),
        problem_args(locale, p),
    )
}

/// The arguments of a problem's message: its parameters, words already in `locale`.
pub fn problem_args(locale: Locale, p: &Problem) -> Args {
    use Problem::*;
    let state = |s: &CycleState| words(cycle_state(locale, *s));
    let size = |n: &usize| number(*n as i64);
    match p {
        TooLong { max }
        | TooManyRows { max }
        | TooManyColumns { max }
        | BandCount { max }
        | TooManyOverrides { max }
        | ItemCount { max }
        | TooManyScores { max } => {
            vec![("max", size(max))]
        }
        TooShort { min } => vec![("min", size(min))],
        OutOfRange { min, max } => vec![("min", number(*min)), ("max", number(*max))],
        OneOf { options } => vec![("options", words(options.join(", ")))],
        MalformedJson { line, column } => vec![("line", size(line)), ("column", size(column))],
        ColumnTwice { column } => vec![("column", words(column.clone()))],
        MissingColumn { accepted } => vec![("accepted", words(list(locale, accepted)))],
        NameMismatch { name } => vec![("name", words(name.clone()))],
        TooManyParts { max } | TooManySharedStrings { max } => vec![("max", number(*max as i64))],
        UnpacksTooLarge { part, max_mib } => vec![
            ("part", words(part.clone())),
            ("max_mib", number(*max_mib as i64)),
        ],
        SharedStringsTooLarge { max_mib } | UploadTextTooLarge { max_mib } => {
            vec![("max_mib", number(*max_mib as i64))]
        }
        CellBeyondSheet { cell } => vec![("cell", words(cell.clone()))],
        NoSuchDate { date } => vec![("date", words(date.clone()))],
        RowBeyondSheet { row } => vec![("row", words(row.clone()))],
        UploadTooManyCells { max } => vec![("max", size(max))],
        CellBeyondColumns { cell, max } => vec![("cell", words(cell.clone())), ("max", size(max))],
        MediaType { expected } => vec![("expected", words(*expected))],
        BothGiven { first, second } => vec![("first", words(*first)), ("second", words(*second))],
        WeightsSum { sum } => vec![("sum", number(*sum))],
        PeriodTooLong { max_days } => vec![("max_days", number(*max_days))],
        OutsideCycle { cycle, start, end } => vec![
            ("cycle", words(cycle.clone())),
            ("start", words(start.to_string())),
            ("end", words(end.to_string())),
        ],
        PeriodOverlaps {
            cycle,
            start,
            end,
            series,
        } => vec![
            ("cycle", words(cycle.clone())),
            ("start", words(start.to_string())),
            ("end", words(end.to_string())),
            ("series", words(self::series(locale, series))),
        ],
        CycleNameTaken { name }
        | DepartmentNameTaken { name }
        | NoDepartmentNamed { name }
        | DepartmentAmbiguous { name } => {
            vec![("name", words(name.clone()))]
        }
        NextStateOnly { from, next, to } => {
            vec![
                ("from", state(from)),
                ("next", state(next)),
                ("to", state(to)),
            ]
        }
        FinalState { state: s }
        | PeriodFrozen { state: s }
        | AppealWindowFrozen { state: s }
        | SchemeFrozen { state: s }
        | ComputeInReviewOnly { state: s }
        | ReviewInReviewOnly { state: s } => vec![("state", state(s))],
        Uncomputed { count } | Stale { count } | ManagesPeople { count } => {
            vec![("count", number(*count))]
        }
        CycleNotOpen { cycle, state: s }
        | TargetsFrozen { cycle, state: s }
        | RatingsClosed { cycle, state: s } => {
            vec![("cycle", words(cycle.clone())), ("state", state(s))]
        }
        EmailTaken { email } => vec![("email", words(email.clone()))],
        EmailOfAnother { name, number } => vec![
            ("name", words(name.clone())),
            (
                "number",
                words(number.clone().unwrap_or_else(|| "—".into())),
            ),
        ],
        NumberWouldChange { name, from, to } => vec![
            ("name", words(name.clone())),
            ("from", words(from.clone())),
            ("to", words(to.clone())),
        ],
        EmployeeNumberTaken { number } => vec![("number", words(number.clone()))],
        FutureDate { today } => vec![("today", words(today.to_string()))],
        WebhookHost { hosts } => vec![("hosts", words(hosts.clone()))],
        InstantTooOld { days } => vec![("days", number(*days))],
        EarlierThan { column } => vec![("column", words(field(locale, column, None)))],
        RecordedOtherwise { recorded } => vec![("recorded", words(recorded.clone()))],
        NoDepartmentCalled { name, known } => {
            vec![
                ("name", words(name.clone())),
                ("known", words(known.clone())),
            ]
        }
        BeforeLastStep { at } => vec![("at", words(at.clone()))],
        ComplaintNotNow { state: s } => vec![(
            "state",
            words(text(locale, &format!("complaint-state-{}", s.as_str()))),
        )],
        OtherTargetInFile { row } | OtherValuesInFile { row } => vec![("row", size(row))],
        PointsRange { max, item } => vec![("max", number(*max)), ("item", words(item.clone()))],
        ItemsMissing { items } => vec![("items", words(list(locale, items)))],
        AppealWindowClosed { days, closed, zone } => vec![
            ("days", number(*days)),
            ("closed", words(closed.format("%Y-%m-%d %H:%M").to_string())),
            ("zone", words(*zone)),
        ],
        AppealDecided { upheld } => vec![("upheld", words(if *upheld { "yes" } else { "no" }))],
        Locked { seconds } | Busy { seconds } => vec![("seconds", number(*seconds as i64))],
        _ => Vec::new(),
    }
}

/// A field, named as the forms label it: `grade_bands[2].min_total` is "Lowest total, row 3".
/// `target` names the row of a list whose rows are things, not numbers (a department's
/// weights); without it the row number stands in.
pub fn field(locale: Locale, path: &str, target: Option<&str>) -> String {
    let (key, row) = field_key(path);
    let row_number = row.map_or(0, |r| r + 1);
    let target = target.map_or_else(|| row_number.to_string(), str::to_owned);
    let args = vec![
        ("row", number(row_number as i64)),
        ("target", words(target)),
        ("path", words(path.to_owned())),
    ];
    exact(locale, &key, args.clone()).unwrap_or_else(|| format(locale, "field-unknown", args))
}

/// `grade_bands[2].min_total` → (`field-grade_bands-min_total`, Some(2)).
fn field_key(path: &str) -> (String, Option<usize>) {
    let mut key = String::from("field");
    let mut row = None;
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        if row.is_none() {
            row = index;
        }
        key.push('-');
        key.push_str(name);
    }
    (key, row)
}

#[cfg(test)]
pub(crate) mod tests;
