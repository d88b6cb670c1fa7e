//! A Chinese office's files through the pages, in headless Chromium, in zh-CN (issue 26): a
//! people file made by LibreOffice (Chinese headers, 工号 as numbers, a department that does
//! not exist yet, someone without email, an extra column, a totals row), the page asking
//! before it makes the department; a sales sheet with five planted mistakes, all named in
//! one answer, then corrected ("12,345.60", 2026年11月5日); and the person without email
//! signing in with their 工号 and the set-up code HR printed for them.

use std::path::PathBuf;

use serde_json::Value;

use crate::driver::Browser;
use crate::on_both_backends;
use crate::support::TestApp;

on_both_backends!(an_office_file_goes_in_through_the_pages);

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/web/fixtures")
        .join(name)
        .display()
        .to_string()
}

async fn an_office_file_goes_in_through_the_pages(app: TestApp) {
    let Some(b) = Browser::start().await else {
        return;
    };
    let hr = app.hr_token().await;
    let cycle = app
        .open_cycle(&hr, "2026 四季度", "2026-10-01", "2026-12-31")
        .await;
    b.goto(&format!("{}/sign-in", app.base)).await;
    b.submit("#lang-zh").await;
    b.fill("#email", &app.hr_email).await;
    b.fill("#password", &app.hr_password).await;
    b.submit("#sign-in-button").await;
    b.find("html[lang='zh-CN'] #sign-out").await;

    // The LibreOffice file: refused for the department that does not exist, which the page
    // names and offers to make; nothing else in the file is a problem.
    let people = fixture("people-libreoffice.xlsx");
    b.goto(&format!("{}/hr/people", app.base)).await;
    b.fill("#people-file", &people).await;
    b.submit("#people-upload-button").await;
    let asked = b.text("#create-departments").await;
    assert!(asked.contains("东区门店"), "{asked}");
    let problems = b.text("table.rows").await;
    assert_eq!(problems.matches("东区门店").count(), 3, "{problems}");
    b.fill("#create-departments-file", &people).await;
    b.submit("#create-departments-button").await;
    let done = b.text("p.alert").await;
    assert!(
        done.contains("新建的部门: 东区门店") && done.contains("备注") && done.contains("5"),
        "the department made, the extra column and the totals row named: {done}"
    );
    let found = app.get("/api/v1/users?q=100", &hr).await;
    let items = found.ok(200)["items"].as_array().unwrap().clone();
    let numbers: Vec<&str> = items
        .iter()
        .map(|u| u["employee_number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["1001", "1002", "1003"], "工号 read as written");
    let zhou = items.iter().find(|u| u["display_name"] == "周芳").unwrap();
    assert_eq!(zhou["email"], Value::Null);

    // A sales sheet with five mistakes: every one named at once, nothing stored.
    let files = tempfile::tempdir().unwrap();
    let upload = |name: &str, text: &str| {
        let path = files.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let wrong = upload(
        "销售-有误.csv",
        "工号,姓名,日期,金额（元）,编号\n\
         1002,李娜,2026年11月5日,\"12,345.60\",POS-1\n\
         9999,某人,2026-11-06,100,POS-2\n\
         1002,王芳,2026-11-07,100,POS-3\n\
         1003,周芳,2025-01-01,100,POS-4\n\
         1003,周芳,2026-11-31,100,POS-5\n\
         1001,张伟,2026-11-08,\"12,34x\",POS-6\n",
    );
    b.goto(&format!("{}/hr/cycles/{cycle}", app.base)).await;
    b.click("#upload-kind option[value=sales-records]").await;
    b.fill("#upload-file", &wrong).await;
    b.submit("#upload-button").await;
    let rows = b.text("table.rows tbody").await;
    for row in ["\n3 ", "\n4 ", "\n5 ", "\n6 ", "\n7 "] {
        assert!(
            format!("\n{rows}").contains(row),
            "row {} named: {rows}",
            row.trim()
        );
    }
    assert!(
        !format!("\n{rows}").contains("\n2 "),
        "row 2 is right: {rows}"
    );
    let stored = app
        .get(&format!("/api/v1/cycles/{cycle}/evidence"), &hr)
        .await;
    assert!(
        !stored.body.to_string().contains("1234560"),
        "nothing stored"
    );
    // Corrected: the amounts and dates as the office writes them go in.
    let right = upload(
        "销售.csv",
        "工号,姓名,日期,金额（元）,编号\n\
         1002,李娜,2026年11月5日,\"12,345.60\",POS-1\n\
         1003,周芳,2026-11-6,\"￥1,200.00\",POS-4\n",
    );
    b.fill("#upload-file", &right).await;
    b.click("#upload-kind option[value=sales-records]").await;
    b.submit("#upload-button").await;
    let imported = b.text("p.alert").await;
    assert!(imported.contains("2"), "{imported}");
    let li = items.iter().find(|u| u["display_name"] == "李娜").unwrap()["id"].clone();
    let evidence = app
        .get(&format!("/api/v1/cycles/{cycle}/evidence"), &hr)
        .await;
    let row = evidence.ok(200)["employees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["employee_id"] == li)
        .cloned()
        .unwrap_or_default();
    assert_eq!(row["sales_total"], 1_234_560, "{:?}", evidence.body);

    // 周芳 has no email: HR prints her a set-up code from her page; she signs in with 1003.
    let zhou_id = zhou["id"].as_i64().unwrap();
    b.goto(&format!("{}/hr/people/{zhou_id}", app.base)).await;
    b.submit(&format!(
        "form[action='/hr/people/{zhou_id}/setup-code'] button"
    ))
    .await;
    let code = b.text(".slip .code").await;
    assert_eq!(code.len(), 14, "{code}");
    b.submit("#sign-out").await;
    b.find("#sign-in").await;
    b.click("#code-link").await;
    b.fill("#setup-code", &code.to_lowercase()).await;
    b.fill("#new-password", "zhou-fang-2026").await;
    b.fill("#repeat-password", "zhou-fang-2026").await;
    b.submit("#set-password").await;
    b.find("#sign-in").await;
    b.fill("#email", "1003").await;
    b.fill("#password", "zhou-fang-2026").await;
    b.submit("#sign-in-button").await;
    b.find("#sign-out").await;
    assert!(b.url().await.ends_with("/me"), "{}", b.url().await);
    b.quit().await;
}
