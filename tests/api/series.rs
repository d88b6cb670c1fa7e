//! Cycles in series: a monthly store series inside the quarterly company series. Periods
//! never overlap within a series and may across; dated evidence counts in every cycle whose
//! period holds its date, and is refused while any of them is past taking it.

use serde_json::{json, Value};

use crate::on_both_backends;
use crate::races::{at_once, count_of};
use crate::support::TestApp;

on_both_backends!(
    evidence_counts_in_every_series_whose_period_holds_it,
    overlap_within_a_series_is_refused_even_at_the_same_instant,
);

async fn evidence_of(app: &TestApp, hr: &str, cycle: i64, employee: i64) -> Value {
    let path = format!("/api/v1/cycles/{cycle}/evidence?employee_id={employee}");
    app.get(&path, hr).await.ok(200)["employees"][0].clone()
}

fn sale(employee: i64, day: &str, amount: i64, reference: &str) -> Value {
    json!([{"employee_id": employee, "occurred_on": day, "amount": amount, "external_ref": reference}])
}

async fn evidence_counts_in_every_series_whose_period_holds_it(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "旗舰店", "front_line").await;
    let lead = app.user(&hr, "supervisor", store, None).await;
    let ann = app.user(&hr, "staff", store, Some(lead.id)).await;
    let quarter = app
        .open_cycle_in(&hr, "季度", "2026 Q1", ["2026-01-01", "2026-03-31"])
        .await;
    let january = app
        .open_cycle_in(&hr, "月度", "2026年1月", ["2026-01-01", "2026-01-31"])
        .await;
    let february = app
        .open_cycle_in(&hr, "月度", "2026年2月", ["2026-02-01", "2026-02-28"])
        .await;
    let listed = app.get("/api/v1/cycles", &hr).await;
    let series: Vec<&str> = listed.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["series"].as_str().unwrap())
        .collect();
    assert_eq!(series.len(), 3);
    assert_eq!(series.iter().filter(|s| **s == "月度").count(), 2);

    // A sale in January counts in January and in the quarter; one in February in February
    // and in the quarter.
    app.post(
        "/api/v1/sales-records",
        &hr,
        sale(ann.id, "2026-01-10", 10_000, "S-1"),
    )
    .await
    .ok(200);
    app.post(
        "/api/v1/sales-records",
        &hr,
        sale(ann.id, "2026-02-10", 20_000, "S-2"),
    )
    .await
    .ok(200);
    let checklist = app
        .post(
            "/api/v1/checklists",
            &hr,
            json!({"name": "礼仪", "items": [{"title": "仪容仪表", "max_points": 10}]}),
        )
        .await
        .ok(201)
        .clone();
    let sup = app.login(&lead.email, &lead.password).await;
    let inspected = app
        .post(
            "/api/v1/inspections",
            &sup,
            json!({"employee_id": ann.id, "checklist_id": checklist["id"], "occurred_on": "2026-01-12",
                   "scores": [{"item_id": checklist["items"][0]["id"], "points": 8}]}),
        )
        .await;
    inspected.ok(201);
    let totals = |e: &Value| {
        (
            e["sales_records"].clone(),
            e["sales_total"].clone(),
            e["inspections"].clone(),
        )
    };
    assert_eq!(
        totals(&evidence_of(&app, &hr, january, ann.id).await),
        (json!(1), json!(10_000), json!(1))
    );
    assert_eq!(
        totals(&evidence_of(&app, &hr, february, ann.id).await),
        (json!(1), json!(20_000), json!(0))
    );
    assert_eq!(
        totals(&evidence_of(&app, &hr, quarter, ann.id).await),
        (json!(2), json!(30_000), json!(1))
    );
    // The inspection is listed in the cycles whose period holds it.
    for (cycle, expected) in [(january, 1), (february, 0), (quarter, 1)] {
        let list = app
            .get(&format!("/api/v1/inspections?cycle_id={cycle}"), &hr)
            .await;
        assert_eq!(
            list.ok(200)["total"],
            expected,
            "inspections of cycle {cycle}"
        );
    }

    // January goes to review: a late January sale would change it, so it is refused (naming
    // January) even though the quarter is still open, and nothing is stored; February's
    // dates still take evidence.
    app.review_and_compute(&hr, january).await;
    let late = app
        .post(
            "/api/v1/sales-records",
            &hr,
            sale(ann.id, "2026-01-20", 5_000, "S-3"),
        )
        .await;
    late.problem(409);
    let message = late.body["row_errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("2026年1月"), "{message}");
    assert_eq!(
        evidence_of(&app, &hr, quarter, ann.id).await["sales_total"],
        30_000
    );
    // The quarter-to-date file sent again with a new February row: the January row already
    // stored is skipped, the new one taken.
    let again = json!([
        {"employee_id": ann.id, "occurred_on": "2026-01-10", "amount": 10_000, "external_ref": "S-1"},
        {"employee_id": ann.id, "occurred_on": "2026-02-20", "amount": 5_000, "external_ref": "S-4"}
    ]);
    let resent = app.post("/api/v1/sales-records", &hr, again).await;
    assert_eq!(
        (&resent.ok(200)["unchanged"], &resent.body["inserted"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(
        evidence_of(&app, &hr, quarter, ann.id).await["sales_total"],
        35_000
    );

    // Each cycle is computed from its own period: January's appraisal holds January's sale.
    let appraisal = app.appraisal_of(&hr, january, ann.id).await;
    assert_eq!(appraisal["sales_total"], 10_000, "{appraisal}");
    assert_eq!(appraisal["inspections"].as_array().unwrap().len(), 1);
    app.review_and_compute(&hr, quarter).await;
    let appraisal = app.appraisal_of(&hr, quarter, ann.id).await;
    assert_eq!(appraisal["sales_total"], 35_000, "{appraisal}");
    assert_eq!(appraisal["inspections"].as_array().unwrap().len(), 1);

    // A cycle without a series is in `main`; moving February into the quarter's series
    // overlaps the quarter and is refused, naming it and the series.
    let main = app
        .post(
            "/api/v1/cycles",
            &hr,
            json!({"name": "2026 H1", "period_start": "2026-01-01", "period_end": "2026-06-30"}),
        )
        .await;
    assert_eq!(main.ok(201)["series"], "main");
    // A series is known by any of its names: 主系列 (how the pages show `main`) is main, and
    // a full-width space or letter case makes no new series.
    for (typed, stored, start) in [
        ("主系列", "main", "2027-01-01"),
        ("月度　", "月度", "2026-04-01"),
    ] {
        let made = app
            .post(
                "/api/v1/cycles",
                &hr,
                json!({"name": format!("{typed} {start}"), "series": typed,
                       "period_start": start, "period_end": start}),
            )
            .await;
        assert_eq!(made.ok(201)["series"], stored, "{typed}");
    }
    let moved = app
        .patch(
            &format!("/api/v1/cycles/{february}"),
            &hr,
            json!({"series": "季度"}),
        )
        .await;
    assert_eq!(moved.code(409), "period_overlaps");
    let detail = moved.body["detail"].as_str().unwrap_or_default().to_owned();
    assert!(
        detail.contains("2026 Q1") && detail.contains("季度"),
        "{}",
        moved.body
    );
    let blank = app
        .patch(
            &format!("/api/v1/cycles/{february}"),
            &hr,
            json!({"series": " "}),
        )
        .await;
    blank.field_error("series");
}

async fn overlap_within_a_series_is_refused_even_at_the_same_instant(app: TestApp) {
    let hr = app.hr_token().await;
    let create = |name: &str, series: &str| {
        app.post(
            "/api/v1/cycles",
            &hr,
            json!({"name": name, "series": series, "period_start": "2026-04-01",
                   "period_end": "2026-04-30"}),
        )
    };
    for round in 0..5 {
        let series = format!("月度{round}");
        // Two cycles of one series over the same month at once: one is created.
        let same = at_once(vec![
            create(&format!("A{round}"), &series),
            create(&format!("B{round}"), &series),
        ])
        .await;
        assert_eq!(count_of(&same, 201), 1, "round {round}: {same:?}");
        assert_eq!(count_of(&same, 409), 1, "round {round}: {same:?}");
        // The same month in another series at once with a third: both are created.
        let across = at_once(vec![
            create(&format!("C{round}"), &format!("季度{round}")),
            create(&format!("D{round}"), &format!("半年{round}")),
        ])
        .await;
        assert_eq!(count_of(&across, 201), 2, "round {round}: {across:?}");
    }
}
