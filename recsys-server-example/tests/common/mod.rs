//! A test application: a temporary database holding a small catalogue, a recommender
//! trained on it (in milliseconds), and helpers that send requests through the router.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use recsys_core::data::{Dataset, Feedback, Role};
use recsys_core::prelude::{AlsConfig, Parallelism, RecommenderBuilder};
use recsys_server::config::Config;
use recsys_server::model::{live, Trainer};
use recsys_server::{app, db, import, AppState};
use serde_json::Value;
use tower::ServiceExt;

/// Movies: (id, title, year, genres, director).
pub const MOVIES: &[(&str, &str, i32, &[&str], &str)] = &[
    ("1", "Alien", 1979, &["Sci-Fi", "Horror"], "p:scott"),
    ("2", "Aliens", 1986, &["Sci-Fi", "Action"], "p:cameron"),
    ("3", "Blade Runner", 1982, &["Sci-Fi"], "p:scott"),
    (
        "4",
        "The Terminator",
        1984,
        &["Sci-Fi", "Action"],
        "p:cameron",
    ),
    ("5", "Fargo", 1996, &["Crime", "Drama"], "p:coen"),
    ("6", "Heat", 1995, &["Crime", "Action"], "p:mann"),
    (
        "7",
        "The Big Lebowski",
        1998,
        &["Comedy", "Crime"],
        "p:coen",
    ),
    ("8", "Amélie", 2001, &["Comedy", "Romance"], "p:jeunet"),
    (
        "9",
        "Toy Story",
        1995,
        &["Animation", "Comedy"],
        "p:lasseter",
    ),
    ("10", "Titanic", 1997, &["Romance", "Drama"], "p:cameron"),
    (
        "11",
        "Thelma & Louise",
        1991,
        &["Crime", "Drama"],
        "p:scott",
    ),
    ("12", "Collateral", 2004, &["Crime", "Action"], "p:mann"),
];

/// Training users' ratings: sci-fi fans, crime fans, comedy fans.
pub fn dataset() -> Dataset {
    let mut ds = Dataset::new();
    let groups: [(&[&str], &[&str]); 3] = [
        (&["1", "2", "3", "4"], &["10"]),
        (&["5", "6", "11", "12"], &["9"]),
        (&["7", "8", "9"], &["4"]),
    ];
    let mut t = 1_000;
    for (g, (liked, disliked)) in groups.iter().enumerate() {
        for u in 0..4 {
            let user = format!("{g}{u}");
            for (k, item) in liked.iter().enumerate() {
                // Each user skips one liked movie, so the model has something to predict.
                if k % 4 != u {
                    ds.add_event(&user, item, Feedback::Rating(5.0), t).unwrap();
                    t += 1;
                }
            }
            for item in disliked.iter() {
                ds.add_event(&user, item, Feedback::Rating(1.0), t).unwrap();
                t += 1;
            }
        }
    }
    for &(id, title, year, genres, director) in MOVIES {
        let mut editor = ds.item(id).title(title).year(year);
        for genre in genres {
            editor = editor.genre(genre);
        }
        let name = director.trim_start_matches("p:");
        editor.credit(director, Some(name), Role::Director);
    }
    ds
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// The builder tests train with: small and sequential.
pub fn builder() -> RecommenderBuilder {
    RecommenderBuilder::new()
        .als(
            AlsConfig::new()
                .factors(4)
                .regularization(0.1)
                .iterations(5)
                .seed(1),
        )
        .parallelism(Parallelism::Sequential)
}

/// A running application on a fresh temporary database.
pub struct TestApp {
    pub app: Router,
    pub state: AppState,
    dir: PathBuf,
}

/// How a request authenticates.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Bearer(String),
    /// The session cookie, with or without the CSRF header.
    Cookie {
        token: String,
        csrf: Option<String>,
    },
}

/// A signed-up user's credentials.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: i64,
    pub token: String,
    pub csrf: String,
}

impl Session {
    pub fn bearer(&self) -> Auth {
        Auth::Bearer(self.token.clone())
    }
    pub fn cookie(&self) -> Auth {
        Auth::Cookie {
            token: self.token.clone(),
            csrf: Some(self.csrf.clone()),
        }
    }
    pub fn cookie_without_csrf(&self) -> Auth {
        Auth::Cookie {
            token: self.token.clone(),
            csrf: None,
        }
    }
}

