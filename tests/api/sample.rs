//! The sample company behind `appraisal serve --sample`.

use appraisal::db::Db;
use appraisal::sample::{seed, SAMPLE_PASSWORD};
use chrono::NaiveDate;

use crate::on_both_backends;
use crate::support::{test_settings, TestApp};

on_both_backends!(the_sample_company_has_evidence_for_everyone);

async fn the_sample_company_has_evidence_for_everyone(app: TestApp) {
    let settings = test_settings(&app.database.url());
    let db = Db::connect(&settings.database).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let logins = seed(&mut db.get().unwrap(), today).unwrap();
    // A second run changes nothing and shows the same logins.
    let again = seed(&mut db.get().unwrap(), today).unwrap();
    assert_eq!(logins.len(), again.len());
    assert_eq!(
        logins.len(),
        11,
        "HR, five supervisors, five staff examples"
    );

    for login in &logins {
        app.login(&login.email, SAMPLE_PASSWORD).await;
    }
    let hr = app.login("hr@sample.example", SAMPLE_PASSWORD).await;
    let people = app.get("/api/v1/users?limit=200", &hr).await;
    assert_eq!(
        people.ok(200)["total"],
        1 + 1 + 5 + 30,
        "bootstrap HR + sample HR + 35"
    );
    let cycles = app.get("/api/v1/cycles", &hr).await;
    let cycle = &cycles.ok(200)["items"][0];
    assert_eq!(cycles.body["total"], 2);
    let past = &cycles.body["items"][1];
    assert_eq!(past["name"], "2026 Q3");
    assert_eq!(past["state"], "published");
    let published = app
        .get(&format!("/api/v1/cycles/{}/appraisals", past["id"]), &hr)
        .await;
    let published = published.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(published.len(), 35);
    assert!(published.iter().filter(|a| a["total"].is_number()).count() >= 30);
    let appeals = app.get("/api/v1/appeals?state=open", &hr).await;
    assert_eq!(appeals.ok(200)["total"], 1);
    let appellant = app.login("wang.wei@sample.example", SAMPLE_PASSWORD).await;
    let theirs = app.get("/api/v1/me/appraisals", &appellant).await;
    assert_eq!(theirs.ok(200)["items"][0]["state"], "appealed");
    assert_eq!(
        theirs.body["items"][0]["supervisor_comment"],
        "Reviewed with the team lead"
    );
    assert_eq!(cycle["name"], "2026 Q4");
    assert_eq!(cycle["state"], "open");
    assert_eq!(cycle["period_start"], "2026-10-01");
    assert_eq!(cycle["period_end"], "2026-12-31");

    let evidence = app
        .get(&format!("/api/v1/cycles/{}/evidence", cycle["id"]), &hr)
        .await;
    let employees = evidence.ok(200)["employees"].as_array().unwrap().clone();
    assert_eq!(employees.len(), 35);
    for e in &employees {
        assert!(e["collaboration_raters"].as_i64().unwrap() >= 3, "{e}");
    }
    let with_sales: Vec<_> = employees
        .iter()
        .filter(|e| e["sales_records"] == 12)
        .collect();
    assert_eq!(with_sales.len(), 18, "the three front-line teams");
    assert!(with_sales
        .iter()
        .all(|e| e["sales_target"].as_i64().unwrap() > 0));
    let inspected = employees
        .iter()
        .filter(|e| e["inspections"].as_i64().unwrap() >= 1);
    assert_eq!(inspected.count(), 30, "every staff member");

    // A supervisor sees the team's inspections; staff their own.
    let lead = app
        .login("lead.store@sample.example", SAMPLE_PASSWORD)
        .await;
    let team = app.get("/api/v1/inspections?limit=200", &lead).await;
    assert!(team.ok(200)["total"].as_i64().unwrap() >= 6);
    let staff = logins.iter().find(|l| l.role == "staff").unwrap();
    let token = app.login(&staff.email, SAMPLE_PASSWORD).await;
    let own = app.get("/api/v1/inspections", &token).await;
    let me = app.get("/api/v1/me", &token).await.body["id"].clone();
    for inspection in own.ok(200)["items"].as_array().unwrap() {
        assert_eq!(inspection["employee_id"], me);
    }
}
