//! Profile, onboarding quiz, history, statistics, people, tags and all-time popularity:
//! the JSON API through the router (authorisation matrix, bad inputs) and the pages.

mod common;

use axum::http::{header, Method, StatusCode};
use common::{Auth, TestApp};
use serde_json::{json, Value};

async fn put(t: &TestApp, uri: &str, body: Value, auth: &Auth) -> common::Answer {
    t.send(Method::PUT, uri, Some(body), auth).await
}

async fn patch(t: &TestApp, uri: &str, body: Value, auth: &Auth) -> common::Answer {
    t.send(Method::PATCH, uri, Some(body), auth).await
}

#[tokio::test]
async fn profile_view_and_edit_validates() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    let a = t.get("/api/profile", &ann.bearer()).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["user"]["username"], "ann");
    assert_eq!(a.json["preferences"]["onboarding"], "pending");
    let a = patch(
        &t,
        "/api/profile",
        json!({"display_name": "  Ann B.  ", "bio": "Sci-fi and noir."}),
        &ann.cookie(),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["display_name"], "Ann B.");
    let a = t.get("/api/profile", &ann.bearer()).await;
    assert_eq!(a.json["user"]["bio"], "Sci-fi and noir.");
    // Only the bio: the name stays.
    let a = patch(&t, "/api/profile", json!({"bio": ""}), &ann.bearer()).await;
    assert_eq!(a.json["display_name"], "Ann B.");
    let cases = [
        (json!({"display_name": ""}), StatusCode::BAD_REQUEST),
        (json!({"display_name": "   "}), StatusCode::BAD_REQUEST),
        (
            json!({"display_name": "x".repeat(65)}),
            StatusCode::BAD_REQUEST,
        ),
        (json!({"display_name": "a\u{7}b"}), StatusCode::BAD_REQUEST),
        (json!({"bio": "x".repeat(2001)}), StatusCode::BAD_REQUEST),
        (json!({"bio": 5}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"is_staff": true}), StatusCode::UNPROCESSABLE_ENTITY),
    ];
    for (body, status) in cases {
        let a = patch(&t, "/api/profile", body.clone(), &ann.bearer()).await;
        assert_eq!(a.status, status, "{body}: {}", a.text);
        assert!(a.json["error"]["message"].as_str().is_some(), "{}", a.text);
    }
    let a = t.get("/api/profile", &ann.bearer()).await;
    assert_eq!(a.json["user"]["display_name"], "Ann B.");
    assert_eq!(a.json["user"]["is_staff"], false);
}

