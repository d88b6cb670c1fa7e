//! Uploads as people see them (issue 25): refused rows are named by the row number the
//! spreadsheet shows, in the API and on the page alike; names must show something; "forgot
//! password" does the same work for every email; evidence of a person who has left since.

use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{answer, client, Person, TestApp};
use crate::{on_both_backends_with, support};

on_both_backends!(
    refused_rows_are_named_as_the_spreadsheet_shows_them,
    names_must_show_something_and_keep_their_direction,
    evidence_of_someone_who_has_left_is_kept,
);

on_both_backends_with!(
    spawn_without_worker;
    forgot_password_does_the_same_work_for_every_email,
);

async fn spawn_without_worker(backend: support::Backend) -> Option<TestApp> {
    support::spawn_with(backend, |s| s.notices.worker = false).await
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A front-line store with two staff, and a cycle over Q1 2026, open.
async fn store(app: &TestApp) -> (String, Person, Person, i64) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    let ann = app.user(&hr, "staff", store, None).await;
    let bo = app.user(&hr, "staff", store, None).await;
    let cycle = app
        .open_cycle(&hr, "2026 Q1", "2026-01-01", "2026-03-31")
        .await;
    (hr, ann, bo, cycle)
}

async fn post_body(
    app: &TestApp,
    path: &str,
    token: &str,
    kind: &str,
    body: Vec<u8>,
) -> support::Answer {
    let response = app
        .http
        .client
        .post(format!("{}{path}", app.http.base))
        .bearer_auth(token)
        .header("content-type", kind)
        .body(body)
        .send()
        .await
        .expect("request sent");
    answer(response).await
}

fn rows_named(answer: &support::Answer) -> Vec<(u64, String)> {
    answer.body["row_errors"]
        .as_array()
        .unwrap_or_else(|| panic!("row errors: {answer:?}"))
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A sheet whose header is on row 4, with empty rows above it and between its rows of data
/// (rows 5 and 8).
fn sheet_with_rows_apart(ann: i64) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (column, name) in ["employee_id", "occurred_on", "amount", "external_ref"]
        .iter()
        .enumerate()
    {
        sheet.write_string(3, column as u16, *name).unwrap();
    }
    let row = |sheet: &mut rust_xlsxwriter::Worksheet, at: u32, amount: &str, reference: &str| {
        sheet.write_number(at, 0, ann as f64).unwrap();
        sheet.write_string(at, 1, "2026-01-05").unwrap();
        sheet.write_string(at, 2, amount).unwrap();
        sheet.write_string(at, 3, reference).unwrap();
    };
    row(sheet, 4, "100", "XLSX-1");
    row(sheet, 7, "one hundred", "XLSX-2");
    book.save_to_buffer().unwrap()
}

/// What a page's alert lists as refused rows: (row, column).
fn rows_on_page(page: &str) -> Vec<(u64, String)> {
    let Some(at) = page.find("<table class=\"rows\">") else {
        panic!("no refused rows on the page:\n{page}");
    };
    let table = &page[at..at + page[at..].find("</table>").unwrap()];
    table
        .split("<td class=\"num\">")
        .skip(1)
        .map(|cell| {
            let row = cell[..cell.find('<').unwrap()].parse().unwrap();
            let column = cell.split("<code>").nth(1).unwrap();
            (row, column[..column.find('<').unwrap()].to_owned())
        })
        .collect()
}

async fn refused_rows_are_named_as_the_spreadsheet_shows_them(app: TestApp) {
    let (hr, ann, _, cycle) = store(&app).await;
    // The header on row 4; rows 5 and 8 (the second refused).
    let xlsx = sheet_with_rows_apart(ann.id);
    let refused = post_body(&app, "/api/v1/sales-records", &hr, XLSX, xlsx.clone()).await;
    assert_eq!(refused.status.as_u16(), 422, "{refused:?}");
    assert_eq!(rows_named(&refused), [(8, "amount".to_owned())]);

    // A CSV with an empty line 2 and a note over two lines in line 3-4: the next record
    // starts on line 5, which a spreadsheet shows as row 4.
    let csv = format!(
        "employee_id,occurred_on,amount,external_ref\n\n{id},2026-01-05,100,\"CSV-1\n(two lines)\"\n{id},2026-01-06,x,CSV-2\n",
        id = ann.id
    );
    let refused = post_body(
        &app,
        "/api/v1/sales-records",
        &hr,
        "text/csv",
        csv.clone().into_bytes(),
    )
    .await;
    assert_eq!(
        rows_named(&refused),
        [(3, "external_ref".to_owned()), (4, "amount".to_owned())]
    );

    // The cycle page's upload names the same rows.
    let session = page_session(&app, &format!("/hr/cycles/{cycle}")).await;
    let expected_xlsx = [(8, "amount".to_owned())];
    let expected_csv = [(3, "external_ref".to_owned()), (4, "amount".to_owned())];
    for (file, name, expected) in [
        (xlsx, "sales.xlsx", &expected_xlsx[..]),
        (csv.into_bytes(), "sales.csv", &expected_csv[..]),
    ] {
        let path = format!("/hr/cycles/{cycle}/import");
        let page = upload_on_page(&app, &session, &path, "sales-records", name, file).await;
        assert_eq!(rows_on_page(&page), expected, "{name}");
    }
}

