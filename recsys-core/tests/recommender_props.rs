//! Invariants of the hybrid recommender on generated data, for arbitrary requests: excluded,
//! disliked, "not interested" and seen items never come back; every filter holds; unknown ids
//! are reported, never a panic; answers are deterministic and every item has reasons; a
//! blended score is traced to the history exactly and the reasons cite shares of it.

use std::sync::OnceLock;

use proptest::prelude::*;
use recsys_core::data::{Dataset, Feedback, Role};
use recsys_core::explain::Reason;
use recsys_core::models::als::AlsConfig;
use recsys_core::recommender::{
    Filters, List, Query, Recommender, RecommenderBuilder, UserHistory,
};

const ITEMS: usize = 30;
const GENRES: [&str; 4] = ["Crime", "Comedy", "Drama", "Sci-Fi"];

fn item_id(i: usize) -> String {
    format!("m{i}")
}

/// 40 users with taste by genre; items 27–29 have metadata but no interactions.
fn recommender() -> &'static Recommender {
    static RECOMMENDER: OnceLock<Recommender> = OnceLock::new();
    RECOMMENDER.get_or_init(|| {
        let mut ds = Dataset::new();
        for i in 0..ITEMS {
            let mut item = ds
                .item(&item_id(i))
                .title(&format!("Movie {i}"))
                .year(1980 + i as i32)
                .genre(GENRES[i % 4]);
            if i % 3 == 0 {
                item = item.genre(GENRES[(i + 1) % 4]).tag("classic");
            }
            item.credit(&format!("p{}", i % 5), None, Role::Director)
                .credit(&format!("a{}", i % 7), None, Role::Actor);
        }
        for user in 0..40usize {
            for i in 0..27usize {
                if (i % 4 == user % 4 || (i * 7 + user) % 9 == 0) && (user + i) % 3 != 0 {
                    let stars = 1.0 + ((user * 31 + i * 17) % 5) as f32;
                    let id = format!("u{user}");
                    ds.add_event(
                        &id,
                        &item_id(i),
                        Feedback::Rating(stars),
                        (user * 100 + i) as i64,
                    )
                    .expect("valid event");
                }
            }
        }
        RecommenderBuilder::new()
            .als(
                AlsConfig::new()
                    .factors(6)
                    .regularization(1.0)
                    .iterations(5),
            )
            .fit(&ds)
            .expect("recommender fits")
    })
}

/// The request history of generated events.
fn history_of(events: &[(String, Feedback, i64)]) -> UserHistory {
    events
        .iter()
        .map(
            |(item, feedback, timestamp)| recsys_core::recommender::HistoryEvent {
                item_id: item.clone(),
                feedback: *feedback,
                timestamp: *timestamp,
            },
        )
        .collect()
}

fn feedback() -> impl Strategy<Value = Feedback> {
    prop_oneof![
        (1u8..=5).prop_map(|s| Feedback::Rating(f32::from(s))),
        Just(Feedback::Like),
        Just(Feedback::Dislike),
        Just(Feedback::Watched),
        Just(Feedback::Watchlisted),
        Just(Feedback::NotInterested),
        Just(Feedback::Rating(f32::NAN)),
    ]
}

/// Item ids: mostly known, some unknown.
fn some_id() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => (0..ITEMS).prop_map(item_id),
        1 => "[a-z]{1,4}".prop_map(|s| format!("x-{s}")),
    ]
}

fn list() -> impl Strategy<Value = List> {
    prop_oneof![
        Just(List::ForYou),
        Just(List::Trending),
        prop::sample::select(GENRES.to_vec()).prop_map(|g| List::by_genre(&g.to_lowercase())),
        (0..ITEMS).prop_map(|i| List::because_you_liked(&item_id(i))),
        (0..ITEMS).prop_map(|i| List::similar_to(&item_id(i))),
    ]
}

fn filters() -> impl Strategy<Value = Filters> {
    (
        prop::collection::vec(prop::sample::select(GENRES.to_vec()), 0..2),
        prop::option::of((1975i32..2010, 0i32..20)),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["p1", "a3", "nobody"])),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(some_id(), 0..4),
        prop::option::of(prop::collection::vec(some_id(), 0..12)),
    )
        .prop_map(
            |(
                genres,
                years,
                classic,
                person,
                exclude_seen,
                exclude_disliked,
                exclude,
                candidates,
            )| {
                let mut filters = Filters::new()
                    .exclude_seen(exclude_seen)
                    .exclude_disliked(exclude_disliked);
                for genre in genres {
                    filters = filters.genre(genre);
                }
                if let Some((from, span)) = years {
                    filters = filters.years(from, from + span);
                }
                if classic {
                    filters = filters.tag("Classic");
                }
                if let Some(person) = person {
                    filters = filters.person(person);
                }
                for id in &exclude {
                    filters = filters.exclude(id);
                }
                if let Some(candidates) = candidates {
                    filters = filters.candidates(candidates);
                }
                filters
            },
        )
}