#[tokio::test]
async fn quiz_answers_are_validated_stored_and_drive_for_you() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    let options = t.get("/api/onboarding/options", &Auth::None).await;
    assert_eq!(options.status, StatusCode::OK, "{}", options.text);
    let genres: Vec<&str> = options.json["genres"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["genre"].as_str().unwrap())
        .collect();
    assert!(
        genres.contains(&"Sci-Fi") && genres.contains(&"Crime"),
        "{genres:?}"
    );
    assert!(!options.json["people"].as_array().unwrap().is_empty());
    assert_eq!(options.json["weights"], json!([1, 3]));

    let bad = [
        (
            json!({"genres": [{"genre": "Sci-Fi", "weight": 0}]}),
            "invalid_weight",
        ),
        (
            json!({"genres": [{"genre": "Sci-Fi", "weight": 4}]}),
            "invalid_weight",
        ),
        (
            json!({"genres": [{"genre": "Sci-Fi", "weight": -1}]}),
            "invalid_weight",
        ),
        (
            json!({"people": [{"person_id": "p:scott", "weight": 9}]}),
            "invalid_weight",
        ),
        (
            json!({"genres": [{"genre": "Western", "weight": 2}]}),
            "unknown_genre",
        ),
        (
            json!({"genres": [{"genre": "", "weight": 2}]}),
            "invalid_field",
        ),
        (
            json!({"people": [{"person_id": "p:nobody", "weight": 2}]}),
            "unknown_person",
        ),
        (
            json!({"genres": [{"genre": "Drama", "weight": 1}, {"genre": "drama", "weight": 2}]}),
            "duplicate_favorite",
        ),
        (
            json!({"genres": (0..13).map(|_| json!({"genre": "Drama", "weight": 1})).collect::<Vec<_>>()}),
            "too_many_favorites",
        ),
    ];
    for (body, code) in bad {
        let a = put(&t, "/api/preferences", body.clone(), &ann.bearer()).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body}: {}", a.text);
        assert_eq!(a.code(), code, "{body}: {}", a.text);
        assert!(!a.json["error"]["message"].as_str().unwrap().is_empty());
    }
    for body in [
        json!({"genres": [{"genre": "Sci-Fi", "weight": 1.5}]}),
        json!({"genres": [{"genre": "Sci-Fi"}]}),
        json!({"genres": {"Sci-Fi": 3}}),
        json!({"moods": []}),
    ] {
        let a = put(&t, "/api/preferences", body.clone(), &ann.bearer()).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            a.text
        );
    }
    // Nothing was stored by the refused requests.
    let a = t.get("/api/preferences", &ann.bearer()).await;
    assert_eq!(a.json["onboarding"], "pending");
    assert!(a.json["genres"].as_array().unwrap().is_empty());

    let a = put(
        &t,
        "/api/preferences",
        json!({"genres": [{"genre": "sci-fi", "weight": 3}, {"genre": "Drama", "weight": 1}],
               "people": [{"person_id": "p:scott", "weight": 2}]}),
        &ann.cookie(),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["onboarding"], "done");
    assert_eq!(
        a.json["genres"],
        json!([{"genre": "Sci-Fi", "weight": 3}, {"genre": "Drama", "weight": 1}])
    );
    assert_eq!(a.json["people"][0]["person_id"], "p:scott");
    assert_eq!(a.json["people"][0]["label"], "scott");
    // Skipping after answering keeps the answers.
    let a = t
        .post("/api/onboarding/skip", json!({}), &ann.bearer())
        .await;
    assert_eq!(a.json["onboarding"], "done");

    // For You starts from the favourites: sci-fi first, with the favourite as the reason.
    let a = t
        .get("/api/recommendations?list=for_you&n=4", &ann.bearer())
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let items = a.json["items"].as_array().unwrap();
    assert!(!items.is_empty());
    let sci_fi = ["1", "2", "3", "4"];
    assert!(
        sci_fi.contains(&items[0]["item_id"].as_str().unwrap()),
        "{}",
        a.text
    );
    assert!(a.text.contains("Because you like Sci-Fi"), "{}", a.text);

    // A new answer replaces the old one.
    let a = put(
        &t,
        "/api/preferences",
        json!({"genres": [{"genre": "Comedy", "weight": 2}]}),
        &ann.bearer(),
    )
    .await;
    assert_eq!(a.json["genres"], json!([{"genre": "Comedy", "weight": 2}]));
    assert!(a.json["people"].as_array().unwrap().is_empty());
    let a = t
        .get("/api/recommendations?list=for_you&n=3", &ann.bearer())
        .await;
    assert!(a.text.contains("Because you like Comedy"), "{}", a.text);

    // A skipped quiz.
    let bob = t.signup("bob").await;
    let a = t
        .post("/api/onboarding/skip", json!({}), &bob.bearer())
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["onboarding"], "skipped");
    assert_eq!(
        t.get("/api/profile", &bob.bearer()).await.json["preferences"]["onboarding"],
        "skipped"
    );
}

