use std::collections::HashSet;
use std::fmt;

use serde::Serialize;
use utoipa::openapi::{RefOr, Schema};

use super::problem::Problem;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    utoipa::ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Role {
    Staff,
    Supervisor,
    Hr,
}

impl Role {
    pub const VALUES: &'static [&'static str] = <Self as strum::VariantNames>::VARIANTS;

    pub fn parse(value: &str) -> Result<Self, Problem> {
        value.parse().map_err(|_| Problem::OneOf {
            options: Self::VALUES,
        })
    }
    pub fn as_str(self) -> &'static str {
        self.into()
    }
    /// Supervisors may do what staff may, HR what supervisors may (PRODUCT §1).
    pub fn at_least(self, tier: Role) -> bool {
        fn rank(role: Role) -> u8 {
            match role {
                Role::Staff => 0,
                Role::Supervisor => 1,
                Role::Hr => 2,
            }
        }
        rank(self) >= rank(tier)
    }
}

impl TryFrom<String> for Role {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Role::parse(&value).map_err(|_| format!("unknown role {value:?}"))
    }
}

impl TryFrom<String> for Locale {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Locale::parse(&value).map_err(|_| format!("unknown locale {value:?}"))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The language people read: a person's setting, and the language of every page, mail
/// and API answer (the one language type of the program).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
pub enum Locale {
    #[serde(rename = "zh-CN")]
    #[strum(serialize = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    #[strum(serialize = "en")]
    En,
}

impl Locale {
    pub const VALUES: &'static [&'static str] = <Self as strum::VariantNames>::VARIANTS;

    pub fn parse(value: &str) -> Result<Self, Problem> {
        value.parse().map_err(|_| Problem::OneOf {
            options: Self::VALUES,
        })
    }
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// A stored locale (or a language tag): Chinese for any `zh…`, else English.
    pub fn of(tag: &str) -> Locale {
        if tag.trim().to_ascii_lowercase().starts_with("zh") {
            Locale::ZhCn
        } else {
            Locale::En
        }
    }

    /// The language an `Accept-Language` header prefers among Chinese (any `zh…`) and
    /// English, by its quality values (the first named wins a tie); None when it names
    /// neither.
    pub fn negotiate(header: &str) -> Option<Locale> {
        let mut best: Option<(f32, Locale)> = None;
        for range in header.split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let locale = if tag.starts_with("zh") {
                Locale::ZhCn
            } else if tag.starts_with("en") {
                Locale::En
            } else {
                continue;
            };
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, locale));
            }
        }
        best.map(|(_, locale)| locale)
    }
}

/// How a spreadsheet row names a person: by id, by employee number (工号), or by email.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PersonRef {
    Id(i32),
    Number(String),
    Email(String),
}

impl PersonRef {
    /// The column it came from.
    pub fn column(&self) -> &'static str {
        match self {
            PersonRef::Id(_) => "employee_id",
            PersonRef::Number(_) => "employee_number",
            PersonRef::Email(_) => "email",
        }
    }
}

pub const EMPLOYEE_NUMBER_MAX: usize = 32;

/// An employee number (工号) as HR's systems write it: trimmed, 1–32 characters of
/// letters, digits, `-`, `_`, `.` and `/`; kept as written (leading zeros matter).
pub fn parse_employee_number(value: &str) -> Result<String, Problem> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Problem::Empty);
    }
    if value.chars().count() > EMPLOYEE_NUMBER_MAX {
        return Err(Problem::TooLong {
            max: EMPLOYEE_NUMBER_MAX,
        });
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        return Err(Problem::NotEmployeeNumber);
    }
    Ok(value.to_owned())
}

/// A normalised (trimmed, lower-case) email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

pub const EMAIL_MAX: usize = 254;

