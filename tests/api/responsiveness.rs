//! The fifth component, worked by hand (docs/PRODUCT.md, scoring and service recovery): a
//! month of complaints moved on with the clock set to each step, then the cycle computed.
//! Under weekday hours 09:00–18:00 with lunch 12:00–13:30, a holiday on Tuesday 10 March,
//! and a normal priority's hour to answer and four hours to resolve:
//!
//! | complaint | what happens | Dana | Wes |
//! |---|---|---|---|
//! | C1 | logged Fri 17:30, answered Mon 09:40 (70 min: the weekend does not count), resolved Mon 11:00 (150) | answer late, resolution in time | |
//! | C2 | logged Mon 17:30, answered Wed 09:20 (50: the holiday does not count), resolved Wed 11:00 (150) | both in time | |
//! | C3 | logged Wed 14:00, answered 14:10, waiting 14:30 until Thu 16:00, resolved Fri 10:20 (230), follow-up 5 | all three | |
//! | C4 | Dana logs and answers Mon 16th 09:10, hands off to Wes 09:30; he resolves 15:00 (270, passed at 14:30); follow-up 2 | answer in time | resolution late, follow-up unsatisfied |
//! | C5 | for Wes: answered and resolved in time Tue 17th, reopened by the desk six days later | | answer in time, resolution undone |
//! | C6 | for Wes: answered and resolved in time Wed 18th | | both in time |
//!
//! Dana: 4 complaints, 7 of 8 points → 87.50. Wes: 3 complaints, 3 of 6 → 50.00. Pete, with
//! one complaint, has too few (missing, "1 of 3").

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::TestApp;

on_both_backends!(responsiveness_counts_each_limit_for_whoever_held_it);

fn shanghai(text: &str) -> DateTime<Utc> {
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&local)
        .unwrap()
        .with_timezone(&Utc)
}

struct Desk<'a> {
    app: &'a TestApp,
}

impl Desk<'_> {
    /// At `when` (Shanghai), `token` logs a complaint with `extra` fields; its id.
    async fn log(&self, when: &str, token: &str, extra: Value) -> i64 {
        self.app.clock().set(shanghai(when));
        // The receipt as the desk writes it, to the minute.
        let received = shanghai(when).to_rfc3339();
        let mut body = json!({"channel": "counter", "summary": "投诉", "received_at": received});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.app
            .post("/api/v1/complaints", token, body)
            .await
            .ok(201)["id"]
            .as_i64()
            .unwrap()
    }

    /// At `when`, `token` does `body` to complaint `id`; the complaint after it.
    async fn step(&self, when: &str, token: &str, id: i64, body: Value) -> Value {
        self.app.clock().set(shanghai(when));
        self.app
            .post(&format!("/api/v1/complaints/{id}/events"), token, body)
            .await
            .ok(200)
            .clone()
    }
}

fn used(complaint: &Value, limit: usize) -> i64 {
    complaint["limits"][limit]["used_minutes"].as_i64().unwrap()
}

