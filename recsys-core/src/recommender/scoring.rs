//! Scoring of every list: For You (the blend), fixed-score lists and similar items.

use crate::explain::{self, Reason};
use crate::linalg::{dot_f32, dot_rows};
use crate::models::als::FoldIn;
use crate::models::ease::EaseInput;
use crate::models::trending::PopularityKind;
use crate::models::{History, ItemScorer};
use crate::topk::{Scored, TopK};
use crate::Result;

use super::blend::{z_score, z_score_by};
use super::diversity;
use super::filters::Mask;
use super::onboarding::PseudoHistory;
use super::reasons::{Decomposed, Decomposition, Row};
use super::resolve::{Resolved, Stance};
use super::{pool_size, Recommender, ScoreParts, ONBOARDING_TILT, SIMILAR_CONTENT_WEIGHT};
/// What a blended score is made of, for [`Recommender::decompose`]: the weights of the ALS,
/// item-kNN, EASE and content signals, the `(mean, scale)` each was normalised with, and the
/// fill of items a signal cannot score.
struct Signals {
    weights: [f32; 4],
    stats: [(f32, f32); 4],
    fill: f32,
}

impl Recommender {
    /// For You: the blended score, or popularity for a history without positive evidence.
    pub(super) fn for_you(
        &self,
        history: &Resolved,
        mask: &Mask,
        n: usize,
        diversity: f32,
        extra: Option<Reason>,
    ) -> Result<Vec<Row>> {
        let extra: Vec<Reason> = extra.into_iter().collect();
        if history.liked == 0 {
            let favorites = &history.favorites;
            if let Some(pseudo) = self.pseudo_history(history) {
                return self.blended(&pseudo.history, mask, n, diversity, &extra, Some(&pseudo));
            }
            if favorites.total_weight() > 0.0 {
                // Popularity tilted by the weighted share of the favourites each item matches.
                let mut scores = self.trending.onboarding_scores(
                    &self.catalog,
                    favorites,
                    PopularityKind::AllTime,
                    0.0,
                )?;
                for (score, &popularity) in scores.iter_mut().zip(&self.popularity) {
                    *score = popularity + ONBOARDING_TILT * *score;
                }
                let reasons = |item| {
                    let mut reasons = self.favorite_reasons(item, history);
                    reasons.extend(extra.iter().cloned());
                    reasons
                };
                return Ok(self.ranked(&scores, mask, n, diversity, reasons));
            }
            let scores = self.trending.scores(PopularityKind::AllTime);
            let reasons = |item| {
                let mut reasons = extra.clone();
                reasons.push(self.popular_reason(item));
                reasons
            };
            return Ok(self.ranked(scores, mask, n, diversity, reasons));
        }
        self.blended(history, mask, n, diversity, &extra, None)
    }

