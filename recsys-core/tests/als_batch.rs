//! Batch recommendation (norm-ordered, pruned, fused with scoring) must return exactly what a
//! full per-user scan returns, on data shaped like real implicit feedback (power-law items).

use recsys_core::data::Interactions;
use recsys_core::models::als::AlsConfig;
use recsys_core::models::{History, TopN};

/// Deterministic power-law interactions: item popularity ∝ 1/(rank+1), a few users heavy.
fn power_law(users: u32, items: u32, seed: u64) -> Interactions {
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    let harmonic: f64 = (1..=items).map(|r| 1.0 / f64::from(r)).sum();
    let mut triplets = Vec::new();
    for u in 0..users {
        let count = 1 + (next() * next() * 40.0) as u32;
        for _ in 0..count {
            // Inverse CDF of the 1/r law, approximately: r = exp(U · ln(items)).
            let rank = ((next() * harmonic).exp().min(f64::from(items)) as u32).saturating_sub(1);
            let item = (rank.wrapping_mul(2654435761) ^ (u.wrapping_mul(97) % 3)) % items;
            let value = 1.0 + (next() * 3.0).floor() as f32;
            triplets.push((u, item, value));
        }
    }
    Interactions::from_triplets(users as usize, items as usize, &triplets).unwrap()
}

#[test]
fn pruned_batch_equals_full_scan() {
    let matrix = power_law(2500, 3000, 7);
    let model = AlsConfig::new()
        .factors(16)
        .iterations(6)
        .alpha(2.0)
        .fit(&matrix)
        .unwrap();
    let users: Vec<u32> = (0..2500).collect();
    for exclude_seen in [true, false] {
        let batch = model
            .recommend_batch(&users, &matrix, 10, exclude_seen)
            .unwrap();
        for &u in &users {
            let (items, values) = matrix.row(u as usize);
            let mut query = TopN::new(10);
            query.exclude_seen = exclude_seen;
            let full = model
                .recommend(Some(u), History::new(items, values), &query)
                .unwrap();
            let got = &batch[u as usize];
            assert_eq!(got.len(), full.len(), "user {u}");
            for (a, b) in got.iter().zip(&full) {
                assert!(
                    (a.score - b.score).abs() <= 1e-4 * (1.0 + b.score.abs()),
                    "user {u}: {got:?} vs {full:?}"
                );
                if a.item != b.item {
                    // Only a (near-)tie may swap two items.
                    let other = full.iter().find(|s| s.item == a.item);
                    assert!(other.is_some(), "user {u}: {got:?} vs {full:?}");
                }
            }
        }
    }
}

#[test]
fn batch_handles_more_requested_than_available() {
    let matrix = power_law(50, 12, 3);
    let model = AlsConfig::new()
        .factors(4)
        .iterations(3)
        .fit(&matrix)
        .unwrap();
    let users: Vec<u32> = (0..50).collect();
    let batch = model.recommend_batch(&users, &matrix, 40, true).unwrap();
    for (u, recs) in batch.iter().enumerate() {
        let seen = matrix.row(u).0.len();
        assert_eq!(recs.len(), 12 - seen);
        assert!(recs.windows(2).all(|w| w[0].score >= w[1].score));
    }
}