async fn responsiveness_counts_each_limit_for_whoever_held_it(app: TestApp) {
    app.clock().set(shanghai("2026-03-02 09:00"));
    let hr = app.hr_token().await;
    let mut policy =
        serde_json::to_value(appraisal::domain::sla::SlaPolicy::default_policy()).unwrap();
    policy["priorities"]["normal"] =
        json!({"first_response_minutes": 60, "resolution_minutes": 240});
    policy["holidays"] = json!(["2026-03-10"]);
    app.put("/api/v1/sla-policy", &hr, policy).await.ok(200);

    let store = app.department(&hr, "旗舰店", "front_line").await;
    let warehouse = app.department(&hr, "仓储物流部", "back_office").await;
    let sam = app.user(&hr, "supervisor", store, None).await;
    let dana = app.user(&hr, "staff", store, Some(sam.id)).await;
    let pete = app.user(&hr, "staff", store, Some(sam.id)).await;
    let will = app.user(&hr, "supervisor", warehouse, None).await;
    let wes = app.user(&hr, "staff", warehouse, Some(will.id)).await;
    let cycle = app
        .post(
            "/api/v1/cycles",
            &hr,
            json!({"name": "2026年3月", "period_start": "2026-03-01", "period_end": "2026-03-31"}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    // The complaints alone decide the total: responsiveness has all the weight, a client
    // that knows four components would leave it 0.
    app.put(
        &format!("/api/v1/cycles/{cycle}/scheme"),
        &hr,
        json!({"weights": {"sales": 0, "satisfaction": 0, "etiquette": 0, "collaboration": 0,
                           "responsiveness": 100},
               "grade_bands": [{"grade": "A", "min_total": 85}, {"grade": "B", "min_total": 0}]}),
    )
    .await
    .ok(200);
    app.post(
        &format!("/api/v1/cycles/{cycle}/state"),
        &hr,
        json!({"state": "open"}),
    )
    .await
    .ok(200);
    let (d, w, p) = (
        app.login(&dana.email, &dana.password).await,
        app.login(&wes.email, &wes.password).await,
        app.login(&pete.email, &pete.password).await,
    );
    let desk = Desk { app: &app };
    let respond = json!({"kind": "respond"});
    let resolve = json!({"kind": "resolve"});

    // C1: across the weekend.
    let c1 = desk.log("2026-03-06 17:30", &d, json!({})).await;
    let after = desk.step("2026-03-09 09:40", &d, c1, respond.clone()).await;
    assert_eq!(used(&after, 0), 70);
    assert_eq!(after["limits"][0]["outcome"], "missed");
    desk.step("2026-03-09 11:00", &d, c1, resolve.clone()).await;
    // C2: across the holiday.
    let c2 = desk.log("2026-03-09 17:30", &d, json!({})).await;
    let after = desk.step("2026-03-11 09:20", &d, c2, respond.clone()).await;
    assert_eq!(used(&after, 0), 50);
    assert_eq!(after["limits"][0]["outcome"], "in_time");
    desk.step("2026-03-11 11:00", &d, c2, resolve.clone()).await;
    // C3: waiting for the customer stops the clock.
    let c3 = desk.log("2026-03-11 14:00", &d, json!({})).await;
    desk.step("2026-03-11 14:10", &d, c3, respond.clone()).await;
    desk.step("2026-03-11 14:30", &d, c3, json!({"kind": "wait"}))
        .await;
    desk.step("2026-03-12 16:00", &d, c3, json!({"kind": "resume"}))
        .await;
    let after = desk.step("2026-03-13 10:20", &d, c3, resolve.clone()).await;
    assert_eq!(used(&after, 1), 230);
    assert_eq!(after["limits"][1]["outcome"], "in_time");
    desk.step(
        "2026-03-13 10:30",
        &d,
        c3,
        json!({"kind": "follow_up", "rating": 5}),
    )
    .await;
    // C4: the desk answers and hands off; the warehouse lets the resolution pass.
    let c4 = desk.log("2026-03-16 09:00", &d, json!({})).await;
    desk.step("2026-03-16 09:10", &d, c4, respond.clone()).await;
    desk.step(
        "2026-03-16 09:30",
        &d,
        c4,
        json!({"kind": "hand_off", "to_employee_id": wes.id}),
    )
    .await;
    let after = desk.step("2026-03-16 15:00", &w, c4, resolve.clone()).await;
    assert_eq!(used(&after, 1), 270);
    assert_eq!(after["limits"][1]["outcome"], "missed");
    desk.step(
        "2026-03-16 15:30",
        &d,
        c4,
        json!({"kind": "follow_up", "rating": 2}),
    )
    .await;
    // C5: resolved in time, reopened six days later.
    let for_wes = json!({"department_id": warehouse, "employee_id": wes.id});
    let c5 = desk.log("2026-03-17 09:00", &d, for_wes.clone()).await;
    desk.step("2026-03-17 09:30", &w, c5, respond.clone()).await;
    desk.step("2026-03-17 10:00", &w, c5, resolve.clone()).await;
    let after = desk
        .step("2026-03-23 10:00", &d, c5, json!({"kind": "reopen"}))
        .await;
    assert_eq!(after["limits"][1]["outcome"], "missed");
    desk.step("2026-03-23 10:30", &w, c5, resolve.clone()).await;
    // C6: in time.
    let c6 = desk.log("2026-03-18 09:00", &d, for_wes).await;
    desk.step("2026-03-18 09:20", &w, c6, respond.clone()).await;
    desk.step("2026-03-18 11:00", &w, c6, resolve.clone()).await;
    // Pete: one complaint of his own.
    let c7 = desk.log("2026-03-19 10:00", &p, json!({})).await;
    desk.step("2026-03-19 10:05", &p, c7, respond).await;
    desk.step("2026-03-19 10:10", &p, c7, resolve).await;

    app.clock().set(shanghai("2026-04-01 09:00"));
    app.review_and_compute(&hr, cycle).await;
    let component = |a: &Value| a["components"]["responsiveness"].clone();

    let dana_appraisal = app.appraisal_of(&hr, cycle, dana.id).await;
    let r = component(&dana_appraisal);
    assert_eq!(r["score"], json!(87.5), "{r}");
    assert_eq!(r["evidence"], 4);
    assert_eq!(r["weight"], 100);
    assert_eq!(dana_appraisal["total"], json!(87.5));
    assert_eq!(dana_appraisal["grade"], "A");

    let wes_appraisal = app.appraisal_of(&hr, cycle, wes.id).await;
    let r = component(&wes_appraisal);
    assert_eq!(r["score"], json!(50.0), "{r}");
    assert_eq!(r["evidence"], 3);
    assert_eq!(wes_appraisal["total"], json!(50.0));

    let pete_appraisal = app.appraisal_of(&hr, cycle, pete.id).await;
    let r = component(&pete_appraisal);
    assert_eq!(r["score"], Value::Null);
    assert_eq!(r["evidence"], 1);
    assert_eq!(r["missing"]["code"], "too_few");
    assert_eq!(r["missing_reason"], "1 of 3 required complaints");
    assert_eq!(pete_appraisal["status"], "insufficient evidence");

    // The complaints report counts the same limits for the same people.
    let report = app
        .get(&format!("/api/v1/cycles/{cycle}/complaints/report"), &hr)
        .await;
    let report = report.ok(200);
    assert_eq!(report["complaints"], 7);
    let row = |id: i64| {
        report["employees"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["employee_id"] == id)
            .unwrap_or_else(|| panic!("no row of {id}: {report}"))
            .clone()
    };
    let dana_row = row(dana.id);
    assert_eq!(dana_row["complaints"], 4);
    assert_eq!(dana_row["first_response_in_time"], json!(75.0));
    assert_eq!(dana_row["resolution_in_time"], json!(100.0));
    // 10, 10, 50, 70 working minutes to answer; 150, 150, 230 to resolve.
    assert_eq!(dana_row["median_first_response_minutes"], 30);
    assert_eq!(dana_row["median_resolution_minutes"], 150);
    assert_eq!(dana_row["reopen_rate"], json!(0.0));
    let w = row(wes.id);
    assert_eq!(w["complaints"], 3);
    assert_eq!(w["first_response_in_time"], json!(100.0));
    assert_eq!(w["resolution_in_time"], json!(33.33));
    assert_eq!(w["reopen_rate"], json!(33.33));
    let back_office = report["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["department_id"] == warehouse)
        .unwrap()
        .clone();
    assert_eq!(back_office["complaints"], 3);

    // The same figures in HR's export, on a sheet of their own.
    {
        use calamine::{Data, Reader};
        let path = format!("/api/v1/cycles/{cycle}/export");
        let (status, _, xlsx) = crate::hr_work::download(&app, &path, &hr, None).await;
        assert_eq!(status, 200);
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
        assert_eq!(book.sheet_names().len(), 3, "{:?}", book.sheet_names());
        let sheet = book.worksheet_range("Complaints report").unwrap();
        let dana_name = dana_row["employee_name"].as_str().unwrap();
        let dana_sheet = sheet
            .rows()
            .find(|r| r[1] == Data::String(dana_name.to_owned()))
            .expect("Dana's row");
        assert_eq!(dana_sheet[2], Data::Float(4.0), "{dana_sheet:?}");
        assert_eq!(dana_sheet[3], Data::Float(75.0));
        assert_eq!(dana_sheet[4], Data::Float(100.0));
        assert_eq!(dana_sheet[5], Data::Float(30.0));
    }

    // A follow-up taken after the compute changes what C2 counts: the drafts are stale, and
    // the cycle is not published until it is computed again.
    desk.step(
        "2026-04-01 10:00",
        &d,
        c2,
        json!({"kind": "follow_up", "rating": 5}),
    )
    .await;
    let refused = app
        .post(
            &format!("/api/v1/cycles/{cycle}/state"),
            &hr,
            json!({"state": "published"}),
        )
        .await;
    assert_eq!(refused.code(409), "stale");

    // The back office's supervisor was not charged (C4 went to Wes by name).
    let will_appraisal = app.appraisal_of(&hr, cycle, will.id).await;
    assert_eq!(component(&will_appraisal)["evidence"], 0);
    let _ = sam;
}
