//! Durability of the real server process: ratings acknowledged before a `kill -9` are all
//! there after a restart (SQLite; PostgreSQL too when `RECSYS_TEST_DATABASE_URL` is set).

mod common;
mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use support::{fresh_database_url, prepare_data_dir, temp_dir, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_ratings_survive_kill_9() {
    let dir = temp_dir("crash");
    let url = fresh_database_url("crash").await;
    prepare_data_dir(&dir, url.as_deref()).await;
    let mut server = Server::start(&dir, url.as_deref(), &[]).await;
    let mut tokens = Vec::new();
    for k in 0..8 {
        tokens.push(server.signup(&format!("rater{k}")).await);
    }

    // Every (user, movie) pair once, so each acknowledged rating is a distinct row.
    let pairs: Vec<(usize, &str, u32)> = (0..tokens.len())
        .flat_map(|u| {
            common::MOVIES
                .iter()
                .enumerate()
                .map(move |(m, movie)| (u, movie.0, 1 + ((u + m) % 5) as u32))
        })
        .collect();
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let port = server.port;
    let rater = {
        let (tokens, acknowledged) = (tokens.clone(), acknowledged.clone());
        tokio::spawn(async move {
            let mut acked = Vec::new();
            for (user, movie, rating) in pairs {
                let body = json!({"movie_id": movie, "rating": rating});
                match support::http(port, "POST", "/api/rate", Some(&body), Some(&tokens[user]))
                    .await
                {
                    Ok((200, _)) => {
                        acked.push((user, movie.to_string(), rating));
                        acknowledged.fetch_add(1, Ordering::SeqCst);
                    }
                    // The server is gone (or answered something else mid-kill): stop.
                    _ => break,
                }
            }
            acked
        })
    };
    // Kill in the middle of the stream, not after it ended.
    while acknowledged.load(Ordering::SeqCst) < 30 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill_9();
    let acked = rater.await.unwrap();
    assert!(
        acked.len() < tokens.len() * common::MOVIES.len(),
        "the kill came after the last rating; nothing was tested"
    );

    let server = Server::start(&dir, url.as_deref(), &[]).await;
    let mut stored: BTreeMap<(usize, String), f64> = BTreeMap::new();
    for (user, token) in tokens.iter().enumerate() {
        let (status, page) = server
            .request("GET", "/api/ratings", None, Some(token))
            .await
            .unwrap();
        assert_eq!(status, 200, "{page}");
        for item in page["items"].as_array().unwrap() {
            let movie = item["movie_id"].as_str().unwrap().to_string();
            stored.insert((user, movie), item["rating"].as_f64().unwrap());
        }
    }
    for (user, movie, rating) in &acked {
        assert_eq!(
            stored.get(&(*user, movie.clone())),
            Some(&f64::from(*rating)),
            "acknowledged rating of user {user} for movie {movie} lost after kill -9 \
             ({} acknowledged, {} stored)",
            acked.len(),
            stored.len()
        );
    }
    // At most the one request in flight at the kill may be stored unacknowledged.
    assert!(
        stored.len() <= acked.len() + 1,
        "{} > {} + 1",
        stored.len(),
        acked.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
