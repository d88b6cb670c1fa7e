//! The performance benchmark (issue 7). Run it with `bash benches/run` (see
//! docs/PERFORMANCE.md); `cargo bench --bench perf -- --help` lists the options.
//!
//! Every figure is a ratio against a baseline measured in the same run on the same machine:
//! absolute times on shared machines drift, ratios much less.

mod complaints;
mod generate;
mod load;
mod server;

use std::fmt::Write as _;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::Context;
use appraisal::db::{DbConn, DbUrl};
use chrono::NaiveDate;
use clap::Parser;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use reqwest::Method;
use serde_json::json;

use generate::{progress, Company};
use load::{closed_loop, open_loop, quantile_ms};
use server::Server;

#[derive(Parser, Debug, Clone)]
#[command(
    about = "Service Appraisal performance benchmark (prints ratios against same-run baselines)"
)]
struct Options {
    /// Employees of the main company (reads, login storm, memory, import).
    #[arg(long, default_value_t = 100_000)]
    employees: usize,
    /// Company sizes for the compute scaling series.
    #[arg(long, value_delimiter = ',', default_values_t = [10_000, 100_000, 300_000])]
    scale: Vec<usize>,
    /// Backends to measure.
    #[arg(long, value_delimiter = ',', default_values_t = ["sqlite".to_string(), "postgres".to_string()])]
    backends: Vec<String>,
    /// A PostgreSQL URL whose server lets this user create databases.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres_url: String,
    /// Sales records in the import benchmark.
    #[arg(long, default_value_t = 1_000_000)]
    import_rows: usize,
    /// Seconds of each throughput measurement.
    #[arg(long, default_value_t = 10)]
    throughput_seconds: u64,
    /// Seconds of the fixed-rate read measurement and of the login storm.
    #[arg(long, default_value_t = 30)]
    rate_seconds: u64,
    /// Read requests per second of the fixed-rate measurement.
    #[arg(long, default_value_t = 1000.0)]
    read_rate: f64,
    /// Logins per second of the storm.
    #[arg(long, default_value_t = 100.0)]
    login_rate: f64,
    /// Complaints in the escalation check's benchmark (1 % due).
    #[arg(long, default_value_t = 1_000_000)]
    complaints: usize,
    /// Only the compute series (no publish, reads, storm or import).
    #[arg(long)]
    compute_only: bool,
    /// After computing and publishing, only HR's daily work (export, people in bulk): no
    /// reads, storm or import.
    #[arg(long)]
    hr_work_only: bool,
    /// Only the uploads (sales as CSV, as XLSX) and "forgot password"'s timing, on a
    /// freshly generated company: no compute, reads, storm or export.
    #[arg(long)]
    uploads_only: bool,
    /// Another build of `appraisal` (say the previous commit's, `cargo build --release` in a
    /// worktree) measured beside this one in the same run, on the same data: compute, the
    /// import and the read throughputs are taken with both and reported side by side.
    #[arg(long)]
    compare_binary: Option<std::path::PathBuf>,
    /// A tiny run that checks the harness works (seconds, not minutes).
    #[arg(long)]
    smoke: bool,
    /// cargo bench passes this; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

impl Options {
    fn effective(mut self) -> Options {
        if self.smoke {
            self.employees = 400;
            self.scale = vec![200, 400];
            self.import_rows = 5_000;
            self.complaints = 20_000;
            self.throughput_seconds = 1;
            self.rate_seconds = 2;
            self.read_rate = 200.0;
            self.login_rate = 10.0;
        }
        self
    }
}

/// One printed figure: what, value, baseline, ratio, target.
struct Figure {
    backend: &'static str,
    name: String,
    value: String,
    baseline: String,
    ratio: String,
    target: String,
}

struct Report {
    figures: Vec<Figure>,
}

impl Report {
    fn add(&mut self, f: Figure) {
        println!(
            "[{}] {}: {} | baseline {} | ratio {} | target {}",
            f.backend, f.name, f.value, f.baseline, f.ratio, f.target
        );
        self.figures.push(f);
    }
    fn table(&self) -> String {
        let mut out = String::from(
            "| backend | figure | value | baseline (same run) | ratio | target |\n|---|---|---|---|---|---|\n",
        );
        for f in &self.figures {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                f.backend, f.name, f.value, f.baseline, f.ratio, f.target
            )
            .expect("writing to a string");
        }
        out
    }
}

fn fig(
    backend: &'static str,
    name: impl Into<String>,
    value: impl Into<String>,
    baseline: impl Into<String>,
    ratio: impl Into<String>,
    target: impl Into<String>,
) -> Figure {
    Figure {
        backend,
        name: name.into(),
        value: value.into(),
        baseline: baseline.into(),
        ratio: ratio.into(),
        target: target.into(),
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}

fn main() -> anyhow::Result<()> {
    let options = Options::parse().effective();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, run(options))
}

async fn run(options: Options) -> anyhow::Result<()> {
    println!("{}", machine());
    server::start_log()?;
    let mut report = Report {
        figures: Vec::new(),
    };
    for backend in options.backends.clone() {
        let backend: &'static str = match backend.as_str() {
            "sqlite" => "sqlite",
            "postgres" => "postgres",
            other => anyhow::bail!("unknown backend {other}"),
        };
        let mut sizes = options.scale.clone();
        if !sizes.contains(&options.employees) {
            sizes.push(options.employees);
        }
        sizes.sort();
        let mut per_employee = Vec::new();
        for size in sizes {
            let main = size == options.employees;
            let database = Database::create(backend, &options, size)?;
            let result = bench_company(&options, &database, size, main, &mut report).await;
            database.remove()?;
            per_employee.push((size, result?));
        }
        if !options.uploads_only {
            escalation_check(&options, backend, &mut report)?;
            complaints::helpdesk_import(&options, backend, &mut report).await?;
        }
        if let (Some(first), Some(last)) = (per_employee.first(), per_employee.last()) {
            if last.0 > first.0 {
                let growth = last.1 / first.1;
                report.add(fig(
                    backend,
                    format!("compute time per employee, {} vs {}", last.0, first.0),
                    format!("{:.1} µs", last.1 * 1e6),
                    format!("{:.1} µs", first.1 * 1e6),
                    format!("{growth:.2}"),
                    format!("≈1 (linear): {}", verdict(growth < 1.5)),
                ));
            }
        }
    }
    println!("\n{}", report.table());
    Ok(())
}

