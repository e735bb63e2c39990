//! Events keyed by external ids, and the matrices models train on.

use serde::{Deserialize, Serialize};

use super::{Catalog, Feedback, FeedbackPolicy, IdMap, Interactions, ItemInfo};
use crate::{Error, Result};

/// One feedback event with dense indices.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Dense user index.
    pub user: u32,
    /// Dense item index.
    pub item: u32,
    /// What happened.
    pub feedback: Feedback,
    /// Seconds since the Unix epoch (any monotone clock works; only order and differences matter).
    pub timestamp: i64,
}

/// Users, items, their feedback events and the items' metadata.
///
/// ```
/// use recsys_core::data::{Dataset, Feedback, FeedbackPolicy};
/// let mut ds = Dataset::new();
/// ds.add_event("alice", "matrix", Feedback::Rating(5.0), 10).unwrap();
/// ds.add_event("alice", "cats", Feedback::Dislike, 11).unwrap();
/// ds.add_event("bob", "matrix", Feedback::Watched, 12).unwrap();
/// let m = ds.interactions(&FeedbackPolicy::default()).unwrap();
/// assert_eq!((m.n_users(), m.n_items(), m.nnz()), (2, 2, 3));
/// assert!(m.row(0).1[1] < 0.0); // the dislike is negative evidence
/// assert!(ds.add_event("bob", "x", Feedback::Rating(f32::NAN), 0).is_err());
/// ```
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(try_from = "DatasetUnchecked")]
pub struct Dataset {
    /// External user ids.
    pub users: IdMap,
    /// External item ids.
    pub items: IdMap,
    /// Item metadata, indexed like [`Dataset::items`]; items registered through this type's
    /// methods always have an entry (empty until a loader or the caller fills it). Read it
    /// with [`Dataset::catalog`], edit it by external id with [`Dataset::item`].
    #[serde(default)]
    pub(crate) catalog: Catalog,
    events: Vec<Event>,
}

crate::validate::checked_deserialize! {
    Dataset via DatasetUnchecked {
        users: IdMap,
        items: IdMap,
        #[serde(default)]
        catalog: Catalog,
        events: Vec<Event>,
    }
    check Dataset::validate
}

impl Dataset {
    /// Checks a decoded dataset: every event points at a known user and item and carries a
    /// finite rating; the catalog (checked while decoding) has no more entries than there are
    /// items.
    pub(crate) fn validate(&self) -> Result<()> {
        use crate::validate::corrupt;
        if self.catalog.len() > self.items.len() {
            return Err(corrupt(format!(
                "dataset catalog has {} entries for {} items",
                self.catalog.len(),
                self.items.len()
            )));
        }
        let (n_users, n_items) = (self.users.len(), self.items.len());
        for (at, event) in self.events.iter().enumerate() {
            if event.user as usize >= n_users || event.item as usize >= n_items {
                return Err(corrupt(format!(
                    "dataset event {at} refers to user {} / item {} but there are {n_users} users and {n_items} items",
                    event.user, event.item
                )));
            }
            if let Feedback::Rating(value) = event.feedback {
                if !value.is_finite() {
                    return Err(corrupt(format!("dataset event {at} has rating {value}")));
                }
            }
        }
        Ok(())
    }

    /// An empty dataset.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one event, registering unknown users and items.
    ///
    /// # Errors
    /// [`Error::NonFinite`] for a NaN or infinite rating (nothing is recorded then);
    /// [`Error::EmptyInput`] for an empty id.
    pub fn add_event(
        &mut self,
        user: &str,
        item: &str,
        feedback: Feedback,
        timestamp: i64,
    ) -> Result<()> {
        if user.is_empty() || item.is_empty() {
            return Err(Error::EmptyInput {
                what: "user or item id".into(),
            });
        }
        let feedback = feedback.validated()?;
        let user = self.users.get_or_insert(user);
        let item = self.add_item(item);
        self.events.push(Event {
            user,
            item,
            feedback,
            timestamp,
        });
        Ok(())
    }

    /// Registers an item with no events yet (e.g. a new catalogue entry); returns its index.
    /// The catalog grows with the items, so every item index has an entry (empty until filled).
    pub fn add_item(&mut self, item: &str) -> u32 {
        let index = self.items.get_or_insert(item);
        self.catalog.backed_ensure_len(self.items.len());
        index
    }