impl Email {
    pub fn parse(value: &str) -> Result<Email, Problem> {
        if value.is_empty() {
            return Err(Problem::Empty);
        }
        if value.chars().count() > EMAIL_MAX {
            return Err(Problem::TooLong { max: EMAIL_MAX });
        }
        let email = value.to_lowercase();
        let invalid = || Problem::NotEmail;
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let labels_ok = domain.split('.').count() >= 2
            && domain
                .split('.')
                .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if local.is_empty()
            || local.chars().count() > 64
            || domain.contains('@')
            || !labels_ok
            || email
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(c))
        {
            return Err(invalid());
        }
        Ok(Email(email))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

/// The regex of [`Email::parse`]: a local part of 1–64 characters, `@`, and two or more
/// dot-separated labels that neither start nor end with `-`; no white space, control
/// characters or `<>()[],;:"\` anywhere.
pub fn email_pattern() -> String {
    use super::text::{CONTROL, SPACE};
    let x = format!(r#"{SPACE}{CONTROL}<>()\[\],;:"\\@"#);
    let label = format!("[^.{x}-](?:[^.{x}]*[^.{x}-])?");
    format!("^[^{x}]{{1,64}}@{label}(?:\\.{label})+$")
}

pub fn email_schema<const NULL: bool>() -> RefOr<Schema> {
    super::text::schema(
        super::text::string(NULL)
            .max_length(Some(EMAIL_MAX))
            .pattern(Some(email_pattern())),
    )
}

/// An email, or empty (or null) for none: a person's email where it may be left out.
pub fn email_or_empty_schema() -> RefOr<Schema> {
    super::text::schema(
        super::text::string(true)
            .max_length(Some(EMAIL_MAX))
            .pattern(Some(format!("^$|{}", email_pattern()))),
    )
}

pub fn new_password_schema() -> RefOr<Schema> {
    password_schema(false)
}

pub fn new_password_schema_or_null() -> RefOr<Schema> {
    password_schema(true)
}

fn password_schema(nullable: bool) -> RefOr<Schema> {
    super::text::schema(
        super::text::string(nullable)
            .min_length(Some(PASSWORD_MIN))
            .max_length(Some(PASSWORD_MAX))
            .pattern(Some(super::text::secret_pattern())),
    )
}

pub const DISPLAY_NAME_MAX: usize = 100;

pub fn parse_display_name(value: &str) -> Result<String, Problem> {
    super::text::name(value, DISPLAY_NAME_MAX)
}

/// A password acceptable as a new password. The upper bound keeps hashing cheap to call.
pub struct NewPassword(String);

pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 128;

impl NewPassword {
    pub fn parse(value: &str) -> Result<NewPassword, Problem> {
        let chars = value.chars().count();
        if chars < PASSWORD_MIN {
            return Err(Problem::TooShort { min: PASSWORD_MIN });
        }
        if chars > PASSWORD_MAX {
            return Err(Problem::TooLong { max: PASSWORD_MAX });
        }
        if value.trim().is_empty() {
            return Err(Problem::OnlySpaces);
        }
        if value.contains('\0') {
            return Err(Problem::NulCharacter);
        }
        Ok(NewPassword(value.to_owned()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// Why someone cannot be `user`'s manager, from what is known of them: `standing` is the
/// candidate's role and whether they are active (None: no such person), `is_self` whether
/// the candidate is the user, `looped` whether the line of managers above the candidate
/// reaches the user ([`creates_management_cycle`]). One rule for a person changed on a page
/// and for a whole people file (`app::people`, `app::people_bulk`).
pub fn manager_problem(
    is_self: bool,
    standing: Option<(Role, bool)>,
    looped: bool,
) -> Option<Problem> {
    match standing {
        _ if is_self => Some(Problem::OwnManager),
        None => Some(Problem::NoSuchUser),
        Some((_, false)) => Some(Problem::ManagerInactive),
        Some((role, true)) if role != Role::Supervisor => Some(Problem::ManagerNotSupervisor),
        Some(_) if looped => Some(Problem::ManagementLoop),
        Some(_) => None,
    }
}

/// Who reviews a person's appraisal: their manager (`manager`: the active one); HR for
/// someone with none (a supervisor at the top of a store, or whose manager has left), so
/// that every appraisal can be reviewed before it is published. Nobody reviews their own. `Some(false)`: the reviewer may see the
/// appraisal but it is not theirs to review (403); `None`: not in their scope (404).
pub fn may_review(reviewer: (i32, Role), employee: i32, manager: Option<i32>) -> Option<bool> {
    let (id, role) = reviewer;
    match role {
        _ if employee == id => None,
        Role::Hr => Some(manager.is_none()),
        Role::Supervisor if manager == Some(id) => Some(true),
        _ => None,
    }
}

/// Would making `manager` the manager of `user` close a loop in the management chain?
/// `manager_of` answers each person's current manager.
pub fn creates_management_cycle(
    user: i32,
    manager: i32,
    mut manager_of: impl FnMut(i32) -> Option<i32>,
) -> bool {
    let mut seen = HashSet::new();
    let mut current = Some(manager);
    while let Some(person) = current {
        if person == user {
            return true;
        }
        if !seen.insert(person) {
            // An existing loop that does not pass through `user`: not ours to report here.
            return false;
        }
        current = manager_of(person);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn the_manager_reviews_and_hr_reviews_those_without_one() {
        let (lead, hr, staff) = ((1, Role::Supervisor), (2, Role::Hr), (3, Role::Staff));
        // (reviewer, employee, their active manager) → may review?
        for (reviewer, employee, manager, expected) in [
            (lead, 10, Some(1), Some(true)),
            (lead, 10, Some(4), None),
            (lead, 10, None, None),
            (lead, 1, None, None),
            (hr, 10, None, Some(true)),
            (hr, 10, Some(1), Some(false)),
            (hr, 2, None, None),
            (staff, 10, Some(3), None),
            (staff, 10, None, None),
        ] {
            assert_eq!(
                may_review(reviewer, employee, manager),
                expected,
                "{reviewer:?} reviewing {employee} (manager {manager:?})"
            );
        }
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("Ann.Lee@Example.COM").unwrap().as_str(),
            "ann.lee@example.com"
        );
        for bad in [
            " ann@example.com",
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann@@example.com",
            "ann lee@example.com",
            "ann@-x.com",
            "ann@example..com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    proptest::proptest! {
        /// The documented pattern accepts exactly the addresses `Email::parse` accepts.
        #[test]
        fn email_pattern_matches_the_rule(
            value in "[aZ.@ \\-\t\u{a0}\u{85}(\"客]{0,12}|[a-z]{1,3}@[a-z-]{1,3}\\.[a-z.-]{1,4}"
        ) {
            let pattern = regex::Regex::new(&email_pattern()).unwrap();
            proptest::prop_assert_eq!(pattern.is_match(&value), Email::parse(&value).is_ok());
        }
    }

    #[test]
    fn accept_language_chooses_between_chinese_and_english() {
        assert_eq!(Locale::negotiate("zh-CN"), Some(Locale::ZhCn));
        assert_eq!(Locale::negotiate("zh-TW,zh;q=0.9"), Some(Locale::ZhCn));
        assert_eq!(
            Locale::negotiate("fr, en;q=0.5, zh;q=0.8"),
            Some(Locale::ZhCn)
        );
        assert_eq!(
            Locale::negotiate("en-US,en;q=0.9,zh-CN;q=0.8"),
            Some(Locale::En)
        );
        assert_eq!(Locale::negotiate("de"), None);
        assert_eq!(Locale::negotiate(""), None);
        assert_eq!(Locale::negotiate("zh;q=0"), None);
    }

    #[test]
    fn roles_and_tiers() {
        assert_eq!(Role::parse("hr").unwrap(), Role::Hr);
        assert!(Role::parse("admin").is_err());
        assert!(Role::Hr.at_least(Role::Supervisor));
        assert!(Role::Supervisor.at_least(Role::Staff));
        assert!(!Role::Staff.at_least(Role::Supervisor));
        assert!(!Role::Supervisor.at_least(Role::Hr));
    }

    #[test]
    fn passwords_have_bounds() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("          ").is_err());
        assert!(NewPassword::parse(&"x".repeat(129)).is_err());
        assert!(NewPassword::parse("long enough pw").is_ok());
        assert_eq!(
            format!("{:?}", NewPassword::parse("long enough pw").unwrap()),
            "NewPassword(***)"
        );
    }

    #[test]
    fn management_cycles_are_found() {
        // 3 reports to 2, 2 reports to 1.
        let chain: HashMap<i32, i32> = [(3, 2), (2, 1)].into();
        let of = |p: i32| chain.get(&p).copied();
        assert!(creates_management_cycle(1, 3, of));
        assert!(creates_management_cycle(1, 1, of));
        assert!(!creates_management_cycle(4, 3, of));
        assert!(!creates_management_cycle(3, 1, of));
    }
}
