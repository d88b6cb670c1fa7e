//! One job queue shared by processes: one `appraisal serve` (its worker on) and two
//! `appraisal deliver` on one PostgreSQL database, a real SMTP server in this process, and
//! 5,000 jobs of mixed kinds queued while all three run. Each is done exactly once: every
//! mail arrives once, every batch is expanded once, every "forgot password" request is
//! answered once, and the queue ends empty but for its periodic rows.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use appraisal::db::{write_tx, DbConn, DbUrl};
use appraisal::store::{jobs, reset_requests};

use crate::binary::{serve, Served};
use crate::mail::SmtpServer;
use crate::notices::WorkerProcess;
use crate::races::number;
use crate::support::{random_text, Backend, Http, TestDatabase};

const PEOPLE: usize = 2_000;
const RESET_REQUESTS: usize = 1_500;
const HR_EMAIL: &str = "hr@example.test";
/// The periodic jobs' rows (the review reminders, the complaints' escalation check).
const PERIODIC: i64 = 2;

#[actix_rt::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set APPRAISAL_TEST_POSTGRES_URL"
)]
async fn five_thousand_jobs_of_mixed_kinds_are_each_done_once_by_three_processes() {
    let Some(database) = TestDatabase::create(Backend::Postgres) else {
        return;
    };
    let Processes {
        smtp,
        served,
        workers,
        http,
        hr,
        url,
        _dir,
    } = three_processes(&database, &[("APPRAISAL__NOTICES__BATCH_SIZE", "10")], &[]).await;
    let mut conn = DbUrl::parse(&url).unwrap().establish().unwrap();

    // Jobs of every kind while the three run: an import's links (one batch, which becomes
    // a notice job per person), "forgot password" requests (a job each, which queues a
    // notice job each), and the periodic review-reminder check.
    http.department(&hr, "旗舰店", "front_line").await;
    let mut file = String::from("employee_number,email,display_name,role,department\n");
    for k in 0..PEOPLE {
        file.push_str(&format!(
            "J{k:05},j{k}@example.test,新人 {k},staff,旗舰店\n"
        ));
    }
    http.post_csv("/api/v1/users/bulk", &hr, file).await.ok(200);
    for chunk in (0..RESET_REQUESTS).collect::<Vec<_>>().chunks(100) {
        write_tx(&mut conn, |tx| {
            for k in chunk {
                reset_requests::record(tx, &format!("j{k}@example.test"))?;
            }
            Ok(())
        })
        .unwrap();
    }

    let expected = PEOPLE + RESET_REQUESTS;
    let started = Instant::now();
    while smtp.received().len() < expected || pending(&mut conn) > PERIODIC {
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "{} of {expected} mails, {} jobs pending",
            smtp.received().len(),
            pending(&mut conn)
        );
        actix_rt::time::sleep(Duration::from_millis(200)).await;
    }

    let received = smtp.received();
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for mail in &received {
        *by_id.entry(mail.message_id.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = by_id.iter().filter(|(_, &n)| n > 1).collect();
    assert!(twice.is_empty(), "mailed more than once: {twice:?}");
    assert_eq!(received.len(), expected);
    assert_eq!(smtp.of_kind("password_setup").len(), PEOPLE);
    assert_eq!(smtp.of_kind("password_reset").len(), RESET_REQUESTS);
    let count = |conn: &mut DbConn, sql: &str| number(conn, sql);
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM notices WHERE status = 'sent' AND attempts = 1"
        ),
        i64::try_from(expected).unwrap(),
        "each notice sent at its first attempt"
    );
    assert_eq!(
        count(&mut conn, "SELECT COUNT(*) AS n FROM notices"),
        i64::try_from(expected).unwrap()
    );
    assert_eq!(
        count(&mut conn, "SELECT COUNT(*) AS n FROM notice_batches"),
        0
    );
    assert_eq!(
        count(&mut conn, "SELECT COUNT(*) AS n FROM reset_requests"),
        0
    );
    let left = jobs::counts(&mut conn).unwrap();
    assert_eq!(
        (left.pending, left.failed),
        (PERIODIC, 0),
        "only the periodic rows are left"
    );
    for kind in ["review_reminders", "complaint_check"] {
        assert_eq!(
            count(
                &mut conn,
                &format!("SELECT COUNT(*) AS n FROM jobs WHERE kind = '{kind}'")
            ),
            1,
            "one periodic row of {kind}, however many workers started"
        );
    }
    // Both `deliver` processes did some of the work (each logs what it sent).
    let shares = [workers[0].sent(), workers[1].sent()];
    assert!(
        shares.iter().all(|&n| n > 0),
        "shares of the mails: {shares:?}"
    );
    drop(workers);
    drop(served);
}

/// One `appraisal serve` (its worker on) and two `appraisal deliver` on one PostgreSQL
/// database, mailing to a real SMTP server in this process; HR signed in.
pub(crate) struct Processes {
    pub smtp: SmtpServer,
    pub served: Served,
    pub workers: [WorkerProcess; 2],
    pub http: Http,
    /// HR's token.
    pub hr: String,
    pub url: String,
    /// The server's folder, kept while it runs.
    pub _dir: tempfile::TempDir,
}

/// Starts [`Processes`] on `database`: `serving` are settings of the `serve` process only,
/// `all` of the three.
pub(crate) async fn three_processes(
    database: &TestDatabase,
    serving: &[(&str, &str)],
    all: &[(&str, &str)],
) -> Processes {
    let smtp = SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let (url, secret, password) = (database.url(), random_text(48), random_text(16));
    let port = smtp.port.to_string();
    let mut env = vec![
        ("APPRAISAL__SERVER__PORT", "0"),
        ("APPRAISAL__DATABASE__URL", url.as_str()),
        ("APPRAISAL__AUTH__JWT_SECRET", secret.as_str()),
        ("APPRAISAL__BOOTSTRAP__HR_EMAIL", HR_EMAIL),
        ("APPRAISAL__BOOTSTRAP__HR_PASSWORD", password.as_str()),
        ("APPRAISAL__MAIL__TRANSPORT", "smtp"),
        ("APPRAISAL__MAIL__SMTP_HOST", "127.0.0.1"),
        ("APPRAISAL__MAIL__SMTP_PORT", port.as_str()),
        ("APPRAISAL__MAIL__SMTP_TLS", "none"),
        ("APPRAISAL__NOTICES__POLL_INTERVAL_MS", "50"),
    ];
    env.extend(serving);
    env.extend(all);
    let served = serve(dir.path(), &env);
    let workers = [
        WorkerProcess::start_with("deliver", &url, smtp.port, all),
        WorkerProcess::start_with("deliver", &url, smtp.port, all),
    ];
    let http = Http::new(served.base.clone());
    let hr = http.login(HR_EMAIL, &password).await;
    Processes {
        smtp,
        served,
        workers,
        http,
        hr,
        url,
        _dir: dir,
    }
}

fn pending(conn: &mut DbConn) -> i64 {
    jobs::counts(conn).unwrap().pending
}
