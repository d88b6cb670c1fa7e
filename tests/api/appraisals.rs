//! Computing and reading appraisals: a cycle worked out by hand.

use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{Person, TestApp};

on_both_backends!(
    a_hand_worked_cycle,
    appeals_close_with_their_window,
    hr_reviews_someone_whose_supervisor_left
);

async fn login(app: &TestApp, p: &Person) -> String {
    app.login(&p.email, &p.password).await
}

async fn a_hand_worked_cycle(app: TestApp) {
    let hr = app.hr_token().await;
    let front = app.department(&hr, "Store", "front_line").await;
    let back = app.department(&hr, "Back Office", "back_office").await;
    let f = app.user(&hr, "supervisor", front, None).await;
    let a = app.user(&hr, "staff", front, Some(f.id)).await;
    let b = app.user(&hr, "staff", front, Some(f.id)).await;
    let c = app.user(&hr, "staff", front, Some(f.id)).await;
    let k = app.user(&hr, "supervisor", back, None).await;
    let d = app.user(&hr, "staff", back, Some(k.id)).await;

    let cycle = app
        .post(
            "/api/v1/cycles",
            &hr,
            json!({"name": "H1", "period_start": "2026-01-01", "period_end": "2026-06-30"}),
        )
        .await;
    let cycle = cycle.ok(201)["id"].as_i64().unwrap();
    let scheme = json!({
        "weights": {"sales": 40, "satisfaction": 30, "etiquette": 20, "collaboration": 10},
        "full_marks_at": 120,
        "min_evidence": {"satisfaction": 3, "etiquette": 1, "collaboration": 2},
        "grade_bands": [{"grade": "A", "min_total": 90}, {"grade": "B", "min_total": 75},
                        {"grade": "C", "min_total": 60}, {"grade": "D", "min_total": 0}],
        "department_overrides": [{"department_id": back,
            "weights": {"sales": 0, "satisfaction": 40, "etiquette": 30, "collaboration": 30}}]
    });
    app.put(&format!("/api/v1/cycles/{cycle}/scheme"), &hr, scheme)
        .await
        .ok(200);
    let state = |s: &str| json!({"state": s});
    let state_path = format!("/api/v1/cycles/{cycle}/state");
    app.post(&state_path, &hr, state("open")).await.ok(200);
    let checklist = app
        .post(
            "/api/v1/checklists",
            &hr,
            json!({"name": "Etiquette", "items": [
            {"title": "Grooming", "max_points": 10},
            {"title": "Courtesy", "max_points": 10, "critical": true},
            {"title": "Procedure", "max_points": 5}]}),
        )
        .await
        .ok(201)
        .clone();
    let item = |i: usize| checklist["items"][i]["id"].clone();
    let inspect = |who: i64, p: [i64; 3]| {
        json!({
        "employee_id": who, "checklist_id": checklist["id"], "occurred_on": "2026-03-01",
        "scores": [{"item_id": item(0), "points": p[0]}, {"item_id": item(1), "points": p[1]},
                   {"item_id": item(2), "points": p[2]}]})
    };

    app.post(
        "/api/v1/sales-targets",
        &hr,
        json!([
        {"employee_id": a.id, "cycle_id": cycle, "target": 1_000_000},
        {"employee_id": b.id, "cycle_id": cycle, "target": 1_000_000},
        {"employee_id": c.id, "cycle_id": cycle, "target": 500_000}]),
    )
    .await
    .ok(200);
    let sale = |who: i64, amount: i64, r: &str| json!({"employee_id": who, "occurred_on": "2026-02-01", "amount": amount, "external_ref": r});
    app.post(
        "/api/v1/sales-records",
        &hr,
        json!([
            sale(a.id, 1_000_000, "a1"),
            sale(a.id, 500_000, "a2"),
            sale(b.id, 600_000, "b1"),
            sale(c.id, 300_000, "c1")
        ]),
    )
    .await
    .ok(200);
    let csat = |who: i64, rating: i64, r: &str| json!({"employee_id": who, "occurred_on": "2026-02-02", "rating": rating, "channel": "phone", "external_ref": r});
    app.post(
        "/api/v1/satisfaction-responses",
        &hr,
        json!([
            csat(a.id, 5, "s1"),
            csat(a.id, 5, "s2"),
            csat(a.id, 4, "s3"),
            csat(b.id, 5, "s4"),
            csat(b.id, 5, "s5"),
            csat(c.id, 1, "s6"),
            csat(c.id, 1, "s7"),
            csat(d.id, 4, "s8"),
            csat(d.id, 4, "s9"),
            csat(d.id, 4, "s10")
        ]),
    )
    .await
    .ok(200);
    let fs = login(&app, &f).await;
    let ks = login(&app, &k).await;
    for (who, points) in [(a.id, [10, 10, 5]), (b.id, [10, 0, 5]), (c.id, [10, 0, 5])] {
        app.post("/api/v1/inspections", &fs, inspect(who, points))
            .await
            .ok(201);
    }
    app.post("/api/v1/inspections", &ks, inspect(d.id, [8, 9, 4]))
        .await
        .ok(201);
    let rate =
        |who: i64, rating: i64| json!({"ratee_id": who, "cycle_id": cycle, "rating": rating});
    let ds = login(&app, &d).await;
    let as_ = login(&app, &a).await;
    for (token, ratee, rating) in [
        (&ds, a.id, 5),
        (&ks, a.id, 4),
        (&ds, b.id, 3),
        (&ks, b.id, 3),
        (&ds, c.id, 3),
        (&ks, c.id, 3),
        (&as_, d.id, 5),
        (&fs, d.id, 5),
    ] {
        app.post("/api/v1/collaboration-ratings", token, rate(ratee, rating))
            .await
            .ok(201);
    }

    let compute = format!("/api/v1/cycles/{cycle}/compute");
    app.post(&compute, &hr, json!({})).await.problem(409);
    app.post(&state_path, &hr, state("review")).await.ok(200);
    app.post(&compute, &fs, json!({})).await.problem(403);
    let outcome = app.post(&compute, &hr, json!({})).await;
    let outcome = outcome.ok(200);
    assert_eq!(
        (
            outcome["computed"].clone(),
            outcome["with_total"].clone(),
            outcome["insufficient_evidence"].clone()
        ),
        (json!(6), json!(4), json!(2))
    );

    let list = app
        .get(&format!("/api/v1/cycles/{cycle}/appraisals"), &hr)
        .await;
    let by: std::collections::HashMap<i64, Value> = list.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["employee_id"].as_i64().unwrap(), x.clone()))
        .collect();
    // A: sales 1.5M of 1M with full marks at 120 % → 100; ratings 5,5,4 → 91.67;
    // inspection 25/25 → 100; raters 5,4 → 87.5. (40·100 + 30·91.667 + 20·100 + 10·87.5)/100.
    let x = &by[&a.id];
    assert_eq!(
        (x["total"].clone(), x["grade"].clone(), x["rank"].clone()),
        (json!(96.25), json!("A"), json!(1))
    );
    assert_eq!(x["components"]["sales"]["score"], 100.0);
    assert_eq!(x["components"]["satisfaction"]["score"], 91.67);
    assert_eq!(x["components"]["collaboration"]["score"], 87.5);
    // B: sales 0.6 / 1.2 → 50; 2 of 3 responses → missing (weight spread); critical item 0
    // → inspection 0; raters 3,3 → 50. (40·50 + 20·0 + 10·50) / 70 = 35.714…
    let x = &by[&b.id];
    assert_eq!(
        (x["total"].clone(), x["grade"].clone(), x["rank"].clone()),
        (json!(35.71), json!("D"), json!(2))
    );
    assert_eq!(x["components"]["satisfaction"]["score"], Value::Null);
    assert_eq!(
        x["components"]["satisfaction"]["missing_reason"],
        "2 of 3 required satisfaction responses"
    );
    assert_eq!(x["components"]["etiquette"]["score"], 0.0);
    assert_eq!(x["inspections"][0]["critical_failed"], true);
    // C: the same numbers as B from other evidence: a tie shares rank 2.
    let x = &by[&c.id];
    assert_eq!(
        (x["total"].clone(), x["rank"].clone()),
        (json!(35.71), json!(2))
    );
    // D, back office override 0/40/30/30: no target (weight 0 anyway); ratings 4,4,4 → 75;
    // 21/25 → 84; raters 5,5 → 100. (40·75 + 30·84 + 30·100) / 100 = 85.2.
    let x = &by[&d.id];
    assert_eq!(
        (x["total"].clone(), x["grade"].clone(), x["rank"].clone()),
        (json!(85.2), json!("B"), json!(1))
    );
    assert_eq!(x["weights"]["sales"], 0);
    assert_eq!(
        x["components"]["sales"]["missing_reason"],
        "no sales target was set for this cycle"
    );
    assert_eq!(x["components"]["sales"]["missing"]["code"], "no_target");
    // The supervisors have no evidence at all.
    for s in [&f, &k] {
        let x = &by[&s.id];
        assert_eq!(
            (x["status"].clone(), x["total"].clone(), x["rank"].clone()),
            (json!("insufficient evidence"), Value::Null, Value::Null)
        );
    }

    // Before publication: staff see nothing; a supervisor sees direct reports only.
    assert_eq!(
        app.get("/api/v1/me/appraisals", &as_).await.ok(200)["total"],
        0
    );
    let a_path = format!("/api/v1/appraisals/{}", by[&a.id]["id"]);
    app.get(&a_path, &as_).await.problem(404);
    app.get(&a_path, &fs).await.ok(200);
    app.get(&a_path, &ks).await.problem(404);
    let team = app
        .get(&format!("/api/v1/cycles/{cycle}/appraisals"), &ks)
        .await;
    let ids: Vec<i64> = team.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["employee_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [d.id]);
    app.get(&format!("/api/v1/cycles/{cycle}/appraisals"), &as_)
        .await
        .problem(403);
    let only_back = app
        .get(
            &format!("/api/v1/cycles/{cycle}/appraisals?department_id={back}"),
            &hr,
        )
        .await;
    assert_eq!(only_back.ok(200)["total"], 2);

    // Supervisors review their own reports only; HR reviews only people without a manager,
    // staff do not review.
    let review = format!("{a_path}/review");
    let reviewed = app
        .post(
            &review,
            &fs,
            json!({"comment": "Excellent service all round"}),
        )
        .await;
    assert_eq!(reviewed.ok(200)["state"], "reviewed");
    app.post(&review, &ks, json!({"comment": "x"}))
        .await
        .problem(404);
    app.post(&review, &hr, json!({"comment": "x"}))
        .await
        .problem(403);
    app.post(&review, &as_, json!({"comment": "x"}))
        .await
        .problem(403);
    // A supervisor without a manager is reviewed by HR (nobody else could); nobody reviews
    // their own appraisal, and a supervisor's is not their report's to review.
    let f_review = format!("/api/v1/appraisals/{}/review", by[&f.id]["id"]);
    app.post(&f_review, &fs, json!({})).await.problem(404);
    app.post(&f_review, &ks, json!({})).await.problem(404);
    let by_hr = app
        .post(&f_review, &hr, json!({"comment": "Store runs well"}))
        .await;
    assert_eq!(
        (
            by_hr.ok(200)["state"].clone(),
            by_hr.ok(200)["supervisor_comment"].clone()
        ),
        (json!("reviewed"), json!("Store runs well"))
    );

    // HR's report per department.
    let report = app
        .get(&format!("/api/v1/cycles/{cycle}/report"), &hr)
        .await;
    let departments = report.ok(200)["departments"].as_array().unwrap().clone();
    let store = departments
        .iter()
        .find(|x| x["department_id"] == front)
        .unwrap();
    assert_eq!(
        (store["count"].clone(), store["with_total"].clone()),
        (json!(4), json!(3))
    );
    assert_eq!(
        (
            store["mean"].clone(),
            store["min"].clone(),
            store["max"].clone()
        ),
        (json!(55.89), json!(35.71), json!(96.25))
    );
    assert_eq!(store["grades"], json!({"A": 1, "D": 2}));
    app.get(&format!("/api/v1/cycles/{cycle}/report"), &fs)
        .await
        .problem(403);

    // Someone new without an appraisal blocks publication until a recompute.
    let late = app.user(&hr, "staff", front, Some(f.id)).await;
    let refused = app.post(&state_path, &hr, state("published")).await;
    assert_eq!(refused.code(409), "uncomputed");
    assert!(refused.problem(409)["detail"]
        .as_str()
        .unwrap()
        .contains("one active employee"));
    // The refused publication queued nothing: change and notice commit together.
    assert_eq!(notice_count(&app, &hr, "appraisal_published").await, 0);
    assert_eq!(notice_count(&app, &hr, "inspection_recorded").await, 4);
    let again = app.post(&compute, &hr, json!({})).await;
    assert_eq!(again.ok(200)["computed"], 7);
    assert_eq!(again.body["changed"], 1, "only the new appraisal changed");
    app.post(&state_path, &hr, state("published")).await.ok(200);

    // One notice per published appraisal, addressed to its employee.
    let published = app
        .get("/api/v1/notices?kind=appraisal_published&limit=200", &hr)
        .await;
    let mut recipients: Vec<i64> = published.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["recipient_id"].as_i64().unwrap())
        .collect();
    recipients.sort();
    let mut expected = vec![a.id, b.id, c.id, d.id, f.id, k.id, late.id];
    expected.sort();
    assert_eq!(recipients, expected);
    assert!(published.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["status"] == "pending"));
    app.get("/api/v1/notices", &fs).await.problem(403);

    // After publication: own only, immutable evidence.
    let mine = app.get("/api/v1/me/appraisals", &as_).await;
    let mine = mine.ok(200);
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["total"], 96.25);
    assert_eq!(mine["items"][0]["state"], "published");
    assert_eq!(
        mine["items"][0]["supervisor_comment"],
        "Excellent service all round"
    );
    app.post(&review, &fs, json!({"comment": "too late"}))
        .await
        .problem(409);
    app.get(&a_path, &as_).await.ok(200);
    app.get(&format!("/api/v1/appraisals/{}", by[&b.id]["id"]), &as_)
        .await
        .problem(404);
    app.post("/api/v1/sales-records", &hr, json!([sale(a.id, 1, "late")]))
        .await
        .problem(409);
    app.post(&compute, &hr, json!({})).await.problem(409);
    // Acknowledge: once. An acknowledged appraisal is not appealed.
    let ack = app
        .post(&format!("{a_path}/acknowledge"), &as_, json!({}))
        .await;
    assert_eq!(ack.ok(200)["state"], "acknowledged");
    app.post(&format!("{a_path}/acknowledge"), &as_, json!({}))
        .await
        .problem(409);
    app.post(&format!("{a_path}/appeal"), &as_, json!({"reason": "x"}))
        .await
        .problem(409);

    // B appeals; while the appeal is open HR may correct B's evidence, and nobody else's.
    let bs = login(&app, &b).await;
    let cs = login(&app, &c).await;
    let b_path = format!("/api/v1/appraisals/{}", by[&b.id]["id"]);
    let c_path = format!("/api/v1/appraisals/{}", by[&c.id]["id"]);
    app.post(&format!("{b_path}/appeal"), &bs, json!({"reason": " "}))
        .await
        .field_error("reason");
    app.post(
        &format!("{b_path}/appeal"),
        &as_,
        json!({"reason": "not mine"}),
    )
    .await
    .problem(404);
    let appeal = app
        .post(
            &format!("{b_path}/appeal"),
            &bs,
            json!({"reason": "A third phone survey was not counted"}),
        )
        .await;
    let b_appeal = appeal.ok(201)["id"].as_i64().unwrap();
    assert_eq!(appeal.body["state"], "open");
    app.post(&format!("{b_path}/appeal"), &bs, json!({"reason": "again"}))
        .await
        .problem(409);
    app.post(
        "/api/v1/satisfaction-responses",
        &hr,
        json!([csat(c.id, 5, "s11")]),
    )
    .await
    .problem(409);
    let corrected = app
        .post(
            "/api/v1/satisfaction-responses",
            &hr,
            json!([csat(b.id, 5, "s12")]),
        )
        .await;
    assert_eq!(corrected.ok(200)["inserted"], 1);

    // C's appeal is rejected: a note is required.
    let appeal = app
        .post(
            &format!("{c_path}/appeal"),
            &cs,
            json!({"reason": "Too low"}),
        )
        .await;
    let c_appeal = appeal.ok(201)["id"].as_i64().unwrap();
    let decide = |id: i64| format!("/api/v1/appeals/{id}/decision");
    app.post(&decide(c_appeal), &hr, json!({"decision": "rejected"}))
        .await
        .field_error("note");
    app.post(
        &decide(c_appeal),
        &hr,
        json!({"decision": "maybe", "note": "x"}),
    )
    .await
    .field_error("decision");
    app.post(&decide(c_appeal), &bs, json!({"decision": "upheld"}))
        .await
        .problem(403);
    let rejected = app
        .post(
            &decide(c_appeal),
            &hr,
            json!({"decision": "rejected", "note": "The ratings were checked with the call logs"}),
        )
        .await;
    assert_eq!(rejected.ok(200)["appeal"]["state"], "rejected");
    assert_eq!(
        rejected.body["changed"],
        json!([]),
        "a rejection changes no number"
    );
    let decided_at = rejected.body["appeal"]["decided_at"].as_str().unwrap();
    assert!(decided_at.ends_with('Z'), "a UTC timestamp: {decided_at}");
    assert_eq!(rejected.body["appraisal"]["state"], "published");
    app.post(&decide(c_appeal), &hr, json!({"decision": "upheld"}))
        .await
        .problem(409);
    app.post(&format!("{c_path}/acknowledge"), &cs, json!({}))
        .await
        .ok(200);
    let open = app.get("/api/v1/appeals?state=open", &hr).await;
    assert_eq!(open.ok(200)["total"], 1);

    // B's appeal is upheld: B alone is recomputed. Ratings 5,5,5 → 100 now counts:
    // (40·50 + 30·100 + 20·0 + 10·50) / 100 = 55; only A is higher.
    let before = app
        .get(&format!("/api/v1/cycles/{cycle}/appraisals"), &hr)
        .await
        .body["items"]
        .clone();
    let upheld = app
        .post(
            &decide(b_appeal),
            &hr,
            json!({"decision": "upheld", "note": "Survey added"}),
        )
        .await;
    // The answer says what the recompute changed: the satisfaction score and the total.
    let changed = upheld.ok(200)["changed"].as_array().unwrap().clone();
    let whats: Vec<&str> = changed
        .iter()
        .map(|c| c["what"].as_str().unwrap())
        .collect();
    assert!(whats.contains(&"satisfaction"), "{changed:?}");
    let total = changed.iter().find(|c| c["what"] == "total").unwrap();
    assert_eq!(total["after"], "55.00", "{changed:?}");
    assert_ne!(total["before"], total["after"]);
    let upheld = upheld.body["appraisal"].clone();
    assert_eq!(
        (
            upheld["total"].clone(),
            upheld["grade"].clone(),
            upheld["rank"].clone(),
            upheld["version"].clone()
        ),
        (json!(55.0), json!("D"), json!(2), json!(2))
    );
    let after = app
        .get(&format!("/api/v1/cycles/{cycle}/appraisals"), &hr)
        .await
        .body["items"]
        .clone();
    let changed: Vec<i64> = before
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| !after.as_array().unwrap().contains(x))
        .map(|x| x["employee_id"].as_i64().unwrap())
        .collect();
    assert_eq!(changed, [b.id], "exactly one appraisal changed");
    assert_eq!(
        app.get("/api/v1/me/appraisals", &bs).await.ok(200)["items"][0]["total"],
        55.0
    );
    app.post(
        "/api/v1/satisfaction-responses",
        &hr,
        json!([csat(b.id, 5, "s13")]),
    )
    .await
    .problem(409);
    assert_eq!(
        notice_count(&app, &hr, "appeal_filed").await,
        2,
        "one per appeal to the one HR account"
    );
    assert_eq!(notice_count(&app, &hr, "appeal_decided").await, 2);
    let b_events: Vec<String> = app
        .get(
            &format!(
                "/api/v1/audit-events?entity=appraisal&entity_id={}",
                by[&b.id]["id"]
            ),
            &hr,
        )
        .await
        .ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(b_events, ["appeal", "appeal_upheld"]);

    let actions: Vec<String> = app
        .get(
            &format!("/api/v1/audit-events?entity=cycle&entity_id={cycle}&limit=200"),
            &hr,
        )
        .await
        .ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(actions.contains(&"compute".to_owned()) && actions.contains(&"recompute".to_owned()));
}