#[tokio::test]
async fn history_pages_and_stats() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    for (movie, rating) in [("1", 5.0), ("3", 4.0), ("5", 2.5)] {
        let a = t
            .post(
                "/api/rate",
                json!({"movie_id": movie, "rating": rating}),
                &ann.bearer(),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    }
    t.post(
        "/api/rate",
        json!({"movie_id": "7", "feedback": "watched"}),
        &ann.bearer(),
    )
    .await;
    let a = t
        .get("/api/history/ratings?per_page=2", &ann.bearer())
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["total"], 3);
    assert_eq!(a.json["items"].as_array().unwrap().len(), 2);
    let a = t
        .get("/api/history/ratings?per_page=2&page=2", &ann.bearer())
        .await;
    assert_eq!(a.json["items"].as_array().unwrap().len(), 1);
    assert_eq!(a.json["page"], 2);
    let a = t.get("/api/history/watched", &ann.bearer()).await;
    assert_eq!(a.json["total"], 1);
    assert_eq!(a.json["items"][0]["title"], "The Big Lebowski");
    for uri in [
        "/api/history/ratings?page=0",
        "/api/history/ratings?page=abc",
        "/api/history/watched?per_page=0",
        "/api/history/watched?per_page=101",
        "/api/history/ratings?sort=title",
        "/api/stats?user=abc",
    ] {
        let a = t.get(uri, &ann.bearer()).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}: {}", a.text);
        assert!(a.json["error"]["message"].as_str().is_some());
    }
    let a = t.get("/api/stats", &ann.bearer()).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["ratings"], 3);
    assert_eq!(a.json["watched"], 1);
    let avg = a.json["average_rating"].as_f64().unwrap();
    assert!((avg - 11.5 / 3.0).abs() < 1e-9, "{avg}");
    let per_genre = a.json["per_genre"].as_array().unwrap();
    assert_eq!(
        per_genre[0],
        json!({"genre": "Sci-Fi", "count": 2, "average": 4.5})
    );
    assert_eq!(a.json["activity_unit"], "day");
    let activity = a.json["activity"].as_array().unwrap();
    assert_eq!(activity.len(), 14, "two weeks of days");
    assert_eq!(activity[13]["count"], 4);
}

#[tokio::test]
async fn authorisation_matrix_of_profile_routes() {
    let t = TestApp::new().await;
    let ann = t.signup("ann").await;
    let bob = t.signup("bob").await;
    let staff = t.staff("sue").await;
    t.post(
        "/api/rate",
        json!({"movie_id": "1", "rating": 5}),
        &ann.bearer(),
    )
    .await;
    put(
        &t,
        "/api/preferences",
        json!({"genres": [{"genre": "Crime", "weight": 3}]}),
        &ann.bearer(),
    )
    .await;
    let private: &[(Method, &str, Option<Value>)] = &[
        (Method::GET, "/api/profile", None),
        (Method::PATCH, "/api/profile", Some(json!({"bio": "x"}))),
        (Method::GET, "/api/preferences", None),
        (Method::PUT, "/api/preferences", Some(json!({}))),
        (Method::POST, "/api/onboarding/skip", Some(json!({}))),
        (Method::GET, "/api/history/ratings", None),
        (Method::GET, "/api/history/watched", None),
        (Method::GET, "/api/stats", None),
    ];
    for (method, uri, body) in private {
        let a = t.send(method.clone(), uri, body.clone(), &Auth::None).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        assert_eq!(a.code(), "unauthorized");
        // Cookie writes need the CSRF header.
        if *method != Method::GET {
            let a = t
                .send(
                    method.clone(),
                    uri,
                    body.clone(),
                    &ann.cookie_without_csrf(),
                )
                .await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{method} {uri}");
            assert_eq!(a.code(), "csrf");
        }
    }
    let reads = [
        "/api/profile",
        "/api/preferences",
        "/api/history/ratings",
        "/api/history/watched",
        "/api/stats",
    ];
    for path in reads {
        let of_ann = format!("{path}?user={}", ann.id);
        // Another user: 403, whatever the route.
        let a = t.get(&of_ann, &bob.bearer()).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{of_ann}: {}", a.text);
        assert_eq!(a.code(), "not_owner");
        // The owner, with or without naming themself.
        for uri in [path.to_string(), of_ann.clone()] {
            let a = t.get(&uri, &ann.bearer()).await;
            assert_eq!(a.status, StatusCode::OK, "{uri}: {}", a.text);
        }
        // Staff may read anyone's; an unknown account is 404.
        let a = t.get(&of_ann, &staff.bearer()).await;
        assert_eq!(a.status, StatusCode::OK, "{of_ann}: {}", a.text);
        let a = t.get(&format!("{path}?user=99999"), &staff.bearer()).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}: {}", a.text);
    }
    // What staff read is Ann's, not their own.
    let uri = format!("/api/stats?user={}", ann.id);
    assert_eq!(t.get(&uri, &staff.bearer()).await.json["ratings"], 1);
    assert_eq!(
        t.get("/api/stats", &staff.bearer()).await.json["ratings"],
        0
    );
    let uri = format!("/api/preferences?user={}", ann.id);
    assert_eq!(
        t.get(&uri, &staff.bearer()).await.json["genres"][0]["genre"],
        "Crime"
    );
    // Writes change the caller's own account only; a `user` field is refused.
    let a = patch(
        &t,
        "/api/profile",
        json!({"bio": "bob's", "user": ann.id}),
        &bob.bearer(),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    patch(&t, "/api/profile", json!({"bio": "bob's"}), &bob.bearer()).await;
    put(
        &t,
        "/api/preferences",
        json!({"genres": [{"genre": "Comedy", "weight": 1}]}),
        &bob.bearer(),
    )
    .await;
    let a = t.get("/api/profile", &ann.bearer()).await;
    assert_eq!(a.json["user"]["bio"], "");
    assert_eq!(a.json["preferences"]["genres"][0]["genre"], "Crime");
    // Bob's history holds none of Ann's ratings.
    assert_eq!(
        t.get("/api/history/ratings", &bob.bearer()).await.json["total"],
        0
    );
}

