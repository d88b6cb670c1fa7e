//! Test harness: the real application on port 0, a fresh database per test (a new SQLite
//! file, or a new PostgreSQL database created here and dropped afterwards), spoken to over
//! HTTP. `on_both_backends!` runs one test body on SQLite and on PostgreSQL.
//!
//! PostgreSQL tests need `APPRAISAL_TEST_POSTGRES_URL` (a URL whose user may create
//! databases, e.g. postgres://postgres@127.0.0.1:5432/postgres). Without it the PostgreSQL
//! half of each test is compiled as ignored (build.rs), so `cargo test` counts it as not run.

use appraisal::notify::WorkerHandle;
use appraisal::settings::{Secret, Settings};
use appraisal::startup::Application;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const POSTGRES_URL_VAR: &str = "APPRAISAL_TEST_POSTGRES_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn random_text(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| ALPHABET[(OsRng.next_u32() as usize) % ALPHABET.len()] as char)
        .collect()
}

/// The server URL for PostgreSQL tests. Without it they are compiled as ignored (build.rs),
/// so reaching here without it means they were asked for anyway: that fails, it never passes.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("{POSTGRES_URL_VAR} must be set in CI: PostgreSQL tests may not be skipped")
        }
        _ => panic!(
            "{POSTGRES_URL_VAR} is not set: the PostgreSQL tests are reported as ignored without \
             it; set it (and rebuild) to run them"
        ),
    }
}

/// A database with every migration applied, which each PostgreSQL test database is copied
/// from (instead of running the migrations again per test). Named after the migrations it
/// holds, so it is made once per change of them; older ones are dropped then.
fn migrated_template(admin_url: &str) -> String {
    static TEMPLATE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            use std::hash::{DefaultHasher, Hash, Hasher};
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
            let mut files: Vec<_> = walk(&dir);
            files.sort();
            let mut hasher = DefaultHasher::new();
            for file in files {
                // By name and contents: two checkouts at the same migrations share it.
                file.strip_prefix(&dir).unwrap().hash(&mut hasher);
                std::fs::read(&file).unwrap().hash(&mut hasher);
            }
            let name = format!("appraisal_template_{:016x}", hasher.finish());
            let mut admin = PgConnection::establish(admin_url)
                .unwrap_or_else(|e| panic!("cannot reach PostgreSQL for tests: {e}"));
            // One test process at a time makes it (the lock ends with this connection).
            diesel::sql_query("SELECT pg_advisory_lock(7272701)")
                .execute(&mut admin)
                .unwrap();
            let existing: Vec<String> = diesel::dsl::sql::<diesel::sql_types::Text>(
                "SELECT datname FROM pg_database WHERE datname LIKE 'appraisal\\_template\\_%'",
            )
            .load(&mut admin)
            .unwrap();
            if !existing.contains(&name) {
                let making = format!("{name}_making");
                // A half-made one (a run that died) goes; older templates only when nobody
                // is copying them (another checkout may still be on other migrations).
                diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{making}\" WITH (FORCE)"))
                    .execute(&mut admin)
                    .unwrap();
                for old in existing.iter().filter(|old| !old.ends_with("_making")) {
                    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{old}\""))
                        .execute(&mut admin);
                }
                diesel::sql_query(format!("CREATE DATABASE \"{making}\""))
                    .execute(&mut admin)
                    .unwrap();
                {
                    let url = with_database(admin_url, &making);
                    let mut conn = appraisal::db::DbUrl::parse(&url)
                        .unwrap()
                        .establish()
                        .unwrap();
                    appraisal::db::run_migrations(&mut conn).unwrap();
                }
                diesel::sql_query(format!("ALTER DATABASE \"{making}\" RENAME TO \"{name}\""))
                    .execute(&mut admin)
                    .unwrap();
            }
            name
        })
        .clone()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// Replaces the database name in a PostgreSQL URL.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let (scheme, rest) = base.split_once("://").expect("URL has a scheme");
    let authority = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{authority}/{name}{query}")
}

pub enum TestDatabase {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    pub fn create(backend: Backend) -> Option<TestDatabase> {
        Self::make(backend, true)
    }

    /// A database without the migrations (a test of running them).
    pub fn create_empty(backend: Backend) -> Option<TestDatabase> {
        Self::make(backend, false)
    }

