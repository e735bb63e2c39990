//! Readers for public rating datasets.
//!
//! Every loader comes in two forms: `read_*` takes any [`std::io::BufRead`] plus a source name
//! used in error messages (works without a file system, e.g. in WASM), and `load_*` takes a path
//! (feature `fs`). Malformed rows are reported as [`Error::Parse`](crate::Error::Parse) with the
//! file and 1-based line; NaN or infinite ratings are rejected. Every `read_*` is
//! all-or-nothing: when it fails, the dataset is left exactly as it was (no rows, ids or
//! metadata from before the bad line).
//!
//! | module | files | one-call loader (`fs`) |
//! |---|---|---|
//! | [`recbole`] | RecBole atomic `.inter`, `.item`, `.kg` + `.link` (the MovieLens-100K copy fetched by `scripts/fetch-movielens.sh`) | `load_recbole_dir(dir, name)` |
//! | [`movielens`] | GroupLens ML-100K `u.data`, `u.item` (Latin-1), `u.genre` | `load_ml100k_dir(dir)` |
//! | [`ml_latest`] | ml-latest / 20M / 25M / 32M `ratings.csv`, `movies.csv`, `tags.csv` | `load_ml_latest_dir(dir)` |
//!
//! Ratings become [`Feedback::Rating`](crate::data::Feedback::Rating) events; titles, years,
//! genres, tags, cast and crew go to [`Dataset::catalog`](crate::data::Dataset::catalog), indexed
//! like the dataset's items. Directory loaders read the metadata file first, so item indices
//! follow the item file's order.
//!
//! ```
//! use recsys_core::data::loaders::{ml_latest, movielens};
//! use recsys_core::data::Dataset;
//! let mut ds = Dataset::new();
//! movielens::read_u_data("1\t10\t4\t100\n".as_bytes(), "u.data", &mut ds)?;
//! let csv = "userId,movieId,rating,timestamp\n2,10,3.5,200\n";
//! ml_latest::read_ratings_csv(csv.as_bytes(), "ratings.csv", &mut ds)?;
//! assert_eq!((ds.n_users(), ds.n_items(), ds.events().len()), (2, 1, 2));
//! # Ok::<(), recsys_core::Error>(())
//! ```

