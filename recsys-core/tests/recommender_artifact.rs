//! The saved `Recommender` holds what a request needs and nothing about training users;
//! every model decodes only through its validation (artifact, serde_json or bincode); and
//! fingerprints identify models.

use recsys_core::artifact::{self, Artifact};
use recsys_core::data::{Dataset, Feedback, IdMap};
use recsys_core::models::als::{AlsConfig, AlsModel};
use recsys_core::models::knn::ItemKnnConfig;
use recsys_core::models::mf::MfConfig;
use recsys_core::models::trending::TrendingModel;
use recsys_core::recommender::{List, Query, Recommender, RecommenderBuilder, UserHistory};

const ITEMS: u32 = 30;

/// `copies` users per base history: user `u` of copy `c` is `"u{u}-{c}"` with base user `u`'s
/// events. Every copy sees the same items, genres and titles.
fn dataset(base_users: u32, copies: u32) -> Dataset {
    let mut ds = Dataset::new();
    for item in 0..ITEMS {
        ds.item(&format!("i{item}"))
            .title(&format!("Film {item}"))
            .genre(["Drama", "Comedy", "Horror"][item as usize % 3]);
    }
    for copy in 0..copies {
        for user in 0..base_users {
            for item in 0..ITEMS {
                let hash = (user * 31 + item * 17) % 11;
                let feedback = match hash {
                    0..=2 if item % 3 == user % 3 => Feedback::Rating(4.0 + (hash % 2) as f32),
                    3 => Feedback::Rating(2.0),
                    4 if item % 3 == user % 3 => Feedback::Like,
                    _ => continue,
                };
                let id = format!("u{user}-{copy}");
                let item = format!("i{item}");
                ds.add_event(&id, &item, feedback, i64::from(user + item.len() as u32))
                    .unwrap();
            }
        }
    }
    ds
}

fn builder() -> RecommenderBuilder {
    RecommenderBuilder::new()
        .als(
            AlsConfig::new()
                .factors(8)
                .regularization(1.0)
                .iterations(5),
        )
        .knn(Some(ItemKnnConfig::new().neighbors(10)))
        .ratings(Some(MfConfig::new().factors(4).epochs(5)))
}

#[test]
fn artifact_size_does_not_grow_with_the_training_users() {
    let small = builder().fit(&dataset(40, 1)).unwrap().to_bytes().unwrap();
    let large = builder().fit(&dataset(40, 10)).unwrap().to_bytes().unwrap();
    let (a, b) = (small.len() as f64, large.len() as f64);
    let growth = (b - a).abs() / a;
    assert!(
        growth < 0.02,
        "40 users: {a} bytes, 400 users: {b} bytes ({:.1} % apart)",
        growth * 100.0
    );
}

#[test]
fn the_artifact_holds_no_user_indexed_array() {
    let ds = dataset(37, 3);
    let recommender = builder().fit(&ds).unwrap();
    let decoded = Recommender::from_bytes(&recommender.to_bytes().unwrap()).unwrap();
    assert_eq!(decoded.n_items(), ITEMS as usize);
    // No array in the serialised form has one entry (or one k-row) per training user.
    let n_users = ds.n_users();
    let json = serde_json::to_value(&recommender).unwrap();
    let k = json["als"]["factors"].as_u64().expect("ALS factors") as usize;
    assert_eq!(serde_json::to_value(&decoded).unwrap(), json);
    let mut arrays = Vec::new();
    collect_arrays("", &json, &mut arrays);
    assert!(!arrays.is_empty());
    for (path, len) in &arrays {
        assert!(
            *len != n_users && *len != n_users * k,
            "{path} holds {len} values for {n_users} users"
        );
    }
    assert_eq!(json["als"]["n_users"], 0);
    assert_eq!(
        json["als"]["user_factors"].as_array().map(Vec::len),
        Some(0)
    );
    assert_eq!(
        json["ratings"]["user_bias"].as_array().map(Vec::len),
        Some(0)
    );
    assert_eq!(
        json["ratings"]["user_factors"].as_array().map(Vec::len),
        Some(0)
    );
    // Derived values are recomputed on load, not stored.
    for derived in ["popularity", "unit_factors", "gram", "cold", "fingerprint"] {
        assert!(json.get(derived).is_none(), "{derived} is serialised");
    }
}

fn collect_arrays(path: &str, value: &serde_json::Value, out: &mut Vec<(String, usize)>) {
    match value {
        serde_json::Value::Array(items) => {
            out.push((path.to_string(), items.len()));
            for (i, item) in items.iter().enumerate() {
                collect_arrays(&format!("{path}[{i}]"), item, out);
            }
        }
        serde_json::Value::Object(fields) => {
            for (name, field) in fields {
                collect_arrays(&format!("{path}.{name}"), field, out);
            }
        }
        _ => {}
    }
}

#[test]
fn requests_give_the_same_results_after_a_round_trip() {
    let recommender = builder().fit(&dataset(40, 2)).unwrap();
    let bytes = recommender.to_bytes().unwrap();
    let decoded = Recommender::from_bytes(&bytes).unwrap();
    let json: Recommender =
        serde_json::from_str(&serde_json::to_string(&recommender).unwrap()).unwrap();
    let history = UserHistory::new()
        .with("i0", Feedback::Rating(5.0), 1)
        .with("i3", Feedback::Like, 2)
        .with("i1", Feedback::Rating(1.0), 3);
    for list in [
        List::ForYou,
        List::Trending,
        List::by_genre("Drama"),
        List::similar_to("i3"),
    ] {
        let query = Query::new(list).n(8);
        let expected = recommender.recommend(&history, &query).unwrap();
        assert_eq!(decoded.recommend(&history, &query).unwrap(), expected);
        assert_eq!(json.recommend(&history, &query).unwrap(), expected);
    }
    assert_eq!(decoded.to_bytes().unwrap(), bytes);
}

