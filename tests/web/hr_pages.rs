//! HR's daily work on the pages (issue 17): people found by number and edited, a password
//! changed on its page, and uploads from a cycle's page that stay inside that cycle.

use serde_json::json;

use crate::forms::Visitor;
use crate::on_both_backends;
use crate::support::TestApp;

on_both_backends!(
    hr_finds_and_corrects_a_person_on_the_pages,
    anyone_changes_their_own_password_on_a_page,
    an_upload_from_a_cycles_page_stays_in_that_cycle,
);

async fn hr_finds_and_corrects_a_person_on_the_pages(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    let centre = app.department(&hr, "Call Centre", "front_line").await;
    let store_lead = app.user(&hr, "supervisor", store, None).await;
    let centre_lead = app.user(&hr, "supervisor", centre, None).await;
    let li = app
        .post(
            "/api/v1/users",
            &hr,
            json!({"email": "li.na@example.test", "display_name": "Li Na", "role": "staff",
                   "department_id": store, "manager_id": centre_lead.id,
                   "employee_number": "E0107", "password": "long-enough-password"}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let mut visitor = Visitor::new(&app.base);
    visitor.sign_in(&app.hr_email, &app.hr_password).await;

    // Found by number; the list links to the person's page.
    let found = visitor.get("/hr/people?q=e0107").await;
    assert_eq!(found.status, 200);
    assert!(found.body.contains("E0107") && found.body.contains("Li Na"));
    assert!(found.body.contains(&format!("href=\"/hr/people/{li}\"")));
    let other = visitor.get("/hr/people?q=nobody-like-this").await;
    assert!(!other.body.contains("Li Na"));

    // The wrong supervisor, corrected on the person's page.
    let page = visitor.get(&format!("/hr/people/{li}")).await;
    assert_eq!(page.status, 200);
    let csrf = page.csrf();
    let (lead, dept) = (store_lead.id.to_string(), store.to_string());
    let fields = |manager: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("display_name", "Li Na".to_owned()),
            ("email", "li.na@example.test".to_owned()),
            ("employee_number", "E0107".to_owned()),
            ("role", "staff".to_owned()),
            ("department_id", dept.clone()),
            ("manager_id", manager.to_owned()),
            ("locale", "zh-CN".to_owned()),
        ]
    };
    let send = |f: &Vec<(&'static str, String)>| {
        f.iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<(&str, String)>>()
    };
    let saved_fields = send(&fields(&lead));
    let borrowed: Vec<(&str, &str)> = saved_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = visitor.post(&format!("/hr/people/{li}"), &borrowed).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        saved.location.as_deref(),
        Some(format!("/hr/people/{li}?ok=saved").as_str())
    );
    let stored = app.get(&format!("/api/v1/users/{li}"), &hr).await;
    assert_eq!(stored.ok(200)["manager_id"], store_lead.id);
    assert_eq!(stored.body["locale"], "zh-CN");

    // Her own manager: refused with the reason, in the page's language, nothing changed.
    let own = send(&fields(&li.to_string()));
    let borrowed: Vec<(&str, &str)> = own.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = visitor.post(&format!("/hr/people/{li}"), &borrowed).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("aria-invalid") || refused.body.contains("problem"));
    let stored = app.get(&format!("/api/v1/users/{li}"), &hr).await;
    assert_eq!(stored.ok(200)["manager_id"], store_lead.id);

    // A reset link from her page.
    let link = visitor
        .post(&format!("/hr/people/{li}/reset-link"), &[("csrf", &csrf)])
        .await;
    assert_eq!(link.status, 303, "{}", link.body);
    let notices = app.get("/api/v1/notices?limit=100", &hr).await;
    assert!(
        notices.ok(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "password_reset" && n["recipient_id"] == li),
        "{:?}",
        notices.body
    );
}

