//! Complaints from a helpdesk (`POST /api/v1/complaints` with a JSON array, CSV or XLSX, HR
//! only): Chinese headers and a GBK file as Excel in China saves it, times without a zone in
//! the company's, steps the helpdesk recorded already; every mistake of a file in one answer
//! and nothing applied; the same file again changes nothing; a later export adds what
//! happened since and overwrites nothing; a complaint whose limit passed escalates.

use appraisal::db::Db;
use appraisal::notify::Notifier;
use serde_json::{json, Value};

use crate::complaints::{shanghai, without_worker};
use crate::on_both_backends_with;
use crate::support::{Answer, TestApp};

on_both_backends_with!(without_worker;
    a_helpdesk_export_is_imported_and_read_again,
    two_imports_of_one_file_at_once_log_each_complaint_once
);

/// A body of `media` posted to `/api/v1/complaints`.
async fn post_bytes(app: &TestApp, token: &str, media: &str, body: Vec<u8>) -> Answer {
    crate::hr_work::post_bytes(app, "/api/v1/complaints", token, media, body).await
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The complaints HR sees, by their helpdesk reference.
async fn by_reference(app: &TestApp, hr: &str) -> std::collections::HashMap<String, Value> {
    let all = app.get("/api/v1/complaints?limit=200", hr).await;
    all.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| Some((c["external_ref"].as_str()?.to_owned(), c.clone())))
        .collect()
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, lossy) = encoding_rs::GBK.encode(text);
    assert!(!lossy);
    bytes.into_owned()
}