/// A response, its body parsed as JSON when it is JSON (else `Value::String` of the text).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

impl Answer {
    /// The error code of an error answer.
    pub fn code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub async fn new() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "recsys-server-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut config = Config::defaults();
        config.data_dir = dir.clone();
        let pool = test_database(&dir).await;
        import::import_dataset(&pool, &dataset(), "ml")
            .await
            .unwrap();
        let trainer = Trainer::new(builder(), config.model_path());
        let (recommender, _) = trainer
            .train(&pool, Parallelism::Sequential)
            .await
            .unwrap()
            .unwrap();
        let state = AppState::new(pool, live(recommender), trainer, config);
        Self {
            app: app(state.clone()),
            state,
            dir,
        }
    }

    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
        auth: &Auth,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        match auth {
            Auth::None => {}
            Auth::Bearer(token) => {
                request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            Auth::Cookie { token, csrf } => {
                request =
                    request.header(header::COOKIE, format!("other=1; recsys_session={token}"));
                if let Some(csrf) = csrf {
                    request = request.header("x-csrf-token", csrf);
                }
            }
        }
        let body = match body {
            Some(value) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(value.to_string())
            }
            None => Body::empty(),
        };
        self.raw(request.body(body).unwrap()).await
    }

    pub async fn raw(&self, request: Request<Body>) -> Answer {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
        Answer {
            status,
            headers,
            json,
            text,
        }
    }

    pub async fn get(&self, uri: &str, auth: &Auth) -> Answer {
        self.send(Method::GET, uri, None, auth).await
    }

    pub async fn post(&self, uri: &str, body: Value, auth: &Auth) -> Answer {
        self.send(Method::POST, uri, Some(body), auth).await
    }

    pub async fn delete(&self, uri: &str, auth: &Auth) -> Answer {
        self.send(Method::DELETE, uri, None, auth).await
    }

    /// Signs up `name` with password `password123`.
    pub async fn signup(&self, name: &str) -> Session {
        let answer = self
            .post(
                "/api/auth/signup",
                serde_json::json!({"username": name, "password": "password123"}),
                &Auth::None,
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
        Session {
            id: answer.json["user"]["id"].as_i64().unwrap(),
            token: answer.json["token"].as_str().unwrap().to_string(),
            csrf: answer.json["csrf_token"].as_str().unwrap().to_string(),
        }
    }

    /// Signs up `name` and makes the account staff.
    pub async fn staff(&self, name: &str) -> Session {
        let session = self.signup(name).await;
        recsys_server::with_db!(&self.state.db, |pool| sqlx::query(
            "UPDATE users SET is_staff = TRUE WHERE id = $1"
        )
        .bind(session.id)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
        .unwrap();
        session
    }
}

impl TestApp {
    /// The body of `GET uri` on `app` (JSON, or `Value::String` of the text).
    pub async fn answer_of(app: &Router, uri: &str) -> Value {
        let request = Request::builder().uri(uri).body(Body::empty()).unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    }

    /// Signs `name` up on the application of `state`, returns the account id.
    pub async fn signup_on(state: &AppState, name: &str) -> i64 {
        let app = app(state.clone());
        let body = serde_json::json!({"username": name, "password": "password123"}).to_string();
        let request = Request::builder()
            .method(Method::POST)
            .uri("/api/auth/signup")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()["user"]["id"]
            .as_i64()
            .unwrap()
    }

    /// Runs one SQL statement without parameters on the test database.
    pub async fn execute(&self, sql: &'static str) {
        recsys_server::with_db!(&self.state.db, |pool| sqlx::query(sql)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
        .unwrap();
    }
}

/// The test database: a fresh schema on the PostgreSQL server named by
/// `RECSYS_TEST_DATABASE_URL` when it is set (scripts/test-postgres.sh sets it), else a SQLite
/// file in `dir`.
pub async fn test_database(dir: &std::path::Path) -> db::Db {
    match std::env::var("RECSYS_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            use sqlx::{Connection, Executor};
            let schema = format!(
                "test_{}_{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::SeqCst)
            );
            let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
            admin
                .execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .await
                .unwrap();
            admin.close().await.unwrap();
            let options: sqlx::postgres::PgConnectOptions = url.parse().unwrap();
            db::open_postgres(options.options([("search_path", schema.as_str())]))
                .await
                .unwrap()
        }
        _ => db::open(&dir.join("recsys.sqlite3")).await.unwrap(),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
