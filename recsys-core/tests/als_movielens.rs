//! Implicit ALS on the real MovieLens-100K (fetched by `scripts/fetch-movielens.sh`): fold-in,
//! batch recommendation and the two solvers agree with each other on real data.
//! (Ranking-quality bars for ALS live in `quality_movielens.rs`.)

use std::path::PathBuf;

use recsys_core::data::{loaders::recbole, Dataset, FeedbackPolicy, Interactions};
use recsys_core::models::als::{AlsConfig, Solver};
use recsys_core::models::{History, TopN};

fn movielens() -> Interactions {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/ml-100k/ml-100k.inter");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/fetch-movielens.sh first",
        path.display()
    );
    let file = std::fs::File::open(&path).expect("ml-100k.inter opens");
    let mut dataset = Dataset::new();
    recbole::read_inter(std::io::BufReader::new(file), "ml-100k.inter", &mut dataset)
        .expect("ml-100k.inter parses");
    let matrix = dataset
        .interactions(&FeedbackPolicy::default())
        .expect("policy applies");
    assert_eq!((matrix.n_users(), matrix.n_items()), (943, 1682));
    matrix
}

fn overlap(a: &[u32], b: &[u32]) -> usize {
    a.iter().filter(|i| b.contains(i)).count()
}

#[test]
fn fold_in_batch_and_solvers_agree_on_movielens() {
    let matrix = movielens();
    let cg = AlsConfig::new()
        .factors(32)
        .regularization(0.05)
        .iterations(15)
        .fit(&matrix)
        .expect("fit");
    let users: Vec<u32> = (0..matrix.n_users() as u32).collect();
    let batch = cg
        .recommend_batch(&users, &matrix, 10, true)
        .expect("batch");

    let mut same_as_full_scan = 0;
    let mut fold_in_overlap = 0;
    for &u in &users {
        let (items, values) = matrix.row(u as usize);
        let history = History::new(items, values);
        let cached = cg
            .recommend(Some(u), history, &TopN::new(10))
            .expect("cached");
        let cached_items: Vec<u32> = cached.iter().map(|s| s.item).collect();
        let batch_items: Vec<u32> = batch[u as usize].iter().map(|s| s.item).collect();
        same_as_full_scan += usize::from(cached_items == batch_items);
        for s in &batch[u as usize] {
            assert!(s.score.is_finite() && !history.contains(s.item));
        }
        // Fold-in re-solves exactly against the final item factors; the cached factors come
        // from the last CG half-sweep, so the lists agree closely but not perfectly.
        let folded = cg
            .recommend(None, history, &TopN::new(10))
            .expect("fold-in");
        let folded_items: Vec<u32> = folded.iter().map(|s| s.item).collect();
        fold_in_overlap += overlap(&folded_items, &cached_items);
    }
    assert_eq!(same_as_full_scan, users.len());
    let mean_overlap = fold_in_overlap as f64 / users.len() as f64;
    assert!(
        mean_overlap > 8.0,
        "fold-in shares {mean_overlap:.2} of 10 items"
    );

    // Cholesky and CG reach nearly the same recommendations.
    let exact = AlsConfig::new()
        .factors(32)
        .regularization(0.05)
        .iterations(15)
        .solver(Solver::Cholesky)
        .fit(&matrix)
        .expect("fit");
    let exact_batch = exact
        .recommend_batch(&users, &matrix, 10, true)
        .expect("batch");
    let shared: usize = batch
        .iter()
        .zip(&exact_batch)
        .map(|(a, b)| {
            let a: Vec<u32> = a.iter().map(|s| s.item).collect();
            let b: Vec<u32> = b.iter().map(|s| s.item).collect();
            overlap(&a, &b)
        })
        .sum();
    let mean_shared = shared as f64 / users.len() as f64;
    assert!(
        mean_shared > 6.0,
        "CG and Cholesky share {mean_shared:.2} of 10 items"
    );
}
