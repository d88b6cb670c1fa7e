//! The races of `races.rs` across two `appraisal serve` processes on one PostgreSQL
//! database: the conflicting requests of each round go to different instances, so nothing
//! held in one process's memory could be what keeps the rules.

use serde_json::json;

use crate::binary::{serve, Served};
use crate::races::{at_once, count_of, execute, month, number, statuses, Tally, ROUNDS};
use crate::support::{random_text, Backend, Http, TestDatabase};

/// Fields drop in order: the servers stop before their database is dropped.
struct Two {
    http: [Http; 2],
    hr_password: String,
    _served: [Served; 2],
    database: TestDatabase,
    _dir: tempfile::TempDir,
}

const HR_EMAIL: &str = "hr@example.test";

async fn two_instances() -> Option<Two> {
    // Empty: the two processes run the migrations, racing.
    let database = TestDatabase::create_empty(Backend::Postgres)?;
    let dir = tempfile::tempdir().unwrap();
    let (url, secret, password) = (database.url(), random_text(48), random_text(16));
    let env = [
        ("APPRAISAL__SERVER__PORT", "0"),
        ("APPRAISAL__DATABASE__URL", url.as_str()),
        ("APPRAISAL__AUTH__JWT_SECRET", secret.as_str()),
        ("APPRAISAL__AUTH__PASSWORD_QUEUE", "64"),
        ("APPRAISAL__BOOTSTRAP__HR_EMAIL", HR_EMAIL),
        ("APPRAISAL__BOOTSTRAP__HR_PASSWORD", password.as_str()),
        ("APPRAISAL__MAIL__TRANSPORT", "memory"),
    ];
    // Started together: migrations and the bootstrap account race too.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| serve(dir.path(), &env));
        let b = s.spawn(|| serve(dir.path(), &env));
        (a.join().unwrap(), b.join().unwrap())
    });
    Some(Two {
        http: [Http::new(a.base.clone()), Http::new(b.base.clone())],
        hr_password: password,
        database,
        _served: [a, b],
        _dir: dir,
    })
}

