//! HR's daily work in zh-CN, in headless Chromium (issue 17): a company of 60 loaded from an
//! XLSX and corrected from a GBK CSV (managers further down the file), one person's manager
//! fixed on their page, targets and sales uploaded by employee number in yuan, the to-do
//! list following the work, publication through its confirmation, the XLSX export read
//! back and compared with the API, and a new person setting a password by the mailed link.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use appraisal::db::Db;
use appraisal::notify::Notifier;
use serde_json::json;

use crate::driver::Browser;
use crate::on_both_backends;
use crate::support::TestApp;

on_both_backends!(hr_daily_work_in_chinese);

const STORE: &str = "旗舰店";
const CENTRE: &str = "客服中心";

/// The to-do line of one cycle on `/hr`.
async fn todo_line(b: &Browser, app: &TestApp, cycle: i64) -> String {
    b.goto(&format!("{}/hr", app.base)).await;
    b.text(&format!("#todo li[data-cycle='{cycle}']")).await
}

async fn upload_people(b: &Browser, app: &TestApp, path: &str) -> String {
    b.goto(&format!("{}/hr/people", app.base)).await;
    b.fill("#people-file", path).await;
    b.submit("#people-upload-button").await;
    b.text("p.alert").await
}

async fn hr_daily_work_in_chinese(app: TestApp) {
    let Some(b) = Browser::start().await else {
        return;
    };
    let hr = app.hr_token().await;
    app.department(&hr, STORE, "front_line").await;
    app.department(&hr, CENTRE, "front_line").await;
    let cycle = app
        .open_cycle(&hr, "2026 四季度", "2026-10-01", "2026-12-31")
        .await;
    let files = tempfile::tempdir().unwrap();
    let mut settings = app.settings.clone();
    settings.notices.poll_interval_ms = 50;
    let notifier = Notifier::new(Db::connect(&settings.database).unwrap(), &settings).unwrap();
    let mailbox = notifier.mailbox().expect("memory transport");
    let _worker = notifier.spawn();

    b.goto(&format!("{}/sign-in", app.base)).await;
    b.submit("#lang-zh").await;
    b.fill("#email", &app.hr_email).await;
    b.fill("#password", &app.hr_password).await;
    b.submit("#sign-in-button").await;
    b.find("html[lang='zh-CN'] #sign-out").await;

    // 60 people from an XLSX: 58 staff first, their two supervisors in the last rows.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "employee_number",
        "email",
        "display_name",
        "role",
        "department",
        "manager",
        "locale",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let mut rows: Vec<[String; 7]> = (1..=58)
        .map(|i| {
            let (dept, lead) = if i % 2 == 0 {
                (STORE, "E0001")
            } else {
                (CENTRE, "E0002")
            };
            [
                format!("E{:04}", 100 + i),
                format!("staff{i}@walk.test"),
                format!("员工{i:02}"),
                "员工".into(),
                dept.into(),
                lead.into(),
                "zh-CN".into(),
            ]
        })
        .collect();
    rows.push([
        "E0001".into(),
        "zhang.wei@walk.test".into(),
        "张伟".into(),
        "主管".into(),
        STORE.into(),
        String::new(),
        "zh-CN".into(),
    ]);
    rows.push([
        "E0002".into(),
        "liu.yang@walk.test".into(),
        "刘洋".into(),
        "主管".into(),
        CENTRE.into(),
        String::new(),
        "zh-CN".into(),
    ]);
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, cell).unwrap();
        }
    }
    let xlsx = files.path().join("people.xlsx");
    book.save(&xlsx).unwrap();
    let said = upload_people(&b, &app, &xlsx.display().to_string()).await;
    assert!(said.contains("新增: 60"), "{said}");
    let all = app.get("/api/v1/users?limit=200", &hr).await;
    assert_eq!(all.ok(200)["total"], 61, "60 people and HR");

    // Corrections from a GBK CSV: a rename, and three new people whose supervisor is a new
    // one in the last row.
    let csv = "employee_number,email,display_name,role,department,manager,locale\r\n\
               E0101,staff1@walk.test,李娜,员工,客服中心,E0002,zh-CN\r\n\
               E0201,new1@walk.test,新员工一,员工,旗舰店,E0003,zh-CN\r\n\
               E0202,new2@walk.test,新员工二,员工,旗舰店,E0003,zh-CN\r\n\
               E0203,new3@walk.test,新员工三,员工,旗舰店,E0003,zh-CN\r\n\
               E0003,wang.qiang@walk.test,王强,主管,旗舰店,,zh-CN\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(csv);
    let gbk_path = files.path().join("people-gbk.csv");
    std::fs::write(&gbk_path, &gbk).unwrap();
    let said = upload_people(&b, &app, &gbk_path.display().to_string()).await;
    assert!(
        said.contains("新增: 4") && said.contains("更新: 1"),
        "{said}"
    );
    let people = app.get("/api/v1/users?limit=200", &hr).await;
    let by_number: HashMap<String, serde_json::Value> = people.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| Some((u["employee_number"].as_str()?.to_owned(), u.clone())))
        .collect();
    assert_eq!(by_number["E0101"]["display_name"], "李娜");
    assert_eq!(by_number["E0202"]["manager_id"], by_number["E0003"]["id"]);

    // One person's manager fixed on their page: found by number, then edited.
    b.goto(&format!("{}/hr/people?q=E0102", app.base)).await;
    b.submit("#people a[href^='/hr/people/']").await;
    let wrong = by_number["E0102"]["id"].as_i64().unwrap();
    assert!(b
        .url()
        .await
        .ends_with(&format!("/hr/people/{wang}", wang = wrong)));
    let right = by_number["E0003"]["id"].as_i64().unwrap();
    b.click(&format!("#person-manager option[value='{right}']"))
        .await;
    b.submit("#save-person").await;
    assert!(
        b.text("p.alert.ok").await.contains("已保存"),
        "{}",
        b.text("p.alert").await
    );
    let fixed = app.get(&format!("/api/v1/users/{wrong}"), &hr).await;
    assert_eq!(fixed.ok(200)["manager_id"], right);

    // Targets and sales by employee number, in yuan, on the cycle's page.
    let upload = |kind: &'static str, name: &'static str, text: String| {
        let path = files.path().join(name);
        std::fs::write(&path, text).unwrap();
        let b = &b;
        async move {
            b.click(&format!("#upload-kind option[value={kind}]")).await;
            b.fill("#upload-file", &path.display().to_string()).await;
            b.submit("#upload-button").await;
            b.text("p.alert").await
        }
    };
    b.goto(&format!("{}/hr/cycles/{cycle}", app.base)).await;
    let numbers: Vec<String> = by_number.keys().cloned().collect();
    let targets: String = std::iter::once("employee_number,target_yuan\n".to_owned())
        .chain(numbers.iter().map(|n| format!("{n},10000.00\n")))
        .collect();
    let said = upload("sales-targets", "targets.csv", targets).await;
    assert!(said.contains("已导入"), "{said}");
    let sales: String =
        std::iter::once("employee_number,occurred_on,amount_yuan,external_ref\n".to_owned())
            .chain(
                numbers.iter().enumerate().map(|(i, n)| {
                    format!("{n},2026/11/{},{}.50,S-{i}\n", 1 + i % 28, 5000 + i * 37)
                }),
            )
            .collect();
    let said = upload("sales-records", "sales.csv", sales).await;
    assert!(said.contains("已导入"), "{said}");
    let evidence = app
        .get(
            &format!("/api/v1/cycles/{cycle}/evidence?employee_id={wrong}"),
            &hr,
        )
        .await;
    assert_eq!(evidence.ok(200)["employees"][0]["sales_target"], 1_000_000);

    // The to-do list follows the work: an inspection recorded, one fewer lacking.
    let line = todo_line(&b, &app, cycle).await;
    let lacking = |line: &str| -> i64 {
        let at = line
            .find("人的礼仪检查次数不足")
            .unwrap_or_else(|| panic!("{line}"));
        line[..at]
            .split_whitespace()
            .last()
            .unwrap()
            .parse()
            .unwrap()
    };
    let before = lacking(&line);
    assert_eq!(before, 64, "everyone appraised lacks an inspection: {line}");
    let checklist = app
        .post(
            "/api/v1/checklists",
            &hr,
            json!({"name": "门店礼仪", "items": [{"title": "仪容仪表", "max_points": 10}]}),
        )
        .await
        .ok(201)
        .clone();
    app.post(
        "/api/v1/inspections",
        &hr,
        json!({"employee_id": wrong, "checklist_id": checklist["id"], "occurred_on": "2026-11-20",
               "scores": [{"item_id": checklist["items"][0]["id"], "points": 9}]}),
    )
    .await
    .ok(201);
    assert_eq!(lacking(&todo_line(&b, &app, cycle).await), before - 1);

    // Review, compute, and publish through the confirmation (reviewed 0 of 64, stale 0).
    b.goto(&format!("{}/hr/cycles/{cycle}", app.base)).await;
    b.submit("#next-state").await;
    assert!(b
        .text("#confirm-what")
        .await
        .starts_with("所有人都将停止录入"));
    b.submit("#confirm-state").await;
    assert_eq!(b.text("#cycle-state").await, "审核中");
    b.submit("button.compute").await;
    assert!(todo_line(&b, &app, cycle)
        .await
        .contains("64 份草稿主管尚未审阅"));
    b.goto(&format!("{}/hr/cycles/{cycle}", app.base)).await;
    b.submit("#next-state").await;
    let what = b.text("#confirm-what").await;
    assert!(what.contains("0 / 64") && what.ends_with(": 0"), "{what}");
    b.submit("#confirm-state").await;
    assert_eq!(b.text("#cycle-state").await, "已发布");

    // The export from the report page, read back: the rows and totals are the API's.
    b.goto(&format!("{}/hr/cycles/{cycle}/report", app.base))
        .await;
    let href = b.attribute("#export a[href*='format=xlsx']", "href").await;
    // Fetched as the browser would: with its session and its language.
    let session = b.cookie("sa_session").await;
    let lang = b.cookie("sa_lang").await;
    let url = if href.starts_with("http") {
        href
    } else {
        format!("{}{href}", app.base)
    };
    let xlsx = reqwest::Client::new()
        .get(url)
        .header("cookie", format!("sa_session={session}; sa_lang={lang}"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["考评结果", "部门报表", "投诉报表"]);
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let total_at = header
        .iter()
        .position(|h| h == "总分")
        .expect("a total column");
    let from_sheet: HashMap<String, String> = sheet
        .rows()
        .skip(1)
        .map(|r| (r[0].to_string(), r[total_at].to_string()))
        .collect();
    let listed = app
        .get(&format!("/api/v1/cycles/{cycle}/appraisals"), &hr)
        .await;
    let names: HashMap<i64, String> = by_number
        .iter()
        .map(|(n, u)| (u["id"].as_i64().unwrap(), n.clone()))
        .collect();
    let from_api: HashMap<String, String> = listed.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let number = names[&a["employee_id"].as_i64().unwrap()].clone();
            let total = a["total"].as_f64().map_or(String::new(), |t| t.to_string());
            (number, total)
        })
        .collect();
    assert_eq!(from_sheet.len(), 64);
    assert_eq!(from_sheet, from_api, "the exported totals are the API's");

    // A new person sets a password through the mailed link and signs in.
    let started = Instant::now();
    let text = loop {
        // The application's own worker may have sent it (it polls too): both mailboxes.
        let found = mailbox
            .all()
            .into_iter()
            .chain(app.mailbox.iter().flat_map(|m| m.all()))
            .filter(|m| m.to.iter().any(|t| t == "new2@walk.test"))
            .map(|m| {
                mailparse::parse_mail(m.raw.as_bytes()).unwrap().subparts[0]
                    .get_body()
                    .unwrap()
            })
            .find(|text| text.contains("/reset?token="));
        if let Some(text) = found {
            break text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the set-password mail arrives"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let at = text.find("/reset?token=").unwrap();
    let link: String = text[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    b.submit("#sign-out").await;
    b.goto(&format!("{}{link}", app.base)).await;
    b.fill("#new-password", "my-first-password-1").await;
    b.fill("#repeat-password", "my-first-password-1").await;
    b.submit("#set-password").await;
    b.fill("#email", "new2@walk.test").await;
    b.fill("#password", "my-first-password-1").await;
    b.submit("#sign-in-button").await;
    assert!(b.url().await.ends_with("/me"), "{}", b.url().await);
    b.find("html[lang='zh-CN'] #sign-out").await;
    b.quit().await;
}
