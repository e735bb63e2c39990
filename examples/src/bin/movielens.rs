//! The main job on MovieLens-100K: temporal split, train popularity, item-kNN, ALS and explicit
//! MF, print an evaluation report and sample recommendations with titles.
//!
//! ```text
//! scripts/fetch-movielens.sh
//! cargo run --release -p recsys-examples --bin movielens [-- --data data/ml-100k --users 1,2]
//! ```

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use recsys_core::data::{loaders::recbole, Dataset, Interactions};
use recsys_core::eval::split::{temporal_split_by, Rating, Split};
use recsys_core::eval::{evaluate_top_n, prediction_errors, Relevance, Report};
use recsys_core::models::{recommend, History, ItemScorer, TopN};
use recsys_examples::{AnyResult, Args, ModelFlags, ModelKind, TrainSet};

const HELP: &str = "\
movielens: train and evaluate every recsys model on MovieLens-100K.

  movielens [--data data/ml-100k] [--k 10] [--users 1,2] [--write-split DIR]

--data         directory with ml-100k.inter / ml-100k.item (scripts/fetch-movielens.sh)
--k            list length for the metrics (default 10)
--users        raw user ids to show sample recommendations for (default 1,2)
--write-split  also write DIR/train.csv and DIR/test.csv (user_id,item_id,rating,timestamp)
";

fn main() {
    if let Err(e) = run() {
        eprintln!("movielens: error: {e}");
        std::process::exit(2);
    }
}

fn run() -> AnyResult<()> {
    let args = Args::parse(std::env::args().skip(1))?;
    if args.flag("help")? {
        println!("{HELP}");
        return Ok(());
    }
    let data_dir: PathBuf = args
        .get("data")?
        .unwrap_or_else(|| PathBuf::from("data/ml-100k"));
    let k: usize = args.get("k")?.unwrap_or(10);
    let sample_users: String = args.get("users")?.unwrap_or_else(|| "1,2".to_owned());
    let write_split: Option<PathBuf> = args.get("write-split")?;
    args.finish()?;

    let started = Instant::now();
    let dataset = load(&data_dir)?;
    let all = TrainSet::from_dataset(dataset);
    println!(
        "MovieLens-100K: {} users, {} items, {} ratings (loaded in {:.2} s)",
        all.dataset.n_users(),
        all.dataset.n_items(),
        all.ratings.len(),
        started.elapsed().as_secs_f64()
    );

    // The protocol's per-user temporal split; same-second ties are broken by the raw item id.
    let raw_item_ids: Vec<u64> = all
        .dataset
        .items
        .ids()
        .iter()
        .map(|id| id.parse().unwrap_or(u64::MAX))
        .collect();
    let split = temporal_split_by(&all.ratings, 0.2, |r| raw_item_ids[r.item as usize])?;
    if let Some(dir) = write_split {
        write_split_csv(&all.dataset, &split, &dir)?;
    }
    let train = train_subset(&all.dataset, &split.train)?;
    let relevance = Relevance::from_ratings(&split.test, all.dataset.n_users(), 4.0)?;
    println!(
        "temporal split: {} train / {} test ratings, {} users with a relevant (≥ 4) test item\n",
        split.train.len(),
        split.test.len(),
        relevance.n_evaluated_users()
    );

    let flags = ModelFlags::tuned();
    let kinds = [
        ModelKind::Popularity,
        ModelKind::ItemKnn,
        ModelKind::Als,
        ModelKind::Mf,
    ];
    println!(
        "{:<12} {}  {:>7} {:>7}",
        "model",
        Report::header().replace("@k", &format!("@{k}")),
        "fit s",
        "eval s"
    );
    let mut models: Vec<(ModelKind, Interactions, Box<dyn ItemScorer>)> = Vec::new();
    let mut rating_errors = None;
    for kind in kinds {
        let matrix = flags.interactions(kind, &train)?;
        let started = Instant::now();
        let model: Box<dyn ItemScorer> = if kind == ModelKind::Mf {
            let mf = flags.mf.fit(
                &train.triplets(),
                all.dataset.n_users(),
                all.dataset.n_items(),
            )?;
            // Rating prediction on the same held-out ratings.
            let pairs = split
                .test
                .iter()
                .map(|r| Ok((r.value, mf.predict(r.user, r.item)?)))
                .collect::<recsys_core::Result<Vec<_>>>()?;
            rating_errors = Some(prediction_errors(pairs)?);
            Box::new(mf)
        } else {
            flags.fit(kind, &train, &matrix)?
        };
        let fit_seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let report = evaluate_top_n(model.as_ref(), &matrix, &relevance, k)?;
        println!(
            "{:<12} {report}  {fit_seconds:>7.2} {:>7.2}",
            kind.to_string(),
            started.elapsed().as_secs_f64()
        );
        models.push((kind, matrix, model));
    }
    if let Some(errors) = rating_errors {
        println!(
            "\nexplicit MF on the temporal test ratings: RMSE {:.4}, MAE {:.4} ({} ratings)",
            errors.rmse, errors.mae, errors.n
        );
    }

    for raw_user in sample_users
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        let Some(user) = all.dataset.users.index_of(raw_user) else {
            println!("\nuser {raw_user}: not in the data");
            continue;
        };
        show_user(&all.dataset, &split, user, raw_user, &models)?;
    }
    Ok(())
}

