//! Cycles, schemes, checklists, inspections, bulk evidence and collaboration ratings.

use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{Person, TestApp};

on_both_backends!(
    a_full_data_entry_round,
    scheme_and_state_rules_are_enforced,
    inspections_respect_scope_and_checklists,
    a_bad_csv_row_changes_nothing_and_reimports_count_once,
    checklist_edits_after_use_make_a_new_version,
    collaboration_ratings_cross_departments_and_replace,
    every_evidence_write_is_audited,
);

/// A small company: a front-line team (supervisor + two staff) and a back-office team
/// (supervisor + one staff), one cycle over Q1 2026 with a scheme, one checklist.
struct Company {
    hr: String,
    front: i64,
    back: i64,
    front_sup: Person,
    ann: Person,
    bo: Person,
    back_sup: Person,
    cy: Person,
    cycle: i64,
    checklist: Value,
}

fn scheme() -> Value {
    json!({
        "weights": {"sales": 40, "satisfaction": 30, "etiquette": 20, "collaboration": 10},
        "full_marks_at": 120,
        "min_evidence": {"satisfaction": 3},
        "grade_bands": [
            {"grade": "A", "min_total": 90}, {"grade": "B", "min_total": 75},
            {"grade": "C", "min_total": 60}, {"grade": "D", "min_total": 0}
        ]
    })
}

fn checklist_body(name: &str) -> Value {
    json!({
        "name": name,
        "items": [
            {"title": "Grooming and attire", "max_points": 10},
            {"title": "Courteous language", "max_points": 10, "critical": true},
            {"title": "Procedure", "max_points": 5}
        ]
    })
}

impl Company {
    async fn new(app: &TestApp, open: bool) -> Company {
        let hr = app.hr_token().await;
        let front = app.department(&hr, "Flagship Store", "front_line").await;
        let back = app.department(&hr, "Warehouse", "back_office").await;
        let front_sup = app.user(&hr, "supervisor", front, None).await;
        let ann = app.user(&hr, "staff", front, Some(front_sup.id)).await;
        let bo = app.user(&hr, "staff", front, Some(front_sup.id)).await;
        let back_sup = app.user(&hr, "supervisor", back, None).await;
        let cy = app.user(&hr, "staff", back, Some(back_sup.id)).await;
        let cycle = app
            .post(
                "/api/v1/cycles",
                &hr,
                json!({"name": "2026 Q1", "period_start": "2026-01-01",
                       "period_end": "2026-03-31", "appeal_window_days": 10}),
            )
            .await;
        let cycle = cycle.ok(201)["id"].as_i64().unwrap();
        app.put(&format!("/api/v1/cycles/{cycle}/scheme"), &hr, scheme())
            .await
            .ok(200);
        let checklist = app
            .post("/api/v1/checklists", &hr, checklist_body("Store etiquette"))
            .await
            .ok(201)
            .clone();
        let company = Company {
            hr,
            front,
            back,
            front_sup,
            ann,
            bo,
            back_sup,
            cy,
            cycle,
            checklist,
        };
        if open {
            company.set_state(app, "open").await.ok(200);
        }
        company
    }

    async fn set_state(&self, app: &TestApp, state: &str) -> crate::support::Answer {
        app.post(
            &format!("/api/v1/cycles/{}/state", self.cycle),
            &self.hr,
            json!({"state": state}),
        )
        .await
    }

    fn item(&self, i: usize) -> i64 {
        self.checklist["items"][i]["id"].as_i64().unwrap()
    }

    fn inspection(&self, employee: i64, points: [i64; 3], day: &str) -> Value {
        json!({
            "employee_id": employee,
            "checklist_id": self.checklist["id"],
            "occurred_on": day,
            "scores": [
                {"item_id": self.item(0), "points": points[0], "note": "neat uniform"},
                {"item_id": self.item(1), "points": points[1]},
                {"item_id": self.item(2), "points": points[2]}
            ],
            "comment": "mystery shopper visit"
        })
    }

    async fn evidence(&self, app: &TestApp, employee: i64) -> Value {
        let answer = app
            .get(
                &format!(
                    "/api/v1/cycles/{}/evidence?employee_id={employee}",
                    self.cycle
                ),
                &self.hr,
            )
            .await;
        answer.ok(200)["employees"]
            .as_array()
            .unwrap()
            .first()
            .cloned()
            .unwrap_or(json!({}))
    }
}