#[tokio::test]
async fn people_tags_and_popular() {
    let t = TestApp::new().await;
    let a = t.get("/api/people/p:scott", &Auth::None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["label"], "scott");
    assert_eq!(a.json["roles"][0]["role"], "director");
    let titles: Vec<&str> = a.json["roles"][0]["movies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(titles.contains(&"Blade Runner") && titles.contains(&"Thelma & Louise"));
    assert!(a.json.get("note").is_none(), "a named person needs no note");
    let a = t.get("/api/people/p:nobody", &Auth::None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.code(), "not_found");
    let long = format!("/api/people/{}", "x".repeat(65));
    assert_eq!(
        t.get(&long, &Auth::None).await.status,
        StatusCode::BAD_REQUEST
    );
    // A person without a name is labelled by role and best-known movie.
    t.execute("INSERT INTO people (id, name) VALUES ('m.0abc', NULL)")
        .await;
    t.execute("INSERT INTO credits (movie_id, person_id, role) VALUES ('5', 'm.0abc', 'actor')")
        .await;
    let a = t.get("/api/people/m.0abc", &Auth::None).await;
    assert_eq!(a.json["label"], "Actor of Fargo (1996)", "{}", a.text);
    assert!(a.json["note"].as_str().unwrap().contains("Freebase"));

    for (movie, tag) in [("1", "space"), ("3", "Space"), ("3", "noir")] {
        recsys_server::with_db!(&t.state.db, |pool| sqlx::query(
            "INSERT INTO movie_tags (movie_id, tag) VALUES ($1, $2)"
        )
        .bind(movie)
        .bind(tag)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
        .unwrap();
    }
    let a = t.get("/api/tags/SPACE", &Auth::None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["total"], 2);
    let a = t.get("/api/tags/noir?per_page=1&page=1", &Auth::None).await;
    assert_eq!(a.json["items"][0]["title"], "Blade Runner");
    assert_eq!(
        t.get("/api/tags/western", &Auth::None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get("/api/tags/noir?page=0", &Auth::None).await.status,
        StatusCode::BAD_REQUEST
    );

    let a = t.get("/api/popular?n=5", &Auth::None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["list"], "popular");
    let counts: Vec<i64> = a.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["ratings"].as_i64().unwrap())
        .collect();
    assert_eq!(counts.len(), 5);
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    let a = t.get("/api/popular?genre=romance", &Auth::None).await;
    let ids: Vec<&str> = a.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["10", "8"], "{}", a.text);
    for uri in [
        "/api/popular?n=0",
        "/api/popular?n=101",
        "/api/popular?genre=Western",
        "/api/popular?when=now",
    ] {
        let a = t.get(uri, &Auth::None).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}: {}", a.text);
    }
    // A signed-in user's rated movies are left out.
    let ann = t.signup("ann").await;
    t.post(
        "/api/rate",
        json!({"movie_id": "10", "rating": 3}),
        &ann.bearer(),
    )
    .await;
    let a = t.get("/api/popular?genre=Romance", &ann.bearer()).await;
    assert_eq!(a.json["items"].as_array().unwrap().len(), 1);
    assert_eq!(a.json["items"][0]["item_id"], "8");
}