    fn make(backend: Backend, migrated: bool) -> Option<TestDatabase> {
        match backend {
            Backend::Sqlite => Some(TestDatabase::Sqlite(tempfile::tempdir().unwrap())),
            Backend::Postgres => {
                let admin_url = postgres_admin_url()?;
                let template = if migrated {
                    migrated_template(&admin_url)
                } else {
                    "template0".to_owned()
                };
                let name = format!("appraisal_test_{}", random_text(12));
                let mut admin = PgConnection::establish(&admin_url)
                    .unwrap_or_else(|e| panic!("cannot reach PostgreSQL for tests: {e}"));
                diesel::sql_query(format!(
                    "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
                ))
                .execute(&mut admin)
                .unwrap();
                Some(TestDatabase::Postgres { admin_url, name })
            }
        }
    }

    pub fn url(&self) -> String {
        match self {
            TestDatabase::Sqlite(dir) => {
                format!("sqlite://{}", dir.path().join("appraisal.db").display())
            }
            TestDatabase::Postgres { admin_url, name } => with_database(admin_url, name),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres { admin_url, name } = self {
            match PgConnection::establish(admin_url) {
                Ok(mut admin) => {
                    let dropped = diesel::sql_query(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    ))
                    .execute(&mut admin);
                    if let Err(e) = dropped {
                        eprintln!("warning: could not drop test database {name}: {e}");
                    }
                }
                Err(e) => eprintln!("warning: could not drop test database {name}: {e}"),
            }
        }
    }
}

/// A server spoken to over HTTP: the requests every test makes.
pub struct Http {
    pub base: String,
    pub client: reqwest::Client,
}

impl Http {
    pub fn new(base: String) -> Http {
        Http {
            base,
            client: client(),
        }
    }
}

pub struct TestApp {
    pub http: Http,
    pub settings: Settings,
    pub hr_email: String,
    pub hr_password: String,
    server: actix_web::dev::ServerHandle,
    /// The application's own mailbox (memory transport), which its notice worker fills.
    pub mailbox: Option<appraisal::notify::transport::Mailbox>,
    /// Dropping it stops the notice worker.
    _worker: Option<WorkerHandle>,
    // Dropped last: the database outlives the server handle.
    pub database: TestDatabase,
}

impl std::ops::Deref for TestApp {
    type Target = Http;
    fn deref(&self) -> &Http {
        &self.http
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting; the database is dropped (forcefully on PostgreSQL) right after.
        drop(self.server.stop(false));
    }
}

/// Settings for a test: port 0, one worker, the given database, random secrets.
pub fn test_settings(database_url: &str) -> Settings {
    let mut settings = Settings::defaults();
    settings.server.port = 0;
    settings.server.workers = 1;
    settings.database.url = database_url.to_owned();
    settings.database.max_connections = 4;
    settings.auth.jwt_secret = Secret::new(random_text(48));
    settings.bootstrap.hr_email = "hr@example.test".to_owned();
    settings.bootstrap.hr_password = Secret::new(random_text(16));
    settings.mail.transport = appraisal::settings::MailTransportKind::Memory;
    // The tests' people read English unless a test says otherwise (the product's default,
    // zh-CN, has its own test: tests/api/office.rs).
    settings.company.default_locale = "en".to_owned();
    // A clock the test can move (it reads the system time until moved): `app.clock()`.
    settings.company.clock = appraisal::domain::clock::Clock::movable();
    // A fixed public address (the pages' proxy test sends it as an origin); left empty, links
    // follow the address listened on (tests/api/office.rs).
    settings.server.public_url = "http://127.0.0.1:8080".to_owned();
    // Group robots may post only to this machine: the sample's robot (a WeCom address) is
    // refused before any connection, so no test reaches outside.
    settings.notices.robot_hosts = "127.0.0.1".to_owned();
    settings
}

pub async fn spawn(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, |_| {}).await
}

/// Like [`spawn`], with the settings adjusted first.
pub async fn spawn_with(
    backend: Backend,
    configure: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    let database = TestDatabase::create(backend)?;
    let mut settings = test_settings(&database.url());
    configure(&mut settings);
    let app = Application::build(settings.clone())
        .await
        .expect("application starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let mailbox = app.mailbox();
    let (server, worker) = app.into_parts();
    let handle = server.handle();
    actix_rt::spawn(server);
    Some(TestApp {
        http: Http::new(base),
        hr_email: settings.bootstrap.hr_email.clone(),
        hr_password: settings.bootstrap.hr_password.expose().to_owned(),
        settings,
        server: handle,
        mailbox,
        _worker: worker,
        database,
    })
}

impl TestApp {
    /// The application's clock, which the test moves instead of waiting.
    pub fn clock(&self) -> &appraisal::domain::clock::Clock {
        &self.settings.company.clock
    }
}

/// The tests' HTTP client: a new connection per request. Reusing an idle keep-alive
/// connection just as the server closes it fails the request (a race seen once in a few
/// runs after long requests), which says nothing about the server.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("HTTP client")
}

