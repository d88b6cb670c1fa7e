use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{answer, TestApp};

on_both_backends!(
    probes_answer,
    every_error_is_problem_json,
    oversized_bodies_are_refused
);

async fn probes_answer(app: TestApp) {
    let health = answer(
        app.client
            .get(format!("{}/health", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(health.ok(200)["status"], "up");
    let ready = answer(
        app.client
            .get(format!("{}/ready", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(ready.ok(200)["status"], "ready");
    assert_eq!(ready.header("x-request-id").map(str::len), Some(16));
}

async fn every_error_is_problem_json(app: TestApp) {
    let hr = app.hr_token().await;
    app.get("/api/v1/nothing-here", &hr).await.problem(404);
    app.get("/api/v1/users/abc", &hr).await.problem(404);
    app.get("/api/v1/users/99999999999", &hr).await.problem(404);
    app.get("/api/v1/users/0", &hr).await.problem(404);
    app.send(Method::DELETE, "/api/v1/users", Some(&hr), None)
        .await
        .problem(405);
    app.send(Method::DELETE, "/api/v1/me", Some(&hr), None)
        .await
        .problem(404);
    // Authentication comes before the body: no token and a broken body is 401, not 400.
    for (token, status) in [(None, 401u16), (Some("garbage".to_owned()), 401)] {
        let mut request = app
            .client
            .post(format!("{}/api/v1/users", app.base))
            .header("content-type", "application/json")
            .body("{not json");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        answer(request.send().await.unwrap()).await.problem(status);
    }
    // Missing fields in the login body name the field, wrong types too.
    let login = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({"email": "a@b.co"})),
        )
        .await;
    assert_eq!(login.field_error("password"), "is required");
    let login = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({"email": 5, "password": "x"})),
        )
        .await;
    login.field_error("email");
    let array = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!([1, 2])),
        )
        .await;
    array.field_error("body");
}

async fn oversized_bodies_are_refused(app: TestApp) {
    let hr = app.hr_token().await;
    let huge = json!({"name": "x".repeat(100 * 1024), "kind": "front_line"});
    app.post("/api/v1/departments", &hr, huge)
        .await
        .problem(413);
    // Nothing was created, and the server is fine.
    let list = app.get("/api/v1/departments", &hr).await;
    assert_eq!(list.ok(200)["total"], 1, "only the HR department");
}
