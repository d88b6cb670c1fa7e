//! Rules that read and then write, under requests fired at the same instant (docs/DECISIONS.md,
//! "Integrity"). Each race runs ROUNDS times on a fresh company per backend; after every
//! round it checks how many requests the rule allowed to succeed and that the database still
//! satisfies the rule. A round that breaks the rule is repaired (directly in the database)
//! so the count of broken rounds is complete. Each test prints one line with its tally
//! (`cargo test races -- --nocapture`).

use std::collections::BTreeMap;
use std::future::Future;

use appraisal::db::{DbConn, DbUrl};
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::support::{spawn_with, Answer, Backend, Person, TestApp};

pub const ROUNDS: usize = 20;

/// A company for races: two HTTP workers and enough pooled connections that the requests
/// of a round really run at once, and room on the password threads for a burst of logins.
pub async fn race_app(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, |s| {
        s.server.workers = 2;
        s.database.max_connections = 10;
        s.auth.password_queue = 64;
    })
    .await
}

/// Fires every request at once and waits for all answers (in the order given).
pub async fn at_once<F: Future<Output = Answer>>(requests: Vec<F>) -> Vec<Answer> {
    join_all(requests).await
}

/// What a race saw over its rounds: how often each combination of answers came, and the
/// rounds that broke the rule.
pub struct Tally {
    name: &'static str,
    backend: &'static str,
    rounds: usize,
    outcomes: BTreeMap<String, usize>,
    broken: Vec<String>,
}

impl Tally {
    pub fn new(name: &'static str, app: &TestApp) -> Tally {
        let backend = if app.database.url().starts_with("sqlite") {
            "sqlite"
        } else {
            "postgres"
        };
        Tally::named(name, backend)
    }

    pub fn named(name: &'static str, backend: &'static str) -> Tally {
        Tally {
            name,
            backend,
            rounds: 0,
            outcomes: BTreeMap::new(),
            broken: Vec::new(),
        }
    }

    /// Records a round: the statuses (sorted, so the order of arrival does not matter).
    pub fn round(&mut self, answers: &[&Answer]) {
        self.rounds += 1;
        let mut statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
        statuses.sort_unstable();
        let key = statuses
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join("+");
        *self.outcomes.entry(key).or_default() += 1;
    }

    pub fn broke(&mut self, why: impl Into<String>) {
        self.broken
            .push(format!("round {}: {}", self.rounds, why.into()));
    }

    /// Prints the tally and fails when any round broke the rule.
    pub fn finish(self) {
        let outcomes: Vec<String> = self
            .outcomes
            .iter()
            .map(|(k, n)| format!("{k} ×{n}"))
            .collect();
        println!(
            "race [{}] {}: {} rounds; answers: {}; rounds that broke the rule: {}",
            self.backend,
            self.name,
            self.rounds,
            outcomes.join(", "),
            self.broken.len()
        );
        assert!(
            self.broken.is_empty(),
            "{} on {}: {}",
            self.name,
            self.backend,
            self.broken.join("; ")
        );
    }
}

pub fn statuses(answers: &[Answer]) -> Vec<u16> {
    answers.iter().map(|a| a.status.as_u16()).collect()
}

/// The statuses with the problem code of each refusal, for a broken round's message.
pub fn answered(answers: &[Answer]) -> Vec<String> {
    answers
        .iter()
        .map(|a| match a.body["code"].as_str() {
            Some(code) if !a.status.is_success() => format!("{} {code}", a.status.as_u16()),
            _ => a.status.as_u16().to_string(),
        })
        .collect()
}

pub fn count_of(answers: &[Answer], status: u16) -> usize {
    answers
        .iter()
        .filter(|a| a.status.as_u16() == status)
        .count()
}

