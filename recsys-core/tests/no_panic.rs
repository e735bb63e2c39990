//! Hostile arguments to the public entry points: every call must return `Ok` or `Err` without
//! panicking, without allocating in proportion to a size argument such as `n`, and every
//! score it returns must be finite. Data is small and generated; the arguments are not.

use proptest::prelude::*;
use recsys_core::data::{
    Catalog, Event, Feedback, FeedbackPolicy, Interactions, Role, MAX_UNBACKED_LEN,
};
use recsys_core::eval::{self, split, Relevance};
use recsys_core::features::ContentFeaturesConfig;
use recsys_core::models::als::{AlsConfig, AlsModel, Side};
use recsys_core::models::content::ContentModelConfig;
use recsys_core::models::knn::ItemKnnConfig;
use recsys_core::models::mf::MfConfig;
use recsys_core::models::popularity::PopularityConfig;
use recsys_core::models::trending::{Favorites, PopularityKind, TrendingConfig};
use recsys_core::models::{recommend, History, ItemScorer, TopN};
use recsys_core::topk::{top_n, Scored, TopK};
use recsys_core::Error;

const USERS: usize = 6;
const ITEMS: usize = 8;

/// A small user × item matrix with signed values.
fn matrix() -> impl Strategy<Value = Interactions> {
    prop::collection::vec((0..USERS as u32, 0..ITEMS as u32, -4.0f32..5.0), 1..30)
        .prop_map(|t| Interactions::from_triplets(USERS, ITEMS, &t).unwrap())
}

/// An index that is usually in range, sometimes just past it, sometimes absurd.
fn index(len: usize) -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => 0..len as u32 + 2,
        1 => Just(u32::MAX),
        1 => any::<u32>(),
    ]
}

/// Counts such as `n`: small, zero, or far beyond anything that could be allocated.
fn count() -> impl Strategy<Value = usize> {
    prop_oneof![
        0usize..12,
        Just(usize::MAX),
        Just(usize::MAX / 2),
        Just(1 << 40)
    ]
}

/// Floats including the ones that break arithmetic.
fn hostile_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        4 => -5.0f32..5.0,
        1 => Just(f32::NAN),
        1 => Just(f32::INFINITY),
        1 => Just(f32::NEG_INFINITY),
        1 => Just(f32::MAX),
        1 => Just(-f32::MAX),
        1 => Just(f32::MIN_POSITIVE),
        1 => Just(0.0f32),
    ]
}

/// A history: items (sorted, deduplicated when `sorted`) and values, possibly out of range,
/// non-finite or of a different length than the items.
fn history() -> impl Strategy<Value = (Vec<u32>, Vec<f32>)> {
    (
        prop::collection::vec(index(ITEMS), 0..6),
        prop::collection::vec(hostile_f32(), 0..7),
        any::<bool>(),
    )
        .prop_map(|(mut items, mut values, same_length)| {
            items.sort_unstable();
            items.dedup();
            if same_length {
                values.resize(items.len(), 1.0);
            }
            (items, values)
        })
}

/// Top-N queries with huge `n` and out-of-range exclusions and candidates.
fn query_parts() -> impl Strategy<Value = (usize, bool, Vec<u32>, Option<Vec<u32>>)> {
    (
        count(),
        any::<bool>(),
        prop::collection::vec(index(ITEMS), 0..4),
        prop::option::of(prop::collection::vec(index(ITEMS), 0..4)),
    )
}

fn query<'a>(parts: &'a (usize, bool, Vec<u32>, Option<Vec<u32>>)) -> TopN<'a> {
    TopN {
        n: parts.0,
        exclude_seen: parts.1,
        exclude: &parts.2,
        candidates: parts.3.as_deref(),
    }
}

/// Results must be few (never more than the items) and finite.
fn check_scored(result: &recsys_core::Result<Vec<Scored>>, n_items: usize) {
    if let Ok(list) = result {
        assert!(
            list.len() <= n_items,
            "{} results for {n_items} items",
            list.len()
        );
        for s in list {
            assert!(s.score.is_finite(), "non-finite score {s:?}");
            assert!((s.item as usize) < n_items, "item {} of {n_items}", s.item);
        }
    }
}

