use super::*;
use crate::artifact::Artifact;
use crate::data::Role;
use crate::data::{Dataset, Feedback};
use crate::features::ContentFeaturesConfig;
use crate::models::als::AlsConfig;

/// Two taste groups (sci-fi fans, crime fans) over 10 items; item "new-crime" has metadata but
/// no interactions.
pub(crate) fn small_dataset() -> Dataset {
    let mut ds = Dataset::new();
    let scifi = ["alien", "aliens", "solaris", "dune"];
    let crime = ["fargo", "heat", "blood-simple", "noir"];
    for (group, items) in [(0, scifi), (1, crime)] {
        for user in 0..8 {
            for (position, item) in items.iter().enumerate() {
                if (user + position) % 4 != 3 {
                    let id = format!("u{group}-{user}");
                    ds.add_event(
                        &id,
                        item,
                        Feedback::Rating(5.0),
                        (user * 10 + position) as i64,
                    )
                    .unwrap();
                }
            }
        }
    }
    ds.add_event("u1-0", "fargo", Feedback::Rating(2.0), 99)
        .unwrap();
    ds.add_event("fan", "alien", Feedback::Watched, 5).unwrap();
    for item in scifi {
        ds.item_info_mut(item).1.add_genre("Sci-Fi");
    }
    for item in crime.iter().chain(&["new-crime"]) {
        let (index, info) = ds.item_info_mut(item);
        info.add_genre("Crime");
        info.title = Some(item.to_uppercase());
        info.year = Some(1990 + index as i32);
    }
    let fargo = ds.items.index_of("fargo").unwrap();
    let new_crime = ds.items.index_of("new-crime").unwrap();
    let blood = ds.items.index_of("blood-simple").unwrap();
    for item in [fargo, new_crime, blood] {
        ds.catalog
            .add_credit(item, "coen", None, Role::Director)
            .unwrap();
        ds.catalog
            .add_credit(item, "mcd", Some("Frances McDormand"), Role::Actor)
            .unwrap();
    }
    ds
}

pub(crate) fn small_recommender() -> Recommender {
    RecommenderBuilder::new()
        .als(
            AlsConfig::new()
                .factors(4)
                .regularization(0.5)
                .iterations(10),
        )
        .features(ContentFeaturesConfig::new().min_df(2).max_df(1.0))
        .fit(&small_dataset())
        .unwrap()
}

fn ids(recs: &Recommendations) -> Vec<&str> {
    recs.items.iter().map(|r| r.item_id.as_str()).collect()
}

#[test]
fn for_you_follows_the_taste_and_explains_faithfully() {
    let rec = small_recommender();
    let history = UserHistory::new()
        .with("fargo", Feedback::Rating(5.0), 1)
        .with("heat", Feedback::Like, 2)
        .with("dune", Feedback::Dislike, 3);
    let query = Query::new(List::ForYou).n(4).explain(true).detail(true);
    let recs = rec.recommend(&history, &query).unwrap();
    let got = ids(&recs);
    assert!(!got.contains(&"fargo") && !got.contains(&"heat") && !got.contains(&"dune"));
    assert!(got[0] == "blood-simple" || got[0] == "noir", "{got:?}");
    let history_items = ["fargo", "heat"];
    for r in &recs.items {
        assert!(!r.reasons.is_empty() && !r.explanation.as_ref().unwrap().is_empty());
        let parts = r.parts.collaborative + r.parts.content + r.parts.popularity;
        assert!((parts - r.score).abs() < 1e-4);
        let cf = r.collaborative.as_ref().unwrap();
        let total: f32 = cf.contributions.iter().map(|c| c.value).sum();
        assert!((total - cf.score).abs() < 1e-3, "{total} vs {}", cf.score);
        assert!(cf
            .contributions
            .iter()
            .all(|c| history_items.contains(&c.item_id.as_str())));
        for reason in &r.reasons {
            if let Reason::BecauseYouLiked { items } = reason {
                assert!(items
                    .iter()
                    .all(|c| history_items.contains(&c.item.item_id.as_str())));
            }
        }
    }
}

