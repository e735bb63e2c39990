//! Times every stage of a default [`RecommenderBuilder`] fit on synthetic star ratings
//! ([`recsys_benches::synthetic_ratings`]) and prints one line per stage, plus the rating
//! model's epochs.
//!
//! ```text
//! fit_stages [--events 5000000] [--users U] [--items I] [--seed 7] [--solver als|sgd]
//! ```
//!
//! Without `--users`/`--items` the shape follows the evaluation kit's synthetic sets: 100k
//! events over 10,000 users × 5,000 items, 5M over 200,000 × 50,000 (users = events / 25,
//! items = events / 100, at least 1,000 each). Threads: `RAYON_NUM_THREADS`.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use recsys_core::data::{Dataset, Feedback};
use recsys_core::models::mf::{MfConfig, MfProgress};
use recsys_core::recommender::{FitProgress, RecommenderBuilder};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fit_stages: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let (mut events, mut users, mut items, mut seed) = (5_000_000usize, None, None, 7u64);
    let mut ratings = MfConfig::new();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--events" => events = value.parse().map_err(|e| bad(&e))?,
            "--users" => users = Some(value.parse().map_err(|e| bad(&e))?),
            "--items" => items = Some(value.parse().map_err(|e| bad(&e))?),
            "--seed" => seed = value.parse().map_err(|e| bad(&e))?,
            "--solver" if value == "als" => ratings = MfConfig::new(),
            "--solver" if value == "sgd" => ratings = MfConfig::sgd(),
            _ => return Err(format!("unknown flag or value: {flag} {value}")),
        }
    }
    let users = users.unwrap_or((events / 25).max(1_000));
    let items = items.unwrap_or((events / 100).max(1_000));
    let started = Instant::now();
    let mut dataset = Dataset::new();
    for (user, item, stars, timestamp) in
        recsys_benches::synthetic_ratings(users, items, events, seed)
    {
        dataset
            .add_event(
                &format!("u{user}"),
                &format!("i{item}"),
                Feedback::Rating(stars),
                timestamp,
            )
            .map_err(|e| e.to_string())?;
    }
    println!(
        "{} ratings, {} users x {} items, generated in {:.1} s; {} threads",
        dataset.events().len(),
        dataset.n_users(),
        dataset.n_items(),
        started.elapsed().as_secs_f64(),
        rayon_threads()
    );

    let epoch_clock = Arc::new(Mutex::new(Instant::now()));
    let clock = Arc::clone(&epoch_clock);
    let ratings = ratings.on_epoch(move |p: MfProgress| {
        if let Ok(mut last) = clock.lock() {
            println!(
                "  ratings epoch {}/{}: {:.2} s",
                p.epoch,
                p.epochs,
                last.elapsed().as_secs_f64()
            );
            *last = Instant::now();
        }
    });
    let builder = RecommenderBuilder::new().ratings(Some(ratings));
    let fit_started = Instant::now();
    let mut stage_started = Instant::now();
    builder
        .fit_with_progress(&dataset, &mut |p: FitProgress| {
            println!(
                "{:<13} {:>7.2} s  ({}/{})",
                p.stage.name(),
                stage_started.elapsed().as_secs_f64(),
                p.done,
                p.total
            );
            stage_started = Instant::now();
            if let Ok(mut last) = epoch_clock.lock() {
                *last = Instant::now();
            }
        })
        .map_err(|e| e.to_string())?;
    println!(
        "total         {:>7.2} s",
        fit_started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn rayon_threads() -> String {
    std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "all".into())
}
