//! First start: MovieLens-100K (RecBole atomic files) into the database — movies with
//! genres, the `.kg` cast and crew and other facts, and the 943 users as inactive accounts
//! with their ratings — in one transaction, once.

use std::path::Path;

use recsys_core::data::loaders::recbole::load_recbole_dir;
use recsys_core::data::{Dataset, Feedback};
use sqlx::QueryBuilder;

use crate::db::{meta, now, search_key, set_meta, Db};
use crate::error::{AppError, AppResult};
use crate::with_tx;

/// The `meta` key set when the import is done.
pub const IMPORTED: &str = "movielens_imported";
/// Rows per multi-row INSERT (SQLite allows 32766 bound values).
const CHUNK: usize = 500;

/// What an import added.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Movies.
    pub movies: usize,
    /// Inactive accounts.
    pub users: usize,
    /// Feedback rows.
    pub ratings: usize,
    /// Cast and crew credits.
    pub credits: usize,
}

/// Imports MovieLens-100K from `dir` unless it was imported before (then `None`).
///
/// # Errors
/// Missing or malformed files (the core's loader names file and line), database errors.
pub async fn import_movielens_once(db: &Db, dir: &Path) -> AppResult<Option<ImportSummary>> {
    if meta(db, IMPORTED).await?.is_some() {
        return Ok(None);
    }
    let dir = dir.to_path_buf();
    let dataset = tokio::task::spawn_blocking(move || load_recbole_dir(&dir, "ml-100k"))
        .await?
        .map_err(|e| {
            AppError::internal(format!(
                "cannot read MovieLens-100K: {e} (run scripts/fetch-movielens.sh)"
            ))
        })?;
    let summary = import_dataset(db, &dataset, "ml").await?;
    set_meta(db, IMPORTED, &now().to_string()).await?;
    Ok(Some(summary))
}

