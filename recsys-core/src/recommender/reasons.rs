//! Reasons for each recommended item, and the result rows that carry them.

use crate::explain::{self, CitedItem, ItemRef, Reason};
use crate::models::content;

use super::resolve::{Resolved, Stance};
use super::{
    Collaborative, Contribution, Query, Recommendation, Recommender, ScoreParts, ONBOARDING_TILT,
};

/// One scored item inside the engine, by dense index; [`Recommender::present`] turns it into
/// the [`Recommendation`] callers see.
pub(super) struct Row {
    pub(super) item: u32,
    pub(super) score: f32,
    pub(super) parts: ScoreParts,
    /// The blended score's decomposition, when the blend scored the item.
    pub(super) collaborative: Option<Decomposed>,
    pub(super) reasons: Vec<Reason>,
}

/// A blended item's score traced to the history (see `Recommender::decompose`):
/// `baseline + Σ parts + popularity` is the score.
pub(super) struct Decomposition {
    /// The part every item of its kind gets in this request (normalising shifts and fills).
    pub(super) baseline: f32,
    /// Each history item's part (all signals, weighted and normalised), zero parts left out.
    pub(super) parts: Vec<(u32, f32)>,
    /// The popularity part (with the long-tail penalties).
    pub(super) popularity: f32,
}

impl Decomposition {
    /// The score's positive mass: the positive history parts and a positive popularity part.
    /// A cited item's share is its part over this mass, so shares lie in `[0, 1]` and sum to
    /// at most 1.
    pub(super) fn positive_mass(&self) -> f32 {
        self.parts.iter().map(|p| p.1.max(0.0)).sum::<f32>() + self.popularity.max(0.0)
    }
}

/// The detail a blended row carries: the raw ALS score with its exact decomposition, and the
/// blended score's baseline and per-history-item parts.
pub(super) struct Decomposed {
    pub(super) raw: f32,
    pub(super) contributions: Vec<(u32, f32)>,
    pub(super) baseline: f32,
    pub(super) parts: Vec<(u32, f32)>,
}

impl Recommender {
    /// Reasons for a blended item, the largest part of its score first (at most two, and one
    /// citation of history items). The citation names the history items with the largest
    /// positive parts of the blended score (`decomposition`: ALS, item-kNN, EASE and content
    /// together) among those the user liked, watched or watchlisted, named as such, each with
    /// its share of the score's positive mass ([`Decomposition::positive_mass`]); its weight is
    /// the cited parts' sum. `best_content` is the item's largest content share among those
    /// items (`ContentModel::best_contributions`), weighted by `content_scale` (the content
    /// signal's weight times its normalising scale). [`Reason::WeakMatch`] when no part is
    /// positive.
    pub(super) fn personal_reasons(
        &self,
        item: u32,
        history: &Resolved,
        decomposition: &Decomposition,
        content_scale: f32,
        best_content: Option<&content::Contribution>,
        extra: &[Reason],
    ) -> Vec<Reason> {
        let mut candidates: Vec<(f32, Reason)> = Vec::new();
        if !self.is_warm(item) {
            candidates.push((f32::INFINITY, Reason::NewArrival));
        }
        if let Some(cited) = self.cite(item, history, decomposition) {
            candidates.push(cited);
        }
        if let Some(best) = best_content {
            let shared = explain::shared_people(&self.items, &self.catalog, item, best.item)
                .or_else(|| explain::shared_genres(&self.items, &self.catalog, item, best.item));
            if let Some(reason) = shared {
                candidates.push((content_scale * best.contribution, reason));
            }
        }
        // "Popular" only for items that are popular (a long-tail boost is no reason to cite).
        let popularity = decomposition.popularity;
        if popularity > 0.0 && self.popularity[item as usize] > 0.0 {
            candidates.push((popularity, Reason::Popular));
        }
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut reasons: Vec<Reason> = Vec::with_capacity(3);
        for (weight, reason) in candidates {
            if weight > 0.0 && reasons.len() < 2 {
                reasons.push(reason);
            }
        }
        reasons.extend(extra.iter().cloned());
        if reasons.is_empty() {
            reasons.push(Reason::WeakMatch);
        }
        reasons
    }

    /// The history items with the largest positive parts of `item`'s blended score that the
    /// user liked, watched or watchlisted (one kind per reason, the largest's; a second item
    /// only with at least half the first's part), each with its share of the score's positive
    /// mass, and the cited parts' sum.
    fn cite(
        &self,
        item: u32,
        history: &Resolved,
        decomposition: &Decomposition,
    ) -> Option<(f32, Reason)> {
        let mass = decomposition.positive_mass();
        let mut cited: Vec<(u32, f32, Stance)> = decomposition
            .parts
            .iter()
            .filter(|&&(j, part)| part > 0.0 && j != item)
            .map(|&(j, part)| (j, part, history.stance(j)))
            .filter(|c| c.2 != Stance::Other)
            .collect();
        cited.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let &(_, first, stance) = cited.first()?;
        if !(mass > 0.0 && mass.is_finite()) {
            return None;
        }
        let chosen: Vec<&(u32, f32, Stance)> = cited
            .iter()
            .filter(|c| c.2 == stance && c.1 >= 0.5 * first)
            .take(2)
            .collect();
        let weight = chosen.iter().map(|c| c.1).sum();
        let items: Vec<CitedItem> = chosen
            .iter()
            .map(|&&(j, part, _)| CitedItem::new(self.item_ref(j), (part / mass).clamp(0.0, 1.0)))
            .collect();
        let reason = match stance {
            Stance::Liked => Reason::BecauseYouLiked { items },
            Stance::Watched => Reason::BecauseYouWatched { items },
            Stance::Watchlisted | Stance::Other => Reason::OnYourWatchlist { items },
        };
        Some((weight, reason))
    }

