//! Tests on the real MovieLens-100K data fetched by `scripts/fetch-movielens.sh`.

#![cfg(feature = "fs")]

use std::path::PathBuf;

use recsys_core::data::loaders::recbole;

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
}