/// An answer: status, headers and the body as JSON (Null when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The (row, code) of each of a refused file's row errors, in order.
    pub fn row_codes(&self) -> Vec<(i64, String)> {
        self.body["row_errors"]
            .as_array()
            .expect("row_errors")
            .iter()
            .map(|e| {
                (
                    e["row"].as_i64().expect("row"),
                    e["code"].as_str().expect("code").to_owned(),
                )
            })
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn is_problem(&self) -> bool {
        self.header("content-type") == Some("application/problem+json")
            && self.body["status"] == self.status.as_u16()
            && self.body["title"].is_string()
            && self.body["type"].is_string()
    }
    /// Asserts a problem with this status; returns the body.
    #[track_caller]
    pub fn problem(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "unexpected answer: {self:?}");
        assert!(self.is_problem(), "not a problem+json answer: {self:?}");
        &self.body
    }
    /// Asserts a 422 naming `field`; returns the reason.
    #[track_caller]
    pub fn field_error(&self, field: &str) -> String {
        let body = self.problem(422);
        body["errors"][field]
            .as_str()
            .unwrap_or_else(|| panic!("no error for {field}: {body}"))
            .to_owned()
    }
    /// Asserts a 422 naming `field`; returns the machine codes of its problems.
    #[track_caller]
    pub fn field_codes(&self, field: &str) -> Vec<String> {
        let body = self.problem(422);
        let codes: Vec<String> = body["field_errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no field_errors: {body}"))
            .iter()
            .filter(|e| e["field"] == field)
            .filter_map(|e| e["code"].as_str().map(str::to_owned))
            .collect();
        assert!(!codes.is_empty(), "no error for {field}: {body}");
        codes
    }
    /// The machine code of a problem answer (`stale`, `last_active_hr`, …).
    #[track_caller]
    pub fn code(&self, status: u16) -> String {
        self.problem(status)["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no code: {self:?}"))
            .to_owned()
    }
    #[track_caller]
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "unexpected answer: {self:?}");
        &self.body
    }
}

impl TestApp {
    pub async fn hr_token(&self) -> String {
        self.login(&self.hr_email.clone(), &self.hr_password.clone())
            .await
    }
}

