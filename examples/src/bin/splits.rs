//! `splits`: the two MovieLens-100K split kinds the project is measured on, written for peers
//! and scored for the hybrid recommender.
//!
//! - `temporal`: the protocol's per-user temporal split (last 20 % of each user's ratings by
//!   time, ties by raw item id); validation = the same rule applied to its training part.
//! - `random`: a per-user random 80/20 split (`eval::split::per_user_random_split`, seeded);
//!   validation = the same rule, another seed, applied to its training part.
//!
//! For each split kind it writes `train.csv`, `test.csv`, `val_train.csv`, `val_test.csv`
//! (`user_id,item_id,rating,timestamp`, raw ids) and `items.csv` (`item_id,genres`) under
//! `--out`, fits the recommender on each training part (full catalogue known), and writes
//! `ours_val.csv` / `ours_test.csv` (`user_id,item_id,rank`, 10 per user with a relevant held-out
//! item) with its metrics; `--cold` also runs the cold-user protocol on each training part.
//! `scripts/compare_peers.py` runs it and scores everyone on the same files.
//!
//! ```text
//! cargo run --release -p recsys-examples --bin splits -- --out target/splits [--parts val,test]
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use recsys_core::data::loaders::recbole::load_recbole_dir;
use recsys_core::data::{Dataset, Feedback};
use recsys_core::eval::split::{
    per_user_random_split, ratings_from_events, temporal_split_by, Rating, Split,
};
use recsys_core::eval::{summarize, Relevance, Report};
use recsys_core::models::ease::{EaseConfig, EaseInput};
use recsys_core::recommender::{
    BlendConfig, List, Query, Recommender, RecommenderBuilder, UserHistory,
};
use recsys_examples::{AnyResult, Args};

const HELP: &str = "\
splits: write the temporal and random MovieLens-100K splits and score the recommender on them.

  splits [--data data/ml-100k] [--out target/splits] [--seed 2026] [--kinds temporal,random]
         [--parts val,test] [--cold] [--no-write] [--grid BLENDS.jsonl]
         [--ease-lambda L] [--ease-neighbors K|0] [--ease-input binary|values] [--no-ease]

