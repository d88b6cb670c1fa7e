//! Notice delivery end to end: the outbox, the worker, real SMTP conversations with a server
//! in this process, retries, leases, reminders, and two `serve` processes sharing one
//! database.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use appraisal::db::schema::users;
use appraisal::db::{Db, DbConn, DbUrl};
use appraisal::notify::{Notifier, WorkerHandle};
use appraisal::settings::{MailTransportKind, Secret, Settings, SmtpTls};
use appraisal::store::jobs;
use appraisal::store::notices::{self, NoticeStatus};
use chrono::{Duration as Days, NaiveDateTime, Utc};
use diesel::prelude::*;
use mailparse::MailHeaderMap;
use serde_json::{json, Value};

use crate::for_each_backend;
use crate::mail::{free_port, install_crypto_provider, private_ca, SmtpServer, TlsServer};
use crate::support::{spawn_with, Backend, Person, TestApp};

for_each_backend!(
    publishing_mails_each_employee_in_their_language,
    an_smtp_outage_is_retried_with_growing_delays_then_delivered_once,
    a_dead_workers_claim_is_delivered_after_its_lease,
    a_stopping_worker_finishes_the_mails_in_hand_and_gives_back_the_rest,
    a_refused_address_fails_and_hr_can_queue_it_again,
    a_rolled_back_change_leaves_no_notice,
    a_notice_about_someone_else_is_never_sent,
    reminders_go_once_to_supervisors_of_uninspected_reports,
    the_file_transport_writes_eml_files,
    starttls_with_a_private_ca_and_a_login,
    starttls_is_required_never_skipped,
    two_serve_processes_deliver_a_thousand_notices_exactly_once,
    the_deliver_command_works_alone_and_stops_on_sigterm,
);

const WAIT: Duration = Duration::from_secs(30);

/// Settings of a quick worker that mails through the SMTP server on `port`.
fn smtp_to(port: u16) -> impl FnOnce(&mut Settings) {
    move |s: &mut Settings| {
        s.mail.transport = MailTransportKind::Smtp;
        s.mail.smtp_host = "127.0.0.1".into();
        s.mail.smtp_port = port;
        s.mail.smtp_tls = SmtpTls::None;
        s.mail.smtp_timeout_seconds = 2;
        s.notices.lease_seconds = 10;
        s.notices.poll_interval_ms = 50;
        s.notices.retry_base_ms = 200;
        s.notices.retry_max_ms = 5_000;
        s.server.public_url = "https://appraisal.example".into();
    }
}

fn without_worker(s: &mut Settings) {
    s.notices.worker = false;
}

/// A worker of its own on the application's database (as a second process would be).
fn start_worker(app: &TestApp, configure: impl FnOnce(&mut Settings)) -> (Notifier, WorkerHandle) {
    let mut settings = app.settings.clone();
    configure(&mut settings);
    let db = Db::connect(&settings.database).expect("database reachable");
    let notifier = Notifier::new(db, &settings).expect("notifier settings valid");
    (notifier.clone(), notifier.spawn())
}

fn connect(app: &TestApp) -> DbConn {
    DbUrl::parse(&app.database.url())
        .unwrap()
        .establish()
        .expect("database reachable")
}

/// A user named `name` with a role, manager and locale; returns their login.
async fn person(
    app: &TestApp,
    hr: &str,
    (name, role, locale): (&str, &str, &str),
    dept: i64,
    manager: Option<i64>,
) -> Person {
    let email = format!("{role}.{}@example.test", crate::support::random_text(8));
    let password = crate::support::random_text(14);
    let body = json!({"email": email, "display_name": name, "role": role,
        "department_id": dept, "manager_id": manager, "password": password, "locale": locale});
    let id = app.post("/api/v1/users", hr, body).await.ok(201)["id"]
        .as_i64()
        .unwrap();
    Person {
        id,
        email,
        password,
    }
}

/// An application with one staff member and an open cycle, whose opening queued one notice
/// (the rating request to that person); returns it with an HR token.
async fn one_queued_notice(
    backend: Backend,
    configure: impl FnOnce(&mut Settings),
) -> Option<(TestApp, String)> {
    let app = spawn_with(backend, configure).await?;
    let hr = app.hr_token().await;
    let dept = app.department(&hr, "Store", "front_line").await;
    person(&app, &hr, ("Sol Staff", "staff", "en"), dept, None).await;
    app.open_cycle(&hr, "Q1", "2026-01-01", "2026-03-31").await;
    Some((app, hr))
}

/// A one-item etiquette checklist ("Courtesy", 10 points), as created.
async fn courtesy_checklist(app: &TestApp, hr: &str) -> Value {
    app.post(
        "/api/v1/checklists",
        hr,
        json!({"name": "Etiquette", "items": [{"title": "Courtesy", "max_points": 10}]}),
    )
    .await
    .ok(201)
    .clone()
}

