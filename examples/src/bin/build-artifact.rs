//! Fits the hybrid recommender on MovieLens-100K and writes its artifact: the file a browser
//! downloads (recsys-wasm/demo) or a server loads.
//!
//! ```text
//! scripts/fetch-movielens.sh
//! cargo run --release -p recsys-examples --bin build-artifact -- --out data/ml-100k.recsys
//! ```

use std::path::PathBuf;
use std::time::Instant;

use recsys_core::artifact::Artifact;
use recsys_core::data::loaders::recbole::load_recbole_dir;
use recsys_core::recommender::RecommenderBuilder;
use recsys_examples::{AnyResult, Args};

const HELP: &str = "\
build-artifact: fit the recommender on MovieLens-100K and save it.

  build-artifact [--data data/ml-100k] [--out data/ml-100k.recsys]

--data  directory with the RecBole ml-100k files (scripts/fetch-movielens.sh)
--out   artifact to write (atomically)
";

fn main() {
    if let Err(e) = run() {
        eprintln!("build-artifact: error: {e}");
        std::process::exit(2);
    }
}

fn run() -> AnyResult<()> {
    let args = Args::parse(std::env::args().skip(1))?;
    if args.flag("help")? {
        println!("{HELP}");
        return Ok(());
    }
    let dir: PathBuf = args
        .get("data")?
        .unwrap_or_else(|| PathBuf::from("data/ml-100k"));
    let out: PathBuf = args
        .get("out")?
        .unwrap_or_else(|| PathBuf::from("data/ml-100k.recsys"));
    args.finish()?;

    let started = Instant::now();
    let dataset = load_recbole_dir(&dir, "ml-100k")
        .map_err(|e| format!("{e} (run scripts/fetch-movielens.sh first)"))?;
    let recommender = RecommenderBuilder::new().fit(&dataset)?;
    recommender.save(&out)?;
    let bytes = std::fs::metadata(&out)?.len();
    println!(
        "fitted on {} users × {} items, wrote {} ({} KiB, model {}) in {:.2?}",
        dataset.n_users(),
        dataset.n_items(),
        out.display(),
        bytes / 1024,
        recommender.fingerprint(),
        started.elapsed()
    );
    Ok(())
}
