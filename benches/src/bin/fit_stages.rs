//! Times every stage of a default [`RecommenderBuilder`] fit on synthetic star ratings
//! ([`recsys_benches::synthetic_ratings`]) and prints one line per stage, plus the rating
//! model's epochs.
//!
//! ```text
//! fit_stages [--events 5000000] [--users U] [--items I] [--seed 7] [--solver als|sgd]
//!            [--epochs N] [--ratings-only]
//! ```
//!
//! Without `--users`/`--items` there are events / 25 users and events / 100 items (at least
//! 1,000 each): 200,000 × 50,000 for 5M, the evaluation kit's M shape (pass `--users 10000
//! --items 5000` for its S shape at 100k). Each line shows wall seconds and the process's CPU
//! seconds (all threads; steadier than wall time on a shared machine). `--ratings-only` fits
//! the rating model alone on the same ratings. Threads: `RAYON_NUM_THREADS`.

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
    let mut ratings_only = false;
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
            "--epochs" => ratings = ratings.epochs(value.parse().map_err(|e| bad(&e))?),
            "--ratings-only" => ratings_only = value == "true",
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

    let epoch_clock = Arc::new(Mutex::new((Instant::now(), cpu_seconds())));
    let clock = Arc::clone(&epoch_clock);
    let ratings = ratings.on_epoch(move |p: MfProgress| {
        if let Ok(mut last) = clock.lock() {
            println!(
                "  ratings epoch {}/{}: {:.2} s (cpu {:.2} s)",
                p.epoch,
                p.epochs,
                last.0.elapsed().as_secs_f64(),
                cpu_seconds() - last.1
            );
            *last = (Instant::now(), cpu_seconds());
        }
    });
    if ratings_only {
        let triplets = dataset.ratings();
        let (started, cpu) = (Instant::now(), cpu_seconds());
        ratings
            .fit(&triplets, dataset.n_users(), dataset.n_items())
            .map_err(|e| e.to_string())?;
        println!(
            "ratings       {:>7.2} s  cpu {:>7.2} s",
            started.elapsed().as_secs_f64(),
            cpu_seconds() - cpu
        );
        return Ok(());
    }
    let builder = RecommenderBuilder::new().ratings(Some(ratings));
    let (fit_started, fit_cpu) = (Instant::now(), cpu_seconds());
    let (mut stage_started, mut stage_cpu) = (Instant::now(), cpu_seconds());
    builder
        .fit_with_progress(&dataset, &mut |p: FitProgress| {
            println!(
                "{:<13} {:>7.2} s  cpu {:>7.2} s  ({}/{})",
                p.stage.name(),
                stage_started.elapsed().as_secs_f64(),
                cpu_seconds() - stage_cpu,
                p.done,
                p.total
            );
            (stage_started, stage_cpu) = (Instant::now(), cpu_seconds());
            if let Ok(mut last) = epoch_clock.lock() {
                *last = (Instant::now(), cpu_seconds());
            }
        })
        .map_err(|e| e.to_string())?;
    println!(
        "total         {:>7.2} s  cpu {:>7.2} s",
        fit_started.elapsed().as_secs_f64(),
        cpu_seconds() - fit_cpu
    );
    Ok(())
}

/// User + system CPU seconds of this process so far (Linux `/proc/self/stat`; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which ends with the last ')'): utime and stime are the
    // 12th and 13th, in clock ticks (100 per second on Linux).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn rayon_threads() -> String {
    std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "all".into())
}
