//! What a real office met (issue 26): nothing changes silently.

use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::TestApp;

on_both_backends!(
    reviews_survive_a_recompute_that_changes_nothing,
    a_people_file_never_moves_an_identity_silently,
    returns_are_counted_in_the_answer,
    an_office_file_is_read_with_every_mistake_in_one_answer,
);

crate::on_both_backends_with!(spawn_without_worker; the_weights_used_are_shown_everywhere);
crate::on_both_backends_with!(spawn_in_chinese; people_read_the_companys_language_until_they_choose);
crate::on_both_backends_with!(spawn_without_public_url; mail_links_follow_the_address_listened_on);

async fn spawn_without_public_url(backend: crate::support::Backend) -> Option<TestApp> {
    crate::support::spawn_with(backend, |s| {
        s.server.public_url = String::new();
        s.notices.poll_interval_ms = 50;
    })
    .await
}

async fn spawn_in_chinese(backend: crate::support::Backend) -> Option<TestApp> {
    crate::support::spawn_with(backend, |s| s.company.default_locale = "zh-CN".into()).await
}

fn scheme(full_marks_at: i64) -> Value {
    json!({
        "weights": {"sales": 100, "satisfaction": 0, "etiquette": 0, "collaboration": 0},
        "full_marks_at": full_marks_at,
        "min_evidence": {"satisfaction": 1, "etiquette": 1, "collaboration": 1},
        "grade_bands": [{"grade": "A", "min_total": 90}, {"grade": "B", "min_total": 75},
                        {"grade": "C", "min_total": 0}]
    })
}

async fn reviews_survive_a_recompute_that_changes_nothing(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    let sup = app.user(&hr, "supervisor", store, None).await;
    let ann = app.user(&hr, "staff", store, Some(sup.id)).await;
    let bo = app.user(&hr, "staff", store, Some(sup.id)).await;
    let cycle = app
        .open_cycle(&hr, "2026 Q1", "2026-01-01", "2026-03-31")
        .await;
    app.post(
        "/api/v1/sales-targets",
        &hr,
        json!([{"employee_id": ann.id, "cycle_id": cycle, "target": 100_000},
               {"employee_id": bo.id, "cycle_id": cycle, "target": 100_000}]),
    )
    .await
    .ok(200);
    // Ann sold half her target, Bo all of his.
    app.post(
        "/api/v1/sales-records",
        &hr,
        json!([{"employee_id": ann.id, "occurred_on": "2026-01-05", "amount": 50_000, "external_ref": "R-1"},
               {"employee_id": bo.id, "occurred_on": "2026-01-05", "amount": 100_000, "external_ref": "R-2"}]),
    )
    .await
    .ok(200);
    let path = |p: &str| format!("/api/v1/cycles/{cycle}/{p}");
    app.post(&path("state"), &hr, json!({"state": "review"}))
        .await
        .ok(200);
    app.post(&path("compute"), &hr, json!({})).await.ok(200);
    let supervisor = app.login(&sup.email, &sup.password).await;
    for person in [ann.id, bo.id] {
        let id = app.appraisal_of(&hr, cycle, person).await["id"].clone();
        app.post(
            &format!("/api/v1/appraisals/{id}/review"),
            &supervisor,
            json!({"comment": "checked against the till rolls"}),
        )
        .await
        .ok(200);
    }

    // Recomputed with nothing changed: both reviews stand.
    let again = app.post(&path("compute"), &hr, json!({})).await;
    assert_eq!(
        (
            again.ok(200)["reviews_kept"].clone(),
            again.body["reviews_reset"].clone()
        ),
        (json!(2), json!(0))
    );
    for person in [ann.id, bo.id] {
        assert_eq!(
            app.appraisal_of(&hr, cycle, person).await["state"],
            "reviewed"
        );
    }

    // Full marks at half the target: Ann's score changes (50 → 100), Bo's stays at 100.
    app.put(&path("scheme"), &hr, scheme(50)).await.ok(200);
    let changed = app.post(&path("compute"), &hr, json!({})).await;
    assert_eq!(
        (
            changed.ok(200)["reviews_kept"].clone(),
            changed.body["reviews_reset"].clone()
        ),
        (json!(1), json!(1))
    );
    let ann_now = app.appraisal_of(&hr, cycle, ann.id).await;
    assert_eq!(ann_now["state"], "draft");
    assert_eq!(ann_now["total"], 100.0);
    assert_eq!(
        app.appraisal_of(&hr, cycle, bo.id).await["state"],
        "reviewed"
    );

    // Every count of "reviewed" agrees: the export says so only of Bo.
    let csv = app
        .http
        .client
        .get(format!("{}{}", app.http.base, path("export?format=csv")))
        .bearer_auth(&hr)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rows: Vec<(String, String)> = csv
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let n = cells.len();
            (cells[n - 2].to_owned(), cells[n - 1].to_owned())
        })
        .collect();
    assert_eq!(rows.len(), 3, "{csv}");
    for (state, reviewed) in &rows {
        assert_eq!(state == "Reviewed", reviewed == "Yes", "{csv}");
    }
    assert_eq!(rows.iter().filter(|(_, r)| r == "Yes").count(), 1, "{csv}");

    // The supervisor is told which review to do again.
    let url = app.database.url();
    let mut conn = appraisal::db::DbUrl::parse(&url)
        .unwrap()
        .establish()
        .unwrap();
    let told = crate::races::number(
        &mut conn,
        &format!(
            "SELECT COUNT(*) AS n FROM notices WHERE kind = 'review_again' AND recipient_id = {}",
            sup.id
        ),
    );
    assert_eq!(told, 1);
}

