//! One connection type over SQLite and PostgreSQL, its pool, migrations and transactions.
//!
//! The backend is chosen from the URL scheme (`sqlite://PATH` or `postgres://…`); diesel's
//! own `establish` on the multi connection would try both and hide the real error.

mod health;
pub mod schema;

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::AppError;
use crate::settings::DatabaseSettings;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// How long a SQLite connection waits for a competing writer before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DbUrl {
    pub fn parse(url: &str) -> Result<DbUrl, String> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("sqlite:// needs a file path, e.g. sqlite://data/appraisal.db".into());
            }
            Ok(DbUrl::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbUrl::Postgres(url.to_owned()))
        } else {
            Err("database URL must start with sqlite:// or postgres://".into())
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DbUrl::Sqlite(_) => "sqlite",
            DbUrl::Postgres(_) => "postgres",
        }
    }

    pub fn establish(&self) -> Result<DbConn, diesel::ConnectionError> {
        match self {
            DbUrl::Sqlite(path) => {
                let path = path.to_str().ok_or_else(|| {
                    diesel::ConnectionError::BadConnection("SQLite path is not UTF-8".into())
                })?;
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(&format!(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};"
                ))
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Sqlite(conn))
            }
            DbUrl::Postgres(url) => Ok(DbConn::Pg(PgConnection::establish(url)?)),
        }
    }
}

/// Before a heavy read: lets SQLite's planner know the tables' current shape (a bounded
/// `ANALYZE` of the tables that changed much since, as SQLite advises for long-lived
/// connections); PostgreSQL's autovacuum keeps its own statistics.
pub fn refresh_statistics(conn: &mut DbConn) -> Result<(), crate::error::AppError> {
    if let DbConn::Sqlite(c) = conn {
        c.batch_execute("PRAGMA analysis_limit = 1000; PRAGMA optimize;")?;
    }
    Ok(())
}

/// Runs `$body` with `$c` bound to the concrete connection of either backend. Queries run
/// this way keep their prepared statement between calls; through the multi connection diesel
/// prepares them anew every time (measured: ~1/3 of a simple read's CPU). Used for the reads
/// every request makes.
macro_rules! on_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConn::Pg($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}
pub(crate) use on_backend;

/// Inserts `$rows` (a slice of `Insertable` rows of `$table`) the fastest way each backend
/// has: PostgreSQL by COPY (a multi-row INSERT of 100,000 appraisals took 3.4 s there,
/// measured), SQLite by multi-row INSERTs of 1,000 rows (well under its 32,766 bound
/// parameters). Bulk paths are not on the multi connection, so each variant uses its own.
/// Evaluates to `Result<(), diesel::result::Error>`.
macro_rules! insert_bulk {
    ($conn:expr, $table:expr, $rows:expr) => {{
        use diesel::RunQueryDsl as _;
        let rows = $rows;
        match $conn {
            _ if rows.is_empty() => Ok(()),
            $crate::db::DbConn::Pg(c) => diesel::copy_from($table)
                .from_insertable(rows)
                .execute(c)
                .map(drop),
            $crate::db::DbConn::Sqlite(c) => rows.chunks(1000).try_for_each(|chunk| {
                diesel::insert_into($table)
                    .values(chunk)
                    .execute(c)
                    .map(drop)
            }),
        }
    }};
}
pub(crate) use insert_bulk;

pub struct ConnectionManager {
    url: DbUrl,
}

impl diesel::r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        self.url
            .establish()
            .map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

pub type Pool = diesel::r2d2::Pool<ConnectionManager>;

/// The pool plus the one way handlers reach it: [`Db::run`], off the async workers.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: &'static str,
    health: std::sync::Arc<health::Health>,
    /// The service's clock, which the work run through [`Db::run`] reads as "now".
    clock: crate::domain::clock::Clock,
}