/// HR signed in on the pages: the session's cookies and the form token of `path`.
async fn page_session(app: &TestApp, path: &str) -> (String, String) {
    let (session, page) = signed_in(app, &app.hr_email, &app.hr_password, path).await;
    (session, form_token(&page))
}

/// Someone signed in on the pages: the session's cookies and the page at `path`.
pub(crate) async fn signed_in(
    app: &crate::support::Http,
    email: &str,
    password: &str,
    path: &str,
) -> (String, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = &app.base;
    let sign_in = http.get(format!("{base}/sign-in")).send().await.unwrap();
    let mut cookies = cookies_of(&sign_in);
    let token = form_token(&sign_in.text().await.unwrap());
    let signed = http
        .post(format!("{base}/sign-in"))
        .header("cookie", cookies.join("; "))
        .header("origin", base.clone())
        .form(&[
            ("csrf", token.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert!(signed.status().is_redirection(), "signed in");
    cookies.extend(cookies_of(&signed));
    let cookie = cookies.join("; ");
    let page = http
        .get(format!("{base}{path}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (cookie, page)
}

fn cookies_of(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect()
}

pub(crate) fn form_token(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let at = page.find(marker).expect("a form token") + marker.len();
    page[at..at + page[at..].find('"').unwrap()].to_owned()
}

/// Uploads a file with the page's form; answers the page.
async fn upload_on_page(
    app: &TestApp,
    session: &(String, String),
    path: &str,
    kind: &str,
    name: &str,
    file: Vec<u8>,
) -> String {
    let boundary = "----uploads-5c2e";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n",
        session.1
    )
    .into_bytes();
    body.extend_from_slice(&file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    client()
        .post(format!("{}{path}", app.http.base))
        .header("cookie", &session.0)
        .header("origin", app.http.base.clone())
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn names_must_show_something_and_keep_their_direction(app: TestApp) {
    let hr = app.hr_token().await;
    let invisible = app
        .post(
            "/api/v1/departments",
            &hr,
            json!({"name": "\u{200b}", "kind": "front_line"}),
        )
        .await;
    assert_eq!(invisible.field_codes("name"), ["nothing_visible"]);
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    let reversed = app
        .post(
            "/api/v1/users",
            &hr,
            json!({"email": "evil@example.test", "display_name": "\u{202e}evil", "role": "staff",
                   "department_id": store}),
        )
        .await;
    assert_eq!(reversed.field_codes("display_name"), ["bidi_control"]);
    let cycle = app
        .post(
            "/api/v1/cycles",
            &hr,
            json!({"name": "\u{3164}\u{200d}", "period_start": "2026-01-01", "period_end": "2026-03-31"}),
        )
        .await;
    assert_eq!(cycle.field_codes("name"), ["nothing_visible"]);
    let checklist = app
        .post(
            "/api/v1/checklists",
            &hr,
            json!({"name": "Store etiquette", "items": [
                {"title": "Grooming", "max_points": 10},
                {"title": "a\u{2066}b", "max_points": 10}]}),
        )
        .await;
    assert_eq!(checklist.field_codes("items[1].title"), ["bidi_control"]);
    // In people files too, with the row named.
    let csv = "email,display_name,role,department\nok@example.test,李娜,staff,Flagship Store\nblank@example.test,\u{200b}\u{200b},staff,Flagship Store\n".to_owned();
    let refused = app.post_csv("/api/v1/users/bulk", &hr, csv).await;
    assert_eq!(rows_named(&refused), [(3, "display_name".to_owned())]);
    // Visible names, Chinese ones and zero-width joiners inside them included, are kept.
    app.post(
        "/api/v1/departments",
        &hr,
        json!({"name": "仓储物流 👩\u{200d}💼", "kind": "back_office"}),
    )
    .await
    .ok(201);
    // In Chinese, the reason is said in Chinese.
    let zh = app
        .http
        .client
        .post(format!("{}/api/v1/departments", app.http.base))
        .bearer_auth(&hr)
        .header("accept-language", "zh-CN")
        .json(&json!({"name": " \u{feff} ", "kind": "front_line"}))
        .send()
        .await
        .unwrap();
    let zh = answer(zh).await;
    assert!(zh.field_error("name").contains("可见字符"), "{zh:?}");
}

async fn evidence_of_someone_who_has_left_is_kept(app: TestApp) {
    let (hr, ann, bo, cycle) = store(&app).await;
    app.patch(
        &format!("/api/v1/users/{}", bo.id),
        &hr,
        json!({"active": false}),
    )
    .await
    .ok(200);
    // Bo left in March; his January sales come in with everyone's.
    let rows = json!([
        {"employee_id": ann.id, "occurred_on": "2026-01-05", "amount": 10000, "external_ref": "LEFT-1"},
        {"employee_id": bo.id, "occurred_on": "2026-01-06", "amount": 20000, "external_ref": "LEFT-2"},
        {"employee_id": bo.id, "occurred_on": "2026-01-07", "rating": 5, "channel": "phone", "external_ref": "LEFT-3"}
    ]);
    let sales = app
        .post(
            "/api/v1/sales-records",
            &hr,
            json!(rows.as_array().unwrap()[..2]),
        )
        .await;
    assert_eq!(sales.ok(200)["inserted"], 2);
    let responses = app
        .post("/api/v1/satisfaction-responses", &hr, json!([rows[2]]))
        .await;
    assert_eq!(responses.ok(200)["inserted"], 1);
    // He is not appraised (only active people are), so his sales change no appraisal.
    app.post(
        &format!("/api/v1/cycles/{cycle}/state"),
        &hr,
        json!({"state": "review"}),
    )
    .await
    .ok(200);
    let computed = app
        .post(&format!("/api/v1/cycles/{cycle}/compute"), &hr, json!({}))
        .await;
    assert_eq!(computed.ok(200)["computed"], 1, "{computed:?}");
    let list = app
        .get(&format!("/api/v1/cycles/{cycle}/appraisals"), &hr)
        .await;
    let people: Vec<Value> = list.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["employee_id"].clone())
        .collect();
    assert_eq!(people, [json!(ann.id)]);
}

async fn forgot_password_does_the_same_work_for_every_email(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    let ann = app.user(&hr, "staff", store, None).await;
    let bo = app.user(&hr, "staff", store, None).await;
    app.patch(
        &format!("/api/v1/users/{}", bo.id),
        &hr,
        json!({"active": false}),
    )
    .await
    .ok(200);
    let url = app.database.url();
    let mut conn = appraisal::db::DbUrl::parse(&url)
        .unwrap()
        .establish()
        .unwrap();
    let count = |conn: &mut appraisal::db::DbConn, sql: &str| crate::races::number(conn, sql);
    let notices = "SELECT COUNT(*) AS n FROM notices WHERE kind = 'password_reset'";
    let requests = "SELECT COUNT(*) AS n FROM reset_requests";

    // Known, unknown and deactivated: the same answer, and the same one row written.
    let mut answers = Vec::new();
    for email in [ann.email.as_str(), "nobody@example.test", bo.email.as_str()] {
        answers.push(
            app.send(
                reqwest::Method::POST,
                "/api/v1/auth/forgot",
                None,
                Some(&json!({ "email": email })),
            )
            .await,
        );
    }
    assert!(answers.iter().all(|a| a.status.as_u16() == 202));
    assert!(answers.iter().all(|a| a.body == answers[0].body));
    assert_eq!(count(&mut conn, requests), 3);
    assert_eq!(count(&mut conn, notices), 0);

    // The worker's turn (each request is a job): only the active account gets a mail;
    // every request is gone.
    let db = appraisal::db::Db::connect(&app.settings.database).unwrap();
    let worker = appraisal::notify::Notifier::new(db, &app.settings).unwrap();
    worker.deliver_due().await.unwrap();
    assert_eq!(count(&mut conn, requests), 0);
    assert_eq!(count(&mut conn, notices), 1);
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT COUNT(*) AS n FROM notices WHERE kind = 'password_reset' AND recipient_id = {}",
                ann.id
            )
        ),
        1
    );
}