#[test]
fn cold_items_come_from_content_and_say_so() {
    let rec = small_recommender();
    let history = UserHistory::new().with("fargo", Feedback::Like, 1);
    let query = Query::new(List::similar_to("fargo")).n(5);
    let recs = rec.recommend(&history, &query).unwrap();
    let cold = recs
        .items
        .iter()
        .find(|r| r.item_id == "new-crime")
        .unwrap();
    assert!(cold.reasons.contains(&Reason::NewArrival));
    let sentence = cold.sentence();
    assert!(
        sentence.contains("Shares director and actor Frances McDormand")
            || sentence.contains("Shares director and a cast member"),
        "{sentence}"
    );
}

#[test]
fn a_cold_item_reaches_for_you_with_a_faithful_explanation() {
    let rec = small_recommender();
    let new_crime = rec.items.index_of("new-crime").unwrap();
    assert!(!rec.is_warm(new_crime));
    let history = UserHistory::new()
        .with("fargo", Feedback::Rating(5.0), 1)
        .with("blood-simple", Feedback::Rating(5.0), 2);
    let recs = rec
        .recommend(&history, &Query::new(List::ForYou).n(8).detail(true))
        .unwrap();
    let cold = recs
        .items
        .iter()
        .find(|r| r.item_id == "new-crime")
        .expect("the cold crime film is among a crime fan's 8");
    assert!(
        cold.reasons.contains(&Reason::NewArrival),
        "{:?}",
        cold.reasons
    );
    let cf = cold.collaborative.as_ref().expect("estimated factors");
    assert!(cf.score != 0.0);
    let total: f32 = cf.contributions.iter().map(|c| c.value).sum();
    assert!((total - cf.score).abs() < 1e-4, "{total} vs {}", cf.score);
    let liked = ["fargo", "blood-simple"];
    assert!(cf
        .contributions
        .iter()
        .all(|c| liked.contains(&c.item_id.as_str())));
}

#[test]
fn every_list_answers_and_unknown_ids_are_reported() {
    let rec = small_recommender();
    let history =
        UserHistory::new()
            .with("alien", Feedback::Like, 1)
            .with("???", Feedback::Like, 2);
    for list in [
        List::ForYou,
        List::Trending,
        List::by_genre("crime"),
        List::because_you_liked("alien"),
        List::similar_to("heat"),
    ] {
        let recs = rec
            .recommend(&history, &Query::new(list.clone()).n(3))
            .unwrap();
        assert_eq!(recs.unknown_ids, ["???"], "{list:?}");
        assert!(!recs.items.is_empty(), "{list:?}");
        assert!(recs.items.iter().all(|r| r.item_id != "alien"));
        if let List::ByGenre { .. } = list {
            assert!(recs.items.iter().all(|r| rec
                .item(&r.item_id)
                .unwrap()
                .genres
                .contains(&"Crime".into())));
        }
    }
    let unknown_seed = Query::new(List::similar_to("nope"));
    assert!(matches!(
        rec.recommend(&history, &unknown_seed),
        Err(Error::UnknownItem { .. })
    ));
    let unknown_genre = Query::new(List::by_genre("Western"));
    assert!(rec.recommend(&history, &unknown_genre).is_err());
    assert!(rec
        .recommend(&history, &Query::new(List::ForYou).diversity(2.0))
        .is_err());
}

#[test]
fn empty_history_gets_popular_items_with_reasons() {
    let rec = small_recommender();
    let recs = rec
        .recommend(&UserHistory::new(), &Query::new(List::ForYou).n(3))
        .unwrap();
    assert_eq!(recs.items.len(), 3);
    assert!(recs
        .items
        .iter()
        .all(|r| r.reasons.contains(&Reason::Popular)));
    let by_genre = rec
        .recommend(&UserHistory::new(), &Query::new(List::by_genre("Crime")))
        .unwrap();
    assert!(by_genre.items[0].sentence().starts_with("Popular in Crime"));
}

#[test]
fn round_trips_as_an_artifact() {
    let rec = small_recommender();
    let bytes = rec.to_bytes().unwrap();
    let back = Recommender::from_bytes(&bytes).unwrap();
    let history = UserHistory::new().with("heat", Feedback::Like, 1);
    let query = Query::new(List::ForYou).n(5).diversity(0.3);
    assert_eq!(
        rec.recommend(&history, &query).unwrap(),
        back.recommend(&history, &query).unwrap()
    );
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Recommender>();
}

