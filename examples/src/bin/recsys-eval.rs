//! `recsys-eval`: train a model on a ratings CSV and write recommendations or predictions in the
//! formats of the MovieLens evaluation protocol, optionally printing our own metrics.
//!
//! ```text
//! recsys-eval --model item-knn --train train.csv --out recs.csv [--test test.csv]
//! recsys-eval --model mf --folds explicit_folds.csv --out preds.csv
//! ```

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use recsys_core::eval::metrics::prediction_errors;
use recsys_core::eval::split::fold_assignment;
use recsys_core::eval::{evaluate_top_n, Relevance, Report};
use recsys_core::models::{recommend, History, TopN};
use recsys_examples::{
    index_held_out, read_ratings_csv, AnyResult, Args, ModelFlags, ModelKind, TrainSet,
    MODEL_FLAGS_HELP,
};

const HELP: &str = "\
recsys-eval: train a recsys model on a ratings CSV and write its output for scoring.

Top-N mode:
  recsys-eval --model als|item-knn|mf|popularity --train TRAIN.csv --out RECS.csv
              [--test TEST.csv] [--k 10] [--relevant-at 4] [hyper-parameters]
  TRAIN/TEST columns: user_id,item_id,rating,timestamp. Writes user_id,item_id,rank with k rows
  for every user in TRAIN (training items excluded); with --test prints P, R, nDCG, MAP, HR and
  coverage @k over users with a test rating >= --relevant-at.

Explicit mode (MF):
  recsys-eval --model mf --folds FOLDS.csv --out PREDS.csv [--n-folds 5] [hyper-parameters]
  FOLDS columns: user_id,item_id,rating,timestamp[,fold]. For each fold, trains on the others and
  writes user_id,item_id,fold,prediction; prints RMSE and MAE per fold and their mean. Without a
  fold column, rows are assigned to --n-folds seeded random folds.
";

fn main() {
    if let Err(e) = run() {
        eprintln!("recsys-eval: error: {e}");
        std::process::exit(2);
    }
}

fn run() -> AnyResult<()> {
    let args = Args::parse(std::env::args().skip(1))?;
    if args.flag("help")? {
        println!("{HELP}\n{MODEL_FLAGS_HELP}");
        return Ok(());
    }
    let kind: ModelKind = args.require("model")?;
    let out: PathBuf = args.require("out")?;
    let flags = ModelFlags::from_args(&args)?;
    if let Some(folds) = args.get::<PathBuf>("folds")? {
        let n_folds = args.get("n-folds")?.unwrap_or(5);
        let fold_seed = args.get("seed")?.unwrap_or(42);
        args.finish()?;
        if kind != ModelKind::Mf {
            return Err("--folds (explicit predictions) needs --model mf".into());
        }
        return explicit_folds(&flags, &folds, (n_folds, fold_seed), &out);
    }
    let train_path: PathBuf = args.require("train")?;
    let test_path: Option<PathBuf> = args.get("test")?;
    let k: usize = args.get("k")?.unwrap_or(10);
    let relevant_at: f32 = args.get("relevant-at")?.unwrap_or(4.0);
    args.finish()?;

    let train = TrainSet::from_rows(&read_ratings_csv(&train_path)?)?;
    let matrix = flags.interactions(kind, &train)?;
    let started = Instant::now();
    let model = flags.fit(kind, &train, &matrix)?;
    let fit_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut writer =
        BufWriter::new(std::fs::File::create(&out).map_err(|e| format!("{}: {e}", out.display()))?);
    writeln!(writer, "user_id,item_id,rank")?;
    for user in 0..matrix.n_users() {
        let (items, values) = matrix.row(user);
        let recs = recommend(
            model.as_ref(),
            Some(user as u32),
            History::new(items, values),
            &TopN::new(k),
        )?;
        let user_id = train.dataset.users.id_of(user as u32).unwrap_or_default();
        for (rank, rec) in recs.iter().enumerate() {
            let item_id = train.dataset.items.id_of(rec.item).unwrap_or_default();
            writeln!(writer, "{user_id},{item_id},{}", rank + 1)?;
        }
    }
    writer.flush()?;
    println!(
        "{kind}: fit {fit_seconds:.2} s, recommend {:.2} s for {} users -> {}",
        started.elapsed().as_secs_f64(),
        matrix.n_users(),
        out.display()
    );

    if let Some(test_path) = test_path {
        let test = index_held_out(
            &read_ratings_csv(&test_path)?,
            &train.dataset.users,
            &train.dataset.items,
        );
        let relevance = Relevance::from_ratings(&test, matrix.n_users(), relevant_at)?;
        let report = evaluate_top_n(model.as_ref(), &matrix, &relevance, k)?;
        println!(
            "{:<12} {}",
            "model",
            Report::header().replace("@k", &format!("@{k}"))
        );
        println!("{:<12} {report}", kind.to_string());
        println!(
            "full precision: precision={:.9} recall={:.9} ndcg={:.9} map={:.9} hr={:.9} coverage={:.9}",
            report.precision, report.recall, report.ndcg, report.map, report.hit_rate, report.coverage
        );
    }
    Ok(())
}

/// Cross-validated explicit predictions.
fn explicit_folds(
    flags: &ModelFlags,
    path: &std::path::Path,
    (n_folds, fold_seed): (usize, u64),
    out: &std::path::Path,
) -> AnyResult<()> {
    let rows = read_ratings_csv(path)?;
    let everything = TrainSet::from_rows(&rows)?;
    let folds: Vec<usize> = if rows.iter().all(|r| r.fold.is_some()) {
        rows.iter().map(|r| r.fold.unwrap_or_default()).collect()
    } else {
        fold_assignment(&rows, n_folds, fold_seed)?
    };
    let n_folds = folds.iter().max().map_or(0, |&f| f + 1);
    let triplets = everything.triplets();
    let (n_users, n_items) = (everything.dataset.n_users(), everything.dataset.n_items());
    let mut writer =
        BufWriter::new(std::fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?);
    writeln!(writer, "user_id,item_id,fold,prediction")?;
    let (mut rmse_sum, mut mae_sum) = (0.0, 0.0);
    for fold in 0..n_folds {
        let train: Vec<(u32, u32, f32)> = triplets
            .iter()
            .zip(&folds)
            .filter(|(_, &f)| f != fold)
            .map(|(t, _)| *t)
            .collect();
        let started = Instant::now();
        let model = flags.mf.fit(&train, n_users, n_items)?;
        let mut pairs = Vec::new();
        for ((row, &(user, item, rating)), _) in rows
            .iter()
            .zip(&triplets)
            .zip(&folds)
            .filter(|(_, &f)| f == fold)
        {
            let prediction = model.predict(user, item)?;
            writeln!(writer, "{},{},{fold},{prediction}", row.user, row.item)?;
            pairs.push((rating, prediction));
        }
        let errors = prediction_errors(pairs)?;
        println!(
            "fold {fold}: RMSE {:.4}  MAE {:.4}  ({} ratings, fit {:.2} s)",
            errors.rmse,
            errors.mae,
            errors.n,
            started.elapsed().as_secs_f64()
        );
        rmse_sum += errors.rmse;
        mae_sum += errors.mae;
    }
    writer.flush()?;
    println!(
        "mean over {n_folds} folds: RMSE {:.4}  MAE {:.4} -> {}",
        rmse_sum / n_folds as f64,
        mae_sum / n_folds as f64,
        out.display()
    );
    Ok(())
}
