//! Integrity rules that do not need a race to show: stale results, evidence from the
//! future, a column named twice, appealing again, and slow request bodies.

use std::time::{Duration, Instant};

use appraisal::domain::clock::CompanyTime;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{spawn_with, Backend, TestApp};
use crate::{for_each_backend, on_both_backends};

on_both_backends!(
    stale_results_are_never_published,
    evidence_from_the_future_is_refused,
    a_column_named_twice_is_refused,
    an_appeal_at_a_time_and_again_after_the_decision,
);
for_each_backend!(a_body_that_arrives_too_slowly_is_answered_408);

fn scheme(sales: i64, satisfaction: i64) -> serde_json::Value {
    json!({
        "weights": {"sales": sales, "satisfaction": satisfaction, "etiquette": 0, "collaboration": 0},
        "min_evidence": {"satisfaction": 1, "etiquette": 1, "collaboration": 1},
        "grade_bands": [{"grade": "A", "min_total": 80}, {"grade": "B", "min_total": 0}]})
}

async fn stale_results_are_never_published(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Store", "front_line").await;
    let hall = app.department(&hr, "Hall", "front_line").await;
    let ann = app.user(&hr, "staff", store, None).await;
    let bob = app.user(&hr, "staff", store, None).await;
    let cycle = app
        .open_cycle(&hr, "2020", "2020-01-01", "2020-12-31")
        .await;
    let csv = format!(
        "employee_id,cycle_id,target\n{},{cycle},1000\n{},{cycle},1000\n",
        ann.id, bob.id
    );
    app.post_csv("/api/v1/sales-targets", &hr, csv)
        .await
        .ok(200);
    let sales = format!(
        "employee_id,occurred_on,amount,external_ref\n{},2020-02-01,1000,S1\n{},2020-02-01,500,S2\n",
        ann.id, bob.id
    );
    app.post_csv("/api/v1/sales-records", &hr, sales)
        .await
        .ok(200);
    let responses = format!(
        "employee_id,occurred_on,rating,channel,external_ref\n{},2020-02-02,1,phone,C1\n{},2020-02-02,5,phone,C2\n",
        ann.id, bob.id
    );
    app.post_csv("/api/v1/satisfaction-responses", &hr, responses)
        .await
        .ok(200);
    let state = format!("/api/v1/cycles/{cycle}/state");
    let compute = format!("/api/v1/cycles/{cycle}/compute");
    app.post(&state, &hr, json!({"state": "review"}))
        .await
        .ok(200);
    app.post(&compute, &hr, json!({})).await.ok(200);

    // New weights after the compute: every appraisal is stale until computed again.
    app.put(
        &format!("/api/v1/cycles/{cycle}/scheme"),
        &hr,
        scheme(50, 50),
    )
    .await
    .ok(200);
    let refused = app.post(&state, &hr, json!({"state": "published"})).await;
    assert_eq!(refused.code(409), "stale");
    let detail = refused.problem(409)["detail"].as_str().unwrap().to_owned();
    assert!(
        detail.contains("2 appraisals") && detail.contains("compute again"),
        "{detail}"
    );
    let revision = app
        .get(&format!("/api/v1/cycles/{cycle}"), &hr)
        .await
        .ok(200)["inputs_revision"]
        .as_i64()
        .unwrap();
    let listed = app
        .get(&format!("/api/v1/cycles/{cycle}/appraisals"), &hr)
        .await;
    for a in listed.ok(200)["items"].as_array().unwrap() {
        assert!(a["basis_revision"].as_i64().unwrap() < revision, "{a}");
    }

    // A person moved to another department during review: stale again after a compute.
    app.post(&compute, &hr, json!({})).await.ok(200);
    app.patch(
        &format!("/api/v1/users/{}", bob.id),
        &hr,
        json!({"department_id": hall}),
    )
    .await
    .ok(200);
    let refused = app.post(&state, &hr, json!({"state": "published"})).await;
    assert_eq!(refused.code(409), "stale");

    app.post(&compute, &hr, json!({})).await.ok(200);
    app.post(&state, &hr, json!({"state": "published"}))
        .await
        .ok(200);
    // Published with the new weights: Ann sold 100 % (100) and rated 1 (0) → 50.
    let ann_token = app.login(&ann.email, &ann.password).await;
    let mine = app.get("/api/v1/me/appraisals", &ann_token).await;
    let total = mine.ok(200)["items"][0]["total"].as_f64().unwrap();
    assert_eq!(total, 50.0);
}

