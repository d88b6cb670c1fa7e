//! The catalog is complete in both languages, and each language stays itself: every
//! message exists in zh-CN and in en with every argument it needs, the Chinese words hold
//! no English word outside a short list of names and codes, and the English ones no
//! Chinese character.

use chrono::NaiveDate;
use strum::IntoEnumIterator;

use super::*;
use crate::domain::problem::ProblemDiscriminants;

/// One example of every problem (the test below fails when a kind has none).
pub fn every_problem() -> Vec<Problem> {
    use Problem::*;
    let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    vec![
        Required,
        Empty,
        TooLong { max: 100 },
        TooShort { min: 10 },
        ControlCharacters,
        ControlCharactersInText,
        NothingVisible,
        BidiControl,
        NulCharacter,
        OnlySpaces,
        NotEmail,
        NotDate,
        NoSuchDate {
            date: "2026/6/31".into(),
        },
        NotWholeNumber,
        NotPositiveId,
        NotText,
        NotBoolean,
        NotYesNo,
        NotRole,
        NotLanguage,
        OutOfRange { min: 0, max: 100 },
        OneOf {
            options: &["staff", "supervisor", "hr"],
        },
        Twice,
        Choose,
        UnknownField,
        UnknownParameter,
        UnknownColumn,
        UnknownValue,
        NotList,
        WrongShape,
        MalformedJson { line: 1, column: 9 },
        BodyUnreadable,
        QueryUnreadable,
        FormUnreadable,
        UploadUnreadable,
        NotUtf8OrGb18030,
        NotJsonObject,
        NotJsonArray,
        RowNotObject,
        RowTooManyFields,
        NoRows,
        TooManyRows { max: 200_000 },
        TooManyColumns { max: 20 },
        NoHeader,
        MissingColumn {
            accepted: vec!["日期".into(), "occurred_on".into()],
        },
        NameMismatch {
            name: "王芳".into(),
        },
        HeaderUnreadable,
        RowUnreadable,
        ColumnTwice {
            column: "employee_id".into(),
        },
        MediaType {
            expected: "application/json",
        },
        TooLarge,
        TooSlow,
        TooManyParts { max: 1000 },
        UnpacksTooLarge {
            part: "xl/worksheets/sheet1.xml".into(),
            max_mib: 512,
        },
        CellBeyondSheet {
            cell: "A99999999".into(),
        },
        RowBeyondSheet {
            row: "99999999".into(),
        },
        CellBeyondColumns {
            cell: "XFD1048576".into(),
            max: 20,
        },
        TooManySharedStrings { max: 1_000_000 },
        SharedStringsTooLarge { max_mib: 64 },
        UploadTextTooLarge { max_mib: 64 },
        UploadTooManyCells { max: 2_000_000 },
        WeightsSum { sum: 110 },
        BandCount { max: 10 },
        BandsNotDecreasing,
        LastBandNotZero,
        TooManyOverrides { max: 200 },
        OverrideTwice,
        NoSuchDepartment,
        NotTimeOfDay,
        EndsNotAfterStart,
        BreakOutsideHours,
        ResolutionBeforeResponse,
        NotInstant,
        NotSheetInstant,
        WebhookOtherPlatform,
        EarlierThan {
            column: "received_at",
        },
        FollowUpNeedsResolution,
        NoDepartmentCalled {
            name: "旗舰店".into(),
            known: "旗舰店".into(),
        },
        RecordedOtherwise {
            recorded: "2026-11-05 14:30".into(),
        },
        BeforeLastStep {
            at: "2026-11-05 14:30".into(),
        },
        InstantInFuture,
        InstantTooOld { days: 366 },
        NotInDepartment,
        AlreadyHolds,
        PriorityUnchanged,
        ComplaintNotNow {
            state: crate::domain::complaint::State::Resolved,
        },
        NotUrl,
        WebhookHost {
            hosts: "qyapi.weixin.qq.com".into(),
        },
        WebhookNotHttps,
        WebhookKeyMissing,
        SecretRequired,
        PeriodEndsBeforeStart,
        PeriodTooLong { max_days: 366 },
        PeriodOverlaps {
            cycle: "2026 Q4".into(),
            start: day,
            end: day,
            series: "main".into(),
        },
        CycleNameTaken {
            name: "2026 Q4".into(),
        },
        NextStateOnly {
            from: CycleState::Open,
            next: CycleState::Review,
            to: CycleState::Published,
        },
        FinalState {
            state: CycleState::Archived,
        },
        SchemeNeeded,
        Uncomputed { count: 35 },
        Stale { count: 1 },
        PeriodFrozen {
            state: CycleState::Open,
        },
        AppealWindowFrozen {
            state: CycleState::Published,
        },
        CycleArchived,
        SchemeFrozen {
            state: CycleState::Published,
        },
        ComputeInReviewOnly {
            state: CycleState::Open,
        },
        ReviewInReviewOnly {
            state: CycleState::Published,
        },
        NoScheme,
        NoSuchCycle,
        NoCycleForDate,
        CycleNotOpen {
            cycle: "2026 Q3".into(),
            state: CycleState::Review,
        },
        TargetsFrozen {
            cycle: "2026 Q3".into(),
            state: CycleState::Published,
        },
        RatingsClosed {
            cycle: "2026 Q3".into(),
            state: CycleState::Draft,
        },
        EmailTaken {
            email: "ann@example.com".into(),
        },
        DepartmentNameTaken {
            name: "旗舰店".into(),
        },
        NoDepartmentNamed {
            name: "旗舰店".into(),
        },
        DepartmentAmbiguous {
            name: "旗舰店".into(),
        },
        HasEmailAndPassword,
        NoEmail,
        EmailStays,
        NoWayToSignIn,
        NoSuchUser,
        NoSuchEmployee,
        OwnManager,
        ManagerInactive,
        ManagerNotSupervisor,
        ManagementLoop,
        ManagesPeople { count: 7 },
        LastActiveHr,
        OwnAccount,
        PasswordChangedMeanwhile,
        PasswordUnchanged,
        PasswordWrong,
        LinkInvalid,
        PasswordsDiffer,
        HrNotAppraised,
        NotActiveEmployee,
        RateSelf,
        RateOwnDepartment,
        EmailOfAnother {
            name: "王芳".into(),
            number: Some("E0102".into()),
        },
        NumberWouldChange {
            name: "王芳".into(),
            from: "E0102".into(),
            to: "E0101".into(),
        },
        TemplateExampleRow,
        EmployeeNumberTaken {
            number: "S0001".into(),
        },
        NotEmployeeNumber,
        NotYuan,
        OtherCycle,
        BothGiven {
            first: "amount",
            second: "amount_yuan",
        },
        OnePersonReference,
        NoPersonReference,
        OutsideCycle {
            cycle: "2026 Q4".into(),
            start: day,
            end: day,
        },
        FutureDate { today: day },
        OtherTargetInFile { row: 2 },
        OtherValuesInFile { row: 3 },
        ReferenceTaken,
        ItemCount { max: 50 },
        ChecklistReplaced,
        ChecklistRetired,
        OldChecklistVersion,
        NoSuchChecklist,
        NotAnItem,
        ScoredTwice,
        PointsRange {
            max: 10,
            item: "仪容仪表".into(),
        },
        ItemsMissing {
            items: vec!["仪容仪表".into(), "站姿".into()],
        },
        TooManyScores { max: 50 },
        AppealWindowClosed {
            days: 14,
            closed: day.and_hms_opt(9, 30, 0).unwrap(),
            zone: "Asia/Shanghai",
        },
        AppealOpen,
        AcknowledgedFinal,
        NoteRequired,
        AppealDecided { upheld: true },
        NoticeSent,
        NoticeQueued,
        BadCredentials,
        TokenRequired,
        Forbidden,
        NotFound,
        Locked { seconds: 30 },
        Busy { seconds: 1 },
        Contended,
        Storage,
        Unavailable,
        Internal,
        Duplicate,
        MethodNotAllowed,
    ]
}