impl Db {
    /// Builds the pool and opens a first connection, so a wrong URL fails at start.
    /// Blocking: call it from a blocking context (startup, CLI, or inside `web::block`).
    pub fn connect(settings: &DatabaseSettings) -> anyhow::Result<Db> {
        let url = DbUrl::parse(&settings.url).map_err(anyhow::Error::msg)?;
        if let DbUrl::Sqlite(path) = &url {
            create_parent_dir(path)?;
        }
        let backend = url.backend_name();
        // A pooled PostgreSQL connection is tested when taken out (the server may have gone
        // away meanwhile). An embedded SQLite connection cannot go away, and the test would
        // cost a query on every request.
        let test_on_check_out = matches!(url, DbUrl::Postgres(_));
        let sqlite_path = match &url {
            DbUrl::Sqlite(path) => Some(path.clone()),
            DbUrl::Postgres(_) => None,
        };
        let pool = diesel::r2d2::Pool::builder()
            .max_size(settings.max_connections)
            .min_idle(Some(1))
            .test_on_check_out(test_on_check_out)
            .connection_timeout(Duration::from_secs(settings.connect_timeout_seconds))
            .build(ConnectionManager { url })
            .map_err(|e| anyhow::anyhow!("cannot connect to the {backend} database: {e}"))?;
        let health = std::sync::Arc::new(health::Health::new(sqlite_path.as_deref())?);
        Ok(Db {
            pool,
            backend,
            health,
            clock: crate::domain::clock::Clock::system(),
        })
    }

    /// The same database, with the work run through [`Db::run`] on `clock`.
    pub fn on_clock(mut self, clock: crate::domain::clock::Clock) -> Db {
        self.clock = clock;
        self
    }

    /// Why the storage cannot be trusted with writes now, if it cannot (for `/ready`): the
    /// SQLite file is gone or was replaced, its disk is nearly full, or a write failed for
    /// want of storage a short while ago.
    pub fn storage_problem(&self) -> Option<String> {
        self.health.problem()
    }

    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// A pooled connection for blocking callers (CLI, workers, startup).
    pub fn get(&self) -> Result<diesel::r2d2::PooledConnection<ConnectionManager>, AppError> {
        self.health.check_file()?;
        Ok(self.pool.get()?)
    }

    /// Runs `work` (no connection: reading a file, say) on the blocking thread pool, so that
    /// it never holds up the async workers; the use cases call this, not the runtime.
    pub async fn blocking<T: Send + 'static>(
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        Ok(actix_web::web::block(work).await?)
    }

    /// Runs `f` with a pooled connection on actix's blocking thread pool. A storage fault
    /// it meets is remembered for `/ready`.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let health = self.health.clone();
        let clock = self.clock.clone();
        actix_web::web::block(move || {
            health.check_file()?;
            let mut conn = pool.get()?;
            let result = clock.scoped(|| f(&mut conn));
            if let Err(AppError::Storage(fault)) = &result {
                health.remember(fault);
            }
            result
        })
        .await?
    }
}

fn create_parent_dir(path: &Path) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", parent.display()))?;
    }
    Ok(())
}

/// Any number for the advisory lock that makes instances starting together migrate one at
/// a time ("appraisal" in ASCII).
const MIGRATION_LOCK: i64 = 0x61_7070_7261_6973;

/// Applies the pending migrations of the connection's backend; returns how many ran.
/// Several instances may start at once on one PostgreSQL: they take turns under an advisory
/// lock, and the later ones find nothing left to do. (SQLite's migrations take its write lock.)
pub fn run_migrations(conn: &mut DbConn) -> anyhow::Result<usize> {
    let failed = |e| anyhow::anyhow!("migration failed: {e}");
    match conn {
        DbConn::Sqlite(c) => Ok(c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map_err(failed)?
            .len()),
        DbConn::Pg(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
            let applied = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|applied| applied.len())
                .map_err(failed);
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
            applied
        }
    }
}