fn history() -> impl Strategy<Value = Vec<(String, Feedback, i64)>> {
    prop::collection::vec((some_id(), feedback(), 0i64..50), 0..15)
}

/// The latest opinion per item (ratings, likes, dislikes, not interested), as the policy reads it.
fn excluded_by_opinion(events: &[(String, Feedback, i64)]) -> Vec<String> {
    let mut sorted: Vec<(usize, &(String, Feedback, i64))> = events.iter().enumerate().collect();
    sorted.sort_by_key(|(order, e)| (e.0.clone(), e.2, *order));
    let mut out = Vec::new();
    for group in sorted.chunk_by(|a, b| a.1 .0 == b.1 .0) {
        let latest = group
            .iter()
            .rev()
            .map(|(_, e)| e.1)
            .filter(|f| f.validated().is_ok())
            .find(|f| !matches!(f, Feedback::Watched | Feedback::Watchlisted));
        if latest.is_some_and(Feedback::is_exclusion) {
            out.push(group[0].1 .0.clone());
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn requests_respect_every_filter(
        events in history(),
        list in list(),
        filters in filters(),
        n in 0usize..12,
        diversity in prop::option::of(0.0f32..=1.0),
    ) {
        let rec = recommender();
        let history = history_of(&events);
        let mut query = Query::new(list.clone()).n(n).filters(filters.clone()).explain(true).detail(true);
        query.diversity = diversity;
        let invalid = events.iter().any(|e| e.1.validated().is_err());
        let answer = match rec.recommend(&history, &query) {
            Ok(answer) => answer,
            // A NaN rating is a bad request, said as such (never silently dropped).
            Err(err) if invalid => {
                prop_assert_eq!(err.kind(), recsys_core::ErrorKind::BadRequest);
                prop_assert!(err.to_string().contains("rating"), "{}", err);
                return Ok(());
            }
            // Seeds here are known items: nothing else may fail.
            Err(err) => return Err(TestCaseError::fail(format!("{list:?} failed: {err}"))),
        };
        prop_assert!(!invalid, "a NaN rating was accepted");
        prop_assert_eq!(&answer, &rec.recommend(&history, &query).expect("same again"));
        prop_assert!(answer.items.len() <= n);
        let disliked = excluded_by_opinion(&events);
        for r in &answer.items {
            let seen = events.iter().any(|e| e.0 == r.item_id && e.1.validated().is_ok());
            prop_assert!(!(filters.exclude_seen && seen), "seen {}", r.item_id);
            prop_assert!(!(filters.exclude_disliked && disliked.contains(&r.item_id)));
            prop_assert!(!filters.exclude.contains(&r.item_id));
            if let Some(candidates) = &filters.candidates {
                prop_assert!(candidates.contains(&r.item_id));
            }
            let info = rec.item(&r.item_id).expect("known item");
            prop_assert_eq!(&info.title, &r.title);
            prop_assert_eq!(info.year, r.year);
            let has_genre = |g: &str| info.genres.iter().any(|x| x.eq_ignore_ascii_case(g));
            if !filters.genres.is_empty() {
                prop_assert!(filters.genres.iter().any(|g| has_genre(g)));
            }
            if let List::ByGenre { genre } = &list {
                prop_assert!(has_genre(genre));
            }
            if let List::BecauseYouLiked { item_id } | List::SimilarTo { item_id } = &list {
                prop_assert_ne!(&r.item_id, item_id);
            }
            if let (Some(from), Some(to)) = (filters.min_year, filters.max_year) {
                prop_assert!(info.year.is_some_and(|y| (from..=to).contains(&y)));
            }
            if !filters.tags.is_empty() {
                prop_assert!(info.tags.iter().any(|t| t.eq_ignore_ascii_case("classic")));
            }
            if !filters.people.is_empty() {
                prop_assert!(info
                    .people
                    .iter()
                    .any(|p| filters.people.contains(&p.person_id)));
            }
            let explanation = r.explanation.as_deref().expect("asked for");
            prop_assert!(!r.reasons.is_empty() && !explanation.is_empty());
            prop_assert_eq!(explanation, r.sentence());
            prop_assert!(r.score.is_finite());
            // Faithful collaborative reasons, cold items (estimated factors) included: the
            // contributions sum to the score and cite only items of the history.
            if let Some(cf) = &r.collaborative {
                let total: f32 = cf.contributions.iter().map(|c| c.value).sum();
                prop_assert!((total - cf.score).abs() <= 1e-3 * (1.0 + cf.score.abs()),
                    "{} vs {}", total, cf.score);
                for c in &cf.contributions {
                    prop_assert!(events.iter().any(|e| e.0 == c.item_id),
                        "{} not in the history", c.item_id);
                }
            }
        }
        // Every unknown id of the request is reported, and nothing else.
        let known = |id: &String| rec.contains(id);
        for e in &events {
            if !known(&e.0) {
                prop_assert!(answer.unknown_ids.contains(&e.0));
            }
        }
        prop_assert!(answer.unknown_ids.iter().all(|id| !known(id)));
    }

    #[test]
    fn an_empty_history_gets_popular_lists_with_reasons(n in 1usize..10) {
        let rec = recommender();
        let answer = rec
            .recommend(&UserHistory::new(), &Query::new(List::ForYou).n(n))
            .expect("popular list");
        prop_assert_eq!(answer.items.len(), n);
        for r in &answer.items {
            prop_assert!(r.sentence().contains("Popular"));
        }
    }

    #[test]
    fn favourites_without_history_tilt_and_cite_only_matches(
        genres in proptest::sample::subsequence(GENRES.to_vec(), 0..3),
        people in proptest::sample::subsequence(vec!["p0", "p3", "a2", "a6"], 0..3),
        n in 1usize..15,
    ) {
        let rec = recommender();
        let mut history = UserHistory::new();
        for genre in &genres {
            history = history.with_favorite_genre(genre);
        }
        for person in &people {
            history = history.with_favorite_person(person);
        }
        let answer = rec
            .recommend(&history, &Query::new(List::ForYou).n(n))
            .expect("onboarding list");
        prop_assert_eq!(answer.items.len(), n);
        prop_assert!(answer.unknown_ids.is_empty());
        let matches = |item_id: &str| {
            let info = rec.item(item_id).expect("catalog item");
            let genre_hits = genres
                .iter()
                .filter(|g| info.genres.iter().any(|x| x.eq_ignore_ascii_case(g)))
                .count();
            let people_hits = people
                .iter()
                .filter(|p| info.people.iter().any(|c| c.person_id == **p))
                .count();
            genre_hits + people_hits
        };
        let counts: Vec<usize> = answer.items.iter().map(|r| matches(&r.item_id)).collect();
        // Favourites tilt the popularity ranking: only matched favourites are cited, and an
        // item matching none is there for its popularity (or said to be a weak match).
        for (r, &count) in answer.items.iter().zip(&counts) {
            let cited = r.reasons.iter().filter(|x| matches!(x, Reason::YouLike { .. })).count();
            prop_assert!(cited <= count.min(2), "{:?} cites {} of {} matches", r.reasons, cited, count);
            prop_assert!(count > 0 || r.reasons.iter().any(|x| matches!(x, Reason::Popular | Reason::WeakMatch | Reason::NewArrival)));
        }
    }
}

/// What the history says of an item, read as the policy reads it: the latest opinion wins;
/// "liked" is a like or a rating of at least 3.5; watched / watchlisted only without an opinion.
fn stated_feedback(events: &[(String, Feedback, i64)], item: &str) -> (bool, bool, bool, bool) {
    let mut own: Vec<(usize, &(String, Feedback, i64))> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.0 == item)
        .collect();
    own.sort_by_key(|(order, e)| (e.2, *order));
    let opinion = own
        .iter()
        .rev()
        .map(|(_, e)| e.1)
        .find(|f| !matches!(f, Feedback::Watched | Feedback::Watchlisted));
    let liked = matches!(opinion, Some(Feedback::Like))
        || matches!(opinion, Some(Feedback::Rating(r)) if r >= 3.5);
    let watched = opinion.is_none() && own.iter().any(|(_, e)| e.1 == Feedback::Watched);
    let watchlisted =
        opinion.is_none() && !watched && own.iter().any(|(_, e)| e.1 == Feedback::Watchlisted);
    (!own.is_empty(), liked, watched, watchlisted)
}

fn valid_feedback() -> impl Strategy<Value = Feedback> {
    feedback().prop_filter("valid", |f| f.validated().is_ok())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every sentence is backed by the history: an item cited as liked, watched or on the
    /// watchlist is held with exactly that feedback, an item cited for shared genres or people
    /// is in the history, and "your taste for G" needs G in the history or the favourites.
    #[test]
    fn reasons_say_only_what_the_history_holds(
        events in prop::collection::vec(((0..ITEMS).prop_map(item_id), valid_feedback(), 0i64..50), 0..15),
        list in list(),
        favorite in prop::option::of(prop::sample::select(GENRES.to_vec())),
        explained in (0..ITEMS).prop_map(item_id),
    ) {
        let rec = recommender();
        let mut history = history_of(&events);
        if let Some(genre) = favorite {
            history = history.with_favorite_genre(genre);
        }
        let mut items = rec
            .recommend(&history, &Query::new(list.clone()).n(10))
            .expect("valid request")
            .items;
        items.push(rec.explain_item(&history, &explained).expect("known item"));
        let genres_of = |id: &str| rec.item(id).expect("known item").genres;
        for r in &items {
            let sentence = r.sentence();
            for reason in &r.reasons {
                match reason {
                    Reason::BecauseYouLiked { items } => {
                        for c in items {
                            prop_assert!(stated_feedback(&events, &c.item.item_id).1, "{} cites {} as liked", sentence, c.item.item_id);
                        }
                    }
                    Reason::BecauseYouWatched { items } => {
                        for c in items {
                            prop_assert!(stated_feedback(&events, &c.item.item_id).2, "{} cites {} as watched", sentence, c.item.item_id);
                        }
                    }
                    Reason::OnYourWatchlist { items } => {
                        for c in items {
                            prop_assert!(stated_feedback(&events, &c.item.item_id).3, "{} cites {} as watchlisted", sentence, c.item.item_id);
                        }
                    }
                    Reason::SharedGenres { item, .. } | Reason::SharedPeople { item, .. } => {
                        let seed = match &list {
                            List::BecauseYouLiked { item_id } | List::SimilarTo { item_id } => Some(item_id),
                            _ => None,
                        };
                        prop_assert!(stated_feedback(&events, &item.item_id).0 || seed == Some(&item.item_id), "{}", sentence);
                    }
                    Reason::MatchesTaste { genre } => {
                        let in_history = events.iter().any(|e| genres_of(&e.0).contains(genre));
                        prop_assert!(in_history || favorite == Some(genre.as_str()), "{}", sentence);
                    }
                    _ => {}
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// For You's scores are traced to the history exactly, and the reasons' shares are read
    /// from that trace: baseline + per-history-item parts + popularity = score; each cited
    /// item has a positive part and its share is that part over the score's positive mass
    /// (so shares lie in [0, 1] and a reason's shares sum to at most 1).
    #[test]
    fn cited_shares_are_shares_of_the_blended_score(
        events in prop::collection::vec(((0..ITEMS).prop_map(item_id), valid_feedback(), 0i64..50), 0..15),
        explained in (0..ITEMS).prop_map(item_id),
        n in 1usize..12,
    ) {
        let rec = recommender();
        let history = history_of(&events);
        let mut items = rec
            .recommend(&history, &Query::new(List::ForYou).n(n).detail(true))
            .expect("valid request")
            .items;
        items.push(rec.explain_item(&history, &explained).expect("known item"));
        for r in &items {
            // A history without positive evidence is ranked by popularity: nothing to trace.
            let Some(detail) = &r.collaborative else { continue };
            let sum: f32 = detail.baseline
                + detail.parts.iter().map(|p| p.value).sum::<f32>()
                + r.parts.popularity;
            prop_assert!(
                (sum - r.score).abs() <= 1e-3 * (1.0 + r.score.abs()),
                "{}: parts sum to {} for a score of {}", r.item_id, sum, r.score
            );
            let part_of = |id: &str| detail.parts.iter().find(|p| p.item_id == id).map(|p| p.value);
            let mass: f32 = detail.parts.iter().map(|p| p.value.max(0.0)).sum::<f32>()
                + r.parts.popularity.max(0.0);
            for reason in &r.reasons {
                let (Reason::BecauseYouLiked { items }
                | Reason::BecauseYouWatched { items }
                | Reason::OnYourWatchlist { items }) = reason
                else {
                    continue;
                };
                let mut total = 0.0f32;
                for c in items {
                    let part = part_of(&c.item.item_id);
                    prop_assert!(part.is_some_and(|p| p > 0.0), "{} cited without a positive part: {:?}", c.item.item_id, part);
                    prop_assert!((0.0..=1.0).contains(&c.share), "share {}", c.share);
                    let expected = part.unwrap_or_default() / mass;
                    prop_assert!((c.share - expected).abs() <= 1e-4, "share {} vs part/mass {}", c.share, expected);
                    total += c.share;
                }
                prop_assert!(total <= 1.0 + 1e-5, "shares sum to {}", total);
            }
        }
    }
}
