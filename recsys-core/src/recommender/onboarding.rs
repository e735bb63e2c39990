//! Onboarding: a visitor with favourites (genres, people) and no liked items.
//!
//! The favourites become a *pseudo-history*: each favourite's most popular items, about
//! [`PSEUDO_ITEMS`] in all, shared out by the favourites' weights (at least one each), as if
//! watched. The blend scores it like any short history (popularity still weighs most), so
//! the quiz moves the list through what fans of those genres and people go on to watch,
//! instead of boosting every matching item alike. The pseudo-history is not the visitor's:
//! its items stay recommendable and are never cited; an item says "Because you like G" only
//! when it has G and G's pseudo items raise its score.

use crate::data::Feedback;
use crate::explain::Reason;
use crate::models::trending::PopularityKind;
use crate::topk::top_n;

use super::reasons::Decomposition;
use super::resolve::Resolved;
use super::{Recommender, UserHistory};

/// Items of a pseudo-history in all. Chosen on the onboarding protocol's validation split
/// (`tests/onboarding_movielens.rs`, nDCG@10 of For You with the quiz: 0.2698 with 5 watched
/// items, 0.2653 with 10, 0.2571 with 20, 0.2728 with 40, all within noise of each other and
/// above 0.2572 for the best tilt of the popularity ranking and 0.2527 without a quiz; the
/// smallest is the cheapest and cites the fewest films per favourite).
pub(super) const PSEUDO_ITEMS: usize = 5;

/// A visitor's pseudo-history and, for each of its items, the favourites it stands for
/// (genre `g` as `g`, person `p` as `genres + p`, in `Resolved::favorites` order).
pub(super) struct PseudoHistory {
    pub(super) history: Resolved,
    sources: Vec<(u32, Vec<usize>)>,
}

impl Recommender {
    /// The pseudo-history of `history`'s favourites, or `None` when they name no popular item.
    pub(super) fn pseudo_history(&self, history: &Resolved) -> Option<PseudoHistory> {
        let favorites = &history.favorites;
        let total = favorites.total_weight();
        if total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return None;
        }
        let share = |weight: f32| {
            let m = (PSEUDO_ITEMS as f32 * weight / total).round();
            (m as usize).clamp(1, PSEUDO_ITEMS)
        };
        let popularity = self.trending.scores(PopularityKind::AllTime);
        let mut sources: Vec<(u32, Vec<usize>)> = Vec::new();
        let mut add = |items: Vec<u32>, favorite: usize| {
            for item in items {
                match sources.iter_mut().find(|s| s.0 == item) {
                    Some(source) => source.1.push(favorite),
                    None => sources.push((item, vec![favorite])),
                }
            }
        };
        for (at, genre) in favorites.genres.iter().enumerate() {
            let m = share(favorites.genre_weight(at));
            let items = self
                .trending
                .popular_in(&self.catalog, genre, PopularityKind::AllTime, m)
                .map(|top| top.into_iter().map(|s| s.item).collect())
                .unwrap_or_default();
            add(items, at);
        }
        for (at, &person) in favorites.people.iter().enumerate() {
            let m = share(favorites.person_weight(at));
            let credited = |i: u32| {
                self.catalog
                    .item(i)
                    .is_some_and(|info| info.credits.iter().any(|c| c.person == person))
            };
            let items = top_n(popularity, m, |i| {
                !credited(i) || popularity.get(i as usize).is_none_or(|&p| p <= 0.0)
            })
            .into_iter()
            .map(|s| s.item)
            .collect();
            add(items, favorites.genres.len() + at);
        }
        if sources.is_empty() {
            return None;
        }
        let mut pseudo = UserHistory::new();
        for &(item, _) in &sources {
            pseudo.push(self.items.id_of(item)?, Feedback::Watched, 0);
        }
        let mut resolved = self.resolve(&pseudo, &mut Vec::new());
        resolved.favorites = favorites.clone();
        resolved.favorite_names = history.favorite_names.clone();
        sources.sort_by_key(|s| s.0);
        Some(PseudoHistory {
            history: resolved,
            sources,
        })
    }

    /// The reasons of an item scored from a pseudo-history, the largest part first (at most
    /// two): [`Reason::YouLike`] for each favourite the item has whose pseudo items' parts of
    /// its score sum to a positive number, [`Reason::Popular`] for a positive popularity part
    /// of a popular item, [`Reason::NewArrival`] for an item without interactions;
    /// [`Reason::WeakMatch`] when none holds.
    pub(super) fn pseudo_reasons(
        &self,
        item: u32,
        pseudo: &PseudoHistory,
        decomposition: &Decomposition,
        extra: &[Reason],
    ) -> Vec<Reason> {
        let favorites = &pseudo.history.favorites;
        let n_genres = favorites.genres.len();
        let mut parts = vec![0.0f32; n_genres + favorites.people.len()];
        for &(j, part) in &decomposition.parts {
            if let Ok(at) = pseudo.sources.binary_search_by_key(&j, |s| s.0) {
                for &favorite in &pseudo.sources[at].1 {
                    parts[favorite] += part;
                }
            }
        }
        let mut candidates: Vec<(f32, Reason)> = Vec::new();
        if !self.is_warm(item) {
            candidates.push((f32::INFINITY, Reason::NewArrival));
        }
        if let Some(info) = self.catalog.item(item) {
            for (at, genre) in favorites.genres.iter().enumerate() {
                if info.has_genre(genre) {
                    let name = genre.clone();
                    candidates.push((parts[at], Reason::YouLike { name }));
                }
            }
            let names = &pseudo.history.favorite_names;
            for (at, (&person, name)) in favorites.people.iter().zip(names).enumerate() {
                if info.credits.iter().any(|c| c.person == person) {
                    let name = name.clone();
                    candidates.push((parts[n_genres + at], Reason::YouLike { name }));
                }
            }
        }
        if self.popularity.get(item as usize).is_some_and(|&p| p > 0.0) {
            candidates.push((decomposition.popularity, Reason::Popular));
        }
        // Stable: equal parts keep genres before people, in the order given.
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut reasons: Vec<Reason> = candidates
            .into_iter()
            .filter(|c| c.0 > 0.0)
            .take(2)
            .map(|c| c.1)
            .collect();
        reasons.extend(extra.iter().cloned());
        if reasons.is_empty() {
            reasons.push(Reason::WeakMatch);
        }
        reasons
    }
}