async fn a_full_data_entry_round(app: TestApp) {
    let c = Company::new(&app, false).await;
    let hr = &c.hr;
    // Every role reads cycles; only HR reads the scheme.
    let sup = app.login(&c.front_sup.email, &c.front_sup.password).await;
    let ann = app.login(&c.ann.email, &c.ann.password).await;
    let cy = app.login(&c.cy.email, &c.cy.password).await;
    let read = app.get(&format!("/api/v1/cycles/{}", c.cycle), &ann).await;
    assert_eq!(read.ok(200)["state"], "draft");
    assert_eq!(read.body["has_scheme"], true);
    app.get(&format!("/api/v1/cycles/{}/scheme", c.cycle), &ann)
        .await
        .problem(403);
    let stored = app
        .get(&format!("/api/v1/cycles/{}/scheme", c.cycle), hr)
        .await;
    assert_eq!(stored.ok(200)["full_marks_at"], 120);
    assert_eq!(stored.body["min_evidence"]["satisfaction"], 3);
    assert_eq!(stored.body["min_evidence"]["collaboration"], 3, "default");

    c.set_state(&app, "open").await.ok(200);

    // Targets by JSON, sales by JSON and CSV, satisfaction by CSV.
    let targets = app
        .post(
            "/api/v1/sales-targets",
            hr,
            json!([
                {"employee_id": c.ann.id, "cycle_id": c.cycle, "target": 1_000_000},
                {"employee_id": c.bo.id, "cycle_id": c.cycle, "target": 800_000}
            ]),
        )
        .await;
    assert_eq!(targets.ok(200)["inserted"], 2);
    let sales = app
        .post(
            "/api/v1/sales-records",
            hr,
            json!([
                {"employee_id": c.ann.id, "occurred_on": "2026-01-05", "amount": 250_000, "external_ref": "POS-1"},
                {"employee_id": c.ann.id, "occurred_on": "2026-02-05", "amount": -10_000, "external_ref": "POS-2"}
            ]),
        )
        .await;
    assert_eq!(sales.ok(200)["inserted"], 2);
    let csv = "employee_id,occurred_on,amount,external_ref\n".to_owned()
        + &format!(
            "{},2026-03-01,400000,POS-3\n{},2026-03-02,5000,POS-4\n",
            c.ann.id, c.bo.id
        );
    let sales = app.post_csv("/api/v1/sales-records", hr, csv).await;
    assert_eq!(sales.ok(200)["inserted"], 2);
    let csv = "employee_id,occurred_on,rating,channel,external_ref\n".to_owned()
        + &format!(
            "{0},2026-01-10,5,phone,CS-1\n{0},2026-01-11,4,phone,CS-2\n{0},2026-01-12,3,email,CS-3\n",
            c.ann.id
        );
    let csat = app
        .post_csv("/api/v1/satisfaction-responses", hr, csv)
        .await;
    assert_eq!(csat.ok(200)["inserted"], 3);

    // The supervisor inspects a direct report.
    let inspection = app
        .post(
            "/api/v1/inspections",
            &sup,
            c.inspection(c.ann.id, [8, 10, 5], "2026-02-14"),
        )
        .await;
    let inspection = inspection.ok(201);
    assert_eq!(inspection["points"], 23);
    assert_eq!(inspection["max_points"], 25);
    assert_eq!(inspection["score"], 92.0);
    assert_eq!(inspection["cycle_id"], c.cycle);
    assert_eq!(inspection["items"][0]["note"], "neat uniform");
    for stamp in [&inspection["created_at"], &c.checklist["created_at"]] {
        assert!(
            stamp.as_str().unwrap().ends_with('Z'),
            "{stamp} is not UTC RFC 3339"
        );
    }

    // Staff rate colleagues of other departments.
    app.post(
        "/api/v1/collaboration-ratings",
        &cy,
        json!({"ratee_id": c.ann.id, "cycle_id": c.cycle, "rating": 5, "comment": "quick answers"}),
    )
    .await
    .ok(201);
    app.post(
        "/api/v1/collaboration-ratings",
        &ann,
        json!({"ratee_id": c.cy.id, "cycle_id": c.cycle, "rating": 4}),
    )
    .await
    .ok(201);

    let ann_evidence = c.evidence(&app, c.ann.id).await;
    assert_eq!(ann_evidence["sales_target"], 1_000_000);
    assert_eq!(ann_evidence["sales_records"], 3);
    assert_eq!(ann_evidence["sales_total"], 640_000);
    assert_eq!(ann_evidence["satisfaction_responses"], 3);
    assert_eq!(ann_evidence["satisfaction_rating_sum"], 12);
    assert_eq!(ann_evidence["inspections"], 1);
    assert_eq!(ann_evidence["collaboration_raters"], 1);
    assert_eq!(ann_evidence["collaboration_rating_sum"], 5);

    // Ann sees her inspection with its items; the evidence summary is HR's.
    let own = app.get("/api/v1/inspections", &ann).await;
    assert_eq!(own.ok(200)["total"], 1);
    assert_eq!(own.body["items"][0]["items"][1]["critical"], true);
    app.get(&format!("/api/v1/cycles/{}/evidence", c.cycle), &sup)
        .await
        .problem(403);
}

