//! Complaints (`/api/v1/complaints`): the desk logs one, the holder and its supervisors move
//! it on, everyone else gets 404; the escalation check, with the clock moved rather than
//! waited for, tells the holder's supervisor once and HR once; the customer's status link
//! names no one and stops working 30 days after the resolution.

use appraisal::db::Db;
use appraisal::notify::Notifier;
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use serde_json::{json, Value};

use crate::on_both_backends_with;
use crate::support::{spawn_with, Backend, Person, TestApp};

on_both_backends_with!(without_worker;
    the_desk_logs_and_the_holders_move_it_on,
    escalation_tells_the_supervisor_then_hr_once_each,
    the_customer_link_names_no_one_and_expires
);

/// The application without its own worker: the test runs the worker's rounds itself.
pub(crate) async fn without_worker(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, |s| s.notices.worker = false).await
}

/// A Shanghai wall-clock time as an instant.
pub(crate) fn shanghai(text: &str) -> DateTime<Utc> {
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&local)
        .unwrap()
        .with_timezone(&Utc)
}

struct Shop {
    hr: String,
    store: i64,
    warehouse: i64,
    /// The store's supervisor, Dana's manager.
    sam: Person,
    /// The desk.
    dana: Person,
    /// Dana's colleague at the store.
    pete: Person,
    /// The warehouse's supervisor and one of its staff.
    will: Person,
    wes: Person,
    /// A supervisor of a third department.
    olga: Person,
}

async fn shop(app: &TestApp) -> Shop {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "旗舰店", "front_line").await;
    let warehouse = app.department(&hr, "仓储物流部", "back_office").await;
    let calls = app.department(&hr, "客服热线", "front_line").await;
    let sam = app.user(&hr, "supervisor", store, None).await;
    let dana = app.user(&hr, "staff", store, Some(sam.id)).await;
    let pete = app.user(&hr, "staff", store, Some(sam.id)).await;
    let will = app.user(&hr, "supervisor", warehouse, None).await;
    let wes = app.user(&hr, "staff", warehouse, Some(will.id)).await;
    let olga = app.user(&hr, "supervisor", calls, None).await;
    Shop {
        hr,
        store,
        warehouse,
        sam,
        dana,
        pete,
        will,
        wes,
        olga,
    }
}

async fn token(app: &TestApp, person: &Person) -> String {
    app.login(&person.email, &person.password).await
}

