//! Operations through the router: the health endpoint, Prometheus metrics, request ids, a
//! failed retrain keeping the old model, and starting on a corrupt or missing artifact.

mod common;
mod support;

use axum::http::StatusCode;
use common::{Auth, TestApp};
use recsys_server::config::{Config, DatabaseUrl};
use recsys_server::model::{previous_artifact_path, retrain_and_swap, Trainer};
use recsys_server::AppState;
use serde_json::json;

#[tokio::test]
async fn health_reports_database_model_age_and_source() {
    let t = TestApp::new().await;
    let a = t.get("/api/health", &Auth::None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["database"]["ok"], true);
    let backend = if support::test_pg_url().is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(a.json["database"]["backend"], backend);
    assert_eq!(a.json["model"]["source"], "trained");
    let age = a.json["model"]["age_seconds"].as_i64().unwrap();
    assert!((0..60).contains(&age), "age {age}");
    assert!(a.json["model"]["warning"].is_null());
    let live = t.get("/api/health/live", &Auth::None).await;
    assert_eq!(live.status, StatusCode::OK);
}

#[tokio::test]
async fn metrics_count_requests_per_route_and_fold_ins() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    for _ in 0..3 {
        t.get("/api/movies/1", &Auth::None).await;
    }
    t.get("/api/movies/nope", &Auth::None).await;
    t.get("/api/recommendations", &ann.bearer()).await;
    let a = t.get("/metrics", &Auth::None).await;
    assert_eq!(a.status, StatusCode::OK);
    let content_type = a.headers["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let value = |prefix: &str| -> f64 {
        a.text
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in\n{}", a.text))
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    // One series per route pattern, not per movie id.
    let movie = "route=\"/api/movies/{id}\",method=\"GET\"";
    assert_eq!(
        value(&format!(
            "recsys_http_requests_total{{{movie},status=\"200\"}}"
        )),
        3.0
    );
    assert_eq!(
        value(&format!(
            "recsys_http_requests_total{{{movie},status=\"404\"}}"
        )),
        1.0
    );
    assert_eq!(
        value(&format!(
            "recsys_http_request_duration_seconds_count{{{movie}}}"
        )),
        4.0
    );
    assert_eq!(value("recsys_fold_in_duration_seconds_count"), 1.0);
    assert!(value("recsys_model_age_seconds") >= 0.0);
    assert!(a.text.contains(&format!(
        "recsys_model_info{{fingerprint=\"{}\",source=\"trained\"}} 1",
        t.state.model.load().fingerprint()
    )));
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_keeps_a_sane_incoming_one() {
    let t = TestApp::new().await;
    let a = t.get("/api/health", &Auth::None).await;
    let b = t.get("/api/health", &Auth::None).await;
    let id = |answer: &common::Answer| answer.headers["x-request-id"].to_str().unwrap().to_string();
    assert_ne!(id(&a), id(&b));
    let request = axum::http::Request::builder()
        .uri("/api/health")
        .header("x-request-id", "proxy-42")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(id(&t.raw(request).await), "proxy-42");
}

#[tokio::test]
async fn a_failed_retrain_keeps_the_old_model_and_says_so() {
    let t = TestApp::new().await;
    let before = t.state.model.load().fingerprint().to_string();
    // The artifact's folder is a regular file: the training cannot write its artifact.
    let blocker = std::env::temp_dir().join(format!("recsys-blocker-{}", std::process::id()));
    std::fs::write(&blocker, "not a folder").unwrap();
    let state = AppState::new(
        t.state.db.clone(),
        t.state.model.clone(),
        Trainer::new(common::builder(), blocker.join("model.recsys")),
        (*t.state.config).clone(),
    );
    let ann = t.signup("ann").await;
    t.post(
        "/api/rate",
        json!({"movie_id": "7", "rating": 5}),
        &ann.bearer(),
    )
    .await;
    assert!(retrain_and_swap(&state).await.is_err());
    assert_eq!(
        state.model.load().fingerprint(),
        before,
        "the old model stays live"
    );
    let app = recsys_server::app(state.clone());
    let health = common::TestApp::answer_of(&app, "/api/health").await;
    assert_eq!(health["model"]["fingerprint"], before.as_str());
    assert!(
        health["model"]["last_retrain_error"].as_str().is_some(),
        "{health}"
    );
    let metrics = common::TestApp::answer_of(&app, "/metrics").await;
    assert!(
        metrics
            .as_str()
            .unwrap()
            .contains("recsys_retrain_failures_total 1"),
        "{metrics}"
    );
    let _ = std::fs::remove_file(&blocker);
}

/// A config for `recsys_server::start` on `dir` (and `url`).
fn config_for(dir: &std::path::Path, url: Option<String>) -> Config {
    let mut config = Config::defaults();
    config.data_dir = dir.to_path_buf();
    config.database_url = url.map(DatabaseUrl);
    config.movielens_dir = dir.join("no-movielens");
    config
}

#[tokio::test]
async fn a_corrupt_artifact_at_start_falls_back_to_the_previous_one_then_to_training() {
    let dir = support::temp_dir("corrupt");
    let url = support::fresh_database_url("corrupt").await;
    let first = support::prepare_data_dir(&dir, url.as_deref()).await;
    let config = config_for(&dir, url.clone());
    let artifact = config.model_path();
    // A second training: the first model becomes the previous artifact.
    let state = recsys_server::start(config.clone()).await.unwrap();
    assert_eq!(state.model_status().source, "artifact");
    // New data, so the second model differs from the first.
    let ann = common::TestApp::signup_on(&state, "ann").await;
    recsys_server::with_db!(&state.db, |pool| sqlx::query(
        "INSERT INTO feedback (user_id, movie_id, rating, watched, updated_at) \
         VALUES ($1, '7', 5, TRUE, 2000000000)"
    )
    .bind(ann)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
    .unwrap();
    let second = retrain_and_swap(&state).await.unwrap().unwrap().fingerprint;
    assert_ne!(first, second);
    assert!(previous_artifact_path(&artifact).is_file());
    drop(state);

    // Truncated: the start serves the previous artifact and says so.
    let bytes = std::fs::read(&artifact).unwrap();
    std::fs::write(&artifact, &bytes[..bytes.len() / 2]).unwrap();
    let state = recsys_server::start(config.clone()).await.unwrap();
    assert_eq!(state.model.load().fingerprint(), first);
    let status = state.model_status();
    assert_eq!(status.source, "previous_artifact");
    let warning = status.warning.unwrap();
    assert!(warning.contains("unusable"), "{warning}");
    let health =
        common::TestApp::answer_of(&recsys_server::app(state.clone()), "/api/health").await;
    assert_eq!(health["status"], "degraded", "{health}");
    assert_eq!(health["model"]["source"], "previous_artifact");
    drop(state);

    // Both gone: the start trains a new model and still reports why.
    std::fs::remove_file(&artifact).unwrap();
    std::fs::write(previous_artifact_path(&artifact), b"garbage").unwrap();
    let state = recsys_server::start(config).await.unwrap();
    let status = state.model_status();
    assert_eq!(status.source, "trained");
    assert!(status.warning.unwrap().contains("missing"));
    assert!(artifact.is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn env_example_documents_every_setting() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(root.join("src/config.rs")).unwrap();
    let example = std::fs::read_to_string(root.join(".env.example")).unwrap();
    let names: Vec<&str> = source
        .split("lookup(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(names.len() >= 10, "{names:?}");
    for name in names {
        assert!(
            example.contains(&format!("{name}=")),
            "{name} is read by src/config.rs but missing from .env.example"
        );
    }
}