#[test]
fn tampered_models_fail_to_decode_with_serde_json() {
    let recommender = builder().fit(&dataset(20, 1)).unwrap();
    let good = serde_json::to_value(&recommender).unwrap();
    assert!(serde_json::from_value::<Recommender>(good.clone()).is_ok());

    // One exposure value short: a per-item part that does not cover the items.
    let mut short = good.clone();
    short["exposure"].as_array_mut().unwrap().pop();
    let err = serde_json::from_value::<Recommender>(short)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("exposure cover 29 items, the id map 30"),
        "{err}"
    );

    // A full ALS model (one user's factors) is not a recommender's item side.
    let mut with_user = good.clone();
    with_user["als"]["n_users"] = 1.into();
    with_user["als"]["user_factors"] = serde_json::json!(vec![0.0f32; 8]);
    let err = serde_json::from_value::<Recommender>(with_user)
        .unwrap_err()
        .to_string();
    assert!(err.contains("holds 1 users' factors"), "{err}");

    // A nested model is checked too: item factors that disagree with the item count.
    let mut factors = good;
    factors["als"]["item_factors"].as_array_mut().unwrap().pop();
    let err = serde_json::from_value::<Recommender>(factors)
        .unwrap_err()
        .to_string();
    assert!(err.contains("ALS item factors hold"), "{err}");

    // Stand-alone models and data types as well.
    let als = AlsConfig::new()
        .factors(2)
        .fit(&dataset(5, 1).interactions(&Default::default()).unwrap())
        .unwrap();
    let mut json = serde_json::to_value(&als).unwrap();
    json["item_factors"][0] = serde_json::json!(1e39);
    assert!(serde_json::from_value::<AlsModel>(json).is_err());
    let err = serde_json::from_str::<IdMap>(r#"["a", "b", "a"]"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("repeats ids"), "{err}");
    let mut ds = serde_json::to_value(dataset(3, 1)).unwrap();
    ds["events"][0]["item"] = 99.into();
    let err = serde_json::from_value::<Dataset>(ds)
        .unwrap_err()
        .to_string();
    assert!(err.contains("item 99"), "{err}");
}

#[test]
fn tampered_models_fail_to_decode_with_bincode() {
    let config = bincode::config::standard();
    let decode = |bytes: &[u8]| {
        bincode::serde::decode_from_slice::<Recommender, _>(bytes, config).map(|(value, _)| value)
    };
    let recommender = builder().fit(&dataset(20, 1)).unwrap();
    let mut bytes = bincode::serde::encode_to_vec(&recommender, config).unwrap();
    assert!(decode(&bytes).is_ok());
    // The last field is the EASE part, whose last field is its weights (f32, little-endian):
    // make the last weight NaN.
    let at = bytes.len() - 4;
    bytes[at..].copy_from_slice(&f32::NAN.to_le_bytes());
    let err = decode(&bytes).expect_err("NaN weight refused").to_string();
    assert!(
        err.contains("EASE weights: value") && err.contains("is NaN"),
        "{err}"
    );

    // A trending model whose two score lists differ in length (a mirror of its fields).
    let forged = bincode::serde::encode_to_vec(
        (
            (7.0f64, None::<i64>, 1u32),
            0i64,
            vec![1.0f32, 2.0],
            vec![0.5f32],
        ),
        config,
    )
    .unwrap();
    let err = bincode::serde::decode_from_slice::<TrendingModel, _>(&forged, config)
        .expect_err("inconsistent trending model refused")
        .to_string();
    assert!(err.contains("2 all-time and 1 trending"), "{err}");
}

#[test]
fn fingerprints_identify_models() {
    let recommender = builder().fit(&dataset(20, 1)).unwrap();
    let fingerprint = recommender.fingerprint().to_string();
    assert_eq!(fingerprint.len(), 16);
    assert!(fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
    let bytes = recommender.to_bytes().unwrap();
    assert_eq!(artifact::fingerprint(&bytes).unwrap(), fingerprint);
    assert_eq!(Artifact::fingerprint(&recommender).unwrap(), fingerprint);
    let loaded = Recommender::from_bytes(&bytes).unwrap();
    assert_eq!(loaded.fingerprint(), fingerprint);
    // Refitting the same data is deterministic: the same model, the same fingerprint.
    assert_eq!(
        builder().fit(&dataset(20, 1)).unwrap().fingerprint(),
        fingerprint
    );
    // Other data, other settings or other blend weights: another model.
    let other_data = builder().fit(&dataset(21, 1)).unwrap();
    assert_ne!(other_data.fingerprint(), fingerprint);
    let other_seed = builder()
        .als(
            AlsConfig::new()
                .factors(8)
                .regularization(1.0)
                .iterations(5)
                .seed(1),
        )
        .fit(&dataset(20, 1))
        .unwrap();
    assert_ne!(other_seed.fingerprint(), fingerprint);
    let blend = recommender.blend().clone().diversity(0.5);
    let reblended = recommender.clone().with_blend(blend).unwrap();
    assert_ne!(reblended.fingerprint(), fingerprint);
    assert_eq!(
        artifact::fingerprint(&reblended.to_bytes().unwrap()).unwrap(),
        reblended.fingerprint()
    );
    // A damaged artifact has no fingerprint.
    assert!(artifact::fingerprint(&bytes[..bytes.len() - 1]).is_err());
}
