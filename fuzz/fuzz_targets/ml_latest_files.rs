//! Feeds arbitrary bytes to the ml-latest CSV readers (`ml_latest::read_movies_csv`,
//! `read_ratings_csv`, `read_tags_csv`), checking every read with `common::read_step`: no
//! panic, an error names a real file and line and leaves the dataset untouched, a success leaves
//! a dataset that passes its invariant checks and round-trips through an artifact exactly.
//!
//! Input: `[mode] movies.csv \0 ratings.csv \0 tags.csv`; a file cut off by the end of the
//! input is absent, as in `load_ml_latest_dir`. `mode & 1` starts from a dataset that already
//! has users, items, events and metadata instead of an empty one.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use common::{populated, read_step, split_files, Counts};
use libfuzzer_sys::fuzz_target;
use recsys_core::data::loaders::ml_latest;
use recsys_core::data::Dataset;

fuzz_target!(|data: &[u8]| {
    let Some((mode, [movies, ratings, tags])) = split_files::<3>(data) else {
        return;
    };
    let mut ds = if mode & 1 == 1 {
        populated()
    } else {
        Dataset::new()
    };
    if let Some(movies) = movies {
        read_step(&mut ds, &[("movies.csv", movies)], Counts::Rows, |ds| {
            ml_latest::read_movies_csv(movies, "movies.csv", ds)
        });
    }
    if let Some(ratings) = ratings {
        read_step(&mut ds, &[("ratings.csv", ratings)], Counts::Events, |ds| {
            ml_latest::read_ratings_csv(ratings, "ratings.csv", ds)
        });
    }
    if let Some(tags) = tags {
        read_step(&mut ds, &[("tags.csv", tags)], Counts::Rows, |ds| {
            ml_latest::read_tags_csv(tags, "tags.csv", ds)
        });
    }
});
