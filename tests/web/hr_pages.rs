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
    steps_that_cannot_be_undone_ask_first_and_the_dashboard_says_what_to_do,
    checklists_and_cycles_are_edited_and_people_uploaded_on_the_pages,
    someone_without_email_gets_a_code_on_a_slip_and_signs_in_with_their_number,
    the_audit_trail_says_what_changed_in_words,
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
    // The refused field is marked for screen readers and points at the reason.
    assert!(
        refused
            .body
            .contains(r#"aria-invalid="true" aria-describedby="problem" name="manager_id""#),
        "{}",
        refused.body
    );
    assert_eq!(refused.body.matches("aria-invalid").count(), 1);
    assert!(refused.body.contains(r#"id="problem""#));
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

async fn steps_that_cannot_be_undone_ask_first_and_the_dashboard_says_what_to_do(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    let lead = app.user(&hr, "supervisor", store, None).await;
    let staff = app.user(&hr, "staff", store, Some(lead.id)).await;
    let cycle = app
        .post(
            "/api/v1/cycles",
            &hr,
            json!({"name": "Q4", "period_start": "2026-10-01", "period_end": "2026-12-31"}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    app.put(
        &format!("/api/v1/cycles/{cycle}/scheme"),
        &hr,
        json!({"weights": {"sales": 100, "satisfaction": 0, "etiquette": 0, "collaboration": 0},
               "min_evidence": {"satisfaction": 1, "etiquette": 2, "collaboration": 1},
               "grade_bands": [{"grade": "A", "min_total": 90}, {"grade": "C", "min_total": 0}]}),
    )
    .await
    .ok(200);
    let mut visitor = Visitor::new(&app.base);
    visitor.sign_in(&app.hr_email, &app.hr_password).await;
    let csrf = visitor.token("/hr").await;
    let state = format!("/hr/cycles/{cycle}/state");
    let cycle_state = |app: &TestApp| {
        let path = format!("/api/v1/cycles/{cycle}");
        let hr = hr.clone();
        let app = app.http.base.clone();
        async move {
            let answer = crate::support::answer(
                crate::support::client()
                    .get(format!("{app}{path}"))
                    .bearer_auth(&hr)
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            answer.ok(200)["state"].as_str().unwrap().to_owned()
        }
    };

    // Opening mails everyone: first the question, with how many; nothing has happened yet.
    let asked = visitor
        .post(&state, &[("csrf", &csrf), ("state", "open")])
        .await;
    assert_eq!(asked.status, 200);
    assert!(
        asked.body.contains("id=\"confirm-state\""),
        "{}",
        asked.body
    );
    assert!(
        asked
            .body
            .contains("<strong>2</strong> people will be mailed"),
        "{}",
        asked.body
    );
    assert_eq!(cycle_state(&app).await, "draft");
    let done = visitor
        .post(
            &state,
            &[("csrf", &csrf), ("state", "open"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(cycle_state(&app).await, "open");

    // The dashboard: the open cycle, its days left and the two people without inspections.
    let home = visitor.get("/hr").await;
    let todo = &home.body[home.body.find("id=\"todo\"").expect("a to-do list")..];
    let item = &todo[todo
        .find(&format!("data-cycle=\"{cycle}\""))
        .expect("the open cycle")..];
    let item = &item[..item.find("</li>").unwrap()];
    assert!(
        item.contains(&format!("href=\"/hr/cycles/{cycle}\"")),
        "{item}"
    );
    assert!(item.contains("2 people still lack inspections"), "{item}");
    // And who they are, each linked to their inspection form.
    for person in [lead.id, staff.id] {
        let link = format!("href=\"/cycles/{cycle}/team/{person}/inspection\"");
        assert!(todo.contains(&link), "{link} in {todo}");
    }

    // Closing data entry asks first, saying who still lacks inspections; publishing asks,
    // with the reviewed, stale and uncomputed counts.
    let asked = visitor
        .post(&state, &[("csrf", &csrf), ("state", "review")])
        .await;
    assert!(
        asked
            .body
            .contains("People still short of inspections: <strong>2</strong>"),
        "{}",
        asked.body
    );
    assert_eq!(cycle_state(&app).await, "open");
    visitor
        .post(
            &state,
            &[("csrf", &csrf), ("state", "review"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(cycle_state(&app).await, "review");
    app.post(&format!("/api/v1/cycles/{cycle}/compute"), &hr, json!({}))
        .await
        .ok(200);
    let home = visitor.get("/hr").await;
    assert!(
        home.body.contains("2 drafts not yet reviewed"),
        "{}",
        home.body
    );
    let asked = visitor
        .post(&state, &[("csrf", &csrf), ("state", "published")])
        .await;
    assert!(
        asked.body.contains("<strong>0 / 2</strong>"),
        "{}",
        asked.body
    );
    assert_eq!(cycle_state(&app).await, "review");
}

async fn checklists_and_cycles_are_edited_and_people_uploaded_on_the_pages(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    let lead = app.user(&hr, "supervisor", store, None).await;
    let ann = app.user(&hr, "staff", store, Some(lead.id)).await;
    let open = app.open_cycle(&hr, "Q3", "2026-07-01", "2026-09-30").await;
    let checklist = app
        .post(
            "/api/v1/checklists",
            &hr,
            json!({"name": "Floor", "items": [{"title": "Greeting", "max_points": 5}]}),
        )
        .await
        .ok(201)
        .clone();
    let lead_token = app.login(&lead.email, &lead.password).await;
    app.post(
        "/api/v1/inspections",
        &lead_token,
        json!({"employee_id": ann.id, "checklist_id": checklist["id"], "occurred_on": "2026-08-01",
               "scores": [{"item_id": checklist["items"][0]["id"], "points": 4}]}),
    )
    .await
    .ok(201);
    let mut visitor = Visitor::new(&app.base);
    visitor.sign_in(&app.hr_email, &app.hr_password).await;

    // A used checklist edited on its page becomes version 2; retired, inspectors cannot use it.
    let id = checklist["id"].as_i64().unwrap();
    let page = visitor.get(&format!("/hr/checklists/{id}")).await;
    assert!(
        page.body.contains("value=\"Greeting\""),
        "the stored items fill the form"
    );
    let csrf = page.csrf();
    let saved = visitor
        .post(
            &format!("/hr/checklists/{id}"),
            &[
                ("csrf", &csrf),
                ("name", "Floor"),
                ("title_0", "Greeting"),
                ("max_0", "5"),
                ("title_1", "Farewell"),
                ("max_1", "5"),
                ("critical_1", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let new_id: i64 = saved
        .location
        .as_deref()
        .unwrap()
        .trim_start_matches("/hr/checklists/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(
        new_id, id,
        "a used version is kept; the edit is a new version"
    );
    let current = app.get(&format!("/api/v1/checklists/{new_id}"), &hr).await;
    assert_eq!(current.ok(200)["version"], 2);
    assert_eq!(current.body["items"][1]["critical"], true);
    let retired = visitor
        .post(
            &format!("/hr/checklists/{new_id}/retire"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(retired.status, 303, "{}", retired.body);
    let refused = app
        .post(
            "/api/v1/inspections",
            &lead_token,
            json!({"employee_id": ann.id, "checklist_id": new_id, "occurred_on": "2026-08-02",
                   "scores": [{"item_id": current.body["items"][0]["id"], "points": 4},
                              {"item_id": current.body["items"][1]["id"], "points": 4}]}),
        )
        .await;
    assert_eq!(refused.field_codes("checklist_id"), ["checklist_retired"]);
    assert!(!visitor
        .get("/hr/checklists")
        .await
        .body
        .contains(&format!("data-checklist=\"{new_id}\"")));

    // A cycle renamed on its page; its period is frozen once open.
    let saved = visitor
        .post(
            &format!("/hr/cycles/{open}/edit"),
            &[
                ("csrf", &csrf),
                ("name", "2026 三季度"),
                ("appeal_window_days", "10"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let stored = app.get(&format!("/api/v1/cycles/{open}"), &hr).await;
    assert_eq!(stored.ok(200)["name"], "2026 三季度");
    assert_eq!(stored.body["appeal_window_days"], 10);
    let frozen = visitor
        .post(
            &format!("/hr/cycles/{open}/edit"),
            &[
                ("csrf", &csrf),
                ("name", "2026 三季度"),
                ("period_start", "2026-07-02"),
            ],
        )
        .await;
    assert_eq!(frozen.status, 409, "{}", frozen.body);

    // People from a file on the people page; the template downloads.
    let file = "employee_number,email,display_name,role,department,manager\n\
                E0107,li.na@example.test,李娜,staff,Flagship Store,E0001\n\
                E0001,zhang.wei@example.test,张伟,supervisor,Flagship Store,\n";
    let csrf = visitor.token("/hr/people").await;
    let uploaded = visitor
        .post_multipart(
            "/hr/people/import",
            &[("csrf", &csrf), ("kind", "people"), ("file", file)],
        )
        .await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    assert!(uploaded.body.contains("new: 2"), "{}", uploaded.body);
    let found = app.get("/api/v1/users?q=E0107", &hr).await;
    assert_eq!(found.ok(200)["items"][0]["display_name"], "李娜");

    // A file naming a department that does not exist: the page names it and asks before
    // making it; confirmed with the same file, it is made and the person placed in it.
    let file = "employee_number,email,display_name,role,department\n\
                E0108,wu.lei@example.test,吴磊,staff,Night Desk\n";
    let csrf = visitor.token("/hr/people").await;
    let asked = visitor
        .post_multipart(
            "/hr/people/import",
            &[("csrf", &csrf), ("kind", "people"), ("file", file)],
        )
        .await;
    assert_eq!(asked.status, 422, "{}", asked.body);
    assert!(
        asked.body.contains("id=\"create-departments\""),
        "{}",
        asked.body
    );
    assert!(
        asked.body.contains("<strong>Night Desk</strong>"),
        "{}",
        asked.body
    );
    assert!(app.get("/api/v1/users?q=E0108", &hr).await.ok(200)["items"]
        .as_array()
        .unwrap()
        .is_empty());
    let confirmed = visitor
        .post_multipart(
            "/hr/people/import",
            &[
                ("csrf", &csrf),
                ("kind", "people"),
                ("create_departments", "true"),
                ("file", file),
            ],
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert!(
        confirmed.body.contains("departments created: Night Desk"),
        "{}",
        confirmed.body
    );
    let placed = app.get("/api/v1/users?q=E0108", &hr).await;
    let department = placed.ok(200)["items"][0]["department_id"].clone();
    let night = app
        .get(&format!("/api/v1/departments/{department}"), &hr)
        .await;
    assert_eq!(night.ok(200)["name"], "Night Desk");
    let template = visitor.get("/hr/people/template.csv").await;
    assert!(template
        .body
        .contains("employee_number,email,display_name,role,department,manager,locale,active"));

    // The export buttons lead to the spreadsheet; staff may not have it.
    app.post(
        &format!("/api/v1/cycles/{open}/state"),
        &hr,
        json!({"state": "review"}),
    )
    .await
    .ok(200);
    app.post(&format!("/api/v1/cycles/{open}/compute"), &hr, json!({}))
        .await
        .ok(200);
    let report = visitor.get(&format!("/hr/cycles/{open}/report")).await;
    assert!(report
        .body
        .contains(&format!("href=\"/cycles/{open}/export?format=xlsx\"")));
    let xlsx = visitor
        .get(&format!("/cycles/{open}/export?format=xlsx"))
        .await;
    assert_eq!(xlsx.status, 200);
    assert_eq!(
        xlsx.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let mut staff = Visitor::new(&app.base);
    staff.sign_in(&ann.email, &ann.password).await;
    assert_eq!(
        staff
            .get(&format!("/cycles/{open}/export?format=csv"))
            .await
            .status,
        403
    );
}

/// HR adds a person without email on the people page, prints their set-up code from their
/// page (and the list of everyone waiting); the person types the code on the set-up page
/// (as they would: lower case, spaces), chooses a password and signs in with their number.
async fn someone_without_email_gets_a_code_on_a_slip_and_signs_in_with_their_number(app: TestApp) {
    let hr_token = app.hr_token().await;
    let store = app.department(&hr_token, "旗舰店", "front_line").await;
    let mut hr = Visitor::new(&app.base);
    hr.sign_in(&app.hr_email, &app.hr_password).await;
    let csrf = hr.token("/hr/people").await;
    let added = hr
        .post(
            "/hr/people",
            &[
                ("csrf", &csrf),
                ("display_name", "周芳"),
                ("email", ""),
                ("employee_number", "E0501"),
                ("role", "staff"),
                ("department_id", &store.to_string()),
                ("locale", "zh-CN"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let found = app.get("/api/v1/users?q=E0501", &hr_token).await;
    let id = found.ok(200)["items"][0]["id"].as_i64().unwrap();
    let page = hr.get(&format!("/hr/people/{id}")).await;
    assert!(page.body.contains("/setup-code"), "{}", page.body);
    let csrf = page.csrf();
    let slip = hr
        .post(&format!("/hr/people/{id}/setup-code"), &[("csrf", &csrf)])
        .await;
    assert_eq!(slip.status, 200, "{}", slip.body);
    let code = code_on(&slip.body);
    assert!(
        slip.body.contains("E0501") && slip.body.contains("旗舰店"),
        "{}",
        slip.body
    );
    let address = format!("{}/reset", app.settings.server.public_url);
    assert!(slip.body.contains(&address), "{}", slip.body);
    // Everyone waiting: she holds a code that works, so the list leaves her out (a second
    // click does not void the slips handed out); her page gives a new one, which replaces
    // the first.
    let csrf = hr.token("/hr/people").await;
    let list = hr.post("/hr/people/setup-codes", &[("csrf", &csrf)]).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("id=\"no-codes\""), "{}", list.body);
    let csrf = hr.token(&format!("/hr/people/{id}")).await;
    let again = hr
        .post(&format!("/hr/people/{id}/setup-code"), &[("csrf", &csrf)])
        .await;
    let newer = code_on(&again.body);
    assert_ne!(newer, code);

    let mut she = Visitor::new(&app.base);
    let form = she.get("/reset").await;
    assert!(form.body.contains("id=\"setup-code\""), "{}", form.body);
    let csrf = form.csrf();
    let typed = newer.to_lowercase().replace('-', " ");
    let old = she
        .post(
            "/reset",
            &[
                ("csrf", &csrf),
                ("typed", "true"),
                ("token", &code),
                ("new_password", "zhou-fang-2026"),
                ("repeat_password", "zhou-fang-2026"),
            ],
        )
        .await;
    assert_eq!(old.status, 422, "the replaced code: {}", old.body);
    assert!(
        old.body.contains("id=\"setup-code\""),
        "the code form again: {}",
        old.body
    );
    let set = she
        .post(
            "/reset",
            &[
                ("csrf", &csrf),
                ("typed", "true"),
                ("token", &typed),
                ("new_password", "zhou-fang-2026"),
                ("repeat_password", "zhou-fang-2026"),
            ],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.body);
    let signed = she.sign_in("E0501", "zhou-fang-2026").await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert_eq!(she.get("/me").await.status, 200);
}

/// The set-up code on a slip page (`ABCD-EFGH-JKMN`).
fn code_on(body: &str) -> String {
    let at = body.find("class=\"code\">").expect("a code on the slip") + 13;
    body[at..at + 14].to_owned()
}

/// The audit trail of an appraisal reads as words: a scheme's weights one by one and its
/// grade bands as bands, people by name (not their id), and a targets import with the rows
/// it received.
async fn the_audit_trail_says_what_changed_in_words(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Flagship Store", "front_line").await;
    let lead = app.user(&hr, "supervisor", store, None).await;
    let ann = app.user(&hr, "staff", store, Some(lead.id)).await;
    let cycle = app.open_cycle(&hr, "Q1", "2026-01-01", "2026-03-31").await;
    let scheme = |sales: i64, top: i64| {
        json!({"weights": {"sales": sales, "satisfaction": 100 - sales, "etiquette": 0, "collaboration": 0},
               "grade_bands": [{"grade": "A", "min_total": top}, {"grade": "C", "min_total": 0}]})
    };
    let path = format!("/api/v1/cycles/{cycle}/scheme");
    app.put(&path, &hr, scheme(40, 90)).await.ok(200);
    app.put(&path, &hr, scheme(50, 85)).await.ok(200);
    app.post(
        "/api/v1/sales-targets",
        &hr,
        json!([{"employee_id": ann.id, "cycle_id": cycle, "target": 100_000},
               {"employee_id": lead.id, "cycle_id": cycle, "target": 200_000}]),
    )
    .await
    .ok(200);
    app.review_and_compute(&hr, cycle).await;
    let appraisal = app.appraisal_of(&hr, cycle, ann.id).await["id"].clone();
    let mut visitor = Visitor::new(&app.base);
    visitor.sign_in(&app.hr_email, &app.hr_password).await;
    let page = visitor.get(&format!("/appraisals/{appraisal}")).await;
    let trail = &page.body[page.body.find("id=\"audit\"").expect("an audit trail")..];
    for said in [
        "Weight of sales: 40 → 50",
        "Grade bands: A ≥ 90 · C ≥ 0 → A ≥ 85 · C ≥ 0",
        "Rows received: — → 2",
    ] {
        assert!(trail.contains(said), "{said} in {trail}");
    }
    assert!(
        !trail.contains("#"),
        "no person or department by id: {trail}"
    );
    // Printed, the page is a review sheet (number, department, date, signatures); the
    // cycle's history stays on the screen.
    assert!(page.body.contains("Flagship Store"), "{}", page.body);
    assert!(
        page.body
            .contains("<section class=\"print-only\" id=\"sign-off\">"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Supervisor&#39;s signature")
            || page.body.contains("Supervisor's signature")
    );
    assert!(
        page.body
            .contains("<section class=\"no-print\" id=\"audit-trail\">"),
        "{}",
        page.body
    );
}
