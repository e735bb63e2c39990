//! Readers for public rating datasets.
//!
//! Every loader comes in two forms: `read_*` takes any [`std::io::BufRead`] plus a source name
//! used in error messages (works without a file system, e.g. in WASM), and `load_*` takes a path
//! (feature `fs`). Malformed rows are reported as [`Error::Parse`](crate::Error::Parse) with the
//! file and 1-based line; NaN or infinite ratings are rejected.
//!
//! - [`recbole`]: RecBole atomic files (`.inter`), the format of the MovieLens-100K copy fetched
//!   by `scripts/fetch-movielens.sh`.

pub mod recbole;
mod text;
