//! `GET /api/discover` and the `/discover` page: natural-language queries answered by the
//! core with the visitor's current history.

mod common;

use axum::http::StatusCode;
use common::{Auth, TestApp};

#[tokio::test]
async fn discover_reads_constraints_and_answers_like_recommendations() {
    let t = TestApp::new().await;
    let a = t
        .get(
            "/api/discover?q=crime%20from%20the%2090s%20but%20not%20a%20drama",
            &Auth::None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["query"]["genres"][0], "Crime");
    assert_eq!(a.json["query"]["excluded_genres"][0], "Drama");
    assert_eq!(a.json["query"]["years"][0]["label"], "1990s");
    let ids: Vec<&str> = a.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item_id"].as_str().unwrap())
        .collect();
    // Heat (1995) and The Big Lebowski (1998): crime of the 90s that is not drama.
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&"6") && ids.contains(&"7"), "{ids:?}");
    assert_eq!(a.json["items"][0]["explanation"], "Matches 'crime', 1990s");
    assert_eq!(
        a.json["model"].as_str().unwrap(),
        t.state.model.load().fingerprint()
    );

    let like = t
        .get("/api/discover?q=sci-fi%20like%20Alien&n=2", &Auth::None)
        .await;
    assert_eq!(like.status, StatusCode::OK);
    assert_eq!(like.json["query"]["like"][0]["item_id"], "1");
    assert_eq!(like.json["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn bad_discover_requests_are_400() {
    let t = TestApp::new().await;
    for uri in [
        "/api/discover",
        "/api/discover?q=",
        "/api/discover?q=comedy&n=0",
        "/api/discover?q=comedy&n=5000",
    ] {
        let a = t.get(uri, &Auth::None).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}: {}", a.text);
    }
    let long = format!("/api/discover?q={}", "a".repeat(400));
    assert_eq!(
        t.get(&long, &Auth::None).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn discover_page_shows_the_reading_and_the_results() {
    let t = TestApp::new().await;
    let page = t
        .get("/discover?q=dark%20crime%20like%20Fargo", &Auth::None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Like: Fargo (1996)"), "{}", page.text);
    assert!(
        page.text.contains("Similar to Fargo (1996)"),
        "{}",
        page.text
    );
    let empty = t.get("/discover", &Auth::None).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(t
        .get("/search", &Auth::None)
        .await
        .text
        .contains("action=\"/discover\""));
}