async fn a_people_file_never_moves_an_identity_silently(app: TestApp) {
    let hr = app.hr_token().await;
    app.department(&hr, "Flagship Store", "front_line").await;
    let file = |rows: &str| format!("employee_number,email,display_name,role,department\n{rows}");
    app.post_csv(
        "/api/v1/users/bulk",
        &hr,
        file("E0101,li.na@example.test,李娜,staff,Flagship Store\nE0102,wang.fang@example.test,王芳,staff,Flagship Store\n,zhou.min@example.test,周敏,staff,Flagship Store\nE0104,chen.jie@example.test,陈杰,staff,Flagship Store\n"),
    )
    .await
    .ok(200);

    // Li Na's number with Wang Fang's email; a new number with Chen Jie's email; the
    // template's example row: each refused, naming what it would have done.
    let refused = app
        .post_csv(
            "/api/v1/users/bulk",
            &hr,
            file("E0101,wang.fang@example.test,李娜,staff,Flagship Store\nE0199,chen.jie@example.test,陈杰,staff,Flagship Store\nEXAMPLE-0001,example.0001@example.invalid,示例 李娜,staff,Flagship Store\n"),
        )
        .await;
    let codes: Vec<(u64, String, String)> = refused.body["row_errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{refused:?}"))
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            (2, "email".to_owned(), "email_of_another".to_owned()),
            (
                3,
                "employee_number".to_owned(),
                "number_would_change".to_owned()
            ),
            (4, "email".to_owned(), "template_example_row".to_owned()),
        ]
    );
    let message = refused.body["row_errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("王芳") && message.contains("E0102"),
        "{message}"
    );

    // Someone without a number gets a first one by email.
    let given = app
        .post_csv(
            "/api/v1/users/bulk",
            &hr,
            file("E0103,zhou.min@example.test,周敏,staff,Flagship Store\n"),
        )
        .await;
    assert_eq!(given.ok(200)["updated"], 1);
    let people = app.get("/api/v1/users?q=E0103", &hr).await;
    assert_eq!(people.ok(200)["items"][0]["email"], "zhou.min@example.test");
}

async fn spawn_without_worker(backend: crate::support::Backend) -> Option<TestApp> {
    crate::support::spawn_with(backend, |s| s.notices.worker = false).await
}