/// An inspection body scoring the checklist's one item.
fn inspection_of(
    checklist: &Value,
    employee: i64,
    day: &str,
    points: i64,
    comment: Option<&str>,
) -> Value {
    json!({"employee_id": employee, "checklist_id": checklist["id"], "occurred_on": day,
           "comment": comment,
           "scores": [{"item_id": checklist["items"][0]["id"], "points": points}]})
}

/// Creates a cycle scored on sales alone and opens it; returns its id.
async fn set_state(app: &TestApp, hr: &str, cycle: i64, state: &str) -> crate::support::Answer {
    app.post(
        &format!("/api/v1/cycles/{cycle}/state"),
        hr,
        json!({ "state": state }),
    )
    .await
}

async fn notices_of(app: &TestApp, hr: &str, query: &str) -> Value {
    app.get(&format!("/api/v1/notices?limit=200&{query}"), hr)
        .await
        .ok(200)
        .clone()
}

async fn publishing_mails_each_employee_in_their_language(backend: Backend) {
    let smtp = SmtpServer::start();
    let Some(app) = spawn_with(backend, smtp_to(smtp.port)).await else {
        return;
    };
    let hr = app.hr_token().await;
    let dept = app.department(&hr, "Store", "front_line").await;
    let lead = person(&app, &hr, ("Lee Lead", "supervisor", "en"), dept, None).await;
    let ann = person(&app, &hr, ("Ann Able", "staff", "en"), dept, Some(lead.id)).await;
    let li = person(&app, &hr, ("李娜", "staff", "zh-CN"), dept, Some(lead.id)).await;
    let cycle = app
        .open_cycle(&hr, "2026 Q3", "2026-07-01", "2026-09-30")
        .await;
    app.post(
        "/api/v1/sales-targets",
        &hr,
        json!([{"employee_id": ann.id, "cycle_id": cycle, "target": 1_000_000},
               {"employee_id": li.id, "cycle_id": cycle, "target": 1_000_000}]),
    )
    .await
    .ok(200);
    app.post(
        "/api/v1/sales-records",
        &hr,
        json!([
            {"employee_id": ann.id, "occurred_on": "2026-08-01", "amount": 900_000, "external_ref": "a"},
            {"employee_id": li.id, "occurred_on": "2026-08-01", "amount": 600_000, "external_ref": "l"}]),
    )
    .await
    .ok(200);
    set_state(&app, &hr, cycle, "review").await.ok(200);
    app.post(&format!("/api/v1/cycles/{cycle}/compute"), &hr, json!({}))
        .await
        .ok(200);
    set_state(&app, &hr, cycle, "published").await.ok(200);

    let mails = smtp.wait_for("appraisal_published", 3, WAIT).await;
    let to = |p: &Person| {
        let found: Vec<_> = mails.iter().filter(|m| m.to == [p.email.clone()]).collect();
        assert_eq!(found.len(), 1, "one mail to {}: {mails:#?}", p.email);
        found[0].clone()
    };
    let (ann_mail, li_mail, lead_mail) = (to(&ann), to(&li), to(&lead));
    assert_eq!(
        ann_mail.subject,
        "Your service rating for 2026 Q3: 90.00 (A)"
    );
    assert!(
        ann_mail
            .text
            .contains("Sales (weight used 100.00%): 90.00, adding 90.00 to the total"),
        "{}",
        ann_mail.text
    );
    assert_eq!(li_mail.subject, "2026 Q3 服务考评结果：60.00 分（C）");
    assert!(
        li_mail
            .text
            .contains("销售业绩（实际权重 100.00%）：60.00，计入总分 60.00"),
        "{}",
        li_mail.text
    );
    assert!(li_mail.html.contains("<html lang=\"zh-CN\">"));
    // The supervisor had no target: no total, and the mail says why.
    assert_eq!(
        lead_mail.subject,
        "Your service rating for 2026 Q3 is published"
    );
    assert!(lead_mail.text.contains("missing: no sales target was set"));
    // Each mail holds its own reader's numbers only, and links to their own appraisal.
    assert!(!ann_mail.text.contains("60.00") && !li_mail.text.contains("90.00"));
    let ann_token = app.login(&ann.email, &ann.password).await;
    let own = app.get("/api/v1/me/appraisals", &ann_token).await;
    let own_id = own.ok(200)["items"][0]["id"].as_i64().unwrap();
    assert!(ann_mail
        .text
        .contains(&format!("https://appraisal.example/appraisals/{own_id}")));

    // The opening asked all three to rate colleagues; nothing arrived twice.
    let requests = smtp.wait_for("collaboration_request", 3, WAIT).await;
    assert_eq!(requests.len(), 3);
    wait_until_sent(&app, &hr, 6).await;
    assert_eq!(smtp.received().len(), 6, "no mail twice");
    let sent = notices_of(&app, &hr, "status=sent").await;
    assert_eq!(sent["total"], 6);
}

