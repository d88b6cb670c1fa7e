use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::TestApp;

on_both_backends!(
    user_input_errors_name_the_field,
    managers_are_active_supervisors_without_loops,
    departments_are_unique_and_validated,
    user_lists_paginate_and_filter,
    the_last_hr_account_stays,
    every_write_leaves_an_audit_event,
);

fn new_user(department_id: Value) -> Value {
    json!({
        "email": "ann.lee@example.test",
        "display_name": "Ann Lee",
        "role": "staff",
        "department_id": department_id,
        "password": "long enough pw",
    })
}

async fn user_input_errors_name_the_field(app: TestApp) {
    let hr = app.hr_token().await;
    let dept = app.department(&hr, "Front", "front_line").await;
    app.post("/api/v1/users", &hr, new_user(json!(dept)))
        .await
        .ok(201);

    let duplicate = app
        .post(
            "/api/v1/users",
            &hr,
            json!({"email": "ANN.LEE@example.test", "display_name": "Other Ann", "role": "staff",
                   "department_id": dept, "password": "long enough pw"}),
        )
        .await;
    let detail = duplicate.problem(409)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("ann.lee@example.test"), "{detail}");

    let cases: Vec<(&str, Value, &str)> = vec![
        ("email", json!("not-an-email"), "not_email"),
        ("role", json!("admin"), "one_of"),
        ("locale", json!("fr"), "one_of"),
        ("password", json!("short"), "too_short"),
        ("display_name", json!("   "), "empty"),
        ("department_id", json!(987654), "no_such_department"),
        ("department_id", json!("one"), "not_whole_number"),
        ("manager_id", json!(987654), "no_such_user"),
    ];
    for (field, value, code) in cases {
        let mut body = new_user(json!(dept));
        body["email"] = json!(format!("{field}.case@example.test"));
        body[field] = value;
        let answer = app.post("/api/v1/users", &hr, body).await;
        let got = answer.field_codes(field);
        assert_eq!(got, [code], "{field}: {}", answer.field_error(field));
    }
    // The reason names what the field takes.
    let mut body = new_user(json!(dept));
    body["role"] = json!("admin");
    let answer = app.post("/api/v1/users", &hr, body).await;
    assert!(answer.field_error("role").contains("staff, supervisor, hr"));
    let mut missing = new_user(json!(dept));
    missing.as_object_mut().unwrap().remove("department_id");
    let answer = app.post("/api/v1/users", &hr, missing).await;
    assert_eq!(answer.field_error("department_id"), "is required");
    let mut unknown = new_user(json!(dept));
    unknown["department"] = json!("Front");
    app.post("/api/v1/users", &hr, unknown)
        .await
        .field_error("department");

    // Several problems at once are all reported.
    let answer = app
        .post(
            "/api/v1/users",
            &hr,
            json!({"email": "x", "display_name": "", "role": "boss", "department_id": dept,
                   "password": "p"}),
        )
        .await;
    for field in ["email", "display_name", "role", "password"] {
        answer.field_error(field);
    }

    // Unreadable bodies: malformed JSON is 400, a non-JSON media type 415.
    let trailing = format!("{} {{}}", new_user(json!(dept)));
    for raw in ["{\"email\": ".to_owned(), "not json".to_owned(), trailing] {
        let response = app
            .client
            .post(format!("{}/api/v1/users", app.base))
            .bearer_auth(&hr)
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        crate::support::answer(response).await.problem(400);
    }
    let response = app
        .client
        .post(format!("{}/api/v1/users", app.base))
        .bearer_auth(&hr)
        .header("content-type", "text/plain")
        .body(new_user(json!(dept)).to_string())
        .send()
        .await
        .unwrap();
    crate::support::answer(response).await.problem(415);

    // Nothing of the refused attempts was stored.
    let list = app.get("/api/v1/users?limit=200", &hr).await;
    assert_eq!(list.ok(200)["total"], 2, "HR and Ann only");
}