async fn appeals_close_with_their_window(app: TestApp) {
    let hr = app.hr_token().await;
    let dept = app.department(&hr, "Kiosk", "front_line").await;
    let staff = app.user(&hr, "staff", dept, None).await;
    let cycle = app
        .post(
            "/api/v1/cycles",
            &hr,
            json!({"name": "Short", "period_start": "2026-01-01",
            "period_end": "2026-01-31", "appeal_window_days": 0}),
        )
        .await;
    let cycle = cycle.ok(201)["id"].as_i64().unwrap();
    app.put(
        &format!("/api/v1/cycles/{cycle}/scheme"),
        &hr,
        json!({
        "weights": {"sales": 25, "satisfaction": 25, "etiquette": 25, "collaboration": 25},
        "grade_bands": [{"grade": "Pass", "min_total": 0}]}),
    )
    .await
    .ok(200);
    for state in ["open", "review"] {
        app.post(
            &format!("/api/v1/cycles/{cycle}/state"),
            &hr,
            json!({"state": state}),
        )
        .await
        .ok(200);
    }
    app.post(&format!("/api/v1/cycles/{cycle}/compute"), &hr, json!({}))
        .await
        .ok(200);
    app.post(
        &format!("/api/v1/cycles/{cycle}/state"),
        &hr,
        json!({"state": "published"}),
    )
    .await
    .ok(200);
    let token = login(&app, &staff).await;
    let mine = app.get("/api/v1/me/appraisals", &token).await;
    let id = mine.ok(200)["items"][0]["id"].as_i64().unwrap();
    assert_eq!(mine.body["items"][0]["status"], "insufficient evidence");
    let late = app
        .post(
            &format!("/api/v1/appraisals/{id}/appeal"),
            &token,
            json!({"reason": "Please look again"}),
        )
        .await;
    assert_eq!(late.code(409), "appeal_window_closed");
}

