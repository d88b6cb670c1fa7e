//! Faults under a running binary: `kill -9` while the file mail transport delivers (no
//! notice lost, none written twice), a disk that refuses writes, and the SQLite file deleted
//! under the server (503 with a clear problem, `/ready` failing, nothing half-written).

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use appraisal::db::DbUrl;
use argon2::password_hash::rand_core::{OsRng, RngCore};

use crate::races::number;

const BIN: &str = env!("CARGO_BIN_EXE_appraisal");
const KILLS: usize = 6;

fn start(dir: &Path) -> Child {
    let mail = dir.join("mail");
    let mut child = Command::new(BIN)
        .current_dir(dir)
        .env_clear()
        .envs([
            ("APPRAISAL__SERVER__PORT", "0"),
            ("APPRAISAL__MAIL__TRANSPORT", "file"),
            ("APPRAISAL__MAIL__FILE_DIR", mail.to_str().unwrap()),
            ("APPRAISAL__MAIL__SMTP_TIMEOUT_SECONDS", "1"),
            // A killed worker's claims come free after three seconds.
            ("APPRAISAL__NOTICES__LEASE_SECONDS", "3"),
            ("APPRAISAL__NOTICES__POLL_INTERVAL_MS", "50"),
            ("APPRAISAL__NOTICES__BATCH_SIZE", "10"),
        ])
        .args(["serve", "--sample"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        if line.expect("output").contains("listening on") {
            break;
        }
    }
    // Keep reading what it prints, so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    child
}

/// Every `.eml` file by name, with its inode.
fn mails(dir: &Path) -> BTreeMap<String, u64> {
    std::fs::read_dir(dir.join("mail"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().ends_with(".eml"))
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    (name, e.metadata().unwrap().ino())
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn killed_during_file_delivery_no_notice_is_lost_or_written_twice() {
    let dir = tempfile::tempdir().unwrap();
    let mut first_seen: BTreeMap<String, u64> = BTreeMap::new();
    let mut replaced = HashSet::new();
    let mut seen_at_kills = Vec::new();
    let mut observe = |first_seen: &mut BTreeMap<String, u64>| {
        for (name, inode) in mails(dir.path()) {
            match first_seen.get(&name) {
                Some(first) if *first != inode => {
                    replaced.insert(name);
                }
                Some(_) => {}
                None => {
                    first_seen.insert(name, inode);
                }
            }
        }
    };
    for _ in 0..KILLS {
        let before = mails(dir.path()).len();
        let mut child = start(dir.path());
        // Killed while it writes: as soon as a mail of this run appears (a batch is in
        // hand), after a few random milliseconds more. (A killed run's claims come free
        // after their lease, so a run may first wait for them.)
        let waiting = Instant::now();
        while mails(dir.path()).len() == before && waiting.elapsed() < Duration::from_secs(15) {
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(OsRng.next_u64() % 5));
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        observe(&mut first_seen);
        seen_at_kills.push(first_seen.len());
    }
    let mut conn = DbUrl::parse(&format!(
        "sqlite://{}",
        dir.path().join("data/appraisal.db").display()
    ))
    .unwrap()
    .establish()
    .unwrap();
    let mut child = start(dir.path());
    let deadline = Instant::now() + Duration::from_secs(120);
    while number(
        &mut conn,
        "SELECT COUNT(*) AS n FROM notices WHERE status <> 'sent'",
    ) > 0
    {
        assert!(
            Instant::now() < deadline,
            "notices still undelivered after two minutes"
        );
        std::thread::sleep(Duration::from_millis(200));
        observe(&mut first_seen);
    }
    child.kill().unwrap();
    child.wait().unwrap();
    observe(&mut first_seen);

    let notices = number(&mut conn, "SELECT COUNT(*) AS n FROM notices");
    let files = mails(dir.path());
    let ids: HashSet<i64> = files
        .keys()
        .filter_map(|name| name.split('-').next()?.parse().ok())
        .collect();
    let lost = notices - ids.len() as i64;
    let message_ids: Vec<String> = files
        .keys()
        .map(|name| {
            let raw = std::fs::read_to_string(dir.path().join("mail").join(name)).unwrap();
            raw.lines()
                .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let distinct: HashSet<&String> = message_ids.iter().collect();
    let during = std::iter::once(&0)
        .chain(&seen_at_kills)
        .zip(&seen_at_kills)
        .filter(|(before, after)| before < after && (**after as i64) < notices)
        .count();
    println!(
        "kill -9 during file delivery: {KILLS} kills, {during} while mails were being written \
         (mails written before each: {seen_at_kills:?}), {notices} notices, {} files, \
         {} written twice, {lost} lost",
        files.len(),
        replaced.len() + (message_ids.len() - distinct.len())
    );
    assert!(
        during >= 5,
        "fewer than five kills landed while mails were being written: {seen_at_kills:?}"
    );
    assert_eq!(lost, 0, "notices without a mail");
    assert_eq!(files.len() as i64, notices, "one file per notice");
    assert!(replaced.is_empty(), "mails written again: {replaced:?}");
    assert_eq!(distinct.len(), message_ids.len(), "one Message-ID twice");
}

/// `appraisal serve` on a fresh SQLite file in `dir`, with a bootstrap HR account; with
/// `max_file_bytes`, no file it writes may grow beyond that (RLIMIT_FSIZE: a disk that
/// refuses further writes, as a full one does).
fn serve_limited(dir: &Path, max_file_bytes: Option<u64>) -> (Child, String) {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(BIN);
    command
        .current_dir(dir)
        .env_clear()
        .envs([
            ("APPRAISAL__SERVER__PORT", "0"),
            ("APPRAISAL__MAIL__TRANSPORT", "memory"),
            ("APPRAISAL__BOOTSTRAP__HR_PASSWORD", "bootstrap password"),
        ])
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(limit) = max_file_bytes {
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(move || {
                // Past the limit a write fails with EFBIG instead of raising SIGXFSZ.
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let rlimit = libc::rlimit {
                    rlim_cur: limit,
                    rlim_max: limit,
                };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut child = command.spawn().expect("binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut base = String::new();
    for line in lines.by_ref() {
        let line = line.expect("output");
        if let Some(at) = line.find("listening on http://") {
            base = line[at + "listening on ".len()..].trim().to_owned();
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    (child, base)
}

async fn hr_token(base: &str) -> String {
    let http = crate::support::Http::new(base.to_owned());
    http.login("hr@example.com", "bootstrap password").await
}

fn sales_csv(employee: i64, rows: usize) -> String {
    let mut csv = String::from("employee_id,occurred_on,amount,external_ref\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "{employee},2020-{:02}-{:02},{},a-long-reference-to-fill-the-disk-{i:08}\n",
            i % 12 + 1,
            i % 28 + 1,
            100 + i
        ));
    }
    csv
}

#[actix_rt::test]
async fn a_full_disk_answers_503_and_fails_ready_with_nothing_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base) = serve_limited(dir.path(), Some(3 * 1024 * 1024));
    let http = crate::support::Http::new(base.clone());
    let hr = hr_token(&base).await;
    http.open_cycle(&hr, "2020", "2020-01-01", "2020-12-31")
        .await;
    let department = http.department(&hr, "Store", "front_line").await;
    let person = http.user(&hr, "staff", department, None).await;
    http.get("/ready", &hr).await.ok(200);

    let refused = http
        .post_csv("/api/v1/sales-records", &hr, sales_csv(person.id, 60_000))
        .await;
    let problem = refused.problem(503);
    assert_eq!(
        problem["type"], "urn:service-appraisal:problem:storage",
        "{problem}"
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("nothing was changed"),
        "{problem}"
    );
    http.get("/ready", &hr).await.problem(503);
    child.kill().unwrap();
    child.wait().unwrap();

    // Started again with room: not one row of the refused import is there.
    let (mut child, base) = serve_limited(dir.path(), None);
    let http = crate::support::Http::new(base.clone());
    let hr = hr_token(&base).await;
    let mut conn = DbUrl::parse(&format!(
        "sqlite://{}",
        dir.path().join("data/appraisal.db").display()
    ))
    .unwrap()
    .establish()
    .unwrap();
    assert_eq!(
        number(&mut conn, "SELECT COUNT(*) AS n FROM sales_records"),
        0
    );
    http.get("/ready", &hr).await.ok(200);
    http.post_csv("/api/v1/sales-records", &hr, sales_csv(person.id, 100))
        .await
        .ok(200);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[actix_rt::test]
async fn a_vanished_database_file_answers_503_and_fails_ready() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base) = serve_limited(dir.path(), None);
    let http = crate::support::Http::new(base.clone());
    let hr = hr_token(&base).await;
    http.get("/ready", &hr).await.ok(200);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.path().join(format!("data/appraisal.db{suffix}")));
    }
    let refused = http
        .post(
            "/api/v1/departments",
            &hr,
            serde_json::json!({"name": "Lost", "kind": "front_line"}),
        )
        .await;
    assert_eq!(
        refused.problem(503)["type"],
        "urn:service-appraisal:problem:storage"
    );
    let ready = http.get("/ready", &hr).await;
    ready.problem(503);
    child.kill().unwrap();
    child.wait().unwrap();
}