async fn managers_are_active_supervisors_without_loops(app: TestApp) {
    let hr = app.hr_token().await;
    let dept = app.department(&hr, "Store", "front_line").await;
    let boss = app.user(&hr, "supervisor", dept, None).await;
    let lead = app.user(&hr, "supervisor", dept, Some(boss.id)).await;
    let staff = app.user(&hr, "staff", dept, Some(lead.id)).await;
    let path = |id: i64| format!("/api/v1/users/{id}");

    let not_supervisor = app
        .patch(&path(lead.id), &hr, json!({"manager_id": staff.id}))
        .await;
    assert_eq!(
        not_supervisor.field_codes("manager_id"),
        ["manager_not_supervisor"]
    );
    let own = app
        .patch(&path(lead.id), &hr, json!({"manager_id": lead.id}))
        .await;
    assert_eq!(own.field_codes("manager_id"), ["own_manager"]);
    let cycle = app
        .patch(&path(boss.id), &hr, json!({"manager_id": lead.id}))
        .await;
    assert_eq!(cycle.field_codes("manager_id"), ["management_loop"]);

    // A supervisor who still manages people keeps the role until they are reassigned.
    let demote = app
        .patch(&path(lead.id), &hr, json!({"role": "staff"}))
        .await;
    assert_eq!(demote.code(409), "manages_people");
    assert!(demote.problem(409)["detail"]
        .as_str()
        .unwrap()
        .contains("manages one person"));
    app.patch(&path(staff.id), &hr, json!({"manager_id": boss.id}))
        .await
        .ok(200);
    let demoted = app
        .patch(
            &path(lead.id),
            &hr,
            json!({"role": "staff", "manager_id": null}),
        )
        .await;
    let demoted = demoted.ok(200);
    assert_eq!(demoted["role"], "staff");
    assert_eq!(demoted["manager_id"], Value::Null);

    // An inactive supervisor cannot take on reports.
    app.patch(&path(boss.id), &hr, json!({"active": false}))
        .await
        .ok(200);
    let inactive = app
        .patch(&path(lead.id), &hr, json!({"manager_id": boss.id}))
        .await;
    assert_eq!(inactive.field_codes("manager_id"), ["manager_inactive"]);
}

async fn departments_are_unique_and_validated(app: TestApp) {
    let hr = app.hr_token().await;
    let id = app.department(&hr, "Returns Desk", "front_line").await;
    let again = app
        .post(
            "/api/v1/departments",
            &hr,
            json!({"name": "Returns Desk", "kind": "back_office"}),
        )
        .await;
    again.problem(409);
    let bad = app
        .post(
            "/api/v1/departments",
            &hr,
            json!({"name": "", "kind": "middle"}),
        )
        .await;
    bad.field_error("name");
    bad.field_error("kind");
    let long = app
        .post(
            "/api/v1/departments",
            &hr,
            json!({"name": "x".repeat(101), "kind": "front_line"}),
        )
        .await;
    assert!(long.field_error("name").contains("at most 100"));

    let other = app.department(&hr, "Warehouse", "back_office").await;
    app.patch(
        &format!("/api/v1/departments/{other}"),
        &hr,
        json!({"name": "Returns Desk"}),
    )
    .await
    .problem(409);
    let renamed = app
        .patch(
            &format!("/api/v1/departments/{id}"),
            &hr,
            json!({"name": "Returns & Exchanges", "kind": "back_office"}),
        )
        .await;
    assert_eq!(renamed.ok(200)["kind"], "back_office");
    let read = app.get(&format!("/api/v1/departments/{id}"), &hr).await;
    assert_eq!(read.ok(200)["name"], "Returns & Exchanges");
    app.get("/api/v1/departments/424242", &hr)
        .await
        .problem(404);
}

async fn user_lists_paginate_and_filter(app: TestApp) {
    let hr = app.hr_token().await;
    let front = app.department(&hr, "Front", "front_line").await;
    let back = app.department(&hr, "Back", "back_office").await;
    for _ in 0..5 {
        app.user(&hr, "staff", front, None).await;
    }
    for _ in 0..2 {
        app.user(&hr, "staff", back, None).await;
    }
    let first = app
        .get(&format!("/api/v1/users?department_id={front}&limit=2"), &hr)
        .await;
    let first = first.ok(200).clone();
    assert_eq!(first["total"], 5);
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let last = app
        .get(
            &format!("/api/v1/users?department_id={front}&limit=2&offset=4"),
            &hr,
        )
        .await;
    assert_eq!(last.ok(200)["items"].as_array().unwrap().len(), 1);
    assert_ne!(first["items"][0]["id"], last.body["items"][0]["id"]);
    let everyone = app.get("/api/v1/users", &hr).await;
    assert_eq!(everyone.ok(200)["total"], 8);
    let hr_only = app.get("/api/v1/users?role=hr", &hr).await;
    assert_eq!(hr_only.ok(200)["total"], 1);

    app.get("/api/v1/users?limit=201", &hr)
        .await
        .field_error("limit");
    app.get("/api/v1/users?limit=0", &hr)
        .await
        .field_error("limit");
    app.get("/api/v1/users?offset=-1", &hr)
        .await
        .field_error("offset");
    app.get("/api/v1/users?department_id=abc", &hr)
        .await
        .field_error("department_id");
    app.get("/api/v1/users?departmentid=1", &hr)
        .await
        .field_error("departmentid");
    let departments = app.get("/api/v1/departments?limit=1", &hr).await;
    let departments = departments.ok(200);
    assert_eq!(departments["total"], 3);
    assert_eq!(departments["items"].as_array().unwrap().len(), 1);
}