async fn the_desk_logs_and_the_holders_move_it_on(app: TestApp) {
    app.clock().set(shanghai("2026-03-09 10:00"));
    let s = shop(&app).await;
    let dana = token(&app, &s.dana).await;
    let (pete, will, wes, olga, sam) = (
        token(&app, &s.pete).await,
        token(&app, &s.will).await,
        token(&app, &s.wes).await,
        token(&app, &s.olga).await,
        token(&app, &s.sam).await,
    );

    // The desk logs a complaint for the warehouse to act on.
    let logged = app
        .post(
            "/api/v1/complaints",
            &dana,
            json!({"channel": "counter", "priority": "high", "summary": "冰箱送货延误三天",
                   "customer_ref": "ORDER-8812", "department_id": s.warehouse,
                   "external_ref": "HD-1", "received_at": "2026-03-09T09:00:00+08:00"}),
        )
        .await;
    let logged = logged.ok(201);
    let id = logged["id"].as_i64().unwrap();
    assert_eq!(logged["state"], "open");
    assert_eq!(logged["department_name"], "仓储物流部");
    assert_eq!(logged["employee_id"], Value::Null);
    assert!(logged["status_url"].as_str().unwrap().starts_with("/c/"));
    assert_eq!(logged["limits"][0]["limit"], "first_response");
    assert_eq!(logged["limits"][0]["used_minutes"], 60);
    assert_eq!(logged["limits"][0]["due_at"], "2026-03-09T02:00:00Z");

    // The same helpdesk reference again: the complaint already logged, no second one.
    let again = app
        .post(
            "/api/v1/complaints",
            &dana,
            json!({"channel": "counter", "summary": "again", "department_id": s.warehouse,
                   "external_ref": "HD-1"}),
        )
        .await;
    assert_eq!(again.ok(200)["id"], id);
    assert!(again.ok(200).get("status_url").is_none());

    // Who sees it: the one who logged it and her supervisor, the holding department's
    // supervisor, HR. Not the desk's colleague, the warehouse's staff (not named), another
    // department's supervisor.
    let path = format!("/api/v1/complaints/{id}");
    for (who, status) in [
        (&dana, 200),
        (&sam, 200),
        (&will, 200),
        (&s.hr, 200),
        (&pete, 404),
        (&wes, 404),
        (&olga, 404),
    ] {
        assert_eq!(
            app.get(&path, who).await.status.as_u16(),
            status,
            "{status}"
        );
    }
    let listed = app.get("/api/v1/complaints", &pete).await;
    assert_eq!(listed.ok(200)["total"], 0);
    let held = app.get("/api/v1/complaints?held=true", &will).await;
    assert_eq!(held.ok(200)["total"], 1);

    // The desk may not answer for the warehouse; the warehouse's supervisor hands it to Wes.
    let events = format!("/api/v1/complaints/{id}/events");
    assert_eq!(
        app.post(&events, &dana, json!({"kind": "respond"}))
            .await
            .code(403),
        "forbidden"
    );
    let handed = app
        .post(
            &events,
            &will,
            json!({"kind": "hand_off", "to_employee_id": s.wes.id, "note": "INTERNAL: call the driver"}),
        )
        .await;
    assert_eq!(handed.ok(200)["employee_id"], s.wes.id);
    // Handing to someone outside the department named is refused with the field.
    let wrong = app
        .post(
            &events,
            &will,
            json!({"kind": "hand_off", "to_department_id": s.store, "to_employee_id": s.wes.id}),
        )
        .await;
    assert_eq!(wrong.field_codes("to_employee_id"), ["not_in_department"]);

    // Wes now sees it and answers; a resume while it is not waiting is a conflict.
    app.clock().set(shanghai("2026-03-09 10:30"));
    let answered = app.post(&events, &wes, json!({"kind": "respond"})).await;
    let answered = answered.ok(200);
    // 90 working minutes after receipt, against an hour: late.
    assert_eq!(answered["limits"][0]["outcome"], "missed");
    assert_eq!(answered["limits"][0]["used_minutes"], 90);
    assert_eq!(
        app.post(&events, &wes, json!({"kind": "resume"}))
            .await
            .code(409),
        "complaint_not_now"
    );
    // A field the document bounds is refused out of bounds, whatever the kind uses.
    let zero = app
        .post(&events, &wes, json!({"kind": "wait", "to_employee_id": 0}))
        .await;
    assert_eq!(zero.field_codes("to_employee_id"), ["not_positive_id"]);
    let follow_too_early = app
        .post(&events, &dana, json!({"kind": "follow_up", "rating": 5}))
        .await;
    assert_eq!(follow_too_early.code(409), "complaint_not_now");

    // Resolved; the desk takes the customer's follow-up (a rating out of range first).
    app.post(&events, &wes, json!({"kind": "resolve"}))
        .await
        .ok(200);
    let bad = app
        .post(&events, &dana, json!({"kind": "follow_up", "rating": 6}))
        .await;
    assert_eq!(bad.field_codes("rating"), ["out_of_range"]);
    let closed = app
        .post(&events, &dana, json!({"kind": "follow_up", "rating": 5}))
        .await;
    let closed = closed.ok(200);
    assert_eq!(closed["state"], "closed");
    assert_eq!(closed["follow_up_rating"], 5);
    let kinds: Vec<&str> = closed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        // Logged an hour after receipt with an hour to answer: level 1 at once.
        [
            "received",
            "escalated",
            "handed_off",
            "responded",
            "resolved",
            "follow_up"
        ]
    );
    assert_eq!(closed["events"][2]["note"], "INTERNAL: call the driver");

    // A bad instant and a future one are refused with their fields, nothing logged.
    let refused = app
        .post(
            "/api/v1/complaints",
            &dana,
            json!({"channel": "phone", "summary": "x", "received_at": "2026-03-09 09:00"}),
        )
        .await;
    assert_eq!(refused.field_codes("received_at"), ["not_instant"]);
    let future = app
        .post(
            "/api/v1/complaints",
            &dana,
            json!({"channel": "phone", "summary": "x", "received_at": "2026-03-10T09:00:00+08:00"}),
        )
        .await;
    assert_eq!(future.field_codes("received_at"), ["instant_in_future"]);
    let ancient = app
        .post(
            "/api/v1/complaints",
            &dana,
            json!({"channel": "phone", "summary": "x", "received_at": "0001-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(ancient.field_codes("received_at"), ["instant_too_old"]);
    let all = app.get("/api/v1/complaints", &s.hr).await;
    assert_eq!(all.ok(200)["total"], 1);
}

/// The mails of `kind` the worker sent so far, as (recipient, subject).
fn mails_of(notifier: &Notifier, kind: &str) -> Vec<(String, String)> {
    notifier
        .mailbox()
        .expect("memory transport")
        .all()
        .into_iter()
        .filter(|m| m.raw.contains(kind))
        .map(|m| {
            let mail = mailparse::parse_mail(m.raw.as_bytes()).unwrap();
            let subject = mailparse::MailHeaderMap::get_first_value(&mail.headers[..], "Subject")
                .unwrap_or_default();
            (m.to.join(","), subject)
        })
        .collect()
}

async fn escalation_tells_the_supervisor_then_hr_once_each(app: TestApp) {
    // Monday 12:00 in Shanghai; working hours 09:00–18:00 with lunch 12:00–13:30 (the
    // default), high priority: an hour to answer.
    app.clock().set(shanghai("2026-03-09 12:00"));
    let s = shop(&app).await;
    let dana = token(&app, &s.dana).await;
    let db = Db::connect(&app.settings.database).expect("database reachable");
    let notifier = Notifier::new(db, &app.settings).expect("notifier settings valid");
    let log = |summary: &str, received: &str| {
        json!({"channel": "phone", "priority": "high", "summary": summary,
               "received_at": received})
    };
    // Received three hours ago with a one-hour limit; Dana holds it.
    let late = app
        .post(
            "/api/v1/complaints",
            &dana,
            log("没人回电话", "2026-03-09T09:00:00+08:00"),
        )
        .await;
    let late = late.ok(201)["id"].as_i64().unwrap();
    // The same, but Dana answers it before level 2.
    let answered = app
        .post(
            "/api/v1/complaints",
            &dana,
            log("发票开错", "2026-03-09T09:00:00+08:00"),
        )
        .await;
    let answered = answered.ok(201)["id"].as_i64().unwrap();
    notifier.deliver_due().await.unwrap();
    let level_one = mails_of(&notifier, "complaint_escalated");
    assert_eq!(level_one.len(), 2, "level 1 for each: {level_one:?}");
    assert!(level_one.iter().all(|(to, _)| *to == s.sam.email));
    assert!(level_one
        .iter()
        .any(|(_, subject)| subject.contains(&format!("#{late}"))));

    app.post(
        &format!("/api/v1/complaints/{answered}/events"),
        &dana,
        json!({"kind": "respond"}),
    )
    .await
    .ok(200);

    // Half an hour later (lunch): nothing new. At 14:35 a working hour has passed since
    // level 1: level 2 to HR, for the complaint still not answered only.
    app.clock().advance(Duration::minutes(30));
    notifier.deliver_due().await.unwrap();
    assert_eq!(mails_of(&notifier, "complaint_escalated").len(), 2);
    app.clock().set(shanghai("2026-03-09 14:35"));
    // A complaint at 80 % of its limit (50 of 60 minutes): a reminder to its holder only.
    let near = app
        .post(
            "/api/v1/complaints",
            &dana,
            log("排队太久", "2026-03-09T13:45:00+08:00"),
        )
        .await;
    let near = near.ok(201)["id"].as_i64().unwrap();
    let near_id = near;
    for _ in 0..3 {
        notifier.deliver_due().await.unwrap();
        app.clock().advance(Duration::seconds(61));
    }
    let escalated = mails_of(&notifier, "complaint_escalated");
    assert_eq!(escalated.len(), 3, "{escalated:?}");
    let to_hr: Vec<_> = escalated
        .iter()
        .filter(|(to, _)| *to == app.hr_email)
        .collect();
    assert_eq!(to_hr.len(), 1);
    assert!(to_hr[0].1.contains(&format!("#{late}")), "{to_hr:?}");
    let reminders = mails_of(&notifier, "complaint_reminder");
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    assert_eq!(reminders[0].0, s.dana.email);
    assert!(reminders[0].1.contains(&format!("#{near}")));
    let near = app.get(&format!("/api/v1/complaints/{near}"), &dana).await;
    assert_eq!(near.ok(200)["escalation_level"], 0);

    // Answered after the fact (and the reminded one in time): nothing more, however long
    // the clock runs on.
    for id in [late, near_id] {
        app.post(
            &format!("/api/v1/complaints/{id}/events"),
            &dana,
            json!({"kind": "respond"}),
        )
        .await
        .ok(200);
    }
    app.clock().set(shanghai("2026-03-09 15:40"));
    notifier.deliver_due().await.unwrap();
    assert_eq!(mails_of(&notifier, "complaint_escalated").len(), 3);
    let history = app.get(&format!("/api/v1/complaints/{late}"), &s.hr).await;
    let levels: Vec<i64> = history.ok(200)["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "escalated")
        .map(|e| e["level"].as_i64().unwrap())
        .collect();
    assert_eq!(levels, [1, 2]);

    // A limit passes while Dana holds a complaint and no check has run yet; she then hands
    // it to the warehouse. The miss is hers: her supervisor hears of it, not the warehouse's.
    app.clock().set(shanghai("2026-03-10 09:00"));
    let passed = app
        .post(
            "/api/v1/complaints",
            &dana,
            json!({"channel": "phone", "priority": "high", "summary": "没人处理"}),
        )
        .await;
    let passed = passed.ok(201)["id"].as_i64().unwrap();
    app.clock().set(shanghai("2026-03-10 10:30"));
    app.post(
        &format!("/api/v1/complaints/{passed}/events"),
        &dana,
        json!({"kind": "hand_off", "to_department_id": s.warehouse}),
    )
    .await
    .ok(200);
    notifier.deliver_due().await.unwrap();
    let about_it: Vec<_> = mails_of(&notifier, "complaint_escalated")
        .into_iter()
        .filter(|(_, subject)| subject.contains(&format!("#{passed}")))
        .collect();
    assert_eq!(about_it.len(), 1, "{about_it:?}");
    assert_eq!(about_it[0].0, s.sam.email);
    let _ = (s.store, &s.will, &s.wes, &s.olga, &s.pete);
}

async fn the_customer_link_names_no_one_and_expires(app: TestApp) {
    app.clock().set(shanghai("2026-03-09 10:00"));
    let s = shop(&app).await;
    let dana = token(&app, &s.dana).await;
    let logged = app
        .post(
            "/api/v1/complaints",
            &dana,
            json!({"channel": "counter", "summary": "退货未到账 SECRET-SUMMARY",
                   "customer_ref": "PHONE-13800001111", "department_id": s.warehouse,
                   "employee_id": s.wes.id}),
        )
        .await;
    let logged = logged.ok(201);
    let id = logged["id"].as_i64().unwrap();
    let link = format!("{}{}", app.base, logged["status_url"].as_str().unwrap());
    let wes = token(&app, &s.wes).await;
    app.post(
        &format!("/api/v1/complaints/{id}/events"),
        &wes,
        json!({"kind": "wait", "note": "INTERNAL-NOTE 客户电话打不通"}),
    )
    .await
    .ok(200);

    let page = |url: String| async move {
        let response = app_client().get(url).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    };
    let (status, html) = page(link.clone()).await;
    assert_eq!(status, 200);
    assert!(html.contains("仓储物流部"), "{html}");
    assert!(html.contains("等待您的回复"), "{html}");
    assert!(html.contains("2026-03-09 10:00"), "{html}");
    for secret in [
        "Test staff",
        "Test supervisor",
        "INTERNAL-NOTE",
        "SECRET-SUMMARY",
        "PHONE-13800001111",
        s.wes.email.as_str(),
    ] {
        assert!(!html.contains(secret), "{secret} on the customer's page");
    }

    // Resolved; 30 days later it still works, a day after that it is gone.
    app.post(
        &format!("/api/v1/complaints/{id}/events"),
        &wes,
        json!({"kind": "resolve"}),
    )
    .await
    .ok(200);
    app.clock()
        .advance(Duration::days(30) - Duration::minutes(1));
    assert_eq!(page(link.clone()).await.0, 200);
    app.clock().advance(Duration::minutes(2));
    assert_eq!(page(link.clone()).await.0, 404);
    // A guessed link is 404 as well.
    let guessed = format!("{}/c/AAAAAAAAAAAAAAAAAAAAAA", app.base);
    assert_eq!(page(guessed).await.0, 404);
    assert_eq!(page(format!("{}/c/x", app.base)).await.0, 404);
}

fn app_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}