async fn an_smtp_outage_is_retried_with_growing_delays_then_delivered_once(backend: Backend) {
    let port = free_port();
    let Some((app, hr)) = one_queued_notice(backend, smtp_to(port)).await else {
        return;
    };

    // With nothing listening, each attempt fails; the notice stays pending and its next
    // attempt moves further away each time.
    let mut seen: Vec<(i64, NaiveDateTime)> = Vec::new();
    let started = Instant::now();
    while seen.len() < 4 && started.elapsed() < WAIT {
        let list = notices_of(&app, &hr, "kind=collaboration_request").await;
        let notice = &list["items"][0];
        assert_eq!(notice["status"], "pending", "{notice}");
        let attempts = notice["attempts"].as_i64().unwrap();
        let next: NaiveDateTime =
            serde_json::from_value::<chrono::DateTime<Utc>>(notice["next_attempt_at"].clone())
                .unwrap()
                .naive_utc();
        if attempts > 0 && seen.last().map(|s| s.0) != Some(attempts) {
            assert!(
                notice["last_error"].as_str().unwrap().contains("onnect"),
                "{notice}"
            );
            seen.push((attempts, next));
        }
        actix_rt::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(seen.len() >= 4, "four failed attempts observed: {seen:?}");
    let gaps: Vec<i64> = seen
        .windows(2)
        .map(|w| (w[1].1 - w[0].1).num_milliseconds())
        .collect();
    for pair in gaps.windows(2) {
        assert!(pair[1] > pair[0], "delays grow: {gaps:?}");
    }
    assert!(smtp_free(port), "nothing was listening");

    let smtp = SmtpServer::start_on_port(port);
    let mails = smtp.wait_for("collaboration_request", 1, WAIT).await;
    assert_eq!(mails.len(), 1);
    wait_until_sent(&app, &hr, 1).await;
    assert_eq!(smtp.received().len(), 1, "delivered once");
    let sent = notices_of(&app, &hr, "status=sent").await;
    assert_eq!(sent["total"], 1);
    let attempts = sent["items"][0]["attempts"].as_i64().unwrap();
    assert!(
        attempts >= 5,
        "the successful attempt counts too: {attempts}"
    );
    assert_eq!(sent["items"][0]["last_error"], Value::Null);
    let sent_at = sent["items"][0]["sent_at"].as_str().unwrap();
    assert!(sent_at.ends_with('Z'), "a UTC timestamp: {sent_at}");
}

fn smtp_free(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
}

async fn a_dead_workers_claim_is_delivered_after_its_lease(backend: Backend) {
    let smtp = SmtpServer::start();
    let Some((app, _)) = one_queued_notice(backend, without_worker).await else {
        return;
    };

    // A worker claims the notice and dies before sending: its lease is all that is left.
    let mut conn = connect(&app);
    let lease = Days::seconds(4);
    let claimed = jobs::claim(&mut conn, "dead", appraisal::store::now(), lease, 10).unwrap();
    assert_eq!(claimed.len(), 1);

    // Another worker's round while the lease runs takes nothing; once the clock has moved
    // past the lease, the next round delivers it, once.
    let mut settings = app.settings.clone();
    smtp_to(smtp.port)(&mut settings);
    let db = Db::connect(&settings.database).expect("database reachable");
    let other = Notifier::new(db, &settings).expect("notifier settings valid");
    assert_eq!(
        other.deliver_due().await.unwrap(),
        0,
        "a live lease is respected"
    );
    app.clock().advance(Days::seconds(3));
    assert_eq!(
        other.deliver_due().await.unwrap(),
        0,
        "3 s of 4: still live"
    );
    assert!(smtp.received().is_empty());
    app.clock().advance(Days::seconds(2));
    assert_eq!(other.deliver_due().await.unwrap(), 1, "the lease ran out");
    assert_eq!(other.deliver_due().await.unwrap(), 0, "delivered once");
    let mails = smtp.wait_for("collaboration_request", 1, WAIT).await;
    assert_eq!(mails.len(), 1, "delivered once the lease ran out");
    // The dead worker's late word no longer counts.
    assert!(!jobs::finish(&mut conn, claimed[0].id, "dead").unwrap());
}

async fn a_stopping_worker_finishes_the_mails_in_hand_and_gives_back_the_rest(backend: Backend) {
    let Some(app) = spawn_with(backend, without_worker).await else {
        return;
    };
    let hr = app.hr_token().await;
    let dept = app.department(&hr, "Store", "front_line").await;
    for name in ["One", "Two", "Three", "Four", "Five"] {
        person(&app, &hr, (name, "staff", "en"), dept, None).await;
    }
    app.open_cycle(&hr, "Q1", "2026-01-01", "2026-03-31").await;
    // A server that accepts connections and never answers: the two sends in hand hang
    // until the SMTP timeout (2 s) while the worker holds all five claims.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let (_, worker) = start_worker(&app, |s| {
        smtp_to(port)(s);
        s.notices.concurrency = 2;
    });
    let mut conn = connect(&app);
    let held = |conn: &mut DbConn| -> Vec<notices::Notice> {
        (1..=5).map(|id| notices::get(conn, id).unwrap()).collect()
    };
    let started = Instant::now();
    while jobs::counts(&mut conn).unwrap().leased < 5 {
        assert!(started.elapsed() < WAIT, "the worker claims all five");
        actix_rt::time::sleep(Duration::from_millis(20)).await;
    }
    // The two sends are in hand once they have connected (a stop asked for before that
    // gives every claim back untried, which is right but not what this test is about).
    silent.set_nonblocking(true).unwrap();
    let mut in_hand = Vec::new();
    while in_hand.len() < 2 {
        assert!(started.elapsed() < WAIT, "two sends start");
        match silent.accept() {
            Ok((stream, _)) => in_hand.push(stream),
            Err(_) => actix_rt::time::sleep(Duration::from_millis(10)).await,
        }
    }
    worker.stop().await;
    let after = held(&mut conn);
    assert_eq!(
        jobs::counts(&mut conn).unwrap().leased,
        0,
        "every claim given back"
    );
    assert!(after.iter().all(|n| n.status == NoticeStatus::Pending));
    let attempts: i32 = after.iter().map(|n| n.attempts).sum();
    assert_eq!(
        attempts, 2,
        "the mails in hand ran to their timeout; the others were not tried"
    );
    drop(in_hand);
    drop(silent);
}

