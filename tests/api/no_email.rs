//! People without email (DESIGN §12): they sign in with their employee number and a password
//! they set with a one-time set-up code from HR; their notices are kept for their pages
//! instead of mailed; a people file may leave their email empty.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::hr_work::reset;
use crate::on_both_backends;
use crate::support::{Answer, TestApp};

on_both_backends!(
    a_person_without_email_signs_in_with_their_number_and_a_setup_code,
    notices_of_someone_without_email_wait_on_their_page,
    a_people_file_may_leave_email_empty_but_not_both,
);

async fn login(app: &TestApp, body: Value) -> Answer {
    app.send(
        reqwest::Method::POST,
        "/api/v1/auth/login",
        None,
        Some(&body),
    )
    .await
}

async fn a_person_without_email_signs_in_with_their_number_and_a_setup_code(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "旗舰店", "front_line").await;
    // Neither an email nor a number: nobody could sign in as them.
    let nameless = app
        .post(
            "/api/v1/users",
            &hr,
            json!({"display_name": "周芳", "role": "staff", "department_id": store}),
        )
        .await;
    assert!(nameless
        .field_error("employee_number")
        .contains("employee number"));

    let made = app
        .post(
            "/api/v1/users",
            &hr,
            json!({"email": "", "display_name": "周芳", "role": "staff", "department_id": store,
                   "employee_number": "E0301"}),
        )
        .await;
    let person = made.ok(201).clone();
    assert_eq!(person["email"], Value::Null);
    let id = person["id"].as_i64().unwrap();
    // No link is queued for someone who has no address.
    let queued = app.get("/api/v1/notices?limit=200", &hr).await;
    assert!(
        !queued.ok(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["recipient_id"] == id),
        "{:?}",
        queued.body
    );
    let first = app
        .post(&format!("/api/v1/users/{id}/setup-code"), &hr, json!(null))
        .await;
    let first_code = first.ok(201)["code"].as_str().unwrap().to_owned();
    assert_eq!(first_code.len(), 14, "{first_code}");
    assert_eq!(first_code.matches('-').count(), 2);
    assert_eq!(first.headers["cache-control"], "no-store");
    // A newer code replaces it.
    let second = app
        .post(&format!("/api/v1/users/{id}/setup-code"), &hr, json!(null))
        .await;
    let code = second.ok(201)["code"].as_str().unwrap().to_owned();
    assert_ne!(code, first_code);
    assert_eq!(
        reset(&app, &first_code, "a-new-password-1")
            .await
            .field_error("token"),
        reset(&app, "nonsense", "a-new-password-1")
            .await
            .field_error("token"),
        "a replaced code answers as an unknown one"
    );
    assert_eq!(
        login(
            &app,
            json!({"employee_number": "E0301", "password": "a-new-password-1"})
        )
        .await
        .status,
        401
    );
    // Typed as a person types it: lower case, spaces for dashes.
    let typed = code.to_lowercase().replace('-', " ");
    assert_eq!(reset(&app, &typed, "a-new-password-1").await.status, 204);
    assert_eq!(
        reset(&app, &code, "another-password-2").await.status,
        422,
        "a code works once"
    );
    let signed = login(
        &app,
        json!({"employee_number": "E0301", "password": "a-new-password-1"}),
    )
    .await;
    let token = signed.ok(200)["access_token"].as_str().unwrap().to_owned();
    let me = app.get("/api/v1/me", &token).await;
    assert_eq!(me.ok(200)["employee_number"], "E0301");
    assert_eq!(me.body["email"], Value::Null);

    // One name only, and some name.
    let both = login(
        &app,
        json!({"email": "x@example.test", "employee_number": "E0301", "password": "p"}),
    )
    .await;
    both.field_error("employee_number");
    login(&app, json!({"password": "p"}))
        .await
        .field_error("email");
    // Wrong password for a number: the same answer as an unknown number.
    let wrong = login(
        &app,
        json!({"employee_number": "E0301", "password": "wrong-password"}),
    )
    .await;
    let unknown = login(
        &app,
        json!({"employee_number": "E9999", "password": "wrong-password"}),
    )
    .await;
    assert_eq!((wrong.status.as_u16(), unknown.status.as_u16()), (401, 401));
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);

    // Someone with an email and a password gets a reset link, not a code (HR cannot take
    // over their account).
    let (other, _, _) = {
        let p = app.user(&hr, "staff", store, None).await;
        (p.id, p.email, p.password)
    };
    let refused = app
        .post(
            &format!("/api/v1/users/{other}/setup-code"),
            &hr,
            json!(null),
        )
        .await;
    assert_eq!(refused.code(409), "has_email_and_password");
    // Staff may not give codes.
    assert_eq!(
        app.post(
            &format!("/api/v1/users/{id}/setup-code"),
            &token,
            json!(null)
        )
        .await
        .status,
        403
    );
    // Her password set, she may still be given a code (her one way back in, as a helpdesk
    // resets it); an HR account may not be taken over that way.
    app.post(&format!("/api/v1/users/{id}/setup-code"), &hr, json!(null))
        .await
        .ok(201);
    let other_hr = app
        .post(
            "/api/v1/users",
            &hr,
            json!({"display_name": "人事二", "role": "hr", "department_id": store,
                   "employee_number": "H0002", "password": "long-enough-password"}),
        )
        .await;
    let other_hr = other_hr.ok(201)["id"].as_i64().unwrap();
    let refused = app
        .post(
            &format!("/api/v1/users/{other_hr}/setup-code"),
            &hr,
            json!(null),
        )
        .await;
    assert_eq!(refused.code(409), "has_email_and_password");
    // Someone with an email and a password keeps the email (HR cannot make them eligible
    // for a code), and does not sign in by number.
    let with_both = app
        .post(
            "/api/v1/users",
            &hr,
            json!({"email": "both@example.test", "display_name": "两者", "role": "staff",
                   "department_id": store, "employee_number": "E0309",
                   "password": "long-enough-password"}),
        )
        .await;
    let with_both = with_both.ok(201)["id"].as_i64().unwrap();
    let removed = app
        .patch(
            &format!("/api/v1/users/{with_both}"),
            &hr,
            json!({"email": ""}),
        )
        .await;
    assert_eq!(removed.code(409), "email_stays");
    assert_eq!(
        login(
            &app,
            json!({"employee_number": "E0309", "password": "long-enough-password"})
        )
        .await
        .status,
        401
    );
    // Removing the number of someone without email would leave them no way in.
    let stranded = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &hr,
            json!({"employee_number": null}),
        )
        .await;
    assert!(stranded
        .field_error("employee_number")
        .contains("employee number"));
    // The audit trail says HR gave codes, never the code.
    let trail = app
        .get(
            &format!("/api/v1/audit-events?entity=user&entity_id={id}"),
            &hr,
        )
        .await;
    let text = trail.ok(200).to_string();
    assert!(text.contains("setup_code"), "{text}");
    assert!(!text.contains(&code), "{text}");
}

