//! Reasons for each recommended item, and the result rows that carry them.

use crate::explain::{self, CitedItem, ItemRef, Reason};
use crate::models::content;

use super::resolve::Resolved;
use super::{Collaborative, Contribution, Query, Recommendation, Recommender, ScoreParts};

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
    /// Reasons for a blended item, the largest score part first. `best_content` is the item's
    /// largest content share (`ContentModel::best_contributions`).
    pub(super) fn personal_reasons(
        &self,
        item: u32,
        parts: &ScoreParts,
        contributions: &[(u32, f32)],
        best_content: Option<&content::Contribution>,
        extra: &[Reason],
    ) -> Vec<Reason> {
        let mut candidates: Vec<(f32, Reason)> = Vec::new();
        if !self.is_warm(item) {
            candidates.push((f32::INFINITY, Reason::NewArrival));
        }
        let mut liked: Vec<(u32, f32)> = contributions
            .iter()
            .copied()
            .filter(|&(j, c)| c > 0.0 && j != item)
            .collect();
        liked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let total: f32 = liked.iter().map(|c| c.1).sum();
        liked.truncate(2);
        if let Some(&(_, first)) = liked.first() {
            // Cite a second item only when it carries a real share.
            liked.retain(|&(_, c)| c >= 0.5 * first);
            let items = liked
                .iter()
                .map(|&(j, c)| CitedItem::new(self.item_ref(j), c / total))
                .collect();
            candidates.push((parts.collaborative, Reason::BecauseYouLiked { items }));
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
        // The strongest reason always; further ones only when their part is positive.
        for (position, (weight, reason)) in candidates.into_iter().enumerate() {
            if (position == 0 || weight > 0.0) && reasons.len() < 2 {
                reasons.push(reason);
            }
        }
        reasons.extend(extra.iter().cloned());
        if reasons.is_empty() {
            reasons.push(Reason::Popular);
        }
        reasons
    }

    /// Up to two favourites `item` matches (genres first) as [`Reason::YouLike`], or
    /// [`Reason::Popular`] when it matches none.
    pub(super) fn favorite_reasons(&self, item: u32, history: &Resolved) -> Vec<Reason> {
        let Some(info) = self.catalog.item(item) else {
            return vec![Reason::Popular];
        };
        let genres = history
            .favorites
            .genres
            .iter()
            .filter(|g| info.has_genre(g))
            .cloned();
        let people = history
            .favorites
            .people
            .iter()
            .zip(&history.favorite_names)
            .filter(|&(&p, _)| info.credits.iter().any(|c| c.person == p))
            .map(|(_, name)| name.clone());
        let reasons: Vec<Reason> = genres
            .chain(people)
            .take(2)
            .map(|name| Reason::YouLike { name })
            .collect();
        if reasons.is_empty() {
            vec![Reason::Popular]
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