/// True when every embedded migration has been applied.
pub fn migrations_complete(conn: &mut DbConn) -> anyhow::Result<bool> {
    let pending = match conn {
        DbConn::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
        DbConn::Pg(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("cannot read migration state: {e}"))?;
    Ok(!pending)
}

/// How often a write transaction that lost a race is run again before the caller is told to
/// try later (503). Each attempt waits a random time up to a doubling bound first.
const WRITE_ATTEMPTS: u32 = 16;
const RETRY_BASE_MS: u64 = 2;
const RETRY_MAX_MS: u64 = 100;

/// The one mechanism for every rule that reads and then writes (docs/DECISIONS.md,
/// "Integrity"): a write transaction in which the checks and the writes see one consistent
/// state, on either backend and across any number of processes.
///
/// - PostgreSQL: `SERIALIZABLE`. Two transactions that each pass a check the other's write
///   would fail cannot both commit: one gets a serialization failure, and is run again from
///   the start here (a deadlock too), so the loser sees the winner's write and answers what
///   it would have answered had it come second. `f` must therefore be safe to run again:
///   it may only touch the database (and read its captured values).
/// - SQLite: `BEGIN IMMEDIATE` takes the database's one write lock up front, so writers run
///   one after another (a deferred transaction that reads and then writes fails with
///   SQLITE_BUSY, without waiting, when another writer committed in between).
///
/// Inside an open transaction it becomes a savepoint, so store functions compose into larger
/// units; only the outermost call runs again.
pub fn write_tx<T, F>(conn: &mut DbConn, mut f: F) -> Result<T, AppError>
where
    F: FnMut(&mut DbConn) -> Result<T, AppError>,
{
    let depth = <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()?;
    if depth.is_some() {
        return conn.transaction(|conn| f(conn));
    }
    let mut attempt = 1;
    loop {
        match attempt_tx(conn, &mut f) {
            // SQLite's writers never race (the write lock is taken first); a busy database
            // there has already waited out its busy timeout.
            Err(AppError::Contended)
                if attempt < WRITE_ATTEMPTS && matches!(conn, DbConn::Pg(_)) =>
            {
                std::thread::sleep(retry_delay(attempt));
                attempt += 1;
            }
            Err(AppError::Contended) => {
                tracing::warn!(attempts = attempt, "a write transaction kept losing races");
                return Err(AppError::Contended);
            }
            // A constraint that a concurrent transaction's write tripped: once more, so the
            // transaction's own checks see that write and answer for it (an email taken, a
            // rating to replace); a second time it is the answer.
            Err(AppError::Duplicate(_)) if attempt == 1 && matches!(conn, DbConn::Pg(_)) => {
                attempt += 1;
            }
            other => {
                if attempt > 1 {
                    tracing::debug!(
                        attempts = attempt,
                        "write transaction ran again after a race"
                    );
                }
                return other;
            }
        }
    }
}

fn attempt_tx<T, F>(conn: &mut DbConn, f: &mut F) -> Result<T, AppError>
where
    F: FnMut(&mut DbConn) -> Result<T, AppError>,
{
    begin(
        conn,
        "BEGIN IMMEDIATE",
        "BEGIN ISOLATION LEVEL SERIALIZABLE",
    )?;
    let outcome = f(conn);
    end(conn, outcome)
}

/// Runs `f` in one read-only snapshot, so that its several statements see the same data (an
/// export read in pages while HR recomputes). PostgreSQL: `REPEATABLE READ READ ONLY`;
/// SQLite: a deferred transaction, whose first read fixes the snapshot (WAL). Inside an open
/// transaction `f` simply runs in it.
pub fn read_tx<T>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let depth = <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()?;
    if depth.is_some() {
        return f(conn);
    }
    begin(
        conn,
        "BEGIN",
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    )?;
    let outcome = f(conn);
    end(conn, outcome)
}

fn begin(conn: &mut DbConn, sqlite: &str, postgres: &str) -> Result<(), AppError> {
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, sqlite)?,
        DbConn::Pg(c) => AnsiTransactionManager::begin_transaction_sql(c, postgres)?,
    }
    Ok(())
}

/// Commits after `outcome` succeeded, else rolls back; answers the outcome.
fn end<T>(conn: &mut DbConn, outcome: Result<T, AppError>) -> Result<T, AppError> {
    match outcome {
        // A serialization failure may also come with the commit.
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) =
                <DbConn as Connection>::TransactionManager::rollback_transaction(conn)
            {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(error)
        }
    }
}