async fn evidence_from_the_future_is_refused(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Store", "front_line").await;
    let lead = app.user(&hr, "supervisor", store, None).await;
    let ann = app.user(&hr, "staff", store, Some(lead.id)).await;
    let today = CompanyTime::parse(&app.settings.company.time_zone)
        .unwrap()
        .today();
    let tomorrow = today.succ_opt().unwrap();
    let (start, end) = (
        today - chrono::Duration::days(30),
        today + chrono::Duration::days(30),
    );
    app.open_cycle(&hr, "Now", &start.to_string(), &end.to_string())
        .await;

    let sale = |day: chrono::NaiveDate, reference: &str| {
        format!(
            "employee_id,occurred_on,amount,external_ref\n{},{day},100,{reference}\n",
            ann.id
        )
    };
    let refused = app
        .post_csv("/api/v1/sales-records", &hr, sale(tomorrow, "F1"))
        .await;
    let row = &refused.problem(422)["row_errors"][0];
    assert_eq!(row["column"], "occurred_on", "{row}");
    assert!(row["message"].as_str().unwrap().contains("future"), "{row}");
    app.post_csv("/api/v1/sales-records", &hr, sale(today, "F2"))
        .await
        .ok(200);

    let list = app
        .post(
            "/api/v1/checklists",
            &hr,
            json!({"name": "Etiquette", "items": [{"title": "Grooming", "max_points": 10}]}),
        )
        .await;
    let list = list.ok(201).clone();
    let inspection = |day: chrono::NaiveDate| {
        json!({"employee_id": ann.id, "checklist_id": list["id"], "occurred_on": day.to_string(),
               "scores": [{"item_id": list["items"][0]["id"], "points": 8}]})
    };
    let lead = app.login(&lead.email, &lead.password).await;
    let refused = app
        .post("/api/v1/inspections", &lead, inspection(tomorrow))
        .await;
    assert!(refused.field_error("occurred_on").contains("future"));
    app.post("/api/v1/inspections", &lead, inspection(today))
        .await
        .ok(201);
}

async fn a_column_named_twice_is_refused(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Store", "front_line").await;
    let ann = app.user(&hr, "staff", store, None).await;
    let bob = app.user(&hr, "staff", store, None).await;
    app.open_cycle(&hr, "2020", "2020-01-01", "2020-12-31")
        .await;
    let csv = format!(
        "employee_id,occurred_on,amount,external_ref,employee_id\n{},2020-02-01,100,D1,{}\n",
        ann.id, bob.id
    );
    let refused = app.post_csv("/api/v1/sales-records", &hr, csv).await;
    assert!(refused.field_error("header").contains("employee_id"));
}

async fn an_appeal_at_a_time_and_again_after_the_decision(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Store", "front_line").await;
    let ann = app.user(&hr, "staff", store, None).await;
    let cycle = app
        .open_cycle(&hr, "2020", "2020-01-01", "2020-12-31")
        .await;
    let state = format!("/api/v1/cycles/{cycle}/state");
    app.post(&state, &hr, json!({"state": "review"}))
        .await
        .ok(200);
    app.post(&format!("/api/v1/cycles/{cycle}/compute"), &hr, json!({}))
        .await
        .ok(200);
    app.post(&state, &hr, json!({"state": "published"}))
        .await
        .ok(200);
    let token = app.login(&ann.email, &ann.password).await;
    let id = app.get("/api/v1/me/appraisals", &token).await.ok(200)["items"][0]["id"]
        .as_i64()
        .unwrap();
    let appeal = format!("/api/v1/appraisals/{id}/appeal");
    let first = app
        .post(&appeal, &token, json!({"reason": "my surveys"}))
        .await;
    let first = first.ok(201)["id"].as_i64().unwrap();
    let while_open = app.post(&appeal, &token, json!({"reason": "again"})).await;
    let detail = while_open.problem(409)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("open appeal"), "{detail}");
    app.post(
        &format!("/api/v1/appeals/{first}/decision"),
        &hr,
        json!({"decision": "rejected", "note": "counted"}),
    )
    .await
    .ok(200);
    // Decided: the appraisal may be appealed again (within its window).
    app.post(&appeal, &token, json!({"reason": "once more"}))
        .await
        .ok(201);
    let open = app.get("/api/v1/appeals?state=open", &hr).await;
    assert_eq!(open.ok(200)["total"], 1);
}

/// One byte every 300 ms for a body of 100: answered 408 once the body deadline passes,
/// and the connection closed.
async fn a_body_that_arrives_too_slowly_is_answered_408(backend: Backend) {
    let Some(app) = spawn_with(backend, |s| s.server.body_timeout_seconds = 2).await else {
        return;
    };
    let hr = app.hr_token().await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v1/departments HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {hr}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    while started.elapsed() < Duration::from_secs(20) {
        if stream.write_all(b" ").await.is_err() {
            break;
        }
        let mut buffer = [0u8; 4096];
        match tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&buffer[..n]),
            Err(_) => {}
        }
    }
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answered only after {:?}",
        started.elapsed()
    );
}