async fn a_refused_address_fails_and_hr_can_queue_it_again(backend: Backend) {
    let smtp = SmtpServer::start();
    smtp.refuse(Some("bounce"));
    let Some(app) = spawn_with(backend, smtp_to(smtp.port)).await else {
        return;
    };
    let hr = app.hr_token().await;
    let dept = app.department(&hr, "Store", "front_line").await;
    let body = json!({"email": "bounce@example.test", "display_name": "Bo Unce", "role": "staff",
        "department_id": dept, "password": "a-long-password"});
    app.post("/api/v1/users", &hr, body).await.ok(201);
    app.open_cycle(&hr, "Q1", "2026-01-01", "2026-03-31").await;

    // A permanent refusal (550) is not retried: the notice fails at once, visible to HR.
    let started = Instant::now();
    let failed = loop {
        let failed = notices_of(&app, &hr, "status=failed").await;
        if failed["total"] == 1 || started.elapsed() > WAIT {
            break failed;
        }
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    };
    let notice = &failed["items"][0];
    assert_eq!(notice["attempts"], 1, "{notice}");
    let last_error = notice["last_error"].as_str().unwrap();
    assert!(
        last_error.starts_with("refused: ") && last_error.contains("550"),
        "{notice}"
    );
    // HR's page words it (the server's reply stays on hover, as it was said).
    let (_, page) = crate::uploads::signed_in(
        &app.http,
        &app.hr_email,
        &app.hr_password,
        "/hr/notices?status=failed",
    )
    .await;
    let row = &page[page.find("<tbody>").expect("the list")..];
    assert!(row.contains(">the mail server refused the mail<"), "{row}");
    assert!(
        !row.contains(">refused: "),
        "the code is not shown as stored: {row}"
    );
    let id = notice["id"].as_i64().unwrap();
    let retry = format!("/api/v1/notices/{id}/retry");

    let staff = app.login("bounce@example.test", "a-long-password").await;
    app.post(&retry, &staff, json!({})).await.problem(403);
    app.post("/api/v1/notices/999999/retry", &hr, json!({}))
        .await
        .problem(404);

    smtp.refuse(None);
    let queued = app.post(&retry, &hr, json!({})).await;
    assert_eq!(queued.ok(200)["status"], "pending");
    assert_eq!(queued.body["attempts"], 0);
    let mails = smtp.wait_for("collaboration_request", 1, WAIT).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["bounce@example.test"]);
    wait_until_sent(&app, &hr, 1).await;
    // Sent is final: retrying it is refused, and nothing is mailed again.
    let again = app.post(&retry, &hr, json!({})).await;
    assert_eq!(again.code(409), "notice_sent");
    let audit = app
        .get(
            &format!("/api/v1/audit-events?entity=notice&entity_id={id}"),
            &hr,
        )
        .await;
    assert_eq!(audit.ok(200)["items"][0]["action"], "retry");
    assert_eq!(smtp.received().len(), 1);
}

