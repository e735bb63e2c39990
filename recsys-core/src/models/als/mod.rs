//! Implicit-feedback alternating least squares (Hu, Koren & Volinsky 2008).
//!
//! The model factorises the signed-confidence matrix of [`Interactions`](crate::data::Interactions): for an entry `v`,
//! `v > 0` means preference 1 with confidence `alpha·v`, `v < 0` preference 0 with confidence
//! `alpha·|v|`; absent entries are preference 0 with confidence 1. This is the convention and
//! the objective of the `implicit` library's `AlternatingLeastSquares`, so hyper-parameters carry
//! over:
//!
//! ```text
//! min  Σ_{u,i} c_ui (p_ui − x_uᵀ y_i)² + λ (Σ_u |x_u|² + Σ_i |y_i|²)
//! ```
//!
//! Each half-sweep solves, for every user `u` (then every item, symmetrically),
//! `(YᵀY + λI + Σ_j (c_uj − 1) y_j y_jᵀ) x_u = Σ_{v_uj > 0} c_uj y_j`, either with a few
//! warm-started conjugate-gradient steps ([`Solver::ConjugateGradient`], the default, as in
//! `implicit`) or exactly ([`Solver::Cholesky`]).
//!
//! ## Layout
//! `config.rs` (hyper-parameters, [`Parallelism`] and the training loop), `model.rs` (the
//! trained [`AlsModel`], serialisation, partial fits, top-N), `fold_in.rs` (the one exact solve
//! of a row's normal equations: [`FoldIn`], `recalculate_user`, `explain`), `queries.rs`
//! (similarity, filtered batches, loss, models from given factors), `solve.rs` (half-sweeps),
//! `score.rs` (batch top-N and cosines), `kernels.rs` (the conjugate-gradient lane kernels).
//!
//! ## How it is fast
//! - **Half-sweeps** (`solve.rs`): rows are solved independently in fixed chunks (rayon with the
//!   `parallel` feature), each reading only the fixed side and its own previous value, so the
//!   model does not depend on the thread count. `YᵀY + λI` is one faer product per half-sweep
//!   (fixed row blocks, summed in order). The CG inner loops are fixed-width lane loops
//!   (`kernels.rs`) compiled for AVX2 at run time through `pulp`'s dispatcher, with `k = 32,
//!   64, 128` specialised; scratch is per chunk, never per row.
//! - **Unit confidences are free**: an entry with `c = 1` adds nothing to `A_u`, so CG skips its
//!   `(c − 1)·(y·p)·y` work (most implicit data is mostly ones).
//! - **Real confidences as blocked kernels**: a row's fixed factors with `c ≠ 1` are copied once
//!   per half-sweep into a contiguous block, and every CG product `Σ (c − 1)(y·p)·y` is one
//!   pass over it four rows at a time (a blocked `Y p`, then `Yᵀ(w ∘ Y p)` while the rows are in
//!   L1), so play counts, ratings and log-scaled counts cost little more than binary data.
//! - **Memory layout** (`layout.rs`, `buffer.rs`): a half-sweep reads one fixed row per
//!   interaction, at random, and those reads (TLB and cache misses), not the arithmetic, bound
//!   it. The fit relabels users and items by decreasing count, so the rows read most share a
//!   few pages, and keeps the factors in 2 MiB-aligned buffers advised to use transparent huge
//!   pages on Linux (as numpy does for `implicit`). Factors come back in the caller's order.
//! - **Streaming `b`**: when the fixed side is the larger matrix (the item half-sweep, users
//!   fixed), `b = Σ c·y` for all rows is built in one in-order pass over the fixed factors
//!   instead of random gathers that miss the cache.
//! - **Batch top-N** (`score.rs`): scores are computed tile by tile (users × items, faer) into an
//!   L2-sized buffer and fed straight to per-user heaps, never materialising the score matrix.
//!   Items are visited by decreasing norm and a user stops as soon as `|x_u|·max|y|` over the
//!   remaining items cannot beat its n-th best score (exact pruning by Cauchy–Schwarz).
//!
//! ```
//! use recsys_core::data::Interactions;
//! use recsys_core::models::als::{AlsConfig, Solver};
//! use recsys_core::models::{History, TopN};
//!
//! // Two groups of users who each like three of six items.
//! let mut triplets = Vec::new();
//! for user in 0..6u32 {
//!     let group = user % 2;
//!     for item in 0..3u32 {
//!         if (user + item) % 3 != 0 {
//!             triplets.push((user, group * 3 + item, 1.0));
//!         }
//!     }
//! }
//! let matrix = Interactions::from_triplets(6, 6, &triplets).unwrap();
//! let model = AlsConfig::new()
//!     .factors(4)
//!     .regularization(0.1)
//!     .solver(Solver::Cholesky)
//!     .fit(&matrix)
//!     .unwrap();
//! // User 0 (group 0) has not seen item 0; it is their best unseen item.
//! let (items, values) = matrix.row(0);
//! let recs = model.recommend(Some(0), History::new(items, values), &TopN::new(1)).unwrap();
//! assert_eq!(recs[0].item, 0);
//! ```
mod buffer;
mod config;
mod fold_in;
pub(crate) mod kernels;
mod layout;
mod model;
mod queries;
mod score;
mod solve;

pub use crate::par::Parallelism;
pub use config::{AlsConfig, AlsProgress, Solver};
pub use fold_in::{item_gram, Explanation, FoldIn, UserWeights};
pub use model::AlsModel;
pub use queries::Side;

use config::{check_confidences, MAX_FACTORS};
use model::row_of;

#[cfg(test)]
mod tests;
