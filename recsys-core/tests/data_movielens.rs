//! Tests on the real MovieLens-100K data fetched by `scripts/fetch-movielens.sh`.

#![cfg(feature = "fs")]

use std::path::PathBuf;

use recsys_core::data::loaders::{ml_latest, movielens, recbole};
use recsys_core::data::{Dataset, Role};

/// The `ml-100k` directory: `$RECSYS_DATA_DIR`, or `data/ml-100k` at the workspace root.
fn data_dir() -> PathBuf {
    let dir = std::env::var_os("RECSYS_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/ml-100k"));
    assert!(
        dir.join("ml-100k.inter").is_file(),
        "MovieLens-100K not found in {}: run scripts/fetch-movielens.sh first \
         (or set RECSYS_DATA_DIR to a directory holding ml-100k.inter)",
        dir.display()
    );
    dir
}

#[test]
fn ratings_have_the_published_shape() {
    let start = std::time::Instant::now();
    let ds = recbole::load_inter(data_dir().join("ml-100k.inter")).unwrap();
    eprintln!("loaded ml-100k.inter in {:?}", start.elapsed());
    assert_eq!(ds.events().len(), 100_000);
    assert_eq!(ds.n_users(), 943);
    assert_eq!(ds.n_items(), 1_682);
    assert_eq!(ds.ratings().len(), 100_000);
    assert_eq!(
        ds.catalog().len(),
        1_682,
        "the catalog grows with the items"
    );
}

fn load_all() -> Dataset {
    let start = std::time::Instant::now();
    let ds = recbole::load_recbole_dir(data_dir(), "ml-100k").unwrap();
    eprintln!(
        "loaded ml-100k (inter, item, kg, link) in {:?}",
        start.elapsed()
    );
    ds
}

#[test]
fn catalog_has_titles_years_genres_and_people() {
    let ds = load_all();
    assert_eq!(
        (ds.n_users(), ds.n_items(), ds.events().len()),
        (943, 1_682, 100_000)
    );
    assert_eq!(ds.catalog().len(), 1_682);
    let with_title = ds
        .catalog()
        .iter()
        .filter(|(_, m)| m.title.is_some())
        .count();
    let with_year = ds
        .catalog()
        .iter()
        .filter(|(_, m)| m.year.is_some())
        .count();
    let with_genre = ds
        .catalog()
        .iter()
        .filter(|(_, m)| !m.genres.is_empty())
        .count();
    assert_eq!(with_title, 1_682);
    assert_eq!(with_year, 1_681, "only item 267 (\"unkonwn\") lacks a year");
    assert_eq!(with_genre, 1_682);
    assert_eq!(
        ds.catalog().genres().len(),
        19,
        "{:?}",
        ds.catalog().genres()
    );

    // Items in .item order: item "1" is index 0.
    let toy_story = ds.catalog().find_title("Toy Story (1995)").unwrap();
    assert_eq!(ds.items.id_of(toy_story), Some("1"));
    let info = ds.catalog().item(toy_story).unwrap();
    assert_eq!(info.genres, ["Animation", "Children's", "Comedy"]);
    assert!(info.people(Role::Actor).count() >= 5);
    assert_eq!(info.people(Role::Director).count(), 1);
    let tokens = ds.catalog().content_tokens(toy_story);
    assert!(
        tokens.iter().any(|(t, _)| t == "genre:animation"),
        "{tokens:?}"
    );
    assert!(tokens.iter().any(|(t, _)| t.starts_with("director:m.")));
    assert!(tokens
        .iter()
        .any(|(t, _)| t.starts_with("film.film.genre=m.")));

    let mut credits = [0usize; 4];
    let mut items_with = [0usize; 4];
    for (_, info) in ds.catalog().iter() {
        for (r, role) in Role::ALL.iter().enumerate() {
            let n = info.people(*role).count();
            credits[r] += n;
            items_with[r] += usize::from(n > 0);
        }
    }
    eprintln!(
        "credits per role {credits:?}, items with a credit per role {items_with:?}, people {}",
        ds.catalog().n_people()
    );
    // Counted independently (Python) from ml-100k.kg: distinct (film, person) pairs of the
    // relations film.film.{actor, directed_by, written_by, produced_by} whose film is linked; the
    // reverse relations (film.director.film, ...) only repeat them.
    assert_eq!(credits, [40_152, 1_727, 2_381, 2_615]);
    assert_eq!(items_with, [1_565, 1_590, 1_336, 1_367]);
    let attributes: usize = ds.catalog().iter().map(|(_, m)| m.attributes.len()).sum();
    assert!(attributes > 20_000, "{attributes}");

    // Directors shared between films are found both ways.
    let by_person = ds.catalog().credits_by_person();
    let prolific = (0..ds.catalog().n_people() as u32)
        .max_by_key(|&p| {
            by_person[p as usize]
                .iter()
                .filter(|(_, r)| *r == Role::Director)
                .count()
        })
        .unwrap();
    let films: Vec<u32> = by_person[prolific as usize]
        .iter()
        .filter(|(_, r)| *r == Role::Director)
        .map(|(i, _)| *i)
        .collect();
    assert!(films.len() >= 5, "{films:?}");
    assert!(ds
        .catalog()
        .shared_credits(films[0], films[1])
        .iter()
        .any(|c| c.person == prolific));
}

