//! Offline evaluation of a trained [`Recommender`] the way an app uses it: each held-out user's
//! training events become a request history, the request's list is compared with the items the
//! user went on to like. Everything is keyed by the app's own ids.

use std::collections::HashMap;

#[cfg(feature = "parallel")]
use rayon::prelude::*;

use super::{summarize, Report};
use crate::data::Feedback;
use crate::recommender::{Query, Recommender, UserHistory};
use crate::{Error, Result};

/// One evaluated user: the history a request carries and the items (external ids) that count
/// as hits.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeldOutUser {
    /// The user's events before the split (the request history).
    pub history: UserHistory,
    /// Relevant held-out items, by external id (duplicates and unknown ids are ignored).
    pub relevant: Vec<String>,
}

/// One event keyed by external ids: `(user_id, item_id, feedback, timestamp)`.
pub type ExternalEvent<'a> = (&'a str, &'a str, Feedback, i64);

/// Whether a held-out event counts as relevant: a rating of at least `threshold`, a like, a
/// watch or a watchlist entry (dislikes and "not interested" never do).
///
/// ```
/// use recsys_core::data::Feedback;
/// use recsys_core::eval::is_relevant;
/// assert!(is_relevant(Feedback::Rating(4.0), 4.0));
/// assert!(!is_relevant(Feedback::Rating(3.5), 4.0));
/// assert!(is_relevant(Feedback::Watched, 4.0) && !is_relevant(Feedback::Dislike, 4.0));
/// ```
pub fn is_relevant(feedback: Feedback, threshold: f32) -> bool {
    match feedback {
        Feedback::Rating(r) => r >= threshold,
        Feedback::Like | Feedback::Watched | Feedback::Watchlisted => true,
        _ => false,
    }
}

/// The users of a `train`/`test` split of events, in order of first appearance in `test`:
/// each one's `train` events as its history and its relevant `test` items (see
/// [`is_relevant`]). Users without a `test` event are left out.
///
/// # Errors
/// [`Error::InvalidParameter`] for a non-finite `threshold`.
pub fn held_out_users<'a>(
    train: impl IntoIterator<Item = ExternalEvent<'a>>,
    test: impl IntoIterator<Item = ExternalEvent<'a>>,
    threshold: f32,
) -> Result<Vec<HeldOutUser>> {
    if !threshold.is_finite() {
        return Err(Error::invalid("relevant_threshold", "must be finite"));
    }
    let mut position: HashMap<&str, usize> = HashMap::new();
    let mut users: Vec<HeldOutUser> = Vec::new();
    for (user, item, feedback, _) in test {
        let next = users.len();
        let u = *position.entry(user).or_insert(next);
        if u == users.len() {
            users.push(HeldOutUser::default());
        }
        if is_relevant(feedback, threshold) {
            users[u].relevant.push(item.to_string());
        }
    }
    for (user, item, feedback, timestamp) in train {
        if let Some(&u) = position.get(user) {
            users[u].history.push(item, feedback, timestamp);
        }
    }
    Ok(users)
}

