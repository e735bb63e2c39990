//! Checks shared by the loader fuzz targets (`recbole_files`, `movielens_files`,
//! `ml_latest_files`).
//!
//! Each target splits its input into several files at NUL bytes and reads them one after the
//! other into one dataset, the way the `load_*_dir` functions do. Every read goes through
//! [`read_step`], which asserts:
//! - a failed read is an [`Error::Parse`] naming the file it read and a line inside it, and
//!   leaves the dataset exactly as it was (the readers are documented all-or-nothing);
//! - a successful read reports as many events as it added (for event readers), and the dataset
//!   passes [`check_dataset`].

use recsys_core::artifact::Artifact;
use recsys_core::data::{Dataset, Feedback, FeedbackPolicy, IdMap, ItemInfo, Role};
use recsys_core::Error;

/// Derived views (`interactions`, `ratings`) sort every event; beyond this many, skip them.
const MAX_EVENTS_FOR_VIEWS: usize = 1 << 16;

/// The input's first byte (the mode) and the rest split at NUL bytes into at most `n` files;
/// missing files are `None` (an absent file, as opposed to an empty one).
pub fn split_files<const N: usize>(data: &[u8]) -> Option<(u8, [Option<&[u8]>; N])> {
    let (&mode, rest) = data.split_first()?;
    let mut files = [None; N];
    for (slot, part) in files.iter_mut().zip(rest.splitn(N, |&b| b == 0)) {
        *slot = Some(part);
    }
    Some((mode, files))
}

/// A dataset that already holds users, items, events and every kind of metadata, so that the
/// readers are also checked against existing state (merging, rollback).
pub fn populated() -> Dataset {
    let mut ds = Dataset::new();
    ds.add_event("1", "1", Feedback::Rating(4.0), 874_965_758)
        .unwrap();
    ds.add_event("2", "50", Feedback::Like, 5).unwrap();
    ds.item("1")
        .title("Toy Story")
        .year(1995)
        .genre("Animation")
        .tag("pixar")
        .attribute("url", "http://x")
        .credit("m.0p_47", None, Role::Director);
    ds
}

/// What a reader returns on success.
pub enum Counts {
    /// The number of events the read added.
    Events,
    /// The number of rows or triples it used (not checked).
    Rows,
}

/// Runs one reader on `ds` and checks the outcome (see the module docs). `files` are the
/// `(source name, bytes)` pairs the reader was given, for checking where an error points.
pub fn read_step(
    ds: &mut Dataset,
    files: &[(&str, &[u8])],
    counts: Counts,
    read: impl FnOnce(&mut Dataset) -> recsys_core::Result<usize>,
) -> bool {
    let before = snapshot(ds);
    let events_before = ds.events().len();
    match read(ds) {
        Ok(n) => {
            if let Counts::Events = counts {
                assert_eq!(
                    ds.events().len() - events_before,
                    n,
                    "the reader's count differs from the events it added"
                );
            }
            check_dataset(ds);
            true
        }
        Err(err) => {
            check_error(&err, files);
            assert!(
                snapshot(ds) == before,
                "a failed read changed the dataset: {err}"
            );
            check_ids(&ds.users, "user");
            check_ids(&ds.items, "item");
            false
        }
    }
}

/// The error names one of the files read and a line that exists in it.
fn check_error(err: &Error, files: &[(&str, &[u8])]) {
    let Error::Parse { file, line, .. } = err else {
        panic!("reading from memory failed with something other than a parse error: {err:?}");
    };
    let Some((_, bytes)) = files.iter().find(|(name, _)| name == file) else {
        panic!("the error names {file:?}, which was not read: {err}");
    };
    let n_lines = bytes.split(|&b| b == b'\n').count().max(1);
    assert!(
        (1..=n_lines).contains(line),
        "the error points at line {line} of a {n_lines}-line file: {err}"
    );
}

/// Everything a reader can change, byte for byte.
fn snapshot(ds: &Dataset) -> Vec<u8> {
    ds.to_bytes().expect("a dataset encodes")
}