async fn a_helpdesk_export_is_imported_and_read_again(app: TestApp) {
    // Friday 10:00 in Shanghai; the default hours (weekdays 09:00–18:00, lunch 12:00–13:30);
    // high priority: an hour to answer, eight to resolve.
    app.clock().set(shanghai("2026-03-20 10:00"));
    let hr = app.hr_token().await;
    let store = app.department(&hr, "旗舰店", "front_line").await;
    let warehouse = app.department(&hr, "仓储物流部", "back_office").await;
    let will = app.user(&hr, "supervisor", warehouse, None).await;
    let wes = app.user(&hr, "staff", warehouse, Some(will.id)).await;
    let dana = app.user(&hr, "staff", store, None).await;
    let db = Db::connect(&app.settings.database).expect("database reachable");
    let notifier = Notifier::new(db, &app.settings).expect("notifier settings valid");

    // The helpdesk's export as Excel in China saves a CSV: GBK, Chinese headers, local
    // times, a column the import does not read, and a totals row.
    let export = format!(
        "编号,受理时间,渠道,优先级,投诉内容,部门,邮箱,姓名,首次响应时间,解决时间,回访评分,备注\r\n\
         HD-1,2026/3/16 9:00,电话,高,冰箱送货延误,仓储物流部,{wes},Test staff,2026/3/16 9:20,2026-03-16 11:00,5,已回访\r\n\
         HD-2,2026-03-19 09:00,电话,紧急,安装师傅没来,仓储物流部,{wes},,,,,\r\n\
         HD-3,2026年3月20日 9:30,柜台,,发票开错,旗舰店,,,,,,\r\n\
         合计,,,,,,,,,,,\r\n",
        wes = wes.email
    );
    let imported = post_bytes(&app, &hr, "text/csv", gbk(&export)).await;
    let outcome = imported.ok(200);
    assert_eq!(outcome["inserted"], 3, "{outcome}");
    assert_eq!(outcome["ignored_columns"], json!(["备注"]));
    assert_eq!(outcome["skipped_rows"], json!([5]));

    let found = by_reference(&app, &hr).await;
    let one = &found["HD-1"];
    assert_eq!(one["state"], "closed");
    assert_eq!(one["received_at"], "2026-03-16T01:00:00Z");
    assert_eq!(one["first_response_at"], "2026-03-16T01:20:00Z");
    assert_eq!(one["resolved_at"], "2026-03-16T03:00:00Z");
    assert_eq!(one["follow_up_rating"], 5);
    assert_eq!(one["employee_id"], wes.id);
    let outcomes: Vec<&Value> = one["limits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["outcome"])
        .collect();
    assert_eq!(outcomes, [&json!("in_time"), &json!("in_time")]);
    assert_eq!(found["HD-2"]["priority"], "urgent");
    assert_eq!(found["HD-2"]["state"], "open");
    assert_eq!(found["HD-3"]["priority"], "normal");
    assert_eq!(found["HD-3"]["department_id"], store);
    assert_eq!(found["HD-3"]["employee_id"], Value::Null);

    // HD-2 passed its limit yesterday while Wes held it: his supervisor hears of it once.
    notifier.deliver_due().await.unwrap();
    let escalations: Vec<String> = notifier
        .mailbox()
        .expect("memory transport")
        .all()
        .into_iter()
        .filter(|m| m.raw.contains("complaint_escalated"))
        .map(|m| m.to.join(","))
        .collect();
    assert_eq!(escalations, vec![will.email.clone()]);

    // The same file again changes nothing.
    let again = post_bytes(&app, &hr, "text/csv", gbk(&export)).await;
    let again = again.ok(200);
    assert_eq!(
        (again["inserted"].clone(), again["unchanged"].clone()),
        (json!(0), json!(3))
    );

    // Next export: HD-2 was answered and resolved since. Only that is added.
    let later = format!(
        "编号,受理时间,渠道,优先级,投诉内容,部门,邮箱,首次响应时间,解决时间\n\
         HD-1,2026/3/16 9:00,电话,高,冰箱送货延误,仓储物流部,{wes},2026/3/16 9:20,2026-03-16 11:00\n\
         HD-2,2026-03-19 09:00,电话,紧急,安装师傅没来,仓储物流部,{wes},2026-03-20 09:50,2026-03-20 09:55\n",
        wes = wes.email
    );
    let updated = app.post_csv("/api/v1/complaints", &hr, later).await;
    let updated = updated.ok(200);
    assert_eq!(
        (
            updated["inserted"].clone(),
            updated["updated"].clone(),
            updated["unchanged"].clone()
        ),
        (json!(0), json!(1), json!(1))
    );
    let two = &by_reference(&app, &hr).await["HD-2"];
    assert_eq!(two["state"], "resolved");
    assert_eq!(two["limits"][0]["outcome"], "missed");
    // The one imported before keeps its follow-up (the later file leaves it out).
    assert_eq!(by_reference(&app, &hr).await["HD-1"]["follow_up_rating"], 5);

    // The customer came back about HD-1 and it was reopened here; the first export, sent
    // again, still reads: its resolution and follow-up are in the history.
    let hd1 = by_reference(&app, &hr).await["HD-1"]["id"]
        .as_i64()
        .unwrap();
    app.post(
        &format!("/api/v1/complaints/{hd1}/events"),
        &hr,
        json!({"kind": "reopen"}),
    )
    .await
    .ok(200);
    let after_reopen = post_bytes(&app, &hr, "text/csv", gbk(&export)).await;
    assert_eq!(
        after_reopen.ok(200)["unchanged"],
        3,
        "{}",
        after_reopen.body
    );
    assert_eq!(by_reference(&app, &hr).await["HD-1"]["state"], "open");

    // A file of mistakes: every one in one answer, named by row and column; nothing applied.
    let mistakes = format!(
        "external_ref,received_at,channel,summary,department,email,first_response_at,resolved_at,follow_up_rating\n\
         HD-9,2026-03-21 10:00,phone,future,仓储物流部,,,,\n\
         HD-10,2026-03-19 10:00,phone,order,仓储物流部,,,2026-03-19 09:00,\n\
         HD-11,2026-03-19 10:00,phone,rating,仓储物流部,,,,4\n\
         HD-12,2026-03-19 10:00,phone,where,不存在的部门,,,,\n\
         HD-13,2026-03-19 10:00,phone,who,仓储物流部,{dana},,,\n\
         HD-1,2026-03-16 09:00,电话,冰箱送货延误,仓储物流部,{wes},2026-03-16 09:30,,\n\
         HD-14,昨天,phone,when,仓储物流部,,,,\n",
        dana = dana.email,
        wes = wes.email
    );
    let refused = app.post_csv("/api/v1/complaints", &hr, mistakes).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let errors: Vec<(i64, String, String)> = refused.body["row_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        (2, "received_at", "instant_in_future"),
        (3, "resolved_at", "earlier_than"),
        (4, "follow_up_rating", "follow_up_needs_resolution"),
        (5, "department", "no_department_called"),
        (6, "email", "not_in_department"),
        (7, "first_response_at", "recorded_otherwise"),
        (8, "received_at", "not_sheet_instant"),
    ];
    let expected: Vec<(i64, String, String)> = expected
        .iter()
        .map(|(r, f, c)| (*r, (*f).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(errors, expected, "{}", refused.body);
    assert_eq!(by_reference(&app, &hr).await.len(), 3);
    // The reason in the reader's language, with what is recorded.
    let said = refused.body["row_errors"][5]["message"]
        .as_str()
        .unwrap_or("");
    assert!(said.contains("2026-03-16 09:20"), "{said}");

    // Only HR imports; anyone still logs one complaint as JSON.
    let desk = app.login(&dana.email, &dana.password).await;
    let csv = app
        .post_csv("/api/v1/complaints", &desk, "external_ref\nX\n".into())
        .await;
    assert_eq!(csv.status, 403);
    let array = app
        .post("/api/v1/complaints", &desk, json!([{"external_ref": "X"}]))
        .await;
    assert_eq!(array.status, 403);
    // Their one complaint is read up to the ordinary 64 KiB (HR's body may be larger: it is
    // then the summary that is too long).
    let big = json!({"channel": "counter", "summary": "长".repeat(30_000)});
    let too_big = app.post("/api/v1/complaints", &desk, big.clone()).await;
    assert_eq!(too_big.status, 413, "{}", too_big.body);
    let from_hr = app.post("/api/v1/complaints", &hr, big).await;
    assert_eq!(from_hr.status, 422, "{}", from_hr.body);
    let one = app
        .post(
            "/api/v1/complaints",
            &desk,
            json!({"channel": "counter", "summary": "排队太久"}),
        )
        .await;
    one.ok(201);

    // HR's JSON array, by ids; and an XLSX whose times are Excel's date-time cells.
    let array = app
        .post(
            "/api/v1/complaints",
            &hr,
            json!([{"external_ref": "HD-20", "received_at": "2026-03-20T09:00:00+08:00",
                    "channel": "online", "summary": "退款慢", "department_id": warehouse,
                    "employee_id": wes.id, "follow_up_rating": null}]),
        )
        .await;
    assert_eq!(array.ok(200)["inserted"], 1, "{}", array.body);
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let when = rust_xlsxwriter::Format::new().set_num_format("yyyy/m/d h:mm");
    for (col, name) in ["编号", "受理时间", "渠道", "投诉内容", "部门"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    sheet.write_string(1, 0, "HD-21").unwrap();
    sheet
        .write_datetime_with_format(
            1,
            1,
            rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 3, 18)
                .unwrap()
                .and_hms(14, 30, 0)
                .unwrap(),
            &when,
        )
        .unwrap();
    sheet.write_string(1, 2, "微信").unwrap();
    sheet.write_string(1, 3, "门店态度差").unwrap();
    sheet.write_string(1, 4, "旗舰店").unwrap();
    let xlsx = post_bytes(&app, &hr, XLSX, book.save_to_buffer().unwrap()).await;
    assert_eq!(xlsx.ok(200)["inserted"], 1, "{}", xlsx.body);
    assert_eq!(
        by_reference(&app, &hr).await["HD-21"]["received_at"],
        "2026-03-18T06:30:00Z"
    );

    // A department with a Chinese and an English name is found by either.
    let hotline = app.department(&hr, "客服热线 Hotline", "front_line").await;
    let named = app
        .post(
            "/api/v1/complaints",
            &hr,
            json!([{"external_ref": "HD-22", "received_at": "2026-03-20 09:00",
                    "channel": "电话", "summary": "无人接听", "department": "客服热线"}]),
        )
        .await;
    assert_eq!(named.ok(200)["inserted"], 1, "{}", named.body);
    assert_eq!(
        by_reference(&app, &hr).await["HD-22"]["department_id"],
        hotline
    );
}

async fn two_imports_of_one_file_at_once_log_each_complaint_once(app: TestApp) {
    app.clock().set(shanghai("2026-03-20 10:00"));
    let hr = app.hr_token().await;
    app.department(&hr, "仓储物流部", "back_office").await;
    let mut csv = String::from("external_ref,received_at,channel,summary,department\n");
    for i in 0..60 {
        csv.push_str(&format!(
            "RACE-{i},2026-03-19 10:00,phone,送货慢,仓储物流部\n"
        ));
    }
    let (a, b) = tokio::join!(
        app.post_csv("/api/v1/complaints", &hr, csv.clone()),
        app.post_csv("/api/v1/complaints", &hr, csv.clone())
    );
    let mut inserted = 0;
    for answer in [&a, &b] {
        match answer.status.as_u16() {
            200 => {
                let counts = &answer.body;
                inserted += counts["inserted"].as_i64().unwrap();
                assert_eq!(
                    counts["inserted"].as_i64().unwrap() + counts["unchanged"].as_i64().unwrap(),
                    60
                );
            }
            409 => {}
            other => panic!("{other}: {}", answer.body),
        }
    }
    assert_eq!(inserted, 60, "{} / {}", a.body, b.body);
    let all = app.get("/api/v1/complaints?limit=1", &hr).await;
    assert_eq!(all.ok(200)["total"], 60);
}
