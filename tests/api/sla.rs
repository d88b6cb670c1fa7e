//! The complaint time-limit policy (`GET/PUT /api/v1/sla-policy`): anyone reads it, HR sets
//! it, every problem of a policy comes back in one answer in the reader's language, and a
//! change is audited with the policy it replaced.

use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{answer, TestApp};

on_both_backends!(hr_sets_the_time_limits_and_everyone_reads_them);

fn policy() -> Value {
    json!({
        "priorities": {
            "low": {"first_response_minutes": 480, "resolution_minutes": 2880},
            "normal": {"first_response_minutes": 240, "resolution_minutes": 1440},
            "high": {"first_response_minutes": 60, "resolution_minutes": 480},
            "urgent": {"first_response_minutes": 30, "resolution_minutes": 240}
        },
        "business_hours": {
            "days": ["sat", "mon", "tue", "wed", "thu", "fri"],
            "start": "09:00",
            "end": "21:00",
            "breaks": [{"start": "17:30", "end": "18:00"}, {"start": "12:00", "end": "13:30"}]
        },
        "holidays": ["2026-02-18", "2026-02-17"],
        "workdays": ["2026-02-14"]
    })
}

async fn hr_sets_the_time_limits_and_everyone_reads_them(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "旗舰店", "front_line").await;
    let desk = app.user(&hr, "staff", store, None).await;
    let desk = app.login(&desk.email, &desk.password).await;

    // Until HR sets one, the default: weekdays 09:00–18:00 with the lunch break.
    let default = app.get("/api/v1/sla-policy", &desk).await;
    let default = default.ok(200);
    assert_eq!(default["business_hours"]["start"], "09:00");
    assert_eq!(default["business_hours"]["breaks"][0]["end"], "13:30");
    assert_eq!(
        default["priorities"]["urgent"]["first_response_minutes"],
        30
    );

    // Staff may not set it.
    assert_eq!(
        app.put("/api/v1/sla-policy", &desk, policy())
            .await
            .code(403),
        "forbidden"
    );

    // HR sets it; it comes back plain (days in week order, breaks and dates sorted).
    let set = app.put("/api/v1/sla-policy", &hr, policy()).await;
    let set = set.ok(200);
    assert_eq!(
        set["business_hours"]["days"],
        json!(["mon", "tue", "wed", "thu", "fri", "sat"])
    );
    assert_eq!(set["business_hours"]["breaks"][0]["start"], "12:00");
    assert_eq!(set["holidays"], json!(["2026-02-17", "2026-02-18"]));
    assert_eq!(app.get("/api/v1/sla-policy", &desk).await.ok(200), set);

    // Every problem in one answer, each with its field, in the reader's language; nothing
    // changes.
    let mut bad = policy();
    bad["priorities"]["high"]["resolution_minutes"] = json!(30);
    bad["business_hours"]["end"] = json!("08:00");
    bad["business_hours"]["breaks"][0]["end"] = json!("9:00");
    bad["workdays"] = json!(["2026-02-17"]);
    let refused = app
        .client
        .put(format!("{}/api/v1/sla-policy", app.base))
        .bearer_auth(&hr)
        .header("accept-language", "zh-CN")
        .json(&bad)
        .send()
        .await
        .unwrap();
    let refused = answer(refused).await;
    let errors = &refused.problem(422)["errors"];
    assert_eq!(
        errors["priorities.high.resolution_minutes"],
        "不能短于首次响应时限"
    );
    assert_eq!(errors["business_hours.end"], "必须晚于开始时间");
    assert!(errors["business_hours.breaks[0].end"]
        .as_str()
        .unwrap()
        .starts_with("必须是时刻"));
    assert_eq!(errors["workdays[0]"], "重复出现");
    assert_eq!(app.get("/api/v1/sla-policy", &desk).await.ok(200), set);

    // The change is in the audit trail, with the policy it replaced.
    let events = app.get("/api/v1/audit-events?entity=sla_policy", &hr).await;
    let events = events.ok(200);
    assert_eq!(events["total"], 1);
    let event = &events["items"][0];
    assert_eq!(event["action"], "set_sla_policy");
    assert_eq!(event["before"]["business_hours"]["end"], "18:00");
    assert_eq!(event["after"]["business_hours"]["end"], "21:00");
}
