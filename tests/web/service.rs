//! Service recovery on HR's pages (issue 28): the time-limit policy with a lunch break, the
//! Spring Festival and a make-up Saturday, refused with every reason and kept as typed; a
//! department's group robot saved without its key ever shown again; a helpdesk's file
//! imported (its mistakes listed by row); the supervisor's escalations; the complaints
//! report with its chart.

use serde_json::json;

use crate::forms::Visitor;
use crate::on_both_backends;
use crate::support::TestApp;

on_both_backends!(hr_sets_limits_robots_and_imports_a_helpdesk_file_on_the_pages);

fn shanghai(text: &str) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    let local = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&local)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

async fn hr_sets_limits_robots_and_imports_a_helpdesk_file_on_the_pages(app: TestApp) {
    app.clock().set(shanghai("2026-03-20 10:00"));
    let hr = app.hr_token().await;
    let store = app.department(&hr, "旗舰店", "front_line").await;
    let sam = app.user(&hr, "supervisor", store, None).await;
    let cycle = app
        .open_cycle(&hr, "2026 Q1", "2026-01-01", "2026-03-31")
        .await;
    let mut visitor = Visitor::new(&app.base);
    visitor.sign_in(&app.hr_email, &app.hr_password).await;

    // The policy as the form shows it: the default, with its lunch break.
    let page = visitor.get("/hr/service").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("12:00-13:30"), "{}", page.body);
    let csrf = page.csrf();
    let mut fields: Vec<(&str, String)> = vec![("csrf", csrf.clone())];
    for (p, first, resolution) in [
        ("urgent", "30", "240"),
        ("high", "60", "480"),
        ("normal", "240", "1350"),
        ("low", "450", "2700"),
    ] {
        fields.push((
            Box::leak(format!("priorities.{p}.first_response_minutes").into_boxed_str()),
            first.into(),
        ));
        fields.push((
            Box::leak(format!("priorities.{p}.resolution_minutes").into_boxed_str()),
            resolution.into(),
        ));
    }
    for day in ["mon", "tue", "wed", "thu", "fri"] {
        fields.push((
            Box::leak(format!("day_{day}").into_boxed_str()),
            "true".into(),
        ));
    }
    fields.extend([
        ("business_hours.start", "09:00".to_owned()),
        ("business_hours.end", "18:00".to_owned()),
        ("business_hours.breaks", "12:00-13:30".to_owned()),
        ("holidays", "2027-02-05\n2027/2/8".to_owned()),
        ("workdays", "2027-02-14".to_owned()),
    ]);
    let form = |changes: &[(&str, &str)]| -> Vec<(&str, String)> {
        fields
            .iter()
            .map(|(k, v)| {
                let v = changes
                    .iter()
                    .find(|(c, _)| c == k)
                    .map_or(v.clone(), |(_, n)| (*n).to_owned());
                (*k, v)
            })
            .collect()
    };

    // Refused: every reason at once, and the form keeps what was typed.
    let wrong = form(&[
        ("business_hours.end", "25:00"),
        ("holidays", "2027-02-30"),
        ("priorities.high.first_response_minutes", "一小时"),
    ]);
    let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = visitor.post("/hr/service/policy", &wrong).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("2027-02-30"), "kept as typed");
    assert!(refused.body.contains("一小时"));
    let stored = app.get("/api/v1/sla-policy", &hr).await;
    assert_eq!(stored.ok(200)["holidays"], json!([]));

    // Saved: the holidays and the make-up Saturday are the policy now.
    let right = form(&[]);
    let right: Vec<(&str, &str)> = right.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = visitor.post("/hr/service/policy", &right).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let stored = app.get("/api/v1/sla-policy", &hr).await;
    let stored = stored.ok(200);
    assert_eq!(stored["holidays"], json!(["2027-02-05", "2027-02-08"]));
    assert_eq!(stored["workdays"], json!(["2027-02-14"]));
    assert_eq!(
        stored["business_hours"]["breaks"],
        json!([{"start": "12:00", "end": "13:30"}])
    );

    // A robot: refused off the allowed hosts; saved; its key never shown again.
    let robot = format!("/hr/service/robots/{store}");
    let elsewhere = visitor
        .post(
            &robot,
            &[
                ("csrf", &csrf),
                ("platform", "wecom"),
                ("webhook_url", "https://10.0.0.8/cgi-bin/webhook/send?key=k"),
            ],
        )
        .await;
    assert_eq!(elsewhere.status, 422, "{}", elsewhere.body);
    // Refused, the form says whose it was and keeps what was typed (never a secret).
    let no_secret = visitor
        .post(
            &robot,
            &[
                ("csrf", &csrf),
                ("platform", "dingtalk"),
                (
                    "webhook_url",
                    "http://127.0.0.1:9/robot/send?access_token=typed",
                ),
            ],
        )
        .await;
    assert_eq!(no_secret.status, 422, "{}", no_secret.body);
    assert!(no_secret.body.contains("旗舰店: "), "{}", no_secret.body);
    assert!(no_secret
        .body
        .contains("value=\"http://127.0.0.1:9/robot/send?access_token=typed\""));
    let saved = visitor
        .post(
            &robot,
            &[
                ("csrf", &csrf),
                ("platform", "wecom"),
                (
                    "webhook_url",
                    "http://127.0.0.1:9/cgi-bin/webhook/send?key=SECRET-KEY-42",
                ),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = visitor.get("/hr/service").await;
    assert!(page.body.contains("127.0.0.1"));
    assert!(!page.body.contains("SECRET-KEY-42"), "the key is not shown");

    // A helpdesk's file: its mistakes listed by row, nothing imported; then imported.
    let wrong_file = "编号,受理时间,渠道,投诉内容,部门,回访评分\n\
                      HD-1,2026-03-19 09:00,电话,排队太久,旗舰店,4\n";
    let refused = visitor
        .post_multipart(
            "/hr/service/import",
            &[
                ("csrf", &csrf),
                ("kind", "complaints"),
                ("file", wrong_file),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let alert = &refused.body[refused.body.find("role=\"alert\"").unwrap_or(0)..];
    assert!(
        alert.contains("follow_up_rating") || alert.contains("回访评分"),
        "{alert}"
    );
    let file = "编号,受理时间,渠道,投诉内容,部门\n\
                HD-1,2026-03-19 09:00,电话,排队太久,旗舰店\n";
    let imported = visitor
        .post_multipart(
            "/hr/service/import",
            &[("csrf", &csrf), ("kind", "complaints"), ("file", file)],
        )
        .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert!(imported.body.contains(": 1"), "{}", imported.body);
    // The template, filled in as it shows, imports as it stands.
    let warehouse = app.department(&hr, "仓储物流部", "back_office").await;
    app.post(
        "/api/v1/users",
        &hr,
        json!({"email": "wes@example.test", "display_name": "Wes", "role": "staff",
               "department_id": warehouse, "employee_number": "E0101",
               "password": "long-enough-password"}),
    )
    .await
    .ok(201);
    let template = visitor.get("/hr/service/template.csv").await;
    assert_eq!(template.status, 200);
    let imported = visitor
        .post_multipart(
            "/hr/service/import",
            &[
                ("csrf", &csrf),
                ("kind", "complaints"),
                ("file", template.body.trim_start_matches('\u{feff}')),
            ],
        )
        .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert!(imported.body.contains(": 1"), "{}", imported.body);

    // The store's supervisor finds it among the escalations: its first answer is a day late.
    let mut lead = Visitor::new(&app.base);
    lead.sign_in(&sam.email, &sam.password).await;
    let escalated = lead.get("/complaints?escalated=true").await;
    assert_eq!(escalated.status, 200);
    assert!(escalated.body.contains("排队太久"), "{}", escalated.body);

    // The report, with its chart.
    let report = visitor.get(&format!("/hr/cycles/{cycle}/complaints")).await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(report.body.contains("<svg") && report.body.contains("旗舰店"));
    assert!(report.body.contains("0.00%"), "{}", report.body);
}