fn check_scores<M: ItemScorer>(model: &M, user: Option<u32>, history: History<'_>) {
    let mut scores = vec![0.0; model.n_items()];
    // Values near f32::MAX may legitimately overflow a sum; anything saner must not give NaN.
    let moderate = history.values.iter().all(|v| v.abs() <= 1e6);
    if model.score_items(user, history, &mut scores).is_ok() && moderate {
        assert!(
            scores.iter().all(|s| !s.is_nan()),
            "NaN score for a valid history: {scores:?}"
        );
    }
    // A wrongly sized buffer is an error, not a panic.
    let mut short = vec![0.0; model.n_items().saturating_sub(1)];
    assert!(model.score_items(user, history, &mut short).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn topk_never_allocates_n(n in count(), scores in prop::collection::vec(hostile_f32(), 0..20)) {
        let got = top_n(&scores, n, |_| false);
        prop_assert!(got.len() <= scores.len());
        prop_assert!(got.iter().all(|s| s.score.is_finite()));
        let mut top = TopK::new(n);
        top.push(0, 1.0);
        prop_assert!(top.len() <= 1);
    }

    #[test]
    fn interactions_constructors(
        n_users in prop_oneof![0usize..8, Just(usize::MAX), Just(u32::MAX as usize + 1)],
        n_items in prop_oneof![0usize..8, Just(usize::MAX)],
        triplets in prop::collection::vec((index(USERS), index(ITEMS), hostile_f32()), 0..10),
        indptr in prop::collection::vec(0usize..12, 0..9),
        indices in prop::collection::vec(index(ITEMS), 0..12),
    ) {
        // Shapes beyond u32 indices are refused before anything is allocated for them.
        if n_users <= 8 && n_items <= 8 {
            let _ = Interactions::from_triplets(n_users, n_items, &triplets);
        } else {
            prop_assert!(Interactions::from_triplets(n_users, n_items, &[]).is_err());
        }
        let data = vec![1.0f32; indices.len()];
        let _ = Interactions::from_csr(n_users, n_items.min(8), &indptr, &indices, &data);
        let half = &data[..data.len() / 2];
        let _ = Interactions::from_csr(n_users, n_items.min(8), &indptr, &indices, half);
    }

    #[test]
    fn als_queries(
        m in matrix(),
        factors in 1usize..4,
        user in index(USERS),
        other in index(ITEMS),
        (items, values) in history(),
        parts in query_parts(),
        n in count(),
        vector in prop::collection::vec(hostile_f32(), 0..5),
        batch_users in prop::collection::vec(index(USERS), 0..4),
    ) {
        let model = AlsConfig::new().factors(factors).iterations(2).seed(3).fit(&m).unwrap();
        let history = History::new(&items, &values);
        let query = query(&parts);
        check_scored(&model.recommend(Some(user), history, &query), ITEMS);
        check_scored(&model.recommend(None, history, &query), ITEMS);
        check_scored(&recommend(&model, Some(user), history, &query), ITEMS);
        check_scored(&model.similar_items(other, n, parts.3.as_deref()), ITEMS);
        check_scored(&model.similar_users(user, n), USERS);
        check_scored(&model.similar(Side::Items, other, &query), ITEMS);
        check_scored(&model.similar(Side::Users, user, &query), USERS);
        check_scored(&model.similar_to_vector(Side::Items, &vector, &query), ITEMS);
        if let Ok(v) = model.recalculate_user(history) {
            prop_assert!(v.iter().all(|x| x.is_finite()), "{:?}", v);
        }
        let _ = model.recalculate_item(history);
        let _ = model.explain(history, other, n, None);
        if let Ok(weights) = model.user_weights(history) {
            let _ = model.explain(history, other, n, Some(&weights));
        }
        check_scores(&model, Some(user), history);
        let _ = model.user_vector(user);
        let _ = model.item_vector(other);
        // A history matrix larger than the model: an error, not an out-of-range index.
        let outside = [(USERS as u32 + 2, ITEMS as u32 + 1, 1.0)];
        let wide = Interactions::from_triplets(USERS + 3, ITEMS + 2, &outside).unwrap();
        let batches = [
            model.recommend_batch(&batch_users, &m, n, parts.1),
            model.recommend_batch(&batch_users, &wide, n, parts.1),
            model.recommend_many(&batch_users, &m, &query, true),
            model.recommend_many(&batch_users, &wide, &query, false),
        ];
        for list in batches.into_iter().flatten().flatten() {
            check_scored(&Ok(list), ITEMS);
        }
        if let Ok(loss) = model.loss(&m) {
            prop_assert!(loss.is_finite());
        }
        let _ = model.loss(&wide);
        let mut updated = model.clone();
        let _ = updated.partial_fit_users(&batch_users, &m);
        let _ = updated.partial_fit_users(&batch_users, &wide);
        let item_rows = m.transpose();
        let _ = updated.partial_fit_items(&[other], &item_rows);
        let _ = updated.partial_fit_items(&[other], &wide);
        prop_assert!(updated.user_factors().iter().all(|x| x.is_finite()));
        prop_assert!(updated.item_factors().iter().all(|x| x.is_finite()));
    }

    #[test]
    fn als_hostile_config_and_factors(
        m in matrix(),
        regularization in hostile_f32(),
        alpha in hostile_f32(),
        factors in prop_oneof![0usize..3, Just(usize::MAX)],
        values in prop::collection::vec(hostile_f32(), 4),
    ) {
        let fitted = AlsConfig::new()
            .factors(factors)
            .regularization(regularization)
            .alpha(alpha)
            .iterations(1)
            .fit(&m);
        if let Ok(model) = fitted {
            prop_assert!(model.user_factors().iter().all(|x| x.is_finite()));
        }
        let users = ndarray::Array2::from_shape_vec((2, 2), values.clone()).unwrap();
        let items = ndarray::Array2::from_shape_vec((1, 4), values).unwrap();
        let _ = AlsModel::from_factors(regularization, alpha, users.view(), users.view());
        let _ = AlsModel::from_factors(0.1, 1.0, users.view(), items.view());
    }

    #[test]
    fn item_knn_queries(
        m in matrix(),
        neighbors in prop_oneof![1usize..5, Just(usize::MAX)],
        shrinkage in hostile_f32(),
        item in index(ITEMS),
        (items, values) in history(),
        parts in query_parts(),
        n in count(),
    ) {
        let config = ItemKnnConfig::new().neighbors(neighbors).shrinkage(shrinkage);
        let Ok(model) = config.fit(&m) else {
            prop_assert!(!(shrinkage.is_finite() && shrinkage >= 0.0));
            return Ok(());
        };
        let history = History::new(&items, &values);
        check_scored(&model.similar_items(item, n), ITEMS);
        check_scored(&recommend(&model, None, history, &query(&parts)), ITEMS);
        check_scores(&model, None, history);
    }

    #[test]
    fn mf_queries(
        ratings in prop::collection::vec((index(USERS), index(ITEMS), hostile_f32()), 0..20),
        range in (hostile_f32(), hostile_f32()),
        learning_rate in hostile_f32(),
        user in index(USERS),
        item in index(ITEMS),
        parts in query_parts(),
    ) {
        let config = MfConfig::new()
            .factors(2)
            .epochs(3)
            .learning_rate(learning_rate)
            .rating_range(range.0, range.1);
        let bad_range = !(range.0.is_finite() && range.1.is_finite() && range.0 <= range.1);
        prop_assert_eq!(config.validate().is_err() && bad_range, bad_range);
        let _ = config.fit(&ratings, USERS, ITEMS);
        // A fit that succeeds is queried too (the default range comes from the data).
        let clean: Vec<_> = ratings
            .iter()
            .filter(|r| (r.0 as usize) < USERS && (r.1 as usize) < ITEMS && r.2.is_finite())
            .map(|&(u, i, r)| (u, i, r.clamp(-5.0, 5.0)))
            .collect();
        if let Ok(model) = MfConfig::new().factors(2).epochs(3).fit(&clean, USERS, ITEMS) {
            if let Ok(p) = model.predict(user, item) {
                let (min, max) = model.rating_range();
                prop_assert!(p.is_finite() && p >= min && p <= max);
            }
            let _ = model.predict_many(&[(user, item), (u32::MAX, u32::MAX)]);
            check_scored(&recommend(&model, Some(user), History::default(), &query(&parts)), ITEMS);
            check_scores(&model, Some(user), History::default());
        }
    }

    #[test]
    fn popularity_and_trending(
        m in matrix(),
        events in prop::collection::vec(
            (
                index(ITEMS),
                prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0i64), any::<i64>()],
                any::<bool>(),
            ),
            0..12,
        ),
        half_life in prop_oneof![
            Just(f64::MIN_POSITIVE),
            Just(1e300),
            Just(f64::NAN),
            Just(-1.0),
            0.001f64..1e4,
        ],
        now in prop::option::of(prop_oneof![Just(i64::MIN), Just(i64::MAX), any::<i64>()]),
        weight in hostile_f32(),
        genre in "[a-c]{0,2}",
        people in prop::collection::vec(index(3), 0..3),
        parts in query_parts(),
    ) {
        let popularity = PopularityConfig::new().fit(&m).unwrap();
        check_scored(&recommend(&popularity, None, History::default(), &query(&parts)), ITEMS);

        let events: Vec<Event> = events
            .into_iter()
            .map(|(item, timestamp, like)| Event {
                user: 0,
                item,
                feedback: if like { Feedback::Like } else { Feedback::Dislike },
                timestamp,
            })
            .collect();
        let mut config = TrendingConfig::new().half_life_days(half_life);
        if let Some(now) = now {
            config = config.now(now);
        }
        let Ok(model) = config.fit(&events, ITEMS, &FeedbackPolicy::default()) else {
            return Ok(());
        };
        for kind in [PopularityKind::AllTime, PopularityKind::Trending] {
            prop_assert!(model.scores(kind).iter().all(|s| s.is_finite() && *s >= 0.0));
            prop_assert!(model.normalized(kind).iter().all(|s| s.is_finite()));
        }
        check_scored(&recommend(&model, None, History::default(), &query(&parts)), ITEMS);
        let mut catalog = Catalog::new();
        catalog.item_mut(1).unwrap().add_genre("a");
        catalog.add_credit(2, "p", None, Role::Actor).unwrap();
        let _ = model.popular_in(&catalog, &genre, PopularityKind::Trending, parts.0);
        let favorites = Favorites { genres: vec![genre], people, ..Favorites::default() };
        let onboarding =
            model.onboarding_scores(&catalog, &favorites, PopularityKind::AllTime, weight);
        if let Ok(scores) = onboarding {
            prop_assert!(scores.iter().all(|s| s.is_finite()));
        }
    }

    #[test]
    fn content_with_dense_embeddings(
        genres in prop::collection::vec(prop::collection::vec("[a-d]", 0..3), ITEMS),
        embedding in prop::collection::vec(hostile_f32(), ITEMS * 2),
        weight in hostile_f32(),
        neighbors in prop::option::of(prop_oneof![1usize..4, Just(usize::MAX)]),
        negative_weight in hostile_f32(),
        item in index(ITEMS),
        (items, values) in history(),
        parts in query_parts(),
        n in count(),
    ) {
        let mut catalog = Catalog::new();
        for (i, names) in genres.iter().enumerate() {
            for g in names {
                catalog.item_mut(i as u32).unwrap().add_genre(g);
            }
        }
        catalog.ensure_len(ITEMS).unwrap();
        let features = ContentFeaturesConfig::new().min_df(1).max_df(1.0).fit(&catalog).unwrap();
        let matrix = ndarray::Array2::from_shape_vec((ITEMS, 2), embedding).unwrap();
        let features = match features.clone().with_embeddings(matrix.view(), weight) {
            Ok(with) => with,
            Err(_) => features,
        };
        for a in [item, 0] {
            if let Ok(s) = features.similarity(a, item) {
                prop_assert!(s.is_finite(), "similarity {}", s);
            }
            let _ = features.shared_tokens(a, item);
        }
        let config = ContentModelConfig::new()
            .neighbors(neighbors)
            .negative_weight(negative_weight);
        let Ok(model) = config.fit(features) else {
            return Ok(());
        };
        let history = History::new(&items, &values);
        check_scored(&model.similar_items(item, n), ITEMS);
        check_scored(&recommend(&model, None, history, &query(&parts)), ITEMS);
        check_scores(&model, None, history);
        if let Ok(parts) = model.contributions(history, item) {
            prop_assert!(parts.iter().all(|c| c.contribution.is_finite()));
        }
        let _ = model.matching_tokens(history, item);
    }

    #[test]
    fn evaluation(
        m in matrix(),
        lists in prop::collection::vec(prop::collection::vec(index(ITEMS), 0..5), 0..8),
        users in prop::collection::vec(index(USERS), 0..8),
        k in count(),
        fraction in prop_oneof![Just(f64::NAN), Just(-0.5), Just(2.0), 0.0f64..=1.0],
        n_folds in count(),
        fold in count(),
        pairs in prop::collection::vec((0u32..USERS as u32 + 2, index(ITEMS)), 0..10),
        catalogue in prop::collection::vec(any::<bool>(), 0..10),
        errors in prop::collection::vec((hostile_f32(), hostile_f32()), 0..6),
    ) {
        let _ = eval::at_k::ranking_metrics_at_k(&users, &lists, &m, k);
        let relevant: Vec<Vec<u32>> =
            lists.iter().map(|l| l.iter().rev().copied().collect()).collect();
        if let Some(lists) = lists.first() {
            if let Some(metrics) = eval::user_metrics(lists, &relevant[0], k) {
                prop_assert!(metrics.ndcg.is_finite() && metrics.precision.is_finite());
            }
        }
        let _ = eval::summarize(&lists, &relevant, &catalogue, k);
        if let Ok(report) = eval::prediction_errors(errors) {
            prop_assert!(report.rmse.is_finite() && report.mae.is_finite());
        }
        let relevance = Relevance::from_pairs(USERS, pairs).unwrap();
        let model = PopularityConfig::new().fit(&m).unwrap();
        let _ = eval::evaluate_top_n(&model, &m, &relevance, k);
        let ratings: Vec<split::Rating> = (0..10u32)
            .map(|i| split::Rating::new(i % 3, i % 4, 1.0, i64::from(i) * 1000))
            .collect();
        let _ = split::random_split(&ratings, fraction, 1);
        let _ = split::temporal_split(&ratings, fraction);
        let _ = split::leave_last_k_out(&ratings, k);
        if let Ok(folds) = split::fold_assignment(&ratings, n_folds, 7) {
            prop_assert!(folds.iter().all(|&f| f < n_folds));
            let _ = split::fold_split(&ratings, &folds, fold);
        }
        let _ = eval::holdout::leave_k_out_positions(m.indptr(), k, fraction, 3);
        let _ = eval::holdout::leave_k_out_positions(&[0, 5, 2], k, fraction, 3);
        let _ = eval::holdout::leave_k_out_positions(&[], k, 0.0, 3);
    }
}

