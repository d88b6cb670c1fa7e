//! Why something was refused, as values: every validation failure, guard and conflict that
//! the rules produce, with its parameters. No sentence lives here: the message catalog
//! (`crate::i18n`) renders each in the reader's language, and [`Problem::code`] is the
//! stable machine name the API sends beside the words, so integrations never parse text.

use chrono::{NaiveDate, NaiveDateTime};

use super::state::CycleState;

/// Problems of a whole input, each with the field it concerns (`weights.sales`,
/// `grade_bands[2].min_total`); empty means valid.
pub type Problems = Vec<(String, Problem)>;

#[derive(Debug, Clone, PartialEq, Eq, strum::EnumDiscriminants)]
#[strum_discriminants(derive(strum::EnumIter, Hash))]
pub enum Problem {
    // What a value must look like.
    Required,
    Empty,
    TooLong {
        max: usize,
    },
    TooShort {
        min: usize,
    },
    ControlCharacters,
    ControlCharactersInText,
    /// A name of only characters that show nothing (spaces, zero-width characters).
    NothingVisible,
    /// A bidirectional control character, which would show other text than is stored.
    BidiControl,
    NulCharacter,
    OnlySpaces,
    NotEmail,
    NotDate,
    /// A date of the right shape that the calendar does not have (`2026/6/31`).
    NoSuchDate {
        date: String,
    },
    NotWholeNumber,
    NotPositiveId,
    NotText,
    NotBoolean,
    /// A yes/no cell of a sheet (true/false, 是/否, 在职/离职).
    NotYesNo,
    /// A role as a sheet names it (a code, or 员工 / 主管 / 人事).
    NotRole,
    /// A language as a sheet names it (a code, or 中文 / 英文).
    NotLanguage,
    OutOfRange {
        min: i64,
        max: i64,
    },
    /// One of fixed machine values (a role, a state, a kind), listed as they are written.
    OneOf {
        options: &'static [&'static str],
    },
    Twice,
    Choose,
    UnknownField,
    UnknownParameter,
    UnknownColumn,
    /// Not one of the values the field takes.
    UnknownValue,
    NotList,
    /// A value of the wrong kind (an object where a number belongs).
    WrongShape,

    // Request bodies and uploads.
    MalformedJson {
        line: usize,
        column: usize,
    },
    BodyUnreadable,
    QueryUnreadable,
    FormUnreadable,
    UploadUnreadable,
    /// A CSV file in neither UTF-8 nor GB18030 (GBK).
    NotUtf8OrGb18030,
    NotJsonObject,
    NotJsonArray,
    RowNotObject,
    RowTooManyFields,
    NoRows,
    TooManyRows {
        max: usize,
    },
    TooManyColumns {
        max: usize,
    },
    NoHeader,
    /// The header lacks a column the upload needs; it may be named any of `accepted`.
    MissingColumn {
        accepted: Vec<String>,
    },
    /// The name beside a row's employee number or email is not that person's.
    NameMismatch {
        name: String,
    },
    HeaderUnreadable,
    RowUnreadable,
    ColumnTwice {
        column: String,
    },
    MediaType {
        expected: &'static str,
    },
    TooLarge,
    TooSlow,
    /// An XLSX archive with more parts than a workbook has.
    TooManyParts {
        max: u64,
    },
    /// A part of an XLSX archive unpacks to more than it may.
    UnpacksTooLarge {
        part: String,
        max_mib: u64,
    },
    /// A cell beyond Excel's last one (XFD1048576).
    CellBeyondSheet {
        cell: String,
    },
    /// A row numbered beyond Excel's last row (1048576).
    RowBeyondSheet {
        row: String,
    },
    /// A value in a column past the ones an upload may have.
    CellBeyondColumns {
        cell: String,
        max: usize,
    },
    TooManySharedStrings {
        max: u64,
    },
    SharedStringsTooLarge {
        max_mib: u64,
    },
    /// The cells of an upload hold more text than it may.
    UploadTextTooLarge {
        max_mib: u64,
    },
    /// More filled cells than an upload may hold.
    UploadTooManyCells {
        max: usize,
    },

    // Schemes.
    WeightsSum {
        sum: i64,
    },
    BandCount {
        max: usize,
    },
    BandsNotDecreasing,
    LastBandNotZero,
    TooManyOverrides {
        max: usize,
    },
    OverrideTwice,
    NoSuchDepartment,

    // Service recovery: the time-limit policy.
    NotTimeOfDay,
    EndsNotAfterStart,
    BreakOutsideHours,
    ResolutionBeforeResponse,

    // Complaints.
    /// Not a date and time with its zone (RFC 3339).
    NotInstant,
    /// Not a date and time as a sheet writes one (with a zone, or in the company's).
    NotSheetInstant,
    InstantInFuture,
    InstantTooOld {
        days: i64,
    },
    /// The person named is not (active) in the department named.
    NotInDepartment,
    AlreadyHolds,
    PriorityUnchanged,
    /// The step is not possible in the complaint's state.
    ComplaintNotNow {
        state: crate::domain::complaint::State,
    },
    /// A helpdesk row's time lies before another of its times (`column`).
    EarlierThan {
        column: &'static str,
    },
    /// A helpdesk row names a department the company does not have (`known`: its names).
    NoDepartmentCalled {
        name: String,
        known: String,
    },
    /// A helpdesk row's follow-up rating without a resolution.
    FollowUpNeedsResolution,
    /// A helpdesk row says otherwise than what its reference recorded before.
    RecordedOtherwise {
        recorded: String,
    },
    /// A helpdesk row's step lies before the last step recorded (at `at`, local time).
    BeforeLastStep {
        at: String,
    },

    // Group robots.
    NotUrl,
    /// The webhook's host is not one of `notices.robot_hosts`.
    WebhookHost {
        hosts: String,
    },
    WebhookNotHttps,
    WebhookKeyMissing,
    /// The address is on another platform's host than the one chosen.
    WebhookOtherPlatform,
    SecretRequired,

    // Cycles.
    PeriodEndsBeforeStart,
    PeriodTooLong {
        max_days: i64,
    },
    PeriodOverlaps {
        cycle: String,
        start: NaiveDate,
        end: NaiveDate,
        series: String,
    },
    CycleNameTaken {
        name: String,
    },
    NextStateOnly {
        from: CycleState,
        next: CycleState,
        to: CycleState,
    },
    FinalState {
        state: CycleState,
    },
    SchemeNeeded,
    Uncomputed {
        count: i64,
    },
    Stale {
        count: i64,
    },
    PeriodFrozen {
        state: CycleState,
    },
    AppealWindowFrozen {
        state: CycleState,
    },
    CycleArchived,
    SchemeFrozen {
        state: CycleState,
    },
    ComputeInReviewOnly {
        state: CycleState,
    },
    ReviewInReviewOnly {
        state: CycleState,
    },
    NoScheme,
    NoSuchCycle,
    NoCycleForDate,
    CycleNotOpen {
        cycle: String,
        state: CycleState,
    },
    TargetsFrozen {
        cycle: String,
        state: CycleState,
    },
    RatingsClosed {
        cycle: String,
        state: CycleState,
    },

    // People.
    EmailTaken {
        email: String,
    },
    EmployeeNumberTaken {
        number: String,
    },
    /// A row's email belongs to another person than its employee number does.
    EmailOfAnother {
        name: String,
        number: Option<String>,
    },
    /// A row would change the employee number of the person its email names.
    NumberWouldChange {
        name: String,
        from: String,
        to: String,
    },
    /// The example row of a template (an address at example.invalid), left in the file.
    TemplateExampleRow,
    NotEmployeeNumber,
    DepartmentNameTaken {
        name: String,
    },
    /// A people file names a department that does not exist (and was not to be created).
    NoDepartmentNamed {
        name: String,
    },
    /// A people file's department name matches several departments but none exactly.
    DepartmentAmbiguous {
        name: String,
    },
    /// A set-up code for someone with email who has set a password (they use a reset link).
    HasEmailAndPassword,
    /// A link cannot be mailed to someone without email (HR gives a set-up code).
    NoEmail,
    /// The email of someone who has set a password stays: it is how they reset it (and
    /// removing it would open their account to a set-up code).
    EmailStays,
    /// A person with neither email nor employee number could never sign in.
    NoWayToSignIn,
    NoSuchUser,
    NoSuchEmployee,
    OwnManager,
    ManagerInactive,
    ManagerNotSupervisor,
    ManagementLoop,
    ManagesPeople {
        count: i64,
    },
    LastActiveHr,
    OwnAccount,
    PasswordChangedMeanwhile,
    PasswordUnchanged,
    PasswordWrong,
    /// A set-password link that is unknown, used or expired (the three answer alike).
    LinkInvalid,
    /// The password typed twice differs.
    PasswordsDiffer,
    HrNotAppraised,
    NotActiveEmployee,
    RateSelf,
    RateOwnDepartment,

    // Evidence.
    NotYuan,
    /// A target for another cycle than the one whose page the upload came from.
    OtherCycle,
    /// Two columns that say the same thing, both filled in.
    BothGiven {
        first: &'static str,
        second: &'static str,
    },
    /// Only one of the ways to name a person (employee_id, employee_number, email).
    OnePersonReference,
    NoPersonReference,
    /// The row's date lies outside the cycle the upload was made on.
    OutsideCycle {
        cycle: String,
        start: NaiveDate,
        end: NaiveDate,
    },
    FutureDate {
        today: NaiveDate,
    },
    OtherTargetInFile {
        row: usize,
    },
    OtherValuesInFile {
        row: usize,
    },
    ReferenceTaken,

    // Checklists and inspections.
    ItemCount {
        max: usize,
    },
    ChecklistReplaced,
    /// HR retired the checklist: inspections no longer use it.
    ChecklistRetired,
    OldChecklistVersion,
    NoSuchChecklist,
    NotAnItem,
    ScoredTwice,
    PointsRange {
        max: i32,
        item: String,
    },
    ItemsMissing {
        items: Vec<String>,
    },
    TooManyScores {
        max: usize,
    },

    // Appraisals and appeals.
    AppealWindowClosed {
        days: i32,
        closed: NaiveDateTime,
        zone: &'static str,
    },
    AppealOpen,
    AcknowledgedFinal,
    NoteRequired,
    AppealDecided {
        upheld: bool,
    },

    // Notices.
    NoticeSent,
    NoticeQueued,

    // Access and capacity.
    BadCredentials,
    TokenRequired,
    Forbidden,
    NotFound,
    Locked {
        seconds: u64,
    },
    Busy {
        seconds: u64,
    },
    Contended,
    Storage,
    Unavailable,
    Internal,
    Duplicate,
    MethodNotAllowed,
}

