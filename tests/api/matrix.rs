//! The access-control matrix (PRODUCT §1): every route of the OpenAPI document, called by
//! the employee themself, a peer in the same department, the supervisor of another team,
//! the direct supervisor and HR, with the exact answer each must get. A route in the
//! document without a row here fails the test, and so does a row for a route that is not
//! in the document.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{spawn_with, Backend, Person, TestApp};
use crate::{on_both_backends, on_both_backends_with};

on_both_backends!(every_route_answers_each_caller_as_designed);
on_both_backends_with!(without_route_tiers; the_use_cases_refuse_as_the_route_table_does);

/// The application with the route table's early refusal by role turned off: what it then
/// answers, each use case answers on its own.
async fn without_route_tiers(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, |s| {
        s.server.route_tiers = appraisal::settings::RouteTiers(false);
    })
    .await
}

/// Who may do what is stated once in the use cases (`app::only` and the scoped reads): with
/// the route table's refusals off, every caller still gets exactly the matrix's answer.
async fn the_use_cases_refuse_as_the_route_table_does(app: TestApp) {
    let w = world(&app).await;
    let mut failures = Vec::new();
    run(&app, &w, &rows(&w), &mut failures).await;
    let later = later_rows(&app, &w).await;
    run(&app, &w, &later, &mut failures).await;
    assert!(
        failures.is_empty(),
        "{} answers differ without the route table's refusals:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The callers, in the order of every row's expectations.
const CALLERS: [&str; 5] = [
    "self",
    "peer",
    "other supervisor",
    "direct supervisor",
    "hr",
];

/// What one caller must get.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// Exactly this status.
    S(u16),
    /// 200, and the list (`items`) holds the subject's object.
    Sees,
    /// 200, and the list does not hold it.
    Blind,
}
use Expect::{Blind, Sees, S};

struct Row {
    method: Method,
    /// The path as the document names it.
    route: &'static str,
    /// The path called.
    path: String,
    body: Option<Value>,
    /// For `Sees`/`Blind`: the id the list must (not) hold.
    subject: Option<i64>,
    expect: [Expect; 5],
}

fn row(
    method: Method,
    route: &'static str,
    path: impl Into<String>,
    body: Option<Value>,
    expect: [Expect; 5],
) -> Row {
    Row {
        method,
        route,
        path: path.into(),
        body,
        subject: None,
        expect,
    }
}

struct World {
    tokens: [String; 5],
    hr_person: Person,
    employee: i64,
    store: i64,
    checklist: Value,
    /// Published, for acknowledging.
    acknowledged: i64,
    /// Published, for appealing.
    appealed: i64,
    /// Draft, in a cycle under review.
    draft: i64,
    review_cycle: i64,
    open_cycle: i64,
    inspection: i64,
    /// Logged by the employee for their own department (they hold it).
    complaint: i64,
}

const SCHEME: &str = r#"{"weights": {"sales": 25, "satisfaction": 25, "etiquette": 25, "collaboration": 25},
    "grade_bands": [{"grade": "A", "min_total": 80}, {"grade": "B", "min_total": 0}]}"#;

async fn cycle(app: &TestApp, hr: &str, name: &str, start: &str, end: &str) -> i64 {
    let created = app
        .post(
            "/api/v1/cycles",
            hr,
            json!({"name": name, "period_start": start, "period_end": end}),
        )
        .await;
    let id = created.ok(201)["id"].as_i64().unwrap();
    let scheme: Value = serde_json::from_str(SCHEME).unwrap();
    app.put(&format!("/api/v1/cycles/{id}/scheme"), hr, scheme)
        .await
        .ok(200);
    move_to(app, hr, id, &["open"]).await;
    id
}

async fn move_to(app: &TestApp, hr: &str, cycle: i64, states: &[&str]) {
    for state in states {
        if *state == "published" {
            app.post(&format!("/api/v1/cycles/{cycle}/compute"), hr, json!({}))
                .await
                .ok(200);
        }
        app.post(
            &format!("/api/v1/cycles/{cycle}/state"),
            hr,
            json!({ "state": state }),
        )
        .await
        .ok(200);
    }
}