#[tokio::test]
async fn profile_history_and_quiz_pages() {
    let t = TestApp::new().await;
    for path in [
        "/profile",
        "/profile/ratings",
        "/profile/watched",
        "/onboarding",
    ] {
        let a = t.get(path, &Auth::None).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{path}");
        let location = a.headers[header::LOCATION].to_str().unwrap();
        assert_eq!(location, format!("/login?next={path}"));
    }
    let signup = t.get("/signup", &Auth::None).await;
    assert!(signup.text.contains("data-next=\"/onboarding\""));
    let ann = t.signup("ann").await;
    let a = t.get("/profile", &ann.cookie()).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text.contains("@ann") && a.text.contains("Take the taste quiz"));
    assert!(a.text.contains("Rate a few movies to see your genres"));
    for (movie, rating) in [("1", 5), ("2", 4), ("9", 3)] {
        t.post(
            "/api/rate",
            json!({"movie_id": movie, "rating": rating}),
            &ann.bearer(),
        )
        .await;
    }
    put(
        &t,
        "/api/preferences",
        json!({"genres": [{"genre": "Sci-Fi", "weight": 2}]}),
        &ann.bearer(),
    )
    .await;
    patch(
        &t,
        "/api/profile",
        json!({"bio": "<script>alert(1)</script>"}),
        &ann.bearer(),
    )
    .await;
    let a = t.get("/profile", &ann.cookie()).await;
    assert!(a.text.contains("<svg class=\"bars\""), "{}", a.text);
    assert!(a.text.contains("<svg class=\"columns\""));
    assert!(a.text.contains("Sci-Fi: 2 ratings, average 4.5 ★"));
    assert!(a.text.contains("Sci-Fi <span class=\"weight\">★★☆</span>"));
    assert!(a.text.contains("Edit your taste"));
    assert!(!a.text.contains("<script>alert(1)"), "the bio is escaped");

    let a = t.get("/profile/ratings", &ann.cookie()).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text.contains("Toy Story") && a.text.contains("★★★☆☆"));
    assert!(a.text.contains("3 movies"));
    let a = t.get("/profile/ratings?page=abc", &ann.cookie()).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.text.contains("`page` must be"));
    let a = t.get("/profile/watched", &ann.cookie()).await;
    assert!(a.text.contains("Nothing here yet"));

    let a = t.get("/onboarding", &ann.cookie()).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text.contains("data-quiz") && a.text.contains("Skip for now"));
    assert!(
        a.text
            .contains("data-kind=\"genre\" data-value=\"Sci-Fi\" data-weight=\"2\""),
        "the current answer is preselected"
    );
    assert!(a
        .text
        .contains("data-kind=\"person\" data-value=\"p:scott\""));
}

#[tokio::test]
async fn people_tag_and_home_pages() {
    let t = TestApp::new().await;
    t.execute("INSERT INTO movie_tags (movie_id, tag) VALUES ('3', 'cyber punk')")
        .await;
    let a = t.get("/movies/3", &Auth::None).await;
    assert!(a.text.contains("href=\"/people/p%3Ascott\""), "{}", a.text);
    assert!(a.text.contains("href=\"/tags/cyber%20punk\""), "{}", a.text);
    let a = t.get("/people/p%3Ascott", &Auth::None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text.contains("<h1>scott</h1>") && a.text.contains("Director (3)"));
    assert!(a.text.contains("Blade Runner"));
    let a = t.get("/people/nobody", &Auth::None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = t.get("/tags/cyber%20punk", &Auth::None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text.contains("#cyber punk") && a.text.contains("Blade Runner"));
    assert_eq!(
        t.get("/tags/none", &Auth::None).await.status,
        StatusCode::NOT_FOUND
    );
    // Home: Trending and Popular for visitors.
    let a = t.get("/", &Auth::None).await;
    assert!(a.text.contains("<h2>Trending now</h2>"));
    assert!(a.text.contains("<h2>Popular of all time</h2>"));
    assert!(a.text.contains(" ratings</small>"));
    // The header links the profile.
    let ann = t.signup("ann").await;
    let a = t.get("/", &ann.cookie()).await;
    assert!(a.text.contains("href=\"/profile\""));
}
