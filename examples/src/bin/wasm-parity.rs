//! Writes the native side of recsys-wasm's parity test (`recsys-wasm/tests/parity.mjs`): the
//! MovieLens-100K web artifact and the native core's answers to requests for real visitor
//! histories (taken from the data at test time, so nothing of the dataset is committed).
//!
//! ```text
//! cargo run --release -p recsys-examples --bin wasm-parity -- --out target/wasm-parity
//! node recsys-wasm/tests/parity.mjs target/wasm-parity
//! ```
//!
//! Histories: `--users` users spread over the data (default 120), each with their first
//! 1 to 40 ratings in time order (some turned into likes, dislikes and "not interested").
//! Calls per history: For You (10, with sentences and the ALS decomposition), Because You
//! Liked the first history item, By Genre, "Why this movie?" and the predicted rating of an item.

use std::path::PathBuf;

use recsys_core::artifact::Artifact;
use recsys_core::data::loaders::recbole::load_recbole_dir;
use recsys_core::data::Feedback;
use recsys_core::recommender::{
    ArtifactOptions, List, Query, Recommender, RecommenderBuilder, UserHistory,
};
use recsys_examples::{AnyResult, Args};
use serde_json::{json, Value};

const HELP: &str = "\
wasm-parity: the web artifact of MovieLens-100K and the native answers for recsys-wasm's
parity test.

  wasm-parity [--data data/ml-100k] [--out target/wasm-parity] [--users 120]

Writes OUT/web.recsys and OUT/expected.json.
";

fn main() {
    if let Err(e) = run() {
        eprintln!("wasm-parity: error: {e}");
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
        .unwrap_or_else(|| PathBuf::from("target/wasm-parity"));
    let n_users: usize = args.get("users")?.unwrap_or(120);
    args.finish()?;

    let dataset = load_recbole_dir(&dir, "ml-100k")
        .map_err(|e| format!("{e} (run scripts/fetch-movielens.sh first)"))?;
    let bytes = RecommenderBuilder::new()
        .fit(&dataset)?
        .compact(&ArtifactOptions::web())?
        .to_bytes()?;
    // The native answers come from the loaded artifact, exactly what the browser gets.
    let rec = Recommender::from_bytes(&bytes)?;

    // Each user's events in time order.
    let mut by_user: Vec<Vec<(i64, u32, Feedback)>> = vec![Vec::new(); dataset.n_users()];
    for event in dataset.events() {
        by_user[event.user as usize].push((event.timestamp, event.item, event.feedback));
    }
    let step = (dataset.n_users() / n_users.max(1)).max(1);
    let genres = rec.genres();
    let mut cases = Vec::new();
    for (case, user) in (0..dataset.n_users())
        .step_by(step)
        .take(n_users)
        .enumerate()
    {
        let mut events = by_user[user].clone();
        events.sort_by_key(|&(t, item, _)| (t, item));
        events.truncate(1 + case % 40);
        let mut history = UserHistory::new();
        for (position, &(t, item, feedback)) in events.iter().enumerate() {
            let feedback = match (case % 5, position % 7) {
                (1, 3) => Feedback::Like,
                (2, 4) => Feedback::Dislike,
                (3, 5) => Feedback::NotInterested,
                _ => feedback,
            };
            let id = dataset.items.id_of(item).ok_or("unknown item")?;
            history.push(id, feedback, t);
        }
        let first = dataset.items.id_of(events[0].1).ok_or("unknown item")?;
        let genre = genres[case % genres.len()];
        let other = rec
            .item_ids()
            .nth((case * 37) % rec.n_items())
            .ok_or("no items")?;
        let for_you = json!({"n": 10, "explain": true, "detail": true});
        let answer = |query: Query| -> AnyResult<Value> {
            Ok(serde_json::to_value(rec.recommend(&history, &query)?)?)
        };
        let calls = vec![
            json!([
                "forYou",
                for_you.clone(),
                answer(Query::new(List::ForYou).n(10).explain(true).detail(true))?
            ]),
            json!(["becauseYouLiked", first, {"n": 5, "explain": true},
                answer(Query::new(List::because_you_liked(first)).n(5).explain(true))?]),
            json!([
                "byGenre",
                genre,
                5,
                answer(Query::new(List::by_genre(genre)).n(5))?
            ]),
            json!([
                "explainItem",
                other,
                serde_json::to_value(rec.explain_item(&history, other)?)?
            ]),
            json!(["predictRating", other, rec.predict_rating(&history, other)?]),
        ];
        cases.push(
            json!({"user": dataset.users.id_of(user as u32), "history": history, "calls": calls}),
        );
    }
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("web.recsys"), &bytes)?;
    let expected = json!({"fingerprint": rec.fingerprint(), "cases": cases});
    std::fs::write(out.join("expected.json"), serde_json::to_string(&expected)?)?;
    println!(
        "wrote {} ({} bytes) and {} histories' answers to {}",
        out.join("web.recsys").display(),
        bytes.len(),
        cases.len(),
        out.join("expected.json").display()
    );
    Ok(())
}