/// Ratings, titles and genres (the knowledge graph is not needed here).
fn load(dir: &Path) -> AnyResult<Dataset> {
    let inter = dir.join("ml-100k.inter");
    if !inter.is_file() {
        return Err(format!(
            "{} not found: run scripts/fetch-movielens.sh (or pass --data DIR)",
            inter.display()
        )
        .into());
    }
    let mut dataset = Dataset::new();
    let item = dir.join("ml-100k.item");
    if item.is_file() {
        let file = std::io::BufReader::new(std::fs::File::open(&item)?);
        recbole::read_item(file, &item.display().to_string(), &mut dataset)?;
    }
    let file = std::io::BufReader::new(std::fs::File::open(&inter)?);
    recbole::read_inter(file, &inter.display().to_string(), &mut dataset)?;
    Ok(dataset)
}

/// A training set holding `ratings` with the full dataset's user and item indices.
fn train_subset(full: &Dataset, ratings: &[Rating]) -> AnyResult<TrainSet> {
    let mut dataset = full.without_events();
    for r in ratings {
        let user = full.users.id_of(r.user).unwrap_or_default();
        let item = full.items.id_of(r.item).unwrap_or_default();
        dataset.add_event(
            user,
            item,
            recsys_core::data::Feedback::Rating(r.value),
            r.timestamp,
        )?;
    }
    Ok(TrainSet::from_dataset(dataset))
}

fn title(dataset: &Dataset, item: u32) -> String {
    dataset
        .catalog()
        .item(item)
        .and_then(|info| info.display_title())
        .unwrap_or_else(|| format!("item {}", dataset.items.id_of(item).unwrap_or("?")))
}

fn show_user(
    dataset: &Dataset,
    split: &Split<Rating>,
    user: u32,
    raw_user: &str,
    models: &[(ModelKind, Interactions, Box<dyn ItemScorer>)],
) -> AnyResult<()> {
    let mut liked: Vec<&Rating> = split
        .train
        .iter()
        .filter(|r| r.user == user && r.value >= 5.0)
        .collect();
    liked.sort_by_key(|r| std::cmp::Reverse(r.timestamp));
    println!("\nuser {raw_user}: latest 5-star ratings in training:");
    for r in liked.iter().take(4) {
        println!("    {}", title(dataset, r.item));
    }
    let held_out: Vec<u32> = split
        .test
        .iter()
        .filter(|r| r.user == user && r.value >= 4.0)
        .map(|r| r.item)
        .collect();
    for (kind, matrix, model) in models {
        if *kind == ModelKind::Popularity {
            continue;
        }
        let (items, values) = matrix.row(user as usize);
        let recs = recommend(
            model.as_ref(),
            Some(user),
            History::new(items, values),
            &TopN::new(5),
        )?;
        println!("  {kind} recommends (* = liked in the held-out test period):");
        for rec in recs {
            let mark = if held_out.contains(&rec.item) {
                "*"
            } else {
                " "
            };
            println!("  {mark} {:>8.3}  {}", rec.score, title(dataset, rec.item));
        }
    }
    Ok(())
}

fn write_split_csv(dataset: &Dataset, split: &Split<Rating>, dir: &Path) -> AnyResult<()> {
    std::fs::create_dir_all(dir)?;
    for (name, rows) in [("train.csv", &split.train), ("test.csv", &split.test)] {
        let path = dir.join(name);
        let mut out = BufWriter::new(std::fs::File::create(&path)?);
        writeln!(out, "user_id,item_id,rating,timestamp")?;
        for r in rows.iter() {
            writeln!(
                out,
                "{},{},{},{}",
                dataset.users.id_of(r.user).unwrap_or_default(),
                dataset.items.id_of(r.item).unwrap_or_default(),
                r.value,
                r.timestamp
            )?;
        }
        out.flush()?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
