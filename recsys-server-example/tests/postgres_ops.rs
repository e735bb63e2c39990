//! PostgreSQL-only operations tests, ignored by default: scripts/test-postgres.sh runs them
//! one at a time against its throw-away cluster (`RECSYS_TEST_DATABASE_URL`, and
//! `RECSYS_TEST_PG_CTL` to stop and start it).
//!
//! - Replicas: two server processes sharing one database and one artifact folder.
//! - Outage: the database stops; requests get 503, the process stays up and recovers.

mod common;
mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{fresh_database_url, prepare_data_dir, temp_dir, Server};

fn recommended_ids(answer: &Value) -> Vec<String> {
    answer["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {answer}"))
        .iter()
        .map(|item| item["item_id"].as_str().unwrap().to_string())
        .collect()
}

/// Polls `check` every 200 ms until it is true or `limit` has passed.
async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test-postgres.sh"]
async fn replicas_share_ratings_at_once_and_pick_up_a_published_model() {
    let url = fresh_database_url("replicas")
        .await
        .expect("RECSYS_TEST_DATABASE_URL is not set");
    let dir = temp_dir("replicas");
    let first = prepare_data_dir(&dir, Some(&url)).await;
    // Replica A trains (on request here); B only serves and polls for published models.
    let a = Server::start(&dir, Some(&url), &[("RECSYS_MODEL_POLL_SECONDS", "1")]).await;
    let b = Server::start(
        &dir,
        Some(&url),
        &[
            ("RECSYS_MODEL_POLL_SECONDS", "1"),
            ("RECSYS_BACKGROUND_TRAINING", "0"),
        ],
    )
    .await;

    // A session made on A works on B: sessions live in the shared database.
    let token = a.signup("ann").await;
    for movie in ["1", "2"] {
        let body = json!({"movie_id": movie, "rating": 5});
        let (status, answer) = a
            .request("POST", "/api/rate", Some(&body), Some(&token))
            .await
            .unwrap();
        assert_eq!(status, 200, "{answer}");
    }
    let (status, before) = b
        .request("GET", "/api/recommendations?n=5", None, Some(&token))
        .await
        .unwrap();
    assert_eq!(status, 200, "{before}");
    let top = recommended_ids(&before)[0].clone();

    // Rating B's top pick on A removes it from B's next answer at once (rated movies are
    // filtered, and B folds the history in from the shared database per request).
    let body = json!({"movie_id": top, "rating": 4});
    let (status, _) = a
        .request("POST", "/api/rate", Some(&body), Some(&token))
        .await
        .unwrap();
    assert_eq!(status, 200);
    let (_, after) = b
        .request("GET", "/api/recommendations?n=5", None, Some(&token))
        .await
        .unwrap();
    assert!(
        !recommended_ids(&after).contains(&top),
        "B still recommends {top}, rated on A: {after}"
    );
    assert_ne!(before, after);

    // One retrain on A publishes a new artifact; B swaps it in by polling.
    let admin = a.signup("boss").await;
    let pool = recsys_server::db::open_url(Some(&url), &dir.join("unused.sqlite3"))
        .await
        .unwrap();
    recsys_server::with_db!(&pool, |pool| sqlx::query(
        "UPDATE users SET is_staff = TRUE WHERE username = 'boss'"
    )
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
    .unwrap();
    let (status, retrained) = a
        .request("POST", "/api/admin/retrain", Some(&json!({})), Some(&admin))
        .await
        .unwrap();
    assert_eq!(status, 200, "{retrained}");
    let published = retrained["model"]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(published, first);
    let picked_up = eventually(Duration::from_secs(15), || async {
        let (_, health) = b.request("GET", "/api/health", None, None).await.unwrap();
        health["model"]["fingerprint"] == published.as_str()
    })
    .await;
    assert!(
        picked_up,
        "replica B never loaded {published}:\n{}",
        b.log_text()
    );
    let (_, health) = b.request("GET", "/api/health", None, None).await.unwrap();
    assert_eq!(health["model"]["source"], "published", "{health}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `pg_ctl <action>` on the test cluster.
fn pg_ctl(action: &str) {
    let command = std::env::var("RECSYS_TEST_PG_CTL").expect("RECSYS_TEST_PG_CTL is not set");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{command} {action}"))
        .status()
        .unwrap();
    assert!(status.success(), "pg_ctl {action} failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL it may stop: run by scripts/test-postgres.sh"]
async fn database_outage_is_503_and_the_server_recovers() {
    let url = fresh_database_url("outage")
        .await
        .expect("RECSYS_TEST_DATABASE_URL is not set");
    let dir = temp_dir("outage");
    prepare_data_dir(&dir, Some(&url)).await;
    let server = Server::start(&dir, Some(&url), &[]).await;
    let token = server.signup("ann").await;
    let path = "/api/recommendations?n=3";
    let (status, _) = server
        .request("GET", path, None, Some(&token))
        .await
        .unwrap();
    assert_eq!(status, 200);

    pg_ctl("stop -m fast");
    let stopped = Instant::now();
    let (status, answer) = server
        .request("GET", path, None, Some(&token))
        .await
        .unwrap();
    assert_eq!(status, 503, "{answer}");
    assert_eq!(answer["error"]["code"], "database_unavailable", "{answer}");
    assert!(
        stopped.elapsed() < Duration::from_secs(10),
        "the 503 took {:?}",
        stopped.elapsed()
    );
    let (status, health) = server
        .request("GET", "/api/health", None, None)
        .await
        .unwrap();
    assert_eq!(status, 503, "{health}");
    assert_eq!(health["database"]["ok"], false, "{health}");
    let (status, _) = server
        .request("GET", "/api/health/live", None, None)
        .await
        .unwrap();
    assert_eq!(status, 200, "the process is alive during the outage");

    pg_ctl("start");
    let recovered = eventually(Duration::from_secs(30), || async {
        matches!(
            server.request("GET", path, None, Some(&token)).await,
            Ok((200, _))
        )
    })
    .await;
    assert!(recovered, "no recovery:\n{}", server.log_text());
    let (status, health) = server
        .request("GET", "/api/health", None, None)
        .await
        .unwrap();
    assert_eq!(status, 200, "{health}");
    let _ = std::fs::remove_dir_all(&dir);
}