/// Writes a dataset's catalogue and events in one transaction; its users become inactive
/// accounts named `{prefix}-{id}`. Ratings keep their timestamps.
///
/// # Errors
/// Database errors (e.g. a username that exists already).
pub async fn import_dataset(db: &Db, ds: &Dataset, prefix: &str) -> AppResult<ImportSummary> {
    let mut summary = ImportSummary::default();
    let catalog = ds.catalog();
    let mut tx = db.begin().await?;

    let items: Vec<(u32, &str)> = ds
        .items
        .ids()
        .iter()
        .enumerate()
        .map(|(i, id)| (i as u32, id.as_str()))
        .collect();
    for chunk in items.chunks(CHUNK) {
        with_tx!(&mut tx, |conn| {
            let mut q =
                QueryBuilder::new("INSERT INTO movies (id, title, title_key, year, synopsis) ");
            q.push_values(chunk, |mut b, &(index, id)| {
                let info = catalog.item(index);
                let title = info
                    .and_then(|i| i.title.clone())
                    .unwrap_or_else(|| id.to_string());
                let key = search_key(&title);
                b.push_bind(id)
                    .push_bind(title)
                    .push_bind(key)
                    .push_bind(info.and_then(|i| i.year))
                    .push_bind(info.and_then(|i| i.text.clone()).unwrap_or_default());
            });
            q.build()
                .execute(&mut **conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        summary.movies += chunk.len();
    }

    let mut genres = Vec::new();
    let mut tags = Vec::new();
    let mut attributes = Vec::new();
    let mut credits = Vec::new();
    for &(index, id) in &items {
        let Some(info) = catalog.item(index) else {
            continue;
        };
        genres.extend(info.genres.iter().map(|g| (id, g.as_str())));
        tags.extend(info.tags.iter().map(|t| (id, t.text.as_str())));
        attributes.extend(
            info.attributes
                .iter()
                .map(|(k, v)| (id, k.as_str(), v.as_str())),
        );
        for credit in &info.credits {
            if let Some(person) = catalog.person_id(credit.person) {
                credits.push((
                    id,
                    person,
                    catalog.person_name(credit.person),
                    credit.role.as_str(),
                ));
            }
        }
    }
    for chunk in genres.chunks(CHUNK) {
        with_tx!(&mut tx, |conn| {
            let mut q = QueryBuilder::new("INSERT INTO movie_genres (movie_id, genre) ");
            q.push_values(chunk, |mut b, (m, g)| {
                b.push_bind(*m).push_bind(*g);
            });
            q.build()
                .execute(&mut **conn)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    for chunk in tags.chunks(CHUNK) {
        with_tx!(&mut tx, |conn| {
            let mut q = QueryBuilder::new("INSERT INTO movie_tags (movie_id, tag) ");
            q.push_values(chunk, |mut b, (m, t)| {
                b.push_bind(*m).push_bind(*t);
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build()
                .execute(&mut **conn)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    for chunk in attributes.chunks(CHUNK) {
        with_tx!(&mut tx, |conn| {
            let mut q = QueryBuilder::new("INSERT INTO movie_attributes (movie_id, name, value) ");
            q.push_values(chunk, |mut b, (m, k, v)| {
                b.push_bind(*m).push_bind(*k).push_bind(*v);
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build()
                .execute(&mut **conn)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    let mut people: Vec<(&str, Option<&str>)> = credits.iter().map(|c| (c.1, c.2)).collect();
    people.sort_unstable();
    people.dedup_by(|a, b| a.0 == b.0);
    for chunk in people.chunks(CHUNK) {
        with_tx!(&mut tx, |conn| {
            let mut q = QueryBuilder::new("INSERT INTO people (id, name) ");
            q.push_values(chunk, |mut b, (id, name)| {
                b.push_bind(*id).push_bind(*name);
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build()
                .execute(&mut **conn)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    for chunk in credits.chunks(CHUNK) {
        with_tx!(&mut tx, |conn| {
            let mut q = QueryBuilder::new("INSERT INTO credits (movie_id, person_id, role) ");
            q.push_values(chunk, |mut b, (m, p, _, r)| {
                b.push_bind(*m).push_bind(*p).push_bind(*r);
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build()
                .execute(&mut **conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        summary.credits += chunk.len();
    }

    // Accounts: the dataset's users, inactive (no password), ids assigned by the database.
    let created = now();
    let mut account = Vec::with_capacity(ds.users.len());
    for user in ds.users.ids() {
        let id: i64 = with_tx!(&mut tx, |conn| sqlx::query_scalar(
            "INSERT INTO users (username, display_name, password_hash, is_active, created_at) \
             VALUES ($1, $2, NULL, FALSE, $3) RETURNING id",
        )
        .bind(format!("{prefix}-{user}"))
        .bind(format!("MovieLens user {user}"))
        .bind(created)
        .fetch_one(&mut **conn)
        .await)?;
        account.push(id);
    }
    summary.users = account.len();

    // Feedback: one row per (user, movie), the latest rating wins.
    // (rating, opinion, watched, time) per (account, item).
    type Row<'a> = (Option<f32>, Option<&'a str>, bool, i64);
    let mut rows: std::collections::BTreeMap<(i64, u32), Row> = std::collections::BTreeMap::new();
    for e in ds.events() {
        let entry = rows.entry((account[e.user as usize], e.item)).or_insert((
            None,
            None,
            false,
            e.timestamp,
        ));
        entry.3 = entry.3.max(e.timestamp);
        match e.feedback {
            Feedback::Rating(r) => entry.0 = Some(r),
            Feedback::Like => entry.1 = Some("like"),
            Feedback::Dislike => entry.1 = Some("dislike"),
            Feedback::NotInterested => entry.1 = Some("not_interested"),
            _ => entry.2 = true,
        }
    }
    let rows: Vec<_> = rows.into_iter().collect();
    for chunk in rows.chunks(CHUNK) {
        with_tx!(&mut tx, |conn| {
            let mut q = QueryBuilder::new(
                "INSERT INTO feedback (user_id, movie_id, rating, opinion, watched, updated_at) ",
            );
            q.push_values(
                chunk,
                |mut b, ((user, item), (rating, opinion, watched, at))| {
                    b.push_bind(*user)
                        .push_bind(items[*item as usize].1)
                        .push_bind(rating.map(f64::from))
                        .push_bind(*opinion)
                        .push_bind(*watched)
                        .push_bind(*at);
                },
            );
            q.build()
                .execute(&mut **conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        summary.ratings += chunk.len();
    }
    tx.commit().await?;
    Ok(summary)
}
