//! Feeds arbitrary bytes to the GroupLens ML-100K readers (`movielens::read_u_genre`,
//! `read_u_item`, `read_u_data`), checking every read with `common::read_step`: no panic, an
//! error names a real file and line and leaves the dataset untouched, a success leaves a dataset
//! that passes its invariant checks and round-trips through an artifact exactly.
//!
//! Input: `[mode] u.genre \0 u.item \0 u.data`; a file cut off by the end of the input is
//! absent, as in `load_ml100k_dir`. `mode & 1` starts from a dataset that already has users,
//! items, events and metadata; `(mode >> 1) % 4` picks the genre names `u.item` is read with:
//! those read from `u.genre` (or `ML_100K_GENRES` when it fails or is absent), `ML_100K_GENRES`,
//! the first `(mode >> 3) % 4` of them (short rows are easier to mutate), or `u.genre`'s
//! (none when it fails).
#![no_main]

#[path = "common/mod.rs"]
mod common;

use common::{populated, read_step, split_files, Counts};
use libfuzzer_sys::fuzz_target;
use recsys_core::data::loaders::movielens::{self, ML_100K_GENRES};
use recsys_core::data::Dataset;
use recsys_core::Error;

fuzz_target!(|data: &[u8]| {
    let Some((mode, [genre, item, u_data])) = split_files::<3>(data) else {
        return;
    };
    let mut ds = if mode & 1 == 1 {
        populated()
    } else {
        Dataset::new()
    };
    let parsed = genre.map(|bytes| {
        let result = movielens::read_u_genre(bytes, "u.genre");
        match &result {
            Ok(names) => {
                assert!(names.len() <= 1024, "{} genres", names.len());
                assert!(names.iter().all(|n| !n.is_empty() && n.trim() == n));
            }
            Err(Error::Parse { file, line, .. }) => {
                let n_lines = bytes.split(|&b| b == b'\n').count();
                assert!(
                    file == "u.genre" && (1..=n_lines).contains(line),
                    "{result:?}"
                );
            }
            Err(other) => panic!("u.genre: {other:?}"),
        }
        result
    });
    let standard = || ML_100K_GENRES.iter().map(|g| g.to_string()).collect();
    let genres: Vec<String> = match (mode >> 1) % 4 {
        0 => parsed.and_then(Result::ok).unwrap_or_else(standard),
        1 => standard(),
        2 => ML_100K_GENRES[..usize::from(mode >> 3) % 4]
            .iter()
            .map(|g| g.to_string())
            .collect(),
        _ => parsed.and_then(Result::ok).unwrap_or_default(),
    };
    if let Some(item) = item {
        read_step(&mut ds, &[("u.item", item)], Counts::Rows, |ds| {
            movielens::read_u_item(item, "u.item", &genres, ds)
        });
    }
    if let Some(u_data) = u_data {
        read_step(&mut ds, &[("u.data", u_data)], Counts::Events, |ds| {
            movielens::read_u_data(u_data, "u.data", ds)
        });
    }
});
