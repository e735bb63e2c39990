//! The database: SQLite (the default; WAL mode, foreign keys on) or PostgreSQL
//! (`DATABASE_URL=postgres://…`), each with its own migrations folder describing the same
//! tables. Every query is written once, with `$1`-style parameters (which SQLite accepts too),
//! and runs on either pool through [`with_db!`](crate::with_db).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

/// The database pool every handler uses: one of the two backends.
#[derive(Clone, Debug)]
pub enum Db {
    /// A SQLite file.
    Sqlite(SqlitePool),
    /// A PostgreSQL server.
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the pool of `$db` (a `&Db`), whichever backend it is:
/// the body is compiled once per driver, so one query text serves both.
///
/// ```
/// # async fn demo(db: &recsys_server::db::Db) -> Result<i64, sqlx::Error> {
/// let users: i64 = recsys_server::with_db!(db, |pool| {
///     sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await
/// })?;
/// # Ok(users) }
/// ```
#[macro_export]
macro_rules! with_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// A transaction on either backend: begun by [`Db::begin`], used through
/// [`with_tx!`](crate::with_tx), ended by [`Tx::commit`] (dropping it rolls back).
#[derive(Debug)]
pub enum Tx {
    /// On SQLite.
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    /// On PostgreSQL.
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$conn` bound to the transaction in `$tx` (a `&mut Tx`); the body
/// executes on `&mut **$conn`. Both arms must have one type: map driver-specific results
/// (e.g. `rows_affected()` of an `execute`).
///
/// ```
/// # async fn demo(db: &recsys_server::db::Db) -> Result<(), sqlx::Error> {
/// let mut tx = db.begin().await?;
/// recsys_server::with_tx!(&mut tx, |conn| {
///     sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
///         .bind(0_i64)
///         .execute(&mut **conn)
///         .await
///         .map(|done| done.rows_affected())
/// })?;
/// tx.commit().await
/// # }
/// ```
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite($conn) => $body,
            $crate::db::Tx::Postgres($conn) => $body,
        }
    };
}

impl Tx {
    /// Commits.
    ///
    /// # Errors
    /// The database refused the commit; nothing was written then.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}

/// How long a request waits for a database connection before it is answered 503.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

impl Db {
    /// `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Begins a transaction.
    ///
    /// # Errors
    /// No connection could be had.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Runs `SELECT 1`: whether the database answers now.
    ///
    /// # Errors
    /// The database is unreachable or failing.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        let one: i32 = with_db!(self, |pool| sqlx::query_scalar("SELECT 1")
            .fetch_one(pool)
            .await)?;
        debug_assert_eq!(one, 1);
        Ok(())
    }
}

/// Opens the database named by `url` when set (`postgres://…` or `sqlite:…`), else the SQLite
/// file at `sqlite_path`, and runs the migrations.
///
/// # Errors
/// An unknown URL scheme, an unreachable server, a failed migration.
pub async fn open_url(url: Option<&str>, sqlite_path: &Path) -> Result<Db, sqlx::Error> {
    match url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            open_postgres(PgConnectOptions::from_str(url)?).await
        }
        Some(url) if url.starts_with("sqlite:") => {
            open_sqlite(SqliteConnectOptions::from_str(url)?).await
        }
        Some(url) => Err(sqlx::Error::Configuration(
            format!(
                "DATABASE_URL {:?} is neither postgres://… nor sqlite:…",
                url.split('@').next_back().unwrap_or_default()
            )
            .into(),
        )),
        None => open(sqlite_path).await,
    }
}

/// Opens (creating when missing) the SQLite file at `path` and runs the migrations.
///
/// # Errors
/// When the file cannot be opened or a migration fails.
pub async fn open(path: &Path) -> Result<Db, sqlx::Error> {
    open_sqlite(SqliteConnectOptions::from_str("sqlite:")?.filename(path)).await
}

async fn open_sqlite(options: SqliteConnectOptions) -> Result<Db, sqlx::Error> {
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // With WAL, NORMAL is durable across application crashes and fast; a committed
        // transaction is in the WAL before the response is sent.
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    Ok(Db::Sqlite(pool))
}

/// Connects to PostgreSQL with `options` and runs the migrations. Connections are opened
/// lazily after the first, so a server that goes away and comes back is used again.
///
/// # Errors
/// An unreachable server, failed authentication, a failed migration.
pub async fn open_postgres(options: PgConnectOptions) -> Result<Db, sqlx::Error> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(Db::Postgres(pool))
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A value of the `meta` table.
///
/// # Errors
/// Database errors.
pub async fn meta(db: &Db, name: &str) -> Result<Option<String>, sqlx::Error> {
    with_db!(db, |pool| sqlx::query_scalar(
        "SELECT value FROM meta WHERE name = $1"
    )
    .bind(name)
    .fetch_optional(pool)
    .await)
}

/// Sets a value of the `meta` table.
///
/// # Errors
/// Database errors.
pub async fn set_meta(db: &Db, name: &str, value: &str) -> Result<(), sqlx::Error> {
    with_db!(db, |pool| sqlx::query(
        "INSERT INTO meta (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(name)
    .bind(value)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(())
}

/// Lowercase text without the common Latin accents: the key titles are searched by, so
/// "amelie" finds "Amélie".
pub fn search_key(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn search_key_folds_case_and_accents() {
        assert_eq!(super::search_key("Amélie À Ñ"), "amelie a n");
    }
}