/// A fresh scratch directory under the system temp dir (no extra crate needed).
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("recsys-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every rating as `(user id, item id, rating, timestamp)`, sorted.
fn rating_rows(ds: &Dataset) -> Vec<(String, String, f32, i64)> {
    let mut rows: Vec<_> = ds
        .events()
        .iter()
        .map(|e| {
            let rating = match e.feedback {
                recsys_core::data::Feedback::Rating(r) => r,
                other => panic!("not a rating: {other:?}"),
            };
            let user = ds.users.id_of(e.user).unwrap().to_owned();
            let item = ds.items.id_of(e.item).unwrap().to_owned();
            (user, item, rating, e.timestamp)
        })
        .collect();
    rows.sort_by(|a, b| a.partial_cmp(b).unwrap());
    rows
}

/// An item's id, title, year and genres.
type ItemRow = (String, Option<String>, Option<i32>, Vec<String>);

/// [`ItemRow`] for every item, sorted by id.
fn item_rows(ds: &Dataset) -> Vec<ItemRow> {
    let mut rows: Vec<_> = ds
        .catalog()
        .iter()
        .map(|(i, m)| {
            let id = ds.items.id_of(i).unwrap().to_owned();
            (id, m.title.clone(), m.year, m.genres.clone())
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn grouplens_files_written_from_recbole_read_back_identically() {
    let ds = load_all();
    let dir = scratch_dir("grouplens");
    let mut u_data = String::new();
    for (user, item, rating, time) in rating_rows(&ds) {
        u_data += &format!("{user}\t{item}\t{rating}\t{time}\n");
    }
    std::fs::write(dir.join("u.data"), u_data).unwrap();
    // u.item is Latin-1 like the GroupLens original: every title character fits in one byte.
    let mut u_item = Vec::new();
    for (item, info) in ds.catalog().iter() {
        let date = info.year.map(|y| format!("01-Jan-{y}")).unwrap_or_default();
        let flags: String = movielens::ML_100K_GENRES
            .iter()
            .map(|g| if info.has_genre(g) { "|1" } else { "|0" })
            .collect();
        let line = format!(
            "{}|{}|{date}||http://example.invalid/{item}{flags}\n",
            ds.items.id_of(item).unwrap(),
            info.display_title().unwrap()
        );
        u_item.extend(
            line.chars()
                .map(|c| u8::try_from(u32::from(c)).expect("Latin-1 title")),
        );
    }
    assert!(
        u_item.iter().any(|&b| b >= 0x80),
        "the fixture should exercise Latin-1"
    );
    std::fs::write(dir.join("u.item"), u_item).unwrap();

    let back = movielens::load_ml100k_dir(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(rating_rows(&back), rating_rows(&ds));
    assert_eq!(item_rows(&back), item_rows(&ds));
    assert_eq!(
        back.items.ids(),
        ds.items.ids(),
        "item order follows u.item"
    );
}

#[test]
fn ml_latest_csv_written_from_recbole_reads_back_identically() {
    let ds = load_all();
    let dir = scratch_dir("ml-latest");
    let mut ratings = String::from("userId,movieId,rating,timestamp\n");
    for (user, item, rating, time) in rating_rows(&ds) {
        ratings += &format!("{user},{item},{rating},{time}\n");
    }
    std::fs::write(dir.join("ratings.csv"), ratings).unwrap();
    let mut movies = String::from("movieId,title,genres\n");
    let mut quoted = 0;
    for (item, info) in ds.catalog().iter() {
        let title = info.display_title().unwrap();
        let title = if title.contains([',', '"']) {
            quoted += 1;
            format!("\"{}\"", title.replace('"', "\"\""))
        } else {
            title
        };
        let genres = info.genres.join("|");
        movies += &format!("{},{title},{genres}\n", ds.items.id_of(item).unwrap());
    }
    assert!(quoted > 100, "{quoted} quoted titles");
    std::fs::write(dir.join("movies.csv"), movies).unwrap();

    let back = ml_latest::load_ml_latest_dir(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(rating_rows(&back), rating_rows(&ds));
    assert_eq!(item_rows(&back), item_rows(&ds));
}

#[test]
fn recbole_dir_loads_what_exists_and_names_a_wrong_directory() {
    let dir = scratch_dir("recbole-partial");
    let item = std::fs::read(data_dir().join("ml-100k.item")).unwrap();
    std::fs::write(dir.join("ml-100k.item"), item).unwrap();
    let catalog_only = recbole::load_recbole_dir(&dir, "ml-100k").unwrap();
    assert_eq!(
        (catalog_only.n_items(), catalog_only.events().len()),
        (1_682, 0)
    );
    let err = recbole::load_recbole_dir(&dir, "ml-1m").unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        matches!(&err, recsys_core::Error::Io { path, .. } if path.ends_with("ml-1m.inter")),
        "{err}"
    );
}