#[test]
fn onboarding_favourites_make_a_pseudo_history_with_faithful_reasons() {
    let rec = small_recommender();
    let history = UserHistory::new()
        .with_weighted_favorite_genre("crime", 3.0)
        .with_favorite_person("mcd")
        .with_favorite_person("nobody")
        .with_favorite_genre("Western");
    let all = Query::new(List::ForYou).n(rec.n_items());
    let recs = rec.recommend(&history, &all).unwrap();
    assert_eq!(recs.unknown_ids, ["Western", "nobody"]);
    let plain = rec.recommend(&UserHistory::new(), &all).unwrap();
    let popularity = |id: &str| {
        let i = rec.items.index_of(id).unwrap() as usize;
        rec.popularity[i]
    };
    // The favourites' most popular items (4 of 5 for Crime, 1 for Frances McDormand), scored
    // as if watched and left recommendable.
    let resolved = rec.resolve(&history, &mut Vec::new());
    let pseudo = rec.pseudo_history(&resolved).expect("popular favourites");
    assert!((2..=5).contains(&pseudo.history.items.len()));
    let mut same = UserHistory::new();
    for &item in &pseudo.history.items {
        same = same.with(rec.items.id_of(item).unwrap(), Feedback::Watched, 0);
    }
    let unfiltered = all.clone().filters(Filters::new().exclude_seen(false));
    let by_hand = rec.recommend(&same, &unfiltered).unwrap();
    assert_eq!(ids(&recs), ids(&by_hand));
    for (a, b) in recs.items.iter().zip(&by_hand.items) {
        assert!(
            (a.score - b.score).abs() < 1e-6,
            "{} vs {}",
            a.score,
            b.score
        );
    }
    for r in &recs.items {
        let info = rec.item(&r.item_id).unwrap();
        let crime = info.genres.iter().any(|g| g == "Crime");
        let mcd = info.people.iter().any(|p| p.person_id == "mcd");
        // Reasons name only favourites the item matches, and popularity only when it is.
        for reason in &r.reasons {
            match reason {
                Reason::YouLike { name } if name == "Crime" => assert!(crime),
                Reason::YouLike { name } => assert!(mcd && name == "Frances McDormand"),
                Reason::Popular => assert!(popularity(&r.item_id) > 0.0),
                Reason::WeakMatch | Reason::NewArrival => {}
                other => panic!("unexpected reason {other:?}"),
            }
        }
    }
    // A tilt, not a replacement: without favourites the same items, by popularity.
    assert_eq!(recs.items.len(), plain.items.len());
    // Filters still hold and liked items switch to the personal blend.
    let seen = history.clone().with("fargo", Feedback::Watched, 1);
    let recs = rec
        .recommend(&seen, &Query::new(List::ForYou).n(3))
        .unwrap();
    assert!(!ids(&recs).contains(&"fargo"));
    let liked = history.with("fargo", Feedback::Like, 1);
    let recs = rec
        .recommend(&liked, &Query::new(List::ForYou).n(3).detail(true))
        .unwrap();
    assert!(recs.items.iter().all(|r| r.collaborative.is_some()));
}

#[test]
fn the_largest_list_returns_the_whole_catalogue_once_and_larger_is_refused() {
    let rec = small_recommender();
    let history = UserHistory::new().with("fargo", Feedback::Rating(5.0), 1);
    for diversity in [None, Some(0.5)] {
        let query = Query {
            diversity,
            ..Query::new(List::ForYou).n(Query::MAX_N)
        };
        let recs = rec.recommend(&history, &query).unwrap();
        let mut got = ids(&recs);
        got.sort_unstable();
        got.dedup();
        assert_eq!(got.len(), recs.items.len());
        assert_eq!(recs.items.len(), rec.n_items() - 1, "{diversity:?}");
        let absurd = Query {
            diversity,
            ..Query::new(List::ForYou).n(usize::MAX)
        };
        let err = rec.recommend(&history, &absurd).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::BadRequest, "{err}");
    }
}