/// Full jitter over a bound that doubles per attempt, so racers spread out.
fn retry_delay(attempt: u32) -> Duration {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let bound = (RETRY_BASE_MS << attempt.min(10)).min(RETRY_MAX_MS);
    Duration::from_micros(OsRng.next_u64() % (bound * 1000 + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A SQLite database with people, their evidence and notices, made before emails became
    /// optional (migration 11 rebuilds `users` and `notices`), is upgraded with every row
    /// and reference kept, foreign keys on again, and a person without email accepted.
    #[test]
    fn sqlite_upgrades_to_optional_emails_with_its_rows() {
        use diesel::RunQueryDsl;
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        conn.batch_execute("PRAGMA foreign_keys = ON").unwrap();
        for _ in 0..10 {
            conn.run_next_migration(SQLITE_MIGRATIONS).unwrap();
        }
        conn.batch_execute(
            "INSERT INTO departments VALUES (1, 'Store', 'front_line', '2026-01-01', '2026-01-01');
             INSERT INTO users (id, email, display_name, role, department_id, manager_id, locale,
                 password_hash, active, token_version, created_at, updated_at, employee_number)
             VALUES (1, 'lead@example.test', 'Lead', 'supervisor', 1, NULL, 'en', 'x', 1, 0,
                     '2026-01-01', '2026-01-01', 'E1'),
                    (2, 'ann@example.test', 'Ann', 'staff', 1, 1, 'zh-CN', 'x', 1, 0,
                     '2026-01-01', '2026-01-01', 'E2');
             INSERT INTO notices (id, kind, recipient_id, dedupe_key, payload_json, status,
                 attempts, next_attempt_at, created_at, lease_owner)
             VALUES (7, 'password_setup', 2, 'k', '{}', 'sent', 1, '2026-01-01', '2026-01-01', NULL);
             INSERT INTO audit_events (actor_id, action, entity, entity_id, at)
             VALUES (1, 'create', 'user', 2, '2026-01-01');",
        )
        .unwrap();
        let ran = conn.run_pending_migrations(SQLITE_MIGRATIONS).unwrap();
        assert!(!ran.is_empty());
        #[derive(diesel::QueryableByName, Debug, PartialEq)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let count = |conn: &mut SqliteConnection, sql: &str| -> i64 {
            diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
        };
        assert_eq!(
            count(
                &mut conn,
                "SELECT count(*) AS n FROM users WHERE manager_id = 1"
            ),
            1
        );
        assert_eq!(
            count(
                &mut conn,
                "SELECT count(*) AS n FROM notices WHERE recipient_id = 2"
            ),
            1
        );
        assert_eq!(
            count(
                &mut conn,
                "SELECT count(*) AS n FROM pragma_foreign_key_check"
            ),
            0
        );
        assert_eq!(
            count(
                &mut conn,
                "SELECT foreign_keys AS n FROM pragma_foreign_keys"
            ),
            1
        );
        conn.batch_execute(
            "INSERT INTO users (id, email, display_name, role, department_id, locale,
                 password_hash, created_at, updated_at, employee_number)
             VALUES (3, NULL, 'Bo', 'staff', 1, 'zh-CN', 'x', '2026-01-01', '2026-01-01', 'E3');
             UPDATE notices SET status = 'on_page' WHERE id = 7;",
        )
        .unwrap();
        // References still hold after the rebuild: a notice to nobody is refused.
        assert!(conn
            .batch_execute(
                "INSERT INTO notices (kind, recipient_id, dedupe_key, payload_json, status,
                     attempts, next_attempt_at, created_at)
                 VALUES ('x', 99, 'k2', '{}', 'pending', 0, '2026-01-01', '2026-01-01')"
            )
            .is_err());
    }

    #[test]
    fn url_scheme_chooses_backend() {
        assert_eq!(
            DbUrl::parse("sqlite://data/a.db").unwrap(),
            DbUrl::Sqlite(PathBuf::from("data/a.db"))
        );
        assert_eq!(
            DbUrl::parse("sqlite:///tmp/a.db").unwrap(),
            DbUrl::Sqlite(PathBuf::from("/tmp/a.db"))
        );
        assert!(matches!(
            DbUrl::parse("postgres://u@h/db").unwrap(),
            DbUrl::Postgres(_)
        ));
        assert!(DbUrl::parse("mysql://x").is_err());
        assert!(DbUrl::parse("sqlite://").is_err());
    }
}