async fn the_last_hr_account_stays(app: TestApp) {
    let hr = app.hr_token().await;
    let me = app.get("/api/v1/me", &hr).await;
    let id = me.ok(200)["id"].as_i64().unwrap();
    let path = format!("/api/v1/users/{id}");
    app.patch(&path, &hr, json!({"active": false}))
        .await
        .problem(409);
    app.patch(&path, &hr, json!({"role": "staff"}))
        .await
        .problem(409);
    app.get("/api/v1/me", &hr).await.ok(200);

    // An HR token never demotes, deactivates or re-passwords its own account, even with a
    // second HR account; that one may change the first.
    let dept = me.body["department_id"].as_i64().unwrap();
    let second = app.user(&hr, "hr", dept, None).await;
    for change in [
        json!({"role": "staff"}),
        json!({"active": false}),
        json!({"password": "a-new-password-1"}),
    ] {
        let refused = app.patch(&path, &hr, change).await;
        assert_eq!(refused.code(409), "own_account", "{refused:?}");
    }
    app.get("/api/v1/me", &hr).await.ok(200);
    let second_token = app.login(&second.email, &second.password).await;
    app.patch(&path, &second_token, json!({"role": "staff"}))
        .await
        .ok(200);
    app.get("/api/v1/me", &hr).await.problem(401);
    app.get("/api/v1/users", &second_token).await.ok(200);
}

async fn audit_events(app: &TestApp, hr: &str, entity: &str, id: i64) -> Vec<Value> {
    let answer = app
        .get(
            &format!("/api/v1/audit-events?entity={entity}&entity_id={id}"),
            hr,
        )
        .await;
    answer.ok(200)["items"].as_array().unwrap().clone()
}

async fn every_write_leaves_an_audit_event(app: TestApp) {
    let hr = app.hr_token().await;
    let hr_id = app.get("/api/v1/me", &hr).await.body["id"]
        .as_i64()
        .unwrap();

    let dept = app.department(&hr, "Audit Desk", "front_line").await;
    app.patch(
        &format!("/api/v1/departments/{dept}"),
        &hr,
        json!({"kind": "back_office"}),
    )
    .await
    .ok(200);
    let events = audit_events(&app, &hr, "department", dept).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["action"], "create");
    assert_eq!(events[0]["actor_id"], hr_id);
    assert_eq!(events[0]["before"], Value::Null);
    assert_eq!(events[0]["after"]["name"], "Audit Desk");
    assert_eq!(events[1]["action"], "update");
    assert_eq!(events[1]["before"]["kind"], "front_line");
    assert_eq!(events[1]["after"]["kind"], "back_office");

    let staff = app.user(&hr, "staff", dept, None).await;
    let path = format!("/api/v1/users/{}", staff.id);
    app.patch(
        &path,
        &hr,
        json!({"locale": "zh-CN", "password": "another long secret"}),
    )
    .await
    .ok(200);
    // A patch that changes nothing writes nothing.
    app.patch(&path, &hr, json!({"locale": "zh-CN"}))
        .await
        .ok(200);
    let events = audit_events(&app, &hr, "user", staff.id).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["action"], "create");
    assert_eq!(events[0]["after"]["email"], staff.email);
    assert_eq!(events[1]["before"]["locale"], "en");
    assert_eq!(events[1]["after"]["locale"], "zh-CN");
    assert_eq!(events[1]["after"]["password"], "changed");
    let text = serde_json::to_string(&events).unwrap();
    assert!(
        !text.contains("argon2"),
        "a hash leaked into the audit trail"
    );
    assert!(!text.contains("another long secret"));

    // The user's own password change is audited with them as the actor.
    let token = app.login(&staff.email, "another long secret").await;
    app.put(
        "/api/v1/me/password",
        &token,
        json!({"current_password": "another long secret", "new_password": "third secret here"}),
    )
    .await
    .ok(200);
    let events = audit_events(&app, &hr, "user", staff.id).await;
    assert_eq!(events.len(), 3);
    assert_eq!(events[2]["actor_id"], staff.id);

    // The bootstrap account's creation is there too, by the system.
    let bootstrap = audit_events(&app, &hr, "user", hr_id).await;
    assert_eq!(bootstrap[0]["action"], "create");
    assert_eq!(bootstrap[0]["actor_id"], Value::Null);
}