async fn appraisal_of(app: &TestApp, hr: &str, cycle: i64, employee: i64) -> i64 {
    app.appraisal_of(hr, cycle, employee).await["id"]
        .as_i64()
        .unwrap()
}

fn inspection_body(world: &World) -> Value {
    json!({
        "employee_id": world.employee,
        "checklist_id": world.checklist["id"],
        "occurred_on": "2025-11-01",
        "scores": [{"item_id": world.checklist["items"][0]["id"], "points": 4}],
    })
}

async fn world(app: &TestApp) -> World {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Store", "front_line").await;
    let calls = app.department(&hr, "Calls", "front_line").await;
    let direct = app.user(&hr, "supervisor", store, None).await;
    let employee = app.user(&hr, "staff", store, Some(direct.id)).await;
    let peer = app.user(&hr, "staff", store, Some(direct.id)).await;
    let other = app.user(&hr, "supervisor", calls, None).await;
    let checklist = app
        .post(
            "/api/v1/checklists",
            &hr,
            json!({"name": "Etiquette", "items": [{"title": "Courtesy", "max_points": 5}]}),
        )
        .await
        .ok(201)
        .clone();
    let direct_token = app.login(&direct.email, &direct.password).await;

    let first = cycle(app, &hr, "Q1", "2025-01-01", "2025-03-31").await;
    let inspection = app
        .post(
            "/api/v1/inspections",
            &direct_token,
            json!({"employee_id": employee.id, "checklist_id": checklist["id"],
                   "occurred_on": "2025-02-01",
                   "scores": [{"item_id": checklist["items"][0]["id"], "points": 5}]}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    move_to(app, &hr, first, &["review", "published"]).await;
    let second = cycle(app, &hr, "Q2", "2025-04-01", "2025-06-30").await;
    move_to(app, &hr, second, &["review", "published"]).await;
    let review_cycle = cycle(app, &hr, "Q3", "2025-07-01", "2025-09-30").await;
    move_to(app, &hr, review_cycle, &["review"]).await;
    app.post(
        &format!("/api/v1/cycles/{review_cycle}/compute"),
        &hr,
        json!({}),
    )
    .await
    .ok(200);
    let open_cycle = cycle(app, &hr, "Q4", "2025-10-01", "2025-12-31").await;

    let hr_person = Person {
        id: app.get("/api/v1/me", &hr).await.ok(200)["id"]
            .as_i64()
            .unwrap(),
        email: app.hr_email.clone(),
        password: app.hr_password.clone(),
    };
    let mut tokens = Vec::new();
    for p in [&employee, &peer, &other] {
        tokens.push(app.login(&p.email, &p.password).await);
    }
    tokens.push(direct_token);
    tokens.push(hr.clone());
    let complaint = app
        .post(
            "/api/v1/complaints",
            &tokens[0],
            json!({"channel": "counter", "summary": "The fitting room was locked"}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    World {
        complaint,
        acknowledged: appraisal_of(app, &hr, first, employee.id).await,
        appealed: appraisal_of(app, &hr, second, employee.id).await,
        draft: appraisal_of(app, &hr, review_cycle, employee.id).await,
        tokens: tokens.try_into().unwrap(),
        hr_person,
        employee: employee.id,
        store,
        checklist,
        review_cycle,
        open_cycle,
        inspection,
    }
}

/// The rows, in the order they run: a write's refused callers come before its allowed ones
/// (a refused write must change nothing the allowed one depends on).
fn rows(w: &World) -> Vec<Row> {
    const ALL: [Expect; 5] = [S(200); 5];
    const HR_ONLY: [Expect; 5] = [S(403), S(403), S(403), S(403), S(200)];
    // HR passes the role check and then fails validation: the body is deliberately invalid.
    const HR_ONLY_422: [Expect; 5] = [S(403), S(403), S(403), S(403), S(422)];
    let (e, c, rc, oc) = (
        w.employee,
        w.checklist["id"].clone(),
        w.review_cycle,
        w.open_cycle,
    );
    let get = |route, path: String, expect| row(Method::GET, route, path, None, expect);
    // A GET of a list that must (`Sees`) or must not (`Blind`) hold `subject`.
    let listing = |route, path: String, subject: i64, expect| Row {
        subject: Some(subject),
        ..get(route, path, expect)
    };
    let rows = vec![
        row(
            Method::POST,
            "/api/v1/auth/login",
            "/api/v1/auth/login",
            Some(json!({"email": w.hr_person.email, "password": w.hr_person.password})),
            ALL,
        ),
        // Anyone may ask for a reset link: the same 202 for every address.
        row(
            Method::POST,
            "/api/v1/auth/forgot",
            "/api/v1/auth/forgot",
            Some(json!({"email": "nobody@example.com"})),
            [S(202); 5],
        ),
        // A made-up link is refused alike for everyone.
        row(
            Method::POST,
            "/api/v1/auth/reset",
            "/api/v1/auth/reset",
            Some(json!({"token": "made-up", "new_password": "another-password-1"})),
            [S(422); 5],
        ),
        get("/api/v1/openapi.json", "/api/v1/openapi.json".into(), ALL),
        get("/health", "/health".into(), ALL),
        get("/ready", "/ready".into(), ALL),
        get("/api/v1/me", "/api/v1/me".into(), ALL),
        // Wrong current password: every role may try, and is told so.
        row(
            Method::PUT,
            "/api/v1/me/password",
            "/api/v1/me/password",
            Some(
                json!({"current_password": "not-the-password", "new_password": "another-password-1"}),
            ),
            [S(422); 5],
        ),
        get("/api/v1/departments", "/api/v1/departments".into(), ALL),
        get(
            "/api/v1/departments/{id}",
            format!("/api/v1/departments/{}", w.store),
            ALL,
        ),
        row(
            Method::POST,
            "/api/v1/departments",
            "/api/v1/departments",
            Some(json!({"name": "", "kind": "front_line"})),
            HR_ONLY_422,
        ),
        row(
            Method::PATCH,
            "/api/v1/departments/{id}",
            format!("/api/v1/departments/{}", w.store),
            Some(json!({"kind": "middle"})),
            HR_ONLY_422,
        ),
        // People: HR only, even a direct supervisor reads a report through appraisals.
        get("/api/v1/users", "/api/v1/users".into(), HR_ONLY),
        get("/api/v1/users/{id}", format!("/api/v1/users/{e}"), HR_ONLY),
        row(
            Method::POST,
            "/api/v1/users",
            "/api/v1/users",
            Some(
                json!({"email": "x", "display_name": "X", "role": "staff", "department_id": w.store, "password": "long-enough-1"}),
            ),
            HR_ONLY_422,
        ),
        // People in bulk: HR only; an unknown role is refused row by row.
        row(
            Method::POST,
            "/api/v1/users/bulk",
            "/api/v1/users/bulk",
            Some(
                json!([{"email": "bulk@example.test", "display_name": "B", "role": "boss", "department": "Store"}]),
            ),
            HR_ONLY_422,
        ),
        row(
            Method::PATCH,
            "/api/v1/users/{id}",
            format!("/api/v1/users/{e}"),
            Some(json!({"role": "boss"})),
            HR_ONLY_422,
        ),
        // A set-up code: HR only; the employee has an email and a password (409).
        row(
            Method::POST,
            "/api/v1/users/{id}/setup-code",
            format!("/api/v1/users/{e}/setup-code"),
            None,
            [S(403), S(403), S(403), S(403), S(409)],
        ),
        get("/api/v1/cycles", "/api/v1/cycles".into(), ALL),
        get("/api/v1/cycles/{id}", format!("/api/v1/cycles/{oc}"), ALL),
        row(
            Method::POST,
            "/api/v1/cycles",
            "/api/v1/cycles",
            Some(json!({"name": "", "period_start": "2030-01-01", "period_end": "2030-02-01"})),
            HR_ONLY_422,
        ),
        row(
            Method::PATCH,
            "/api/v1/cycles/{id}",
            format!("/api/v1/cycles/{oc}"),
            Some(json!({"appeal_window_days": 91})),
            HR_ONLY_422,
        ),
        row(
            Method::POST,
            "/api/v1/cycles/{id}/state",
            format!("/api/v1/cycles/{oc}/state"),
            Some(json!({"state": "finished"})),
            HR_ONLY_422,
        ),
        get(
            "/api/v1/cycles/{id}/scheme",
            format!("/api/v1/cycles/{oc}/scheme"),
            HR_ONLY,
        ),
        row(
            Method::PUT,
            "/api/v1/cycles/{id}/scheme",
            format!("/api/v1/cycles/{oc}/scheme"),
            Some(
                json!({"weights": {"sales": 1, "satisfaction": 1, "etiquette": 1, "collaboration": 1},
                        "grade_bands": [{"grade": "A", "min_total": 0}]}),
            ),
            HR_ONLY_422,
        ),
        get(
            "/api/v1/cycles/{id}/evidence",
            format!("/api/v1/cycles/{oc}/evidence?employee_id={e}"),
            HR_ONLY,
        ),
        // Compute is re-runnable while the cycle is under review.
        row(
            Method::POST,
            "/api/v1/cycles/{id}/compute",
            format!("/api/v1/cycles/{rc}/compute"),
            None,
            HR_ONLY,
        ),
        get(
            "/api/v1/cycles/{id}/report",
            format!("/api/v1/cycles/{rc}/report"),
            HR_ONLY,
        ),
        // The export: supervisors (their reports' rows) and HR; staff not.
        get(
            "/api/v1/cycles/{id}/export",
            format!("/api/v1/cycles/{rc}/export?format=csv"),
            [S(403), S(403), S(200), S(200), S(200)],
        ),
        get("/api/v1/checklists", "/api/v1/checklists".into(), ALL),
        get(
            "/api/v1/checklists/{id}",
            format!("/api/v1/checklists/{c}"),
            ALL,
        ),
        row(
            Method::POST,
            "/api/v1/checklists",
            "/api/v1/checklists",
            Some(json!({"name": "Empty", "items": []})),
            HR_ONLY_422,
        ),
        row(
            Method::PUT,
            "/api/v1/checklists/{id}",
            format!("/api/v1/checklists/{c}"),
            Some(json!({"name": "Empty", "items": []})),
            HR_ONLY_422,
        ),
        // Staff may not record inspections (403); another team's supervisor is told nothing
        // of this employee (404); the direct supervisor and HR record one each.
        row(
            Method::POST,
            "/api/v1/inspections",
            "/api/v1/inspections",
            Some(inspection_body(w)),
            [S(403), S(403), S(404), S(201), S(201)],
        ),
        listing(
            "/api/v1/inspections",
            format!("/api/v1/inspections?employee_id={e}"),
            w.inspection,
            [Sees, S(404), S(404), Sees, Sees],
        ),
        listing(
            "/api/v1/inspections",
            "/api/v1/inspections".into(),
            w.inspection,
            [Sees, Blind, Blind, Sees, Sees],
        ),
        row(
            Method::POST,
            "/api/v1/sales-targets",
            "/api/v1/sales-targets",
            Some(json!([])),
            HR_ONLY_422,
        ),
        row(
            Method::POST,
            "/api/v1/sales-records",
            "/api/v1/sales-records",
            Some(json!([])),
            HR_ONLY_422,
        ),
        row(
            Method::POST,
            "/api/v1/satisfaction-responses",
            "/api/v1/satisfaction-responses",
            Some(json!([])),
            HR_ONLY_422,
        ),
        // Anyone rates colleagues of other departments, never their own department's.
        row(
            Method::POST,
            "/api/v1/collaboration-ratings",
            "/api/v1/collaboration-ratings",
            Some(json!({"ratee_id": e, "cycle_id": oc, "rating": 4})),
            [S(422), S(422), S(201), S(422), S(201)],
        ),
        // Appraisal lists: staff have none to read; supervisors see their reports only.
        listing(
            "/api/v1/cycles/{id}/appraisals",
            format!("/api/v1/cycles/{rc}/appraisals"),
            w.draft,
            [S(403), S(403), Blind, Sees, Sees],
        ),
        get("/api/v1/me/appraisals", "/api/v1/me/appraisals".into(), ALL),
        get(
            "/api/v1/appraisals/{id}",
            format!("/api/v1/appraisals/{}", w.acknowledged),
            [S(200), S(404), S(404), S(200), S(200)],
        ),
        // A draft is not the employee's to read yet.
        get(
            "/api/v1/appraisals/{id}",
            format!("/api/v1/appraisals/{}", w.draft),
            [S(404), S(404), S(404), S(200), S(200)],
        ),
        // Reviews are the direct supervisor's (HR runs the appraisal and does not review).
        row(
            Method::POST,
            "/api/v1/appraisals/{id}/review",
            format!("/api/v1/appraisals/{}/review", w.draft),
            Some(json!({"comment": "Good month"})),
            [S(403), S(403), S(404), S(200), S(403)],
        ),
        // Acknowledging and appealing are the employee's own; nobody else's appraisal is
        // theirs to acknowledge (404 even where they may read it).
        row(
            Method::POST,
            "/api/v1/appraisals/{id}/acknowledge",
            format!("/api/v1/appraisals/{}/acknowledge", w.acknowledged),
            None,
            [S(200), S(404), S(404), S(404), S(404)],
        ),
        row(
            Method::POST,
            "/api/v1/appraisals/{id}/appeal",
            format!("/api/v1/appraisals/{}/appeal", w.appealed),
            Some(json!({"reason": "The inspection was on my day off"})),
            [S(201), S(404), S(404), S(404), S(404)],
        ),
        get("/api/v1/appeals", "/api/v1/appeals".into(), HR_ONLY),
        get(
            "/api/v1/audit-events",
            format!("/api/v1/audit-events?entity=user&entity_id={e}"),
            HR_ONLY,
        ),
        get("/api/v1/notices", "/api/v1/notices".into(), HR_ONLY),
        get("/api/v1/sla-policy", "/api/v1/sla-policy".into(), ALL),
        row(
            Method::PUT,
            "/api/v1/sla-policy",
            "/api/v1/sla-policy",
            Some(
                serde_json::to_value(appraisal::domain::sla::SlaPolicy::default_policy()).unwrap(),
            ),
            HR_ONLY,
        ),
        // Complaints: anyone logs one and lists their own; one complaint is seen and moved on
        // by the one who logged (and holds) it, their department's supervisor and HR.
        row(
            Method::POST,
            "/api/v1/complaints",
            "/api/v1/complaints",
            Some(json!({"channel": "phone", "summary": "Nobody called back"})),
            [S(201); 5],
        ),
        listing(
            "/api/v1/complaints",
            "/api/v1/complaints".into(),
            w.complaint,
            [Sees, Blind, Blind, Sees, Sees],
        ),
        get(
            "/api/v1/complaints/{id}",
            format!("/api/v1/complaints/{}", w.complaint),
            [S(200), S(404), S(404), S(200), S(200)],
        ),
        row(
            Method::POST,
            "/api/v1/complaints/{id}/events",
            format!("/api/v1/complaints/{}/events", w.complaint),
            Some(json!({"kind": "respond", "note": "Called the customer"})),
            [S(200), S(404), S(404), S(200), S(200)],
        ),
        get(
            "/api/v1/cycles/{id}/complaints/report",
            format!("/api/v1/cycles/{rc}/complaints/report"),
            HR_ONLY,
        ),
        // A department's group robot is HR's alone; until it is set, HR reads 404.
        get(
            "/api/v1/departments/{id}/robot",
            format!("/api/v1/departments/{}/robot", w.store),
            [S(403), S(403), S(403), S(403), S(404)],
        ),
        row(
            Method::PUT,
            "/api/v1/departments/{id}/robot",
            format!("/api/v1/departments/{}/robot", w.store),
            Some(json!({"platform": "wecom",
                "webhook_url": "http://127.0.0.1:9/cgi-bin/webhook/send?key=matrix"})),
            HR_ONLY,
        ),
        row(
            Method::DELETE,
            "/api/v1/departments/{id}/robot",
            format!("/api/v1/departments/{}/robot", w.store),
            None,
            [S(403), S(403), S(403), S(403), S(204)],
        ),
    ];
    rows
}

/// Rows that need ids made by earlier rows (the appeal, a notice).
async fn later_rows(app: &TestApp, w: &World) -> Vec<Row> {
    let hr = &w.tokens[4];
    let appeals = app.get("/api/v1/appeals?state=open", hr).await;
    let appeal = appeals.ok(200)["items"][0]["id"].as_i64().unwrap();
    let notices = app.get("/api/v1/notices", hr).await;
    let notice = notices.ok(200)["items"][0]["id"].as_i64().unwrap();
    vec![
        row(
            Method::POST,
            "/api/v1/appeals/{id}/decision",
            format!("/api/v1/appeals/{appeal}/decision"),
            Some(json!({"decision": "rejected", "note": "The inspection date is on the rota"})),
            [S(403), S(403), S(403), S(403), S(200)],
        ),
        // Only a failed notice may be retried: HR passes the role check and meets that rule.
        row(
            Method::POST,
            "/api/v1/notices/{id}/retry",
            format!("/api/v1/notices/{notice}/retry"),
            None,
            [S(403), S(403), S(403), S(403), S(409)],
        ),
    ]
}

async fn every_route_answers_each_caller_as_designed(app: TestApp) {
    let w = world(&app).await;
    let mut all = rows(&w);
    let mut failures = Vec::new();
    run(&app, &w, &all, &mut failures).await;
    let later = later_rows(&app, &w).await;
    run(&app, &w, &later, &mut failures).await;
    all.extend(later);
    assert!(
        failures.is_empty(),
        "{} answers differ from PRODUCT §1:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // Every operation of the document has a row, and every row an operation.
    let spec = app.get("/api/v1/openapi.json", &w.tokens[4]).await;
    let mut documented = BTreeSet::new();
    for (path, item) in spec.ok(200)["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let covered: BTreeSet<(String, String)> = all
        .iter()
        .map(|r| (r.method.to_string(), r.route.to_owned()))
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    let stray: Vec<_> = covered.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes without a matrix row: {missing:?}"
    );
    assert!(
        stray.is_empty(),
        "matrix rows for undocumented routes: {stray:?}"
    );
}

async fn run(app: &TestApp, w: &World, rows: &[Row], failures: &mut Vec<String>) {
    for r in rows {
        for (i, expect) in r.expect.iter().enumerate() {
            let answer = app
                .send(
                    r.method.clone(),
                    &r.path,
                    Some(&w.tokens[i]),
                    r.body.as_ref(),
                )
                .await;
            let status = answer.status.as_u16();
            let holds = |id: i64| {
                answer.body["items"]
                    .as_array()
                    .is_some_and(|items| items.iter().any(|item| item["id"] == id))
            };
            let ok = match expect {
                S(s) => status == *s,
                Sees => status == 200 && holds(r.subject.expect("a subject")),
                Blind => status == 200 && !holds(r.subject.expect("a subject")),
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {}: expected {:?}, got {} {}",
                    r.method, r.path, CALLERS[i], expect, status, answer.body
                ));
            }
        }
    }
}
