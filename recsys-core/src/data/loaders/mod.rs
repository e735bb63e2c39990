//! Readers for public rating datasets.
//!
//! Every loader comes in two forms: `read_*` takes any [`std::io::BufRead`] plus a source name
//! used in error messages (works without a file system, e.g. in WASM), and `load_*` takes a path
//! (feature `fs`). Malformed rows are reported as [`Error::Parse`](crate::Error::Parse) with the
//! file and 1-based line; NaN or infinite ratings are rejected.
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
//! ml_latest::read_ratings_csv("userId,movieId,rating,timestamp\n2,10,3.5,200\n".as_bytes(), "ratings.csv", &mut ds)?;
//! assert_eq!((ds.n_users(), ds.n_items(), ds.events().len()), (2, 1, 2));
//! # Ok::<(), recsys_core::Error>(())
//! ```

pub mod ml_latest;
pub mod movielens;
pub mod recbole;
mod text;