impl Problem {
    /// The stable machine name of the problem (documented in the OpenAPI description).
    pub fn code(&self) -> &'static str {
        use Problem::*;
        match self {
            Required => "required",
            Empty => "empty",
            TooLong { .. } => "too_long",
            TooShort { .. } => "too_short",
            ControlCharacters => "control_characters",
            ControlCharactersInText => "control_characters_in_text",
            NothingVisible => "nothing_visible",
            BidiControl => "bidi_control",
            NulCharacter => "nul_character",
            OnlySpaces => "only_spaces",
            NotEmail => "not_email",
            NotDate => "not_date",
            NoSuchDate { .. } => "no_such_date",
            NotWholeNumber => "not_whole_number",
            NotPositiveId => "not_positive_id",
            NotText => "not_text",
            NotBoolean => "not_boolean",
            NotYesNo => "not_yes_no",
            NotRole => "not_role",
            NotLanguage => "not_language",
            OutOfRange { .. } => "out_of_range",
            OneOf { .. } => "one_of",
            Twice => "twice",
            Choose => "choose",
            UnknownField => "unknown_field",
            UnknownParameter => "unknown_parameter",
            UnknownColumn => "unknown_column",
            UnknownValue => "unknown_value",
            NotList => "not_list",
            WrongShape => "wrong_shape",
            MalformedJson { .. } => "malformed_json",
            BodyUnreadable => "body_unreadable",
            QueryUnreadable => "query_unreadable",
            FormUnreadable => "form_unreadable",
            UploadUnreadable => "upload_unreadable",
            NotUtf8OrGb18030 => "not_utf8_or_gb18030",
            NotJsonObject => "not_json_object",
            NotJsonArray => "not_json_array",
            RowNotObject => "row_not_object",
            RowTooManyFields => "row_too_many_fields",
            NoRows => "no_rows",
            TooManyRows { .. } => "too_many_rows",
            TooManyColumns { .. } => "too_many_columns",
            NoHeader => "no_header",
            MissingColumn { .. } => "missing_column",
            NameMismatch { .. } => "name_mismatch",
            HeaderUnreadable => "header_unreadable",
            RowUnreadable => "row_unreadable",
            ColumnTwice { .. } => "column_twice",
            MediaType { .. } => "media_type",
            TooLarge => "too_large",
            TooSlow => "too_slow",
            TooManyParts { .. } => "too_many_parts",
            UnpacksTooLarge { .. } => "unpacks_too_large",
            CellBeyondSheet { .. } => "cell_beyond_sheet",
            RowBeyondSheet { .. } => "row_beyond_sheet",
            CellBeyondColumns { .. } => "cell_beyond_columns",
            TooManySharedStrings { .. } => "too_many_shared_strings",
            SharedStringsTooLarge { .. } => "shared_strings_too_large",
            UploadTextTooLarge { .. } => "upload_text_too_large",
            UploadTooManyCells { .. } => "upload_too_many_cells",
            WeightsSum { .. } => "weights_sum",
            BandCount { .. } => "band_count",
            BandsNotDecreasing => "bands_not_decreasing",
            LastBandNotZero => "last_band_not_zero",
            TooManyOverrides { .. } => "too_many_overrides",
            OverrideTwice => "override_twice",
            NoSuchDepartment => "no_such_department",
            NotTimeOfDay => "not_time_of_day",
            EndsNotAfterStart => "ends_not_after_start",
            BreakOutsideHours => "break_outside_hours",
            ResolutionBeforeResponse => "resolution_before_response",
            NotInstant => "not_instant",
            NotSheetInstant => "not_sheet_instant",
            WebhookOtherPlatform => "webhook_other_platform",
            EarlierThan { .. } => "earlier_than",
            NoDepartmentCalled { .. } => "no_department_called",
            FollowUpNeedsResolution => "follow_up_needs_resolution",
            RecordedOtherwise { .. } => "recorded_otherwise",
            BeforeLastStep { .. } => "before_last_step",
            InstantInFuture => "instant_in_future",
            InstantTooOld { .. } => "instant_too_old",
            NotInDepartment => "not_in_department",
            AlreadyHolds => "already_holds",
            PriorityUnchanged => "priority_unchanged",
            ComplaintNotNow { .. } => "complaint_not_now",
            NotUrl => "not_url",
            WebhookHost { .. } => "webhook_host",
            WebhookNotHttps => "webhook_not_https",
            WebhookKeyMissing => "webhook_key_missing",
            SecretRequired => "secret_required",
            PeriodEndsBeforeStart => "period_ends_before_start",
            PeriodTooLong { .. } => "period_too_long",
            PeriodOverlaps { .. } => "period_overlaps",
            CycleNameTaken { .. } => "cycle_name_taken",
            NextStateOnly { .. } => "next_state_only",
            FinalState { .. } => "final_state",
            SchemeNeeded => "scheme_needed",
            Uncomputed { .. } => "uncomputed",
            Stale { .. } => "stale",
            PeriodFrozen { .. } => "period_frozen",
            AppealWindowFrozen { .. } => "appeal_window_frozen",
            CycleArchived => "cycle_archived",
            SchemeFrozen { .. } => "scheme_frozen",
            ComputeInReviewOnly { .. } => "compute_in_review_only",
            ReviewInReviewOnly { .. } => "review_in_review_only",
            NoScheme => "no_scheme",
            NoSuchCycle => "no_such_cycle",
            NoCycleForDate => "no_cycle_for_date",
            CycleNotOpen { .. } => "cycle_not_open",
            TargetsFrozen { .. } => "targets_frozen",
            RatingsClosed { .. } => "ratings_closed",
            EmailTaken { .. } => "email_taken",
            EmployeeNumberTaken { .. } => "employee_number_taken",
            EmailOfAnother { .. } => "email_of_another",
            NumberWouldChange { .. } => "number_would_change",
            TemplateExampleRow => "template_example_row",
            NotEmployeeNumber => "not_employee_number",
            DepartmentNameTaken { .. } => "department_name_taken",
            NoDepartmentNamed { .. } => "no_department_named",
            DepartmentAmbiguous { .. } => "department_ambiguous",
            HasEmailAndPassword => "has_email_and_password",
            NoEmail => "no_email",
            EmailStays => "email_stays",
            NoWayToSignIn => "no_way_to_sign_in",
            NoSuchUser => "no_such_user",
            NoSuchEmployee => "no_such_employee",
            OwnManager => "own_manager",
            ManagerInactive => "manager_inactive",
            ManagerNotSupervisor => "manager_not_supervisor",
            ManagementLoop => "management_loop",
            ManagesPeople { .. } => "manages_people",
            LastActiveHr => "last_active_hr",
            OwnAccount => "own_account",
            PasswordChangedMeanwhile => "password_changed_meanwhile",
            PasswordUnchanged => "password_unchanged",
            PasswordWrong => "password_wrong",
            LinkInvalid => "link_invalid",
            PasswordsDiffer => "passwords_differ",
            HrNotAppraised => "hr_not_appraised",
            NotActiveEmployee => "not_active_employee",
            RateSelf => "rate_self",
            RateOwnDepartment => "rate_own_department",
            NotYuan => "not_yuan",
            OtherCycle => "other_cycle",
            BothGiven { .. } => "both_given",
            OnePersonReference => "one_person_reference",
            NoPersonReference => "no_person_reference",
            OutsideCycle { .. } => "outside_cycle",
            FutureDate { .. } => "future_date",
            OtherTargetInFile { .. } => "other_target_in_file",
            OtherValuesInFile { .. } => "other_values_in_file",
            ReferenceTaken => "reference_taken",
            ItemCount { .. } => "item_count",
            ChecklistReplaced => "checklist_replaced",
            ChecklistRetired => "checklist_retired",
            OldChecklistVersion => "old_checklist_version",
            NoSuchChecklist => "no_such_checklist",
            NotAnItem => "not_an_item",
            ScoredTwice => "scored_twice",
            PointsRange { .. } => "points_range",
            ItemsMissing { .. } => "items_missing",
            TooManyScores { .. } => "too_many_scores",
            AppealWindowClosed { .. } => "appeal_window_closed",
            AppealOpen => "appeal_open",
            AcknowledgedFinal => "acknowledged_final",
            NoteRequired => "note_required",
            AppealDecided { .. } => "appeal_decided",
            NoticeSent => "notice_sent",
            NoticeQueued => "notice_queued",
            BadCredentials => "bad_credentials",
            TokenRequired => "token_required",
            Forbidden => "forbidden",
            NotFound => "not_found",
            Locked { .. } => "locked",
            Busy { .. } => "busy",
            Contended => "contended",
            Storage => "storage",
            Unavailable => "unavailable",
            Internal => "internal",
            Duplicate => "duplicate",
            MethodNotAllowed => "method_not_allowed",
        }
    }
}
