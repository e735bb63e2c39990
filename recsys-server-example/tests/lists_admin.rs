//! Lists, admin catalogue editing and model status, and the anonymous in-browser For You's
//! server side (wasm package, web artifact, rating import), through the router: every
//! route × anonymous / other user / owner / staff, and bad inputs.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{Auth, Session, TestApp};
use recsys_server::{app, AppState};
use serde_json::{json, Value};

/// A bad input's answer: 400 (bad value) or 422 (a body of the wrong shape, as everywhere in
/// the API).
fn rejected(status: StatusCode) -> bool {
    status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY
}

async fn patch(t: &TestApp, uri: &str, body: Value, auth: &Auth) -> common::Answer {
    t.send(Method::PATCH, uri, Some(body), auth).await
}

async fn new_list(t: &TestApp, owner: &Session, name: &str, public: bool) -> i64 {
    let a = t
        .post(
            "/api/lists",
            json!({"name": name, "is_public": public}),
            &owner.bearer(),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(a.json["name"], name.trim());
    assert_eq!(a.json["is_public"], public);
    a.json["id"].as_i64().unwrap()
}

#[tokio::test]
async fn list_lifecycle_and_fill() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    let id = new_list(&t, &ann, "  Space  ", false).await;
    for movie in ["1", "2"] {
        let a = t
            .post(
                &format!("/api/lists/{id}/items"),
                json!({"movie_id": movie}),
                &ann.cookie(),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(a.json["added"], true);
    }
    // Adding twice is idempotent.
    let a = t
        .post(
            &format!("/api/lists/{id}/items"),
            json!({"movie_id": "1"}),
            &ann.bearer(),
        )
        .await;
    assert_eq!(a.json["added"], false);
    let a = t.get(&format!("/api/lists/{id}"), &ann.bearer()).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json["name"], "Space");
    assert_eq!(a.json["n_items"], 2);
    assert_eq!(a.json["mine"], true);
    let items: Vec<&str> = a.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["movie_id"].as_str().unwrap())
        .collect();
    assert_eq!(items, ["1", "2"]);

    // Fill: sci-fi fits a list of Alien and Aliens, and the list's own movies are left out.
    let a = t
        .get(&format!("/api/lists/{id}/fill?n=3"), &ann.bearer())
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let filled: Vec<&str> = a.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item_id"].as_str().unwrap())
        .collect();
    assert_eq!(filled.len(), 3, "{filled:?}");
    assert!(
        !filled.contains(&"1") && !filled.contains(&"2"),
        "{filled:?}"
    );
    assert!(
        filled.contains(&"3") || filled.contains(&"4"),
        "sci-fi first: {filled:?}"
    );

    // Rename, make public, list mine.
    let a = patch(
        &t,
        &format!("/api/lists/{id}"),
        json!({"name": "Aliens!", "is_public": true}),
        &ann.bearer(),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["name"], "Aliens!");
    assert_eq!(a.json["is_public"], true);
    let a = t.get("/api/lists", &ann.bearer()).await;
    assert_eq!(a.json["lists"].as_array().unwrap().len(), 1);
    assert_eq!(a.json["lists"][0]["n_items"], 2);

    // Remove a movie, then the list.
    let a = t
        .delete(&format!("/api/lists/{id}/items/1"), &ann.bearer())
        .await;
    assert_eq!(a.json["removed"], true);
    let a = t.delete(&format!("/api/lists/{id}"), &ann.bearer()).await;
    assert_eq!(a.status, StatusCode::OK);
    let a = t.get(&format!("/api/lists/{id}"), &ann.bearer()).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn list_authorisation_matrix() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    let bob = t.signup("bob").await;
    let boss = t.staff("boss").await;
    let private = new_list(&t, &ann, "Mine", false).await;
    let public = new_list(&t, &ann, "Shared", true).await;
    let who: [(&str, Auth); 4] = [
        ("anonymous", Auth::None),
        ("other", bob.bearer()),
        ("staff", boss.bearer()),
        ("owner", ann.bearer()),
    ];
    for (name, auth) in &who {
        let owner = *name == "owner";
        // Reading: the owner reads both; others read the public list only; a private
        // list of someone else does not exist for them.
        for (list, public_list) in [(private, false), (public, true)] {
            let readable = owner || public_list;
            let expected = if readable {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            let a = t.get(&format!("/api/lists/{list}"), auth).await;
            assert_eq!(a.status, expected, "{name} reads {list}");
            let a = t.get(&format!("/api/lists/{list}/fill"), auth).await;
            assert_eq!(a.status, expected, "{name} fills {list}");
            // Writing: anonymous 401; others 403 on a public list, 404 on a private one.
            let write = if owner {
                StatusCode::OK
            } else if matches!(auth, Auth::None) {
                StatusCode::UNAUTHORIZED
            } else if public_list {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::NOT_FOUND
            };
            let a = patch(
                &t,
                &format!("/api/lists/{list}"),
                json!({"name": "x"}),
                auth,
            )
            .await;
            assert_eq!(a.status, write, "{name} renames {list}: {}", a.text);
            let a = t
                .post(
                    &format!("/api/lists/{list}/items"),
                    json!({"movie_id": "5"}),
                    auth,
                )
                .await;
            assert_eq!(a.status, write, "{name} adds to {list}: {}", a.text);
            let a = t.delete(&format!("/api/lists/{list}/items/5"), auth).await;
            assert_eq!(a.status, write, "{name} removes from {list}: {}", a.text);
        }
        let mine = t.get("/api/lists", auth).await;
        if matches!(auth, Auth::None) {
            assert_eq!(mine.status, StatusCode::UNAUTHORIZED);
        } else {
            let n = if owner { 2 } else { 0 };
            assert_eq!(mine.json["lists"].as_array().unwrap().len(), n, "{name}");
        }
        // Someone's lists: others see the public one only.
        let a = t.get("/api/users/ann/lists", auth).await;
        assert_eq!(a.status, StatusCode::OK);
        let n = if owner { 2 } else { 1 };
        assert_eq!(a.json["lists"].as_array().unwrap().len(), n, "{name}");
        if !owner {
            let a = t.delete(&format!("/api/lists/{public}"), auth).await;
            assert_ne!(a.status, StatusCode::OK, "{name} deletes");
            let a = t
                .post("/api/lists", json!({"name": "n"}), &Auth::None)
                .await;
            assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        }
    }
    // Cookie writes need the CSRF token.
    let a = t
        .post(
            &format!("/api/lists/{private}/items"),
            json!({"movie_id": "5"}),
            &ann.cookie_without_csrf(),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // The lists still exist, untouched by the others.
    let a = t.get(&format!("/api/lists/{public}"), &ann.bearer()).await;
    assert_eq!(a.json["name"], "x");
}

#[tokio::test]
async fn list_bad_inputs() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    let auth = ann.bearer();
    for body in [
        json!({"name": ""}),
        json!({"name": "   "}),
        json!({"name": "x".repeat(81)}),
        json!({"name": "ok", "description": "d".repeat(501)}),
        json!({"name": "ok", "colour": "red"}),
        json!({"name": 3}),
    ] {
        let a = t.post("/api/lists", body.clone(), &auth).await;
        assert!(rejected(a.status), "{body}: {}", a.text);
        assert!(!a.code().is_empty());
    }
    let id = new_list(&t, &ann, "ok", false).await;
    for uri in ["/api/lists/abc", "/api/lists/0", "/api/lists/-1"] {
        let a = t.get(uri, &auth).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(a.code(), "invalid_id");
    }
    let a = t.get("/api/lists/999", &auth).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = t
        .post(
            &format!("/api/lists/{id}/items"),
            json!({"movie_id": "nope"}),
            &auth,
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = t
        .post(&format!("/api/lists/{id}/items"), json!({}), &auth)
        .await;
    assert!(rejected(a.status), "{}", a.text);
    for q in ["n=0", "n=101", "n=x", "m=1"] {
        let a = t.get(&format!("/api/lists/{id}/fill?{q}"), &auth).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{q}");
    }
    let a = patch(&t, &format!("/api/lists/{id}"), json!({"owner": 2}), &auth).await;
    assert!(rejected(a.status), "{}", a.text);
    let a = t.get("/api/users/nobody/lists", &auth).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    // An empty list is filled with popular movies.
    let a = t.get(&format!("/api/lists/{id}/fill?n=2"), &auth).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn admin_catalogue_routes_need_staff() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    let routes: [(Method, &str, Option<Value>); 8] = [
        (
            Method::POST,
            "/api/admin/movies",
            Some(json!({"title": "New"})),
        ),
        (
            Method::PATCH,
            "/api/admin/movies/1",
            Some(json!({"title": "X"})),
        ),
        (Method::DELETE, "/api/admin/movies/1", None),
        (
            Method::PATCH,
            "/api/admin/tags/x",
            Some(json!({"name": "y"})),
        ),
        (Method::DELETE, "/api/admin/tags/x", None),
        (
            Method::POST,
            "/api/admin/people",
            Some(json!({"name": "P"})),
        ),
        (
            Method::PATCH,
            "/api/admin/people/p:scott",
            Some(json!({"name": "S"})),
        ),
        (Method::DELETE, "/api/admin/people/p:scott", None),
    ];
    for (method, uri, body) in &routes {
        let a = t.send(method.clone(), uri, body.clone(), &Auth::None).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        let a = t
            .send(method.clone(), uri, body.clone(), &ann.bearer())
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{method} {uri}");
        assert_eq!(a.code(), "staff_only");
    }
    // Nothing changed.
    let a = t.get("/api/movies/1", &Auth::None).await;
    assert_eq!(a.json["title"], "Alien");
    // Pages: visitors are sent to log in, accounts get a 403 page.
    let a = t.get("/admin", &Auth::None).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let a = t.get("/admin", &ann.bearer()).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = t.get("/admin/movies/1", &ann.bearer()).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn staff_edit_the_catalogue_search_sees_it_and_the_next_model_too() {
    let t = TestApp::new().await;
    let boss = t.staff("boss").await;
    let auth = boss.bearer();
    let a = t
        .post(
            "/api/admin/people",
            json!({"name": "Denis Villeneuve"}),
            &auth,
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let person = a.json["id"].as_str().unwrap().to_string();
    assert_eq!(person, "p:denis-villeneuve");
    let a = t
        .post(
            "/api/admin/movies",
            json!({"title": "Arrival", "year": 2016, "genres": ["Sci-Fi", "Drama"],
                   "tags": ["aliens"], "people": [{"person_id": person, "role": "director"}]}),
            &auth,
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let id = a.json["id"].as_str().unwrap().to_string();
    assert_eq!(id, "13");
    // Search sees it at once.
    let a = t.get("/api/search?q=arriv", &Auth::None).await;
    assert_eq!(a.json["total"], 1, "{}", a.text);
    let a = t.get("/api/search?tag=aliens", &Auth::None).await;
    assert_eq!(a.json["items"][0]["id"], id.as_str());
    // Edit: title, year cleared, tags replaced.
    let a = patch(
        &t,
        &format!("/api/admin/movies/{id}"),
        json!({"title": "Arrival (director's cut)", "year": null, "tags": ["linguistics"]}),
        &auth,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let a = t.get(&format!("/api/movies/{id}"), &Auth::None).await;
    assert_eq!(a.json["title"], "Arrival (director's cut)");
    assert_eq!(a.json["year"], Value::Null);
    assert_eq!(a.json["tags"], json!(["linguistics"]));
    assert_eq!(a.json["genres"].as_array().unwrap().len(), 2);
    // Tags: rename and delete everywhere.
    let a = patch(
        &t,
        "/api/admin/tags/linguistics",
        json!({"name": "language"}),
        &auth,
    )
    .await;
    assert_eq!(a.json["movies"], 1);
    let a = t.delete("/api/admin/tags/language", &auth).await;
    assert_eq!(a.status, StatusCode::OK);
    let a = t.delete("/api/admin/tags/language", &auth).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    // People: rename.
    let a = patch(
        &t,
        &format!("/api/admin/people/{person}"),
        json!({"name": "D. Villeneuve"}),
        &auth,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    // The model learns the movie at the next training.
    assert!(!t.state.model.load().contains(&id));
    let a = t
        .post("/api/admin/retrain", json!({}), &boss.cookie())
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert!(t.state.model.load().contains(&id));
    // A deleted movie leaves search and lists at once.
    let a = t.delete(&format!("/api/admin/movies/{id}"), &auth).await;
    assert_eq!(a.status, StatusCode::OK);
    let a = t.get("/api/search?q=arriv", &Auth::None).await;
    assert_eq!(a.json["total"], 0);
    let a = t
        .delete(&format!("/api/admin/people/{person}"), &auth)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    // Pages render for staff.
    let a = t.get("/admin", &auth).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(
        a.text.contains("Validation of the last training"),
        "{}",
        a.text
    );
    let a = t.get("/admin/movies/1", &auth).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text.contains("data-edit-movie=\"1\""));
}

#[tokio::test]
async fn admin_bad_inputs() {
    let t = TestApp::new().await;
    let boss = t.staff("boss").await;
    let auth = boss.bearer();
    for body in [
        json!({}),
        json!({"title": ""}),
        json!({"title": "x", "year": 1500}),
        json!({"title": "x", "id": "bad id"}),
        json!({"title": "x", "poster_url": "javascript:alert(1)"}),
        json!({"title": "x", "genres": [""]}),
        json!({"title": "x", "people": [{"person_id": "p:scott", "role": "grip"}]}),
        json!({"title": "x", "people": [{"person_id": "p:nobody", "role": "actor"}]}),
        json!({"title": "x", "rating": 5}),
    ] {
        let a = t.post("/api/admin/movies", body.clone(), &auth).await;
        assert!(rejected(a.status), "{body}: {}", a.text);
    }
    // A failed create leaves nothing behind.
    let a = t.get("/api/search?q=x", &Auth::None).await;
    assert_eq!(a.json["total"], 0);
    let a = t
        .post(
            "/api/admin/movies",
            json!({"id": "1", "title": "Dup"}),
            &auth,
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    let a = patch(&t, "/api/admin/movies/999", json!({"title": "x"}), &auth).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = patch(&t, "/api/admin/movies/1", json!({"id": "2"}), &auth).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = t.delete("/api/admin/movies/999", &auth).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = t
        .post(
            "/api/admin/people",
            json!({"id": "p:scott", "name": "Dup"}),
            &auth,
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    let a = t
        .post("/api/admin/people", json!({"name": ""}), &auth)
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let a = t.delete("/api/admin/people/p:nobody", &auth).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn model_status_reports_held_out_validation() {
    let t = TestApp::new().await;
    let boss = t.staff("boss").await;
    let a = t.get("/api/admin/model", &boss.bearer()).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let v = &a.json["validation"];
    assert_eq!(v["k"], 10, "{}", a.text);
    assert!(v["n_test_events"].as_u64().unwrap() > 0);
    assert!(v["n_train_events"].as_u64().unwrap() > 0);
    let total = a.json["last_training"]["n_events"].as_u64().unwrap();
    assert_eq!(
        v["n_test_events"].as_u64().unwrap() + v["n_train_events"].as_u64().unwrap(),
        total
    );
    for metric in ["precision", "recall", "ndcg", "map", "hit_rate", "coverage"] {
        let x = v[metric].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&x), "{metric} = {x}");
    }
    assert!(a.json["last_training"]["trained_at"].as_i64().unwrap() > 0);
}

async fn app_with_wasm(t: &TestApp, dir: &std::path::Path) -> axum::Router {
    let mut config = (*t.state.config).clone();
    config.wasm_dir = dir.to_path_buf();
    app(AppState::new(
        t.state.db.clone(),
        t.state.model.clone(),
        t.state.trainer.clone(),
        config,
    ))
}

async fn send(
    app: &axum::Router,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    use tower::ServiceExt;
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
        .await
        .unwrap();
    (status, headers, bytes.to_vec())
}

#[tokio::test]
async fn wasm_package_and_web_artifact_are_served_with_caching() {
    let t = TestApp::new().await;
    // Without the package: the status says so and the files are 404.
    let a = t.get("/api/anon/status", &Auth::None).await;
    assert_eq!(a.json["model"], true);
    assert_eq!(a.json["available"], false);
    let a = t.get("/static/wasm/recsys_wasm.js", &Auth::None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    // With a package.
    let dir = std::env::temp_dir().join(format!("recsys-wasm-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("recsys_wasm.js"), "export default 1;").unwrap();
    std::fs::write(dir.join("recsys_wasm_bg.wasm"), b"\0asm").unwrap();
    let served = app_with_wasm(&t, &dir).await;
    let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    let (status, headers, body) = send(&served, get("/static/wasm/recsys_wasm_bg.wasm")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
    assert!(headers[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("max-age"));
    assert_eq!(body, b"\0asm");
    let (status, _, body) = send(&served, get("/api/anon/status")).await;
    assert_eq!(status, StatusCode::OK);
    let status_json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status_json["available"], true);
    // Only the package's files.
    let (status, _, _) = send(&served, get("/static/wasm/..%2Fsecret")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(&served, get("/static/wasm/package.json")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let _ = std::fs::remove_dir_all(&dir);

    // The web artifact: a valid recommender, revalidated by ETag.
    let (status, headers, body) = send(&served, get("/api/web-model")).await;
    assert_eq!(status, StatusCode::OK);
    let etag = headers[header::ETAG].to_str().unwrap().to_string();
    assert!(etag.contains(t.state.model.load().fingerprint()));
    assert!(headers[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("must-revalidate"));
    use recsys_core::prelude::Artifact;
    let web = recsys_core::prelude::Recommender::from_bytes(&body).unwrap();
    assert_eq!(web.n_items(), t.state.model.load().n_items());
    let request = Request::get("/api/web-model")
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = send(&served, request).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    // The CSP lets wasm compile and nothing else.
    let (_, headers, _) = send(&served, get("/")).await;
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
        "{csp}"
    );
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
        "{csp}"
    );
}

#[tokio::test]
async fn browser_ratings_are_imported_into_the_account() {
    let t = TestApp::new().await;
    let a = t
        .post(
            "/api/me/ratings/import",
            json!({"ratings": [{"movie_id": "1", "rating": 5}]}),
            &Auth::None,
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let ann = t.signup("ann").await;
    let a = t
        .post(
            "/api/rate",
            json!({"movie_id": "2", "rating": 2}),
            &ann.bearer(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let a = t
        .post(
            "/api/me/ratings/import",
            json!({"ratings": [
                {"movie_id": "1", "rating": 5, "at": 1000},
                {"movie_id": "2", "rating": 5},
                {"movie_id": "nope", "rating": 4},
            ]}),
            &ann.cookie(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(
        a.json,
        json!({"imported": 1, "already_rated": 1, "unknown_movies": 1})
    );
    let a = t.get("/api/movies/1", &ann.bearer()).await;
    assert_eq!(a.json["mine"]["rating"], 5.0);
    let a = t.get("/api/movies/2", &ann.bearer()).await;
    assert_eq!(
        a.json["mine"]["rating"], 2.0,
        "the account's own rating wins"
    );
    // Other accounts are untouched.
    let bob = t.signup("bob").await;
    let a = t.get("/api/movies/1", &bob.bearer()).await;
    assert_eq!(a.json["mine"]["rating"], Value::Null);
    // Bad inputs change nothing.
    let too_many: Vec<Value> = (0..501)
        .map(|_| json!({"movie_id": "3", "rating": 4}))
        .collect();
    for body in [
        json!({"ratings": [{"movie_id": "3", "rating": 6}]}),
        json!({"ratings": [{"movie_id": "3", "rating": 3.3}]}),
        json!({"ratings": [{"movie_id": "", "rating": 3}]}),
        json!({"ratings": [{"movie_id": "3", "rating": 3, "user_id": 1}]}),
        json!({"ratings": too_many}),
        json!({}),
    ] {
        let a = t.post("/api/me/ratings/import", body, &ann.bearer()).await;
        assert!(rejected(a.status), "{}", a.text);
    }
    let a = t.get("/api/movies/3", &ann.bearer()).await;
    assert_eq!(a.json["mine"]["rating"], Value::Null);
    let a = t
        .post(
            "/api/me/ratings/import",
            json!({"ratings": [{"movie_id": "3", "rating": 4}]}),
            &ann.cookie_without_csrf(),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn list_pages_render_with_owner_checks() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    let bob = t.signup("bob").await;
    let private = new_list(&t, &ann, "Secret <b>", false).await;
    t.post(
        &format!("/api/lists/{private}/items"),
        json!({"movie_id": "1"}),
        &ann.bearer(),
    )
    .await;
    let a = t.get("/lists", &Auth::None).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let a = t.get("/lists", &ann.bearer()).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(
        a.text.contains("Secret &#60;b&#62;") || a.text.contains("Secret &lt;b&gt;"),
        "escaped: {}",
        a.text
    );
    let a = t.get(&format!("/lists/{private}"), &ann.bearer()).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text.contains("Fill this list") && a.text.contains("data-add=\""));
    assert!(a.text.contains("data-remove=\"1\""));
    for auth in [Auth::None, bob.bearer()] {
        let a = t.get(&format!("/lists/{private}"), &auth).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        assert!(a.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
    }
    patch(
        &t,
        &format!("/api/lists/{private}"),
        json!({"is_public": true}),
        &ann.bearer(),
    )
    .await;
    let a = t.get(&format!("/lists/{private}"), &bob.bearer()).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(
        !a.text.contains("data-remove="),
        "no edit controls for others"
    );
    let a = t.get("/lists/abc", &ann.bearer()).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    // The nav links to lists; staff see Admin.
    let a = t.get("/", &ann.bearer()).await;
    assert!(a.text.contains("href=\"/lists\"") && !a.text.contains("href=\"/admin\""));
    let boss = t.staff("boss").await;
    let a = t.get("/", &boss.bearer()).await;
    assert!(a.text.contains("href=\"/admin\""));
    // Scripts are served.
    for js in ["/static/lists.js", "/static/admin.js", "/static/anon.js"] {
        let a = t.get(js, &Auth::None).await;
        assert_eq!(a.status, StatusCode::OK, "{js}");
        assert!(a.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript"));
    }
}