async fn notice_count(app: &TestApp, hr: &str, kind: &str) -> i64 {
    let answer = app.get(&format!("/api/v1/notices?kind={kind}"), hr).await;
    answer.ok(200)["total"].as_i64().unwrap()
}

/// A supervisor who leaves (deactivated) cannot review any more: HR reviews their reports'
/// appraisals then, as for people without a manager.
async fn hr_reviews_someone_whose_supervisor_left(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Store", "front_line").await;
    let lead = app.user(&hr, "supervisor", store, None).await;
    let ann = app.user(&hr, "staff", store, Some(lead.id)).await;
    let cycle = app.open_cycle(&hr, "Q1", "2026-01-01", "2026-03-31").await;
    app.review_and_compute(&hr, cycle).await;
    let appraisal = app.appraisal_of(&hr, cycle, ann.id).await["id"].clone();
    let review = format!("/api/v1/appraisals/{appraisal}/review");
    app.post(&review, &hr, json!({})).await.problem(403);
    app.patch(
        &format!("/api/v1/users/{}", lead.id),
        &hr,
        json!({"active": false}),
    )
    .await
    .ok(200);
    let reviewed = app.post(&review, &hr, json!({"comment": "For HR"})).await;
    assert_eq!(reviewed.ok(200)["state"], "reviewed");
}
