//! Every model survives `to_bytes` → `from_bytes` (and `save` → `load`) exactly, and damaged
//! artifacts are always rejected.

use proptest::prelude::*;
use recsys_core::artifact::{self, Artifact};
use recsys_core::data::{Catalog, Dataset, Feedback, FeedbackPolicy, IdMap, Interactions};
use recsys_core::features::ContentFeaturesConfig;
use recsys_core::models::als::{AlsConfig, AlsModel};
use recsys_core::models::content::ContentModelConfig;
use recsys_core::models::knn::{ItemKnnConfig, ItemKnnModel};
use recsys_core::models::mf::{MfConfig, MfModel};
use recsys_core::models::popularity::{PopularityConfig, PopularityModel};
use recsys_core::models::trending::{TrendingConfig, TrendingModel};
use recsys_core::models::{recommend, History, ItemScorer, TopN};
use recsys_core::topk::Scored;
use recsys_core::Error;

const USERS: u32 = 24;
const ITEMS: u32 = 16;

/// Two taste groups (even / odd items) with a few dislikes, so every model has signal.
fn interactions() -> Interactions {
    let mut triplets = Vec::new();
    for user in 0..USERS {
        for item in 0..ITEMS {
            let hash = (user * 31 + item * 17) % 7;
            if hash < 3 && item % 2 == user % 2 {
                triplets.push((user, item, 1.0 + hash as f32));
            } else if hash == 6 {
                triplets.push((user, item, -1.0));
            }
        }
    }
    Interactions::from_triplets(USERS as usize, ITEMS as usize, &triplets).unwrap()
}

fn ratings() -> Vec<(u32, u32, f32)> {
    let m = interactions();
    let mut out = Vec::new();
    for user in 0..USERS {
        let (items, values) = m.row(user as usize);
        out.extend(
            items
                .iter()
                .zip(values)
                .map(|(&item, &v)| (user, item, if v > 0.0 { 3.0 + v / 2.0 } else { 1.0 })),
        );
    }
    out
}

fn als() -> AlsModel {
    AlsConfig::new()
        .factors(4)
        .iterations(4)
        .seed(3)
        .fit(&interactions())
        .unwrap()
}

fn mf() -> MfModel {
    MfConfig::new()
        .factors(3)
        .epochs(10)
        .seed(3)
        .fit(&ratings(), USERS as usize, ITEMS as usize)
        .unwrap()
}

fn knn() -> ItemKnnModel {
    ItemKnnConfig::new()
        .neighbors(5)
        .fit(&interactions())
        .unwrap()
}

fn popularity() -> PopularityModel {
    PopularityConfig::new().fit(&interactions()).unwrap()
}

/// Top-5 for every user (with their history) and for an anonymous visitor, compared bitwise.
fn all_recommendations<M: ItemScorer>(model: &M) -> Vec<Vec<(u32, u32)>> {
    let m = interactions();
    let mut out = Vec::new();
    for user in 0..USERS {
        let (items, values) = m.row(user as usize);
        let history = History::new(items, values);
        for known in [Some(user), None] {
            let recs = recommend(model, known, history, &TopN::new(5)).unwrap();
            out.push(
                recs.iter()
                    .map(|&Scored { item, score }| (item, score.to_bits()))
                    .collect(),
            );
        }
    }
    out
}

fn assert_round_trip<M>(model: &M)
where
    M: Artifact + ItemScorer + PartialEq + std::fmt::Debug,
{
    let bytes = model.to_bytes().unwrap();
    assert_eq!(artifact::inspect(&bytes).unwrap().kind, M::KIND);
    let back = M::from_bytes(&bytes).unwrap();
    assert_eq!(&back, model);
    assert_eq!(all_recommendations(&back), all_recommendations(model));
    // Encoding is deterministic, so artifacts can be compared and cached by hash.
    assert_eq!(back.to_bytes().unwrap(), bytes);
}

#[test]
fn als_round_trips() {
    assert_round_trip(&als());
}

#[test]
fn mf_round_trips_with_identical_predictions() {
    let model = mf();
    assert_round_trip(&model);
    let back = MfModel::from_bytes(&model.to_bytes().unwrap()).unwrap();
    for user in 0..USERS {
        for item in 0..ITEMS {
            assert_eq!(
                back.predict(user, item).unwrap().to_bits(),
                model.predict(user, item).unwrap().to_bits()
            );
        }
    }
}

#[test]
fn item_knn_round_trips() {
    let model = knn();
    assert_round_trip(&model);
    let back = ItemKnnModel::from_bytes(&model.to_bytes().unwrap()).unwrap();
    for item in 0..ITEMS {
        assert_eq!(
            back.similar_items(item, 5).unwrap(),
            model.similar_items(item, 5).unwrap()
        );
    }
}

#[test]
fn popularity_round_trips() {
    assert_round_trip(&popularity());
}

#[test]
fn trending_round_trips() {
    // Events spread over 40 days so recency weighting matters.
    let mut ds = Dataset::new();
    for (n, &(user, item, value)) in ratings().iter().enumerate() {
        let day = 86_400 * (n as i64 % 40);
        ds.add_event(
            &user.to_string(),
            &item.to_string(),
            Feedback::Rating(value),
            day,
        )
        .unwrap();
    }
    let model = TrendingConfig::new()
        .half_life_days(7.0)
        .fit(ds.events(), ds.n_items(), &FeedbackPolicy::default())
        .unwrap();
    let back = TrendingModel::from_bytes(&model.to_bytes().unwrap()).unwrap();
    assert_eq!(back, model);
    let anonymous = |m: &TrendingModel| recommend(m, None, History::default(), &TopN::new(5));
    assert_eq!(anonymous(&back).unwrap(), anonymous(&model).unwrap());
}

