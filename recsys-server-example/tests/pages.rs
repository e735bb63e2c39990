//! The HTML pages through the router: they render, show what they should, and fail politely.

mod common;

use axum::http::{header, StatusCode};
use common::{Auth, TestApp};
use serde_json::json;

#[tokio::test]
async fn home_for_visitors_and_users() {
    let t = TestApp::new().await;
    let a = t.get("/", &Auth::None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(a.text.contains("Trending now") && a.text.contains("Sign up"));
    assert!(!a.text.contains("<h2>For You</h2>"));
    let ann = t.signup("ann").await;
    t.post(
        "/api/rate",
        json!({"movie_id": "1", "rating": 5}),
        &ann.bearer(),
    )
    .await;
    let a = t.get("/", &ann.cookie()).await;
    assert!(a.text.contains("<h2>For You</h2>"), "{}", a.text);
    assert!(a.text.contains("Because you liked Alien"));
    assert!(
        a.text.contains(&format!("content=\"{}\"", ann.csrf)),
        "CSRF token in the page"
    );
}

#[tokio::test]
async fn movie_page_with_similar_and_why() {
    let t = TestApp::new().await;
    let a = t.get("/movies/3", &Auth::None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text.contains("Blade Runner") && a.text.contains("Similar movies"));
    assert!(a.text.contains("Why this movie?"));
    assert!(a.text.contains("Log in</a> to rate"));
    // A visitor without history gets the popularity ranking: one score, no blend to sum.
    assert!(!a.text.contains("= collaborative"), "{}", a.text);
    let ann = t.signup("ann").await;
    t.post(
        "/api/rate",
        json!({"movie_id": "3", "rating": 4}),
        &ann.bearer(),
    )
    .await;
    let a = t.get("/movies/3", &ann.cookie()).await;
    assert!(
        a.text.contains("data-rate=\"4\" class=\"star on\""),
        "{}",
        a.text
    );
    assert!(a.text.contains("data-rate=\"5\" class=\"star\""));
    // With a history the score is a blend, shown as the sum of its parts.
    assert!(a.text.contains("= collaborative"), "{}", a.text);
    let missing = t.get("/movies/999", &Auth::None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text.contains("no movie with id"));
}

#[tokio::test]
async fn search_page_filters_and_reports_bad_input() {
    let t = TestApp::new().await;
    let a = t
        .get("/search?q=alien&genre=&year_from=&sort=", &Auth::None)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text.contains("2 movies") && a.text.contains("Aliens"));
    let a = t
        .get("/search?year_from=2000&year_to=1990", &Auth::None)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text.contains("is after"), "{}", a.text);
    let a = t.get("/search?sort=title&page=1", &Auth::None).await;
    assert!(a.text.contains("12 movies") && !a.text.contains("Next"));
}

#[tokio::test]
async fn watchlist_page_needs_login() {
    let t = TestApp::new().await;
    let a = t.get("/watchlist", &Auth::None).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.headers[header::LOCATION], "/login?next=/watchlist");
    let ann = t.signup("ann").await;
    t.post(
        "/api/watchlist/add",
        json!({"movie_id": "5"}),
        &ann.bearer(),
    )
    .await;
    let a = t.get("/watchlist", &ann.cookie()).await;
    assert!(a.text.contains("Fargo"));
}

#[tokio::test]
async fn auth_pages_and_static_files() {
    let t = TestApp::new().await;
    assert!(t
        .get("/login?next=//evil.example", &Auth::None)
        .await
        .text
        .contains("data-next=\"/\""));
    assert!(t
        .get("/signup", &Auth::None)
        .await
        .text
        .contains("data-auth=\"signup\""));
    let css = t.get("/static/app.css", &Auth::None).await;
    assert_eq!(css.headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
    let js = t.get("/static/app.js", &Auth::None).await;
    assert!(js.text.contains("X-CSRF-Token"));
    let a = t.get("/no-such-page", &Auth::None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.text.contains("<!doctype html>"));
}
