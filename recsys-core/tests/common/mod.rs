//! MovieLens-100K fixtures shared by the integration tests (each test file is its own crate and
//! uses only part of this module).
#![allow(dead_code)]

use std::io::BufReader;
use std::path::PathBuf;

use recsys_core::data::{loaders::recbole, Dataset, Feedback, FeedbackPolicy, Interactions};
use recsys_core::eval::split::{ratings_from_events, temporal_split_by, Rating, Split};

/// The `ml-100k` directory: `$RECSYS_DATA_DIR`, or `data/ml-100k` at the workspace root.
pub fn data_dir() -> PathBuf {
    std::env::var_os("RECSYS_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/ml-100k"))
}

/// MovieLens-100K: ratings, catalogue (titles, years, genres) and Freebase cast and crew.
pub struct MovieLens {
    pub dataset: Dataset,
    pub ratings: Vec<Rating>,
    /// Raw (numeric) item id of each dense item: the protocol breaks time ties by it.
    pub raw_item_ids: Vec<u64>,
}

/// Loads the fetched data, failing with instructions when it is missing.
pub fn movielens() -> MovieLens {
    let dir = data_dir();
    for name in [
        "ml-100k.inter",
        "ml-100k.item",
        "ml-100k.kg",
        "ml-100k.link",
    ] {
        assert!(
            dir.join(name).is_file(),
            "{} is missing: run scripts/fetch-movielens.sh first (or set RECSYS_DATA_DIR)",
            dir.join(name).display()
        );
    }
    // The readers (not `load_recbole_dir`) so the tests also run without the `fs` feature.
    let open =
        |name: &str| BufReader::new(std::fs::File::open(dir.join(name)).expect("file opens"));
    let mut dataset = Dataset::new();
    // Items first, so dense item indices follow the item file.
    recbole::read_item(open("ml-100k.item"), "ml-100k.item", &mut dataset).expect("items parse");
    recbole::read_inter(open("ml-100k.inter"), "ml-100k.inter", &mut dataset)
        .expect("ratings parse");
    recbole::read_kg(
        open("ml-100k.kg"),
        "ml-100k.kg",
        open("ml-100k.link"),
        "ml-100k.link",
        &mut dataset,
    )
    .expect("cast and crew parse");
    let ratings = ratings_from_events(dataset.events());
    assert_eq!(ratings.len(), 100_000);
    let raw_item_ids = dataset
        .items
        .ids()
        .iter()
        .map(|id| id.parse().expect("MovieLens item ids are numbers"))
        .collect();
    MovieLens {
        dataset,
        ratings,
        raw_item_ids,
    }
}

impl MovieLens {
    /// The protocol's per-user temporal split of `ratings` (last 20%, ties broken by raw item id).
    pub fn split(&self, ratings: &[Rating]) -> Split<Rating> {
        temporal_split_by(ratings, 0.2, |r| self.raw_item_ids[r.item as usize])
            .expect("valid fraction")
    }

    pub fn n_users(&self) -> usize {
        self.dataset.n_users()
    }

    pub fn n_items(&self) -> usize {
        self.dataset.n_items()
    }

    /// The signed-confidence matrix of `train` under `policy`.
    pub fn matrix(&self, train: &[Rating], policy: &FeedbackPolicy) -> Interactions {
        let triplets: Vec<(u32, u32, f32)> = train
            .iter()
            .map(|r| (r.user, r.item, policy.weight(Feedback::Rating(r.value))))
            .collect();
        Interactions::from_triplets(self.n_users(), self.n_items(), &triplets)
            .expect("valid triplets")
    }

    /// "Title (year)" of an item, or an empty string.
    pub fn title(&self, item: u32) -> String {
        self.dataset
            .catalog()
            .item(item)
            .and_then(|i| i.display_title())
            .unwrap_or_default()
    }
}