#[test]
fn content_round_trips() {
    let mut catalog = Catalog::new();
    for item in 0..ITEMS {
        let genre = ["Crime", "Comedy", "Drama"][item as usize % 3];
        catalog.item_mut(item).unwrap().add_genre(genre);
        catalog
            .item_mut(item)
            .unwrap()
            .add_genre(if item % 2 == 0 { "Even" } else { "Odd" });
    }
    let features = ContentFeaturesConfig::new()
        .max_df(1.0)
        .fit(&catalog)
        .unwrap();
    let model = ContentModelConfig::new().fit(features).unwrap();
    assert_round_trip(&model);
}

#[test]
fn dataset_and_id_map_round_trip() {
    let mut ds = Dataset::new();
    ds.add_event("ann", "alien", Feedback::Rating(4.5), 10)
        .unwrap();
    ds.add_event("bob", "alien", Feedback::Dislike, 11).unwrap();
    ds.add_event("bob", "heat", Feedback::Watched, 12).unwrap();
    let back = Dataset::from_bytes(&ds.to_bytes().unwrap()).unwrap();
    assert_eq!(back.events(), ds.events());
    assert_eq!(back.users.index_of("bob"), Some(1));
    assert_eq!(back.items.id_of(1), Some("heat"));
    let policy = FeedbackPolicy::default();
    assert_eq!(
        back.interactions(&policy).unwrap(),
        ds.interactions(&policy).unwrap()
    );

    let ids = IdMap::from_bytes(&ds.items.to_bytes().unwrap()).unwrap();
    assert_eq!((ids.len(), ids.index_of("heat")), (2, Some(1)));
}

#[test]
fn each_model_refuses_the_others_artifacts() {
    let artifacts = [
        (AlsModel::KIND, als().to_bytes().unwrap()),
        (MfModel::KIND, mf().to_bytes().unwrap()),
        (ItemKnnModel::KIND, knn().to_bytes().unwrap()),
        (PopularityModel::KIND, popularity().to_bytes().unwrap()),
    ];
    for (kind, bytes) in &artifacts {
        let checks = [
            (AlsModel::KIND, AlsModel::from_bytes(bytes).err()),
            (MfModel::KIND, MfModel::from_bytes(bytes).err()),
            (ItemKnnModel::KIND, ItemKnnModel::from_bytes(bytes).err()),
            (
                PopularityModel::KIND,
                PopularityModel::from_bytes(bytes).err(),
            ),
        ];
        for (expected, err) in checks {
            match err {
                None => assert_eq!(expected, *kind),
                Some(Error::CorruptArtifact { reason }) => {
                    assert_ne!(expected, *kind);
                    assert!(
                        reason.contains(&format!("`{kind}` model, expected `{expected}`")),
                        "{reason}"
                    );
                }
                Some(other) => panic!("{other:?}"),
            }
        }
    }
}

#[cfg(feature = "fs")]
#[test]
fn save_and_load_give_the_same_recommendations() {
    let dir = std::env::temp_dir().join(format!("recsys-artifact-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("als.recsys");
    let model = als();
    model.save(&path).unwrap();
    let loaded = AlsModel::load(&path).unwrap();
    assert_eq!(all_recommendations(&loaded), all_recommendations(&model));

    let err = MfModel::load(&path).unwrap_err();
    assert!(err.to_string().contains("als.recsys"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn decode_any(kind: &str, bytes: &[u8]) -> bool {
    match kind {
        "als" => AlsModel::from_bytes(bytes).is_ok(),
        "mf" => MfModel::from_bytes(bytes).is_ok(),
        "item-knn" => ItemKnnModel::from_bytes(bytes).is_ok(),
        _ => PopularityModel::from_bytes(bytes).is_ok(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn flipped_bytes_are_always_rejected(
        which in 0usize..4,
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..5),
    ) {
        let (kind, bytes) = match which {
            0 => ("als", als().to_bytes().unwrap()),
            1 => ("mf", mf().to_bytes().unwrap()),
            2 => ("item-knn", knn().to_bytes().unwrap()),
            _ => ("popularity", popularity().to_bytes().unwrap()),
        };
        let mut damaged = bytes.clone();
        for (at, mask) in flips {
            let at = at.index(damaged.len());
            damaged[at] ^= mask;
        }
        prop_assume!(damaged != bytes);
        prop_assert!(!decode_any(kind, &damaged));
    }

    #[test]
    fn truncated_or_extended_artifacts_are_rejected(
        which in 0usize..4,
        cut in any::<prop::sample::Index>(),
        extra in prop::collection::vec(any::<u8>(), 1..8),
    ) {
        let (kind, bytes) = match which {
            0 => ("als", als().to_bytes().unwrap()),
            1 => ("mf", mf().to_bytes().unwrap()),
            2 => ("item-knn", knn().to_bytes().unwrap()),
            _ => ("popularity", popularity().to_bytes().unwrap()),
        };
        prop_assert!(!decode_any(kind, &bytes[..cut.index(bytes.len())]));
        let mut longer = bytes.clone();
        longer.extend_from_slice(&extra);
        prop_assert!(!decode_any(kind, &longer));
    }
}
