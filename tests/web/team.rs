//! A supervisor's team page in headless Chromium with two cycles at once: one open for
//! inspections, an older one in review. The supervisor switches to the older one, reviews
//! a draft there (it moves to "reviewed"), sees the inspections already recorded, and
//! scores a new inspection with the running total. HR reviews the supervisor, who has no
//! manager, from the dashboard's link.

use serde_json::{json, Value};

use crate::driver::Browser;
use crate::on_both_backends;
use crate::support::{Person, TestApp};

on_both_backends!(a_supervisor_works_in_two_cycles_and_hr_reviews_the_top);

async fn sign_in(b: &Browser, app: &TestApp, email: &str, password: &str) {
    b.goto(&format!("{}/sign-in", app.base)).await;
    b.fill("#email", email).await;
    b.fill("#password", password).await;
    b.submit("#sign-in-button").await;
    b.find("#sign-out").await;
}

async fn inspect(app: &TestApp, lead: &str, checklist: &Value, who: &Person, day: &str) {
    let item = |i: usize| checklist["items"][i]["id"].clone();
    app.post(
        "/api/v1/inspections",
        lead,
        json!({"employee_id": who.id, "checklist_id": checklist["id"], "occurred_on": day,
               "scores": [{"item_id": item(0), "points": 9}, {"item_id": item(1), "points": 10}]}),
    )
    .await
    .ok(201);
}

async fn a_supervisor_works_in_two_cycles_and_hr_reviews_the_top(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Store", "front_line").await;
    let lead = app.user(&hr, "supervisor", store, None).await;
    let ann = app.user(&hr, "staff", store, Some(lead.id)).await;
    let bo = app.user(&hr, "staff", store, Some(lead.id)).await;
    let checklist = app
        .post(
            "/api/v1/checklists",
            &hr,
            json!({"name": "Etiquette", "items": [
                {"title": "Grooming", "max_points": 10},
                {"title": "Courtesy", "max_points": 10, "critical": true}]}),
        )
        .await
        .ok(201)
        .clone();
    let lead_api = app.login(&lead.email, &lead.password).await;
    let older = app
        .open_cycle(&hr, "Q3 2026", "2026-07-01", "2026-09-30")
        .await;
    inspect(&app, &lead_api, &checklist, &ann, "2026-08-03").await;
    inspect(&app, &lead_api, &checklist, &ann, "2026-09-14").await;
    app.review_and_compute(&hr, older).await;
    let newer = app
        .open_cycle(&hr, "Q4 2026", "2026-10-01", "2026-12-31")
        .await;

    let Some(b) = Browser::start().await else {
        return;
    };
    // The supervisor lands on the open cycle; the one in review is a click away.
    sign_in(&b, &app, &lead.email, &lead.password).await;
    assert!(
        b.url().await.ends_with(&format!("/cycles/{newer}/team")),
        "{}",
        b.url().await
    );
    assert!(b
        .text("nav.cycles a[aria-current='page']")
        .await
        .contains("Q4 2026"));
    b.submit(&format!("nav.cycles a[href='/cycles/{older}/team']"))
        .await;
    assert!(b
        .text("nav.cycles a[aria-current='page']")
        .await
        .contains("Q3 2026"));
    // What was inspected in that cycle, per report, with each inspection's score.
    let past = b
        .text(&format!("details.past[data-employee='{}']", ann.id))
        .await;
    assert!(past.contains("(2)"), "{past}");
    b.click(&format!("details.past[data-employee='{}'] summary", ann.id))
        .await;
    let listed = b
        .text(&format!("details.past[data-employee='{}'] ul", ann.id))
        .await;
    assert!(
        listed.contains("2026-09-14") && listed.contains("2026-08-03") && listed.contains("95.00"),
        "{listed}"
    );
    // Reviewing a draft moves it to the reviewed section, its button gone from the drafts.
    let draft = format!("section.draft[data-employee='{}']", ann.id);
    b.fill(&format!("{draft} textarea[name=comment]"), "Warm and tidy")
        .await;
    b.submit(&format!("{draft} button")).await;
    b.find("p.alert.ok").await;
    assert!(b.url().await.contains(&format!("/cycles/{older}/team")));
    assert!(!b.exists(&draft).await, "a reviewed draft left the drafts");
    let reviewed = b
        .text(&format!("section.reviewed[data-employee='{}']", ann.id))
        .await;
    assert!(reviewed.contains("Warm and tidy"), "{reviewed}");
    assert!(
        b.exists(&format!("section.draft[data-employee='{}']", bo.id))
            .await
    );

    // Back in the open cycle: the running total follows the points as they are typed,
    // with the critical rule; the server's score is the same.
    b.submit(&format!("nav.cycles a[href='/cycles/{newer}/team']"))
        .await;
    b.submit(&format!("tr[data-employee='{}'] a.button", bo.id))
        .await;
    b.fill("#inspection-form tbody tr:nth-child(1) input.points", "8")
        .await;
    b.fill("#inspection-form tbody tr:nth-child(2) input.points", "0")
        .await;
    let total = b.text("#running-total output").await;
    assert!(
        total.starts_with("8 / 20 = 0.00") && total.contains("critical"),
        "{total}"
    );
    b.fill("#inspection-form tbody tr:nth-child(2) input.points", "9")
        .await;
    assert_eq!(b.text("#running-total output").await, "17 / 20 = 85.00");
    b.submit("#save-inspection").await;
    b.find("p.alert.ok").await;
    let recorded = app
        .get(
            &format!("/api/v1/inspections?employee_id={}&cycle_id={newer}", bo.id),
            &hr,
        )
        .await;
    assert_eq!(recorded.ok(200)["items"][0]["score"], json!(85.0));
    b.submit("#sign-out").await;

    // HR: the dashboard points to the supervisor's draft (nobody above them), and HR
    // reviews it from there.
    sign_in(&b, &app, &app.hr_email, &app.hr_password).await;
    b.goto(&format!("{}/hr", app.base)).await;
    let link = format!("a[href='/cycles/{older}/team']");
    assert!(
        b.text(&link).await.starts_with("1 "),
        "{}",
        b.text(&link).await
    );
    b.submit(&link).await;
    // HR's team here is the people without a manager: the lead, not the lead's reports.
    for report in [&ann, &bo] {
        assert!(!b.exists(&format!("[data-employee='{}']", report.id)).await);
    }
    let top = format!("section.draft[data-employee='{}']", lead.id);
    b.fill(
        &format!("{top} textarea[name=comment]"),
        "Runs a good store",
    )
    .await;
    b.submit(&format!("{top} button")).await;
    b.find(&format!("section.reviewed[data-employee='{}']", lead.id))
        .await;
    let lead_appraisal = app.appraisal_of(&hr, older, lead.id).await;
    assert_eq!(
        (
            lead_appraisal["state"].clone(),
            lead_appraisal["supervisor_comment"].clone()
        ),
        (json!("reviewed"), json!("Runs a good store"))
    );
    b.quit().await;
}