/// Ranking metrics at `k` of `query`'s list (with `n = k`) for every user with a relevant item
/// the recommender knows; every catalogue item counts for coverage.
///
/// ```
/// use recsys_core::data::{Dataset, Feedback};
/// use recsys_core::eval::{evaluate_recommender, HeldOutUser};
/// use recsys_core::models::als::AlsConfig;
/// use recsys_core::recommender::{List, Query, RecommenderBuilder, UserHistory};
///
/// let mut data = Dataset::new();
/// for (user, item) in [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "z")] {
///     data.add_event(user, item, Feedback::Like, 0).unwrap();
/// }
/// let als = AlsConfig::new().factors(2).iterations(2);
/// let model = RecommenderBuilder::new().als(als).fit(&data).unwrap();
/// let user = HeldOutUser {
///     history: UserHistory::new().with("x", Feedback::Like, 0),
///     relevant: vec!["y".into()],
/// };
/// let report = evaluate_recommender(&model, &[user], 1, &Query::new(List::ForYou)).unwrap();
/// assert_eq!(report.n_users, 1);
/// ```
///
/// # Errors
/// The errors of [`Recommender::recommend`] (the first failing user's) and of [`summarize`]
/// (`k = 0`).
pub fn evaluate_recommender(
    recommender: &Recommender,
    users: &[HeldOutUser],
    k: usize,
    query: &Query,
) -> Result<Report> {
    let index: HashMap<&str, u32> = recommender
        .item_ids()
        .enumerate()
        .map(|(i, id)| (id, i as u32))
        .collect();
    let indices = |ids: &mut dyn Iterator<Item = &str>| -> Vec<u32> {
        let mut items: Vec<u32> = ids.filter_map(|id| index.get(id).copied()).collect();
        items.sort_unstable();
        items.dedup();
        items
    };
    let relevant: Vec<Vec<u32>> = users
        .iter()
        .map(|user| indices(&mut user.relevant.iter().map(String::as_str)))
        .collect();
    let query = query.clone().n(k);
    let list_of = |(user, relevant): (&HeldOutUser, &Vec<u32>)| -> Result<Vec<u32>> {
        if relevant.is_empty() {
            return Ok(Vec::new());
        }
        let recs = recommender.recommend(&user.history, &query)?;
        // Keep the list's order (`indices` would sort it).
        Ok(recs
            .items
            .iter()
            .filter_map(|r| index.get(r.item_id.as_str()).copied())
            .collect())
    };
    #[cfg(feature = "parallel")]
    let lists: Result<Vec<Vec<u32>>> = users.par_iter().zip(&relevant).map(list_of).collect();
    #[cfg(not(feature = "parallel"))]
    let lists: Result<Vec<Vec<u32>>> = users.iter().zip(&relevant).map(list_of).collect();
    let lists = lists?;
    summarize(&lists, &relevant, &vec![true; recommender.n_items()], k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Dataset;
    use crate::models::als::AlsConfig;
    use crate::recommender::{List, RecommenderBuilder};

    /// Two taste groups of four items each; everyone likes their group's items.
    fn grouped() -> Dataset {
        let mut data = Dataset::new();
        for u in 0..20 {
            let group = u % 2;
            for i in 0..4 {
                let item = format!("g{group}i{i}");
                data.add_event(&format!("u{u}"), &item, Feedback::Like, i64::from(i))
                    .unwrap();
            }
        }
        data
    }

    #[test]
    fn relevance_comes_from_the_held_out_events_by_external_id() {
        let train = [
            ("ann", "a", Feedback::Like, 1),
            ("bob", "b", Feedback::Like, 2),
        ];
        let test = [
            ("ann", "c", Feedback::Rating(5.0), 3),
            ("ann", "d", Feedback::Rating(2.0), 4),
            ("cid", "e", Feedback::Dislike, 5),
        ];
        let users = held_out_users(train, test, 4.0).unwrap();
        assert_eq!(users.len(), 2); // bob has no test event
        assert_eq!(users[0].relevant, ["c"]);
        assert_eq!(users[0].history.events().len(), 1);
        assert!(users[1].relevant.is_empty() && users[1].history.is_empty());
        assert!(held_out_users([], [], f32::NAN).is_err());
    }

    #[test]
    fn a_recommender_finds_the_held_out_items_of_its_group() {
        let model = RecommenderBuilder::new()
            .als(
                AlsConfig::new()
                    .factors(4)
                    .iterations(5)
                    .regularization(0.1),
            )
            .fit(&grouped())
            .unwrap();
        let users: Vec<HeldOutUser> = (0..2)
            .map(|group| HeldOutUser {
                history: UserHistory::new()
                    .with(&format!("g{group}i0"), Feedback::Like, 0)
                    .with(&format!("g{group}i1"), Feedback::Like, 1),
                relevant: vec![
                    format!("g{group}i2"),
                    format!("g{group}i3"),
                    format!("g{group}i3"),
                    "unknown".into(),
                ],
            })
            .chain([HeldOutUser::default()]) // no relevant item: skipped
            .collect();
        let query = Query::new(List::ForYou);
        let report = evaluate_recommender(&model, &users, 2, &query).unwrap();
        assert_eq!(report.n_users, 2);
        assert_eq!(report.k, 2);
        assert!(report.hit_rate > 0.99, "{report:?}");
        assert!(report.recall > 0.99, "{report:?}");
        // 4 of 8 items appear in the two lists.
        assert!((report.coverage - 0.5).abs() < 1e-9, "{report:?}");
        assert!(evaluate_recommender(&model, &users, 0, &query).is_err());
        // A bad query template fails as a request would.
        let bad = Query::new(List::by_genre("No such genre"));
        assert!(evaluate_recommender(&model, &users, 2, &bad).is_err());
    }
}