    /// Edits the metadata of item `item_id` (registering the item if it is new), by external
    /// ids only: people are credited by their own ids, so a catalogue can never point at a
    /// person it does not hold.
    ///
    /// ```
    /// use recsys_core::data::{Dataset, Role};
    /// let mut ds = Dataset::new();
    /// ds.item("m1")
    ///     .title("Toy Story")
    ///     .year(1995)
    ///     .genre("Animation")
    ///     .tag("pixar")
    ///     .credit("p:lasseter", Some("John Lasseter"), Role::Director);
    /// let index = ds.items.index_of("m1").unwrap();
    /// let info = ds.catalog().item(index).unwrap();
    /// assert_eq!(info.display_title().as_deref(), Some("Toy Story (1995)"));
    /// assert_eq!(info.genres, ["Animation"]);
    /// ```
    pub fn item(&mut self, item_id: &str) -> ItemEditor<'_> {
        let index = self.add_item(item_id);
        ItemEditor {
            catalog: &mut self.catalog,
            index,
        }
    }

    /// The metadata of item `item` (an external id), registering the item if it is new; returns
    /// its index and its catalog entry (for loaders, which fill many fields at once).
    pub(crate) fn item_info_mut(&mut self, item: &str) -> (u32, &mut ItemInfo) {
        let index = self.add_item(item);
        (index, self.catalog.backed_item_mut(index))
    }

    /// The item metadata, indexed like [`Dataset::items`].
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The same users, items and catalogue without any event: the start of a dataset for one
    /// part of a split (the item order, and so every model's item indices, stay the same).
    ///
    /// ```
    /// use recsys_core::data::{Dataset, Feedback};
    /// let mut ds = Dataset::new();
    /// ds.add_event("ann", "alien", Feedback::Like, 1).unwrap();
    /// ds.item("heat").title("Heat");
    /// let empty = ds.without_events();
    /// assert_eq!((empty.n_users(), empty.n_items(), empty.events().len()), (1, 2, 0));
    /// ```
    pub fn without_events(&self) -> Dataset {
        Dataset {
            users: self.users.clone(),
            items: self.items.clone(),
            catalog: self.catalog.clone(),
            events: Vec::new(),
        }
    }

    /// Registers a user with no events yet; returns its index.
    pub fn add_user(&mut self, user: &str) -> u32 {
        self.users.get_or_insert(user)
    }

    /// Runs `read` (a loader) all-or-nothing: if it fails, the users, items, events and
    /// catalog are put back exactly as they were, so a file that is bad at line 10 000 leaves
    /// nothing of its first 9 999 rows behind. Only what was there is kept: ids and events are
    /// append-only, so undoing them is a truncation; the catalog is copied first only when
    /// `edits_catalog` (a metadata reader may change existing entries), otherwise its growth
    /// is cut back.
    pub(crate) fn all_or_nothing<T>(
        &mut self,
        edits_catalog: bool,
        read: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        let (users, items, events) = (self.users.len(), self.items.len(), self.events.len());
        let catalog_len = self.catalog.len();
        let catalog = edits_catalog.then(|| self.catalog.clone());
        let result = read(self);
        if result.is_err() {
            self.users.truncate(users);
            self.items.truncate(items);
            self.events.truncate(events);
            match catalog {
                Some(catalog) => self.catalog = catalog,
                None => self.catalog.truncate(catalog_len),
            }
        }
        result
    }

    /// All events in insertion order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Number of users.
    pub fn n_users(&self) -> usize {
        self.users.len()
    }

    /// Number of items.
    pub fn n_items(&self) -> usize {
        self.items.len()
    }

    /// The signed-confidence matrix for collaborative models, combining each pair's events in
    /// time order with `policy` (see [`FeedbackPolicy::combine`]).
    pub fn interactions(&self, policy: &FeedbackPolicy) -> Result<Interactions> {
        policy.validate()?;
        let triplets: Vec<(u32, u32, f32)> = self
            .resolve_pairs(policy)
            .into_iter()
            .filter(|(_, pair)| pair.value != 0.0)
            .map(|((user, item), pair)| (user, item, pair.value))
            .collect();
        // The id maps back the shape: users and items without events are real, however many.
        Interactions::from_backed_triplets(self.n_users(), self.n_items(), &triplets)
    }

    /// Every (user, item) pair's events resolved by `policy`, sorted by pair.
    fn resolve_pairs(&self, policy: &FeedbackPolicy) -> Vec<((u32, u32), super::PairFeedback)> {
        policy.resolve_pairs(
            self.events
                .iter()
                .map(|e| ((e.user, e.item), e.timestamp, e.feedback)),
        )
    }

    /// The latest explicit rating of every rated (user, item) pair, as `(user, item, rating)`.
    pub fn ratings(&self) -> Vec<(u32, u32, f32)> {
        self.resolve_pairs(&FeedbackPolicy::default())
            .into_iter()
            .filter_map(|((user, item), pair)| Some((user, item, pair.rating?)))
            .collect()
    }

    /// Per user, the items whose latest opinion is a dislike or "not interested" (sorted).
    pub fn exclusions(&self) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); self.n_users()];
        for ((user, item), pair) in self.resolve_pairs(&FeedbackPolicy::default()) {
            if pair.excluded {
                out[user as usize].push(item);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::Artifact;
    use crate::data::{Credit, Role};

    #[test]
    fn a_dataset_that_would_not_load_does_not_save() {
        let mut ds = Dataset::new();
        ds.add_event("ann", "alien", Feedback::Like, 1).unwrap();
        // A credit naming a person this catalogue does not hold (what copying metadata between
        // datasets used to produce): saving must fail as loading would, not write a bad file.
        ds.catalog.backed_item_mut(0).credits.push(Credit {
            person: 7,
            role: Role::Director,
        });
        let err = ds.to_bytes().unwrap_err();
        assert!(err.to_string().contains("person"), "{err}");
    }

    #[test]
    fn latest_opinion_wins_and_exclusions_follow_it() {
        let mut ds = Dataset::new();
        ds.add_event("u", "a", Feedback::Dislike, 1).unwrap();
        ds.add_event("u", "a", Feedback::Like, 2).unwrap();
        ds.add_event("u", "b", Feedback::Rating(4.0), 1).unwrap();
        ds.add_event("u", "b", Feedback::NotInterested, 3).unwrap();
        let m = ds.interactions(&FeedbackPolicy::default()).unwrap();
        assert!(m.row(0).1[0] > 0.0);
        assert!(m.row(0).1[1] < 0.0);
        assert_eq!(ds.exclusions(), vec![vec![1]]);
        assert_eq!(ds.ratings(), vec![(0, 1, 4.0)]);
    }
}

/// Edits one item's metadata in a [`Dataset`] (see [`Dataset::item`]); every method returns
/// the editor, so calls chain.
#[derive(Debug)]
pub struct ItemEditor<'a> {
    catalog: &'a mut Catalog,
    index: u32,
}

