//! The pages of a movie app on MovieLens-100K: one user's For You, Because You Liked, Trending,
//! By Genre and Similar To lists, each item with its reason.
//!
//! ```text
//! scripts/fetch-movielens.sh
//! cargo run --release -p recsys-examples --bin carousels [-- --user 1 --genre Film-Noir]
//! ```

use std::path::PathBuf;
use std::time::Instant;

use recsys_core::data::loaders::recbole::load_recbole_dir;
use recsys_core::data::Feedback;
use recsys_core::recommender::{List, Query, Recommendations, RecommenderBuilder, UserHistory};
use recsys_examples::{AnyResult, Args};

const HELP: &str = "\
carousels: a user's recommendation lists with reasons on MovieLens-100K.

  carousels [--data data/ml-100k] [--user 1] [--genre Film-Noir] [--n 5] [--diversity 0]

--data       directory with the RecBole ml-100k files (scripts/fetch-movielens.sh)
--user       raw user id whose rating history is the request history (default 1)
--genre      genre of the By Genre list (default Film-Noir)
--n          items per list (default 5)
--diversity  MMR diversity in [0, 1] (default: the recommender's)
";

fn main() {
    if let Err(e) = run() {
        eprintln!("carousels: error: {e}");
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
    let user: String = args.get("user")?.unwrap_or_else(|| "1".to_string());
    let genre: String = args
        .get("genre")?
        .unwrap_or_else(|| "Film-Noir".to_string());
    let n: usize = args.get("n")?.unwrap_or(5);
    let diversity: Option<f32> = args.get("diversity")?;
    args.finish()?;

    let started = Instant::now();
    let dataset = load_recbole_dir(&dir, "ml-100k")
        .map_err(|e| format!("{e} (run scripts/fetch-movielens.sh first)"))?;
    let recommender = RecommenderBuilder::new().fit(&dataset)?;
    println!(
        "fitted on {} users × {} items in {:.2?}",
        dataset.n_users(),
        dataset.n_items(),
        started.elapsed()
    );

    let user_index = dataset
        .users
        .index_of(&user)
        .ok_or_else(|| format!("unknown user {user:?}"))?;
    let mut history = UserHistory::new();
    let mut favourite: Option<(f32, i64, String)> = None;
    for e in dataset.events().iter().filter(|e| e.user == user_index) {
        let item = dataset.items.id_of(e.item).unwrap_or_default().to_string();
        if let Feedback::Rating(stars) = e.feedback {
            // The most recent top-rated film seeds "Because you liked".
            if favourite
                .as_ref()
                .is_none_or(|(s, t, _)| (stars, e.timestamp) > (*s, *t))
            {
                favourite = Some((stars, e.timestamp, item.clone()));
            }
        }
        history.push(&item, e.feedback, e.timestamp);
    }
    println!("user {user}: {} ratings", history.events().len());
    let favourite = favourite.map(|f| f.2).ok_or("the user rated nothing")?;

    let liked_title = recommender
        .item(&favourite)
        .and_then(|item| item.title)
        .unwrap_or_default();
    let lists = [
        ("For You".to_string(), List::ForYou),
        (
            format!("Because You Liked {liked_title}"),
            List::because_you_liked(&favourite),
        ),
        ("Trending".to_string(), List::Trending),
        (format!("{genre} for you"), List::by_genre(&genre)),
        (
            format!("Similar to {liked_title}"),
            List::similar_to(&favourite),
        ),
    ];
    for (heading, list) in lists {
        let mut query = Query::new(list).n(n);
        query.diversity = diversity;
        let started = Instant::now();
        let recs = recommender.recommend(&history, &query)?;
        let elapsed = started.elapsed();
        print_list(&heading, &recs, elapsed);
    }
    let anonymous = recommender.recommend(&UserHistory::new(), &Query::new(List::ForYou).n(n))?;
    print_list("First visit (no history)", &anonymous, Default::default());
    Ok(())
}

fn print_list(heading: &str, recs: &Recommendations, elapsed: std::time::Duration) {
    println!("\n== {heading} ({elapsed:.1?})");
    for r in &recs.items {
        println!("  {:<50} {}", r.item().display(), r.sentence());
    }
    if !recs.unknown_ids.is_empty() {
        println!("  (ignored unknown ids: {:?})", recs.unknown_ids);
    }
}
