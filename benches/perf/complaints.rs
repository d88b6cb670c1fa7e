//! Complaints in the benchmark: rows straight into the tables with one SQL statement each
//! (a generated series), so that the figures measure the service, not the generator.
//!
//! - The escalation check over `--complaints` complaints of which 1 % are due: the check
//!   (`app::complaint_check::check_due`, what the `complaint_check` job runs) against a bare
//!   indexed query of the due ones, and an empty check (nothing due) against the same query:
//!   the check reads only what is due.
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
