//! Typed, strict settings.
//!
//! Layers, later wins: `config/default.toml` (compiled in, so the binary always has every
//! default), an optional file, then `APPRAISAL__SECTION__KEY` environment variables.
//! Every key must already exist in the defaults: a typo fails at start instead of being
//! silently ignored. Secrets are wrapped in [`Secret`] so that `Debug` never prints them.

use std::fmt;
use std::path::Path;

use serde::Deserialize;

const DEFAULTS: &str = include_str!("../config/default.toml");
const ENV_PREFIX: &str = "APPRAISAL__";
pub const MIN_JWT_SECRET_BYTES: usize = 32;
pub const MIN_BOOTSTRAP_PASSWORD_CHARS: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read settings file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("settings file {path} is not valid TOML: {message}")]
    Parse { path: String, message: String },
    #[error("unknown setting {0}")]
    UnknownKey(String),
    #[error("setting {key}: {message}")]
    Invalid { key: String, message: String },
}

fn invalid(key: &str, message: impl Into<String>) -> SettingsError {
    SettingsError::Invalid {
        key: key.to_owned(),
        message: message.into(),
    }
}

#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub bootstrap: BootstrapSettings,
    pub mail: MailSettings,
    pub notices: NoticeSettings,
    pub company: CompanySettings,
    pub uploads: UploadSettings,
    pub complaints: ComplaintSettings,
    pub log: LogSettings,
}

