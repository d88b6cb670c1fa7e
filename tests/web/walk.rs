//! A whole appraisal cycle through the pages in headless Chromium: HR sets up people, a
//! checklist and a cycle, opens it and uploads CSV evidence; a supervisor records an
//! inspection; a colleague rating is given; HR computes and publishes; the employee reads
//! the rating and appeals; HR decides. (Screenshots of the main pages are the sweep's:
//! `sweep.rs`.)

use chrono::{Duration, Utc};
use serde_json::Value;

use crate::driver::Browser;
use crate::support::TestApp;
use crate::{department_names, on_both_backends};

on_both_backends!(
    a_whole_cycle_through_the_pages,
    a_cross_site_page_cannot_use_our_forms
);

const PASSWORD: &str = "walk-password-2026";

async fn sign_in(b: &Browser, app: &TestApp, email: &str, password: &str) {
    b.goto(&format!("{}/sign-in", app.base)).await;
    b.fill("#email", email).await;
    b.fill("#password", password).await;
    b.submit("#sign-in-button").await;
    b.find("#sign-out").await;
}

async fn sign_out(b: &Browser) {
    b.submit("#sign-out").await;
    b.find("#sign-in").await;
}

/// Picks an option of a select by its value.
async fn choose(b: &Browser, select: &str, value: i64) {
    b.click(&format!("{select} option[value='{value}']")).await;
}

/// The id of the department or person called `name`, as HR's lists show it.
async fn id_named(app: &TestApp, list: &str, field: &str, name: &str) -> i64 {
    let hr = app.hr_token().await;
    let answer = app.get(&format!("/api/v1/{list}?limit=200"), &hr).await;
    answer.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x[field] == name)
        .unwrap_or_else(|| panic!("no {name} in {list}"))["id"]
        .as_i64()
        .unwrap()
}

async fn alert_ok(b: &Browser) -> String {
    b.text("p.alert.ok").await
}

async fn add_person(b: &Browser, app: &TestApp, p: (&str, &str, &str, &str, &str, &str)) {
    let (name, email, role, department, manager, locale) = p;
    b.goto(&format!("{}/hr/people", app.base)).await;
    b.fill("#new-person input[name=display_name]", name).await;
    b.fill("#new-person input[name=email]", email).await;
    b.click(&format!(
        "#new-person select[name=role] option[value={role}]"
    ))
    .await;
    let department = id_named(app, "departments", "name", department).await;
    choose(b, "#new-person select[name=department_id]", department).await;
    if !manager.is_empty() {
        let manager = id_named(app, "users", "display_name", manager).await;
        choose(b, "#new-person select[name=manager_id]", manager).await;
    }
    b.click(&format!(
        "#new-person select[name=locale] option[value='{locale}']"
    ))
    .await;
    b.fill("#new-person input[name=password]", PASSWORD).await;
    b.submit("#new-person button").await;
    assert!(alert_ok(b).await.contains("Created"));
}

fn id_of(users: &Value, email: &str) -> i64 {
    users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap_or_else(|| panic!("{email} was not created"))["id"]
        .as_i64()
        .unwrap()
}

fn csv_file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

async fn upload(b: &Browser, kind: &str, path: &str) {
    b.click(&format!("#upload-kind option[value={kind}]")).await;
    b.fill("#upload-file", path).await;
    b.submit("#upload-button").await;
    b.find("div.alert, p.alert").await;
}