/// One line about the machine, for the record.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| s.lines().next().map(|l| l.to_owned()))
        .unwrap_or_default();
    format!("machine: {cpu}, {cores} cores, {memory}")
}

/// A database made for one company and dropped afterwards.
struct Database {
    backend: &'static str,
    url: String,
    admin: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl Database {
    fn create(backend: &'static str, options: &Options, size: usize) -> anyhow::Result<Database> {
        if backend == "sqlite" {
            let dir = tempfile::tempdir()?;
            let url = format!("sqlite://{}/bench.db", dir.path().display());
            return Ok(Database {
                backend,
                url,
                admin: None,
                _dir: Some(dir),
            });
        }
        let admin = options.postgres_url.clone();
        let name = format!("appraisal_bench_{}_{size}", std::process::id());
        let mut conn = PgConnection::establish(&admin)
            .with_context(|| format!("cannot reach PostgreSQL at {admin}"))?;
        conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))?;
        conn.batch_execute(&format!("CREATE DATABASE {name}"))?;
        let base = admin
            .rsplit_once('/')
            .map(|(base, _)| base)
            .context("the PostgreSQL URL needs a database path")?;
        Ok(Database {
            backend,
            url: format!("{base}/{name}"),
            admin: Some((admin, name)),
            _dir: None,
        })
    }

    fn connect(&self) -> anyhow::Result<DbConn> {
        let url = DbUrl::parse(&self.url).map_err(anyhow::Error::msg)?;
        Ok(url.establish()?)
    }

    fn remove(self) -> anyhow::Result<()> {
        if let Some((admin, name)) = &self.admin {
            let mut conn = PgConnection::establish(admin)?;
            conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
        }
        Ok(())
    }
}

const Q1: (NaiveDate, NaiveDate) = (
    NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
    NaiveDate::from_ymd_opt(2026, 3, 31).expect("date"),
);
const Q2: (NaiveDate, NaiveDate) = (
    NaiveDate::from_ymd_opt(2026, 4, 1).expect("date"),
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("date"),
);

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// A cycle over `period` with the default scheme; returns its id.
async fn new_cycle(hr: &Server, name: &str, period: (NaiveDate, NaiveDate)) -> anyhow::Result<i32> {
    let cycle = hr
        .call(
            Method::POST,
            "/api/v1/cycles",
            Some(json!({"name": name, "period_start": period.0, "period_end": period.1})),
        )
        .await?;
    let id = cycle["id"].as_i64().context("cycle id")? as i32;
    hr.call(
        Method::PUT,
        &format!("/api/v1/cycles/{id}/scheme"),
        Some(json!({
            "weights": {"sales": 30, "satisfaction": 30, "etiquette": 25, "collaboration": 15},
            "grade_bands": [
                {"grade": "A", "min_total": 90}, {"grade": "B", "min_total": 75},
                {"grade": "C", "min_total": 60}, {"grade": "D", "min_total": 0}
            ]
        })),
    )
    .await?;
    Ok(id)
}

async fn set_state(hr: &Server, cycle: i32, state: &str) -> anyhow::Result<Duration> {
    let started = Instant::now();
    hr.call(
        Method::POST,
        &format!("/api/v1/cycles/{cycle}/state"),
        Some(json!({"state": state})),
    )
    .await?;
    Ok(started.elapsed())
}