--seed     seed of the random split (its validation part uses seed + 1)
--parts    which parts to score: val (train on val_train, score val_test), test
--cold     also score the cold-user protocol on each part's training ratings
--grid     one blend per line (JSON, e.g. {\"ease\": 2}); every blend is scored on the same fit
--ease-*   the recommender's EASE settings (default: the builder's); --ease-neighbors 0 keeps all
";

fn main() {
    if let Err(e) = run() {
        eprintln!("splits: error: {e}");
        std::process::exit(2);
    }
}

struct Data {
    dataset: Dataset,
    ratings: Vec<Rating>,
    raw_items: Vec<u64>,
}

impl Data {
    fn user_id(&self, user: u32) -> &str {
        self.dataset.users.id_of(user).unwrap_or_default()
    }

    fn item_id(&self, item: u32) -> &str {
        self.dataset.items.id_of(item).unwrap_or_default()
    }

    /// The full catalogue with only `ratings` as events.
    fn dataset_of(&self, ratings: &[Rating]) -> AnyResult<Dataset> {
        let mut ds = self.dataset.without_events();
        for r in ratings {
            ds.add_event(
                self.user_id(r.user),
                self.item_id(r.item),
                Feedback::Rating(r.value),
                r.timestamp,
            )?;
        }
        Ok(ds)
    }

    fn temporal(&self, ratings: &[Rating]) -> AnyResult<Split<Rating>> {
        Ok(temporal_split_by(ratings, 0.2, |r| {
            self.raw_items[r.item as usize]
        })?)
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
        .unwrap_or_else(|| PathBuf::from("target/splits"));
    let seed: u64 = args.get("seed")?.unwrap_or(2026);
    let kinds: String = args
        .get("kinds")?
        .unwrap_or_else(|| "temporal,random".into());
    let parts: String = args.get("parts")?.unwrap_or_else(|| "val,test".into());
    let cold = args.flag("cold")?;
    let write = !args.flag("no-write")?;
    let grid: Option<PathBuf> = args.get("grid")?;
    let mut builder = RecommenderBuilder::new();
    let ease_lambda: Option<f32> = args.get("ease-lambda")?;
    let ease_neighbors: Option<usize> = args.get("ease-neighbors")?;
    let ease_input: Option<String> = args.get("ease-input")?;
    if ease_lambda.is_some() || ease_neighbors.is_some() || ease_input.is_some() {
        let mut ease = EaseConfig::new().lambda(500.0).neighbors(Some(200));
        if let Some(lambda) = ease_lambda {
            ease = ease.lambda(lambda);
        }
        if let Some(k) = ease_neighbors {
            ease = ease.neighbors((k > 0).then_some(k));
        }
        match ease_input.as_deref() {
            None | Some("binary") => {}
            Some("values") => ease = ease.input(EaseInput::Values),
            Some(other) => return Err(format!("--ease-input: unknown {other:?}").into()),
        }
        builder = builder.ease(Some(ease));
    }
    if args.flag("no-ease")? {
        builder = builder.ease(None);
    }
    args.finish()?;
    let blends: Vec<(String, BlendConfig)> = match grid {
        None => vec![("default".into(), BlendConfig::new())],
        Some(path) => std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| -> AnyResult<(String, BlendConfig)> {
                Ok((l.trim().to_string(), serde_json::from_str(l)?))
            })
            .collect::<AnyResult<_>>()?,
    };

    let dataset = load_recbole_dir(&dir, "ml-100k")
        .map_err(|e| format!("{e} (run scripts/fetch-movielens.sh first)"))?;
    let ratings = ratings_from_events(dataset.events());
    let raw_items = dataset
        .items
        .ids()
        .iter()
        .map(|id| {
            id.parse::<u64>()
                .map_err(|_| format!("item id {id:?} is not a number"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let data = Data {
        dataset,
        ratings,
        raw_items,
    };

    for kind in kinds.split(',') {
        let (split, validation) = match kind {
            "temporal" => {
                let split = data.temporal(&data.ratings)?;
                let validation = data.temporal(&split.train)?;
                (split, validation)
            }
            "random" => {
                let split = per_user_random_split(&data.ratings, 0.2, seed)?;
                let validation = per_user_random_split(&split.train, 0.2, seed + 1)?;
                (split, validation)
            }
            other => return Err(format!("--kinds: unknown split kind {other:?}").into()),
        };
        let kind_dir = out.join(kind);
        if write {
            std::fs::create_dir_all(&kind_dir)?;
            for (name, part) in [
                ("train", &split.train),
                ("test", &split.test),
                ("val_train", &validation.train),
                ("val_test", &validation.test),
            ] {
                write_ratings(&data, &kind_dir.join(format!("{name}.csv")), part)?;
            }
            write_items(&data, &kind_dir.join("items.csv"))?;
        }
        for part in parts.split(',') {
            let (train, test) = match part {
                "val" => (&validation.train, &validation.test),
                "test" => (&split.train, &split.test),
                other => return Err(format!("--parts: unknown part {other:?}").into()),
            };
            let started = Instant::now();
            let base = builder.fit(&data.dataset_of(train)?)?;
            let fit_s = started.elapsed().as_secs_f64();
            let cold_base = if cold {
                let held_out = |u: u32| u.is_multiple_of(5);
                let rest: Vec<Rating> = train
                    .iter()
                    .filter(|r| !held_out(r.user))
                    .copied()
                    .collect();
                Some((
                    builder.fit(&data.dataset_of(&rest)?)?,
                    cold_users(&data, train)?,
                ))
            } else {
                None
            };
            for (label, blend) in &blends {
                let rec = base.clone().with_blend(blend.clone())?;
                let (lists, report) = evaluate(&data, &rec, train, test)?;
                print(&format!("{kind} {part} {label}"), &report, fit_s);
                if write && blends.len() == 1 {
                    write_recs(&data, &kind_dir.join(format!("ours_{part}.csv")), &lists)?;
                }
                if let Some((cold_rec, cold)) = &cold_base {
                    let rec = cold_rec.clone().with_blend(blend.clone())?;
                    let lists = for_you_lists(&rec, &cold.histories, cold.relevance.per_user())?;
                    let report = summarize(
                        &lists,
                        cold.relevance.per_user(),
                        &vec![true; data.dataset.n_items()],
                        10,
                    )?;
                    print(&format!("{kind} {part} cold-users {label}"), &report, 0.0);
                }
            }
        }
    }
    Ok(())
}

fn print(label: &str, r: &Report, fit_s: f64) {
    println!(
        "{label:<60} nDCG {:.4} P {:.4} R {:.4} MAP {:.4} HR {:.4} cov {:.4} users {} fit {fit_s:.1}s",
        r.ndcg, r.precision, r.recall, r.map, r.hit_rate, r.coverage, r.n_users
    );
}

/// Every user's training ratings as a request history.
fn histories(data: &Data, ratings: &[Rating]) -> Vec<UserHistory> {
    let mut out = vec![UserHistory::new(); data.dataset.n_users()];
    for r in ratings {
        out[r.user as usize].push(data.item_id(r.item), Feedback::Rating(r.value), r.timestamp);
    }
    out
}

/// For You top-10 of every user with relevant items (in parallel on two threads).
fn for_you_lists(
    rec: &Recommender,
    histories: &[UserHistory],
    relevant: &[Vec<u32>],
) -> AnyResult<Vec<Vec<u32>>> {
    let query = Query::new(List::ForYou).n(10);
    let index: std::collections::HashMap<&str, u32> = rec
        .item_ids()
        .enumerate()
        .map(|(i, id)| (id, i as u32))
        .collect();
    let one = |user: usize| -> Result<Vec<u32>, recsys_core::Error> {
        if relevant.get(user).is_none_or(|r| r.is_empty()) {
            return Ok(Vec::new());
        }
        let recs = rec.recommend(&histories[user], &query)?;
        Ok(recs
            .items
            .iter()
            .map(|r| index[r.item_id.as_str()])
            .collect())
    };
    let half = histories.len() / 2;
    let (first, second) = std::thread::scope(|s| {
        let first = s.spawn(|| (0..half).map(one).collect::<Result<Vec<_>, _>>());
        let second = (half..histories.len())
            .map(one)
            .collect::<Result<Vec<_>, _>>();
        (first.join(), second)
    });
    let mut lists = first.map_err(|_| "a worker panicked")??;
    lists.extend(second?);
    Ok(lists)
}

/// The lists and metrics of `rec` (fitted on `train`) against `test`: relevant = rating ≥ 4,
/// training items excluded, coverage over the items with training interactions.
fn evaluate(
    data: &Data,
    rec: &Recommender,
    train: &[Rating],
    test: &[Rating],
) -> AnyResult<(Vec<Vec<u32>>, Report)> {
    let n_users = data.dataset.n_users();
    let relevance = Relevance::from_ratings(test, n_users, 4.0)?;
    let lists = for_you_lists(rec, &histories(data, train), relevance.per_user())?;
    let mut catalogue = vec![false; data.dataset.n_items()];
    for r in train {
        catalogue[r.item as usize] = true;
    }
    let report = summarize(&lists, relevance.per_user(), &catalogue, 10)?;
    Ok((lists, report))
}

/// The cold-user protocol on a training part: every 5th user is left out of training; their
/// first 5 ratings (by time) are the history, their later ratings ≥ 4 the relevant items.
struct ColdUsers {
    histories: Vec<UserHistory>,
    relevance: Relevance,
}

fn cold_users(data: &Data, ratings: &[Rating]) -> AnyResult<ColdUsers> {
    let n_users = data.dataset.n_users();
    let mut per_user: Vec<Vec<Rating>> = vec![Vec::new(); n_users];
    for r in ratings.iter().filter(|r| r.user.is_multiple_of(5)) {
        per_user[r.user as usize].push(*r);
    }
    let mut histories = vec![UserHistory::new(); n_users];
    let mut pairs = Vec::new();
    for user_ratings in &mut per_user {
        user_ratings.sort_by_key(|r| (r.timestamp, data.raw_items[r.item as usize]));
        for (position, r) in user_ratings.iter().enumerate() {
            if position < 5 {
                histories[r.user as usize].push(
                    data.item_id(r.item),
                    Feedback::Rating(r.value),
                    r.timestamp,
                );
            } else if r.value >= 4.0 {
                pairs.push((r.user, r.item));
            }
        }
    }
    Ok(ColdUsers {
        histories,
        relevance: Relevance::from_pairs(n_users, pairs)?,
    })
}

fn write_ratings(data: &Data, path: &Path, ratings: &[Rating]) -> AnyResult<()> {
    let mut csv = String::from("user_id,item_id,rating,timestamp\n");
    for r in ratings {
        writeln!(
            csv,
            "{},{},{},{}",
            data.user_id(r.user),
            data.item_id(r.item),
            r.value,
            r.timestamp
        )?;
    }
    std::fs::write(path, csv).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(())
}

fn write_items(data: &Data, path: &Path) -> AnyResult<()> {
    let mut csv = String::from("item_id,genres\n");
    for (item, id) in data.dataset.items.ids().iter().enumerate() {
        let genres = data
            .dataset
            .catalog()
            .item(item as u32)
            .map(|info| info.genres.join("|"))
            .unwrap_or_default();
        writeln!(csv, "{id},{genres}")?;
    }
    std::fs::write(path, csv).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(())
}

fn write_recs(data: &Data, path: &Path, lists: &[Vec<u32>]) -> AnyResult<()> {
    let mut csv = String::from("user_id,item_id,rank\n");
    for (user, list) in lists.iter().enumerate() {
        for (rank, &item) in list.iter().enumerate() {
            writeln!(
                csv,
                "{},{},{}",
                data.user_id(user as u32),
                data.item_id(item),
                rank + 1
            )?;
        }
    }
    std::fs::write(path, csv).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(())
}