impl ItemEditor<'_> {
    fn info(&mut self) -> &mut ItemInfo {
        self.catalog.backed_item_mut(self.index)
    }

    /// Sets the title (without the year).
    pub fn title(mut self, title: &str) -> Self {
        self.info().title = Some(title.to_string());
        self
    }

    /// Sets the release year.
    pub fn year(mut self, year: i32) -> Self {
        self.info().year = Some(year);
        self
    }

    /// Adds a genre (duplicates are ignored).
    pub fn genre(mut self, genre: &str) -> Self {
        self.info().add_genre(genre);
        self
    }

    /// Adds a tag (case-insensitive duplicates count up).
    pub fn tag(mut self, tag: &str) -> Self {
        self.info().add_tag(tag);
        self
    }

    /// Credits person `person_id` (registered if new, with `name` when given) with `role`.
    pub fn credit(self, person_id: &str, name: Option<&str>, role: super::Role) -> Self {
        self.catalog
            .backed_add_credit(self.index, person_id, name, role);
        self
    }

    /// Adds a `(key, value)` attribute.
    pub fn attribute(mut self, key: &str, value: &str) -> Self {
        self.info().add_attribute(key, value);
        self
    }

    /// Sets the free text (plot summary, description).
    pub fn text(mut self, text: &str) -> Self {
        self.info().text = Some(text.to_string());
        self
    }

    /// The item's dense index in the dataset.
    pub fn index(&self) -> u32 {
        self.index
    }
}
