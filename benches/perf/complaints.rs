//! Complaints in the benchmark: rows straight into the tables with one SQL statement each
//! (a generated series), so that the figures measure the service, not the generator.
//!
//! - The escalation check over `--complaints` complaints of which 1 % are due: the check
//!   (`app::complaint_check::check_due`, what the `complaint_check` job runs) against a bare
//!   indexed query of the due ones, and an empty check (nothing due) against the same query:
//!   the check reads only what is due.
//! - A helpdesk's export through `POST /complaints` (each row a complaint with its first
//!   response, most with a resolution, some with a follow-up), against the same number of
//!   sales records through `POST /sales-records` on the same server: what settling each
//!   complaint (its limits and charges) costs beside a plain bulk row.
//! - The compute's fifth component: one complaint per employee in the cycle's period with
//!   its charges (first response, resolution, some follow-ups), so that the compute and its
//!   aggregate baseline both read `complaint_charges`.

use std::time::{Duration, Instant};

use appraisal::db::DbConn;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

/// `count` complaints held by `department`, received over 60 days from 2026-01-05: every
/// hundredth open and due (its next look in the past), three in ten open and due later,
/// the rest resolved (nothing to look at).
pub fn insert(conn: &mut DbConn, count: usize, department: i32) -> anyhow::Result<()> {
    let columns = "received_at, received_on, channel, priority, summary, customer_locale, \
        department_id, state, escalation_level, status_token_hash, next_check_at, created_at, \
        updated_at";
    let sql = match conn {
        DbConn::Pg(_) => format!(
            "INSERT INTO complaints ({columns}) \
             SELECT TIMESTAMP '2026-01-05 01:00:00' + (g % 60) * INTERVAL '1 day', \
                    DATE '2026-01-05' + (g % 60), 'phone', 'normal', 'bench', 'zh-CN', {department}, \
                    CASE WHEN g % 100 < 31 THEN 'open' ELSE 'resolved' END, 0, 'h' || g, \
                    CASE WHEN g % 100 = 0 THEN TIMESTAMP '2026-03-10 00:00:00' \
                         WHEN g % 100 < 31 THEN TIMESTAMP '2099-01-01 00:00:00' END, \
                    TIMESTAMP '2026-01-05 01:00:00', TIMESTAMP '2026-01-05 01:00:00' \
             FROM generate_series(1, {count}) AS g"
        ),
        DbConn::Sqlite(_) => format!(
            "INSERT INTO complaints ({columns}) \
             WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {count}) \
             SELECT datetime('2026-01-05 01:00:00', '+' || (g % 60) || ' days'), \
                    date('2026-01-05', '+' || (g % 60) || ' days'), 'phone', 'normal', 'bench', 'zh-CN', \
                    {department}, CASE WHEN g % 100 < 31 THEN 'open' ELSE 'resolved' END, 0, 'h' || g, \
                    CASE WHEN g % 100 = 0 THEN '2026-03-10 00:00:00' \
                         WHEN g % 100 < 31 THEN '2099-01-01 00:00:00' END, \
                    '2026-01-05 01:00:00', '2026-01-05 01:00:00' \
             FROM s"
        ),
    };
    conn.batch_execute(&sql)?;
    conn.batch_execute(if matches!(conn, DbConn::Pg(_)) {
        "ANALYZE complaints"
    } else {
        "ANALYZE"
    })?;
    Ok(())
}

/// The least a check must do: read the due complaints' ids through the index.
pub fn bare_due_query(conn: &mut DbConn) -> anyhow::Result<(Duration, usize)> {
    use appraisal::db::schema::complaints;
    let at = chrono::Utc::now().naive_utc();
    let started = Instant::now();
    let ids: Vec<i32> = complaints::table
        .filter(complaints::next_check_at.le(at))
        .order((complaints::next_check_at, complaints::id))
        .select(complaints::id)
        .load(conn)?;
    Ok((started.elapsed(), ids.len()))
}

/// One escalation check as the job runs it; how many complaints it settled.
pub fn check(conn: &mut DbConn) -> anyhow::Result<(Duration, usize)> {
    let started = Instant::now();
    let seen = appraisal::app::complaint_check::check_due(conn, chrono_tz::Asia::Shanghai, 80)?;
    Ok((started.elapsed(), seen))
}

