//! Feeds arbitrary bytes to every artifact reader; reading must return `Ok` or `Err`, never panic,
//! abort or allocate without bound, and a model that reads back `Ok` must be usable without
//! panicking.
//!
//! The first input byte picks how the rest is used:
//! - `mode % 3 == 0`: the rest is a whole file, given to `inspect` and every `from_bytes`.
//! - `mode % 3 == 1`: the rest is a *payload*, sealed behind a valid header (correct checksum)
//!   for the kind `mode / 3` picks. A fuzzer cannot guess CRC-32s, so without this mode it would
//!   never get past the checksum into the payload decoder and the models' invariant checks.
//! - `mode % 3 == 2`: the rest describes a tiny training set plus byte edits; the models trained
//!   on it must round-trip exactly, and the edited artifacts must not panic (and must fail unless
//!   the edits cancel out).
//!
//! With `RECSYS_FUZZ_DECODE_ONLY=1` decoded models are not used, which keeps the fuzzer on the
//! reader itself while a model type still panics on inconsistent fields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use recsys_core::artifact::{self, Artifact, FORMAT_VERSION, MAGIC};
use recsys_core::data::{Dataset, FeedbackPolicy, IdMap, Interactions};
use recsys_core::models::als::{AlsConfig, AlsModel};
use recsys_core::models::content::ContentModel;
use recsys_core::models::knn::{ItemKnnConfig, ItemKnnModel};
use recsys_core::models::mf::{MfConfig, MfModel};
use recsys_core::models::popularity::{PopularityConfig, PopularityModel};
use recsys_core::models::trending::TrendingModel;
use recsys_core::models::{recommend, History, ItemScorer, TopN};

/// Scoring a decoded model allocates one `f32` per item; larger claims are not worth the time.
const MAX_ITEMS_TO_SCORE: usize = 1 << 16;

const KINDS: [&str; 8] = [
    AlsModel::KIND,
    MfModel::KIND,
    ItemKnnModel::KIND,
    PopularityModel::KIND,
    TrendingModel::KIND,
    ContentModel::KIND,
    Dataset::KIND,
    IdMap::KIND,
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => read_every_kind(rest),
        1 => read_every_kind(&seal(KINDS[usize::from(mode / 3) % KINDS.len()], rest)),
        _ => train_round_trip_and_damage(rest),
    }
});

fn read_every_kind(bytes: &[u8]) {
    let _ = artifact::inspect(bytes);
    if let Ok(model) = AlsModel::from_bytes(bytes) {
        use_scorer(&model);
    }
    if let Ok(model) = MfModel::from_bytes(bytes) {
        use_scorer(&model);
        if !decode_only() {
            let _ = model.predict(0, 0);
        }
    }
    if let Ok(model) = ItemKnnModel::from_bytes(bytes) {
        use_scorer(&model);
        if !decode_only() {
            let _ = model.similar_items(0, 3);
        }
    }
    if let Ok(model) = PopularityModel::from_bytes(bytes) {
        use_scorer(&model);
    }
    if let Ok(model) = TrendingModel::from_bytes(bytes) {
        use_scorer(&model);
    }
    if let Ok(model) = ContentModel::from_bytes(bytes) {
        use_scorer(&model);
    }
    if let Ok(dataset) = Dataset::from_bytes(bytes) {
        if !decode_only() && dataset.events().len() <= MAX_ITEMS_TO_SCORE {
            let _ = dataset.interactions(&FeedbackPolicy::default());
            let _ = dataset.ratings();
            let _ = dataset.exclusions();
        }
    }
    if let Ok(ids) = IdMap::from_bytes(bytes) {
        let _ = ids.id_of(0);
        let _ = ids.index_of("a");
    }
}

fn decode_only() -> bool {
    static DECODE_ONLY: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *DECODE_ONLY.get_or_init(|| std::env::var_os("RECSYS_FUZZ_DECODE_ONLY").is_some())
}

