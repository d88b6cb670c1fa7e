//! HR's daily work through the API (issue 17): employee numbers and search, set-password and
//! reset links by mail, and spreadsheets as Excel in China saves them (GBK CSV, XLSX with
//! date cells, amounts in yuan, people named by employee number or email).

use std::time::{Duration, Instant};

use appraisal::db::Db;
use appraisal::notify::transport::Mailbox;
use appraisal::notify::{Notifier, WorkerHandle};
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{answer, client, Answer, TestApp};

on_both_backends!(
    employee_numbers_are_unique_and_found_by_search,
    spreadsheets_as_excel_saves_them_are_read,
    a_cycle_goes_out_to_excel_in_the_readers_language_and_scope,
    a_cycle_bigger_than_a_read_page_is_exported_whole_and_in_order,
);

// These start a worker of their own (with its mailbox): the application's would race it
// for the mails.
crate::on_both_backends_with!(
    spawn_without_worker;
    a_forgotten_password_is_reset_once_by_mailed_link,
    a_person_made_without_a_password_sets_one_by_link
);

async fn spawn_without_worker(backend: crate::support::Backend) -> Option<TestApp> {
    crate::support::spawn_with(backend, |s| s.notices.worker = false).await
}

const WAIT: Duration = Duration::from_secs(20);

pub(crate) fn start_worker(app: &TestApp) -> (Mailbox, Notifier, WorkerHandle) {
    let mut settings = app.settings.clone();
    settings.notices.poll_interval_ms = 50;
    let db = Db::connect(&settings.database).expect("database reachable");
    let notifier = Notifier::new(db, &settings).expect("notifier settings valid");
    let mailbox = notifier.mailbox().expect("memory transport");
    let worker = notifier.clone().spawn();
    (mailbox, notifier, worker)
}

