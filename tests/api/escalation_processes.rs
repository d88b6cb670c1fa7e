//! The escalation check shared by processes: one `appraisal serve` and two `appraisal
//! deliver` on one PostgreSQL database, a real SMTP server here. Forty complaints are
//! logged while their limits are long; then HR shortens them, every running complaint comes
//! due at once, and the three processes' workers run the check. Each complaint's holder's
//! supervisor gets exactly one level-1 mail, and no mail arrives twice.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::jobs::{three_processes, Processes};
use crate::support::{Backend, TestDatabase};

const COMPLAINTS: usize = 40;

#[actix_rt::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set APPRAISAL_TEST_POSTGRES_URL"
)]
async fn each_complaint_escalates_once_across_three_processes() {
    let Some(database) = TestDatabase::create(Backend::Postgres) else {
        return;
    };
    let quick = [
        ("APPRAISAL__COMPLAINTS__CHECK_SECONDS", "1"),
        ("APPRAISAL__COMPANY__DEFAULT_LOCALE", "en"),
    ];
    let Processes {
        smtp,
        served,
        workers,
        http,
        hr,
        url,
        _dir,
    } = three_processes(&database, &[], &quick).await;

    // Round the clock, so that real time counts whenever the test runs; a day to answer.
    let mut policy =
        serde_json::to_value(appraisal::domain::sla::SlaPolicy::default_policy()).unwrap();
    policy["business_hours"] = json!({"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "start": "00:00", "end": "24:00"});
    policy["priorities"]["high"] =
        json!({"first_response_minutes": 1440, "resolution_minutes": 2880});
    http.put("/api/v1/sla-policy", &hr, policy.clone())
        .await
        .ok(200);
    // As if HR had set it long ago: the complaints' past two hours count round the clock
    // too (a change applies from its instant on, whatever the test's weekday and hour).
    {
        use diesel::connection::SimpleConnection;
        let mut conn = appraisal::db::DbUrl::parse(&url)
            .unwrap()
            .establish()
            .unwrap();
        conn.batch_execute("UPDATE sla_policies SET effective_from = '2000-01-01 00:00:00'")
            .unwrap();
    }
    let store = http.department(&hr, "旗舰店", "front_line").await;
    let lead = http.user(&hr, "supervisor", store, None).await;
    let desk = http.user(&hr, "staff", store, Some(lead.id)).await;
    let desk = http.login(&desk.email, &desk.password).await;
    let received = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    for k in 0..COMPLAINTS {
        http.post(
            "/api/v1/complaints",
            &desk,
            json!({"channel": "phone", "priority": "high", "summary": format!("投诉 {k}"),
                   "received_at": received}),
        )
        .await
        .ok(201);
    }
    // Nothing is due yet: two hours of a day.
    actix_rt::time::sleep(Duration::from_millis(1500)).await;
    assert!(smtp.of_kind("complaint_escalated").is_empty());

    // An hour to answer from now on: every complaint has passed it.
    policy["priorities"]["high"] = json!({"first_response_minutes": 60, "resolution_minutes": 480});
    http.put("/api/v1/sla-policy", &hr, policy).await.ok(200);
    let started = Instant::now();
    while smtp.of_kind("complaint_escalated").len() < COMPLAINTS {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{} of {COMPLAINTS} escalations",
            smtp.of_kind("complaint_escalated").len()
        );
        actix_rt::time::sleep(Duration::from_millis(200)).await;
    }
    // A few more checks run; nothing more arrives.
    actix_rt::time::sleep(Duration::from_millis(2500)).await;
    let escalated = smtp.of_kind("complaint_escalated");
    assert_eq!(escalated.len(), COMPLAINTS);
    assert!(escalated.iter().all(|m| m.to == [lead.email.clone()]));
    let mut subjects: HashMap<&str, usize> = HashMap::new();
    for mail in &escalated {
        *subjects.entry(mail.subject.as_str()).or_default() += 1;
    }
    assert_eq!(
        subjects.len(),
        COMPLAINTS,
        "one per complaint: {subjects:?}"
    );
    let all = smtp.received();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for mail in &all {
        *ids.entry(mail.message_id.as_str()).or_default() += 1;
    }
    assert!(ids.values().all(|&n| n == 1), "a mail arrived twice");
    drop(workers);
    drop(served);
}