async fn anyone_changes_their_own_password_on_a_page(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    let ann = app.user(&hr, "staff", store, None).await;
    let mut visitor = Visitor::new(&app.base);
    visitor.sign_in(&ann.email, &ann.password).await;
    let page = visitor.get("/me/password").await;
    assert_eq!(page.status, 200);
    let csrf = page.csrf();
    let differ = visitor
        .post(
            "/me/password",
            &[
                ("csrf", &csrf),
                ("current_password", &ann.password),
                ("new_password", "a-new-password-1"),
                ("repeat_password", "a-new-password-2"),
            ],
        )
        .await;
    assert_eq!(differ.status, 422);
    app.login(&ann.email, &ann.password).await;
    let changed = visitor
        .post(
            "/me/password",
            &[
                ("csrf", &csrf),
                ("current_password", &ann.password),
                ("new_password", "a-new-password-1"),
                ("repeat_password", "a-new-password-1"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    app.try_login(&ann.email, &ann.password).await.problem(401);
    app.login(&ann.email, "a-new-password-1").await;
}

async fn an_upload_from_a_cycles_page_stays_in_that_cycle(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    app.post(
        "/api/v1/users",
        &hr,
        json!({"email": "li.na@example.test", "display_name": "Li Na", "role": "staff",
               "department_id": store, "employee_number": "E0107", "password": "long-enough-password"}),
    )
    .await
    .ok(201);
    let q3 = app.open_cycle(&hr, "Q3", "2026-07-01", "2026-09-30").await;
    let q4 = app.open_cycle(&hr, "Q4", "2026-10-01", "2026-11-30").await;
    let mut visitor = Visitor::new(&app.base);
    visitor.sign_in(&app.hr_email, &app.hr_password).await;
    let csrf = visitor.token("/hr").await;

    // A row dated in Q4 uploaded on Q3's page: refused, naming the row; nothing stored.
    let csv = "employee_number,occurred_on,amount_yuan,external_ref\n\
               E0107,2026/9/30,100,S-1\nE0107,2026/10/1,100,S-2\n";
    let path = format!("/hr/cycles/{q3}/import");
    let refused = visitor
        .post_multipart(
            &path,
            &[("csrf", &csrf), ("kind", "sales-records"), ("file", csv)],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("Q3"),
        "names the cycle: {}",
        refused.body
    );
    let evidence = |cycle: i64| format!("/api/v1/cycles/{cycle}/evidence");
    for cycle in [q3, q4] {
        let stored = app.get(&evidence(cycle), &hr).await;
        assert_eq!(
            stored.ok(200)["employees"][0]["sales_records"]
                .as_i64()
                .unwrap_or(0),
            0,
            "{:?}",
            stored.body
        );
    }
    // Only Q3's rows: accepted there.
    let accepted = visitor
        .post_multipart(
            &path,
            &[
                ("csrf", &csrf),
                ("kind", "sales-records"),
                ("file", &csv.replace("2026/10/1", "2026/9/1")),
            ],
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert!(
        accepted.body.contains("class=\"alert ok\""),
        "{}",
        accepted.body
    );
    let stored = app.get(&evidence(q3), &hr).await;
    assert_eq!(stored.ok(200)["employees"][0]["sales_records"], 2);

    // The template downloads; the form is gone once the cycle is in review.
    let template = visitor
        .get(&format!("/hr/cycles/{q3}/templates/sales-records.csv"))
        .await;
    assert_eq!(template.status, 200);
    assert!(template
        .body
        .trim_start_matches('\u{feff}')
        .starts_with("employee_number,"));
    assert!(visitor
        .get(&format!("/hr/cycles/{q3}"))
        .await
        .body
        .contains("multipart/form-data"));
    app.post(
        &format!("/api/v1/cycles/{q3}/state"),
        &hr,
        json!({"state": "review"}),
    )
    .await
    .ok(200);
    assert!(!visitor
        .get(&format!("/hr/cycles/{q3}"))
        .await
        .body
        .contains("multipart/form-data"));
}