/// Words that may stand in a Chinese text: names of people, places and cycles from the
/// examples, machine values and codes shown as they are written, and units.
const ALLOWED_IN_CHINESE: &[&str] = &[
    "Q3",
    "Q4",
    "JSON",
    "CSV",
    "XLSX",
    "GBK",
    "Excel",
    "MiB",
    // A part's path inside an XLSX archive, as the archive names it.
    "xl",
    "worksheets",
    "xml",
    // The codes a Chinese message lists beside the Chinese values.
    "en",
    "staff",
    "supervisor",
    "hr",
    "true",
    "false",
    // The domain of the templates' example addresses.
    "example",
    // A robot platform's host, as a refusal lists the hosts allowed.
    "qyapi",
    "weixin",
    "qq",
    "invalid",
    // Column names of the spreadsheets, written as the header row must spell them.
    "email",
    "amount",
    "target",
    "U",
    "YYYY",
    "MM",
    "DD",
    "M",
    "D",
    "true",
    "false",
    "staff",
    "supervisor",
    "hr",
    "employee_id",
    "application",
    "json",
    "Asia",
    "Shanghai",
    "ann",
    "example",
    "com",
    "errors",
    "s",
    "id",
    "B",
    "A",
];

/// The English words (runs of Latin letters) in `text` that are not allowed. Machine codes
/// (`employee_id`, `sales-targets`: letters joined by `_` or `-`) and tokens with digits
/// (`Q4`, `v2`) are names, not words.
pub fn english_words(text: &str, allowed: &[&str]) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .map(|w| w.trim_matches('-'))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .filter(|w| !w.contains('_') && !w.contains('-') && !w.chars().any(|c| c.is_ascii_digit()))
        .filter(|w| !allowed.contains(w) && !ALLOWED_IN_CHINESE.contains(w))
        .map(str::to_owned)
        .collect()
}