    /// The blended list of a history with positive evidence (`pseudo`: a visitor's
    /// pseudo-history, whose reasons name favourites instead of history items).
    fn blended(
        &self,
        history: &Resolved,
        mask: &Mask,
        n: usize,
        diversity: f32,
        extra: &[Reason],
        pseudo: Option<&PseudoHistory>,
    ) -> Result<Vec<Row>> {
        let n_items = self.items.len();
        let rows = History::new(&history.items, &history.values);
        let fold = FoldIn::with_gram(&self.als, &self.gram, rows)?;
        let (mut popularity_sum, mut positives) = (0.0f32, 0usize);
        for (&item, &value) in history.items.iter().zip(&history.values) {
            if value > 0.0 {
                popularity_sum += self.popularity[item as usize];
                positives += 1;
            }
        }
        let history_popularity = popularity_sum / positives.max(1) as f32;
        let weights = self.blend.weights(history.liked, history_popularity);
        let (w_cf, w_content, w_pop) = (weights.collaborative, weights.content, weights.popularity);
        let w_knn = if self.knn.is_some() {
            weights.item_knn
        } else {
            0.0
        };
        let w_ease = if self.ease.is_some() {
            weights.ease
        } else {
            0.0
        };
        // One buffer: [collaborative | item-kNN | EASE | content | blended].
        let mut buffer = vec![0.0f32; 5 * n_items];
        let (cf, rest) = buffer.split_at_mut(n_items);
        let (knn, rest) = rest.split_at_mut(n_items);
        let (ease, rest) = rest.split_at_mut(n_items);
        let (content, blended) = rest.split_at_mut(n_items);
        let x = fold.user_vector();
        let k = self.als.factors();
        dot_rows(self.als.item_factor_rows(), k, x, cf);
        for (item, y) in self.cold.iter(k) {
            cf[item as usize] = dot_f32(y, x);
        }
        let raw_cf = cf.to_vec();
        let warm = |i: usize| self.interaction_counts[i] > 0;
        // Cold items with estimated factors are scaled like the warm ones (which alone set the
        // mean and spread); the others get the fill.
        let estimated = |i: usize| warm(i) || self.cold.vector(i as u32, k).is_some();
        let cf_z = z_score_by(cf, warm, estimated, self.blend.cold_item_score);
        // Co-occurrence counts what the user watched: a low rating still says "this kind
        // of film" (validation nDCG 0.1819 against 0.1762 with signed weights); only an
        // explicit dislike or not-interested says nothing.
        let watched: Vec<f32> = history
            .items
            .iter()
            .zip(&history.values)
            .map(|(item, &v)| {
                if history.disliked.contains(item) {
                    0.0
                } else {
                    v.abs()
                }
            })
            .collect();
        // `(mean, scale)` of each normalised signal (zero when it is not computed).
        let (mut knn_z, mut ease_z, mut content_z) = ((0.0, 0.0), (0.0, 0.0), (0.0, 0.0));
        if let (Some(model), true) = (&self.knn, w_knn > 0.0) {
            model.score_items(None, History::new(&history.items, &watched), knn)?;
            knn_z = z_score(knn, warm, self.blend.cold_item_score);
            // Co-occurrence knows nothing of a cold item: its collaborative estimate stands in.
            for (item, _) in self.cold.iter(k) {
                knn[item as usize] = cf[item as usize];
            }
        }
        if let (Some(model), true) = (&self.ease, w_ease > 0.0) {
            // `x·B` of the history as EASE was fitted (watched, or signed confidences);
            // unmodelled items get the fill.
            let x = match model.config().get_input() {
                EaseInput::Binary => History::new(&history.items, &watched),
                EaseInput::Values => rows,
            };
            model.score_items(None, x, ease)?;
            ease_z = z_score(
                ease,
                |i| warm(i) && model.is_modelled(i as u32),
                self.blend.cold_item_score,
            );
            for (item, _) in self.cold.iter(k) {
                ease[item as usize] = cf[item as usize];
            }
        }
        if w_content > 0.0 {
            self.content.score_items(None, rows, content)?;
            let features = self.content.features();
            content_z = z_score(content, |i| features.has_content(i as u32), 0.0);
        }
        let pool = pool_size(n, diversity).max(self.blend.pool);
        let mut top = TopK::new(pool);
        for i in 0..n_items {
            let score = w_cf * cf[i]
                + w_knn * knn[i]
                + w_ease * ease[i]
                + w_content * content[i]
                + w_pop * self.popularity[i];
            blended[i] = score;
            if mask.allowed[i] {
                top.push(i as u32, score);
            }
        }
        // Long-tail re-ranking within the user's own candidates.
        let w_pop_final = w_pop - weights.penalty;
        let mut candidates = top.into_sorted_vec();
        for s in &mut candidates {
            let i = s.item as usize;
            // No boost for cold items: being unseen says nothing about fitting the user.
            if warm(i) {
                blended[i] += (w_pop_final - w_pop) * self.popularity[i]
                    - weights.exposure * self.exposure[i];
            }
            s.score = blended[i];
        }
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item)));
        candidates.truncate(pool_size(n, diversity));
        let chosen = self.diversify(candidates, n, diversity);
        // Decompositions and content shares for the returned items only, each batch at once.
        let chosen_items: Vec<u32> = chosen.iter().map(|s| s.item).collect();
        let vectors = chosen_items
            .iter()
            .map(|&item| match self.cold.vector(item, k) {
                Some(y) => Ok(y),
                None => self.als.item_vector(item),
            })
            .collect::<Result<Vec<&[f32]>>>()?;
        let decompositions = fold.contributions_of_many(&self.als, &vectors)?;
        // Content reasons cite only items the user liked, watched or watchlisted.
        let citable = |j: u32| {
            history
                .items
                .binary_search(&j)
                .is_ok_and(|at| history.values[at] > 0.0)
                && history.stance(j) != Stance::Other
        };
        let best_content = self
            .content
            .best_contributions(rows, &chosen_items, citable)?;
        chosen
            .into_iter()
            .zip(decompositions)
            .zip(best_content)
            .map(|((s, contributions), best_content)| {
                let i = s.item as usize;
                let parts = ScoreParts {
                    collaborative: w_cf * cf[i] + w_knn * knn[i] + w_ease * ease[i],
                    content: w_content * content[i],
                    popularity: if warm(i) {
                        w_pop_final * self.popularity[i] - weights.exposure * self.exposure[i]
                    } else {
                        w_pop * self.popularity[i]
                    },
                };
                let contributions: Vec<(u32, f32)> = contributions
                    .into_iter()
                    .map(|(j, c)| (j, c as f32))
                    .collect();
                let signals = Signals {
                    weights: [w_cf, w_knn, w_ease, w_content],
                    stats: [cf_z, knn_z, ease_z, content_z],
                    fill: self.blend.cold_item_score,
                };
                let decomposition = self.decompose(
                    s.item,
                    history,
                    &watched,
                    &signals,
                    &contributions,
                    parts.popularity,
                )?;
                let reasons = match pseudo {
                    Some(pseudo) => self.pseudo_reasons(s.item, pseudo, &decomposition, extra),
                    None => self.personal_reasons(
                        s.item,
                        history,
                        &decomposition,
                        w_content * content_z.1,
                        best_content.as_ref(),
                        extra,
                    ),
                };
                Ok(Row {
                    item: s.item,
                    score: blended[i],
                    parts,
                    collaborative: Some(Decomposed {
                        raw: raw_cf[i],
                        contributions,
                        baseline: decomposition.baseline,
                        parts: decomposition.parts,
                    }),
                    reasons,
                })
            })
            .collect()
    }

    /// `item`'s blended score traced to the history: each history item's part (its exact
    /// contributions to the ALS, item-kNN, EASE and content scores, each times the signal's
    /// weight and normalising scale), the request's baseline (the normalising shifts and fills
    /// every item of its kind gets) and the popularity part; they sum to the score.
    fn decompose(
        &self,
        item: u32,
        history: &Resolved,
        watched: &[f32],
        signals: &Signals,
        als: &[(u32, f32)],
        popularity: f32,
    ) -> Result<Decomposition> {
        let i = item as usize;
        let [w_cf, w_knn, w_ease, w_content] = signals.weights.map(f64::from);
        let [cf_z, knn_z, ease_z, content_z] = signals
            .stats
            .map(|(mean, scale)| (f64::from(mean), f64::from(scale)));
        let fill = f64::from(signals.fill);
        let mut parts = vec![0.0f64; history.items.len()];
        let mut add = |contributions: &mut dyn Iterator<Item = (u32, f32)>, coefficient: f64| {
            for (j, c) in contributions {
                if let Ok(at) = history.items.binary_search(&j) {
                    parts[at] += coefficient * f64::from(c);
                }
            }
        };
        let mut baseline = 0.0f64;
        let watched_history = History::new(&history.items, watched);
        if self.interaction_counts[i] > 0 {
            baseline -= w_cf * cf_z.1 * cf_z.0;
            add(&mut als.iter().copied(), w_cf * cf_z.1);
            if let (Some(model), true) = (&self.knn, w_knn > 0.0) {
                baseline -= w_knn * knn_z.1 * knn_z.0;
                let contributions = model.contributions(item, watched_history)?;
                add(&mut contributions.into_iter(), w_knn * knn_z.1);
            }
            if let (Some(model), true) = (&self.ease, w_ease > 0.0) {
                if model.is_modelled(item) {
                    baseline -= w_ease * ease_z.1 * ease_z.0;
                    let x = match model.config().get_input() {
                        EaseInput::Binary => watched_history,
                        EaseInput::Values => History::new(&history.items, &history.values),
                    };
                    add(
                        &mut model.contributions(item, x).into_iter(),
                        w_ease * ease_z.1,
                    );
                } else {
                    baseline += w_ease * fill;
                }
            }
        } else {
            // A cold item's item-kNN and EASE scores are its collaborative one.
            let weight = w_cf + w_knn + w_ease;
            if self.cold.vector(item, self.als.factors()).is_some() {
                baseline -= weight * cf_z.1 * cf_z.0;
                add(&mut als.iter().copied(), weight * cf_z.1);
            } else {
                baseline += weight * fill;
            }
        }
        if w_content > 0.0 && self.content.features().has_content(item) {
            baseline -= w_content * content_z.1 * content_z.0;
            let rows = History::new(&history.items, &history.values);
            add(
                &mut self.content.parts(rows, item)?.into_iter(),
                w_content * content_z.1,
            );
        }
        Ok(Decomposition {
            baseline: baseline as f32,
            parts: history
                .items
                .iter()
                .zip(parts)
                .filter(|p| p.1 != 0.0)
                .map(|(&j, part)| (j, part as f32))
                .collect(),
            popularity,
        })
    }

    /// A list ranked by fixed scores (popularity, trending, onboarding), with each item's
    /// reasons from `reasons`.
    pub(super) fn ranked(
        &self,
        scores: &[f32],
        mask: &Mask,
        n: usize,
        diversity: f32,
        reasons: impl Fn(u32) -> Vec<Reason>,
    ) -> Vec<Row> {
        let mut top = TopK::new(pool_size(n, diversity));
        for (i, &score) in scores.iter().enumerate() {
            if mask.allowed[i] {
                top.push(i as u32, score);
            }
        }
        self.diversify(top.into_sorted_vec(), n, diversity)
            .into_iter()
            .map(|s| {
                let reasons = reasons(s.item);
                self.fixed_score_row(s, reasons)
            })
            .collect()
    }

    /// Items like `seed`: ALS cosine plus content similarity (content alone for cold items),
    /// each with `seed_reason` first.
    pub(super) fn similar(
        &self,
        seed: u32,
        mask: &Mask,
        n: usize,
        diversity: f32,
        seed_reason: Reason,
    ) -> Vec<Row> {
        let k = self.als.factors();
        let n_items = self.items.len();
        let mut scores = vec![0.0f32; n_items];
        let seed_vector = &self.unit_factors[seed as usize * k..(seed as usize + 1) * k];
        dot_rows(&self.unit_factors, k, seed_vector, &mut scores);
        if let Ok((items, similarities)) = self.neighbors.neighbors(seed) {
            for (&i, &similarity) in items.iter().zip(similarities) {
                scores[i as usize] += SIMILAR_CONTENT_WEIGHT * similarity;
            }
        }
        let mut top = TopK::new(pool_size(n, diversity));
        for (i, &score) in scores.iter().enumerate() {
            if mask.allowed[i] && score > 0.0 {
                top.push(i as u32, score);
            }
        }
        self.diversify(top.into_sorted_vec(), n, diversity)
            .into_iter()
            .map(|s| {
                let mut reasons = vec![seed_reason.clone()];
                reasons.extend(
                    explain::shared_people(&self.items, &self.catalog, s.item, seed).or_else(
                        || explain::shared_genres(&self.items, &self.catalog, s.item, seed),
                    ),
                );
                self.fixed_score_row(s, reasons)
            })
            .collect()
    }

    pub(super) fn diversify(&self, pool: Vec<Scored>, n: usize, diversity: f32) -> Vec<Scored> {
        let k = self.als.factors();
        diversity::mmr(&pool, n, diversity, |a, b| {
            let (a, b) = (a as usize * k, b as usize * k);
            let (ra, rb) = (&self.unit_factors[a..a + k], &self.unit_factors[b..b + k]);
            dot_f32(ra, rb)
        })
    }

    /// A row of a list ranked by one score (no blend parts): its reasons, plus "new" for an
    /// item without interactions.
    fn fixed_score_row(&self, scored: Scored, mut reasons: Vec<Reason>) -> Row {
        if !self.is_warm(scored.item) {
            reasons.push(Reason::NewArrival);
        }
        Row {
            item: scored.item,
            score: scored.score,
            parts: ScoreParts::default(),
            collaborative: None,
            reasons,
        }
    }
}