/// The invariants a loaded dataset must keep, including an exact artifact round trip.
pub fn check_dataset(ds: &Dataset) {
    ds.check_invariants()
        .expect("a loaded dataset passes its own invariant checks");
    assert_eq!(
        ds.catalog().len(),
        ds.n_items(),
        "every item has exactly one catalog entry"
    );
    check_ids(&ds.users, "user");
    check_ids(&ds.items, "item");
    for event in ds.events() {
        if let Feedback::Rating(r) = event.feedback {
            assert!(r.is_finite(), "non-finite rating {r}");
        }
    }
    for (item, info) in ds.catalog().iter() {
        check_info(item, info, ds.catalog().n_people());
    }

    let bytes = ds.to_bytes().expect("a loaded dataset encodes");
    let back = Dataset::from_bytes(&bytes).expect("a loaded dataset decodes");
    assert!(back.users == ds.users, "round trip changed the users");
    assert!(back.items == ds.items, "round trip changed the items");
    assert!(back.catalog() == ds.catalog(), "round trip changed the catalog");
    assert!(
        back.events() == ds.events(),
        "round trip changed the events"
    );
    assert!(
        back.to_bytes().expect("re-encodes") == bytes,
        "encoding is not stable"
    );

    if ds.events().len() <= MAX_EVENTS_FOR_VIEWS {
        if let Ok(matrix) = ds.interactions(&FeedbackPolicy::default()) {
            assert_eq!(
                (matrix.n_users(), matrix.n_items()),
                (ds.n_users(), ds.n_items())
            );
        }
        let ratings = ds.ratings();
        assert!(ratings.iter().all(|&(u, i, r)| (u as usize) < ds.n_users()
            && (i as usize) < ds.n_items()
            && r.is_finite()));
        assert_eq!(ds.exclusions().len(), ds.n_users());
    }
}

/// Ids are non-empty, trimmed (every reader trims fields), and looked up at their own index.
fn check_ids(ids: &IdMap, what: &str) {
    for (i, id) in ids.ids().iter().enumerate() {
        assert!(
            !id.is_empty() && id.trim() == id,
            "{what} id {id:?} is not trimmed"
        );
        assert_eq!(
            ids.index_of(id),
            Some(i as u32),
            "{what} id {id:?} looks up elsewhere"
        );
    }
}

/// The documented "without duplicates" rules of [`ItemInfo`], and no empty names.
fn check_info(item: u32, info: &ItemInfo, n_people: usize) {
    if let Some(title) = &info.title {
        assert!(!title.trim().is_empty(), "item {item} has a blank title");
    }
    for (at, genre) in info.genres.iter().enumerate() {
        assert!(
            !genre.is_empty() && genre.trim() == genre,
            "item {item}: genre {genre:?}"
        );
        assert!(
            !info.genres[..at]
                .iter()
                .any(|g| g.eq_ignore_ascii_case(genre)),
            "item {item}: genre {genre:?} repeats"
        );
    }
    for (at, tag) in info.tags.iter().enumerate() {
        assert!(
            tag.count >= 1,
            "item {item}: tag {:?} counted 0 times",
            tag.text
        );
        assert!(
            !tag.text.is_empty() && tag.text.trim() == tag.text,
            "item {item}: tag {:?}",
            tag.text
        );
        let lower = tag.text.to_lowercase();
        assert!(
            !info.tags[..at]
                .iter()
                .any(|t| t.text.to_lowercase() == lower),
            "item {item}: tag {:?} repeats",
            tag.text
        );
    }
    for (at, credit) in info.credits.iter().enumerate() {
        assert!(
            (credit.person as usize) < n_people,
            "item {item}: unknown person"
        );
        assert!(
            !info.credits[..at].contains(credit),
            "item {item}: credit repeats"
        );
    }
    for (at, pair) in info.attributes.iter().enumerate() {
        assert!(
            !pair.1.is_empty(),
            "item {item}: attribute {pair:?} has no value"
        );
        assert!(
            !info.attributes[..at].contains(pair),
            "item {item}: attribute {pair:?} repeats"
        );
    }
}