/// One appraisal with two of four components missing: the weights really used, and each
/// component's points, are the same in the export, the results mail and the page, and the
/// points add up to the total.
async fn the_weights_used_are_shown_everywhere(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    let ann = app.user(&hr, "staff", store, None).await;
    let cycle = app
        .post(
            "/api/v1/cycles",
            &hr,
            json!({"name": "2026 Q1", "period_start": "2026-01-01", "period_end": "2026-03-31"}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let path = |p: &str| format!("/api/v1/cycles/{cycle}/{p}");
    app.put(
        &path("scheme"),
        &hr,
        json!({"weights": {"sales": 40, "satisfaction": 25, "etiquette": 20, "collaboration": 15},
               "min_evidence": {"satisfaction": 1, "etiquette": 1, "collaboration": 1},
               "grade_bands": [{"grade": "A", "min_total": 90}, {"grade": "B", "min_total": 0}]}),
    )
    .await
    .ok(200);
    app.post(&path("state"), &hr, json!({"state": "open"}))
        .await
        .ok(200);
    app.post(
        "/api/v1/sales-targets",
        &hr,
        json!([{"employee_id": ann.id, "cycle_id": cycle, "target": 100_000}]),
    )
    .await
    .ok(200);
    app.post(
        "/api/v1/sales-records",
        &hr,
        json!([{"employee_id": ann.id, "occurred_on": "2026-01-05", "amount": 70_330, "external_ref": "W-1"}]),
    )
    .await
    .ok(200);
    app.post(
        "/api/v1/satisfaction-responses",
        &hr,
        json!([{"employee_id": ann.id, "occurred_on": "2026-01-06", "rating": 4, "channel": "phone", "external_ref": "W-2"},
               {"employee_id": ann.id, "occurred_on": "2026-01-07", "rating": 3, "channel": "phone", "external_ref": "W-3"}]),
    )
    .await
    .ok(200);
    for state in ["review"] {
        app.post(&path("state"), &hr, json!({ "state": state }))
            .await
            .ok(200);
    }
    app.post(&path("compute"), &hr, json!({})).await.ok(200);
    // Ann: sales 70.33 (weight 40) and satisfaction 62.50 (weight 25) present; etiquette and
    // collaboration missing. Used: 61.54 % and 38.46 %; points 43.28 + 24.04 = 67.32.
    let appraisal = app.appraisal_of(&hr, cycle, ann.id).await;
    assert_eq!(appraisal["total"], 67.32, "{appraisal}");

    let csv = app
        .http
        .client
        .get(format!("{}{}", app.http.base, path("export?format=csv")))
        .bearer_auth(&hr)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    let cell = |name: &str| {
        row[header
            .iter()
            .position(|h| h.ends_with(name) && h.starts_with(name.split(':').next().unwrap()))
            .unwrap_or_else(|| panic!("{name} in {header:?}"))]
    };
    assert_eq!(cell("Sales: weight used (%)"), "61.54");
    assert_eq!(cell("Sales: points in the total"), "43.28");
    assert_eq!(cell("Customer satisfaction: weight used (%)"), "38.46");
    assert_eq!(cell("Customer satisfaction: points in the total"), "24.04");
    assert_eq!(cell("Etiquette: weight used (%)"), "");
    assert_eq!(cell("Sales: weight set (%)"), "40");

    // The results mail says the same.
    app.post(&path("state"), &hr, json!({"state": "published"}))
        .await
        .ok(200);
    let (mailbox, _notifier, _worker) = crate::hr_work::start_worker(&app);
    // (The first is the request to rate colleagues, sent when the cycle opened.)
    let mails = crate::hr_work::mails_to(&mailbox, &ann.email, 2).await;
    let mail = mails
        .iter()
        .find(|m| m.contains("has been published"))
        .unwrap_or_else(|| panic!("{mails:?}"));
    assert!(
        mail.contains("Sales (weight used 61.54%): 70.33, adding 43.28 to the total"),
        "{mail}"
    );
    assert!(
        mail.contains(
            "Customer satisfaction (weight used 38.46%): 62.50, adding 24.04 to the total"
        ),
        "{mail}"
    );

    // And the page.
    let id = appraisal["id"].as_i64().unwrap();
    let (_, page) = crate::uploads::signed_in(
        &app,
        &ann.email,
        &ann.password,
        &format!("/appraisals/{id}"),
    )
    .await;
    for figure in ["61.54", "38.46", "43.28", "24.04", "67.32"] {
        assert!(page.contains(figure), "{figure} on the page");
    }
}

/// Negative amounts are returns and refunds: kept, and counted in the answer.
async fn returns_are_counted_in_the_answer(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    let ann = app.user(&hr, "staff", store, None).await;
    app.open_cycle(&hr, "2026 Q1", "2026-01-01", "2026-03-31")
        .await;
    let csv = format!(
        "employee_id,occurred_on,amount_yuan,external_ref\n{id},2026-01-05,3500,S-1\n{id},2026-01-06,-1200,S-2\n{id},2026-01-07,-0.50,S-3\n",
        id = ann.id
    );
    let answer = app.post_csv("/api/v1/sales-records", &hr, csv).await;
    let body = answer.ok(200);
    assert_eq!(
        (
            body["inserted"].clone(),
            body["returns"].clone(),
            body["returns_amount"].clone()
        ),
        (json!(3), json!(2), json!(-120_050))
    );
}

/// Files as a Chinese HR office writes them: Chinese headers, 工号 as numbers, a 姓名 column
/// kept for checking, a notes column, a totals row, amounts and dates as Excel writes them;
/// five planted mistakes all named in one answer, then the corrected file imported.
async fn an_office_file_is_read_with_every_mistake_in_one_answer(app: TestApp) {
    let hr = app.hr_token().await;
    app.department(&hr, "旗舰店", "front_line").await;
    let people = "工号,邮箱,姓名,岗位,部门,直属上级工号,语言,在职,备注\n\
                  1001,zhang.wei@example.test,张伟,主管,旗舰店,,中文,在职,店长\n\
                  1002,li.na@example.test,李娜,员工,旗舰店,1001,中文,是,\n\
                  1003,wang.fang@example.test,王芳,员工,旗舰店,1001,英文,离职,产假\n";
    let made = app
        .post_csv("/api/v1/users/bulk", &hr, people.to_owned())
        .await;
    assert_eq!(made.ok(200)["created"], 3, "{made:?}");
    assert_eq!(made.body["ignored_columns"], json!(["备注"]));
    let all = app.get("/api/v1/users?q=example.test", &hr).await;
    let wang = all.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["employee_number"] == "1003")
        .unwrap()
        .clone();
    assert_eq!(
        (wang["locale"].clone(), wang["active"].clone()),
        (json!("en"), json!(false))
    );

    app.open_cycle(&hr, "2026 Q1", "2026-01-01", "2026-03-31")
        .await;
    let file = |rows: &str| format!("工号,姓名,日期,金额（元）,编号,备注\n{rows}");
    let planted = file(
        "1002,李娜,2026年1月5日,\"12,345.60\",S-1,\n\
         1002,李娜,2026-1-6,12.345,S-2,\n\
         9999,某人,2026/1/7,100,S-3,\n\
         1002,李娜,2026/2/30,100,S-4,\n\
         1002,王芳,2026/1/8,\"￥1,200.00\",S-5,\n\
         1002,李娜,2025/12/31,100,S-6,\n\
         合计,,,\"12,657.60\",,\n",
    );
    let refused = app.post_csv("/api/v1/sales-records", &hr, planted).await;
    let codes = refused.row_codes();
    assert_eq!(
        codes,
        [
            (3, "not_yuan".to_owned()),
            (4, "no_such_employee".to_owned()),
            (5, "no_such_date".to_owned()),
            (6, "name_mismatch".to_owned()),
            (7, "no_cycle_for_date".to_owned()),
        ],
        "{refused:?}"
    );
    let fixed = file(
        "1002,李娜,2026年1月5日,\"12,345.60\",S-1,\n\
         1002,李娜,2026-1-6,12.34,S-2,\n\
         1003,王芳,2026/1/7,100,S-3,离职前\n\
         1002,李娜,2026/2/28,100,S-4,\n\
         1002,李娜,2026/1/8,\"￥1,200.00\",S-5,\n\
         合计,,,\"13,757.94\",,\n",
    );
    let done = app.post_csv("/api/v1/sales-records", &hr, fixed).await;
    let body = done.ok(200);
    assert_eq!(body["inserted"], 5, "{body}");
    assert_eq!(body["ignored_columns"], json!(["备注"]));
    assert_eq!(body["skipped_rows"], json!([7]));
}

/// A person made without a language reads the company's (`company.default_locale`); the
/// language switch, used while signed in, is kept on the account.
async fn people_read_the_companys_language_until_they_choose(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "旗舰店", "front_line").await;
    let made = app
        .post(
            "/api/v1/users",
            &hr,
            json!({"email": "li.na@example.test", "display_name": "李娜", "role": "staff",
                   "department_id": store, "password": "long-enough-password"}),
        )
        .await;
    assert_eq!(made.ok(201)["locale"], "zh-CN");
    let file = "工号,邮箱,姓名,岗位,部门,语言\n1002,wang.fang@example.test,王芳,员工,旗舰店,\n";
    app.post_csv("/api/v1/users/bulk", &hr, file.to_owned())
        .await
        .ok(200);
    let found = app.get("/api/v1/users?q=1002", &hr).await;
    assert_eq!(found.ok(200)["items"][0]["locale"], "zh-CN");

    // Li Na switches to English on the pages: her account keeps it.
    let (cookie, _) =
        crate::uploads::signed_in(&app, "li.na@example.test", "long-enough-password", "/me").await;
    let switched = crate::support::client()
        .get(format!("{}/lang/en?back=/me", app.http.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert!(switched.status().is_success() || switched.status().is_redirection());
    let li = app
        .login("li.na@example.test", "long-enough-password")
        .await;
    assert_eq!(app.get("/api/v1/me", &li).await.ok(200)["locale"], "en");
}

/// With `server.public_url` left empty (the default), a mailed link starts at the address the
/// service listens on, so that it opens wherever the service runs.
async fn mail_links_follow_the_address_listened_on(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "旗舰店", "front_line").await;
    app.post(
        "/api/v1/users",
        &hr,
        json!({"email": "li.na@example.test", "display_name": "李娜", "role": "staff",
               "department_id": store}),
    )
    .await
    .ok(201);
    let mailbox = app.mailbox.as_ref().expect("memory transport");
    let mails = crate::hr_work::mails_to(mailbox, "li.na@example.test", 1).await;
    let link = format!("{}/reset?token=", app.http.base);
    assert!(mails[0].contains(&link), "{link} in {}", mails[0]);
}
