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
    /// The raw ALS score and its per-history-item decomposition, when ALS took part.
    pub(super) collaborative: Option<(f32, Vec<(u32, f32)>)>,
    pub(super) reasons: Vec<Reason>,
}

impl Recommender {
    /// Reasons for a blended item, the largest positive score part first (at most two, and one
    /// citation of history items): `signals` are the collaborative signals (ALS, item-kNN) as
    /// `(weighted part of the score, per-history-item contributions)`; the larger part is the
    /// one whose history items are cited, and only items the user liked, watched or
    /// watchlisted, named as such. `best_content` is the item's largest content share among
    /// those items (`ContentModel::best_contributions`). [`Reason::WeakMatch`] when no part is
    /// positive.
    pub(super) fn personal_reasons(
        &self,
        item: u32,
        history: &Resolved,
        signals: &[(f32, &[(u32, f32)])],
        parts: &ScoreParts,
        best_content: Option<&content::Contribution>,
        extra: &[Reason],
    ) -> Vec<Reason> {
        let mut candidates: Vec<(f32, Reason)> = Vec::new();
        if !self.is_warm(item) {
            candidates.push((f32::INFINITY, Reason::NewArrival));
        }
        for &(part, contributions) in signals {
            if let Some(reason) = self.cite(item, history, contributions) {
                candidates.push((part, reason));
            }
        }
        if let Some(best) = best_content {
            let shared = explain::shared_people(&self.items, &self.catalog, item, best.item)
                .or_else(|| explain::shared_genres(&self.items, &self.catalog, item, best.item));
            if let Some(reason) = shared {
                candidates.push((parts.content, reason));
            }
        }
        // "Popular" only for items that are popular (a long-tail boost is no reason to cite).
        if parts.popularity > 0.0 && self.popularity[item as usize] > 0.0 {
            candidates.push((parts.popularity, Reason::Popular));
        }
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut reasons: Vec<Reason> = Vec::with_capacity(3);
        let mut cites_history = false;
        for (weight, reason) in candidates {
            let citation = matches!(
                reason,
                Reason::BecauseYouLiked { .. }
                    | Reason::BecauseYouWatched { .. }
                    | Reason::OnYourWatchlist { .. }
            );
            if weight > 0.0 && reasons.len() < 2 && !(citation && cites_history) {
                cites_history |= citation;
                reasons.push(reason);
            }
        }
        reasons.extend(extra.iter().cloned());
        if reasons.is_empty() {
            reasons.push(Reason::WeakMatch);
        }
        reasons
    }

    /// The history items with the largest positive `contributions` to `item` that the user
    /// liked, watched or watchlisted (one kind per reason, the largest's), each with its
    /// fraction of the signal's positive contributions.
    fn cite(&self, item: u32, history: &Resolved, contributions: &[(u32, f32)]) -> Option<Reason> {
        let total: f32 = contributions
            .iter()
            .filter(|&&(j, c)| c > 0.0 && j != item)
            .map(|c| c.1)
            .sum();
        let mut cited: Vec<(u32, f32, Stance)> = contributions
            .iter()
            .filter(|&&(j, c)| c > 0.0 && j != item)
            .map(|&(j, c)| (j, c, history.stance(j)))
            .filter(|c| c.2 != Stance::Other)
            .collect();
        cited.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let &(_, first, stance) = cited.first()?;
        // Cite a second item only when it carries a real share, with the same feedback.
        let items: Vec<CitedItem> = cited
            .iter()
            .filter(|c| c.2 == stance && c.1 >= 0.5 * first)
            .take(2)
            .map(|&(j, c, _)| CitedItem::new(self.item_ref(j), c / total))
            .collect();
        Some(match stance {
            Stance::Liked => Reason::BecauseYouLiked { items },
            Stance::Watched => Reason::BecauseYouWatched { items },
            Stance::Watchlisted | Stance::Other => Reason::OnYourWatchlist { items },
        })
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
                let collaborative = match row.collaborative {
                    Some((score, contributions)) if query.detail => Some(Collaborative {
                        score,
                        contributions: contributions
                            .into_iter()
                            .map(|(j, value)| Contribution {
                                item_id: self.items.id_of(j).unwrap_or_default().to_string(),
                                value,
                            })
                            .collect(),
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
