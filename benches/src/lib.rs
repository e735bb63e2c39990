//! Fixtures shared by the benchmarks: deterministic synthetic implicit-feedback data.
//!
//! ```
//! let m = recsys_benches::synthetic_interactions(100, 50, 1_000, 1);
//! assert_eq!((m.n_users(), m.n_items()), (100, 50));
//! // Duplicate draws are summed into one entry, so there are fewer entries than draws.
//! assert!(m.nnz() > 200 && m.nnz() <= 1_000 + 100);
//! assert!((0..100).all(|u| !m.row(u).0.is_empty()));
//! ```

use recsys_core::data::Interactions;

/// Topics of the planted low-rank structure.
const TOPICS: usize = 16;

/// A small SplitMix64 so the fixtures need no extra crate.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn random_topic(rng: &mut Rng) -> usize {
    (rng.next_u64() % TOPICS as u64) as usize
}

/// Items grouped by topic, each topic's cumulative Zipf-like popularity (item `i` weighs
/// `(1 + i)^-0.9`), for the topic-biased draws of both generators.
struct Topics {
    items: Vec<Vec<u32>>,
    cumulative: Vec<Vec<f64>>,
}

impl Topics {
    fn new(item_topic: &[usize]) -> Self {
        let mut items: Vec<Vec<u32>> = vec![Vec::new(); TOPICS];
        let mut cumulative: Vec<Vec<f64>> = vec![Vec::new(); TOPICS];
        for (item, &topic) in item_topic.iter().enumerate() {
            let weight = (1.0 + item as f64).powf(-0.9);
            let total = cumulative[topic].last().copied().unwrap_or(0.0) + weight;
            items[topic].push(item as u32);
            cumulative[topic].push(total);
        }
        Self { items, cumulative }
    }

    /// One item by popularity within a topic: one of the user's two `favourite` topics 85% of
    /// the time, any topic otherwise; `None` when that topic has no items.
    fn draw(&self, rng: &mut Rng, favourite: [usize; 2]) -> Option<u32> {
        let topic = if rng.unit() < 0.85 {
            favourite[(rng.next_u64() & 1) as usize]
        } else {
            random_topic(rng)
        };
        let cumulative = &self.cumulative[topic];
        let total = *cumulative.last()?;
        let target = rng.unit() * total;
        let position = cumulative
            .partition_point(|&c| c < target)
            .min(cumulative.len() - 1);
        Some(self.items[topic][position])
    }
}

/// About `target_nnz` interactions between `users` and `items`, shaped like implicit feedback:
/// Zipf-like item popularity (exponent 0.9), skewed user activity, and a planted rank-16
/// structure (each item belongs to one topic, each user mostly draws from two topics).
/// Values are repeat counts (duplicates summed), so most are 1.
pub fn synthetic_interactions(
    users: usize,
    items: usize,
    target_nnz: usize,
    seed: u64,
) -> Interactions {
    let mut rng = Rng(seed);
    let item_topic: Vec<usize> = (0..items).map(|_| random_topic(&mut rng)).collect();
    let topics = Topics::new(&item_topic);
    let mean_draws = target_nnz as f64 / users as f64;
    let mut triplets = Vec::with_capacity(target_nnz + users);
    for user in 0..users {
        let favourite = [random_topic(&mut rng), random_topic(&mut rng)];
        // Activity: a heavy-tailed multiple of the mean (mean ≈ 1).
        let activity = -rng.unit().max(1e-12).ln();
        let draws = ((activity * mean_draws).round() as usize).clamp(1, items / 2);
        for _ in 0..draws {
            let Some(item) = topics.draw(&mut rng, favourite) else {
                continue;
            };
            triplets.push((user as u32, item, 1.0));
        }
    }
    Interactions::from_triplets(users, items, &triplets)
        .expect("generated triplets lie within the requested shape")
}

/// About `target` distinct `(user, item, stars, timestamp)` ratings between `users` and
/// `items`, for timing a whole recommender fit: the draws of [`synthetic_interactions`]
/// (Zipf-like popularity, skewed activity, two favourite topics per user), deduplicated, each
/// rated 1–5 stars from a user bias, an item bias, a bonus for the user's favourite topics and
/// noise. Timestamps increase with the draw.
///
/// ```
/// let ratings = recsys_benches::synthetic_ratings(1_000, 500, 1_000, 1);
/// // Repeated draws of a popular pair count once.
/// assert!(ratings.len() > 500 && ratings.len() <= 1_000, "{}", ratings.len());
/// assert!(ratings.iter().all(|r| (1.0..=5.0).contains(&r.2) && r.2.fract() == 0.0));
/// let mut pairs: Vec<_> = ratings.iter().map(|r| (r.0, r.1)).collect();
/// pairs.sort_unstable();
/// pairs.dedup();
/// assert_eq!(pairs.len(), ratings.len());
/// ```
pub fn synthetic_ratings(
    users: usize,
    items: usize,
    target: usize,
    seed: u64,
) -> Vec<(u32, u32, f32, i64)> {
    let mut rng = Rng(seed);
    let item_topic: Vec<usize> = (0..items).map(|_| random_topic(&mut rng)).collect();
    let item_bias: Vec<f64> = (0..items).map(|_| rng.unit() - 0.5).collect();
    let topics = Topics::new(&item_topic);
    // 10% more draws than wanted: duplicates are dropped.
    let mean_draws = 1.1 * target as f64 / users as f64;
    let mut ratings = Vec::with_capacity(target + target / 5);
    let mut seen = std::collections::HashSet::new();
    let mut clock = 0i64;
    for user in 0..users {
        let favourite = [random_topic(&mut rng), random_topic(&mut rng)];
        let user_bias = rng.unit() - 0.5;
        let activity = -rng.unit().max(1e-12).ln();
        let draws = ((activity * mean_draws).round() as usize).clamp(1, items / 2);
        seen.clear();
        for _ in 0..draws {
            let Some(item) = topics.draw(&mut rng, favourite) else {
                continue;
            };
            let noise = rng.unit() + rng.unit() - 1.0;
            if !seen.insert(item) {
                continue;
            }
            let taste = if favourite.contains(&item_topic[item as usize]) {
                0.7
            } else {
                -0.7
            };
            let stars = (3.4 + user_bias + item_bias[item as usize] + taste + noise)
                .round()
                .clamp(1.0, 5.0);
            clock += 1;
            ratings.push((user as u32, item, stars as f32, clock));
        }
    }
    ratings.truncate(target);
    ratings
}
