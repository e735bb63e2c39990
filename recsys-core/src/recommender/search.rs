//! Title search for a catalogue's search box (the browser demo, the example server): one
//! ranking every consumer shares, so the same letters find the same items everywhere.

use std::cmp::Reverse;

use super::Recommender;
use crate::explain::ItemRef;

impl Recommender {
    /// Items whose title contains `text`, case-insensitively (Unicode lowercase, surrounding
    /// whitespace ignored): titles starting with it first, then titles with a word starting
    /// with it, then the other matches; within each group the items with more training
    /// interactions first, then by title. At most `limit` items; none for an empty `text`.
    ///
    /// ```
    /// # use recsys_core::data::{Dataset, Feedback};
    /// # use recsys_core::models::als::AlsConfig;
    /// # use recsys_core::recommender::RecommenderBuilder;
    /// let mut ds = Dataset::new();
    /// for (user, item) in [("a", "m1"), ("a", "m2"), ("b", "m2"), ("b", "m3"), ("c", "m2")] {
    ///     ds.add_event(user, item, Feedback::Like, 0)?;
    /// }
    /// ds.item("m1").title("Alien").year(1979);
    /// ds.item("m2").title("Aliens").year(1986);
    /// ds.item("m3").title("Predator vs. Alien Nation");
    /// let recommender = RecommenderBuilder::new().als(AlsConfig::new().factors(2)).fit(&ds)?;
    /// let found = recommender.search_titles("ALIEN", 10);
    /// let ids: Vec<&str> = found.iter().map(|item| item.item_id.as_str()).collect();
    /// assert_eq!(ids, ["m2", "m1", "m3"]); // prefix matches by popularity, then a word match
    /// assert_eq!(found[0].display(), "Aliens (1986)");
    /// assert!(recommender.search_titles("  ", 10).is_empty());
    /// # Ok::<(), recsys_core::Error>(())
    /// ```
    pub fn search_titles(&self, text: &str, limit: usize) -> Vec<ItemRef> {
        let needle = text.trim().to_lowercase();
        if needle.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut found: Vec<(u8, Reverse<u32>, &str, u32)> = Vec::new();
        for item in 0..self.items.len() as u32 {
            let Some(title) = self
                .catalog
                .item(item)
                .and_then(|info| info.title.as_deref())
            else {
                continue;
            };
            let lower = title.to_lowercase();
            let group = if lower.starts_with(&needle) {
                0
            } else {
                let mut positions = lower.match_indices(&needle).map(|(at, _)| at).peekable();
                if positions.peek().is_none() {
                    continue;
                }
                let word_start = positions.any(|at| {
                    !lower[..at]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric)
                });
                if word_start {
                    1
                } else {
                    2
                }
            };
            let interactions = self
                .interaction_counts
                .get(item as usize)
                .copied()
                .unwrap_or(0);
            found.push((group, Reverse(interactions), title, item));
        }
        found.sort_unstable();
        found
            .into_iter()
            .take(limit)
            .map(|(.., item)| ItemRef::of(&self.items, &self.catalog, item))
            .collect()
    }
}
