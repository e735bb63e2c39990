//! The JSON API through the router, on a temporary database: every endpoint, the
//! authorisation matrix and bad inputs.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{Auth, TestApp};
use serde_json::{json, Value};

#[tokio::test]
async fn health_reports_database_and_model() {
    let t = TestApp::new().await;
    let a = t.get("/api/health", &Auth::None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json["status"], "ok");
    assert_eq!(a.json["model"]["items"], 12);
    assert_eq!(
        a.json["model"]["fingerprint"].as_str().unwrap(),
        t.state.model.load().fingerprint()
    );
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let t = TestApp::new().await;
    let a = t.get("/api/health", &Auth::None).await;
    let csp = a.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(a.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(a.headers[header::X_FRAME_OPTIONS], "DENY");
}

#[tokio::test]
async fn unknown_api_route_is_a_json_404() {
    let t = TestApp::new().await;
    let a = t.get("/api/nope", &Auth::None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.code(), "not_found");
}

#[tokio::test]
async fn signup_login_me_logout() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    // The session cookie is HttpOnly and SameSite.
    let a = t
        .post(
            "/api/auth/login",
            json!({"username": "ANN", "password": "password123"}),
            &Auth::None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let cookie = a.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("recsys_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let token = a.json["token"].as_str().unwrap().to_string();
    assert_ne!(token, ann.token, "each login is a new session");

    for auth in [ann.bearer(), ann.cookie(), Auth::Bearer(token.clone())] {
        let me = t.get("/api/me", &auth).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.text);
        assert_eq!(me.json["user"]["username"], "ann");
        assert_eq!(me.json["stats"]["ratings"], 0);
    }
    let out = t.post("/api/auth/logout", json!({}), &ann.bearer()).await;
    assert_eq!(out.status, StatusCode::OK);
    let me = t.get("/api/me", &ann.bearer()).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    // The other session still works.
    let me = t.get("/api/me", &Auth::Bearer(token)).await;
    assert_eq!(me.status, StatusCode::OK);
}

#[tokio::test]
async fn signup_rejects_bad_and_duplicate_input() {
    let t = TestApp::new().await;
    t.signup("bob").await;
    let cases = [
        (
            json!({"username": "bob", "password": "password123"}),
            StatusCode::CONFLICT,
        ),
        (
            json!({"username": "BOB", "password": "password123"}),
            StatusCode::CONFLICT,
        ),
        (
            json!({"username": "b", "password": "password123"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"username": "b b b", "password": "password123"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"username": "carl", "password": "short"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"username": "carl", "password": "password123", "admin": true}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"username": "carl"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (body, status) in cases {
        let a = t.post("/api/auth/signup", body.clone(), &Auth::None).await;
        assert_eq!(a.status, status, "{body}: {}", a.text);
        assert!(a.json["error"]["message"].as_str().is_some(), "{}", a.text);
    }
    // Broken JSON and a wrong content type.
    let a = t
        .raw(
            Request::post("/api/auth/signup")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{"))
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text);
    assert_eq!(a.code(), "invalid_json");
    let a = t
        .raw(
            Request::post("/api/auth/signup")
                .body(Body::from("x"))
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // A body over the limit.
    let big = "x".repeat(100 * 1024);
    let a = t
        .post(
            "/api/auth/signup",
            json!({"username": big, "password": "p"}),
            &Auth::None,
        )
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text);
}

#[tokio::test]
async fn imported_users_cannot_log_in_and_wrong_passwords_are_rate_limited() {
    let t = TestApp::new().await;
    let a = t
        .post(
            "/api/auth/login",
            json!({"username": "ml-00", "password": ""}),
            &Auth::None,
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    t.signup("dora").await;
    for _ in 0..5 {
        let a = t
            .post(
                "/api/auth/login",
                json!({"username": "dora", "password": "wrong-password"}),
                &Auth::None,
            )
            .await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused while the account is locked.
    let a = t
        .post(
            "/api/auth/login",
            json!({"username": "dora", "password": "password123"}),
            &Auth::None,
        )
        .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.text);
    assert!(a.headers.contains_key(header::RETRY_AFTER));
}

#[tokio::test]
async fn bad_bearer_tokens_are_401() {
    let t = TestApp::new().await;
    let a = t.get("/api/me", &Auth::Bearer("nope".into())).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let a = t
        .raw(
            Request::get("/api/me")
                .header(header::AUTHORIZATION, "Basic abc")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    // A stale cookie on a public route: the visitor is anonymous.
    let stale = Auth::Cookie {
        token: "stale".into(),
        csrf: None,
    };
    let a = t.get("/api/recommendations?list=trending", &stale).await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn cookie_writes_need_the_csrf_token_bearer_writes_do_not() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    let body = json!({"movie_id": "1", "rating": 5});
    let a = t
        .post("/api/rate", body.clone(), &ann.cookie_without_csrf())
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.code(), "csrf");
    let wrong = Auth::Cookie {
        token: ann.token.clone(),
        csrf: Some("0".repeat(64)),
    };
    assert_eq!(
        t.post("/api/rate", body.clone(), &wrong).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.post("/api/rate", body.clone(), &ann.cookie())
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        t.post("/api/rate", body, &ann.bearer()).await.status,
        StatusCode::OK
    );
    // Reads need no token.
    assert_eq!(
        t.get("/api/watchlist", &ann.cookie_without_csrf())
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn profile_update_validates() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    let a = t
        .send(
            Method::PATCH,
            "/api/me",
            Some(json!({"display_name": "Ann B.", "bio": "Sci-fi"})),
            &ann.bearer(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["display_name"], "Ann B.");
    let a = t
        .send(
            Method::PATCH,
            "/api/me",
            Some(json!({"display_name": ""})),
            &ann.bearer(),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = t
        .send(
            Method::PATCH,
            "/api/me",
            Some(json!({"is_staff": true})),
            &ann.bearer(),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn movie_detail_similar_and_why() {
    let t = TestApp::new().await;
    let a = t.get("/api/movies/1", &Auth::None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["title"], "Alien");
    assert_eq!(a.json["year"], 1979);
    assert_eq!(a.json["genres"], json!(["Sci-Fi", "Horror"]));
    assert_eq!(a.json["people"][0]["role"], "director");
    assert_eq!(a.json["people"][0]["name"], "scott");
    assert!(a.json.get("mine").is_none());
    assert_eq!(
        t.get("/api/movies/999", &Auth::None).await.status,
        StatusCode::NOT_FOUND
    );

    let a = t.get("/api/movies/1/similar?n=3", &Auth::None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let items = a.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert!(items
        .iter()
        .all(|i| i["item_id"] != "1" && i["explanation"].is_string()));
    assert_eq!(
        t.get("/api/movies/1/similar?n=0", &Auth::None).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        t.get("/api/movies/1/similar?n=x", &Auth::None).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        t.get("/api/movies/999/similar", &Auth::None).await.status,
        StatusCode::NOT_FOUND
    );

    let ann = t.signup("ann").await;
    t.post(
        "/api/rate",
        json!({"movie_id": "2", "rating": 5}),
        &ann.bearer(),
    )
    .await;
    let a = t.get("/api/movies/3/why", &ann.bearer()).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["item_id"], "3");
    assert!(!a.json["reasons"].as_array().unwrap().is_empty());
    assert!(a.json["explanation"].is_string());
    assert_eq!(
        t.get("/api/movies/999/why", &Auth::None).await.status,
        StatusCode::NOT_FOUND
    );
    let mine = t.get("/api/movies/2", &ann.bearer()).await;
    assert_eq!(mine.json["mine"]["rating"], 5.0);
    assert_eq!(mine.json["ratings"], 4, "three training users and ann");
}

#[tokio::test]
async fn search_filters_sorts_and_pages() {
    let t = TestApp::new().await;
    let ids = |a: &common::Answer| -> Vec<String> {
        a.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect()
    };
    let a = t.get("/api/search?q=ALIEN", &Auth::None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(ids(&a).len(), 2);
    assert!(ids(&a).contains(&"1".to_string()));
    // Accent- and case-insensitive.
    assert_eq!(
        ids(&t.get("/api/search?q=amelie", &Auth::None).await),
        ["8"]
    );
    // Combined filters.
    let a = t
        .get(
            "/api/search?genre=crime&year_from=1995&year_to=1999&sort=year",
            &Auth::None,
        )
        .await;
    assert_eq!(ids(&a), ["7", "5", "6"]);
    let a = t
        .get("/api/search?person=cameron&sort=title", &Auth::None)
        .await;
    assert_eq!(ids(&a), ["2", "4", "10"]);
    let a = t.get("/api/search?person=p:mann", &Auth::None).await;
    assert_eq!(ids(&a).len(), 2);
    // Pagination.
    let a = t
        .get("/api/search?sort=title&per_page=5&page=3", &Auth::None)
        .await;
    assert_eq!(a.json["total"], 12);
    assert_eq!(ids(&a).len(), 2);
    assert_eq!(a.json["items"][0]["genres"].as_array().unwrap().len(), 2);
    // LIKE wildcards are literal.
    assert!(ids(&t.get("/api/search?q=%25", &Auth::None).await).is_empty());
    assert_eq!(
        ids(&t.get("/api/search?q=thelma%20%26", &Auth::None).await),
        ["11"]
    );
    for bad in [
        "/api/search?year_from=2000&year_to=1990",
        "/api/search?page=0",
        "/api/search?per_page=1000",
        "/api/search?sort=random",
        "/api/search?year_from=abc",
        "/api/search?colour=red",
    ] {
        let a = t.get(bad, &Auth::None).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}: {}", a.text);
    }
    let genres = t.get("/api/genres", &Auth::None).await;
    assert!(genres.json["genres"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["genre"] == "Sci-Fi"));
}

#[tokio::test]
async fn rate_change_remove_and_history() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    let a = t
        .post(
            "/api/rate",
            json!({"movie_id": "5", "rating": 4}),
            &ann.bearer(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["rating"], 4.0);
    let a = t
        .post(
            "/api/rate",
            json!({"movie_id": "5", "rating": 2.5}),
            &ann.bearer(),
        )
        .await;
    assert_eq!(a.json["rating"], 2.5);
    let a = t
        .post(
            "/api/rate",
            json!({"movie_id": "5", "feedback": "like"}),
            &ann.bearer(),
        )
        .await;
    assert_eq!(
        (a.json["rating"].clone(), a.json["opinion"].clone()),
        (json!(2.5), json!("like"))
    );
    let a = t
        .post(
            "/api/rate",
            json!({"movie_id": "5", "feedback": "watched"}),
            &ann.bearer(),
        )
        .await;
    assert_eq!(a.json["watched"], true);
    let h = t.get("/api/ratings", &ann.bearer()).await;
    assert_eq!(h.json["items"][0]["title"], "Fargo");
    let a = t.delete("/api/rate/5", &ann.bearer()).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    let h = t.get("/api/ratings", &ann.bearer()).await;
    assert!(h.json["items"].as_array().unwrap().is_empty());
    assert_eq!(
        t.delete("/api/rate/999", &ann.bearer()).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get("/api/ratings?page=0", &ann.bearer()).await.status,
        StatusCode::BAD_REQUEST
    );

    for (body, code) in [
        (json!({"movie_id": "5", "rating": 6}), "invalid_rating"),
        (json!({"movie_id": "5", "rating": 0}), "invalid_rating"),
        (json!({"movie_id": "5", "rating": 3.3}), "invalid_rating"),
        (json!({"movie_id": "5"}), "invalid_feedback"),
        (
            json!({"movie_id": "5", "rating": 3, "feedback": "like"}),
            "invalid_feedback",
        ),
        (
            json!({"movie_id": "5", "feedback": "love"}),
            "invalid_feedback",
        ),
        (json!({"movie_id": "", "rating": 3}), "invalid_field"),
    ] {
        let a = t.post("/api/rate", body.clone(), &ann.bearer()).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body}: {}", a.text);
        assert_eq!(a.code(), code, "{body}");
    }
    let a = t
        .post(
            "/api/rate",
            json!({"movie_id": "999", "rating": 3}),
            &ann.bearer(),
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = t
        .post(
            "/api/rate",
            json!({"movie_id": "5", "rating": "five"}),
            &ann.bearer(),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn watchlist_add_list_remove() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    let a = t
        .post(
            "/api/watchlist/add",
            json!({"movie_id": "3"}),
            &ann.bearer(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["added"], true);
    let a = t
        .post(
            "/api/watchlist/add",
            json!({"movie_id": "3"}),
            &ann.bearer(),
        )
        .await;
    assert_eq!(a.json["added"], false, "adding twice is harmless");
    t.post(
        "/api/watchlist/add",
        json!({"movie_id": "8"}),
        &ann.bearer(),
    )
    .await;
    let l = t.get("/api/watchlist", &ann.bearer()).await;
    let titles: Vec<&str> = l.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 2);
    assert!(titles.contains(&"Blade Runner"));
    let a = t
        .post(
            "/api/watchlist/remove",
            json!({"movie_id": "3"}),
            &ann.bearer(),
        )
        .await;
    assert_eq!(a.json["removed"], true);
    assert_eq!(
        t.get("/api/watchlist", &ann.bearer()).await.json["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        t.post(
            "/api/watchlist/add",
            json!({"movie_id": "999"}),
            &ann.bearer()
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.post("/api/watchlist/add", json!({"id": "3"}), &ann.bearer())
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// Each private route: anonymous 401; each user sees only their own data.
#[tokio::test]
async fn authorisation_matrix() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    let bob = t.signup("bob").await;
    let private: &[(Method, &str, Option<Value>)] = &[
        (Method::GET, "/api/me", None),
        (Method::PATCH, "/api/me", Some(json!({"bio": "x"}))),
        (Method::POST, "/api/auth/logout", Some(json!({}))),
        (
            Method::POST,
            "/api/rate",
            Some(json!({"movie_id": "1", "rating": 4})),
        ),
        (Method::DELETE, "/api/rate/1", None),
        (Method::GET, "/api/ratings", None),
        (Method::GET, "/api/watchlist", None),
        (
            Method::POST,
            "/api/watchlist/add",
            Some(json!({"movie_id": "1"})),
        ),
        (
            Method::POST,
            "/api/watchlist/remove",
            Some(json!({"movie_id": "1"})),
        ),
    ];
    for (method, uri, body) in private {
        let a = t.send(method.clone(), uri, body.clone(), &Auth::None).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        assert_eq!(a.code(), "unauthorized");
    }
    // Ann's data is invisible to Bob and unchanged by Bob's requests.
    t.post(
        "/api/rate",
        json!({"movie_id": "1", "rating": 5}),
        &ann.bearer(),
    )
    .await;
    t.post(
        "/api/watchlist/add",
        json!({"movie_id": "2"}),
        &ann.bearer(),
    )
    .await;
    assert!(t.get("/api/ratings", &bob.bearer()).await.json["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(t.get("/api/watchlist", &bob.bearer()).await.json["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        t.delete("/api/rate/1", &bob.bearer()).await.status,
        StatusCode::NO_CONTENT
    );
    t.post(
        "/api/watchlist/remove",
        json!({"movie_id": "2"}),
        &bob.bearer(),
    )
    .await;
    assert_eq!(
        t.get("/api/ratings", &ann.bearer()).await.json["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        t.get("/api/watchlist", &ann.bearer()).await.json["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        t.get("/api/movies/1", &bob.bearer()).await.json["mine"]["rating"],
        Value::Null
    );
    assert_eq!(
        t.get("/api/me", &bob.bearer()).await.json["user"]["username"],
        "bob"
    );
}

#[tokio::test]
async fn recommendations_lists_and_errors() {
    let t = TestApp::new().await;
    let ids = |a: &common::Answer| -> Vec<String> {
        a.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["item_id"].as_str().unwrap().to_string())
            .collect()
    };
    for uri in [
        "/api/recommendations",
        "/api/recommendations?list=trending&n=5",
        "/api/recommendations?list=by_genre&genre=crime",
        "/api/recommendations?list=because_you_liked&item=1",
        "/api/recommendations?list=similar_to&item=5&n=2",
        "/api/recommendations?list=for_you&genre=Comedy",
    ] {
        let a = t.get(uri, &Auth::None).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}: {}", a.text);
        assert!(!ids(&a).is_empty(), "{uri}");
        assert_eq!(
            a.json["model"].as_str().unwrap(),
            t.state.model.load().fingerprint()
        );
    }
    let a = t
        .get(
            "/api/recommendations?list=for_you&genre=Comedy",
            &Auth::None,
        )
        .await;
    assert!(
        ids(&a)
            .iter()
            .all(|id| ["7", "8", "9"].contains(&id.as_str())),
        "{:?}",
        ids(&a)
    );
    for (uri, status) in [
        ("/api/recommendations?list=nope", StatusCode::BAD_REQUEST),
        (
            "/api/recommendations?list=by_genre",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/recommendations?list=by_genre&genre=Western",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/recommendations?list=because_you_liked",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/recommendations?list=because_you_liked&item=999",
            StatusCode::NOT_FOUND,
        ),
        ("/api/recommendations?n=0", StatusCode::BAD_REQUEST),
        ("/api/recommendations?n=101", StatusCode::BAD_REQUEST),
        ("/api/recommendations?n=-1", StatusCode::BAD_REQUEST),
        ("/api/recommendations?user=3", StatusCode::BAD_REQUEST),
    ] {
        let a = t.get(uri, &Auth::None).await;
        assert_eq!(a.status, status, "{uri}: {}", a.text);
        assert!(a.json["error"]["code"].is_string(), "{uri}");
    }
}

/// A new rating changes the next For You at once, and watched, rated, disliked and
/// not-interested movies are left out.
#[tokio::test]
async fn for_you_folds_in_the_current_history_and_excludes() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    let ids = |a: &common::Answer| -> Vec<String> {
        a.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["item_id"].as_str().unwrap().to_string())
            .collect()
    };
    let before = ids(&t.get("/api/recommendations?n=12", &ann.bearer()).await);
    assert_eq!(before.len(), 12);
    t.post(
        "/api/rate",
        json!({"movie_id": "1", "rating": 5}),
        &ann.bearer(),
    )
    .await;
    t.post(
        "/api/rate",
        json!({"movie_id": "2", "rating": 5}),
        &ann.bearer(),
    )
    .await;
    t.post(
        "/api/rate",
        json!({"movie_id": "5", "feedback": "dislike"}),
        &ann.bearer(),
    )
    .await;
    t.post(
        "/api/rate",
        json!({"movie_id": "9", "feedback": "not_interested"}),
        &ann.bearer(),
    )
    .await;
    t.post(
        "/api/rate",
        json!({"movie_id": "10", "feedback": "watched"}),
        &ann.bearer(),
    )
    .await;
    let a = t.get("/api/recommendations?n=12", &ann.bearer()).await;
    let after = ids(&a);
    assert_ne!(before, after);
    for gone in ["1", "2", "5", "9", "10"] {
        assert!(!after.contains(&gone.to_string()), "{gone} in {after:?}");
    }
    // Sci-fi first for a sci-fi fan, with a reason citing what they liked.
    assert!(["3", "4"].contains(&after[0].as_str()), "{after:?}");
    let text = a.json["items"][0]["explanation"].as_str().unwrap();
    assert!(!text.is_empty());
    // Removing the ratings brings the movies back.
    t.delete("/api/rate/1", &ann.bearer()).await;
    let again = ids(&t.get("/api/recommendations?n=12", &ann.bearer()).await);
    assert!(again.contains(&"1".to_string()));
}

#[tokio::test]
async fn admin_routes_need_staff_and_retrain_swaps_the_model() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    let boss = t.staff("boss").await;
    assert_eq!(
        t.get("/api/admin/model", &Auth::None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let a = t.get("/api/admin/model", &ann.bearer()).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.code(), "staff_only");
    assert_eq!(
        t.post("/api/admin/retrain", json!({}), &ann.bearer())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.post("/api/admin/retrain", json!({}), &boss.cookie_without_csrf())
            .await
            .status,
        StatusCode::FORBIDDEN,
        "cookie writes need the CSRF token, staff too"
    );
    let status = t.get("/api/admin/model", &boss.bearer()).await;
    assert_eq!(status.status, StatusCode::OK, "{}", status.text);
    let before = status.json["fingerprint"].as_str().unwrap().to_string();
    assert_eq!(status.json["last_training"]["n_items"], 12);

    // New feedback, then a retrain: a new model is live and the new events are in it.
    for movie in ["7", "8"] {
        t.post(
            "/api/rate",
            json!({"movie_id": movie, "rating": 5}),
            &ann.bearer(),
        )
        .await;
    }
    let a = t
        .post("/api/admin/retrain", json!({}), &boss.bearer())
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let after = t.state.model.load().fingerprint().to_string();
    assert_ne!(before, after);
    assert_eq!(a.json["model"]["fingerprint"], after.as_str());
    assert!(t.state.trainer.artifact().is_file());
    let health = t.get("/api/health", &Auth::None).await;
    assert_eq!(health.json["model"]["fingerprint"], after.as_str());
}

#[tokio::test]
async fn retrain_is_due_after_enough_new_events() {
    let t = TestApp::new().await;
    let db = &t.state.db;
    assert!(!recsys_server::model::retrain_due(db, 2, 0).await.unwrap());
    let ann = t.signup("ann").await;
    t.post(
        "/api/rate",
        json!({"movie_id": "1", "rating": 5}),
        &ann.bearer(),
    )
    .await;
    assert!(!recsys_server::model::retrain_due(db, 2, 0).await.unwrap());
    t.post(
        "/api/watchlist/add",
        json!({"movie_id": "2"}),
        &ann.bearer(),
    )
    .await;
    assert!(recsys_server::model::retrain_due(db, 2, 0).await.unwrap());
    assert!(
        !recsys_server::model::retrain_due(db, 0, 0).await.unwrap(),
        "both triggers off"
    );
}

#[tokio::test]
async fn the_artifact_written_by_training_loads_back() {
    let t = TestApp::new().await;
    let loaded = recsys_server::model::load_artifact(t.state.trainer.artifact())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(loaded.fingerprint(), t.state.model.load().fingerprint());
    let missing =
        recsys_server::model::load_artifact(std::path::Path::new("/nonexistent/x.recsys")).await;
    assert!(missing.unwrap().is_none());
}

/// Every path of the OpenAPI document answers (not the router's 404), and the document is
/// served as JSON.
#[tokio::test]
async fn openapi_document_matches_the_routes() {
    let t = TestApp::new().await;
    let a = t.get("/api/openapi.json", &Auth::None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json["openapi"], "3.0.3");
    let paths = a.json["paths"].as_object().unwrap();
    assert!(paths.len() >= 19);
    for (path, ops) in paths {
        let uri = path.replace("{id}", "1").replace("{movie_id}", "1");
        for method in ops.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
            let answer = t.send(method.clone(), &uri, body, &Auth::None).await;
            assert!(
                !(answer.status == StatusCode::NOT_FOUND
                    && answer.code() == "not_found"
                    && answer.text.contains("no route"))
                    && answer.status != StatusCode::METHOD_NOT_ALLOWED,
                "{method} {uri}: {}",
                answer.text
            );
        }
    }
}