/// The escalation check of complaints (docs/PRODUCT.md, "Service recovery").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintSettings {
    /// How often the check looks for complaints that have come due, in seconds.
    pub check_seconds: u64,
    /// The share of a limit (1–100) after which its holder is reminded.
    pub warn_percent: u8,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadSettings {
    /// Uploaded files read at once (at least 1); each may take up to the memory
    /// `docs/DECISIONS.md` states.
    pub parallel: usize,
    /// Seconds an upload waits for its turn before it is answered 503 with `Retry-After`.
    pub wait_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanySettings {
    /// IANA name; checked at start.
    pub time_zone: String,
    /// The language of a person whose language is not given (`zh-CN` or `en`).
    pub default_locale: String,
    /// The service's clock: the system's, unless a test gives one it can move. Not a
    /// setting of the files or the environment.
    #[serde(skip)]
    pub clock: crate::domain::clock::Clock,
}

impl CompanySettings {
    pub fn default_locale(&self) -> crate::domain::user::Locale {
        crate::domain::user::Locale::parse(&self.default_locale)
            .expect("company.default_locale is checked when the settings load")
    }

    pub fn time(&self) -> crate::domain::clock::CompanyTime {
        crate::domain::clock::CompanyTime::parse(&self.time_zone)
            .expect("company.time_zone is checked when the settings load")
            .on(self.clock.clone())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub workers: usize,
    pub public_url: String,
    /// A request body must arrive within this many seconds (408 otherwise).
    pub body_timeout_seconds: u64,
    /// Whether the route table refuses a caller without the route's role before the
    /// handler runs. Not a setting of the files or the environment.
    #[serde(skip)]
    pub route_tiers: RouteTiers,
}

/// The route table's early refusal by role: on in service. The use cases refuse on their
/// own as well (`app::allowed`); a test turns this off to see that they do, route by route
/// (`tests/api/matrix.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteTiers(pub bool);

impl Default for RouteTiers {
    fn default() -> RouteTiers {
        RouteTiers(true)
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// May carry a password, so `Debug` shows only the scheme.
    pub url: String,
    pub max_connections: u32,
    pub connect_timeout_seconds: u64,
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = self.url.split("://").next().unwrap_or("");
        f.debug_struct("DatabaseSettings")
            .field("url", &format_args!("{scheme}://…"))
            .field("max_connections", &self.max_connections)
            .field("connect_timeout_seconds", &self.connect_timeout_seconds)
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub jwt_secret: Secret,
    pub token_ttl_minutes: u32,
    pub max_failed_logins: u32,
    pub lockout_base_seconds: u32,
    pub lockout_max_seconds: u32,
    /// Threads that hash and verify passwords for sign-ins; 0 means half the CPU cores.
    pub password_threads: usize,
    /// Sign-ins that may wait for a password thread; more are refused with 503 at once.
    pub password_queue: usize,
}

impl AuthSettings {
    /// The password threads to start: as set, or half the cores (at least one), so a burst
    /// of sign-ins leaves the other cores to everything else.
    pub fn password_threads(&self) -> usize {
        match self.password_threads {
            0 => std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)),
            n => n,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootstrapSettings {
    pub hr_email: String,
    pub hr_password: Secret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    Smtp,
    File,
    Memory,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    pub transport: MailTransportKind,
    pub file_dir: String,
    pub from: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    pub smtp_ca_file: String,
    pub smtp_username: String,
    pub smtp_password: Secret,
    pub smtp_timeout_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeSettings {
    pub worker: bool,
    pub poll_interval_ms: u64,
    pub batch_size: u32,
    pub concurrency: u32,
    pub lease_seconds: u64,
    pub max_attempts: u32,
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    pub reminder_days_before_end: u32,
    pub reminder_check_seconds: u64,
    /// Host names a group robot's webhook may point at, comma-separated.
    pub robot_hosts: String,
}

impl NoticeSettings {
    /// `robot_hosts` as a list.
    pub fn robot_hosts(&self) -> Vec<String> {
        self.robot_hosts
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub filter: String,
}

impl Settings {
    /// Defaults, then `file` if given, then the `APPRAISAL__…` variables among `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, SettingsError> {
        let mut table = parse_toml("config/default.toml", DEFAULTS)?;
        if let Some(path) = file {
            let display = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
                path: display.clone(),
                source,
            })?;
            merge_file(&mut table, parse_toml(&display, &text)?, "")?;
        }
        for (name, value) in env {
            if let Some(rest) = name.strip_prefix(ENV_PREFIX) {
                apply_env(&mut table, &name, rest, value)?;
            }
        }
        let settings: Settings = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| invalid("settings", e.message().to_owned()))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Settings from the compiled-in defaults only (tests start from these).
    pub fn defaults() -> Settings {
        Settings::load(None, std::iter::empty()).expect("config/default.toml is valid")
    }

    fn validate(&self) -> Result<(), SettingsError> {
        let secret = self.auth.jwt_secret.expose();
        if !secret.is_empty() && secret.len() < MIN_JWT_SECRET_BYTES {
            return Err(invalid(
                "auth.jwt_secret",
                format!(
                    "must be at least {MIN_JWT_SECRET_BYTES} bytes (it has {}); leave it empty \
                     to generate a per-process key",
                    secret.len()
                ),
            ));
        }
        if self.auth.token_ttl_minutes == 0 {
            return Err(invalid("auth.token_ttl_minutes", "must be at least 1"));
        }
        if self.auth.password_queue == 0 {
            return Err(invalid("auth.password_queue", "must be at least 1"));
        }
        if self.auth.max_failed_logins == 0 {
            return Err(invalid("auth.max_failed_logins", "must be at least 1"));
        }
        if self.auth.lockout_base_seconds == 0
            || self.auth.lockout_max_seconds < self.auth.lockout_base_seconds
        {
            return Err(invalid(
                "auth.lockout_max_seconds",
                "lockout_base_seconds must be at least 1 and not above lockout_max_seconds",
            ));
        }
        let password = self.bootstrap.hr_password.expose();
        if !password.is_empty() && password.chars().count() < MIN_BOOTSTRAP_PASSWORD_CHARS {
            return Err(invalid(
                "bootstrap.hr_password",
                format!("must be at least {MIN_BOOTSTRAP_PASSWORD_CHARS} characters"),
            ));
        }
        self.validate_notices()?;
        crate::domain::clock::CompanyTime::parse(&self.company.time_zone)
            .map_err(|reason| invalid("company.time_zone", reason))?;
        crate::domain::user::Locale::parse(&self.company.default_locale)
            .map_err(|_| invalid("company.default_locale", "must be zh-CN or en"))?;
        if self.server.body_timeout_seconds == 0 {
            return Err(invalid("server.body_timeout_seconds", "must be at least 1"));
        }
        if self.database.max_connections == 0 {
            return Err(invalid("database.max_connections", "must be at least 1"));
        }
        if !(self.database.url.starts_with("sqlite://")
            || self.database.url.starts_with("postgres://")
            || self.database.url.starts_with("postgresql://"))
        {
            return Err(invalid(
                "database.url",
                "must start with sqlite:// or postgres://",
            ));
        }
        Ok(())
    }
}

impl Settings {
    fn validate_notices(&self) -> Result<(), SettingsError> {
        let notices = &self.notices;
        if notices.batch_size == 0
            || notices.concurrency == 0
            || notices.max_attempts == 0
            || notices.poll_interval_ms == 0
        {
            return Err(invalid(
                "notices",
                "batch_size, concurrency, max_attempts and poll_interval_ms must be at least 1",
            ));
        }
        if self.mail.smtp_timeout_seconds == 0 {
            return Err(invalid("mail.smtp_timeout_seconds", "must be at least 1"));
        }
        // A claim must outlive a send that runs to its timeout, or a second worker could
        // take the notice over while the first is still mailing it.
        if notices.lease_seconds <= 2 * self.mail.smtp_timeout_seconds {
            return Err(invalid(
                "notices.lease_seconds",
                format!(
                    "must be more than twice mail.smtp_timeout_seconds ({})",
                    self.mail.smtp_timeout_seconds
                ),
            ));
        }
        if notices.retry_base_ms == 0 || notices.retry_max_ms < notices.retry_base_ms {
            return Err(invalid(
                "notices.retry_max_ms",
                "retry_base_ms must be at least 1 and not above retry_max_ms",
            ));
        }
        if self.complaints.check_seconds == 0 {
            return Err(invalid("complaints.check_seconds", "must be at least 1"));
        }
        if !(1..=100).contains(&self.complaints.warn_percent) {
            return Err(invalid("complaints.warn_percent", "must be from 1 to 100"));
        }
        if notices.reminder_check_seconds == 0 {
            return Err(invalid(
                "notices.reminder_check_seconds",
                "must be at least 1",
            ));
        }
        let url = self.server.public_url.trim_end_matches('/');
        // Empty: links follow the address the service listens on (`startup`).
        if !url.is_empty()
            && (!(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10)
        {
            return Err(invalid(
                "server.public_url",
                "must be an http:// or https:// address",
            ));
        }
        Ok(())
    }
}

fn parse_toml(origin: &str, text: &str) -> Result<toml::Table, SettingsError> {
    text.parse::<toml::Table>()
        .map_err(|e| SettingsError::Parse {
            path: origin.to_owned(),
            message: e.message().to_owned(),
        })
}

/// Merges a settings file over the defaults, refusing keys the defaults do not have.
fn merge_file(
    base: &mut toml::Table,
    over: toml::Table,
    prefix: &str,
) -> Result<(), SettingsError> {
    for (key, value) in over {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(inner)), toml::Value::Table(value)) => {
                merge_file(inner, value, &path)?
            }
            (Some(slot), value) if !slot.is_table() && !value.is_table() => *slot = value,
            _ => return Err(SettingsError::UnknownKey(path)),
        }
    }
    Ok(())
}

/// Environment values are text; each takes the type of the default it replaces, so that a
/// password of digits stays text and a port must be a number.
fn apply_env(
    table: &mut toml::Table,
    name: &str,
    rest: &str,
    raw: String,
) -> Result<(), SettingsError> {
    let unknown = || SettingsError::UnknownKey(name.to_owned());
    let lower = rest.to_ascii_lowercase();
    let (section, key) = lower.split_once("__").ok_or_else(unknown)?;
    let slot = table
        .get_mut(section)
        .and_then(|s| s.as_table_mut())
        .and_then(|s| s.get_mut(key))
        .ok_or_else(unknown)?;
    let parsed = match slot {
        toml::Value::Integer(_) => raw
            .trim()
            .parse::<i64>()
            .map(toml::Value::Integer)
            .map_err(|_| invalid(name, "must be a whole number"))?,
        toml::Value::Boolean(_) => match raw.trim() {
            "true" => toml::Value::Boolean(true),
            "false" => toml::Value::Boolean(false),
            _ => return Err(invalid(name, "must be true or false")),
        },
        _ => toml::Value::String(raw),
    };
    *slot = parsed;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_valid_and_local() {
        let s = Settings::defaults();
        assert_eq!(s.server.host, "127.0.0.1");
        assert_eq!(s.database.url, "sqlite://data/appraisal.db");
        assert!(s.auth.jwt_secret.is_empty());
        assert_eq!(s.mail.transport, MailTransportKind::File);
    }

    #[test]
    fn env_overrides_take_the_type_of_the_default() {
        let s = Settings::load(
            None,
            env(&[
                ("APPRAISAL__SERVER__PORT", "9090"),
                ("APPRAISAL__DATABASE__URL", "postgres://u@h/db"),
                ("APPRAISAL__MAIL__SMTP_PASSWORD", "0123"),
                ("UNRELATED", "x"),
                ("APPRAISAL_TEST_POSTGRES_URL", "ignored: single underscore"),
            ]),
        )
        .unwrap();
        assert_eq!(s.server.port, 9090);
        assert_eq!(s.database.url, "postgres://u@h/db");
        assert_eq!(s.mail.smtp_password.expose(), "0123");
    }

    #[test]
    fn unknown_env_key_fails() {
        let err = Settings::load(None, env(&[("APPRAISAL__SERVER__PROT", "1")])).unwrap_err();
        assert!(err.to_string().contains("APPRAISAL__SERVER__PROT"), "{err}");
        let err = Settings::load(None, env(&[("APPRAISAL__NOPE", "1")])).unwrap_err();
        assert!(matches!(err, SettingsError::UnknownKey(_)));
    }

    #[test]
    fn bad_number_names_the_variable() {
        let err = Settings::load(None, env(&[("APPRAISAL__SERVER__PORT", "eighty")])).unwrap_err();
        assert!(err.to_string().contains("APPRAISAL__SERVER__PORT"), "{err}");
    }

    #[test]
    fn unknown_key_in_file_fails() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("local.toml");
        std::fs::write(&path, "[server]\nport = 1\n[databse]\nurl = \"x\"\n").unwrap();
        let err = Settings::load(Some(&path), std::iter::empty()).unwrap_err();
        assert_eq!(err.to_string(), "unknown setting databse");
    }

    #[test]
    fn a_lease_must_outlast_two_smtp_timeouts() {
        let err = Settings::load(
            None,
            env(&[
                ("APPRAISAL__MAIL__SMTP_TIMEOUT_SECONDS", "30"),
                ("APPRAISAL__NOTICES__LEASE_SECONDS", "60"),
            ]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("notices.lease_seconds"), "{err}");
        let ok = Settings::load(None, env(&[("APPRAISAL__NOTICES__LEASE_SECONDS", "61")]));
        assert_eq!(ok.unwrap().notices.lease_seconds, 61);
    }

    #[test]
    fn short_jwt_secret_is_refused() {
        let err =
            Settings::load(None, env(&[("APPRAISAL__AUTH__JWT_SECRET", "short")])).unwrap_err();
        assert!(err.to_string().contains("at least 32 bytes"), "{err}");
    }

    #[test]
    fn secrets_never_debug_print() {
        let s = Settings::load(
            None,
            env(&[
                (
                    "APPRAISAL__AUTH__JWT_SECRET",
                    "0123456789abcdef0123456789abcdef",
                ),
                ("APPRAISAL__DATABASE__URL", "postgres://u:hunter2@h/db"),
                ("APPRAISAL__BOOTSTRAP__HR_PASSWORD", "correct horse battery"),
            ]),
        )
        .unwrap();
        let printed = format!("{s:?}");
        for secret in ["0123456789abcdef", "hunter2", "correct horse"] {
            assert!(!printed.contains(secret), "{secret} leaked: {printed}");
        }
    }
}