fn use_scorer<M: ItemScorer>(model: &M) {
    if decode_only() {
        return;
    }
    let n_items = model.n_items();
    if n_items > MAX_ITEMS_TO_SCORE {
        return;
    }
    let items: Vec<u32> = (0..n_items.min(3) as u32).collect();
    let values = vec![1.0; items.len()];
    let history = History::new(&items, &values);
    let mut scores = vec![0.0; n_items];
    let _ = model.score_items(Some(0), history, &mut scores);
    let _ = model.score_items(None, history, &mut scores);
    let _ = recommend(model, Some(0), history, &TopN::new(5));
}

/// Wraps `payload` in a header with a correct checksum, following the layout documented in
/// `recsys_core::artifact` (written out here on purpose, so the fuzzer also checks the docs).
fn seal(kind: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.push(kind.len() as u8);
    out.extend_from_slice(kind.as_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&out[MAGIC.len()..]);
    crc.update(payload);
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Input layout: `[n_triplets, (user, item, value) * n_triplets, (offset_hi, offset_lo, xor) *]`.
fn train_round_trip_and_damage(input: &[u8]) {
    let Some((&count, rest)) = input.split_first() else {
        return;
    };
    let count = usize::from(count % 24);
    if rest.len() < count * 3 {
        return;
    }
    let (triplet_bytes, edit_bytes) = rest.split_at(count * 3);
    let triplets: Vec<(u32, u32, f32)> = triplet_bytes
        .chunks_exact(3)
        .map(|t| {
            (
                u32::from(t[0] % 6),
                u32::from(t[1] % 8),
                f32::from(t[2] as i8) / 16.0,
            )
        })
        .collect();
    let Ok(matrix) = Interactions::from_triplets(6, 8, &triplets) else {
        return;
    };
    let edits: Vec<(usize, u8)> = edit_bytes
        .chunks_exact(3)
        .map(|e| (usize::from(u16::from_be_bytes([e[0], e[1]])), e[2]))
        .collect();

    if let Ok(model) = PopularityConfig::new().fit(&matrix) {
        check_round_trip(&model, &edits);
    }
    if let Ok(model) = ItemKnnConfig::new().neighbors(3).fit(&matrix) {
        check_round_trip(&model, &edits);
    }
    if let Ok(model) = AlsConfig::new()
        .factors(2)
        .iterations(2)
        .seed(1)
        .fit(&matrix)
    {
        check_round_trip(&model, &edits);
    }
    let ratings: Vec<(u32, u32, f32)> = triplets
        .iter()
        .map(|&(u, i, v)| (u, i, 1.0 + v.abs().min(4.0)))
        .collect();
    if let Ok(model) = MfConfig::new().factors(2).epochs(2).fit(&ratings, 6, 8) {
        check_round_trip(&model, &edits);
    }
}

fn check_round_trip<M: Artifact + PartialEq + std::fmt::Debug>(model: &M, edits: &[(usize, u8)]) {
    let bytes = model.to_bytes().expect("a trained model encodes");
    let back = M::from_bytes(&bytes).expect("an intact artifact decodes");
    assert_eq!(&back, model, "round trip changed the model");
    assert_eq!(
        back.to_bytes().expect("re-encodes"),
        bytes,
        "encoding is not stable"
    );

    let mut damaged = bytes.clone();
    for &(offset, xor) in edits {
        let at = offset % damaged.len();
        damaged[at] ^= xor;
    }
    if damaged != bytes {
        // CRC-32 catches every burst of up to 32 bits; a wider scatter passing it would be
        // a 1 in 2^32 event, which a fuzzer finding it would want to know about too.
        assert!(
            M::from_bytes(&damaged).is_err(),
            "damaged artifact was accepted"
        );
    }
    if let Some(last) = edits.last() {
        let cut = last.0 % bytes.len();
        assert!(
            M::from_bytes(&bytes[..cut]).is_err(),
            "truncated artifact was accepted"
        );
    }
}
