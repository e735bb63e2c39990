//! Fits the hybrid recommender on MovieLens-100K and writes its artifact: the file a browser
//! downloads (recsys-wasm/demo) or a server loads.
//!
//! ```text
//! scripts/fetch-movielens.sh
//! cargo run --release -p recsys-examples --bin build-artifact -- --out data/ml-100k.recsys
//! # the browser artifact: int8 floats, pruned neighbours, request-only catalogue
//! cargo run --release -p recsys-examples --bin build-artifact -- --web --out web.recsys
//! ```

use std::path::PathBuf;
use std::time::Instant;

use recsys_core::artifact::{Artifact, FloatEncoding};
use recsys_core::data::loaders::recbole::load_recbole_dir;
use recsys_core::recommender::{ArtifactOptions, RecommenderBuilder};
use recsys_examples::{AnyResult, Args};

const HELP: &str = "\
build-artifact: fit the recommender on MovieLens-100K and save it.

  build-artifact [--data data/ml-100k] [--out data/ml-100k.recsys] [--web]
                 [--floats f32|f16|int8] [--item-neighbors N] [--content-neighbors N]

--data               directory with the RecBole ml-100k files (scripts/fetch-movielens.sh)
--out                artifact to write (atomically)
--web                the browser artifact (ArtifactOptions::web(): int8 factors and
                     similarities, 150 item-kNN and 30 content neighbours and 50 EASE weights per item,
                     request-only catalogue)
--floats             how factors and similarities are stored (default f32, int8 with --web)
--item-neighbors     item-kNN neighbours kept per item (default all, 150 with --web)
--content-neighbors  content neighbours kept per item (default all, 30 with --web)

Prints the artifact's size, raw and gzip -9 (when gzip is installed).
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
    let mut options = if args.flag("web")? {
        ArtifactOptions::web()
    } else {
        ArtifactOptions::new()
    };
    if let Some(floats) = args.get::<FloatEncoding>("floats")? {
        options = options.floats(floats);
    }
    if let Some(n) = args.get::<usize>("item-neighbors")? {
        options = options.item_neighbors(Some(n));
    }
    if let Some(n) = args.get::<usize>("content-neighbors")? {
        options = options.content_neighbors(Some(n));
    }
    options.validate()?;
    args.finish()?;

    let started = Instant::now();
    let dataset = load_recbole_dir(&dir, "ml-100k")
        .map_err(|e| format!("{e} (run scripts/fetch-movielens.sh first)"))?;
    let recommender = RecommenderBuilder::new().fit(&dataset)?;
    let recommender = if options == ArtifactOptions::new() {
        recommender
    } else {
        recommender.compact(&options)?
    };
    // Like any CLI's output path: the folder is created when it does not exist yet.
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    recommender.save(&out)?;
    let bytes = std::fs::read(&out)?;
    println!(
        "fitted on {} users × {} items, wrote {} ({} floats, model {}) in {:.2?}",
        dataset.n_users(),
        dataset.n_items(),
        out.display(),
        options.float_encoding(),
        recommender.fingerprint(),
        started.elapsed()
    );
    println!(
        "size: {} bytes ({} KiB), gzip -9: {}",
        bytes.len(),
        bytes.len() / 1024,
        gzipped_len(&bytes).map_or_else(
            || "n/a (no gzip)".to_string(),
            |n| format!("{n} bytes ({} KiB)", n / 1024)
        )
    );
    Ok(())
}

/// The length of `gzip -9` of `bytes`, when a `gzip` program runs here.
fn gzipped_len(bytes: &[u8]) -> Option<usize> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("gzip")
        .arg("-9c")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    output.status.success().then_some(output.stdout.len())
}
