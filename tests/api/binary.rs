//! The `appraisal` binary itself: `serve` on its defaults and on PostgreSQL, `create-user`,
//! refused settings, and an idempotent bootstrap.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use appraisal::startup::Application;

use crate::on_both_backends;
use crate::support::{self, answer, test_settings, Backend, TestApp, TestDatabase};

const BIN: &str = env!("CARGO_BIN_EXE_appraisal");

/// The binary with a clean environment: only what the test passes reaches it.
fn appraisal(dir: &Path, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BIN);
    command.current_dir(dir).env_clear();
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

pub struct Served {
    child: Child,
    pub base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `appraisal serve` and waits for the "listening on" line.
pub fn serve(dir: &Path, env: &[(&str, &str)]) -> Served {
    let mut child = appraisal(dir, env)
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(at) = line.find("listening on http://") {
                let _ = tx.send(line[at + "listening on ".len()..].trim().to_owned());
            }
        }
    });
    let base = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the server says where it listens");
    Served { child, base }
}

async fn get(url: &str) -> support::Answer {
    answer(reqwest::get(url).await.expect("request sent")).await
}

#[actix_rt::test]
async fn serve_with_no_configuration_uses_sqlite_under_data() {
    let dir = tempfile::tempdir().unwrap();
    // Port 0 only so that tests never collide on 8080; everything else is the default.
    let served = serve(dir.path(), &[("APPRAISAL__SERVER__PORT", "0")]);
    get(&format!("{}/ready", served.base)).await.ok(200);
    assert!(dir.path().join("data/appraisal.db").exists());
}

#[test]
fn serve_sample_prints_logins_that_work() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = appraisal(dir.path(), &[("APPRAISAL__SERVER__PORT", "0")])
        .args(["serve", "--sample"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut printed = String::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if line.contains("listening on") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        printed.contains(appraisal::sample::SAMPLE_PASSWORD),
        "{printed}"
    );
    assert!(printed.contains("hr@sample.example"), "{printed}");
    assert!(printed.contains("lead.store@sample.example"), "{printed}");
}

#[actix_rt::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set APPRAISAL_TEST_POSTGRES_URL"
)]
async fn serve_on_postgres_from_the_database_url() {
    let Some(database) = TestDatabase::create(Backend::Postgres) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = database.url();
    let served = serve(
        dir.path(),
        &[
            ("APPRAISAL__SERVER__PORT", "0"),
            ("APPRAISAL__DATABASE__URL", &url),
            ("APPRAISAL__BOOTSTRAP__HR_PASSWORD", "bootstrap password"),
        ],
    );
    get(&format!("{}/ready", served.base)).await.ok(200);
    let login = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", served.base))
        .json(&serde_json::json!({"email": "hr@example.com", "password": "bootstrap password"}))
        .send()
        .await
        .unwrap();
    answer(login).await.ok(200);
    assert!(
        !dir.path().join("data").exists(),
        "no SQLite file on PostgreSQL"
    );
}

#[test]
fn bad_settings_stop_the_start_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "APPRAISAL__SERVER__PROT",
            "1",
            "unknown setting APPRAISAL__SERVER__PROT",
        ),
        (
            "APPRAISAL__AUTH__JWT_SECRET",
            "too-short",
            "at least 32 bytes",
        ),
        ("APPRAISAL__SERVER__PORT", "http", "must be a whole number"),
        (
            "APPRAISAL__DATABASE__URL",
            "mysql://x",
            "sqlite:// or postgres://",
        ),
    ];
    for (key, value, message) in cases {
        let output = appraisal(dir.path(), &[(key, value)])
            .arg("serve")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{key}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{key}: {stderr}");
        assert!(!stderr.contains("too-short"), "a secret was printed");
    }
    assert!(!dir.path().join("data").exists(), "nothing started");
}

on_both_backends!(create_user_from_the_cli, bootstrap_is_idempotent);

async fn create_user_from_the_cli(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let url = app.database.url();
    let args = [
        "create-user",
        "--email",
        "Lin.Wei@Example.test",
        "--name",
        "Lin Wei",
        "--role",
        "supervisor",
        "--department",
        "Flagship Store",
        "--department-kind",
        "front_line",
        "--locale",
        "zh-CN",
    ];
    // The password from the environment…
    let output = appraisal(
        dir.path(),
        &[
            ("APPRAISAL__DATABASE__URL", &url),
            ("APPRAISAL_NEW_USER_PASSWORD", "cli password one"),
        ],
    )
    .args(args)
    .output()
    .unwrap();
    assert!(output.status.success(), "{output:?}");
    let token = app.login("lin.wei@example.test", "cli password one").await;
    let me = app.get("/api/v1/me", &token).await;
    let me = me.ok(200);
    assert_eq!(me["role"], "supervisor");
    assert_eq!(me["locale"], "zh-CN");

    // …or from stdin, and the department is reused.
    let mut child = appraisal(dir.path(), &[("APPRAISAL__DATABASE__URL", &url)])
        .args([
            "create-user",
            "--email",
            "wang.fang@example.test",
            "--name",
            "Wang Fang",
            "--role",
            "staff",
            "--department",
            "Flagship Store",
            "--manager-email",
            "lin.wei@example.test",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"cli password two\n")
        .unwrap();
    assert!(child.wait().unwrap().success());
    let token = app
        .login("wang.fang@example.test", "cli password two")
        .await;
    let me = app.get("/api/v1/me", &token).await.body;
    assert_eq!(
        me["manager_id"],
        app.get(
            "/api/v1/me",
            &app.login("lin.wei@example.test", "cli password one").await
        )
        .await
        .body["id"]
    );

    // Bad input is refused with the field named, and a password is never an argument.
    let output = appraisal(
        dir.path(),
        &[
            ("APPRAISAL__DATABASE__URL", &url),
            ("APPRAISAL_NEW_USER_PASSWORD", "short"),
        ],
    )
    .args(args)
    .output()
    .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("password"));
    let output = appraisal(dir.path(), &[("APPRAISAL__DATABASE__URL", &url)])
        .args(args)
        .arg("--password")
        .arg("on the command line")
        .output()
        .unwrap();
    assert!(!output.status.success());
}

async fn bootstrap_is_idempotent(app: TestApp) {
    // A second instance on the same database with another bootstrap password changes nothing.
    let mut settings = test_settings(&app.database.url());
    settings.bootstrap.hr_password = appraisal::settings::Secret::new("a different password");
    let second = Application::build(settings).await.expect("second instance");
    drop(second);
    let hr = app.hr_token().await;
    let hr_accounts = app.get("/api/v1/users?role=hr", &hr).await;
    assert_eq!(hr_accounts.ok(200)["total"], 1);
    app.try_login(&app.hr_email, "a different password")
        .await
        .problem(401);
}