/// Sizes and indices that no data passed alongside backs: each would need gigabytes to
/// terabytes if allocated, so the only acceptable answer is an error.
fn absurd_len() -> impl Strategy<Value = usize> {
    prop_oneof![
        Just(usize::MAX),
        Just(usize::MAX / 2),
        Just(1 << 40),
        Just(u32::MAX as usize),
        Just(u32::MAX as usize + 1),
        // Just past the bound for the few records the tests pass.
        (MAX_UNBACKED_LEN + 100..MAX_UNBACKED_LEN + 1000),
    ]
}

fn is_invalid<T>(result: &recsys_core::Result<T>) -> bool {
    matches!(result, Err(Error::InvalidParameter { .. }))
}

fn is_out_of_range<T>(result: &recsys_core::Result<T>) -> bool {
    matches!(result, Err(Error::IndexOutOfRange { .. }))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Every shape or size argument beyond the data given is refused before anything is sized
    /// by it (an allocation of that size would abort the test process, not fail it).
    #[test]
    fn size_arguments_never_allocate(
        len in absurd_len(),
        small in 0usize..4,
        triplets in prop::collection::vec((0..USERS as u32, 0..ITEMS as u32, 0.5f32..5.0), 0..20),
    ) {
        prop_assert!(is_invalid(&Interactions::empty(len, small)));
        prop_assert!(is_invalid(&Interactions::empty(small, len)));
        prop_assert!(is_invalid(&Interactions::from_triplets(len, ITEMS, &triplets)));
        prop_assert!(is_invalid(&Interactions::from_triplets(USERS, len, &triplets)));
        prop_assert!(is_invalid(&Interactions::from_csr(1, len, &[0, 1], &[0], &[1.0])));

        let events: Vec<Event> = triplets
            .iter()
            .map(|&(user, item, _)| Event { user, item, feedback: Feedback::Like, timestamp: 0 })
            .collect();
        let policy = FeedbackPolicy::default();
        prop_assert!(is_invalid(&TrendingConfig::new().fit(&events, len, &policy)));

        let mf = MfConfig::new().factors(2).epochs(1);
        prop_assert!(is_invalid(&mf.fit(&triplets, len, ITEMS)));
        prop_assert!(is_invalid(&mf.fit(&triplets, USERS, len)));

        let mut catalog = Catalog::new();
        catalog.item_mut(small as u32).unwrap().add_genre("a");
        prop_assert!(is_invalid(&ContentFeaturesConfig::new().fit_items(&catalog, len)));

        let pairs: Vec<(u32, u32)> = triplets.iter().map(|&(u, i, _)| (u, i)).collect();
        prop_assert!(is_invalid(&Relevance::from_pairs(len, pairs.clone())));
        let far_user = u32::try_from(len).unwrap_or(u32::MAX);
        let with_far_user = pairs.iter().copied().chain([(far_user, 0)]);
        prop_assert!(is_invalid(&Relevance::from_pairs(USERS, with_far_user)));
        let test: Vec<split::Rating> =
            triplets.iter().map(|&(u, i, r)| split::Rating::new(u, i, r, 0)).collect();
        prop_assert!(is_invalid(&eval::Relevance::from_ratings(&test, len, 0.0)));

        // indptr's values are numbers, not data: a row "of" usize::MAX entries with a huge k.
        let held_out = eval::holdout::leave_k_out_positions(&[0, usize::MAX], len, 0.0, 1);
        prop_assert!(is_invalid(&held_out) || held_out.as_ref().is_ok_and(Vec::is_empty));
    }

    /// The catalogue grows by at most `MAX_UNBACKED_LEN` per call; a far index is an error
    /// that leaves the catalogue (and its people) as it was.
    #[test]
    fn catalog_growth_is_bounded(
        existing in 0u32..5,
        far in prop_oneof![
            Just(u32::MAX),
            Just(u32::MAX - 1),
            (MAX_UNBACKED_LEN as u32 + 5..u32::MAX),
        ],
        len in absurd_len(),
    ) {
        let mut catalog = Catalog::new();
        catalog.item_mut(existing).unwrap().add_genre("a");
        let before = catalog.clone();
        prop_assert!(is_out_of_range(&catalog.item_mut(far)));
        prop_assert!(is_out_of_range(&catalog.add_credit(far, "p", Some("P"), Role::Actor)));
        prop_assert!(is_out_of_range(&catalog.ensure_len(len)));
        prop_assert_eq!(&catalog, &before);
        prop_assert_eq!(catalog.n_people(), 0);
        // Appending and small steps still work, as before.
        let next = catalog.len() as u32;
        catalog.add_credit(next, "p", None, Role::Director).unwrap();
        catalog.item_mut(next + 3).unwrap().add_genre("b");
        prop_assert_eq!(catalog.len(), next as usize + 4);
    }

    /// An ALS partial fit of an index far past the model's end would zero-fill every row in
    /// between: refused.
    #[test]
    fn als_partial_fit_far_index(m in matrix(), far in prop_oneof![
        Just(u32::MAX),
        (MAX_UNBACKED_LEN as u32 + 100..u32::MAX),
    ]) {
        let mut model = AlsConfig::new().factors(2).iterations(1).seed(1).fit(&m).unwrap();
        let before = model.clone();
        let row = Interactions::from_triplets(1, ITEMS, &[(0, 1, 1.0)]).unwrap();
        prop_assert!(is_invalid(&model.partial_fit_users(&[far], &row)));
        prop_assert_eq!(model.n_users(), before.n_users());
        // The next index is an append.
        model.partial_fit_users(&[USERS as u32], &row).unwrap();
        prop_assert_eq!(model.n_users(), USERS + 1);
    }
}