pub mod ml_latest;
pub mod movielens;
pub mod recbole;
mod text;

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{ml_latest, movielens, recbole};
    use crate::data::{Dataset, Feedback};

    /// Runs every reader on `bytes`; each must return (Ok or Err) without panicking, and a
    /// successful read never records a non-finite rating.
    fn read_with_every_loader(bytes: &[u8]) {
        type Reader = fn(&[u8], &mut Dataset) -> crate::Result<usize>;
        let readers: [Reader; 9] = [
            |b, ds| recbole::read_inter(b, "x.inter", ds),
            |b, ds| recbole::read_item(b, "x.item", ds),
            |b, ds| recbole::read_kg(b, "x.kg", b, "x.link", ds),
            |b, ds| movielens::read_u_data(b, "u.data", ds),
            |b, ds| movielens::read_u_item(b, "u.item", &movielens::ML_100K_GENRES[..3], ds),
            |b, _| movielens::read_u_genre(b, "u.genre").map(|g| g.len()),
            |b, ds| ml_latest::read_ratings_csv(b, "ratings.csv", ds),
            |b, ds| ml_latest::read_movies_csv(b, "movies.csv", ds),
            |b, ds| ml_latest::read_tags_csv(b, "tags.csv", ds),
        ];
        for read in readers {
            let mut ds = populated();
            let before = snapshot(&ds);
            if read(bytes, &mut ds).is_ok() {
                assert!(ds.events().iter().all(|e| match e.feedback {
                    Feedback::Rating(r) => r.is_finite(),
                    _ => true,
                }));
            } else {
                assert!(snapshot(&ds) == before, "a failed read changed the dataset");
            }
        }
    }

    /// Everything a reader can change, for comparing a dataset before and after a read.
    fn snapshot(ds: &Dataset) -> Vec<u8> {
        bincode::serde::encode_to_vec(ds, bincode::config::standard()).unwrap()
    }

    /// A dataset with users, items, events and metadata already in it.
    fn populated() -> Dataset {
        let mut ds = Dataset::new();
        ds.add_event("u1", "10", Feedback::Rating(4.0), 5).unwrap();
        ds.add_event("u2", "20", Feedback::Like, 6).unwrap();
        let (_, info) = ds.item_info_mut("10");
        info.title = Some("Before".into());
        info.add_genre("Drama");
        ds.catalog
            .add_credit(0, "p1", Some("Someone"), crate::data::Role::Actor)
            .unwrap();
        ds
    }

    #[test]
    fn a_failing_read_leaves_the_dataset_exactly_as_it_was() {
        // Each input has good rows (new users, items, metadata edits of item "10") before a
        // bad last row.
        type Reader = fn(&[u8], &mut Dataset) -> crate::Result<usize>;
        let cases: [(Reader, &str); 8] = [
            (
                |b, ds| recbole::read_inter(b, "x.inter", ds),
                "user_id:token\titem_id:token\trating:float\nu3\t30\t4\nu1\t10\tNaN\n",
            ),
            (
                |b, ds| recbole::read_item(b, "x.item", ds),
                "item_id:token\tmovie_title:token_seq\n10\tAfter\n40\tNew\n41\n",
            ),
            (
                |b, ds| {
                    let link = "item_id:token\tentity_id:token\n10\tm.a\n50\tm.b\n";
                    recbole::read_kg(b, "x.kg", link.as_bytes(), "x.link", ds)
                },
                "head_id:token\trelation_id:token\ttail_id:token\nm.a\tfilm.film.directed_by\tm.d\nm.a\t\t\n",
            ),
            (
                |b, ds| movielens::read_u_data(b, "u.data", ds),
                "u3\t30\t4\t1\nu1\t10\tinf\t2\n",
            ),
            (
                |b, ds| movielens::read_u_item(b, "u.item", &movielens::ML_100K_GENRES[..1], ds),
                "10|After (1999)|01-Jan-1999||url|1\n60|New|||url|0\n61|short\n",
            ),
            (
                |b, ds| ml_latest::read_ratings_csv(b, "ratings.csv", ds),
                "userId,movieId,rating,timestamp\nu3,30,4,1\nu1,10,x,2\n",
            ),
            (
                |b, ds| ml_latest::read_movies_csv(b, "movies.csv", ds),
                "movieId,title,genres\n10,After (1999),Comedy\n70,New,Drama\n,Empty,Drama\n",
            ),
            (
                |b, ds| ml_latest::read_tags_csv(b, "tags.csv", ds),
                "userId,movieId,tag,timestamp\nu1,10,funny,1\nu1,80,new,1\nu1,,bad,1\n",
            ),
        ];
        for (at, (read, text)) in cases.into_iter().enumerate() {
            let mut ds = populated();
            let before = snapshot(&ds);
            assert!(
                read(text.as_bytes(), &mut ds).is_err(),
                "case {at} should fail"
            );
            assert!(snapshot(&ds) == before, "case {at} changed the dataset");
            // Lookups agree with the restored lists (the id maps' indexes were rolled back too).
            assert_eq!(ds.items.index_of("30"), None, "case {at}");
            assert_eq!(ds.items.index_of("20"), Some(1), "case {at}");
            // Without the bad row the same input loads: the rollback was not a no-op.
            let good: String = text
                .lines()
                .take(text.lines().count() - 1)
                .map(|l| format!("{l}\n"))
                .collect();
            let mut fresh = populated();
            assert!(
                read(good.as_bytes(), &mut fresh).is_ok(),
                "case {at}: {good:?}"
            );
            assert!(
                snapshot(&fresh) != before,
                "case {at} good rows changed nothing"
            );
        }
    }

    /// Text built from the characters the formats care about, so generated inputs get past the
    /// header checks more often than random bytes do.
    fn format_like_text() -> impl Strategy<Value = String> {
        let header = prop::sample::select(vec![
            "user_id:token\titem_id:token\trating:float\ttimestamp:float\n",
            "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n",
            "head_id:token\trelation_id:token\ttail_id:token\n",
            "userId,movieId,rating,timestamp\n",
            "movieId,title,genres\n",
            "",
        ]);
        let body = prop::collection::vec(
            prop::sample::select(vec![
                "1",
                "42",
                "4.5",
                "nan",
                "inf",
                "-0",
                "1e309",
                "\t",
                ",",
                "|",
                "\"",
                "\"\"",
                "\n",
                "\r\n",
                " ",
                "(1995)",
                "m.0x",
                "film.film.actor",
                "é",
                "\u{feff}",
                ":",
            ]),
            0..60,
        );
        (header, body).prop_map(|(h, b)| format!("{h}{}", b.concat()))
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            read_with_every_loader(&bytes);
        }

        #[test]
        fn format_like_text_never_panics(text in format_like_text()) {
            read_with_every_loader(text.as_bytes());
        }

        #[test]
        fn well_formed_inter_rows_all_load(
            rows in prop::collection::vec(
                (0u32..20, 0u32..30, 1u8..=10, 0i64..2_000_000_000),
                0..50,
            )
        ) {
            // Columns in an unusual order: the header decides.
            let mut text =
                String::from("timestamp:float\trating:float\titem_id:token\tuser_id:token\n");
            for (u, i, half_stars, t) in &rows {
                text += &format!("{t}\t{}\t{i}\t{u}\n", f32::from(*half_stars) / 2.0);
            }
            let mut ds = Dataset::new();
            let added = recbole::read_inter(text.as_bytes(), "p.inter", &mut ds).unwrap();
            prop_assert_eq!(added, rows.len());
            for (event, (u, i, half_stars, t)) in ds.events().iter().zip(&rows) {
                let user = ds.users.id_of(event.user).map(str::to_owned);
                let item = ds.items.id_of(event.item).map(str::to_owned);
                prop_assert_eq!(user, Some(u.to_string()));
                prop_assert_eq!(item, Some(i.to_string()));
                prop_assert_eq!(event.feedback, Feedback::Rating(f32::from(*half_stars) / 2.0));
                prop_assert_eq!(event.timestamp, *t);
            }
        }
    }
}