    /// The reason a list built around `seed` gives, by what the history says of it: liked,
    /// watched, watchlisted, or else only "similar to".
    pub(super) fn seed_reason(&self, seed: u32, history: &Resolved) -> Reason {
        let items = vec![CitedItem::new(self.item_ref(seed), 1.0)];
        match history.stance(seed) {
            Stance::Liked => Reason::BecauseYouLiked { items },
            Stance::Watched => Reason::BecauseYouWatched { items },
            Stance::Watchlisted => Reason::OnYourWatchlist { items },
            Stance::Other => Reason::SimilarTo {
                item: self.item_ref(seed),
            },
        }
    }

    /// [`Reason::Popular`] for an item of above-average popularity, else [`Reason::WeakMatch`].
    pub(super) fn popular_reason(&self, item: u32) -> Reason {
        if self.popularity.get(item as usize).is_some_and(|&p| p > 0.0) {
            Reason::Popular
        } else {
            Reason::WeakMatch
        }
    }

    /// The trending reason with the window the trending scores used, overall or in `genre`.
    pub(super) fn trending_reason(&self, genre: Option<String>) -> Reason {
        let window_days = Some(self.trending.half_life_days() as f32);
        let until = Some(self.trending.now());
        match genre {
            Some(genre) => Reason::PopularIn {
                genre,
                window_days,
                until,
            },
            None => Reason::Trending { window_days, until },
        }
    }

    /// The reasons of an onboarding item, the largest part of its score first (at most two):
    /// each favourite it matches ([`Reason::YouLike`], its part the tilt its weight adds) and
    /// [`Reason::Popular`] for an item of above-average popularity; [`Reason::WeakMatch`] when
    /// neither holds.
    pub(super) fn favorite_reasons(&self, item: u32, history: &Resolved) -> Vec<Reason> {
        let favorites = &history.favorites;
        let total = favorites.total_weight();
        let mut candidates: Vec<(f32, Reason)> = Vec::new();
        if let (Some(info), true) = (self.catalog.item(item), total > 0.0) {
            for (at, genre) in favorites.genres.iter().enumerate() {
                if info.has_genre(genre) {
                    let part = ONBOARDING_TILT * favorites.genre_weight(at) / total;
                    candidates.push((
                        part,
                        Reason::YouLike {
                            name: genre.clone(),
                        },
                    ));
                }
            }
            for (at, (&person, name)) in favorites
                .people
                .iter()
                .zip(&history.favorite_names)
                .enumerate()
            {
                if info.credits.iter().any(|c| c.person == person) {
                    let part = ONBOARDING_TILT * favorites.person_weight(at) / total;
                    candidates.push((part, Reason::YouLike { name: name.clone() }));
                }
            }
        }
        let popularity = self.popularity.get(item as usize).copied().unwrap_or(0.0);
        candidates.push((popularity, Reason::Popular));
        // Stable: equal parts keep genres before people, in the order given.
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
        let reasons: Vec<Reason> = candidates
            .into_iter()
            .filter(|c| c.0 > 0.0)
            .take(2)
            .map(|c| c.1)
            .collect();
        if reasons.is_empty() {
            vec![Reason::WeakMatch]
        } else {
            reasons
        }
    }

    /// The reference results use for a dense item index.
    pub(super) fn item_ref(&self, item: u32) -> ItemRef {
        ItemRef::of(&self.items, &self.catalog, item)
    }

    /// The engine's rows as results: external ids and titles, the sentence and the
    /// collaborative detail only when the query asks for them.
    pub(super) fn present(&self, rows: Vec<Row>, query: &Query) -> Vec<Recommendation> {
        rows.into_iter()
            .map(|row| {
                let ItemRef {
                    item_id,
                    title,
                    year,
                } = self.item_ref(row.item);
                let by_id = |parts: Vec<(u32, f32)>| -> Vec<Contribution> {
                    parts
                        .into_iter()
                        .map(|(j, value)| Contribution {
                            item_id: self.items.id_of(j).unwrap_or_default().to_string(),
                            value,
                        })
                        .collect()
                };
                let collaborative = match row.collaborative {
                    Some(d) if query.detail => Some(Collaborative {
                        score: d.raw,
                        contributions: by_id(d.contributions),
                        baseline: d.baseline,
                        parts: by_id(d.parts),
                    }),
                    _ => None,
                };
                Recommendation {
                    item_id,
                    title,
                    year,
                    score: row.score,
                    parts: row.parts,
                    explanation: query.explain.then(|| explain::render(&row.reasons)),
                    reasons: row.reasons,
                    collaborative,
                }
            })
            .collect()
    }
}