/// The company of `size` people through a whole cycle. Returns compute seconds per
/// employee, for the scaling series.
async fn bench_company(
    options: &Options,
    database: &Database,
    size: usize,
    main: bool,
    report: &mut Report,
) -> anyhow::Result<f64> {
    let backend = database.backend;
    progress(format_args!("[{backend}] {size} employees: generating"));
    let mut conn = database.connect()?;
    appraisal::db::run_migrations(&mut conn)?;
    let started = Instant::now();
    let company = generate::company(&mut conn, size, 7)?;

    if options.uploads_only {
        if main {
            forgot_timing(database, &company, &mut conn, report).await?;
            import(options, database, &mut conn, &company, report).await?;
        }
        return Ok(started.elapsed().as_secs_f64() / size as f64);
    }

    let mut hr = Server::start(&database.url, true).await?;
    hr.login(generate::HR_EMAIL, generate::PASSWORD).await?;
    let checklist = hr
        .call(
            Method::POST,
            "/api/v1/checklists",
            Some(json!({"name": "Store etiquette", "items": [
                {"title": "Grooming and attire", "max_points": 10, "critical": false},
                {"title": "Posture", "max_points": 10, "critical": false},
                {"title": "Expression", "max_points": 10, "critical": false},
                {"title": "Voice", "max_points": 10, "critical": false},
                {"title": "Courteous language", "max_points": 20, "critical": true},
                {"title": "Procedure", "max_points": 20, "critical": false}
            ]})),
        )
        .await?;
    let items: Vec<(i32, i32, bool)> = checklist["items"]
        .as_array()
        .context("items")?
        .iter()
        .map(|i| {
            (
                i["id"].as_i64().unwrap_or(0) as i32,
                i["max_points"].as_i64().unwrap_or(0) as i32,
                i["critical"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    let checklist_id = checklist["id"].as_i64().context("checklist id")? as i32;
    let cycle = new_cycle(&hr, "2026 Q1", Q1).await?;
    let opened = set_state(&hr, cycle, "open").await?;
    report.add(fig(
        backend,
        format!("open a cycle of {size} (queues {size} rating requests)"),
        seconds(opened),
        "-",
        "-",
        "recorded",
    ));
    let written = generate::evidence(&mut conn, &company, cycle, (checklist_id, &items), Q1, 7)?;
    progress(format_args!(
        "[{backend}] {size} employees: {} evidence rows, generated in {:.1} s",
        written.rows,
        started.elapsed().as_secs_f64()
    ));
    // The fifth component's evidence: a complaint per person in the period, its charges.
    complaints::charges(&mut conn)?;
    set_state(&hr, cycle, "review").await?;
    hr.stop()?;

    // A fresh server, so that its peak memory is that of computing.
    let mut hr = Server::start(&database.url, true).await?;
    hr.login(generate::HR_EMAIL, generate::PASSWORD).await?;
    let before = baseline_aggregates(&mut conn, cycle)?;
    let started = Instant::now();
    let outcome = hr
        .call(
            Method::POST,
            &format!("/api/v1/cycles/{cycle}/compute"),
            None,
        )
        .await?;
    let compute = started.elapsed();
    let (peak, _) = hr.memory_mib()?;
    let after = baseline_aggregates(&mut conn, cycle)?;
    let baseline = before.min(after);
    anyhow::ensure!(
        outcome["computed"].as_u64() == Some(size as u64),
        "compute answered {outcome}"
    );
    let ratio = compute.as_secs_f64() / baseline.as_secs_f64();
    report.add(fig(
        backend,
        format!("compute {size}"),
        seconds(compute),
        format!("{} (aggregate queries)", seconds(baseline)),
        format!("{ratio:.2}"),
        if size == 100_000 {
            format!("≤ 2.0: {}", verdict(ratio <= 2.0))
        } else {
            "≤ 2.0 at 100k".into()
        },
    ));
    report.add(fig(
        backend,
        format!("peak RSS of the server computing {size}"),
        format!("{peak:.0} MiB"),
        "-",
        "-",
        if size == 100_000 {
            format!("< 1 GB: {}", verdict(peak < 1000.0))
        } else {
            "< 1 GB at 100k".into()
        },
    ));
    let started = Instant::now();
    hr.call(
        Method::POST,
        &format!("/api/v1/cycles/{cycle}/compute"),
        None,
    )
    .await?;
    let recompute = started.elapsed();
    report.add(fig(
        backend,
        format!("recompute {size} (nothing changed)"),
        seconds(recompute),
        seconds(baseline),
        format!("{:.2}", recompute.as_secs_f64() / baseline.as_secs_f64()),
        "recorded",
    ));
    if let Some(other) = &options.compare_binary {
        // The same computation from scratch by the other build, on the same rows.
        conn.batch_execute(&format!("DELETE FROM appraisals WHERE cycle_id = {cycle}"))?;
        let mut theirs = Server::start_binary(other, &database.url, true).await?;
        theirs.login(generate::HR_EMAIL, generate::PASSWORD).await?;
        let started = Instant::now();
        theirs
            .call(
                Method::POST,
                &format!("/api/v1/cycles/{cycle}/compute"),
                None,
            )
            .await?;
        let compared = started.elapsed();
        theirs.stop()?;
        // This build's appraisals again, for the rest of the run; timed too, so that each
        // build has a run after the other (the first computation of a run is the coldest).
        conn.batch_execute(&format!("DELETE FROM appraisals WHERE cycle_id = {cycle}"))?;
        let started = Instant::now();
        hr.call(
            Method::POST,
            &format!("/api/v1/cycles/{cycle}/compute"),
            None,
        )
        .await?;
        let again = started.elapsed();
        // The rest of the run reads what the other build computed: this build reads the
        // snapshots of an older build (an upgraded database), the other build may not read
        // a newer one's.
        conn.batch_execute(&format!("DELETE FROM appraisals WHERE cycle_id = {cycle}"))?;
        let mut theirs = Server::start_binary(other, &database.url, true).await?;
        theirs.login(generate::HR_EMAIL, generate::PASSWORD).await?;
        theirs
            .call(
                Method::POST,
                &format!("/api/v1/cycles/{cycle}/compute"),
                None,
            )
            .await?;
        theirs.stop()?;
        // An older build may keep less bookkeeping (before issue 15: no basis revision, so
        // this build would count its results stale); this build's own results then go on.
        let stale: i64 = {
            use appraisal::db::schema::appraisals;
            appraisals::table
                .filter(appraisals::cycle_id.eq(cycle))
                .filter(appraisals::basis_revision.eq(0))
                .count()
                .get_result(&mut conn)?
        };
        if stale > 0 {
            conn.batch_execute(&format!("DELETE FROM appraisals WHERE cycle_id = {cycle}"))?;
            hr.call(
                Method::POST,
                &format!("/api/v1/cycles/{cycle}/compute"),
                None,
            )
            .await?;
        }
        report.add(fig(
            backend,
            format!("compute {size}, compare binary"),
            seconds(compared),
            format!("{} (aggregate queries)", seconds(baseline)),
            format!("{:.2}", compared.as_secs_f64() / baseline.as_secs_f64()),
            format!(
                "this build ÷ compare = {:.2} (first run), {:.2} (this build again: {})",
                compute.as_secs_f64() / compared.as_secs_f64(),
                again.as_secs_f64() / compared.as_secs_f64(),
                seconds(again)
            ),
        ));
    }
    if !main || options.compute_only {
        hr.stop()?;
        return Ok(compute.as_secs_f64() / size as f64);
    }
    let published = set_state(&hr, cycle, "published").await?;
    report.add(fig(
        backend,
        format!("publish {size} (queues {size} notices)"),
        seconds(published),
        "-",
        "-",
        "recorded",
    ));
    hr.stop()?;
    export(database, cycle, size, report).await?;
    people_in_bulk(options, database, &mut conn, report).await?;
    if options.hr_work_only {
        return Ok(compute.as_secs_f64() / size as f64);
    }

    reads_and_logins(options, database, &company, report).await?;
    import(options, database, &mut conn, &company, report).await?;
    forgot_timing(database, &company, &mut conn, report).await?;
    Ok(compute.as_secs_f64() / size as f64)
}

/// The escalation check over `--complaints` complaints, 1 % due, against a bare indexed
/// query of the due ones; then a check with nothing due against the same query.
fn escalation_check(
    options: &Options,
    backend: &'static str,
    report: &mut Report,
) -> anyhow::Result<()> {
    let count = options.complaints;
    let database = Database::create(backend, options, 0)?;
    let result = (|| -> anyhow::Result<()> {
        let mut conn = database.connect()?;
        appraisal::db::run_migrations(&mut conn)?;
        generate::company(&mut conn, 200, 7)?;
        let department: i32 = {
            use appraisal::db::schema::departments;
            departments::table
                .select(diesel::dsl::max(departments::id))
                .first::<Option<i32>>(&mut conn)?
                .context("a department")?
        };
        progress(format_args!("[{backend}] {count} complaints: generating"));
        complaints::insert(&mut conn, count, department)?;
        let bare = |conn: &mut DbConn| -> anyhow::Result<(Duration, usize)> {
            let mut best = complaints::bare_due_query(conn)?;
            for _ in 0..2 {
                let again = complaints::bare_due_query(conn)?;
                best.0 = best.0.min(again.0);
            }
            Ok(best)
        };
        let (before, due) = bare(&mut conn)?;
        let (check, settled) = complaints::check(&mut conn)?;
        anyhow::ensure!(settled == due, "the check settled {settled} of {due} due");
        let ratio = check.as_secs_f64() / before.as_secs_f64();
        report.add(fig(
            backend,
            format!("escalation check, {count} complaints, {due} due (level 1 each)"),
            format!(
                "{} ({:.2} ms per due complaint)",
                seconds(check),
                check.as_secs_f64() * 1000.0 / due.max(1) as f64
            ),
            format!(
                "{:.1} ms (indexed query of the due)",
                before.as_secs_f64() * 1000.0
            ),
            format!("{ratio:.0}"),
            "recorded",
        ));
        let (after, left) = bare(&mut conn)?;
        let (empty, none) = complaints::check(&mut conn)?;
        anyhow::ensure!(left == 0 && none == 0, "still due after the check: {left}");
        let ratio = empty.as_secs_f64() / after.as_secs_f64().max(1e-6);
        report.add(fig(
            backend,
            format!("escalation check with nothing due, {count} complaints"),
            format!("{:.2} ms", empty.as_secs_f64() * 1000.0),
            format!(
                "{:.2} ms (the same indexed query)",
                after.as_secs_f64() * 1000.0
            ),
            format!("{ratio:.1}"),
            format!("≤ 20 (reads only what is due): {}", verdict(ratio <= 20.0)),
        ));
        Ok(())
    })();
    database.remove()?;
    result
}

/// The least work computing needs: one aggregate query per evidence table over the cycle's
/// rows, each result read in full.
fn baseline_aggregates(conn: &mut DbConn, cycle: i32) -> anyhow::Result<Duration> {
    #[derive(QueryableByName)]
    #[allow(dead_code)]
    struct Aggregate {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        k: i32,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        s: i64,
    }
    let queries = [
        format!(
            "SELECT employee_id AS k, CAST(1 AS BIGINT) AS n, target_minor AS s \
             FROM sales_targets WHERE cycle_id = {cycle}"
        ),
        format!(
            "SELECT employee_id AS k, COUNT(*) AS n, CAST(SUM(amount_minor) AS BIGINT) AS s \
             FROM sales_records WHERE cycle_id = {cycle} GROUP BY employee_id"
        ),
        format!(
            "SELECT employee_id AS k, COUNT(*) AS n, CAST(SUM(rating) AS BIGINT) AS s \
             FROM satisfaction_responses WHERE cycle_id = {cycle} GROUP BY employee_id"
        ),
        format!(
            "SELECT i.employee_id AS k, CAST(SUM(c.max_points) AS BIGINT) AS n, \
             CAST(SUM(s.points) AS BIGINT) AS s FROM inspections i \
             JOIN inspection_scores s ON s.inspection_id = i.id \
             JOIN checklist_items c ON c.id = s.item_id \
             WHERE i.cycle_id = {cycle} GROUP BY i.id, i.employee_id"
        ),
        format!(
            "SELECT ratee_id AS k, COUNT(*) AS n, CAST(SUM(rating) AS BIGINT) AS s \
             FROM collaboration_ratings WHERE cycle_id = {cycle} GROUP BY ratee_id"
        ),
        "SELECT cc.employee_id AS k, COUNT(*) AS n, \
         CAST(SUM(CASE WHEN cc.earned THEN 1 ELSE 0 END) AS BIGINT) AS s \
         FROM complaint_charges cc JOIN complaints c ON c.id = cc.complaint_id \
         WHERE c.received_on BETWEEN '2026-01-01' AND '2026-03-31' GROUP BY cc.employee_id"
            .to_owned(),
    ];
    let started = Instant::now();
    let mut rows = 0;
    for query in &queries {
        rows += diesel::sql_query(query).load::<Aggregate>(conn)?.len();
    }
    anyhow::ensure!(rows > 0, "the baseline read nothing");
    Ok(started.elapsed())
}

/// Signed tokens for every person, as the server would issue them at login.
fn tokens(company: &Company) -> anyhow::Result<Vec<String>> {
    use appraisal::auth::token::{Claims, AUDIENCE, ISSUER};
    let key = jsonwebtoken::EncodingKey::from_secret(server::JWT_SECRET.as_bytes());
    let now = chrono::Utc::now().timestamp();
    company
        .people
        .iter()
        .map(|p| {
            let claims = Claims {
                sub: p.id.to_string(),
                role: if p.manager.is_some() {
                    "staff"
                } else {
                    "supervisor"
                }
                .into(),
                iat: now,
                exp: now + 3600,
                iss: ISSUER.into(),
                aud: AUDIENCE.into(),
                ver: 0,
            };
            Ok(jsonwebtoken::encode(
                &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
                &claims,
                &key,
            )?)
        })
        .collect()
}

/// Reads under load, the login storm and the server's memory.
async fn reads_and_logins(
    options: &Options,
    database: &Database,
    company: &Company,
    report: &mut Report,
) -> anyhow::Result<()> {
    let backend = database.backend;
    let tokens = Rc::new(tokens(company)?);
    let server = Server::start(&database.url, false).await?;
    let addr = server.addr;
    let throughput = Duration::from_secs(options.throughput_seconds);
    let connections = 32;
    let health: load::MakeRequest = Rc::new(|_| load::get("/health", None));
    let reads: load::MakeRequest = {
        let tokens = tokens.clone();
        Rc::new(move |i| load::get("/api/v1/me/appraisals", Some(&tokens[i % tokens.len()])))
    };
    // Warm both paths (connections, caches) before measuring.
    closed_loop(addr, reads.clone(), connections, Duration::from_secs(1)).await;
    let h = closed_loop(addr, health.clone(), connections, throughput).await;
    let r = closed_loop(addr, reads.clone(), connections, throughput).await;
    anyhow::ensure!(r.ok() == r.count(), "reads failed: {}", r.statuses_text());
    // Diagnostic: the token check alone (one database call instead of two).
    let profile: load::MakeRequest = {
        let tokens = tokens.clone();
        Rc::new(move |i| load::get("/api/v1/me", Some(&tokens[i % tokens.len()])))
    };
    let m = closed_loop(addr, profile, connections, throughput).await;
    report.add(fig(
        backend,
        format!("GET /me throughput, token check only ({connections} connections)"),
        format!("{:.0} req/s", m.per_second()),
        format!("{:.0} req/s (GET /health)", h.per_second()),
        format!("{:.0} %", m.per_second() / h.per_second() * 100.0),
        "diagnostic",
    ));
    let share = r.per_second() / h.per_second();
    report.add(fig(
        backend,
        format!("GET /me/appraisals throughput ({connections} connections)"),
        format!("{:.0} req/s", r.per_second()),
        format!("{:.0} req/s (GET /health)", h.per_second()),
        format!("{:.0} %", share * 100.0),
        format!("≥ 25 %: {}", verdict(share >= 0.25)),
    ));
    if let Some(other) = &options.compare_binary {
        // The other build on the same data, both servers up, measured in turn three times
        // (this, other, this, other, …): the order of a single pair (a checkpoint, a
        // cache still warming) would otherwise decide the ratio. Each figure is the
        // median of its three.
        let theirs = Server::start_binary(other, &database.url, false).await?;
        let at = theirs.addr;
        let me: load::MakeRequest = {
            let tokens = tokens.clone();
            Rc::new(move |i| load::get("/api/v1/me", Some(&tokens[i % tokens.len()])))
        };
        let warm = closed_loop(at, reads.clone(), connections, Duration::from_secs(1)).await;
        // A build older than the stored appraisals may not read them (before issue 16 the
        // snapshots held English sentences): then there is no read figure to compare.
        let readable = warm.ok() == warm.count();
        if !readable {
            report.add(fig(
                backend,
                "reads, compare binary".to_owned(),
                format!(
                    "not comparable: it cannot read this build's appraisals ({})",
                    warm.statuses_text()
                ),
                "-",
                "-",
                "recorded",
            ));
        }
        let (mut ours, mut others) = (Vec::new(), Vec::new());
        for _ in 0..(if readable { 3 } else { 0 }) {
            for (addr, into) in [(addr, &mut ours), (at, &mut others)] {
                let h = closed_loop(addr, health.clone(), connections, throughput).await;
                let r = closed_loop(addr, reads.clone(), connections, throughput).await;
                let m = closed_loop(addr, me.clone(), connections, throughput).await;
                anyhow::ensure!(
                    r.ok() == r.count() && m.ok() == m.count(),
                    "reads failed: {} / {}",
                    r.statuses_text(),
                    m.statuses_text()
                );
                into.push((h.per_second(), r.per_second(), m.per_second()));
            }
        }
        drop(theirs);
        type Pick = fn(&(f64, f64, f64)) -> f64;
        let pairs: &[(&str, Pick)] = if readable {
            &[("GET /me/appraisals", |r| r.1), ("GET /me", |r| r.2)]
        } else {
            &[]
        };
        let median = |runs: &[(f64, f64, f64)], pick: fn(&(f64, f64, f64)) -> f64| {
            let mut values: Vec<f64> = runs.iter().map(pick).collect();
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        let spread = |runs: &[(f64, f64, f64)], pick: fn(&(f64, f64, f64)) -> f64| {
            runs.iter()
                .map(|r| format!("{:.0}", pick(r)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for &(name, pick) in pairs {
            let (this, that) = (median(&ours, pick), median(&others, pick));
            let base = median(&others, |r| r.0);
            report.add(fig(
                backend,
                format!("{name} throughput, compare binary ({connections} connections, median of 3 in turn)"),
                format!("{that:.0} req/s (this build: {:.0} req/s; runs {} vs {})", this, spread(&ours, pick), spread(&others, pick)),
                format!("{base:.0} req/s (its GET /health)"),
                format!("{:.0} %", that / base * 100.0),
                format!("this build ÷ compare = {:.2}", this / that),
            ));
        }
    }

    let rate_for = Duration::from_secs(options.rate_seconds);
    let calm = open_loop(addr, reads.clone(), options.read_rate, 64, rate_for).await;
    let calm_p99 = quantile_ms(&calm.latencies, 0.99);
    let (peak_reads, _) = server.memory_mib()?;
    report.add(fig(
        backend,
        format!(
            "GET /me/appraisals at {:.0}/s: p50 / p99 / max",
            options.read_rate
        ),
        format!(
            "{:.2} / {calm_p99:.2} / {:.2} ms ({})",
            quantile_ms(&calm.latencies, 0.5),
            quantile_ms(&calm.latencies, 1.0),
            calm.statuses_text()
        ),
        "-",
        "-",
        format!("p99 < 10 ms: {}", verdict(calm_p99 < 10.0)),
    ));
    report.add(fig(
        backend,
        "peak RSS of the server serving reads",
        format!("{peak_reads:.0} MiB"),
        "-",
        "-",
        format!("< 150 MB: {}", verdict(peak_reads < 150.0)),
    ));

    let logins: load::MakeRequest = {
        let people: Vec<i32> = company.people.iter().map(|p| p.id).collect();
        Rc::new(move |i| {
            let body = json!({
                "email": format!("e{}@bench.example", people[i % people.len()]),
                "password": generate::PASSWORD,
            });
            load::post_json("/api/v1/auth/login", &body.to_string())
        })
    };
    let (stormy, storm) = tokio::join!(
        open_loop(addr, reads.clone(), options.read_rate, 64, rate_for),
        open_loop(addr, logins, options.login_rate, 64, rate_for),
    );
    let stormy_p99 = quantile_ms(&stormy.latencies, 0.99);
    let (peak_storm, _) = server.memory_mib()?;
    let ratio = stormy_p99 / calm_p99;
    report.add(fig(
        backend,
        format!(
            "read p99 during {:.0} logins/s ({})",
            options.login_rate,
            stormy.statuses_text()
        ),
        format!("{stormy_p99:.2} ms"),
        format!("{calm_p99:.2} ms (no storm)"),
        format!("{ratio:.2}"),
        format!("< 2: {}", verdict(ratio < 2.0)),
    ));
    let accepted = storm.by_status.get(&200).map_or(0, |v| v.len());
    let refused: Vec<Duration> = storm
        .by_status
        .iter()
        .filter(|(s, _)| **s == 429 || **s == 503)
        .flat_map(|(_, v)| v.iter().copied())
        .collect();
    let refused_p99 = quantile_ms(&refused, 0.99);
    let accepted_p99 = quantile_ms(storm.by_status.get(&200).map_or(&[][..], |v| v), 0.99);
    let other = storm.count() - accepted - refused.len();
    report.add(fig(
        backend,
        "login storm answers",
        format!(
            "{accepted} signed in (p99 {accepted_p99:.0} ms), {} refused 429/503 (p99 {refused_p99:.0} ms), {other} other",
            refused.len()
        ),
        "-",
        "-",
        // Neither a refusal nor a sign-in may wait for seconds.
        format!(
            "answered, not queued (p99 < 1 s): {}",
            verdict(
                other == 0
                    && (refused.is_empty() || refused_p99 < 1000.0)
                    && accepted_p99 < 1000.0
            )
        ),
    ));
    report.add(fig(
        backend,
        "peak RSS of the server after the storm",
        format!("{peak_storm:.0} MiB"),
        "-",
        "-",
        "recorded",
    ));
    server.stop()
}

/// 1,000,000 sales records through the CSV import endpoint, against the database's own bulk
/// load of the same rows into the same table.
async fn import(
    options: &Options,
    database: &Database,
    conn: &mut DbConn,
    company: &Company,
    report: &mut Report,
) -> anyhow::Result<()> {
    let backend = database.backend;
    let mut hr = Server::start(&database.url, true).await?;
    hr.login(generate::HR_EMAIL, generate::PASSWORD).await?;
    let cycle = new_cycle(&hr, "2026 Q2", Q2).await?;
    set_state(&hr, cycle, "open").await?;
    let csv = generate::sales_csv(company, Q2, options.import_rows);
    let rows = generate::sales_rows(&csv, cycle, 50_000_000)?;

    let started = Instant::now();
    generate::write(conn, |conn| {
        for chunk in rows.chunks(100_000) {
            generate::load(conn, &generate::SALES_RECORDS, chunk)?;
        }
        Ok(())
    })?;
    let native = started.elapsed();
    drop(rows);
    conn.batch_execute(&format!(
        "DELETE FROM sales_records WHERE cycle_id = {cycle}"
    ))?;
    if backend == "postgres" {
        conn.batch_execute("VACUUM ANALYZE sales_records")?;
    }

    let per_request = PER_REQUEST;
    let through_api = import_through_api(&hr, &csv, options.import_rows).await?;
    let ratio = through_api.as_secs_f64() / native.as_secs_f64();
    report.add(fig(
        backend,
        format!(
            "import {} sales records (CSV, {} per request)",
            options.import_rows, per_request
        ),
        seconds(through_api),
        format!(
            "{} ({})",
            seconds(native),
            if backend == "postgres" {
                "COPY"
            } else {
                "multi-row INSERTs, one transaction"
            }
        ),
        format!("{ratio:.2}"),
        format!("≤ 3.0: {}", verdict(ratio <= 3.0)),
    ));
    hr.stop()?;
    xlsx_upload(options, database, conn, cycle, &csv, report).await?;
    if let Some(other) = &options.compare_binary {
        conn.batch_execute(&format!(
            "DELETE FROM sales_records WHERE cycle_id = {cycle}"
        ))?;
        if backend == "postgres" {
            conn.batch_execute("VACUUM ANALYZE sales_records")?;
        }
        let mut theirs = Server::start_binary(other, &database.url, true).await?;
        theirs.login(generate::HR_EMAIL, generate::PASSWORD).await?;
        let compared = import_through_api(&theirs, &csv, options.import_rows).await?;
        theirs.stop()?;
        report.add(fig(
            backend,
            format!(
                "import {} sales records, compare binary",
                options.import_rows
            ),
            seconds(compared),
            seconds(native),
            format!("{:.2}", compared.as_secs_f64() / native.as_secs_f64()),
            format!(
                "this build ÷ compare = {:.2}",
                through_api.as_secs_f64() / compared.as_secs_f64()
            ),
        ));
    }
    Ok(())
}

/// Rows of the XLSX upload figure: the most one upload may have.
const XLSX_ROWS: usize = 200_000;

/// One XLSX of [`XLSX_ROWS`] sales records through `POST /sales-records`: its time and the
/// peak memory of a fresh server that did only that, against the same rows as CSV (same
/// run); with `--compare-binary`, the same upload to the other build too (issue 25: the
/// bounded reader must not be slower than 1.2× the one it replaced).
async fn xlsx_upload(
    options: &Options,
    database: &Database,
    conn: &mut DbConn,
    cycle: i32,
    csv: &str,
    report: &mut Report,
) -> anyhow::Result<()> {
    let backend = database.backend;
    let rows = XLSX_ROWS.min(options.import_rows);
    let part: String = csv
        .lines()
        .take(rows + 1)
        .map(|l| format!("{l}\n"))
        .collect();
    let xlsx = generate::xlsx_of_csv(&part)?;
    let clear = |conn: &mut DbConn| -> anyhow::Result<()> {
        conn.batch_execute(&format!(
            "DELETE FROM sales_records WHERE cycle_id = {cycle}"
        ))?;
        if backend == "postgres" {
            conn.batch_execute("VACUUM ANALYZE sales_records")?;
        }
        Ok(())
    };
    async fn upload(
        binary: &std::path::Path,
        url: &str,
        content_type: &str,
        body: Vec<u8>,
        rows: usize,
    ) -> anyhow::Result<(Duration, f64)> {
        let mut server = Server::start_binary(binary, url, true).await?;
        server.login(generate::HR_EMAIL, generate::PASSWORD).await?;
        let started = Instant::now();
        let answer = server
            .post_body("/api/v1/sales-records", content_type, body)
            .await?;
        let took = started.elapsed();
        anyhow::ensure!(
            answer["inserted"].as_u64() == Some(rows as u64),
            "the upload answered {answer}"
        );
        let (peak, _) = server.memory_mib()?;
        server.stop()?;
        Ok((took, peak))
    }
    let ours = std::path::Path::new(env!("CARGO_BIN_EXE_appraisal"));
    clear(conn)?;
    let (csv_time, csv_peak) =
        upload(ours, &database.url, "text/csv", part.into_bytes(), rows).await?;
    clear(conn)?;
    let (time, peak) = upload(ours, &database.url, generate::XLSX, xlsx.clone(), rows).await?;
    report.add(fig(
        backend,
        format!(
            "upload {rows} sales records as XLSX ({:.1} MB; peak RSS {peak:.0} MiB, CSV {csv_peak:.0} MiB)",
            xlsx.len() as f64 / 1e6
        ),
        seconds(time),
        format!("{} (the same rows as CSV)", seconds(csv_time)),
        format!("{:.2}", time.as_secs_f64() / csv_time.as_secs_f64()),
        "recorded",
    ));
    if let Some(other) = &options.compare_binary {
        clear(conn)?;
        let (theirs, their_peak) = upload(other, &database.url, generate::XLSX, xlsx, rows).await?;
        let ratio = time.as_secs_f64() / theirs.as_secs_f64();
        report.add(fig(
            backend,
            format!(
                "upload {rows} sales records as XLSX, this build vs compare (peak RSS {peak:.0} vs {their_peak:.0} MiB)"
            ),
            seconds(time),
            seconds(theirs),
            format!("{ratio:.2}"),
            format!("≤ 1.2: {}", verdict(ratio <= 1.2)),
        ));
    }
    clear(conn)?;
    Ok(())
}

/// "Forgot password" for a known, an unknown and a deactivated email, interleaved: the
/// median time of each must be within 10 % of the others (issue 25: its time must not tell
/// who has an account).
async fn forgot_timing(
    database: &Database,
    company: &Company,
    conn: &mut DbConn,
    report: &mut Report,
) -> anyhow::Result<()> {
    let backend = database.backend;
    let (known, inactive) = {
        use appraisal::db::schema::users;
        let emails: Vec<String> = users::table
            .select(users::email)
            .filter(users::role.eq("staff"))
            .filter(users::email.is_not_null())
            .order(users::id)
            .limit(2)
            .load::<Option<String>>(conn)?
            .into_iter()
            .flatten()
            .collect();
        anyhow::ensure!(emails.len() == 2, "two staff");
        diesel::update(users::table.filter(users::email.eq(&emails[1])))
            .set(users::active.eq(false))
            .execute(conn)?;
        (emails[0].clone(), emails[1].clone())
    };
    let _ = company;
    let server = Server::start(&database.url, false).await?;
    let rounds = 200;
    let mut times: [Vec<f64>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for i in 0..rounds + 10 {
        let emails = [
            known.clone(),
            format!("nobody-{i}@example.invalid"),
            inactive.clone(),
        ];
        for (k, email) in emails.iter().enumerate() {
            let (status, took) = server
                .timed_post("/api/v1/auth/forgot", &json!({ "email": email }))
                .await?;
            anyhow::ensure!(status == 202, "forgot answered {status}");
            // The first ten rounds warm the connections up.
            if i >= 10 {
                times[k].push(took.as_secs_f64() * 1000.0);
            }
        }
    }
    server.stop()?;
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let [mut a, mut b, mut c] = times;
    let (known_ms, unknown_ms, inactive_ms) = (median(&mut a), median(&mut b), median(&mut c));
    let low = known_ms.min(unknown_ms).min(inactive_ms);
    let high = known_ms.max(unknown_ms).max(inactive_ms);
    let spread = high / low;
    report.add(fig(
        backend,
        format!("forgot password, median of {rounds} each: known / unknown / inactive email"),
        format!("{known_ms:.2} / {unknown_ms:.2} / {inactive_ms:.2} ms"),
        "-",
        format!("{spread:.2}"),
        format!("≤ 1.10 (slowest ÷ fastest): {}", verdict(spread <= 1.10)),
    ));
    Ok(())
}

/// A cycle's appraisals taken out to a spreadsheet: the CSV against the same rows read as the
/// API's JSON list (`GET /cycles/{id}/appraisals`), the XLSX (with the department report and
/// its chart) against the CSV, and the peak memory of a server that did only that.
/// Exporting a cycle: the JSON list (the baseline) on one server, then CSV and XLSX on a
/// fresh one, whose peak memory is then that of exporting alone.
async fn export(
    database: &Database,
    cycle: i32,
    size: usize,
    report: &mut Report,
) -> anyhow::Result<()> {
    let backend = database.backend;
    async fn timed(hr: &Server, path: String) -> anyhow::Result<(Duration, usize)> {
        let started = Instant::now();
        let bytes = hr.get_bytes(&path).await?;
        Ok((started.elapsed(), bytes.len()))
    }
    let mut listing = Server::start(&database.url, true).await?;
    listing
        .login(generate::HR_EMAIL, generate::PASSWORD)
        .await?;
    let (json, _) = timed(&listing, format!("/api/v1/cycles/{cycle}/appraisals")).await?;
    listing.stop()?;
    let mut hr = Server::start(&database.url, true).await?;
    hr.login(generate::HR_EMAIL, generate::PASSWORD).await?;
    let csv_path = format!("/api/v1/cycles/{cycle}/export?format=csv");
    let (csv, csv_length) = timed(&hr, csv_path).await?;
    let xlsx_path = format!("/api/v1/cycles/{cycle}/export?format=xlsx");
    let (xlsx, xlsx_length) = timed(&hr, xlsx_path).await?;
    report.add(fig(
        backend,
        format!(
            "export {size} appraisals as CSV ({:.1} MB)",
            csv_length as f64 / 1e6
        ),
        seconds(csv),
        format!("{} (the JSON list of the same rows)", seconds(json)),
        format!("{:.2}", csv.as_secs_f64() / json.as_secs_f64()),
        "recorded",
    ));
    let ratio = xlsx.as_secs_f64() / csv.as_secs_f64();
    report.add(fig(
        backend,
        format!(
            "export {size} appraisals as XLSX with the report and its chart ({:.1} MB)",
            xlsx_length as f64 / 1e6
        ),
        seconds(xlsx),
        format!("{} (the same rows as CSV)", seconds(csv)),
        format!("{ratio:.2}"),
        format!("≤ 3.0: {}", verdict(ratio <= 3.0)),
    ));
    let (peak, _) = hr.memory_mib()?;
    report.add(fig(
        backend,
        format!("peak RSS of a server exporting {size} (CSV, then XLSX)"),
        format!("{peak:.0} MiB"),
        "-",
        "-",
        format!("< 500 MB: {}", verdict(peak < 500.0)),
    ));
    hr.stop()?;
    Ok(())
}

/// New people in bulk: `POST /users/bulk` with a CSV of `PEOPLE_IN_BULK` people, against the
/// same rows loaded through the backend's bulk path; then the same file again (nothing to
/// change).
async fn people_in_bulk(
    options: &Options,
    database: &Database,
    conn: &mut DbConn,
    report: &mut Report,
) -> anyhow::Result<()> {
    let backend = database.backend;
    let n = if options.smoke {
        200
    } else {
        PEOPLE_IN_BULK.min(options.employees)
    };
    let first: i32 = 10_000_000;
    let department: (i32, String) = {
        use appraisal::db::schema::departments;
        departments::table
            .select((departments::id, departments::name))
            .order(departments::id)
            .first(conn)?
    };
    let (rows, csv) = generate::new_people(first, n, department.0, &department.1);
    // The native load, timed inside a transaction that is then rolled back (deleting the
    // rows afterwards would check every table that refers to people, row by row).
    let native = {
        use diesel::Connection;
        let mut took = None;
        let rolled_back = conn.transaction::<(), anyhow::Error, _>(|conn| {
            let started = Instant::now();
            generate::load(conn, &generate::USERS, &rows)?;
            took = Some(started.elapsed());
            anyhow::bail!("rolled back on purpose")
        });
        anyhow::ensure!(rolled_back.is_err(), "the native load was kept");
        took.context("the native load ran")?
    };
    let mut hr = Server::start(&database.url, true).await?;
    hr.login(generate::HR_EMAIL, generate::PASSWORD).await?;
    let started = Instant::now();
    let outcome = hr.post_csv("/api/v1/users/bulk", csv.clone()).await?;
    let through_api = started.elapsed();
    anyhow::ensure!(
        outcome["created"].as_u64() == Some(n as u64),
        "bulk answered {outcome}"
    );
    // What the delivery worker does after the import (the bench runs the server without
    // it): the batch of set-password links turned into one notice per person.
    let started = Instant::now();
    let mut expanded = 0;
    let batches: Vec<i64> = {
        use appraisal::db::schema::notice_batches;
        notice_batches::table
            .select(notice_batches::id)
            .order(notice_batches::id)
            .load(conn)?
    };
    for batch in batches {
        // As the batch's job does: a slice per transaction.
        loop {
            let (queued, more) = appraisal::db::write_tx(conn, |tx| {
                appraisal::store::notices::expand_batch(tx, batch)
            })?;
            expanded += queued;
            if !more {
                break;
            }
        }
    }
    let expansion = started.elapsed();
    anyhow::ensure!(expanded == n, "{expanded} of {n} links became notices");
    let started = Instant::now();
    let again = hr.post_csv("/api/v1/users/bulk", csv).await?;
    let unchanged = started.elapsed();
    anyhow::ensure!(
        again["unchanged"].as_u64() == Some(n as u64),
        "again answered {again}"
    );
    hr.stop()?;
    let baseline = format!(
        "{} ({})",
        seconds(native),
        if backend == "postgres" {
            "COPY"
        } else {
            "multi-row INSERTs"
        }
    );
    let ratio = through_api.as_secs_f64() / native.as_secs_f64();
    report.add(fig(
        backend,
        format!("{n} new people in bulk (CSV, one request; each mailed a set-password link)"),
        seconds(through_api),
        baseline.clone(),
        format!("{ratio:.2}"),
        format!("≤ 3.0: {}", verdict(ratio <= 3.0)),
    ));
    report.add(fig(
        backend,
        format!("their {n} set-password links made notices by the worker, after the answer"),
        seconds(expansion),
        baseline.clone(),
        format!("{:.2}", expansion.as_secs_f64() / native.as_secs_f64()),
        "recorded",
    ));
    report.add(fig(
        backend,
        format!("the same {n} people again (nothing changes)"),
        seconds(unchanged),
        baseline,
        format!("{:.2}", unchanged.as_secs_f64() / native.as_secs_f64()),
        "recorded",
    ));
    Ok(())
}

/// People in one bulk-people request of the benchmark.
const PEOPLE_IN_BULK: usize = 100_000;

/// The import endpoint takes up to this many rows a request: a file goes in as many requests.
const PER_REQUEST: usize = 200_000;

/// Sends the CSV through `POST /sales-records`, [`PER_REQUEST`] rows a request; answers the
/// time it took once every row was inserted.
async fn import_through_api(hr: &Server, csv: &str, rows: usize) -> anyhow::Result<Duration> {
    let mut lines = csv.lines();
    let header = lines.next().context("header")?.to_owned();
    let body: Vec<&str> = lines.collect();
    let started = Instant::now();
    let mut inserted = 0;
    for chunk in body.chunks(PER_REQUEST) {
        let mut part = String::with_capacity(chunk.len() * 40);
        part.push_str(&header);
        part.push('\n');
        for line in chunk {
            part.push_str(line);
            part.push('\n');
        }
        let answer = hr.post_csv("/api/v1/sales-records", part).await?;
        inserted += answer["inserted"].as_u64().unwrap_or(0) as usize;
    }
    anyhow::ensure!(inserted == rows, "the import inserted {inserted}");
    Ok(started.elapsed())
}
