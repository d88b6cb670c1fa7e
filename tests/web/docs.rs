//! `/docs` is Swagger UI served by the binary: every resource the page loads comes from the
//! service itself (nothing leaves the machine), the operations of the API's own document
//! are listed, and a call tried with a token answers.

use crate::driver::Browser;
use crate::on_both_backends;
use crate::support::TestApp;

on_both_backends!(swagger_ui_is_served_locally_and_tries_a_call);

async fn swagger_ui_is_served_locally_and_tries_a_call(app: TestApp) {
    let token = app.hr_token().await;
    let Some(b) = Browser::start().await else {
        return;
    };
    b.goto(&format!("{}/docs", app.base)).await;
    b.find("#swagger-ui .opblock").await;
    assert_eq!(b.url().await, format!("{}/docs/", app.base));
    // From here on, anything the page's policy blocks is recorded (a blocked request
    // leaves no entry in the resource timings below).
    b.script(
        "window.__blocked = []; document.addEventListener('securitypolicyviolation', \
         function (e) { window.__blocked.push(e.blockedURI); });",
        vec![],
    )
    .await;
    let loaded = b
        .script(
            "return [location.href].concat(performance.getEntriesByType('resource')\
             .map(function (e) { return e.name; }));",
            vec![],
        )
        .await;
    let loaded: Vec<String> = serde_json::from_value(loaded).unwrap();
    let from_elsewhere: Vec<&String> = loaded
        .iter()
        .filter(|url| !url.starts_with(&format!("{}/", app.base)))
        .collect();
    assert!(
        from_elsewhere.is_empty(),
        "loaded from elsewhere: {from_elsewhere:?}"
    );
    for part in [
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "/api/v1/openapi.json",
    ] {
        assert!(
            loaded.iter().any(|url| url.contains(part)),
            "{part} not loaded: {loaded:?}"
        );
    }
    // The validator (which would call swagger.io) is off. (Swagger UI shows no badge for a
    // document on 127.0.0.1 anyway, so the configuration it is given is what is checked.)
    let initializer = crate::support::client()
        .get(format!("{}/docs/swagger-initializer.js", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        initializer.contains(r#""validatorUrl": "none""#),
        "{initializer}"
    );

    // Authorize with a token, then try GET /api/v1/me.
    b.click("button.authorize").await;
    b.fill(".auth-container input", &token).await;
    b.click(".auth-btn-wrapper button.authorize").await;
    b.click(".auth-btn-wrapper button.btn-done").await;
    let me = ".opblock-get:has(.opblock-summary-path[data-path='/api/v1/me'])";
    b.click(&format!("{me} .opblock-summary")).await;
    // "Try it out" is on from the start (the configuration says so).
    b.click(&format!("{me} .execute")).await;
    let status = b
        .text(&format!(
            "{me} .live-responses-table tbody .response-col_status"
        ))
        .await;
    assert_eq!(status.trim(), "200", "the call answered");
    let body = b
        .text(&format!(
            "{me} .live-responses-table tbody .response-col_description"
        ))
        .await;
    assert!(body.contains(&app.hr_email), "{body}");
    // The sign-in call's example body is what a person would type, not pattern noise.
    let login = ".opblock-post:has(.opblock-summary-path[data-path='/api/v1/auth/login'])";
    b.click(&format!("{login} .opblock-summary")).await;
    b.find(&format!("{login} textarea")).await;
    let example = b
        .script(
            &format!("return document.querySelector(\"{login} textarea\").value;"),
            vec![],
        )
        .await;
    let example = example.as_str().unwrap_or_default().to_owned();
    assert!(example.contains("li.na@example.com"), "{example}");
    // axe: nothing of impact critical or serious on the page as a visitor sees it, with an
    // operation open and its answer shown, at desktop width and on a phone.
    if let Some(script) = crate::sweep::axe_script() {
        for width in [1280, 375] {
            b.resize(width, 900).await;
            let found: Vec<serde_json::Value> = crate::sweep::axe(&b, &script)
                .await
                .into_iter()
                .filter(|v| matches!(v["impact"].as_str(), Some("critical" | "serious")))
                .collect();
            assert!(found.is_empty(), "axe at {width} px: {found:#?}");
        }
        let viewport = b
            .script(
                "return document.querySelector('meta[name=viewport]') !== null;",
                vec![],
            )
            .await;
        assert_eq!(viewport, serde_json::json!(true), "the page has a viewport");
    }
    let blocked = b.script("return window.__blocked;", vec![]).await;
    assert_eq!(
        blocked,
        serde_json::json!([]),
        "requests the policy blocked"
    );
    b.quit().await;
}