async fn scheme_and_state_rules_are_enforced(app: TestApp) {
    let c = Company::new(&app, false).await;
    let hr = &c.hr;
    let scheme_path = format!("/api/v1/cycles/{}/scheme", c.cycle);
    let mut bad = scheme();
    bad["weights"] = json!({"sales": 40, "satisfaction": 30, "etiquette": 20, "collaboration": 20});
    let answer = app.put(&scheme_path, hr, bad).await;
    assert!(answer.field_error("weights").contains("110"), "{answer:?}");
    let mut bad = scheme();
    bad["grade_bands"] = json!([{"grade": "B", "min_total": 75}, {"grade": "A", "min_total": 90},
                                {"grade": "D", "min_total": 0}]);
    assert_eq!(
        app.put(&scheme_path, hr, bad)
            .await
            .field_codes("grade_bands"),
        ["bands_not_decreasing"]
    );
    let mut bad = scheme();
    bad["department_overrides"] = json!([{"department_id": 9999,
        "weights": {"sales": 25, "satisfaction": 25, "etiquette": 25, "collaboration": 25}}]);
    app.put(&scheme_path, hr, bad)
        .await
        .field_error("department_overrides[0].department_id");

    // A cycle without a scheme cannot open.
    let other = app
        .post(
            "/api/v1/cycles",
            hr,
            json!({"name": "2026 Q2", "period_start": "2026-04-01", "period_end": "2026-06-30"}),
        )
        .await;
    let other = other.ok(201)["id"].as_i64().unwrap();
    let refused = app
        .post(
            &format!("/api/v1/cycles/{other}/state"),
            hr,
            json!({"state": "open"}),
        )
        .await;
    assert_eq!(refused.code(409), "scheme_needed");
    // Periods never overlap; bad periods are named.
    app.post(
        "/api/v1/cycles",
        hr,
        json!({"name": "Overlap", "period_start": "2026-03-15", "period_end": "2026-04-15"}),
    )
    .await
    .problem(409);
    app.post(
        "/api/v1/cycles",
        hr,
        json!({"name": "Backwards", "period_start": "2026-09-01", "period_end": "2026-08-01"}),
    )
    .await
    .field_error("period_end");

    // Evidence into a draft cycle: 409, and nothing stored.
    let sale = |day: &str, reference: &str| json!([{"employee_id": c.ann.id, "occurred_on": day, "amount": 100, "external_ref": reference}]);
    let draft = app
        .post("/api/v1/sales-records", hr, sale("2026-01-05", "D-1"))
        .await;
    draft.problem(409);
    assert!(draft.body["row_errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("draft"));
    let sup = app.login(&c.front_sup.email, &c.front_sup.password).await;
    app.post(
        "/api/v1/inspections",
        &sup,
        c.inspection(c.ann.id, [1, 1, 1], "2026-01-05"),
    )
    .await
    .problem(409);

    // States move forward one step at a time.
    c.set_state(&app, "review").await.problem(409);
    c.set_state(&app, "sideways").await.field_error("state");
    c.set_state(&app, "open").await.ok(200);
    c.set_state(&app, "draft").await.problem(409);
    // Open: a date outside every cycle is a validation error of that row.
    let outside = app
        .post("/api/v1/sales-records", hr, sale("2025-12-31", "O-1"))
        .await;
    outside.problem(422);
    assert_eq!(outside.body["row_errors"][0]["column"], "occurred_on");
    app.post(
        "/api/v1/inspections",
        &sup,
        c.inspection(c.ann.id, [1, 1, 1], "2025-12-31"),
    )
    .await
    .field_error("occurred_on");
    // The period is fixed once open.
    app.patch(
        &format!("/api/v1/cycles/{}", c.cycle),
        hr,
        json!({"period_end": "2026-04-30"}),
    )
    .await
    .problem(409);

    // Review: entry closes again.
    c.set_state(&app, "review").await.ok(200);
    app.post("/api/v1/sales-records", hr, sale("2026-01-05", "R-1"))
        .await
        .problem(409);
    let ann = app.login(&c.ann.email, &c.ann.password).await;
    app.post(
        "/api/v1/collaboration-ratings",
        &ann,
        json!({"ratee_id": c.cy.id, "cycle_id": c.cycle, "rating": 4}),
    )
    .await
    .problem(409);
    // Publishing needs computed appraisals, which do not exist yet.
    let publish = c.set_state(&app, "published").await;
    assert_eq!(publish.code(409), "uncomputed");
    assert_eq!(c.evidence(&app, c.ann.id).await, json!({}));
}

async fn inspections_respect_scope_and_checklists(app: TestApp) {
    let c = Company::new(&app, true).await;
    let front = app.login(&c.front_sup.email, &c.front_sup.password).await;
    let back = app.login(&c.back_sup.email, &c.back_sup.password).await;
    let ann = app.login(&c.ann.email, &c.ann.password).await;

    // Another team's report, oneself, or an unknown id: not found. Staff: forbidden.
    app.post(
        "/api/v1/inspections",
        &back,
        c.inspection(c.ann.id, [5, 5, 5], "2026-02-01"),
    )
    .await
    .problem(404);
    app.post(
        "/api/v1/inspections",
        &front,
        c.inspection(c.front_sup.id, [5, 5, 5], "2026-02-01"),
    )
    .await
    .problem(404);
    app.post(
        "/api/v1/inspections",
        &front,
        c.inspection(999_999, [5, 5, 5], "2026-02-01"),
    )
    .await
    .problem(404);
    app.post(
        "/api/v1/inspections",
        &ann,
        c.inspection(c.bo.id, [5, 5, 5], "2026-02-01"),
    )
    .await
    .problem(403);

    // Points within each item's range; every item scored once.
    let over = app
        .post(
            "/api/v1/inspections",
            &front,
            c.inspection(c.ann.id, [11, 5, 5], "2026-02-01"),
        )
        .await;
    assert!(over.field_error("scores[0].points").contains("0 to 10"));
    let mut missing = c.inspection(c.ann.id, [5, 5, 5], "2026-02-01");
    missing["scores"].as_array_mut().unwrap().pop();
    assert!(app
        .post("/api/v1/inspections", &front, missing)
        .await
        .field_error("scores")
        .contains("Procedure"));

    // A critical item at 0 makes the inspection count 0; HR may inspect anyone.
    let failed = app
        .post(
            "/api/v1/inspections",
            &front,
            c.inspection(c.ann.id, [10, 0, 5], "2026-02-02"),
        )
        .await;
    let failed = failed.ok(201);
    assert_eq!(failed["critical_failed"], true);
    assert_eq!(failed["score"], 0.0);
    app.post(
        "/api/v1/inspections",
        &c.hr,
        c.inspection(c.cy.id, [10, 10, 5], "2026-02-03"),
    )
    .await
    .ok(201);

    // Reading: own, team, everyone; outside the scope is not found.
    let own = app.get("/api/v1/inspections", &ann).await;
    assert_eq!(own.ok(200)["total"], 1);
    let bo = app.login(&c.bo.email, &c.bo.password).await;
    assert_eq!(
        app.get("/api/v1/inspections", &bo).await.ok(200)["total"],
        0
    );
    app.get(
        &format!("/api/v1/inspections?employee_id={}", c.ann.id),
        &bo,
    )
    .await
    .problem(404);
    let team = app.get("/api/v1/inspections", &front).await;
    assert_eq!(team.ok(200)["total"], 1);
    app.get(
        &format!("/api/v1/inspections?employee_id={}", c.ann.id),
        &back,
    )
    .await
    .problem(404);
    let all = app
        .get(&format!("/api/v1/inspections?cycle_id={}", c.cycle), &c.hr)
        .await;
    assert_eq!(all.ok(200)["total"], 2);
}

async fn a_bad_csv_row_changes_nothing_and_reimports_count_once(app: TestApp) {
    let c = Company::new(&app, true).await;
    let header = "employee_id,occurred_on,amount,external_ref\n";
    let rows: Vec<String> = (1..=1000)
        .map(|i| {
            let who = if i % 2 == 0 { c.ann.id } else { c.bo.id };
            format!("{who},2026-02-{:02},{},BATCH-{i}\n", 1 + i % 28, 100 * i)
        })
        .collect();
    let mut bad = rows.clone();
    bad[536] = format!("{},2026-02-30,12x,BATCH-537\n", c.ann.id);
    let refused = app
        .post_csv(
            "/api/v1/sales-records",
            &c.hr,
            header.to_owned() + &bad.concat(),
        )
        .await;
    refused.problem(422);
    let named: Vec<(i64, &str)> = refused.body["row_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    // The 537th row of data is row 538 of the spreadsheet (the header is row 1).
    assert_eq!(named, [(538, "occurred_on"), (538, "amount")]);
    assert!(refused.body["errors"]["rows[538].amount"].is_string());
    assert_eq!(
        c.evidence(&app, c.ann.id).await,
        json!({}),
        "nothing was stored"
    );

    let file = header.to_owned() + &rows.concat();
    let first = app
        .post_csv("/api/v1/sales-records", &c.hr, file.clone())
        .await;
    assert_eq!(first.ok(200)["inserted"], 1000);
    let second = app.post_csv("/api/v1/sales-records", &c.hr, file).await;
    assert_eq!(second.ok(200)["inserted"], 0);
    assert_eq!(second.body["unchanged"], 1000);
    let ann = c.evidence(&app, c.ann.id).await;
    assert_eq!(ann["sales_records"], 500);
    let expected: i64 = (1..=1000).filter(|i| i % 2 == 0).map(|i| 100 * i).sum();
    assert_eq!(ann["sales_total"], expected);

    // A known reference with other values is refused, naming the row.
    let conflicting = format!("{header}{},2026-02-02,1,BATCH-2\n", c.ann.id);
    let answer = app
        .post_csv("/api/v1/sales-records", &c.hr, conflicting)
        .await;
    assert_eq!(
        answer.problem(422)["row_errors"][0]["column"],
        "external_ref"
    );
    // Format problems are reported first (all rows), then references (all rows).
    let csv = format!(
        "employee_id,occurred_on,rating,channel,external_ref\n{0},2026-01-02,6,phone,X-1\n{0},2026-01-02,0,phone,X-2\n",
        c.ann.id
    );
    let answer = app
        .post_csv("/api/v1/satisfaction-responses", &c.hr, csv)
        .await;
    let errors = answer.problem(422)["row_errors"]
        .as_array()
        .unwrap()
        .clone();
    let seen: Vec<_> = errors
        .iter()
        .map(|e| (e["row"].as_i64(), e["column"].as_str()))
        .collect();
    assert_eq!(seen, [(Some(2), Some("rating")), (Some(3), Some("rating"))]);
    let hr_id = app.get("/api/v1/me", &c.hr).await.body["id"]
        .as_i64()
        .unwrap();
    let csv = format!(
        "employee_id,occurred_on,rating,channel,external_ref\n999999,2026-01-02,3,phone,X-1\n{hr_id},2026-01-02,3,phone,X-2\n"
    );
    let answer = app
        .post_csv("/api/v1/satisfaction-responses", &c.hr, csv)
        .await;
    let errors = answer.problem(422)["row_errors"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(errors[0]["message"], "no such employee");
    assert_eq!(errors[1]["message"], "HR accounts are not appraised");
    // A column no rule reads is left aside and named in the answer (a JSON row's unknown
    // field is refused).
    let extra = format!(
        "employee_id,cycle_id,target,bonus\n{},{},100,1\n",
        c.ann.id, c.cycle
    );
    let answer = app.post_csv("/api/v1/sales-targets", &c.hr, extra).await;
    assert_eq!(answer.ok(200)["ignored_columns"], json!(["bonus"]));
    let extra = json!([{"employee_id": c.ann.id, "cycle_id": c.cycle, "target": 100, "bonus": 1}]);
    let answer = app.post("/api/v1/sales-targets", &c.hr, extra).await;
    assert_eq!(answer.problem(422)["row_errors"][0]["column"], "bonus");
    // Only HR imports; other media types are refused.
    let sup = app.login(&c.front_sup.email, &c.front_sup.password).await;
    app.post_csv("/api/v1/sales-records", &sup, header.to_owned())
        .await
        .problem(403);
    let response = app
        .client
        .post(format!("{}/api/v1/sales-records", app.base))
        .bearer_auth(&c.hr)
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    crate::support::answer(response).await.problem(415);
}

async fn checklist_edits_after_use_make_a_new_version(app: TestApp) {
    let c = Company::new(&app, true).await;
    let sup = app.login(&c.front_sup.email, &c.front_sup.password).await;
    let old_id = c.checklist["id"].as_i64().unwrap();

    // Unused: edited in place.
    let draft = app
        .post("/api/v1/checklists", &c.hr, checklist_body("Draft list"))
        .await;
    let draft_id = draft.ok(201)["id"].as_i64().unwrap();
    let edited = app
        .put(
            &format!("/api/v1/checklists/{draft_id}"),
            &c.hr,
            checklist_body("Draft list v1"),
        )
        .await;
    assert_eq!(edited.ok(200)["id"], draft_id);

    let before = app
        .post(
            "/api/v1/inspections",
            &sup,
            c.inspection(c.ann.id, [8, 9, 4], "2026-02-10"),
        )
        .await
        .ok(201)
        .clone();
    let mut changed = checklist_body("Store etiquette");
    changed["items"] = json!([
        {"title": "Grooming and attire", "max_points": 20},
        {"title": "Smile", "max_points": 5}
    ]);
    let edited = app
        .put(&format!("/api/v1/checklists/{old_id}"), &c.hr, changed)
        .await;
    let new_version = edited.ok(201).clone();
    assert_ne!(new_version["id"], old_id);
    assert_eq!(new_version["version"], 2);
    assert_eq!(new_version["previous_id"], old_id);

    let old = app.get(&format!("/api/v1/checklists/{old_id}"), &sup).await;
    assert_eq!(old.ok(200)["current"], false);
    assert_eq!(old.body["items"].as_array().unwrap().len(), 3);
    assert_eq!(old.body["items"][0]["max_points"], 10);
    let after = app.get("/api/v1/inspections", &sup).await;
    let after = &after.ok(200)["items"][0];
    assert_eq!(after["items"], before["items"]);
    assert_eq!(
        (
            after["points"].clone(),
            after["max_points"].clone(),
            after["score"].clone()
        ),
        (json!(21), json!(25), json!(84.0))
    );
    assert_eq!(after["checklist_version"], 1);

    // The old version takes no new inspections; listing shows current versions.
    let stale = app
        .post(
            "/api/v1/inspections",
            &sup,
            c.inspection(c.ann.id, [8, 9, 4], "2026-02-11"),
        )
        .await;
    assert!(stale.field_error("checklist_id").contains("newer version"));
    let current = app.get("/api/v1/checklists", &sup).await;
    assert_eq!(current.ok(200)["total"], 2);
    let every = app.get("/api/v1/checklists?all_versions=true", &sup).await;
    assert_eq!(every.ok(200)["total"], 3);
    app.put(
        &format!("/api/v1/checklists/{old_id}"),
        &c.hr,
        checklist_body("x"),
    )
    .await
    .problem(409);
    app.post("/api/v1/checklists", &sup, checklist_body("Mine"))
        .await
        .problem(403);
}

async fn collaboration_ratings_cross_departments_and_replace(app: TestApp) {
    let c = Company::new(&app, true).await;
    let ann = app.login(&c.ann.email, &c.ann.password).await;
    let rate =
        |ratee: i64, rating: i64| json!({"ratee_id": ratee, "cycle_id": c.cycle, "rating": rating});
    let same = app
        .post("/api/v1/collaboration-ratings", &ann, rate(c.bo.id, 5))
        .await;
    assert!(same.field_error("ratee_id").contains("own department"));
    app.post("/api/v1/collaboration-ratings", &ann, rate(c.ann.id, 5))
        .await
        .field_error("ratee_id");
    app.post("/api/v1/collaboration-ratings", &ann, rate(c.cy.id, 6))
        .await
        .field_error("rating");
    let first = app
        .post("/api/v1/collaboration-ratings", &ann, rate(c.cy.id, 2))
        .await;
    assert_eq!(first.ok(201)["replaced_earlier_rating"], false);
    let second = app
        .post("/api/v1/collaboration-ratings", &ann, rate(c.cy.id, 5))
        .await;
    assert_eq!(second.ok(200)["replaced_earlier_rating"], true);
    // A supervisor of another department rates too.
    let back = app.login(&c.back_sup.email, &c.back_sup.password).await;
    app.post("/api/v1/collaboration-ratings", &back, rate(c.ann.id, 4))
        .await
        .ok(201);
    let cy = c.evidence(&app, c.cy.id).await;
    assert_eq!(
        (
            cy["collaboration_raters"].clone(),
            cy["collaboration_rating_sum"].clone()
        ),
        (json!(1), json!(5))
    );
    let _ = (c.front, c.back);
}

async fn audit_actions(app: &TestApp, hr: &str, entity: &str, id: i64) -> Vec<String> {
    let answer = app
        .get(
            &format!("/api/v1/audit-events?entity={entity}&entity_id={id}&limit=200"),
            hr,
        )
        .await;
    answer.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn every_evidence_write_is_audited(app: TestApp) {
    let c = Company::new(&app, true).await;
    let hr = &c.hr;
    let sup = app.login(&c.front_sup.email, &c.front_sup.password).await;
    let ann = app.login(&c.ann.email, &c.ann.password).await;
    app.patch(
        &format!("/api/v1/cycles/{}", c.cycle),
        hr,
        json!({"name": "Q1 2026"}),
    )
    .await
    .ok(200);
    app.post(
        "/api/v1/sales-targets",
        hr,
        json!([{"employee_id": c.ann.id, "cycle_id": c.cycle, "target": 5000}]),
    )
    .await
    .ok(200);
    app.post(
        "/api/v1/sales-targets",
        hr,
        json!([{"employee_id": c.ann.id, "cycle_id": c.cycle, "target": 6000}]),
    )
    .await
    .ok(200);
    app.post("/api/v1/sales-records", hr,
        json!([{"employee_id": c.ann.id, "occurred_on": "2026-01-02", "amount": 10, "external_ref": "A-1"}]))
        .await.ok(200);
    app.post("/api/v1/satisfaction-responses", hr,
        json!([{"employee_id": c.ann.id, "occurred_on": "2026-01-02", "rating": 4, "channel": "chat", "external_ref": "S-1"}]))
        .await.ok(200);
    let inspection = app
        .post(
            "/api/v1/inspections",
            &sup,
            c.inspection(c.ann.id, [1, 2, 3], "2026-01-03"),
        )
        .await;
    let inspection = inspection.ok(201)["id"].as_i64().unwrap();
    let rating = app
        .post(
            "/api/v1/collaboration-ratings",
            &ann,
            json!({"ratee_id": c.cy.id, "cycle_id": c.cycle, "rating": 3}),
        )
        .await;
    let rating = rating.ok(201)["id"].as_i64().unwrap();

    assert_eq!(
        audit_actions(&app, hr, "cycle", c.cycle).await,
        [
            "create",
            "set_scheme",
            "state",
            "update",
            "import_sales_targets",
            "import_sales_targets",
            "import_sales_records",
            "import_satisfaction_responses"
        ]
    );
    let checklist = c.checklist["id"].as_i64().unwrap();
    assert_eq!(
        audit_actions(&app, hr, "checklist", checklist).await,
        ["create"]
    );
    assert_eq!(
        audit_actions(&app, hr, "inspection", inspection).await,
        ["create"]
    );
    assert_eq!(
        audit_actions(&app, hr, "collaboration_rating", rating).await,
        ["create"]
    );
    let events = app
        .get(
            &format!("/api/v1/audit-events?entity=cycle&entity_id={}", c.cycle),
            hr,
        )
        .await;
    let state = &events.ok(200)["items"][2];
    assert_eq!(
        (
            state["before"]["state"].clone(),
            state["after"]["state"].clone()
        ),
        (json!("draft"), json!("open"))
    );
    assert_eq!(
        events.body["items"][5]["after"]["updated"], 1,
        "the target change"
    );
}