/// Waits until `count` mails to `to` arrived; returns them (oldest first).
pub(crate) async fn mails_to(mailbox: &Mailbox, to: &str, count: usize) -> Vec<String> {
    let started = Instant::now();
    loop {
        let mails: Vec<String> = mailbox
            .all()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == to))
            .map(|m| {
                let mail = mailparse::parse_mail(m.raw.as_bytes()).unwrap();
                mail.subparts[0].get_body().unwrap()
            })
            .collect();
        if mails.len() >= count {
            return mails;
        }
        assert!(started.elapsed() < WAIT, "{count} mails to {to} arrive");
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The token of the link `/reset?token=…` in a mail's text.
fn token_in(text: &str) -> String {
    let at = text
        .find("/reset?token=")
        .expect("the mail holds a reset link")
        + 13;
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

pub(crate) async fn reset(app: &TestApp, token: &str, password: &str) -> Answer {
    app.send(
        reqwest::Method::POST,
        "/api/v1/auth/reset",
        None,
        Some(&json!({"token": token, "new_password": password})),
    )
    .await
}

async fn forgot(app: &TestApp, email: &str) -> Answer {
    app.send(
        reqwest::Method::POST,
        "/api/v1/auth/forgot",
        None,
        Some(&json!({ "email": email })),
    )
    .await
}

fn person(email: &str, number: Option<&str>, dept: i64) -> Value {
    json!({"email": email, "display_name": format!("Person {email}"), "role": "staff",
           "department_id": dept, "employee_number": number, "password": "long-enough-password"})
}

async fn employee_numbers_are_unique_and_found_by_search(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    let made = app
        .post(
            "/api/v1/users",
            &hr,
            person("li.na@example.test", Some("E0107"), store),
        )
        .await;
    assert_eq!(made.ok(201)["employee_number"], "E0107");
    let id = made.body["id"].as_i64().unwrap();
    app.post(
        "/api/v1/users",
        &hr,
        person("wang.fang@example.test", Some("E0108"), store),
    )
    .await
    .ok(201);

    // The number is someone's: 409 naming it; not a number: 422 on the field.
    let taken = app
        .post(
            "/api/v1/users",
            &hr,
            person("zhao.lei@example.test", Some("E0107"), store),
        )
        .await;
    assert_eq!(taken.code(409), "employee_number_taken");
    assert!(taken.body["detail"].as_str().unwrap().contains("E0107"));
    let bad = app
        .post(
            "/api/v1/users",
            &hr,
            person("zhao.lei@example.test", Some("E 01;07"), store),
        )
        .await;
    assert_eq!(bad.field_codes("employee_number"), ["not_employee_number"]);
    let moved = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &hr,
            json!({"employee_number": "E0108"}),
        )
        .await;
    assert_eq!(moved.code(409), "employee_number_taken");

    // Search by number, by part of a name (any case), by email; `%` is a character.
    let found = |q: &str| {
        let path = format!("/api/v1/users?q={}", urlencode(q));
        let hr = hr.clone();
        let app = &app;
        async move {
            let list = app.get(&path, &hr).await;
            list.ok(200)["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("e0107").await, ["li.na@example.test"]);
    assert_eq!(found("PERSON WANG").await, ["wang.fang@example.test"]);
    assert_eq!(found("fang@example").await, ["wang.fang@example.test"]);
    assert_eq!(found("%").await, Vec::<String>::new());
    assert_eq!(found("E01").await.len(), 2);

    // Cleared with null; the number is free again.
    app.patch(
        &format!("/api/v1/users/{id}"),
        &hr,
        json!({"employee_number": null}),
    )
    .await
    .ok(200);
    app.post(
        "/api/v1/users",
        &hr,
        person("zhao.lei@example.test", Some("E0107"), store),
    )
    .await
    .ok(201);
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn a_forgotten_password_is_reset_once_by_mailed_link(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    let ann = app.user(&hr, "staff", store, None).await;
    let (mailbox, notifier, worker) = start_worker(&app);

    // Known and unknown addresses get the same answer.
    let known = forgot(&app, &ann.email).await;
    let unknown = forgot(&app, "nobody@example.test").await;
    assert_eq!((known.status.as_u16(), unknown.status.as_u16()), (202, 202));
    assert_eq!(known.body, unknown.body);
    let mails = mails_to(&mailbox, &ann.email, 1).await;
    let token = token_in(&mails[0]);
    assert!(token.len() >= 40, "a long random token: {token}");

    // Asked again within the hour: no second mail. The running worker stops first, so a
    // round of our own, run now, is the one that would send it.
    worker.stop().await;
    forgot(&app, &ann.email).await.ok(202);
    assert_eq!(notifier.deliver_due().await.unwrap(), 0);
    assert_eq!(mails_to(&mailbox, &ann.email, 1).await.len(), 1);
    let _worker = notifier.clone().spawn();

    // A session from before; then the reset: new password works, old does not, the session
    // ends, and the link works once.
    let before = app.login(&ann.email, &ann.password).await;
    reset(&app, &token, "too-short").await.problem(422);
    reset(&app, &token, "a-new-password-2026").await.ok(204);
    app.try_login(&ann.email, &ann.password).await.problem(401);
    app.login(&ann.email, "a-new-password-2026").await;
    app.get("/api/v1/me", &before).await.problem(401);
    let again = reset(&app, &token, "yet-another-password").await;
    assert_eq!(again.field_codes("token"), ["link_invalid"]);
    assert_eq!(
        reset(&app, "made-up-token", "yet-another-password")
            .await
            .field_codes("token"),
        ["link_invalid"]
    );

    // The token is stored hashed: it appears nowhere in the database's tokens.
    let url = app.database.url();
    let mut conn = appraisal::db::DbUrl::parse(&url)
        .unwrap()
        .establish()
        .unwrap();
    let stored = crate::races::number(
        &mut conn,
        &format!("SELECT COUNT(*) AS n FROM password_tokens WHERE token_hash = '{token}'"),
    );
    assert_eq!(stored, 0);
}

async fn a_person_made_without_a_password_sets_one_by_link(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    let (mailbox, _notifier, _worker) = start_worker(&app);
    let made = app
        .post(
            "/api/v1/users",
            &hr,
            json!({"email": "new.hire@example.test", "display_name": "New Hire", "role": "staff",
                   "department_id": store, "employee_number": "E0200"}),
        )
        .await;
    made.ok(201);
    // No password signs in to it.
    app.try_login("new.hire@example.test", "long-enough-password")
        .await
        .problem(401);
    let mails = mails_to(&mailbox, "new.hire@example.test", 1).await;
    let token = token_in(&mails[0]);
    // Expired, the link answers as an unknown one does.
    let mut conn = appraisal::db::DbUrl::parse(&app.database.url())
        .unwrap()
        .establish()
        .unwrap();
    crate::races::execute(
        &mut conn,
        "UPDATE password_tokens SET expires_at = '2000-01-01 00:00:00'",
    );
    let expired = reset(&app, &token, "my-first-password").await;
    assert_eq!(expired.field_codes("token"), ["link_invalid"]);
    let unknown = reset(&app, "no-such-token-at-all", "my-first-password").await;
    assert_eq!(
        expired.body, unknown.body,
        "expired and unknown answer alike"
    );
    crate::races::execute(
        &mut conn,
        "UPDATE password_tokens SET expires_at = '2099-01-01 00:00:00'",
    );
    reset(&app, &token, "my-first-password").await.ok(204);
    app.login("new.hire@example.test", "my-first-password")
        .await;
}

pub(crate) async fn post_bytes(
    app: &TestApp,
    path: &str,
    token: &str,
    media: &str,
    body: Vec<u8>,
) -> Answer {
    let response = client()
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("content-type", media)
        .body(body)
        .send()
        .await
        .expect("request sent");
    answer(response).await
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn spreadsheets_as_excel_saves_them_are_read(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    let li = app
        .post(
            "/api/v1/users",
            &hr,
            person("li.na@example.test", Some("E0107"), store),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let wang = app
        .post(
            "/api/v1/users",
            &hr,
            person("wang.fang@example.test", Some("E0108"), store),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let cycle = app
        .open_cycle(&hr, "2026 一季度", "2026-01-01", "2026-03-31")
        .await;
    let evidence = |employee: i64| {
        let path = format!("/api/v1/cycles/{cycle}/evidence?employee_id={employee}");
        let hr = hr.clone();
        let app = &app;
        async move { app.get(&path, &hr).await.ok(200)["employees"][0].clone() }
    };

    // A CSV as Excel in China saves it: GBK, dates as 2026/1/5, yuan with decimals, people by
    // number and by email, a Chinese reference.
    let text = "employee_number,email,occurred_on,amount_yuan,external_ref\r\n\
                E0107,,2026/1/5,1234.50,销售单-1\r\n\
                ,wang.fang@example.test,2026/2/28,99.99,销售单-2\r\n";
    let (gbk, _, lossy) = encoding_rs::GBK.encode(text);
    assert!(!lossy);
    let csv = post_bytes(
        &app,
        "/api/v1/sales-records",
        &hr,
        "text/csv",
        gbk.into_owned(),
    )
    .await;
    assert_eq!(csv.ok(200)["inserted"], 2, "{:?}", csv.body);
    assert_eq!(evidence(li).await["sales_total"], 123_450);
    assert_eq!(evidence(wang).await["sales_total"], 9_999);

    // The same file again changes nothing (the references are known).
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let again = post_bytes(
        &app,
        "/api/v1/sales-records",
        &hr,
        "text/csv",
        gbk.into_owned(),
    )
    .await;
    assert_eq!(again.ok(200)["inserted"], 0);

    // A bad row among good ones: nothing stored, and the row named as the sheet numbers it.
    let bad = "\u{feff}employee_number,occurred_on,amount_yuan,external_ref\n\
               E0107,2026-01-06,10.00,B-1\n\
               E0107,2026-01-07,10.005,B-2\n\
               E9999,2026-01-08,10,B-3\n";
    let refused = app
        .post_csv("/api/v1/sales-records", &hr, bad.to_owned())
        .await;
    refused.problem(422);
    let rows = refused.row_codes();
    // Every problem in one answer: what a cell says and who a row names.
    assert_eq!(
        rows,
        [
            (3, "not_yuan".to_owned()),
            (4, "no_such_employee".to_owned())
        ]
    );
    let refused = app
        .post_csv("/api/v1/sales-records", &hr, bad.replace("10.005", "10.05"))
        .await;
    assert_eq!(
        refused.body["row_errors"][0]["row"], 4,
        "{:?}",
        refused.body
    );
    assert_eq!(refused.body["row_errors"][0]["code"], "no_such_employee");
    assert_eq!(evidence(li).await["sales_records"], 1);

    // Two ways to name one person in a row, or one amount twice: refused by name.
    let both = "employee_id,employee_number,occurred_on,amount,external_ref\n\
                {li},E0107,2026-01-09,100,C-1\n"
        .replace("{li}", &li.to_string());
    let refused = app.post_csv("/api/v1/sales-records", &hr, both).await;
    assert_eq!(
        refused.body["row_errors"][0]["code"],
        "one_person_reference"
    );

    // An XLSX with date cells, numbers and text.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy/m/d");
    for (col, name) in ["email", "occurred_on", "amount_yuan", "external_ref"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    sheet.write_string(1, 0, "li.na@example.test").unwrap();
    sheet
        .write_datetime_with_format(
            1,
            1,
            rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 3, 31).unwrap(),
            &date,
        )
        .unwrap();
    sheet.write_number(1, 2, 0.5).unwrap();
    sheet.write_string(1, 3, "X-1").unwrap();
    sheet.write_string(2, 0, "wang.fang@example.test").unwrap();
    sheet.write_string(2, 1, "2026/3/1").unwrap();
    sheet.write_number(2, 2, 2000.0).unwrap();
    sheet.write_number(2, 3, 42.0).unwrap();
    let xlsx = book.save_to_buffer().unwrap();
    let answer = post_bytes(&app, "/api/v1/sales-records", &hr, XLSX, xlsx).await;
    assert_eq!(answer.ok(200)["inserted"], 2, "{:?}", answer.body);
    assert_eq!(evidence(li).await["sales_total"], 123_450 + 50);
    assert_eq!(evidence(wang).await["sales_total"], 9_999 + 200_000);

    // Targets in yuan, by employee number.
    let targets = "employee_number,cycle_id,target_yuan\nE0107,{c},5000\nE0108,{c},12000.5\n"
        .replace("{c}", &cycle.to_string());
    app.post_csv("/api/v1/sales-targets", &hr, targets)
        .await
        .ok(200);
    assert_eq!(evidence(li).await["sales_target"], 500_000);
    assert_eq!(evidence(wang).await["sales_target"], 1_200_050);

    // Bytes that are neither UTF-8 nor GB18030, and a file that is not a workbook.
    let garbage = post_bytes(
        &app,
        "/api/v1/sales-records",
        &hr,
        "text/csv",
        b"employee_number,occurred_on\n\xff\xff\xff,2026-01-01\n".to_vec(),
    )
    .await;
    assert_eq!(garbage.code(422), "validation");
    assert!(
        garbage.body.to_string().contains("not_utf8_or_gb18030"),
        "{:?}",
        garbage.body
    );
    let not_a_book = post_bytes(
        &app,
        "/api/v1/sales-records",
        &hr,
        XLSX,
        b"PK nope".to_vec(),
    )
    .await;
    assert_eq!(not_a_book.status.as_u16(), 422, "{:?}", not_a_book.body);
}

/// A GET with a language, answering the status, the media type and the bytes.
pub(crate) async fn download(
    app: &TestApp,
    path: &str,
    token: &str,
    lang: Option<&str>,
) -> (u16, String, Vec<u8>) {
    let mut request = client()
        .get(format!("{}{path}", app.base))
        .bearer_auth(token);
    if let Some(lang) = lang {
        request = request.header("accept-language", lang);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, media, response.bytes().await.unwrap().to_vec())
}

pub(crate) fn csv_lines(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a BOM, so Excel reads the Chinese");
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

pub(crate) fn csv_header(bytes: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(bytes)
        .unwrap()
        .trim_start_matches('\u{feff}');
    csv::Reader::from_reader(text.as_bytes())
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect()
}

async fn a_cycle_goes_out_to_excel_in_the_readers_language_and_scope(app: TestApp) {
    use calamine::Reader;
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    let desk = app.department(&hr, "Call Centre", "front_line").await;
    let lead = app.user(&hr, "supervisor", store, None).await;
    let other_lead = app.user(&hr, "supervisor", desk, None).await;
    let mut people = Vec::new();
    for (name, number, dept, manager) in [
        (
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            "E0101",
            store,
            lead.id,
        ),
        ("王芳", "E0102", store, lead.id),
        ("Cara", "E0201", desk, other_lead.id),
    ] {
        let email = format!("{}@example.test", number.to_lowercase());
        let made = app
            .post(
                "/api/v1/users",
                &hr,
                json!({"email": email, "display_name": name, "role": "staff", "department_id": dept,
                       "manager_id": manager, "employee_number": number, "password": "long-enough-password"}),
            )
            .await;
        people.push((made.ok(201)["id"].as_i64().unwrap(), email));
    }
    let cycle = app.open_cycle(&hr, "Q3", "2026-07-01", "2026-09-30").await;
    let targets =
        "employee_number,cycle_id,target_yuan\nE0101,{c},1000\nE0102,{c},1000\nE0201,{c},1000\n"
            .replace("{c}", &cycle.to_string());
    app.post_csv("/api/v1/sales-targets", &hr, targets)
        .await
        .ok(200);
    let sales = "employee_number,occurred_on,amount_yuan,external_ref\n\
                 E0101,2026-08-01,900,S-1\nE0102,2026-08-02,500,S-2\nE0201,2026-08-03,1000,S-3\n";
    app.post_csv("/api/v1/sales-records", &hr, sales.to_owned())
        .await
        .ok(200);
    app.review_and_compute(&hr, cycle).await;
    let all = app
        .get(&format!("/api/v1/cycles/{cycle}/appraisals"), &hr)
        .await;
    let appraised = all.ok(200)["items"].as_array().unwrap().len();
    let path = format!("/api/v1/cycles/{cycle}/export");

    // HR, CSV, Chinese: every appraisal, Chinese headers, the formula neutralised.
    let (status, media, csv) =
        download(&app, &format!("{path}?format=csv"), &hr, Some("zh-CN")).await;
    assert_eq!((status, media.as_str()), (200, "text/csv; charset=utf-8"));
    let header = csv_header(&csv);
    assert_eq!(header[..3], ["工号", "姓名", "部门"]);
    assert!(header.contains(&"销售业绩得分".to_owned()), "{header:?}");
    assert!(
        header.contains(&"销售业绩实际权重（%）".to_owned()),
        "{header:?}"
    );
    let rows = csv_lines(&csv);
    assert_eq!(rows.len(), appraised);
    let first = rows.iter().find(|r| r[0] == "E0101").expect("E0101's row");
    assert!(first[1].starts_with("'="), "neutralised: {:?}", first[1]);
    let sales_score = header.iter().position(|h| h == "销售业绩得分").unwrap();
    assert_eq!(first[sales_score], "90");
    let fang = rows.iter().find(|r| r[0] == "E0102").unwrap();
    assert_eq!(fang[1], "王芳");
    assert_eq!(fang[sales_score], "50");

    // HR, XLSX (the default), English: the appraisals first, then the report with a chart.
    let (status, media, xlsx) = download(&app, &path, &hr, None).await;
    assert_eq!(status, 200);
    assert_eq!(media, XLSX);
    assert!(
        xlsx.windows(20).any(|w| w == b"xl/charts/chart1.xml"),
        "a native chart in the workbook"
    );
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Appraisals", "Department report", "Complaints report"]
    );
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let top: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(top[..3], ["Employee number", "Name", "Department"]);
    assert_eq!(sheet.rows().count(), appraised + 1);
    let evil = sheet.rows().find(|r| r[0] == "E0101").unwrap()[1].to_string();
    assert!(evil.starts_with("'="), "{evil}");
    let report = book.worksheet_range_at(1).unwrap().unwrap();
    let departments: Vec<String> = report.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert_eq!(departments, ["Call Centre", "Flagship Store"]);

    // A supervisor: their reports only.
    let lead_token = app.login(&lead.email, &lead.password).await;
    let (status, _, csv) = download(&app, &format!("{path}?format=csv"), &lead_token, None).await;
    assert_eq!(status, 200);
    let numbers: Vec<String> = csv_lines(&csv).into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(
        numbers,
        ["E0101", "E0102"],
        "not Cara, not the supervisor's own"
    );

    // Staff may not; a format that is not offered is 422.
    let staff = app.login(&people[1].1, "long-enough-password").await;
    assert_eq!(download(&app, &path, &staff, None).await.0, 403);
    let pdf = app.get(&format!("{path}?format=pdf"), &hr).await;
    assert_eq!(pdf.field_codes("format"), ["one_of"]);
}

/// The export reads a cycle's appraisals in pages of 2,000 (`app::export`): a cycle of
/// 4,500 comes out whole, each appraisal once, in the list's order (department, rank).
async fn a_cycle_bigger_than_a_read_page_is_exported_whole_and_in_order(app: TestApp) {
    use calamine::{DataType, Reader};
    let hr = app.hr_token().await;
    let mut file = String::from("employee_number,email,display_name,role,department\n");
    for i in 0..4_500 {
        let department = ["Store", "Desk", "Calls"][i % 3];
        file.push_str(&format!(
            "N{i:05},n{i}@big.test,Person {i},staff,{department}\n"
        ));
    }
    for department in ["Store", "Desk", "Calls"] {
        app.department(&hr, department, "front_line").await;
    }
    app.post_csv("/api/v1/users/bulk", &hr, file).await.ok(200);
    let cycle = app.open_cycle(&hr, "Big", "2026-07-01", "2026-09-30").await;
    app.review_and_compute(&hr, cycle).await;
    let listed = app
        .get(&format!("/api/v1/cycles/{cycle}/appraisals"), &hr)
        .await;
    let mut numbers = std::collections::HashMap::new();
    for offset in (0..4_600).step_by(200) {
        let page = app
            .get(&format!("/api/v1/users?limit=200&offset={offset}"), &hr)
            .await;
        for u in page.ok(200)["items"].as_array().unwrap() {
            let number = u["employee_number"].as_str().unwrap_or("").to_owned();
            numbers.insert(u["id"].as_i64().unwrap(), number);
        }
    }
    let order: Vec<i64> = listed.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["employee_id"].as_i64().unwrap())
        .collect();
    assert!(order.len() >= 4_500, "{}", order.len());

    let path = format!("/api/v1/cycles/{cycle}/export");
    let (status, _, csv) = download(&app, &format!("{path}?format=csv"), &hr, None).await;
    assert_eq!(status, 200);
    let rows = csv_lines(&csv);
    assert_eq!(rows.len(), order.len(), "one row per appraisal");
    let exported: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let unique: std::collections::HashSet<&&str> = exported.iter().collect();
    assert_eq!(unique.len(), exported.len(), "each appraisal once");
    // Row by row, the listed order, across the pages read.
    let listed_numbers: Vec<&str> = order.iter().map(|e| numbers[e].as_str()).collect();
    assert_eq!(exported, listed_numbers);

    let (status, _, xlsx) = download(&app, &format!("{path}?format=xlsx"), &hr, None).await;
    assert_eq!(status, 200);
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).expect("an XLSX file");
    let names = book.sheet_names().to_vec();
    let sheet = book.worksheet_range(&names[0]).unwrap();
    assert_eq!(
        sheet.height(),
        order.len() + 1,
        "a header and every appraisal"
    );
    let report = book.worksheet_range(&names[1]).unwrap();
    let counted: f64 = report
        .rows()
        .skip(1)
        .map(|r| r[1].get_float().unwrap_or(0.0))
        .sum();
    assert_eq!(counted as usize, order.len(), "the report counts every row");
}