/// A direct connection to the test's database, for checking the rule and repairing it.
pub fn database(app: &TestApp) -> DbConn {
    DbUrl::parse(&app.database.url())
        .unwrap()
        .establish()
        .unwrap()
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

pub fn number(conn: &mut DbConn, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Number>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .n
}

pub fn execute(conn: &mut DbConn, sql: &str) {
    diesel::sql_query(sql)
        .execute(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[derive(QueryableByName)]
struct Manager {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    manager_id: Option<i32>,
}

/// People whose chain of managers runs into a loop.
fn people_in_loops(conn: &mut DbConn) -> Vec<i32> {
    let chain: BTreeMap<i32, Option<i32>> = diesel::sql_query("SELECT id, manager_id FROM users")
        .load::<Manager>(conn)
        .unwrap()
        .into_iter()
        .map(|m| (m.id, m.manager_id))
        .collect();
    chain
        .keys()
        .copied()
        .filter(|start| {
            let mut seen = std::collections::HashSet::new();
            let mut at = Some(*start);
            while let Some(person) = at {
                if !seen.insert(person) {
                    return true;
                }
                at = chain.get(&person).copied().flatten();
            }
            false
        })
        .collect()
}

pub async fn login(app: &TestApp, p: &Person) -> String {
    app.login(&p.email, &p.password).await
}

pub fn id_of(answer: &Answer) -> i64 {
    answer.body["id"].as_i64().expect("an id")
}

/// A cycle of period `start..=end` with the all-on-sales scheme, in `state`.
pub async fn cycle_in(
    app: &TestApp,
    hr: &str,
    name: &str,
    start: &str,
    end: &str,
    state: &str,
) -> i64 {
    let id = app.open_cycle(hr, name, start, end).await;
    for next in ["review", "published"] {
        if state == "open" || (state == "review" && next == "published") {
            break;
        }
        app.post(
            &format!("/api/v1/cycles/{id}/state"),
            hr,
            json!({ "state": next }),
        )
        .await
        .ok(200);
    }
    id
}

/// The first day of month `m` (0-based) after January 2101, and the last day of that month,
/// so that every round's cycle has a period of its own.
pub fn month(m: usize) -> (String, String) {
    let (year, month) = (2101 + m / 12, m % 12 + 1);
    let start = chrono::NaiveDate::from_ymd_opt(year as i32, month as u32, 1).unwrap();
    let next = if month == 12 {
        chrono::NaiveDate::from_ymd_opt(year as i32 + 1, 1, 1)
    } else {
        chrono::NaiveDate::from_ymd_opt(year as i32, month as u32 + 1, 1)
    }
    .unwrap();
    let end = next.pred_opt().unwrap();
    (start.to_string(), end.to_string())
}

crate::on_both_backends_with!(
    race_app;
    two_hr_accounts_deactivate_each_other,
    cycles_with_the_same_period,
    managers_of_each_other,
    a_supervisor_demoted_while_given_a_report,
    a_cycle_moved_twice_at_once,
    publish_while_computing,
    an_import_while_review_starts,
    ratings_while_review_starts,
    appeals_at_once,
    wrong_passwords_at_once,
    the_same_first_rating_twice,
    the_same_reference_with_other_values,
    a_used_checklist_edited_twice,
    a_checklist_edited_while_inspecting,
    one_email_for_three_people,
    two_password_changes_at_once,
);

/// Two HR accounts, the only active ones, deactivate each other: one must remain.
async fn two_hr_accounts_deactivate_each_other(app: TestApp) {
    let mut tally = Tally::new("two HR accounts deactivate each other", &app);
    let mut conn = database(&app);
    let mut lead = app.hr_token().await;
    let department = app.department(&lead, "People Office", "back_office").await;
    for _ in 0..ROUNDS {
        let lead_id = app.get("/api/v1/me", &lead).await.ok(200)["id"]
            .as_i64()
            .unwrap();
        let a = app.user(&lead, "hr", department, None).await;
        let b = app.user(&lead, "hr", department, None).await;
        let (ta, tb) = (login(&app, &a).await, login(&app, &b).await);
        // The lead steps aside, so A and B are the only active HR accounts.
        app.patch(
            &format!("/api/v1/users/{lead_id}"),
            &ta,
            json!({"active": false}),
        )
        .await
        .ok(200);
        let answers = at_once(vec![
            app.patch(
                &format!("/api/v1/users/{}", b.id),
                &ta,
                json!({"active": false}),
            ),
            app.patch(
                &format!("/api/v1/users/{}", a.id),
                &tb,
                json!({"active": false}),
            ),
        ])
        .await;
        tally.round(&answers.iter().collect::<Vec<_>>());
        let active = number(
            &mut conn,
            "SELECT COUNT(*) AS n FROM users WHERE role = 'hr' AND active",
        );
        // The loser is refused: 409 (the last HR account), or 401 when its own account was
        // deactivated before its request was checked.
        let losers_refused = answers
            .iter()
            .filter(|x| x.status != 200)
            .all(|x| matches!(x.status.as_u16(), 401 | 409));
        if count_of(&answers, 200) != 1 || active != 1 || !losers_refused {
            tally.broke(format!(
                "{:?}, {active} active HR accounts",
                statuses(&answers)
            ));
            execute(
                &mut conn,
                &format!("UPDATE users SET active = TRUE WHERE id = {}", a.id),
            );
            lead = login(&app, &a).await;
            continue;
        }
        lead = if answers[0].status == 200 { ta } else { tb };
    }
    tally.finish();
}

/// Four requests create cycles of one period: periods never overlap.
async fn cycles_with_the_same_period(app: TestApp) {
    let mut tally = Tally::new("cycles of the same period", &app);
    let mut conn = database(&app);
    let hr = app.hr_token().await;
    for round in 0..ROUNDS {
        let (start, end) = month(round);
        let answers = at_once(
            (0..4)
                .map(|i| {
                    app.post(
                        "/api/v1/cycles",
                        &hr,
                        json!({"name": format!("R{round}-{i}"), "period_start": start, "period_end": end}),
                    )
                })
                .collect(),
        )
        .await;
        tally.round(&answers.iter().collect::<Vec<_>>());
        let overlapping = number(
            &mut conn,
            "SELECT COUNT(*) AS n FROM cycles a JOIN cycles b ON a.id < b.id \
             AND a.period_start <= b.period_end AND b.period_start <= a.period_end",
        );
        if count_of(&answers, 201) != 1 || count_of(&answers, 409) != 3 || overlapping != 0 {
            tally.broke(format!(
                "{:?}, {overlapping} overlapping pairs",
                answered(&answers)
            ));
            execute(
                &mut conn,
                &format!(
                    "DELETE FROM cycles WHERE period_start = '{start}' AND id NOT IN \
                          (SELECT MIN(id) FROM cycles WHERE period_start = '{start}')"
                ),
            );
        }
    }
    tally.finish();
}

/// A is made B's manager while B is made A's: the chain of managers never loops.
async fn managers_of_each_other(app: TestApp) {
    let mut tally = Tally::new("managers of each other", &app);
    let mut conn = database(&app);
    let hr = app.hr_token().await;
    let department = app.department(&hr, "Store", "front_line").await;
    let a = app.user(&hr, "supervisor", department, None).await;
    let b = app.user(&hr, "supervisor", department, None).await;
    for _ in 0..ROUNDS {
        let answers = at_once(vec![
            app.patch(
                &format!("/api/v1/users/{}", a.id),
                &hr,
                json!({"manager_id": b.id}),
            ),
            app.patch(
                &format!("/api/v1/users/{}", b.id),
                &hr,
                json!({"manager_id": a.id}),
            ),
        ])
        .await;
        tally.round(&answers.iter().collect::<Vec<_>>());
        let looped = people_in_loops(&mut conn);
        if count_of(&answers, 200) != 1 || count_of(&answers, 422) != 1 || !looped.is_empty() {
            tally.broke(format!("{:?}, loop through {looped:?}", statuses(&answers)));
        }
        execute(
            &mut conn,
            &format!(
                "UPDATE users SET manager_id = NULL WHERE id IN ({}, {})",
                a.id, b.id
            ),
        );
    }
    tally.finish();
}

/// A supervisor is demoted to staff while a report is given to them: staff never manage.
async fn a_supervisor_demoted_while_given_a_report(app: TestApp) {
    let mut tally = Tally::new("a supervisor demoted while given a report", &app);
    let mut conn = database(&app);
    let hr = app.hr_token().await;
    let department = app.department(&hr, "Store", "front_line").await;
    let lead = app.user(&hr, "supervisor", department, None).await;
    let member = app.user(&hr, "staff", department, None).await;
    for _ in 0..ROUNDS {
        let answers = at_once(vec![
            app.patch(
                &format!("/api/v1/users/{}", lead.id),
                &hr,
                json!({"role": "staff"}),
            ),
            app.patch(
                &format!("/api/v1/users/{}", member.id),
                &hr,
                json!({"manager_id": lead.id}),
            ),
        ])
        .await;
        tally.round(&answers.iter().collect::<Vec<_>>());
        let managed_by_staff = number(
            &mut conn,
            "SELECT COUNT(*) AS n FROM users u JOIN users m ON m.id = u.manager_id \
             WHERE m.role = 'staff'",
        );
        let expected = matches!(statuses(&answers)[..], [200, 422] | [409, 200]);
        if !expected || managed_by_staff != 0 {
            tally.broke(format!(
                "{:?}, {managed_by_staff} managed by staff",
                statuses(&answers)
            ));
        }
        execute(
            &mut conn,
            &format!(
                "UPDATE users SET manager_id = NULL WHERE id = {}",
                member.id
            ),
        );
        execute(
            &mut conn,
            &format!(
                "UPDATE users SET role = 'supervisor' WHERE id = {}",
                lead.id
            ),
        );
    }
    tally.finish();
}

/// Two HR accounts move one cycle from open to review at once: one step, audited once.
async fn a_cycle_moved_twice_at_once(app: TestApp) {
    let mut tally = Tally::new("a cycle moved twice at once", &app);
    let mut conn = database(&app);
    let hr = app.hr_token().await;
    let department = app.department(&hr, "People Office", "back_office").await;
    let other = app.user(&hr, "hr", department, None).await;
    let other = login(&app, &other).await;
    for round in 0..ROUNDS {
        let (start, end) = month(round);
        let cycle = app
            .open_cycle(&hr, &format!("C{round}"), &start, &end)
            .await;
        let path = format!("/api/v1/cycles/{cycle}/state");
        let answers = at_once(vec![
            app.post(&path, &hr, json!({"state": "review"})),
            app.post(&path, &other, json!({"state": "review"})),
        ])
        .await;
        tally.round(&answers.iter().collect::<Vec<_>>());
        let audited = number(
            &mut conn,
            &format!(
                "SELECT COUNT(*) AS n FROM audit_events WHERE entity = 'cycle' \
                 AND entity_id = {cycle} AND action = 'state'"
            ),
        );
        // Opening, then one move to review.
        if count_of(&answers, 200) != 1 || count_of(&answers, 409) != 1 || audited != 2 {
            tally.broke(format!(
                "{:?}, {audited} state changes audited",
                statuses(&answers)
            ));
        }
    }
    tally.finish();
}

/// Publication and a recompute of one cycle at once (odd rounds after a change of scheme,
/// which makes every appraisal stale): a published cycle holds only published appraisals
/// computed from its current scheme.
async fn publish_while_computing(app: TestApp) {
    let mut tally = Tally::new("publish while computing", &app);
    let mut conn = database(&app);
    let hr = app.hr_token().await;
    let department = app.department(&hr, "Store", "front_line").await;
    let lead = app.user(&hr, "supervisor", department, None).await;
    for _ in 0..40 {
        app.user(&hr, "staff", department, Some(lead.id)).await;
    }
    for round in 0..ROUNDS {
        let (start, end) = month(round);
        let cycle = cycle_in(&app, &hr, &format!("P{round}"), &start, &end, "review").await;
        app.post(&format!("/api/v1/cycles/{cycle}/compute"), &hr, json!({}))
            .await
            .ok(200);
        if round % 2 == 1 {
            let scheme = json!({
                "weights": {"sales": 50, "satisfaction": 50, "etiquette": 0, "collaboration": 0},
                "min_evidence": {"satisfaction": 1, "etiquette": 1, "collaboration": 1},
                "grade_bands": [{"grade": "A", "min_total": 50}, {"grade": "B", "min_total": 0}]});
            app.put(&format!("/api/v1/cycles/{cycle}/scheme"), &hr, scheme)
                .await
                .ok(200);
        }
        let answers = at_once(vec![
            app.post(&format!("/api/v1/cycles/{cycle}/compute"), &hr, json!({})),
            app.post(
                &format!("/api/v1/cycles/{cycle}/state"),
                &hr,
                json!({"state": "published"}),
            ),
        ])
        .await;
        tally.round(&answers.iter().collect::<Vec<_>>());
        let published = number(
            &mut conn,
            &format!("SELECT COUNT(*) AS n FROM cycles WHERE id = {cycle} AND state = 'published'"),
        ) == 1;
        let unpublished_or_stale = number(
            &mut conn,
            &format!(
                "SELECT COUNT(*) AS n FROM appraisals a JOIN cycles c ON c.id = a.cycle_id \
                 WHERE a.cycle_id = {cycle} AND (a.state IN ('draft', 'reviewed') \
                 OR a.basis_revision < c.inputs_revision)"
            ),
        );
        let publish_ok = answers[1].status == 200;
        if publish_ok != published || (published && unpublished_or_stale != 0) {
            tally.broke(format!(
                "{:?}, published {published}, {unpublished_or_stale} appraisals unpublished or stale",
                statuses(&answers)
            ));
        }
        if !published {
            // Stale rounds: the compute made them current; publish now for the next round.
            app.post(
                &format!("/api/v1/cycles/{cycle}/state"),
                &hr,
                json!({"state": "published"}),
            )
            .await;
        }
    }
    tally.finish();
}

/// A large import of sales starts, and review starts while it runs: evidence lands only
/// while the cycle is open (an accepted import commits before review begins; a refused one
/// leaves nothing).
async fn an_import_while_review_starts(app: TestApp) {
    let mut tally = Tally::new("an import while review starts", &app);
    let mut conn = database(&app);
    let hr = app.hr_token().await;
    let department = app.department(&hr, "Store", "front_line").await;
    let people: Vec<i64> = {
        let mut v = Vec::new();
        for _ in 0..5 {
            v.push(app.user(&hr, "staff", department, None).await.id);
        }
        v
    };
    for round in 0..ROUNDS {
        // Past periods: evidence may not be dated after today.
        let start = chrono::NaiveDate::from_ymd_opt(2001 + round as i32, 1, 1).unwrap();
        let end = chrono::NaiveDate::from_ymd_opt(2001 + round as i32, 12, 31).unwrap();
        let cycle = app
            .open_cycle(
                &hr,
                &format!("I{round}"),
                &start.to_string(),
                &end.to_string(),
            )
            .await;
        let mut csv = String::from("employee_id,occurred_on,amount,external_ref\n");
        for i in 0..6000 {
            let day = start + chrono::Duration::days((i % 365) as i64);
            csv.push_str(&format!(
                "{},{day},{},R{round}-{i}\n",
                people[i % people.len()],
                100 + i
            ));
        }
        let import = app.post_csv("/api/v1/sales-records", &hr, csv);
        let review = async {
            // Review starts while the import is under way.
            actix_rt::time::sleep(std::time::Duration::from_millis(20 * (round as u64 % 10))).await;
            app.post(
                &format!("/api/v1/cycles/{cycle}/state"),
                &hr,
                json!({"state": "review"}),
            )
            .await
        };
        let (import, review) = tokio::join!(import, review);
        tally.round(&[&import, &review]);
        let rows = number(
            &mut conn,
            &format!("SELECT COUNT(*) AS n FROM sales_records WHERE cycle_id = {cycle}"),
        );
        #[derive(QueryableByName)]
        struct Order {
            #[diesel(sql_type = Text)]
            action: String,
        }
        let order: Vec<String> = diesel::sql_query(format!(
            "SELECT action FROM audit_events WHERE entity = 'cycle' AND entity_id = {cycle} \
             AND action IN ('state', 'import_sales_records') ORDER BY at, id"
        ))
        .load::<Order>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|o| o.action)
        .collect();
        let fine = match (import.status.as_u16(), review.status.as_u16()) {
            // Opened, imported, then reviewed.
            (200, 200) => rows == 6000 && order == ["state", "import_sales_records", "state"],
            (409, 200) => rows == 0 && order == ["state", "state"],
            _ => false,
        };
        if !fine {
            tally.broke(format!(
                "import {} review {}, {rows} rows, audit order {order:?}",
                import.status, review.status
            ));
        }
    }
    tally.finish();
}

/// People rate colleagues while review starts: a rating is stored only while the cycle is
/// open (each accepted rating commits before the state changes).
async fn ratings_while_review_starts(app: TestApp) {
    let mut tally = Tally::new("ratings while review starts", &app);
    let mut conn = database(&app);
    let hr = app.hr_token().await;
    let front = app.department(&hr, "Store", "front_line").await;
    let back = app.department(&hr, "Warehouse", "back_office").await;
    let mut raters = Vec::new();
    for _ in 0..6 {
        let p = app.user(&hr, "staff", front, None).await;
        raters.push(login(&app, &p).await);
    }
    let ratee = app.user(&hr, "staff", back, None).await;
    for round in 0..ROUNDS {
        let (start, end) = month(round);
        let cycle = app
            .open_cycle(&hr, &format!("G{round}"), &start, &end)
            .await;
        let state_path = format!("/api/v1/cycles/{cycle}/state");
        let mut requests: Vec<std::pin::Pin<Box<dyn Future<Output = Answer> + '_>>> = raters
            .iter()
            .map(|t| {
                Box::pin(app.post(
                    "/api/v1/collaboration-ratings",
                    t,
                    json!({"ratee_id": ratee.id, "cycle_id": cycle, "rating": 4}),
                )) as _
            })
            .collect();
        requests.insert(
            3,
            Box::pin(app.post(&state_path, &hr, json!({"state": "review"}))),
        );
        let answers = at_once(requests).await;
        tally.round(&answers.iter().collect::<Vec<_>>());
        let accepted = answers
            .iter()
            .enumerate()
            .filter(|(i, a)| *i != 3 && a.status == 201)
            .count();
        let refused = answers
            .iter()
            .enumerate()
            .filter(|(i, a)| *i != 3 && a.status == 409)
            .count();
        let stored = number(
            &mut conn,
            &format!("SELECT COUNT(*) AS n FROM collaboration_ratings WHERE cycle_id = {cycle}"),
        );
        // Ratings stored after the state changed to review.
        let late = number(
            &mut conn,
            &format!(
                "SELECT COUNT(*) AS n FROM audit_events r, audit_events s \
                 WHERE r.entity = 'collaboration_rating' AND r.entity_id IN \
                   (SELECT id FROM collaboration_ratings WHERE cycle_id = {cycle}) \
                 AND s.entity = 'cycle' AND s.entity_id = {cycle} AND s.action = 'state' \
                 AND s.at < r.at AND s.after_json LIKE '%review%'"
            ),
        );
        if answers[3].status != 200
            || accepted + refused != 6
            || stored != accepted as i64
            || late != 0
        {
            tally.broke(format!(
                "{:?}, {stored} stored, {late} after review began",
                statuses(&answers)
            ));
        }
    }
    tally.finish();
}

/// The employee appeals four times at once, HR decides twice at once, then the employee
/// appeals and acknowledges at once: one appeal at a time, decided once; a decided
/// appraisal may be appealed again, an acknowledged one not.
async fn appeals_at_once(app: TestApp) {
    let mut tally = Tally::new("appeals at once", &app);
    let mut conn = database(&app);
    let hr = app.hr_token().await;
    let department = app.department(&hr, "People Office", "back_office").await;
    let other = app.user(&hr, "hr", department, None).await;
    let other = login(&app, &other).await;
    let store = app.department(&hr, "Store", "front_line").await;
    let person = app.user(&hr, "staff", store, None).await;
    let token = login(&app, &person).await;
    let cycle = cycle_in(&app, &hr, "A", "2101-01-01", "2101-03-31", "review").await;
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
    let mine = app.get("/api/v1/me/appraisals", &token).await;
    let appraisal = mine.ok(200)["items"][0]["id"].as_i64().unwrap();
    let appeal_path = format!("/api/v1/appraisals/{appraisal}/appeal");
    for round in 0..ROUNDS {
        let answers = at_once(
            (0..4)
                .map(|i| {
                    app.post(
                        &appeal_path,
                        &token,
                        json!({"reason": format!("round {round}, {i}")}),
                    )
                })
                .collect(),
        )
        .await;
        tally.round(&answers.iter().collect::<Vec<_>>());
        let open = number(
            &mut conn,
            &format!("SELECT COUNT(*) AS n FROM appeals WHERE appraisal_id = {appraisal} AND state = 'open'"),
        );
        if count_of(&answers, 201) != 1 || count_of(&answers, 409) != 3 || open != 1 {
            tally.broke(format!("appeals {:?}, {open} open", statuses(&answers)));
        }
        let Some(filed) = answers.iter().find(|a| a.status == 201) else {
            continue;
        };
        let decision = format!("/api/v1/appeals/{}/decision", id_of(filed));
        let body = json!({"decision": "rejected", "note": "The surveys were counted."});
        let decided = at_once(vec![
            app.post(&decision, &hr, body.clone()),
            app.post(&decision, &other, body),
        ])
        .await;
        tally.round(&decided.iter().collect::<Vec<_>>());
        let decisions = number(
            &mut conn,
            &format!(
                "SELECT COUNT(*) AS n FROM audit_events WHERE entity = 'appraisal' \
                 AND entity_id = {appraisal} AND action = 'appeal_rejected'"
            ),
        );
        if count_of(&decided, 200) != 1
            || count_of(&decided, 409) != 1
            || decisions != round as i64 + 1
        {
            tally.broke(format!(
                "decisions {:?}, {decisions} audited",
                statuses(&decided)
            ));
        }
    }
    let last = at_once(vec![
        app.post(&appeal_path, &token, json!({"reason": "once more"})),
        app.post(
            &format!("/api/v1/appraisals/{appraisal}/acknowledge"),
            &token,
            json!({}),
        ),
    ])
    .await;
    tally.round(&last.iter().collect::<Vec<_>>());
    let state: Vec<u16> = statuses(&last);
    if !matches!(state[..], [201, 409] | [409, 200]) {
        tally.broke(format!("appeal and acknowledge {state:?}"));
    }
    tally.finish();
}

/// Twenty wrong passwords for one account at once: exactly the limit are checked, the rest
/// refused as locked.
async fn wrong_passwords_at_once(app: TestApp) {
    let mut tally = Tally::new("wrong passwords at once", &app);
    let hr = app.hr_token().await;
    let department = app.department(&hr, "Store", "front_line").await;
    let limit = app.settings.auth.max_failed_logins as usize;
    for _ in 0..ROUNDS {
        let person = app.user(&hr, "staff", department, None).await;
        let answers = at_once(
            (0..20)
                .map(|_| app.try_login(&person.email, "not the password at all"))
                .collect(),
        )
        .await;
        tally.round(&answers.iter().collect::<Vec<_>>());
        if count_of(&answers, 401) != limit || count_of(&answers, 429) != 20 - limit {
            tally.broke(format!(
                "{} checked, {} locked",
                count_of(&answers, 401),
                count_of(&answers, 429)
            ));
        }
    }
    tally.finish();
}

/// A rater's first rating of a colleague, sent twice at once: one rating, the second
/// replacing the first.
async fn the_same_first_rating_twice(app: TestApp) {
    let mut tally = Tally::new("the same first rating twice", &app);
    let mut conn = database(&app);
    let hr = app.hr_token().await;
    let front = app.department(&hr, "Store", "front_line").await;
    let back = app.department(&hr, "Warehouse", "back_office").await;
    let rater = app.user(&hr, "staff", front, None).await;
    let rater = login(&app, &rater).await;
    let cycle = app.open_cycle(&hr, "Q", "2101-01-01", "2101-03-31").await;
    for _ in 0..ROUNDS {
        let ratee = app.user(&hr, "staff", back, None).await;
        let body = json!({"ratee_id": ratee.id, "cycle_id": cycle, "rating": 5});
        let answers = at_once(vec![
            app.post("/api/v1/collaboration-ratings", &rater, body.clone()),
            app.post("/api/v1/collaboration-ratings", &rater, body),
        ])
        .await;
        tally.round(&answers.iter().collect::<Vec<_>>());
        let stored = number(
            &mut conn,
            &format!(
                "SELECT COUNT(*) AS n FROM collaboration_ratings WHERE ratee_id = {}",
                ratee.id
            ),
        );
        if count_of(&answers, 201) != 1 || count_of(&answers, 200) != 1 || stored != 1 {
            tally.broke(format!("{:?}, {stored} stored", statuses(&answers)));
        }
    }
    tally.finish();
}

/// Two imports send one reference with different amounts at once: one is stored, the other
/// import refused as a whole.
async fn the_same_reference_with_other_values(app: TestApp) {
    let mut tally = Tally::new("one reference, two values", &app);
    let mut conn = database(&app);
    let hr = app.hr_token().await;
    let department = app.department(&hr, "Store", "front_line").await;
    let person = app.user(&hr, "staff", department, None).await;
    app.open_cycle(&hr, "S", "2020-01-01", "2020-12-31").await;
    for round in 0..ROUNDS {
        let csv = |amount: i64| {
            format!(
                "employee_id,occurred_on,amount,external_ref\n{},2020-03-01,{amount},REF-{round}\n",
                person.id
            )
        };
        let answers = at_once(vec![
            app.post_csv("/api/v1/sales-records", &hr, csv(100)),
            app.post_csv("/api/v1/sales-records", &hr, csv(200)),
        ])
        .await;
        tally.round(&answers.iter().collect::<Vec<_>>());
        let stored = number(
            &mut conn,
            &format!("SELECT COUNT(*) AS n FROM sales_records WHERE external_ref = 'REF-{round}'"),
        );
        if count_of(&answers, 200) != 1 || count_of(&answers, 422) != 1 || stored != 1 {
            tally.broke(format!("{:?}, {stored} stored", statuses(&answers)));
        }
    }
    tally.finish();
}

fn checklist(name: &str, points: i64) -> Value {
    json!({"name": name, "items": [
        {"title": "Grooming", "max_points": points},
        {"title": "Courtesy", "max_points": 10, "critical": true}]})
}

/// A used checklist edited twice at once: one new version; the other edit is refused.
async fn a_used_checklist_edited_twice(app: TestApp) {
    let mut tally = Tally::new("a used checklist edited twice", &app);
    let mut conn = database(&app);
    let hr = app.hr_token().await;
    let department = app.department(&hr, "Store", "front_line").await;
    let lead = app.user(&hr, "supervisor", department, None).await;
    let person = app.user(&hr, "staff", department, Some(lead.id)).await;
    app.open_cycle(&hr, "K", "2020-01-01", "2020-12-31").await;
    for round in 0..ROUNDS {
        let list = app
            .post(
                "/api/v1/checklists",
                &hr,
                checklist(&format!("L{round}"), 10),
            )
            .await;
        let list = list.ok(201).clone();
        let items: Vec<i64> = (0..2)
            .map(|i| list["items"][i]["id"].as_i64().unwrap())
            .collect();
        app.post(
            "/api/v1/inspections",
            &hr,
            json!({"employee_id": person.id, "checklist_id": list["id"], "occurred_on": "2020-02-01",
                   "scores": [{"item_id": items[0], "points": 5}, {"item_id": items[1], "points": 5}]}),
        )
        .await
        .ok(201);
        let path = format!("/api/v1/checklists/{}", list["id"]);
        let answers = at_once(vec![
            app.put(&path, &hr, checklist(&format!("L{round}"), 8)),
            app.put(&path, &hr, checklist(&format!("L{round}"), 6)),
        ])
        .await;
        tally.round(&answers.iter().collect::<Vec<_>>());
        let current = number(
            &mut conn,
            &format!("SELECT COUNT(*) AS n FROM checklists WHERE name = 'L{round}' AND current"),
        );
        if count_of(&answers, 201) != 1 || count_of(&answers, 409) != 1 || current != 1 {
            tally.broke(format!(
                "{:?}, {current} current versions",
                statuses(&answers)
            ));
        }
    }
    tally.finish();
}

/// An unused checklist is edited while an inspection is recorded with it: an inspection's
/// scores are always those of its checklist version's items.
async fn a_checklist_edited_while_inspecting(app: TestApp) {
    let mut tally = Tally::new("a checklist edited while inspecting", &app);
    let mut conn = database(&app);
    let hr = app.hr_token().await;
    let department = app.department(&hr, "Store", "front_line").await;
    let lead = app.user(&hr, "supervisor", department, None).await;
    let person = app.user(&hr, "staff", department, Some(lead.id)).await;
    let lead = login(&app, &lead).await;
    app.open_cycle(&hr, "K", "2020-01-01", "2020-12-31").await;
    for round in 0..ROUNDS {
        let list = app
            .post(
                "/api/v1/checklists",
                &hr,
                checklist(&format!("E{round}"), 10),
            )
            .await;
        let list = list.ok(201).clone();
        let items: Vec<i64> = (0..2)
            .map(|i| list["items"][i]["id"].as_i64().unwrap())
            .collect();
        let path = format!("/api/v1/checklists/{}", list["id"]);
        let edit = app.put(&path, &hr, checklist(&format!("E{round}"), 8));
        let inspect = app.post(
            "/api/v1/inspections",
            &lead,
            json!({"employee_id": person.id, "checklist_id": list["id"], "occurred_on": "2020-02-01",
                   "scores": [{"item_id": items[0], "points": 5}, {"item_id": items[1], "points": 5}]}),
        );
        let (edit, inspect) = tokio::join!(edit, inspect);
        let answers = vec![edit, inspect];
        tally.round(&answers.iter().collect::<Vec<_>>());
        // Scores whose item is not an item of the inspection's checklist version.
        let foreign = number(
            &mut conn,
            "SELECT COUNT(*) AS n FROM inspection_scores s JOIN inspections i ON i.id = s.inspection_id \
             LEFT JOIN checklist_items c ON c.id = s.item_id AND c.checklist_id = i.checklist_id \
             WHERE c.id IS NULL",
        );
        // Edited in place (200) only if no inspection used it; a used one becomes a new
        // version (201). The inspection is recorded (201) or refused (422: items replaced).
        let fine = matches!(statuses(&answers)[..], [200, 422] | [201, 201]);
        if !fine || foreign != 0 {
            tally.broke(format!(
                "{:?}, {foreign} scores of items outside their checklist",
                statuses(&answers)
            ));
        }
    }
    tally.finish();
}

/// Three people created with one email at once: one account.
async fn one_email_for_three_people(app: TestApp) {
    let mut tally = Tally::new("one email for three people", &app);
    let mut conn = database(&app);
    let hr = app.hr_token().await;
    let department = app.department(&hr, "Store", "front_line").await;
    for round in 0..ROUNDS {
        let email = format!("twice.{round}@example.test");
        let body = json!({"email": email, "display_name": "Twice", "role": "staff",
                          "department_id": department, "password": "a long password"});
        let answers = at_once(
            (0..3)
                .map(|_| app.post("/api/v1/users", &hr, body.clone()))
                .collect(),
        )
        .await;
        tally.round(&answers.iter().collect::<Vec<_>>());
        let stored = number(
            &mut conn,
            &format!("SELECT COUNT(*) AS n FROM users WHERE email = '{email}'"),
        );
        if count_of(&answers, 201) != 1 || count_of(&answers, 409) != 2 || stored != 1 {
            tally.broke(format!("{:?}, {stored} accounts", statuses(&answers)));
        }
    }
    tally.finish();
}

/// Two password changes with the same current password at once: one applies; the other is
/// refused, so nobody is left with a password they did not choose last.
async fn two_password_changes_at_once(app: TestApp) {
    let mut tally = Tally::new("two password changes at once", &app);
    let hr = app.hr_token().await;
    let department = app.department(&hr, "Store", "front_line").await;
    for round in 0..ROUNDS {
        let person = app.user(&hr, "staff", department, None).await;
        let token = login(&app, &person).await;
        let change = |new: String| {
            app.put(
                "/api/v1/me/password",
                &token,
                json!({"current_password": person.password, "new_password": new}),
            )
        };
        let (first, second) = (
            format!("first choice {round}"),
            format!("second choice {round}"),
        );
        let answers = at_once(vec![change(first.clone()), change(second.clone())]).await;
        tally.round(&answers.iter().collect::<Vec<_>>());
        let (with_first, with_second) = tokio::join!(
            app.try_login(&person.email, &first),
            app.try_login(&person.email, &second)
        );
        let chosen = if answers[0].status == 200 {
            &with_first
        } else {
            &with_second
        };
        // One change applied (the other refused: 409, or 422 when it checked the password
        // after the first had changed it), and the password is the one that was accepted.
        // (401: its token was revoked by the change that went first.)
        let refused_other = answers
            .iter()
            .any(|a| matches!(a.status.as_u16(), 401 | 409 | 422));
        if count_of(&answers, 200) != 1 || !refused_other || chosen.status != 200 {
            tally.broke(format!(
                "{:?}, first password {}, second {}",
                statuses(&answers),
                with_first.status,
                with_second.status
            ));
        }
    }
    tally.finish();
}
