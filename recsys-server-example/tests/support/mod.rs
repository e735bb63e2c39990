//! Real server processes for the crash and replica tests: a data folder prepared with the
//! small test catalogue and a trained model, the `recsys-server` binary started on a free
//! loopback port (SQLite, or PostgreSQL when `RECSYS_TEST_DATABASE_URL` is set), and a
//! minimal HTTP/1.0 client.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use recsys_core::prelude::Parallelism;
use recsys_server::model::Trainer;
use recsys_server::{db, import};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::common;

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A fresh temporary folder.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "recsys-{name}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The PostgreSQL server the tests use, if any (`RECSYS_TEST_DATABASE_URL`).
pub fn test_pg_url() -> Option<String> {
    std::env::var("RECSYS_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A new empty database on the test PostgreSQL server and its URL; `None` without one (the
/// servers then use SQLite in their data folder).
pub async fn fresh_database_url(name: &str) -> Option<String> {
    use sqlx::{Connection, Executor};
    let url = test_pg_url()?;
    let database = format!(
        "{name}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
        .await
        .unwrap();
    admin.close().await.unwrap();
    // The test URL names no options, so its last segment is the database.
    let (server, _) = url.rsplit_once('/').unwrap();
    Some(format!("{server}/{database}"))
}

/// Fills the database (`url`, else SQLite in `dir`) with the test catalogue and ratings,
/// marks the MovieLens import done and trains a model into `dir`; returns its fingerprint.
pub async fn prepare_data_dir(dir: &Path, url: Option<&str>) -> String {
    let pool = db::open_url(url, &dir.join("recsys.sqlite3"))
        .await
        .unwrap();
    import::import_dataset(&pool, &common::dataset(), "ml")
        .await
        .unwrap();
    db::set_meta(&pool, import::IMPORTED, "1").await.unwrap();
    let trainer = Trainer::new(common::builder(), dir.join("model.recsys"));
    let (recommender, _) = trainer
        .train(&pool, Parallelism::Sequential)
        .await
        .unwrap()
        .unwrap();
    recommender.fingerprint().to_string()
}

/// A `recsys-server` process.
pub struct Server {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    log: PathBuf,
}

impl Server {
    /// Starts the binary on `dir` (and `url`) with extra environment `env`, and waits until
    /// it answers.
    pub async fn start(dir: &Path, url: Option<&str>, env: &[(&str, &str)]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = dir.join(format!("server-{port}.log"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_recsys-server"));
        command
            .env("RECSYS_ADDR", format!("127.0.0.1:{port}"))
            .env("RECSYS_DATA_DIR", dir)
            .env("RECSYS_MOVIELENS_DIR", dir.join("no-movielens"))
            .env("RUST_LOG", "warn")
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        if let Some(url) = url {
            command.env("DATABASE_URL", url);
        }
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().unwrap();
        let mut server = Server { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok((200, _)) = server.request("GET", "/api/health/live", None, None).await {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("recsys-server exited ({status}):\n{}", server.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "recsys-server did not start:\n{}",
                server.log_text()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What the server wrote to stderr.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill_9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// One request; `Err` when the connection fails (e.g. the server is gone).
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        token: Option<&str>,
    ) -> std::io::Result<(u16, Value)> {
        http(self.port, method, path, body, token).await
    }

    /// Signs up `name`; returns the bearer token.
    pub async fn signup(&self, name: &str) -> String {
        let body = serde_json::json!({"username": name, "password": "password123"});
        let (status, json) = self
            .request("POST", "/api/auth/signup", Some(&body), None)
            .await
            .unwrap();
        assert_eq!(status, 201, "{json}");
        json["token"].as_str().unwrap().to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP/1.0 request to 127.0.0.1:`port` (HTTP/1.0, so the answer is never chunked);
/// returns the status and the body as JSON (`Value::String` when it is not JSON).
pub async fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
    token: Option<&str>,
) -> std::io::Result<(u16, Value)> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut head = format!("{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if !body.is_empty() {
        head.push_str("Content-Type: application/json\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let text = String::from_utf8_lossy(&answer);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no HTTP head in {text:?}")))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line in {head:?}")))?;
    let json = serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_string()));
    Ok((status, json))
}
