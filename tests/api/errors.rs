use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{answer, TestApp};

on_both_backends!(
    probes_answer,
    every_error_is_problem_json,
    oversized_bodies_are_refused,
    import_limits_are_answered_not_crashed,
    nul_characters_are_refused_not_stored,
    problems_speak_the_readers_language,
);

/// `Accept-Language` chooses the words of a problem; its codes stay the same (PRODUCT §9).
async fn problems_speak_the_readers_language(app: TestApp) {
    let hr = app.hr_token().await;
    let cycle = app
        .post(
            "/api/v1/cycles",
            &hr,
            json!({"name": "2027 Q1", "period_start": "2027-01-01", "period_end": "2027-03-31"}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let scheme = json!({
        "weights": {"sales": 40, "satisfaction": 30, "etiquette": 20, "collaboration": 20},
        "grade_bands": [{"grade": "A", "min_total": 90}, {"grade": "B", "min_total": 95},
                        {"grade": "C", "min_total": 0}]});
    let path = format!("/api/v1/cycles/{cycle}/scheme");
    let put = |language: Option<&'static str>| {
        let request = app
            .client
            .put(format!("{}{path}", app.base))
            .bearer_auth(&hr)
            .json(&scheme);
        match language {
            Some(l) => request.header("accept-language", l),
            None => request,
        }
    };
    let chinese = answer(put(Some("zh-CN,zh;q=0.9,en;q=0.5")).send().await.unwrap()).await;
    let body = chinese.problem(422);
    assert_eq!(body["title"], "无法处理的内容", "{body}");
    assert_eq!(body["code"], "validation");
    let weights = &body["errors"]["weights"];
    assert_eq!(weights, "权重合计必须为 100（当前为 110）", "{body}");
    let fields: Vec<(&str, &str, &str)> = body["field_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap(),
                e["code"].as_str().unwrap(),
                e["label"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        fields.contains(&("weights", "weights_sum", "权重")),
        "{fields:?}"
    );
    assert!(
        fields
            .iter()
            .any(|(f, c, _)| *f == "grade_bands" && *c == "bands_not_decreasing"),
        "{fields:?}"
    );
    // Without the header (and with a language the service does not speak): English, the
    // same codes.
    for language in [None, Some("fr-FR")] {
        let english = answer(put(language).send().await.unwrap()).await;
        let body = english.problem(422);
        assert_eq!(body["title"], "Unprocessable content", "{body}");
        assert_eq!(
            body["errors"]["weights"],
            "must sum to 100 (they sum to 110)"
        );
        assert_eq!(english.field_codes("weights"), ["weights_sum"]);
    }
    // A conflict, and actix's own answers (an unknown path), in Chinese too.
    let opened = app
        .client
        .post(format!("{}/api/v1/cycles/{cycle}/state", app.base))
        .bearer_auth(&hr)
        .header("accept-language", "zh-CN")
        .json(&json!({"state": "open"}))
        .send()
        .await
        .unwrap();
    let opened = answer(opened).await;
    assert_eq!(opened.code(409), "scheme_needed");
    assert!(
        opened.body["detail"].as_str().unwrap().contains("权重"),
        "{:?}",
        opened.body
    );
    let unknown = app
        .client
        .get(format!("{}/api/v1/no-such-thing", app.base))
        .bearer_auth(&hr)
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap();
    let unknown = answer(unknown).await;
    assert_eq!(unknown.code(404), "not_found");
    assert!(
        unknown.body["title"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| c > '\u{4e00}'),
        "{:?}",
        unknown.body
    );
}

/// PostgreSQL cannot store U+0000; every way in answers 422 naming the field instead of
/// reaching the database (it answered 500 on PostgreSQL before).
async fn nul_characters_are_refused_not_stored(app: TestApp) {
    let hr = app.hr_token().await;
    let login = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({"email": "a\u{0}b@example.com", "password": "x"})),
        )
        .await;
    assert!(login.field_error("email").contains("U+0000"));
    let audit = app.get("/api/v1/audit-events?entity=user%00", &hr).await;
    assert!(audit.field_error("entity").contains("U+0000"));
    let rating = app
        .post(
            "/api/v1/collaboration-ratings",
            &hr,
            json!({"ratee_id": 1, "cycle_id": 1, "rating": 3, "comment": "ok\u{0}"}),
        )
        .await;
    assert!(rating.field_error("comment").contains("U+0000"));
    let department = app
        .post(
            "/api/v1/departments",
            &hr,
            json!({"name": "Desk\u{0}", "kind": "front_line"}),
        )
        .await;
    assert!(department.field_error("name").contains("U+0000"));
    // Tabs and line breaks are fine in free text; other control characters are not.
    let bell = app
        .post(
            "/api/v1/collaboration-ratings",
            &hr,
            json!({"ratee_id": 1, "cycle_id": 1, "rating": 3, "comment": "ok\u{7}"}),
        )
        .await;
    assert!(bell.field_error("comment").contains("control characters"));
    app.get("/api/v1/departments", &hr).await.ok(200);
}

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
    // Every path answers a method it does not serve with 405 and the methods it does.
    for (path, allow) in [
        ("/api/v1/users", "GET, POST"),
        ("/api/v1/me", "GET"),
        ("/api/v1/cycles/1/scheme", "GET, PUT"),
        ("/health", "GET"),
    ] {
        let answer = app.send(Method::DELETE, path, Some(&hr), None).await;
        assert_eq!(answer.header("allow"), Some(allow), "{path}");
        answer.problem(405);
    }
    // Without a token, nothing under /api/v1 is told apart: unknown paths are 401 too.
    app.send(Method::GET, "/api/v1/nothing-here", None, None)
        .await
        .problem(401);
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