async fn a_whole_cycle_through_the_pages(app: TestApp) {
    let Some(b) = Browser::start().await else {
        return;
    };
    let hr_api = app.hr_token().await;
    let today = Utc::now().date_naive();

    // HR: departments, people, a checklist.
    sign_in(&b, &app, &app.hr_email, &app.hr_password).await;
    assert!(b.url().await.ends_with("/hr"), "HR starts at the cycles");
    for (name, kind) in [
        ("Flagship Store", "front_line"),
        ("Warehouse", "back_office"),
    ] {
        b.goto(&format!("{}/hr/people", app.base)).await;
        b.fill("#new-department input[name=department_name]", name)
            .await;
        b.click(&format!(
            "#new-department select[name=kind] option[value={kind}]"
        ))
        .await;
        b.submit("#new-department button").await;
        assert!(alert_ok(&b).await.contains("Created"));
    }
    add_person(
        &b,
        &app,
        (
            "Lena Lead",
            "lead@walk.test",
            "supervisor",
            "Flagship Store",
            "",
            "en",
        ),
    )
    .await;
    add_person(
        &b,
        &app,
        (
            "Ann Staff",
            "ann@walk.test",
            "staff",
            "Flagship Store",
            "Lena Lead",
            "en",
        ),
    )
    .await;
    add_person(
        &b,
        &app,
        ("Bo Wang", "bo@walk.test", "staff", "Warehouse", "", "zh-CN"),
    )
    .await;
    let users = app.get("/api/v1/users?limit=200", &hr_api).await;
    let (ann, bo) = (
        id_of(&users.body, "ann@walk.test"),
        id_of(&users.body, "bo@walk.test"),
    );

    b.goto(&format!("{}/hr/checklists", app.base)).await;
    b.fill("#new-checklist input[name=name]", "Floor etiquette")
        .await;
    for (i, (title, max, critical)) in [
        ("Grooming", "10", false),
        ("Courteous language", "10", true),
        ("Procedure", "10", false),
    ]
    .iter()
    .enumerate()
    {
        b.fill(&format!("#new-checklist input[name=title_{i}]"), title)
            .await;
        b.fill(&format!("#new-checklist input[name=max_{i}]"), max)
            .await;
        if *critical {
            b.click(&format!("#new-checklist input[name=critical_{i}]"))
                .await;
        }
    }
    b.submit("#new-checklist button").await;
    assert!(alert_ok(&b).await.contains("Created"));
    assert!(b
        .text("section.checklist")
        .await
        .contains("Courteous language"));

    // HR: a cycle, its scheme (the live sum, then the server's refusal), opened.
    b.goto(&format!("{}/hr", app.base)).await;
    b.fill("#cycle-name", "Winter service").await;
    b.fill("#cycle-series", "Monthly").await;
    b.set_value("#period-start", &(today - Duration::days(10)).to_string())
        .await;
    b.set_value("#period-end", &(today + Duration::days(5)).to_string())
        .await;
    b.submit("#create-cycle").await;
    assert!(alert_ok(&b).await.contains("Created"));
    assert!(b.text("#cycle-meta").await.contains("Series: Monthly"));
    let url = b.url().await;
    let cycle: i64 = url
        .rsplit('/')
        .next()
        .and_then(|tail| tail.split('?').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("cycle page url {url}"));
    for (name, value) in [
        ("sales", "40"),
        ("satisfaction", "30"),
        ("etiquette", "20"),
        ("collaboration", "20"),
    ] {
        b.fill(&format!("#w-{name}"), value).await;
    }
    assert_eq!(
        b.text("#weight-sum").await,
        "110",
        "the sum follows the typing"
    );
    assert_eq!(b.attribute("#weight-sum", "class").await, "bad");
    b.submit("#save-scheme").await;
    let refused = b.text("div.alert.problem").await;
    assert!(
        refused.contains("110"),
        "the server names the sum: {refused}"
    );
    b.fill("#w-collaboration", "10").await;
    assert_eq!(b.text("#weight-sum").await, "100");
    assert_eq!(b.attribute("#weight-sum", "class").await, "ok");
    b.submit("#save-scheme").await;
    assert!(alert_ok(&b).await.contains("saved"));
    b.submit("#next-state").await;
    // Opening mails everyone: the page says how many and asks first.
    assert!(
        b.text("#confirm-what").await.starts_with('3'),
        "{}",
        b.text("#confirm-what").await
    );
    b.submit("#confirm-state").await;
    assert_eq!(b.text("#cycle-state").await, "Open");

    // HR: CSV evidence; a file with a bad row imports nothing and says which row.
    let files = tempfile::tempdir().unwrap();
    let day = today - Duration::days(1);
    let bad = csv_file(&files, "bad.csv", &format!(
        "employee_id,occurred_on,amount,external_ref\n{ann},{day},80000,S-1\n{ann},{day},lots,S-2\n"));
    upload(&b, "sales-records", &bad).await;
    let report = b.text("table.rows").await;
    // The second row of data is row 3 of the spreadsheet (the header is row 1).
    assert!(
        report.contains("amount") && report.contains('3'),
        "{report}"
    );
    let evidence = app
        .get(
            &format!("/api/v1/cycles/{cycle}/evidence?employee_id={ann}"),
            &hr_api,
        )
        .await;
    let applied = evidence.ok(200)["employees"][0]["sales_records"]
        .as_i64()
        .unwrap_or(0);
    assert_eq!(applied, 0, "nothing applied: {}", evidence.body);
    let targets = csv_file(
        &files,
        "targets.csv",
        &format!("employee_id,cycle_id,target\n{ann},{cycle},100000\n{bo},{cycle},50000\n"),
    );
    upload(&b, "sales-targets", &targets).await;
    assert!(alert_ok(&b).await.contains("Imported"));
    let sales = csv_file(&files, "sales.csv", &format!(
        "employee_id,occurred_on,amount,external_ref\n{ann},{day},80000,S-1\n{bo},{day},50000,S-2\n"));
    upload(&b, "sales-records", &sales).await;
    assert!(alert_ok(&b).await.contains("Imported"));
    let mut csat = String::from("employee_id,occurred_on,rating,channel,external_ref\n");
    for (i, rating) in [5, 4, 5, 4, 5].iter().enumerate() {
        csat.push_str(&format!("{ann},{day},{rating},phone,C-{i}\n"));
    }
    let csat = csv_file(&files, "csat.csv", &csat);
    upload(&b, "satisfaction-responses", &csat).await;
    assert!(alert_ok(&b).await.contains("Imported"));
    b.goto(&format!("{}/hr", app.base)).await;
    sign_out(&b).await;

    // Supervisor: who needs an inspection; the form built from the checklist.
    sign_in(&b, &app, "lead@walk.test", PASSWORD).await;
    assert!(b.url().await.ends_with(&format!("/cycles/{cycle}/team")));
    b.find(&format!("tr.needs[data-employee='{ann}']")).await;
    assert!(b.text("#needs-inspection").await.contains("1"));
    b.submit(&format!("tr[data-employee='{ann}'] a.button"))
        .await;
    assert!(
        b.text("#inspection-form").await.contains("critical"),
        "critical items are marked"
    );
    for (row, points) in [(1, "8"), (2, "9"), (3, "7")] {
        b.fill(
            &format!("#inspection-form tbody tr:nth-child({row}) input.points"),
            points,
        )
        .await;
    }
    b.fill(
        "#inspection-form textarea[name=comment]",
        "Warm greeting, tidy counter",
    )
    .await;
    b.submit("#save-inspection").await;
    assert!(alert_ok(&b).await.contains("Inspection recorded"));
    assert!(!b.exists(&format!("tr.needs[data-employee='{ann}']")).await);
    sign_out(&b).await;

    // Staff: rates a colleague of another department; may not open the supervisor's page.
    sign_in(&b, &app, "ann@walk.test", PASSWORD).await;
    assert!(b.url().await.ends_with("/me"));
    b.find("#no-appraisal").await;
    b.submit("a.rate-link").await;
    let warehouse = id_named(&app, "departments", "name", "Warehouse").await;
    // Only departments with someone to rate are offered (HR's has only HR; Ann's own is
    // not hers to rate).
    let offered = b.text("nav.departments").await;
    assert_eq!(offered.trim(), "Warehouse", "{offered}");
    b.submit(&format!(
        "nav.departments a[href$='department_id={warehouse}']"
    ))
    .await;
    // A rating has no default: nothing is sent by leaving the field alone.
    let chosen = b
        .script(
            &format!("return document.querySelector(\"#colleagues tr:has(button[data-ratee='{bo}']) select\").value;"),
            vec![],
        )
        .await;
    assert_eq!(chosen, serde_json::json!(""));
    b.click(&format!(
        "#colleagues tr:has(button[data-ratee='{bo}']) option[value='4']"
    ))
    .await;
    b.submit(&format!("button[data-ratee='{bo}']")).await;
    assert!(alert_ok(&b).await.contains("Rating saved"));
    b.goto(&format!("{}/cycles/{cycle}/team", app.base)).await;
    assert_eq!(b.text("h1").await, "Not allowed");
    sign_out(&b).await;

    // HR: review, compute, publish, the report.
    sign_in(&b, &app, &app.hr_email, &app.hr_password).await;
    b.goto(&format!("{}/hr/cycles/{cycle}", app.base)).await;
    b.submit("#next-state").await;
    // Closing data entry cannot be undone: it asks first.
    assert!(
        b.text("#confirm-what")
            .await
            .starts_with("Data entry closes for everyone"),
        "the review step asks first"
    );
    b.submit("#confirm-state").await;
    assert_eq!(b.text("#cycle-state").await, "In review");
    b.submit("button.compute").await;
    assert!(
        alert_ok(&b).await.contains("Computed: 3"),
        "{}",
        alert_ok(&b).await
    );
    sign_out(&b).await;

    // Supervisor: reviews the team's draft appraisal.
    sign_in(&b, &app, "lead@walk.test", PASSWORD).await;
    let draft = format!("section.draft[data-employee='{ann}']");
    b.fill(
        &format!("{draft} textarea[name=comment]"),
        "Consistent and courteous",
    )
    .await;
    b.submit(&format!("{draft} button")).await;
    assert!(alert_ok(&b).await.contains("Marked reviewed"));
    assert!(b
        .text(&format!("tr[data-employee='{ann}']"))
        .await
        .contains("Reviewed"));
    sign_out(&b).await;

    // HR: publishes; the report, the notices and an appraisal's audit trail.
    sign_in(&b, &app, &app.hr_email, &app.hr_password).await;
    b.goto(&format!("{}/hr/cycles/{cycle}", app.base)).await;
    b.submit("#next-state").await;
    // Publishing asks first, with how many drafts were reviewed and how many are stale.
    let what = b.text("#confirm-what").await;
    assert!(what.contains("1 / 3") && what.ends_with(": 0"), "{what}");
    b.submit("#confirm-state").await;
    assert_eq!(b.text("#cycle-state").await, "Published");
    b.goto(&format!("{}/hr/cycles/{cycle}/report", app.base))
        .await;
    b.find("svg.grades rect.bar").await;
    assert!(b.text("#report").await.contains("Flagship Store"));
    b.goto(&format!("{}/hr/notices", app.base)).await;
    let notices = b.text("#notices").await;
    assert!(
        notices.contains("Inspection recorded") && notices.contains("Appraisal published"),
        "{notices}"
    );
    let ann_appraisal = app.appraisal_of(&hr_api, cycle, ann).await["id"].clone();
    b.goto(&format!("{}/appraisals/{ann_appraisal}", app.base))
        .await;
    let trail = b.text("#audit").await;
    assert!(
        trail.contains("compute") && trail.contains("review") && trail.contains("Lena Lead"),
        "{trail}"
    );
    sign_out(&b).await;

    // Staff: the rating, explained; another employee's is not there; an appeal.
    let appraisals = app
        .get(&format!("/api/v1/cycles/{cycle}/appraisals"), &hr_api)
        .await;
    let items = appraisals.ok(200)["items"].as_array().unwrap().clone();
    let of = |who: i64| {
        items
            .iter()
            .find(|a| a["employee_id"] == who)
            .unwrap()
            .clone()
    };
    let (mine, theirs) = (of(ann), of(bo));
    sign_in(&b, &app, "ann@walk.test", PASSWORD).await;
    let shown: f64 = b.text("#total").await.parse().unwrap();
    assert_eq!(
        shown,
        mine["total"].as_f64().unwrap(),
        "the page shows the computed total"
    );
    assert_eq!(b.text("#grade").await, mine["grade"].as_str().unwrap());
    b.find("tr.missing[data-component=collaboration]").await;
    assert!(b
        .text("tr[data-component=collaboration]")
        .await
        .contains("0 of 3 required collaboration raters"));
    // Every number explained: the weights really used (collaboration's spread over the
    // others) add up to 100 %, the points each component adds add up to the total, and a
    // rating score shows the average rating it comes from.
    let mut used = 0.0;
    let mut points = 0.0;
    for name in ["sales", "satisfaction", "etiquette", "collaboration"] {
        let row = format!("tr[data-component={name}]");
        let weight = b.text(&format!("{row} td.weight-used")).await;
        let added = b.text(&format!("{row} td.contribution")).await;
        if name == "collaboration" {
            assert_eq!((weight.as_str(), added.as_str()), ("—", "—"));
            continue;
        }
        used += weight.trim_end_matches('%').parse::<f64>().unwrap();
        points += added.parse::<f64>().unwrap();
    }
    assert!((used - 100.0).abs() < 1e-6, "weights used add up to {used}");
    assert!(
        (points - shown).abs() < 1e-6,
        "the points add up to {points}, the total is {shown}"
    );
    let satisfaction: f64 = b
        .text("tr[data-component=satisfaction] td.score")
        .await
        .parse()
        .unwrap();
    let average = 1.0 + satisfaction * 4.0 / 100.0;
    let words = b.text("tr[data-component=satisfaction] .explain").await;
    assert!(
        words.contains(&format!(
            "average rating {average:.2} of 5 → {satisfaction:.2}"
        )),
        "{words}"
    );
    assert!(
        b.text("#rank").await.contains(" of "),
        "rank r of n: {}",
        b.text("#rank").await
    );
    assert!(b.text("article.inspection").await.contains("Warm greeting"));
    b.find("svg.trend circle.dot").await;
    assert!(
        b.text("p.comment")
            .await
            .contains("Consistent and courteous"),
        "the supervisor's comment is shown"
    );
    assert!(
        !b.source().await.contains("Bo Wang"),
        "no other employee's data"
    );
    b.goto(&format!("{}/appraisals/{}", app.base, theirs["id"]))
        .await;
    assert_eq!(b.text("h1").await, "Not found");
    b.goto(&format!("{}/me", app.base)).await;
    b.fill(
        "#appeal-reason",
        "My satisfaction responses from December are missing",
    )
    .await;
    b.submit("#appeal-button").await;
    assert!(alert_ok(&b).await.contains("appeal was filed"));
    assert_eq!(b.text("#appeal-state").await, "Open");
    sign_out(&b).await;

    // HR decides; the employee sees the decision.
    sign_in(&b, &app, &app.hr_email, &app.hr_password).await;
    b.goto(&format!("{}/appeals", app.base)).await;
    b.submit("#appeals a").await;
    assert!(b.text("#appeal-reason-text").await.contains("December"));
    // The appeal page shows what the appeal is about and where the evidence is corrected.
    assert!(b.exists("#summary #total").await, "the breakdown");
    assert!(b
        .text("#correct-evidence")
        .await
        .contains("Correct the evidence"));
    b.click("#decision-rejected").await;
    b.fill(
        "#decision-note",
        "The December responses belong to the next cycle.",
    )
    .await;
    b.submit("#decide").await;
    assert!(alert_ok(&b).await.contains("Decision recorded"));
    sign_out(&b).await;
    sign_in(&b, &app, "ann@walk.test", PASSWORD).await;
    assert_eq!(b.text("#appeal-state").await, "Rejected");
    assert_eq!(b.text("#appraisal-state").await, "Published");
    b.find("#actions button.primary").await; // acknowledge, as the API allows after a decision
                                             // Acknowledging ends the right to appeal: the page says so and asks first.
    b.submit("#actions button.primary").await;
    assert!(
        b.text("#confirm-what").await.contains("no longer appeal"),
        "{}",
        b.text("#confirm-what").await
    );
    b.submit("#confirm-acknowledge").await;
    assert_eq!(b.text("#appraisal-state").await, "Acknowledged");
    b.quit().await;
}

/// A page of another site that posts to one of our forms: the browser does not send the
/// SameSite=Strict session, the origin is not ours and there is no token, so nothing
/// happens (checked through the API).
async fn a_cross_site_page_cannot_use_our_forms(app: TestApp) {
    let Some(b) = Browser::start().await else {
        return;
    };
    sign_in(&b, &app, &app.hr_email, &app.hr_password).await;
    let attack = format!(
        "data:text/html,<form method=post action='{}/hr/departments'>\
         <input name=department_name value=Forged><input name=kind value=front_line></form>\
         <script>document.forms[0].submit()</script>",
        app.base
    );
    b.goto(&attack).await;
    // Wait for the form's answer to arrive, whatever it is.
    for _ in 0..100 {
        if b.url().await.starts_with(&app.base) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        !department_names(&app).await.contains(&"Forged".to_owned()),
        "the forged form created nothing"
    );
    // The same browser, on our own page, still works.
    b.goto(&format!("{}/hr/people", app.base)).await;
    b.fill("#new-department input[name=department_name]", "Genuine")
        .await;
    b.submit("#new-department button").await;
    assert!(alert_ok(&b).await.contains("Created"));
    assert!(department_names(&app).await.contains(&"Genuine".to_owned()));
    b.quit().await;
}