/// One complaint per employee received in the cycle's period, with the charges a month of
/// complaints leaves: a first response for everyone (in time for four in five), a
/// resolution for nine in ten, a follow-up for every third.
pub fn charges(conn: &mut DbConn) -> anyhow::Result<()> {
    let (day, stamp) = match conn {
        DbConn::Pg(_) => ("DATE '2026-02-02'", "TIMESTAMP '2026-02-02 02:00:00'"),
        DbConn::Sqlite(_) => ("'2026-02-02'", "'2026-02-02 02:00:00'"),
    };
    conn.batch_execute(&format!(
        "INSERT INTO complaints (received_at, received_on, channel, priority, summary, \
         customer_locale, department_id, employee_id, state, escalation_level, \
         status_token_hash, created_at, updated_at) \
         SELECT {stamp}, {day}, 'counter', 'normal', 'bench', 'zh-CN', u.department_id, u.id, \
                'closed', 0, 'c' || u.id, {stamp}, {stamp} \
         FROM users u WHERE u.role <> 'hr'"
    ))?;
    for (item, keep, earned) in [
        ("first_response", "1 = 1", "c.id % 5 <> 0"),
        ("resolution", "c.id % 10 <> 0", "c.id % 4 <> 0"),
        ("follow_up", "c.id % 3 = 0", "c.id % 2 = 0"),
    ] {
        conn.batch_execute(&format!(
            "INSERT INTO complaint_charges (complaint_id, employee_id, item, earned) \
             SELECT c.id, c.employee_id, '{item}', {earned} FROM complaints c \
             WHERE c.employee_id IS NOT NULL AND {keep}"
        ))?;
    }
    Ok(())
}

/// A helpdesk's export of `rows` complaints over the last 30 days, held by the people of
/// `company` (by id, with their department): each answered 20 minutes after receipt,
/// nine in ten resolved three hours after it, every third resolved one followed up.
pub fn helpdesk_csv(company: &crate::Company, rows: usize) -> String {
    use std::fmt::Write as _;
    let now = chrono::Utc::now();
    let mut csv = String::with_capacity(rows * 160);
    csv.push_str("external_ref,received_at,channel,priority,summary,department_id,employee_id,first_response_at,resolved_at,follow_up_rating\n");
    let at =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for i in 0..rows {
        let p = &company.people[i % company.people.len()];
        let received = now - chrono::Duration::hours(2 + (i % (30 * 24)) as i64);
        let first = received + chrono::Duration::minutes(20);
        let resolved = (i % 10 != 0).then(|| received + chrono::Duration::hours(3));
        let rating = (resolved.is_some() && i % 3 == 0).then_some(1 + i % 5);
        let _ = writeln!(
            csv,
            "HD-{i:07},{},phone,normal,bench,{},{},{},{},{}",
            at(received),
            p.department,
            p.id,
            at(first),
            resolved.map(at).unwrap_or_default(),
            rating.map(|r| r.to_string()).unwrap_or_default()
        );
    }
    csv
}

/// The helpdesk import's figure: its time against the same number of sales records
/// through their own import, on one server, one after the other.
pub async fn helpdesk_import(
    options: &crate::Options,
    backend: &'static str,
    report: &mut crate::Report,
) -> anyhow::Result<()> {
    let rows = (options.complaints / 100).clamp(100, 10_000);
    let database = crate::Database::create(backend, options, 0)?;
    let result = async {
        let mut conn = database.connect()?;
        appraisal::db::run_migrations(&mut conn)?;
        let company = crate::generate::company(&mut conn, 2_000, 11)?;
        let mut hr = crate::Server::start(&database.url, true).await?;
        hr.login(crate::generate::HR_EMAIL, crate::generate::PASSWORD)
            .await?;
        let cycle = crate::new_cycle(&hr, "2026 Q2", crate::Q2).await?;
        crate::set_state(&hr, cycle, "open").await?;
        let sales = crate::generate::sales_csv(&company, crate::Q2, rows);
        let baseline = crate::import_through_api(&hr, &sales, rows).await?;
        let csv = helpdesk_csv(&company, rows);
        let started = Instant::now();
        let answer = hr.post_csv("/api/v1/complaints", csv).await?;
        let took = started.elapsed();
        anyhow::ensure!(
            answer["inserted"].as_u64() == Some(rows as u64),
            "the helpdesk import answered {answer}"
        );
        hr.stop()?;
        let ratio = took.as_secs_f64() / baseline.as_secs_f64();
        report.add(crate::fig(
            backend,
            format!("import a helpdesk's {rows} complaints (CSV, one request)"),
            format!(
                "{} ({:.2} ms per complaint)",
                crate::seconds(took),
                took.as_secs_f64() * 1000.0 / rows as f64
            ),
            format!("{} ({rows} sales records)", crate::seconds(baseline)),
            format!("{ratio:.1}"),
            "recorded",
        ));
        Ok(())
    }
    .await;
    database.remove()?;
    result
}