pub fn has_chinese(text: &str) -> bool {
    text.chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c))
}

#[test]
fn every_kind_of_problem_has_an_example() {
    let covered: std::collections::HashSet<ProblemDiscriminants> = every_problem()
        .iter()
        .map(ProblemDiscriminants::from)
        .collect();
    for kind in ProblemDiscriminants::iter() {
        assert!(covered.contains(&kind), "no example of {kind:?}");
    }
}

#[test]
fn every_problem_reads_in_both_languages_and_in_its_own_words() {
    for p in every_problem() {
        let key = format!("problem-{}", p.code());
        for locale in [Locale::En, Locale::ZhCn] {
            let args = problem_args(locale, &p);
            let words = exact(locale, &key, args)
                .unwrap_or_else(|| panic!("{key} is missing in {locale:?}, or an argument is"));
            match locale {
                Locale::ZhCn => {
                    let english = english_words(&words, &[]);
                    assert!(english.is_empty(), "{key} in zh-CN: {words} ({english:?})");
                }
                Locale::En => assert!(!has_chinese_outside_names(&words), "{key} in en: {words}"),
            }
        }
    }
}

/// The examples' names are Chinese (a department, checklist items): English messages may
/// quote them.
fn has_chinese_outside_names(text: &str) -> bool {
    // Names, and the Chinese values and date form an English message lists beside the
    // codes (a Chinese office's sheet holds them).
    let quoted = [
        "旗舰店",
        "仪容仪表",
        "站姿",
        "、",
        "王芳",
        "日期",
        "年",
        "月",
        "日",
        "员工",
        "主管",
        "人事",
        "中文",
        "英文",
        "在职",
        "离职",
        "是",
        "否",
    ];
    let mut rest = text.to_owned();
    for q in quoted {
        rest = rest.replace(q, "");
    }
    has_chinese(&rest)
}

#[test]
fn fields_are_named_as_the_forms_label_them() {
    assert_eq!(
        field(Locale::En, "grade_bands[2].min_total", None),
        "Lowest total, row 3"
    );
    assert_eq!(
        field(Locale::ZhCn, "grade_bands[2].min_total", None),
        "第 3 行：最低总分"
    );
    assert_eq!(
        field(
            Locale::En,
            "department_overrides[0].weights.sales",
            Some("Call Centre")
        ),
        "Weights of Call Centre: sales"
    );
    assert_eq!(field(Locale::En, "period_end", None), "Ends");
    assert_eq!(field(Locale::En, "no.such.field", None), "no.such.field");
}

#[test]
fn problems_read_with_their_numbers() {
    assert_eq!(
        problem(Locale::En, &Problem::WeightsSum { sum: 110 }),
        "must sum to 100 (they sum to 110)"
    );
    assert_eq!(
        problem(Locale::ZhCn, &Problem::WeightsSum { sum: 110 }),
        "权重合计必须为 100（当前为 110）"
    );
    assert_eq!(
        problem(Locale::En, &Problem::Stale { count: 2 }),
        "2 appraisals were computed before the latest change of the weights, the evidence or \
         the people; compute again first"
    );
    assert!(problem(
        Locale::ZhCn,
        &Problem::CycleNotOpen {
            cycle: "2026 Q4".into(),
            state: CycleState::Review
        }
    )
    .contains("审核中"));
}

#[test]
fn the_default_series_reads_back_as_itself() {
    for locale in [Locale::En, Locale::ZhCn] {
        let shown = crate::i18n::series(locale, crate::domain::cycle::DEFAULT_SERIES);
        assert!(
            crate::domain::cycle::DEFAULT_SERIES_NAMES.contains(&shown.as_str()),
            "{shown}"
        );
    }
}

#[test]
fn every_delivery_failure_reads_in_both_languages() {
    use crate::domain::delivery::Failure;
    for failure in Failure::iter() {
        for locale in [Locale::En, Locale::ZhCn] {
            let key = format!("delivery-failure-{}", failure.as_str());
            let words = exact(locale, &key, Vec::new())
                .unwrap_or_else(|| panic!("{key} is missing in {locale:?}"));
            if locale == Locale::ZhCn {
                assert!(english_words(&words, &[]).is_empty(), "{key}: {words}");
            }
        }
        let stored = failure.stored("550 no such user");
        assert_ne!(
            crate::i18n::delivery_failure(Locale::ZhCn, &stored),
            stored,
            "worded, not shown as stored"
        );
    }
}

#[test]
fn every_audit_action_reads_in_both_languages() {
    use crate::domain::audit::Action;
    for action in Action::iter() {
        for locale in [Locale::En, Locale::ZhCn] {
            let key = format!("audit-action-{}", action.as_str());
            assert!(
                exact(locale, &key, Vec::new()).is_some(),
                "{key} is missing in {locale:?}: the trail would say \"other change\""
            );
        }
    }
}