/// Shapes within the bound keep working: users and items without any data, up to the bound.
#[test]
fn unbacked_padding_within_the_bound_is_accepted() {
    let m = Interactions::from_triplets(USERS + 1000, ITEMS + 1000, &[(0, 0, 1.0)]).unwrap();
    assert_eq!((m.n_users(), m.n_items()), (USERS + 1000, ITEMS + 1000));
    let empty = Interactions::empty(1000, 2000).unwrap();
    assert_eq!(
        (empty.n_users(), empty.n_items(), empty.nnz()),
        (1000, 2000, 0)
    );
    let relevance = Relevance::from_pairs(50, [(3, 1)]).unwrap();
    assert_eq!(relevance.per_user().len(), 50);
    let trending = TrendingConfig::new()
        .fit(&[], 500, &FeedbackPolicy::default())
        .unwrap();
    assert_eq!(trending.scores(PopularityKind::AllTime).len(), 500);
    let mut catalog = Catalog::new();
    catalog.ensure_len(1000).unwrap();
    catalog.item_mut(1500).unwrap();
    assert_eq!(catalog.len(), 1501);
    // A dataset's id maps back its shape: every registered user gets a row.
    let mut dataset = recsys_core::data::Dataset::new();
    for user in 0..300 {
        dataset.add_user(&format!("u{user}"));
    }
    dataset.add_event("u0", "x", Feedback::Like, 0).unwrap();
    let matrix = dataset.interactions(&FeedbackPolicy::default()).unwrap();
    assert_eq!((matrix.n_users(), matrix.n_items()), (300, 1));
}