impl Http {
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        answer(request.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.send(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(token), Some(&body))
            .await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Answer {
        self.send(Method::PATCH, path, Some(token), Some(&body))
            .await
    }
    pub async fn put(&self, path: &str, token: &str, body: Value) -> Answer {
        self.send(Method::PUT, path, Some(token), Some(&body)).await
    }

    /// Posts a CSV body (bulk imports).
    pub async fn post_csv(&self, path: &str, token: &str, csv: String) -> Answer {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap_or_else(|e| panic!("request not sent: {e:?}"));
        answer(response).await
    }

    pub async fn try_login(&self, email: &str, password: &str) -> Answer {
        let body = json!({ "email": email, "password": password });
        self.send(Method::POST, "/api/v1/auth/login", None, Some(&body))
            .await
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let answer = self.try_login(email, password).await;
        answer.ok(200)["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// Creates a cycle with a simple valid scheme (all weight on sales, one piece of
    /// evidence each) and opens it; returns its id.
    pub async fn open_cycle(&self, hr: &str, name: &str, start: &str, end: &str) -> i64 {
        let body = json!({"name": name, "period_start": start, "period_end": end});
        self.open_cycle_from(hr, body).await
    }

    /// As [`TestApp::open_cycle`], in `series`.
    pub async fn open_cycle_in(
        &self,
        hr: &str,
        series: &str,
        name: &str,
        [start, end]: [&str; 2],
    ) -> i64 {
        let body =
            json!({"name": name, "series": series, "period_start": start, "period_end": end});
        self.open_cycle_from(hr, body).await
    }

    async fn open_cycle_from(&self, hr: &str, body: Value) -> i64 {
        let id = self.post("/api/v1/cycles", hr, body).await.ok(201)["id"]
            .as_i64()
            .unwrap();
        self.put(
            &format!("/api/v1/cycles/{id}/scheme"),
            hr,
            json!({
                "weights": {"sales": 100, "satisfaction": 0, "etiquette": 0, "collaboration": 0},
                "min_evidence": {"satisfaction": 1, "etiquette": 1, "collaboration": 1},
                "grade_bands": [{"grade": "A", "min_total": 90}, {"grade": "B", "min_total": 75},
                                {"grade": "C", "min_total": 0}]}),
        )
        .await
        .ok(200);
        self.post(
            &format!("/api/v1/cycles/{id}/state"),
            hr,
            json!({ "state": "open" }),
        )
        .await
        .ok(200);
        id
    }

    /// The appraisal of `employee` in `cycle`, as HR lists it.
    pub async fn appraisal_of(&self, hr: &str, cycle: i64, employee: i64) -> Value {
        let list = self
            .get(&format!("/api/v1/cycles/{cycle}/appraisals"), hr)
            .await;
        list.ok(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["employee_id"] == employee)
            .unwrap_or_else(|| panic!("no appraisal of {employee} in cycle {cycle}"))
            .clone()
    }

    /// Moves an open cycle to review and computes its appraisals (drafts).
    pub async fn review_and_compute(&self, hr: &str, cycle: i64) {
        self.post(
            &format!("/api/v1/cycles/{cycle}/state"),
            hr,
            json!({ "state": "review" }),
        )
        .await
        .ok(200);
        self.post(&format!("/api/v1/cycles/{cycle}/compute"), hr, json!({}))
            .await
            .ok(200);
    }

    pub async fn department(&self, hr: &str, name: &str, kind: &str) -> i64 {
        let answer = self
            .post(
                "/api/v1/departments",
                hr,
                json!({ "name": name, "kind": kind }),
            )
            .await;
        answer.ok(201)["id"].as_i64().unwrap()
    }

    /// Creates a user (password random) and returns (id, email, password).
    pub async fn user(
        &self,
        hr: &str,
        role: &str,
        department_id: i64,
        manager_id: Option<i64>,
    ) -> Person {
        let email = format!("{role}.{}@example.test", random_text(8));
        let password = random_text(14);
        let answer = self
            .post(
                "/api/v1/users",
                hr,
                json!({
                    "email": email,
                    "display_name": format!("Test {role}"),
                    "role": role,
                    "department_id": department_id,
                    "manager_id": manager_id,
                    "password": password,
                }),
            )
            .await;
        let id = answer.ok(201)["id"].as_i64().unwrap();
        Person {
            id,
            email,
            password,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub password: String,
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body read");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

/// `on_both_backends!(name, …)` makes `name::sqlite` and `name::postgres` tests, each
/// calling `async fn name(app: TestApp)` with a fresh application.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[actix_rt::test]
                async fn sqlite() {
                    let app = $crate::support::spawn($crate::support::Backend::Sqlite)
                        .await
                        .expect("SQLite is always available");
                    super::$name(app).await;
                }

                #[actix_rt::test]
                #[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set APPRAISAL_TEST_POSTGRES_URL")]
                async fn postgres() {
                    if let Some(app) =
                        $crate::support::spawn($crate::support::Backend::Postgres).await
                    {
                        super::$name(app).await;
                    }
                }
            }
        )+
    };
}

/// `on_both_backends_with!(spawn; name, …)`: like [`on_both_backends!`], with the
/// application started by `async fn spawn(backend) -> Option<TestApp>` of the calling module.
#[macro_export]
macro_rules! on_both_backends_with {
    ($spawn:ident; $($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[actix_rt::test]
                async fn sqlite() {
                    let app = super::$spawn($crate::support::Backend::Sqlite)
                        .await
                        .expect("SQLite is always available");
                    super::$name(app).await;
                }

                #[actix_rt::test]
                #[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set APPRAISAL_TEST_POSTGRES_URL")]
                async fn postgres() {
                    if let Some(app) = super::$spawn($crate::support::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            }
        )+
    };
}

/// `for_each_backend!(name, …)` makes `name::sqlite` and `name::postgres` tests calling
/// `async fn name(backend: Backend)`, for bodies that start the application themselves
/// (with [`spawn_with`], returning early when it gives None).
#[macro_export]
macro_rules! for_each_backend {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[actix_rt::test]
                async fn sqlite() {
                    super::$name($crate::support::Backend::Sqlite).await;
                }

                #[actix_rt::test]
                #[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set APPRAISAL_TEST_POSTGRES_URL")]
                async fn postgres() {
                    super::$name($crate::support::Backend::Postgres).await;
                }
            }
        )+
    };
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_names_are_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "t3"), "postgres://h/t3");
    }
}
