//! How persuasive the reasons are on MovieLens-100K: for the For You lists of 200 users (the
//! protocol's per-user temporal split, training ratings as the history), how often an item a
//! reason cites is one of the recommended item's 50 nearest item-kNN neighbours (cosine over
//! the training ratings) or shares a genre with it.
//!
//! `cargo test --release -p recsys-core --test reasons_movielens -- --nocapture`

use recsys_core::data::{Dataset, Feedback, FeedbackPolicy};
use recsys_core::eval::split::Rating;
use recsys_core::explain::{ItemRef, Reason};
use recsys_core::models::als::AlsConfig;
use recsys_core::models::knn::ItemKnnConfig;
use recsys_core::recommender::{List, Query, RecommenderBuilder, UserHistory};

mod common;

use common::{movielens, MovieLens};

fn dataset_of(data: &MovieLens, ratings: &[Rating]) -> Dataset {
    let mut ds = data.dataset.without_events();
    for r in ratings {
        let user = data.dataset.users.id_of(r.user).expect("known user");
        let item = data.dataset.items.id_of(r.item).expect("known item");
        ds.add_event(user, item, Feedback::Rating(r.value), r.timestamp)
            .expect("valid event");
    }
    ds
}

/// The history items a reason cites.
fn cited(reason: &Reason) -> Vec<&ItemRef> {
    match reason {
        Reason::BecauseYouLiked { items }
        | Reason::BecauseYouWatched { items }
        | Reason::OnYourWatchlist { items } => items.iter().map(|c| &c.item).collect(),
        Reason::SharedPeople { item, .. } | Reason::SharedGenres { item, .. } => vec![item],
        _ => Vec::new(),
    }
}

#[test]
fn cited_items_are_neighbours_or_share_a_genre() {
    let data = movielens();
    let split = data.split(&data.ratings);
    let recommender = RecommenderBuilder::new()
        .als(
            AlsConfig::new()
                .factors(64)
                .regularization(20.0)
                .alpha(1.0)
                .iterations(15)
                .seed(42),
        )
        .fit(&dataset_of(&data, &split.train))
        .expect("recommender fits");
    let knn = ItemKnnConfig::new()
        .neighbors(50)
        .fit(&data.matrix(&split.train, &FeedbackPolicy::all_ratings_positive()))
        .expect("kNN fits");
    let index = |id: &str| data.dataset.items.index_of(id).expect("known item");
    let genres = |item: u32| -> Vec<String> {
        data.dataset
            .catalog()
            .item(item)
            .map(|info| info.genres.clone())
            .unwrap_or_default()
    };
    let mut histories = vec![UserHistory::new(); data.n_users()];
    for r in &split.train {
        let item = data.dataset.items.id_of(r.item).expect("known item");
        histories[r.user as usize].push(item, Feedback::Rating(r.value), r.timestamp);
    }
    // Each user's latest training rating per item, to check what "you liked" claims.
    let mut stars = std::collections::HashMap::new();
    for r in &split.train {
        stars.insert((r.user, r.item), r.value);
    }
    let (mut rows, mut rows_citing, mut citations, mut related) = (0, 0, 0, 0);
    let (mut neighbours_only, mut liked_claims, mut false_claims) = (0, 0, 0);
    for (user, history) in histories.iter().enumerate().take(200) {
        let recs = recommender
            .recommend(history, &Query::new(List::ForYou))
            .expect("For You");
        for r in &recs.items {
            rows += 1;
            let item = index(&r.item_id);
            let (neighbours, _) = knn.neighbors(item).expect("known item");
            for reason in &r.reasons {
                if let Reason::BecauseYouLiked { items } = reason {
                    for c in items {
                        liked_claims += 1;
                        let rating = stars.get(&(user as u32, index(&c.item.item_id)));
                        false_claims += usize::from(rating.is_none_or(|&s| s < 3.5));
                    }
                }
            }
            let items: Vec<&ItemRef> = r.reasons.iter().flat_map(cited).collect();
            rows_citing += usize::from(!items.is_empty());
            for other in items {
                let other = index(&other.item_id);
                citations += 1;
                let shares_genre = genres(item).iter().any(|g| genres(other).contains(g));
                neighbours_only += usize::from(neighbours.contains(&other));
                if neighbours.contains(&other) || shares_genre {
                    related += 1;
                }
            }
        }
    }
    let share = related as f64 / citations.max(1) as f64;
    let neighbour_share = neighbours_only as f64 / citations.max(1) as f64;
    println!(
        "200 users, {rows} For You rows, {rows_citing} cite history items: {related}/{citations} \
         citations ({share:.3}) are a top-50 neighbour or share a genre, {neighbours_only} \
         ({neighbour_share:.3}) a top-50 neighbour; {false_claims} of {liked_claims} \
         \"because you liked\" citations are of items rated below 3.5"
    );
    assert!(citations > 0);
}