#[actix_rt::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set APPRAISAL_TEST_POSTGRES_URL"
)]
async fn the_rules_hold_across_two_instances() {
    let Some(two) = two_instances().await else {
        return;
    };
    let [one, other] = &two.http;
    let url = two.database.url();
    let mut conn = appraisal::db::DbUrl::parse(&url)
        .unwrap()
        .establish()
        .unwrap();
    let hr = one.login(HR_EMAIL, &two.hr_password).await;
    assert_eq!(
        number(
            &mut conn,
            "SELECT COUNT(*) AS n FROM users WHERE role = 'hr'"
        ),
        1,
        "one bootstrap account from two instances starting together"
    );
    let tally = |name| Tally::named(name, "postgres, two instances");

    // Two HR accounts deactivate each other.
    let mut t = tally("two HR accounts deactivate each other");
    let office = one.department(&hr, "People Office", "back_office").await;
    let mut lead = hr.clone();
    for _ in 0..ROUNDS {
        let lead_id = one.get("/api/v1/me", &lead).await.ok(200)["id"]
            .as_i64()
            .unwrap();
        let a = one.user(&lead, "hr", office, None).await;
        let b = one.user(&lead, "hr", office, None).await;
        let ta = one.login(&a.email, &a.password).await;
        let tb = other.login(&b.email, &b.password).await;
        one.patch(
            &format!("/api/v1/users/{lead_id}"),
            &ta,
            json!({"active": false}),
        )
        .await
        .ok(200);
        let answers = at_once(vec![
            one.patch(
                &format!("/api/v1/users/{}", b.id),
                &ta,
                json!({"active": false}),
            ),
            other.patch(
                &format!("/api/v1/users/{}", a.id),
                &tb,
                json!({"active": false}),
            ),
        ])
        .await;
        t.round(&answers.iter().collect::<Vec<_>>());
        let active = number(
            &mut conn,
            "SELECT COUNT(*) AS n FROM users WHERE role = 'hr' AND active",
        );
        if count_of(&answers, 200) != 1 || active != 1 {
            t.broke(format!(
                "{:?}, {active} active HR accounts",
                statuses(&answers)
            ));
            execute(
                &mut conn,
                &format!("UPDATE users SET active = TRUE WHERE id = {}", a.id),
            );
            lead = one.login(&a.email, &a.password).await;
            continue;
        }
        lead = if answers[0].status == 200 { ta } else { tb };
    }
    t.finish();
    let hr = lead;

    // Cycles of one period, created on both instances at once.
    let mut t = tally("cycles of the same period");
    for round in 0..ROUNDS {
        let (start, end) = month(round);
        let body = |i: usize| json!({"name": format!("R{round}-{i}"), "period_start": start, "period_end": end});
        let answers = at_once(vec![
            one.post("/api/v1/cycles", &hr, body(0)),
            other.post("/api/v1/cycles", &hr, body(1)),
            one.post("/api/v1/cycles", &hr, body(2)),
            other.post("/api/v1/cycles", &hr, body(3)),
        ])
        .await;
        t.round(&answers.iter().collect::<Vec<_>>());
        let overlapping = number(
            &mut conn,
            "SELECT COUNT(*) AS n FROM cycles a JOIN cycles b ON a.id < b.id \
             AND a.period_start <= b.period_end AND b.period_start <= a.period_end",
        );
        if count_of(&answers, 201) != 1 || overlapping != 0 {
            t.broke(format!(
                "{:?}, {overlapping} overlapping pairs",
                statuses(&answers)
            ));
        }
    }
    t.finish();

    // One cycle moved to review by both instances at once; then published on one while
    // the other recomputes after a change of scheme.
    let mut t = tally("a cycle moved twice at once, then published while computing");
    let store = one.department(&hr, "Store", "front_line").await;
    for _ in 0..20 {
        one.user(&hr, "staff", store, None).await;
    }
    for round in 0..ROUNDS {
        let (start, end) = month(ROUNDS + round);
        let cycle = one
            .open_cycle(&hr, &format!("M{round}"), &start, &end)
            .await;
        let state = format!("/api/v1/cycles/{cycle}/state");
        let answers = at_once(vec![
            one.post(&state, &hr, json!({"state": "review"})),
            other.post(&state, &hr, json!({"state": "review"})),
        ])
        .await;
        t.round(&answers.iter().collect::<Vec<_>>());
        if count_of(&answers, 200) != 1 || count_of(&answers, 409) != 1 {
            t.broke(format!("review {:?}", statuses(&answers)));
        }
        let compute = format!("/api/v1/cycles/{cycle}/compute");
        one.post(&compute, &hr, json!({})).await.ok(200);
        let scheme = json!({
            "weights": {"sales": 50, "satisfaction": 50, "etiquette": 0, "collaboration": 0},
            "min_evidence": {"satisfaction": 1, "etiquette": 1, "collaboration": 1},
            "grade_bands": [{"grade": "A", "min_total": 50}, {"grade": "B", "min_total": 0}]});
        one.put(&format!("/api/v1/cycles/{cycle}/scheme"), &hr, scheme)
            .await
            .ok(200);
        let answers = at_once(vec![
            one.post(&compute, &hr, json!({})),
            other.post(&state, &hr, json!({"state": "published"})),
        ])
        .await;
        t.round(&answers.iter().collect::<Vec<_>>());
        let stranded = number(
            &mut conn,
            &format!(
                "SELECT COUNT(*) AS n FROM appraisals a JOIN cycles c ON c.id = a.cycle_id \
                 WHERE c.id = {cycle} AND c.state = 'published' AND (a.state IN ('draft', 'reviewed') \
                 OR a.basis_revision < c.inputs_revision)"
            ),
        );
        if stranded != 0 {
            t.broke(format!(
                "publish {:?}: {stranded} stale or unpublished",
                statuses(&answers)
            ));
        }
    }
    t.finish();

    // Wrong passwords for one account, half to each instance.
    let mut t = tally("wrong passwords at once");
    for _ in 0..ROUNDS {
        let person = one.user(&hr, "staff", store, None).await;
        let answers = at_once(
            (0..20)
                .map(|i| [one, other][i % 2].try_login(&person.email, "not the password at all"))
                .collect(),
        )
        .await;
        t.round(&answers.iter().collect::<Vec<_>>());
        if count_of(&answers, 401) != 5 || count_of(&answers, 429) != 15 {
            t.broke(format!("{} checked", count_of(&answers, 401)));
        }
    }
    t.finish();
}