/// Makes the audit insert of a cycle state change fail, as a crash after the notices were
/// written would: the whole change must roll back, notices included.
fn break_state_audit(conn: &mut DbConn) {
    let sql = match conn {
        DbConn::Sqlite(_) => {
            "CREATE TRIGGER fail_state_audit BEFORE INSERT ON audit_events \
             WHEN NEW.action = 'state' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
        }
        DbConn::Pg(_) => {
            "CREATE FUNCTION fail_state_audit() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN IF NEW.action = 'state' THEN RAISE EXCEPTION 'injected failure'; END IF; \
             RETURN NEW; END $$; \
             CREATE TRIGGER fail_state_audit BEFORE INSERT ON audit_events \
             FOR EACH ROW EXECUTE FUNCTION fail_state_audit();"
        }
    };
    diesel::connection::SimpleConnection::batch_execute(conn, sql).unwrap();
}

async fn a_rolled_back_change_leaves_no_notice(backend: Backend) {
    let Some(app) = spawn_with(backend, without_worker).await else {
        return;
    };
    let hr = app.hr_token().await;
    let dept = app.department(&hr, "Store", "front_line").await;
    person(&app, &hr, ("Sol Staff", "staff", "en"), dept, None).await;
    let cycle = app
        .post(
            "/api/v1/cycles",
            &hr,
            json!({"name": "Q1", "period_start": "2026-01-01", "period_end": "2026-03-31"}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    app.put(
        &format!("/api/v1/cycles/{cycle}/scheme"),
        &hr,
        json!({"weights": {"sales": 25, "satisfaction": 25, "etiquette": 25, "collaboration": 25},
               "grade_bands": [{"grade": "Pass", "min_total": 0}]}),
    )
    .await
    .ok(200);
    break_state_audit(&mut connect(&app));

    set_state(&app, &hr, cycle, "open").await.problem(500);
    let all = notices_of(&app, &hr, "").await;
    assert_eq!(
        all["total"], 0,
        "no notice outlives its rolled-back change: {all}"
    );
    let after = app.get(&format!("/api/v1/cycles/{cycle}"), &hr).await;
    assert_eq!(after.ok(200)["state"], "draft");
}

async fn a_notice_about_someone_else_is_never_sent(backend: Backend) {
    let Some(app) = spawn_with(backend, |s| s.notices.poll_interval_ms = 50).await else {
        return;
    };
    let hr = app.hr_token().await;
    let dept = app.department(&hr, "Store", "front_line").await;
    let lead = person(&app, &hr, ("Lee Lead", "supervisor", "en"), dept, None).await;
    let ann = person(&app, &hr, ("Ann Able", "staff", "en"), dept, Some(lead.id)).await;
    let bob = person(&app, &hr, ("Bob Other", "staff", "en"), dept, Some(lead.id)).await;
    app.open_cycle(&hr, "Q1", "2026-01-01", "2026-03-31").await;
    let checklist = courtesy_checklist(&app, &hr).await;
    let lead_token = app.login(&lead.email, &lead.password).await;
    let inspection = app
        .post(
            "/api/v1/inspections",
            &lead_token,
            inspection_of(&checklist, ann.id, "2026-02-01", 3, Some("Private to Ann")),
        )
        .await;
    let inspection = inspection.ok(201)["id"].as_i64().unwrap();
    // A notice about Ann's inspection addressed to Bob, as a bug elsewhere might queue it.
    notices::enqueue(
        &mut connect(&app),
        vec![notices::NewNotice {
            kind: notices::Kind::InspectionRecorded,
            recipient_id: bob.id as i32,
            dedupe_key: "forged".into(),
            payload: json!({ "inspection_id": inspection }),
        }],
    )
    .unwrap();
    let failed = wait_for_status(&app, &hr, "failed").await;
    assert_eq!(failed["total"], 1, "{failed}");
    assert_eq!(failed["items"][0]["dedupe_key"], "forged");
    assert!(failed["items"][0]["last_error"]
        .as_str()
        .unwrap()
        .contains("does not belong to its recipient"));
    // Ann's own notice is delivered too (it may still be in flight when the forged one fails).
    let sent = wait_for(&app, &hr, "kind=inspection_recorded&status=sent").await;
    assert_eq!(sent["total"], 1, "Ann's own notice went out");
    assert_eq!(sent["items"][0]["recipient_id"], ann.id);
}

async fn reminders_go_once_to_supervisors_of_uninspected_reports(backend: Backend) {
    let Some(app) = spawn_with(backend, without_worker).await else {
        return;
    };
    let hr = app.hr_token().await;
    let dept = app.department(&hr, "Store", "front_line").await;
    let sam = person(&app, &hr, ("王森", "supervisor", "zh-CN"), dept, None).await;
    let done = person(&app, &hr, ("Dana Done", "staff", "en"), dept, Some(sam.id)).await;
    let waiting = person(
        &app,
        &hr,
        ("Wade Waiting", "staff", "en"),
        dept,
        Some(sam.id),
    )
    .await;
    let tess = person(&app, &hr, ("Tess Lead", "supervisor", "en"), dept, None).await;
    let covered = person(
        &app,
        &hr,
        ("Cole Covered", "staff", "en"),
        dept,
        Some(tess.id),
    )
    .await;
    let today = Utc::now().date_naive();
    let end = today + Days::days(2);
    let start = today - Days::days(30);
    let cycle = app
        .open_cycle(&hr, "Ending", &start.to_string(), &end.to_string())
        .await;
    let checklist = courtesy_checklist(&app, &hr).await;
    let inspect = |who: i64| inspection_of(&checklist, who, &today.to_string(), 8, None);
    let sam_token = app.login(&sam.email, &sam.password).await;
    let tess_token = app.login(&tess.email, &tess.password).await;
    app.post("/api/v1/inspections", &sam_token, inspect(done.id))
        .await
        .ok(201);
    app.post("/api/v1/inspections", &tess_token, inspect(covered.id))
        .await
        .ok(201);

    // The check is a periodic job: a worker's rounds run it now, and again once the clock
    // has passed its interval.
    let mut settings = app.settings.clone();
    settings.notices.reminder_check_seconds = 60;
    settings.notices.reminder_days_before_end = 3;
    let db = Db::connect(&settings.database).expect("database reachable");
    let notifier = Notifier::new(db, &settings).expect("notifier settings valid");
    let mailbox = notifier.mailbox().expect("memory transport");
    let of_kind = |kind: &str| -> Vec<_> {
        mailbox
            .all()
            .into_iter()
            .filter(|m| m.raw.contains(kind))
            .collect()
    };
    notifier.deliver_due().await.unwrap();
    assert_eq!(of_kind("review_reminder").len(), 1, "a reminder arrives");
    // Two more checks run; the reminder is still the only one.
    for _ in 0..2 {
        app.clock().advance(Days::seconds(61));
        notifier.deliver_due().await.unwrap();
    }
    let reminders = of_kind("review_reminder");
    assert_eq!(reminders.len(), 1, "once per cycle and supervisor");
    assert_eq!(reminders[0].to, [sam.email.as_str()]);
    let mail = mailparse::parse_mail(reminders[0].raw.as_bytes()).unwrap();
    let text = mail.subparts[0].get_body().unwrap();
    assert!(text.contains("Wade Waiting：0 次"), "{text}");
    assert!(
        !text.contains("Dana Done") && !text.contains("Cole Covered"),
        "only the supervisor's uninspected report: {text}"
    );
    assert!(text.contains(&format!("/cycles/{cycle}/team")));
    let subject = mail.headers.get_first_value("Subject").unwrap();
    assert_eq!(subject, format!("{end} 前还有 1 名下属需要礼仪检查"));
    assert!(waiting.id > done.id);
}

async fn the_file_transport_writes_eml_files(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("mail");
    let folder_setting = folder.to_str().unwrap().to_owned();
    let Some(app) = spawn_with(backend, move |s| {
        s.mail.transport = MailTransportKind::File;
        s.mail.file_dir = folder_setting;
        s.notices.poll_interval_ms = 50;
    })
    .await
    else {
        return;
    };
    let hr = app.hr_token().await;
    let dept = app.department(&hr, "Store", "front_line").await;
    let staff = person(&app, &hr, ("周敏", "staff", "zh-CN"), dept, None).await;
    app.open_cycle(&hr, "Q1", "2026-01-01", "2026-03-31").await;
    let started = Instant::now();
    let files = loop {
        let files: Vec<_> = std::fs::read_dir(&folder)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        if !files.is_empty() || started.elapsed() > WAIT {
            break files;
        }
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_str().unwrap().to_owned();
    assert!(name.ends_with("-collaboration_request.eml"), "{name}");
    let raw = std::fs::read(&files[0]).unwrap();
    let mail = mailparse::parse_mail(&raw).unwrap();
    let header = |n: &str| mail.headers.get_first_value(n).unwrap();
    assert!(header("To").contains(&staff.email));
    assert_eq!(header("Subject"), "请评价其他部门同事的协作（Q1）");
}

/// Waits until HR sees a notice with this status; returns the list.
async fn wait_for_status(app: &TestApp, hr: &str, status: &str) -> Value {
    wait_for(app, hr, &format!("status={status}")).await
}

/// Waits until `count` notices are marked sent. A notice marked sent is never claimed
/// again, so once all of them are, what the server received is all it will receive: no
/// waiting to see whether more comes.
async fn wait_until_sent(app: &TestApp, hr: &str, count: usize) {
    let started = Instant::now();
    while notices_of(app, hr, "status=sent").await["total"] != count {
        assert!(started.elapsed() < WAIT, "{count} notices marked sent");
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The notices that match `query`, once there is one (or after WAIT).
async fn wait_for(app: &TestApp, hr: &str, query: &str) -> Value {
    let started = Instant::now();
    loop {
        let list = notices_of(app, hr, query).await;
        if list["total"] != 0 || started.elapsed() > WAIT {
            return list;
        }
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn starttls_with_a_private_ca_and_a_login(backend: Backend) {
    install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert_path, key_path) = private_ca(dir.path());
    let login = ("relay-user".to_owned(), "relay-pass-8472".to_owned());
    let smtp = SmtpServer::start_tls(TlsServer {
        cert_path,
        key_path,
        login: login.clone(),
    });
    let port = smtp.port;
    let Some((app, hr)) = one_queued_notice(backend, without_worker).await else {
        return;
    };
    let tls_worker = |password: &str| {
        let (ca, user, password) = (ca.clone(), login.0.clone(), password.to_owned());
        move |s: &mut Settings| {
            smtp_to(port)(s);
            s.mail.smtp_host = "localhost".into();
            s.mail.smtp_tls = SmtpTls::Starttls;
            s.mail.smtp_ca_file = ca;
            s.mail.smtp_username = user;
            s.mail.smtp_password = Secret::new(password);
        }
    };

    // A wrong password is refused for good (535), and the error shown to HR does not
    // repeat the password.
    let (_, worker) = start_worker(&app, tls_worker("wrong-pass-1234"));
    let failed = wait_for_status(&app, &hr, "failed").await;
    worker.stop().await;
    let notice = &failed["items"][0];
    let error = notice["last_error"].as_str().unwrap();
    assert!(error.contains("535"), "{error}");
    assert!(!error.contains("wrong-pass"), "{error}");
    assert!(smtp.received().is_empty());

    let id = notice["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/notices/{id}/retry"), &hr, json!({}))
        .await
        .ok(200);
    let (_, _worker) = start_worker(&app, tls_worker(&login.1));
    let mails = smtp.wait_for("collaboration_request", 1, WAIT).await;
    assert_eq!(mails.len(), 1);
    // The server offers AUTH only inside STARTTLS: a login means the session was encrypted.
    assert_eq!(smtp.logins(), [false, true]);
}

async fn starttls_is_required_never_skipped(backend: Backend) {
    // A server without STARTTLS: the mail must wait rather than travel in clear text.
    let smtp = SmtpServer::start();
    let port = smtp.port;
    let Some((app, hr)) = one_queued_notice(backend, move |s| {
        smtp_to(port)(s);
        s.mail.smtp_host = "localhost".into();
        s.mail.smtp_tls = SmtpTls::Starttls;
    })
    .await
    else {
        return;
    };
    let started = Instant::now();
    loop {
        let list = notices_of(&app, &hr, "kind=collaboration_request").await;
        let notice = &list["items"][0];
        if notice["attempts"].as_i64().unwrap() >= 2 {
            assert_eq!(notice["status"], "pending", "{notice}");
            assert!(notice["last_error"].is_string());
            break;
        }
        assert!(started.elapsed() < WAIT, "two attempts made: {notice}");
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(smtp.received().is_empty(), "nothing sent without TLS");
}

/// An `appraisal serve` or `appraisal deliver` process on the test's database, counting the
/// notices it reports sent.
pub struct WorkerProcess {
    child: Child,
    sent: Arc<AtomicUsize>,
}

impl WorkerProcess {
    /// How many notices it has reported sent so far.
    pub fn sent(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }

    pub fn start(command: &str, database_url: &str, smtp_port: u16) -> WorkerProcess {
        WorkerProcess::start_with(command, database_url, smtp_port, &[])
    }

    /// As [`WorkerProcess::start`], with more settings in the environment.
    pub fn start_with(
        command: &str,
        database_url: &str,
        smtp_port: u16,
        more: &[(&str, &str)],
    ) -> WorkerProcess {
        let smtp_port = smtp_port.to_string();
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_appraisal"))
            .arg(command)
            .current_dir(dir.path())
            .env_clear()
            .envs([
                ("APPRAISAL__DATABASE__URL", database_url),
                ("APPRAISAL__SERVER__PORT", "0"),
                ("APPRAISAL__SERVER__WORKERS", "1"),
                ("APPRAISAL__MAIL__TRANSPORT", "smtp"),
                ("APPRAISAL__MAIL__SMTP_HOST", "127.0.0.1"),
                ("APPRAISAL__MAIL__SMTP_PORT", smtp_port.as_str()),
                ("APPRAISAL__MAIL__SMTP_TLS", "none"),
                ("APPRAISAL__NOTICES__POLL_INTERVAL_MS", "50"),
                ("APPRAISAL__NOTICES__BATCH_SIZE", "10"),
                ("APPRAISAL__LOG__FILTER", "warn,appraisal=debug"),
            ])
            .envs(more.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("binary starts");
        let stdout = child.stdout.take().unwrap();
        let sent = Arc::new(AtomicUsize::new(0));
        let (ready, listening) = mpsc::channel();
        let counter = sent.clone();
        std::thread::spawn(move || {
            let _dir = dir;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains("job worker started") {
                    let _ = ready.send(());
                }
                if line.contains("notice sent") {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        listening
            .recv_timeout(Duration::from_secs(60))
            .expect("the worker starts");
        WorkerProcess { child, sent }
    }

    /// SIGTERM, as an operator's stop would send; waits for the exit.
    fn stop(mut self) -> usize {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "graceful exit: {status}");
        self.sent.load(Ordering::Relaxed)
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Adds `count` staff straight into the database (creating them through the API would
/// spend most of the test on password hashing).
fn add_staff(conn: &mut DbConn, department: i64, count: usize) {
    let at = appraisal::store::now();
    let rows: Vec<_> = (0..count)
        .map(|i| {
            (
                users::email.eq(format!("p{i}@crowd.test")),
                users::display_name.eq(format!("Person {i}")),
                users::role.eq("staff"),
                users::department_id.eq(department as i32),
                users::locale.eq(if i % 2 == 0 { "en" } else { "zh-CN" }),
                users::password_hash.eq("not-a-login"),
                users::active.eq(true),
                users::token_version.eq(0),
                users::created_at.eq(at),
                users::updated_at.eq(at),
            )
        })
        .collect();
    for chunk in rows.chunks(250) {
        let insert = diesel::insert_into(users::table).values(chunk);
        match conn {
            DbConn::Pg(c) => insert.execute(c).unwrap(),
            DbConn::Sqlite(c) => insert.execute(c).unwrap(),
        };
    }
}

async fn two_serve_processes_deliver_a_thousand_notices_exactly_once(backend: Backend) {
    const COUNT: usize = 1_000;
    let smtp = SmtpServer::start();
    let Some(app) = spawn_with(backend, without_worker).await else {
        return;
    };
    let hr = app.hr_token().await;
    let dept = app.department(&hr, "Crowd", "front_line").await;
    add_staff(&mut connect(&app), dept, COUNT);
    let url = app.database.url();
    let first = WorkerProcess::start("serve", &url, smtp.port);
    let second = WorkerProcess::start("serve", &url, smtp.port);

    // Opening the cycle queues one rating request per person, in the same transaction.
    let started = Instant::now();
    app.open_cycle(&hr, "Q1", "2026-01-01", "2026-03-31").await;
    let mails = smtp
        .wait_for("collaboration_request", COUNT, Duration::from_secs(180))
        .await;
    assert_eq!(mails.len(), COUNT);
    let elapsed = started.elapsed();
    // Both stop gracefully, finishing the mails in hand: what has arrived then is all they
    // sent (no waiting to see whether more comes).
    let (by_first, by_second) = (first.stop(), second.stop());

    let mails = smtp.received();
    assert_eq!(mails.len(), COUNT, "nothing doubled");
    let ids: HashSet<_> = mails.iter().map(|m| m.message_id.clone()).collect();
    let recipients: HashSet<_> = mails.iter().map(|m| m.to.clone()).collect();
    assert_eq!((ids.len(), recipients.len()), (COUNT, COUNT));
    assert_eq!(
        by_first + by_second,
        COUNT,
        "each process counts what it sent"
    );
    assert!(
        by_first > 0 && by_second > 0,
        "both took part: {by_first} + {by_second}"
    );
    // For the record (run with --nocapture); not a performance assertion.
    println!(
        "{backend:?}: {COUNT} notices queued and mailed by two processes in {:.2} s \
         ({by_first} + {by_second})",
        elapsed.as_secs_f64()
    );
    let sent = notices_of(&app, &hr, "status=sent").await;
    assert_eq!(sent["total"], COUNT);
}

async fn the_deliver_command_works_alone_and_stops_on_sigterm(backend: Backend) {
    let smtp = SmtpServer::start();
    // The application queues (its own worker is off); `appraisal deliver` sends.
    let Some((app, hr)) = one_queued_notice(backend, without_worker).await else {
        return;
    };
    let deliverer = WorkerProcess::start("deliver", &app.database.url(), smtp.port);
    let mails = smtp.wait_for("collaboration_request", 1, WAIT).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(
        deliverer.stop(),
        1,
        "a clean exit after SIGTERM, having sent one"
    );
    assert_eq!(notices_of(&app, &hr, "status=sent").await["total"], 1);
}