#[test]
fn a_singular_fold_in_fails_at_fit_not_at_every_request() {
    let dataset = small_dataset();
    // More factors than items and no ridge: YᵀY is singular. Fitting used to succeed and every
    // request then failed with "fold-in: A_u is not positive definite".
    let singular = AlsConfig::new()
        .factors(dataset.n_items() + 4)
        .regularization(0.0)
        .iterations(2);
    let Err(err) = RecommenderBuilder::new().als(singular).fit(&dataset) else {
        panic!("a singular fold-in must fail the fit");
    };
    assert!(matches!(err, Error::FitFailed { .. }));
    assert!(err.to_string().contains("positive regularization"), "{err}");
    let ridged = AlsConfig::new()
        .factors(dataset.n_items() + 4)
        .regularization(0.1)
        .iterations(2);
    let rec = RecommenderBuilder::new().als(ridged).fit(&dataset).unwrap();
    let history = UserHistory::new().with("fargo", Feedback::Rating(5.0), 1);
    assert!(rec.recommend(&history, &Query::new(List::ForYou)).is_ok());
}

#[test]
fn embeddings_by_id_equal_embeddings_in_dataset_order() {
    let dataset = small_dataset();
    let builder = || {
        RecommenderBuilder::new().als(
            AlsConfig::new()
                .factors(4)
                .iterations(3)
                .regularization(0.1),
        )
    };
    // Two items with vectors, given by id in reverse order; the rest get none.
    let ids = vec!["heat".to_string(), "alien".to_string()];
    let rows = ndarray::array![[0.0f32, 1.0], [1.0, 0.0]];
    let mut aligned = ndarray::Array2::zeros((dataset.n_items(), 2));
    aligned
        .row_mut(dataset.items.index_of("heat").unwrap() as usize)
        .assign(&rows.row(0));
    aligned
        .row_mut(dataset.items.index_of("alien").unwrap() as usize)
        .assign(&rows.row(1));
    let by_id = builder()
        .item_embeddings_by_id(ids.clone(), rows.clone(), 0.7)
        .fit(&dataset)
        .unwrap();
    let in_order = builder()
        .item_embeddings(aligned, 0.7)
        .fit(&dataset)
        .unwrap();
    assert_eq!(by_id.to_bytes().unwrap(), in_order.to_bytes().unwrap());
    let without = builder().fit(&dataset).unwrap();
    assert_ne!(by_id.to_bytes().unwrap(), without.to_bytes().unwrap());

    let unknown = builder()
        .item_embeddings_by_id(vec!["nope".into()], ndarray::array![[1.0f32, 0.0]], 0.7)
        .fit(&dataset);
    assert!(matches!(unknown, Err(Error::UnknownItem { id }) if id == "nope"));
    let short = builder()
        .item_embeddings_by_id(ids, ndarray::array![[1.0f32, 0.0]], 0.7)
        .fit(&dataset);
    assert!(matches!(short, Err(Error::DimensionMismatch { .. })));
}

