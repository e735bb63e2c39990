//! The hot queries use indexes: EXPLAIN on the test database (SQLite's `EXPLAIN QUERY PLAN`;
//! PostgreSQL's `EXPLAIN` with sequential scans discouraged, so a usable index shows even on
//! the tiny test tables).

mod common;

use common::TestApp;
use recsys_server::db::Db;

/// (what, query with `$1` = a number, indexes of which one must appear in the plan).
const HOT_QUERIES: &[(&str, &str, &[&str])] = &[
    (
        "a user's history, oldest first (fold-in on every request)",
        "SELECT movie_id, rating, opinion, watched, updated_at FROM feedback \
         WHERE user_id = $1 ORDER BY updated_at",
        &["feedback_user_time"],
    ),
    (
        "a user's history page, newest first",
        "SELECT movie_id FROM feedback WHERE user_id = $1 ORDER BY updated_at DESC LIMIT 50",
        &["feedback_user_time"],
    ),
    (
        "the watchlist, newest first",
        "SELECT movie_id FROM watchlist WHERE user_id = $1 ORDER BY added_at DESC",
        &["watchlist_user_time"],
    ),
    (
        "the retrain trigger's count of new feedback",
        "SELECT COUNT(*) FROM feedback WHERE updated_at >= $1",
        &["feedback_time"],
    ),
    (
        "the search's year filter",
        "SELECT id FROM movies m WHERE m.year >= $1",
        &["movies_year"],
    ),
    (
        "the search's genre filter, per movie",
        "SELECT m.id FROM movies m WHERE m.year >= $1 AND EXISTS (SELECT 1 FROM movie_genres g \
         WHERE g.movie_id = m.id AND lower(g.genre) = 'crime')",
        &["movie_genres_pkey", "sqlite_autoindex_movie_genres_1"],
    ),
    (
        "a movie's ratings (details page)",
        "SELECT COUNT(rating) FROM feedback WHERE movie_id = CAST($1 AS TEXT)",
        &["feedback_movie"],
    ),
];

async fn plan(db: &Db, sql: &str, value: i64) -> String {
    match db {
        Db::Sqlite(pool) => {
            let rows: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                    .bind(value)
                    .fetch_all(pool)
                    .await
                    .unwrap();
            rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("\n")
        }
        Db::Postgres(pool) => {
            let mut conn = pool.acquire().await.unwrap();
            sqlx::query("SET enable_seqscan = off")
                .execute(&mut *conn)
                .await
                .unwrap();
            let rows: Vec<String> =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")))
                    .bind(value)
                    .fetch_all(&mut *conn)
                    .await
                    .unwrap();
            sqlx::query("RESET enable_seqscan")
                .execute(&mut *conn)
                .await
                .unwrap();
            rows.join("\n")
        }
    }
}

#[tokio::test]
async fn hot_queries_use_their_indexes() {
    let t = TestApp::new().await;
    for (what, sql, indexes) in HOT_QUERIES {
        let plan = plan(&t.state.db, sql, 1).await;
        assert!(
            indexes.iter().any(|index| plan.contains(index)),
            "{what} ({}): no index of {indexes:?} in the plan:\n{plan}",
            t.state.db.backend()
        );
    }
}