/// Bulk imports are where a client can send the most: each limit answers with a problem
/// naming it, and the server carries on.
async fn import_limits_are_answered_not_crashed(app: TestApp) {
    let hr = app.hr_token().await;
    let path = "/api/v1/sales-records";

    let wide: Vec<String> = (0..21).map(|i| format!("c{i}")).collect();
    let answer = app
        .post_csv(path, &hr, format!("{}\n", wide.join(",")))
        .await;
    assert!(answer
        .field_error("header")
        .contains("more than 20 columns"));

    let mut tall = String::from("employee_id,occurred_on,amount,external_ref\n");
    for i in 0..200_001 {
        tall.push_str(&format!("1,2026-01-01,1,r{i}\n"));
    }
    let answer = app.post_csv(path, &hr, tall).await;
    assert!(answer.field_error("body").contains("more than 200000 rows"));
    let rows: Vec<_> = (0..200_001)
        .map(|i| json!({"employee_id": 1, "occurred_on": "2026-01-01", "amount": 1, "external_ref": format!("j{i}")}))
        .collect();
    let answer = app.post(path, &hr, json!(rows)).await;
    assert!(answer.field_error("body").contains("more than 200000 rows"));

    let long_cell = format!(
        "employee_id,occurred_on,amount,external_ref\n1,2026-01-01,1,{}\n",
        "r".repeat(2_001)
    );
    let answer = app.post_csv(path, &hr, long_cell).await;
    let errors = &answer.problem(422)["row_errors"];
    assert!(
        errors.to_string().contains("external_ref"),
        "the long cell is named: {errors}"
    );

    // Over 32 MiB: 413 as soon as the limit is passed. The server stops reading there, so a
    // client still writing the rest may see its connection closed instead of the answer.
    let sent = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(&hr)
        .header("content-type", "text/csv")
        .body("x".repeat(33 * 1024 * 1024))
        .send()
        .await;
    match sent {
        Ok(response) => {
            crate::support::answer(response).await.problem(413);
        }
        Err(error) => assert!(error.is_request() || error.is_body(), "{error}"),
    }

    let listed = app.get("/api/v1/notices?limit=201", &hr).await;
    listed.field_error("limit");
    // The server carries on.
    app.get("/api/v1/me", &hr).await.ok(200);
}
