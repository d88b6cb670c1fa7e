use std::collections::HashSet;
use std::fmt;

use serde::Serialize;
use utoipa::openapi::{RefOr, Schema};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Staff,
    Supervisor,
    Hr,
}

impl Role {
    pub fn parse(value: &str) -> Result<Self, String> {
        match value {
            "staff" => Ok(Role::Staff),
            "supervisor" => Ok(Role::Supervisor),
            "hr" => Ok(Role::Hr),
            _ => Err("must be staff, supervisor or hr".to_owned()),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Supervisor => "supervisor",
            Role::Hr => "hr",
        }
    }
    /// Supervisors may do what staff may, HR what supervisors may (DESIGN §1).
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

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub enum Locale {
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    pub fn parse(value: &str) -> Result<Self, String> {
        match value {
            "zh-CN" => Ok(Locale::ZhCn),
            "en" => Ok(Locale::En),
            _ => Err("must be zh-CN or en".to_owned()),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }
}

/// A normalised (trimmed, lower-case) email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

pub const EMAIL_MAX: usize = 254;

impl Email {
    pub fn parse(value: &str) -> Result<Email, String> {
        if value.is_empty() {
            return Err("must not be empty".to_owned());
        }
        if value.chars().count() > EMAIL_MAX {
            return Err(format!("must have at most {EMAIL_MAX} characters"));
        }
        let email = value.to_lowercase();
        let invalid = || "is not a valid email address".to_owned();
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

pub fn parse_display_name(value: &str) -> Result<String, String> {
    super::text::line(value, DISPLAY_NAME_MAX)
}

/// A password acceptable as a new password. The upper bound keeps hashing cheap to call.
pub struct NewPassword(String);

pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 128;

impl NewPassword {
    pub fn parse(value: &str) -> Result<NewPassword, String> {
        let chars = value.chars().count();
        if chars < PASSWORD_MIN {
            return Err(format!("must have at least {PASSWORD_MIN} characters"));
        }
        if chars > PASSWORD_MAX {
            return Err(format!("must have at most {PASSWORD_MAX} characters"));
        }
        if value.trim().is_empty() {
            return Err("must not be only spaces".to_owned());
        }
        if value.contains('\0') {
            return Err("must not contain the character U+0000".to_owned());
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