/// Degenerate shapes: no users, no items, nothing stored. Fitting may refuse them; a model that
/// fits must answer queries.
#[test]
fn degenerate_shapes() {
    for (n_users, n_items) in [(0, 0), (0, 3), (3, 0), (1, 1), (2, 2)] {
        let m = Interactions::empty(n_users, n_items).unwrap();
        let query = TopN::new(usize::MAX);
        if let Ok(model) = AlsConfig::new().factors(2).iterations(1).fit(&m) {
            check_scored(&model.recommend(None, History::default(), &query), n_items);
            check_scored(
                &model.recommend(Some(0), History::default(), &query),
                n_items,
            );
            check_scored(&model.similar_items(0, 3, None), n_items);
            let _ = model.recommend_batch(&[0], &m, 3, true);
            let _ = model.loss(&m);
        }
        if let Ok(model) = ItemKnnConfig::new().fit(&m) {
            check_scored(
                &recommend(&model, None, History::default(), &query),
                n_items,
            );
        }
        if let Ok(model) = PopularityConfig::new().fit(&m) {
            check_scored(
                &recommend(&model, None, History::default(), &query),
                n_items,
            );
        }
        let trending = TrendingConfig::new().fit(&[], n_items, &FeedbackPolicy::default());
        if let Ok(model) = trending {
            check_scored(
                &recommend(&model, None, History::default(), &query),
                n_items,
            );
        }
        let _ = eval::at_k::ranking_metrics_at_k(&[0], &[vec![]], &m, 10);
        let _ = eval::holdout::leave_k_out_positions(m.indptr(), 1, 0.5, 1);
        let features = ContentFeaturesConfig::new().fit_items(&Catalog::new(), n_items);
        if let Ok(model) = features.and_then(|f| ContentModelConfig::new().fit(f)) {
            check_scored(
                &recommend(&model, None, History::default(), &query),
                n_items,
            );
            check_scored(&model.similar_items(0, 3), n_items);
        }
    }
    let _ = MfConfig::new()
        .fit(&[(0, 0, 3.0)], 1, 1)
        .map(|m| m.predict(0, 0));
}