/// Waits until HR's outbox shows `count` notices to `recipient` in state `status`.
async fn wait_for_notices(app: &TestApp, hr: &str, recipient: i64, status: &str, count: usize) {
    let started = Instant::now();
    loop {
        let list = app
            .get(&format!("/api/v1/notices?status={status}&limit=200"), hr)
            .await;
        let found = list.ok(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["recipient_id"] == recipient)
            .count();
        if found >= count {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{count} {status} notices to {recipient}"
        );
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn notices_of_someone_without_email_wait_on_their_page(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "旗舰店", "front_line").await;
    let made = app
        .post(
            "/api/v1/users",
            &hr,
            json!({"display_name": "周芳", "role": "staff", "department_id": store,
                   "employee_number": "E0302", "password": "long-enough-password",
                   "locale": "zh-CN"}),
        )
        .await;
    let id = made.ok(201)["id"].as_i64().unwrap();
    // Opening a cycle asks everyone appraised to rate colleagues: she is not mailed, it waits
    // on her page.
    app.open_cycle(&hr, "2026 Q1", "2026-01-01", "2026-03-31")
        .await;
    wait_for_notices(&app, &hr, id, "on_page", 1).await;
    let (_, page) = crate::uploads::signed_in(&app, "E0302", "long-enough-password", "/me").await;
    assert!(page.contains("id=\"my-notices\""), "{page}");
    assert!(page.contains("2026 Q1"), "{page}");
    // HR's outbox cannot queue it again: it was delivered, on the page.
    let list = app.get("/api/v1/notices?status=on_page", &hr).await;
    let notice = list.ok(200)["items"][0]["id"].as_i64().unwrap();
    let again = app
        .post(&format!("/api/v1/notices/{notice}/retry"), &hr, json!({}))
        .await;
    assert_eq!(again.status, 409);
}

async fn a_people_file_may_leave_email_empty_but_not_both(app: TestApp) {
    let hr = app.hr_token().await;
    app.department(&hr, "旗舰店", "front_line").await;
    let refused = app
        .post_csv(
            "/api/v1/users/bulk",
            &hr,
            "工号,姓名,邮箱,岗位,部门\nE0401,王伟,,员工,旗舰店\n,李娜,,员工,旗舰店\n".to_owned(),
        )
        .await;
    assert_eq!(refused.row_codes(), [(3, "no_way_to_sign_in".to_owned())]);
    // A file without an email column at all.
    let done = app
        .post_csv(
            "/api/v1/users/bulk",
            &hr,
            "工号,姓名,岗位,部门\nE0401,王伟,员工,旗舰店\nE0402,李娜,员工,旗舰店\n".to_owned(),
        )
        .await;
    assert_eq!(done.ok(200)["created"], 2, "{:?}", done.body);
    let found = app.get("/api/v1/users?q=E040", &hr).await;
    let items = found.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|p| p["email"].is_null()));
    // Nobody is mailed a link (no batch of set-up links is written for them).
    let queued = app.get("/api/v1/notices?limit=200", &hr).await;
    assert_eq!(queued.ok(200)["total"], 0, "{:?}", queued.body);
    // The same file again changes nothing; a row may then add an email.
    let again = app
        .post_csv(
            "/api/v1/users/bulk",
            &hr,
            "工号,姓名,邮箱,岗位,部门\nE0401,王伟,,员工,旗舰店\nE0402,李娜,li.na@example.test,员工,旗舰店\n"
                .to_owned(),
        )
        .await;
    let outcome = again.ok(200);
    assert_eq!(
        (outcome["unchanged"].clone(), outcome["updated"].clone()),
        (json!(1), json!(1))
    );
}
