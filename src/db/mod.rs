//! One connection type over SQLite and PostgreSQL, its pool, migrations and transactions.
//!
//! The backend is chosen from the URL scheme (`sqlite://PATH` or `postgres://…`); diesel's
//! own `establish` on the multi connection would try both and hide the real error.

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
        let pool = diesel::r2d2::Pool::builder()
            .max_size(settings.max_connections)
            .min_idle(Some(1))
            .test_on_check_out(test_on_check_out)
            .connection_timeout(Duration::from_secs(settings.connect_timeout_seconds))
            .build(ConnectionManager { url })
            .map_err(|e| anyhow::anyhow!("cannot connect to the {backend} database: {e}"))?;
        Ok(Db { pool, backend })
    }

    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// A pooled connection for blocking callers (CLI, workers, startup).
    pub fn get(&self) -> Result<diesel::r2d2::PooledConnection<ConnectionManager>, AppError> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` with a pooled connection on actix's blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
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

/// Applies the pending migrations of the connection's backend; returns how many ran.
pub fn run_migrations(conn: &mut DbConn) -> anyhow::Result<usize> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(applied.len())
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

/// A transaction for work that writes. On SQLite it starts with `BEGIN IMMEDIATE`, taking
/// the write lock up front: a deferred transaction that reads and then writes fails with
/// SQLITE_BUSY (without waiting) when another writer committed in between. Inside an open
/// transaction it becomes a savepoint, so store functions compose into larger units.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let depth = <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()?;
    if depth.is_some() {
        return conn.transaction(f);
    }
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match f(conn) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