#[test]
fn imported_als_item_factors_replace_the_fit_and_drive_the_fold_in() {
    let dataset = small_dataset();
    let als = AlsConfig::new()
        .factors(4)
        .regularization(0.5)
        .iterations(10);
    let builder = || RecommenderBuilder::new().als(als.clone());
    let trained = builder().fit(&dataset).unwrap();
    // The trained item factors, given by id in reverse order, one item left out.
    let factors = trained.als.item_factors();
    let n = dataset.n_items();
    let left_out = dataset.items.index_of("new-crime").unwrap() as usize;
    let order: Vec<usize> = (0..n).rev().filter(|&i| i != left_out).collect();
    let given: Vec<String> = order
        .iter()
        .map(|&i| dataset.items.id_of(i as u32).unwrap().to_string())
        .collect();
    let rows = factors.select(ndarray::Axis(0), &order);
    let imported = builder()
        .als_item_factors_by_id(given.clone(), rows.clone())
        .fit(&dataset)
        .unwrap();
    for item in 0..n {
        let expected: Vec<f32> = if item == left_out {
            vec![0.0; 4]
        } else {
            factors.row(item).to_vec()
        };
        assert_eq!(
            imported.als.item_vector(item as u32).unwrap(),
            &expected[..]
        );
    }
    // A request folds in against the imported factors with the config's regularization and
    // alpha (the left-out item has zero factors).
    let mut expected = factors.to_owned();
    expected.row_mut(left_out).fill(0.0);
    let reference = AlsModel::from_factors(
        0.5,
        1.0,
        ndarray::Array2::zeros((0, 4)).view(),
        expected.view(),
    )
    .unwrap();
    let (alien, dune) = (
        dataset.items.index_of("alien").unwrap(),
        dataset.items.index_of("dune").unwrap(),
    );
    let seen = [alien.min(dune), alien.max(dune)];
    let history = crate::models::History::new(&seen, &[5.0, 4.0]);
    assert_eq!(
        imported.als.recalculate_user(history).unwrap(),
        reference.recalculate_user(history).unwrap()
    );
    let sci_fi = UserHistory::new()
        .with("alien", Feedback::Rating(5.0), 1)
        .with("dune", Feedback::Rating(4.0), 2);
    let top = imported
        .recommend(&sci_fi, &Query::new(List::ForYou).n(2))
        .unwrap();
    assert!(
        ids(&top).iter().all(|i| ["aliens", "solaris"].contains(i)),
        "{:?}",
        ids(&top)
    );

    let unknown = builder()
        .als_item_factors_by_id(
            vec!["nope".into()],
            ndarray::array![[1.0f32, 0.0, 0.0, 0.0]],
        )
        .fit(&dataset);
    assert!(matches!(unknown, Err(Error::UnknownItem { id }) if id == "nope"));
    let short = builder()
        .als_item_factors_by_id(given.clone(), rows.slice(ndarray::s![..2, ..]).to_owned())
        .fit(&dataset);
    assert!(matches!(short, Err(Error::DimensionMismatch { .. })));
    let mut nan = rows.clone();
    nan[[0, 0]] = f32::NAN;
    let nan = builder().als_item_factors_by_id(given, nan).fit(&dataset);
    assert!(matches!(nan, Err(Error::NonFinite { .. })));
}

#[test]
fn settings_parse_by_name_with_defaults_and_refuse_unknown_names() {
    use crate::data::FeedbackPolicy;
    use crate::models::mf::MfConfig;

    let policy: FeedbackPolicy =
        serde_json::from_str(r#"{"like": 3.0, "negative_below": null}"#).unwrap();
    assert_eq!(
        policy,
        FeedbackPolicy::default().like(3.0).negative_below(None)
    );
    let err = serde_json::from_str::<FeedbackPolicy>(r#"{"likes": 3.0}"#).unwrap_err();
    assert!(err.to_string().contains("unknown field `likes`"), "{err}");

    let mf: MfConfig = serde_json::from_str(r#"{"epochs": 5}"#).unwrap();
    assert_eq!(mf, MfConfig::new().epochs(5));
    assert!(serde_json::from_str::<MfConfig>(r#"{"speed": 1}"#).is_err());

    let blend: BlendConfig = serde_json::from_str(r#"{"preset": "long_tail"}"#).unwrap();
    assert_eq!(blend, BlendConfig::long_tail());
    let blend: BlendConfig = serde_json::from_str(r#"{"pool": 50}"#).unwrap();
    assert_eq!(blend, BlendConfig::new().pool(50));
    let err = serde_json::from_str::<BlendConfig>(r#"{"preset": "wide"}"#).unwrap_err();
    assert!(err.to_string().contains("long_tail"), "{err}");
    assert!(serde_json::from_str::<BlendConfig>(r#"{"popularity": -1}"#).is_err());
    // JSON round trip; the artifact (compact) form has no preset and still round-trips.
    let json = serde_json::to_string(&BlendConfig::long_tail()).unwrap();
    assert_eq!(
        serde_json::from_str::<BlendConfig>(&json).unwrap(),
        BlendConfig::long_tail()
    );
    let bytes =
        bincode::serde::encode_to_vec(BlendConfig::long_tail(), bincode::config::standard())
            .unwrap();
    let (back, _): (BlendConfig, usize) =
        bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
    assert_eq!(back, BlendConfig::long_tail());
}
