//! Item metadata: titles, years, genres, tags, cast and crew, free text.
//!
//! A [`Catalog`] is indexed by the same dense item indices as
//! [`Dataset::items`](crate::data::Dataset), so a model's item index finds its metadata
//! directly. It feeds filters (genre, year), content features ([`Catalog::content_tokens`]) and
//! explanations ([`Catalog::shared_credits`]: "shares a director with …").

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::IdMap;
use crate::{Error, Result};

/// What a person did on an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Appears in the cast.
    Actor,
    /// Directed it.
    Director,
    /// Wrote it.
    Writer,
    /// Produced it.
    Producer,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Role; 4] = [Role::Actor, Role::Director, Role::Writer, Role::Producer];

    /// A lowercase name: `actor`, `director`, `writer`, `producer`.
    ///
    /// ```
    /// assert_eq!(recsys_core::data::Role::Director.as_str(), "director");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Actor => "actor",
            Role::Director => "director",
            Role::Writer => "writer",
            Role::Producer => "producer",
        }
    }
}

/// A person's credit on an item: an index into the catalog's people and their role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Credit {
    /// Dense person index (see [`Catalog::person_id`], [`Catalog::person_name`]).
    pub person: u32,
    /// What they did.
    pub role: Role,
}

/// Attributes that identify a single item (links, dates) and carry no shared content.
const PER_ITEM_ATTRIBUTES: [&str; 2] = ["url", "release_date"];

/// A free-form label attached to an item, with how many times it was applied (e.g. by users).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// The label as first written.
    pub text: String,
    /// How many times it was applied (at least 1).
    pub count: u32,
}

/// Everything known about one item. Fields are empty / `None` when unknown.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemInfo {
    /// Title without a trailing "(year)".
    pub title: Option<String>,
    /// Release year.
    pub year: Option<i32>,
    /// Genre names, without duplicates, in the order first seen.
    pub genres: Vec<String>,
    /// Tags, without case-insensitive duplicates.
    pub tags: Vec<Tag>,
    /// Cast and crew, without duplicates.
    #[serde(with = "packed_credits")]
    pub credits: Vec<Credit>,
    /// Other facts as `(key, value)` pairs, without duplicates: knowledge-graph relations to
    /// opaque entity ids (`("film.film.language", "m.02h40lc")`), or source fields such as
    /// `("url", …)`. Useful as content tokens even when the values have no display name.
    pub attributes: Vec<(String, String)>,
    /// Free text (plot summary, description).
    pub text: Option<String>,
}

impl ItemInfo {
    /// The title with its year, as MovieLens writes it: `"Toy Story (1995)"`.
    ///
    /// ```
    /// use recsys_core::data::ItemInfo;
    /// let info = ItemInfo {
    ///     title: Some("Toy Story".into()),
    ///     year: Some(1995),
    ///     ..Default::default()
    /// };
    /// assert_eq!(info.display_title().as_deref(), Some("Toy Story (1995)"));
    /// ```
    pub fn display_title(&self) -> Option<String> {
        let title = self.title.as_deref()?;
        Some(match self.year {
            Some(year) => format!("{title} ({year})"),
            None => title.to_owned(),
        })
    }

    /// Whether the item has `genre` (ASCII case-insensitive).
    pub fn has_genre(&self, genre: &str) -> bool {
        self.genres.iter().any(|g| g.eq_ignore_ascii_case(genre))
    }

    /// Adds a genre unless already present (ASCII case-insensitive); empty names are ignored.
    pub fn add_genre(&mut self, genre: &str) {
        let genre = genre.trim();
        if !genre.is_empty() && !self.has_genre(genre) {
            self.genres.push(genre.to_owned());
        }
    }

    /// Adds a tag, or increments its count when present (case-insensitive); empty tags are ignored.
    pub fn add_tag(&mut self, tag: &str) {
        let tag = tag.trim();
        if tag.is_empty() {
            return;
        }
        let lower = tag.to_lowercase();
        match self
            .tags
            .iter_mut()
            .find(|t| t.text.to_lowercase() == lower)
        {
            Some(existing) => existing.count = existing.count.saturating_add(1),
            None => self.tags.push(Tag {
                text: tag.to_owned(),
                count: 1,
            }),
        }
    }

    /// Adds an attribute unless the same pair is present.
    pub fn add_attribute(&mut self, key: &str, value: &str) {
        if !self.attributes.iter().any(|(k, v)| k == key && v == value) {
            self.attributes.push((key.to_owned(), value.to_owned()));
        }
    }

    /// The people credited in `role`.
    pub fn people(&self, role: Role) -> impl Iterator<Item = u32> + '_ {
        self.credits
            .iter()
            .filter(move |c| c.role == role)
            .map(|c| c.person)
    }
}

/// Metadata for every item, indexed like [`Dataset::items`](crate::data::Dataset), plus the
/// people table that [`Credit`]s point into.
///
/// ```
/// use recsys_core::data::{Catalog, Role};
/// let mut catalog = Catalog::new();
/// catalog.item_mut(0).unwrap().title = Some("Alien".into());
/// catalog.item_mut(0).unwrap().add_genre("Sci-Fi");
/// catalog.add_credit(0, "ridley-scott", Some("Ridley Scott"), Role::Director).unwrap();
/// catalog.item_mut(1).unwrap().title = Some("Blade Runner".into());
/// catalog.add_credit(1, "ridley-scott", None, Role::Director).unwrap();
///
/// let shared = catalog.shared_credits(0, 1);
/// assert_eq!(shared.len(), 1);
/// assert_eq!(catalog.person_name(shared[0].person), Some("Ridley Scott"));
/// assert_eq!(catalog.items_with_genre("sci-fi"), vec![0]);
/// assert_eq!(catalog.genres(), vec!["Sci-Fi"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CatalogUnchecked")]
pub struct Catalog {
    items: Vec<ItemInfo>,
    #[serde(with = "super::ids::front_coded")]
    people: IdMap,
    person_names: Vec<Option<String>>,
}

crate::validate::checked_deserialize! {
    Catalog via CatalogUnchecked {
        items: Vec<ItemInfo>,
        #[serde(with = "super::ids::front_coded")]
        people: IdMap,
        person_names: Vec<Option<String>>,
    }
    check Catalog::validate
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks a decoded catalog: one name slot per person and credits naming known people.
    pub(crate) fn validate(&self) -> Result<()> {
        if self.person_names.len() != self.people.len() {
            return Err(Error::CorruptArtifact {
                reason: format!(
                    "catalog has {} people but {} name slots",
                    self.people.len(),
                    self.person_names.len()
                ),
            });
        }
        for (item, info) in self.iter() {
            if let Some(credit) = info
                .credits
                .iter()
                .find(|c| c.person as usize >= self.people.len())
            {
                return Err(Error::CorruptArtifact {
                    reason: format!(
                        "catalog item {item} credits person {} of {}",
                        credit.person,
                        self.people.len()
                    ),
                });
            }
        }
        Ok(())
    }

    /// Drops what only training reads (items' attributes and free text): the catalogue of a
    /// request-only model.
    pub(crate) fn drop_training_only(&mut self) {
        for info in &mut self.items {
            info.attributes = Vec::new();
            info.text = None;
        }
    }

    /// Numbers the people in the order of their ids and lists each item's credits by role,
    /// then person: the same credits, in the order that packs best (an item's people become
    /// small, mostly ascending steps through the sorted ids, see [`packed_credits`]).
    pub(crate) fn sort_people(&mut self) {
        let mut order: Vec<u32> = (0..self.people.len() as u32).collect();
        let ids = self.people.ids();
        order.sort_unstable_by(|&a, &b| ids[a as usize].cmp(&ids[b as usize]));
        let mut renumbered = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            renumbered[old as usize] = new as u32;
        }
        self.people = IdMap::from(
            order
                .iter()
                .map(|&old| ids[old as usize].clone())
                .collect::<Vec<_>>(),
        );
        let mut names = std::mem::take(&mut self.person_names);
        self.person_names = order
            .iter()
            .map(|&old| names.get_mut(old as usize).and_then(Option::take))
            .collect();
        for info in &mut self.items {
            for credit in &mut info.credits {
                credit.person = renumbered[credit.person as usize];
            }
            info.credits.sort_unstable_by_key(|c| (c.role, c.person));
        }
    }

    /// Number of item slots (the highest item index with metadata, plus one).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no item has metadata.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The metadata of `item`, or `None` past the end. Items without metadata have an empty
    /// (default) [`ItemInfo`].
    pub fn item(&self, item: u32) -> Option<&ItemInfo> {
        self.items.get(item as usize)
    }

    /// Mutable metadata of `item`, growing the catalog with empty entries as needed, at most
    /// [`MAX_UNBACKED_LEN`](super::MAX_UNBACKED_LEN) (about 160 MB of empty entries) past its
    /// end, so that an absurd index is an error rather than an allocation that aborts. A
    /// [`Dataset`](crate::data::Dataset) grows its catalog with its item ids, unbounded.
    ///
    /// ```
    /// use recsys_core::data::Catalog;
    /// let mut catalog = Catalog::new();
    /// catalog.item_mut(1).unwrap().title = Some("Heat".into());
    /// assert_eq!(catalog.len(), 2); // item 0 has an empty entry
    /// assert!(catalog.item_mut(u32::MAX).is_err());
    /// assert_eq!(catalog.len(), 2);
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an item more than
    /// [`MAX_UNBACKED_LEN`](super::MAX_UNBACKED_LEN) past the end.
    pub fn item_mut(&mut self, item: u32) -> Result<&mut ItemInfo> {
        let index = item as usize;
        self.ensure_len(index.saturating_add(1))?;
        Ok(&mut self.items[index])
    }

    /// Mutable metadata of `item`, growing the catalog without the growth limit: for indices
    /// backed by an id map (a [`Dataset`](crate::data::Dataset)'s items).
    pub(crate) fn backed_item_mut(&mut self, item: u32) -> &mut ItemInfo {
        let index = item as usize;
        self.backed_ensure_len(index + 1);
        &mut self.items[index]
    }

    /// [`Catalog::ensure_len`] without the growth limit, for a length backed by an id map.
    pub(crate) fn backed_ensure_len(&mut self, len: usize) {
        if len > self.items.len() {
            self.items.resize_with(len, ItemInfo::default);
        }
    }

    /// Drops the entries of items `len..` (to undo growth by a failed bulk read).
    pub(crate) fn truncate(&mut self, len: usize) {
        self.items.truncate(len);
    }

    /// Grows the catalog with empty entries up to `len` items (never shrinks).
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] when `len` is more than
    /// [`MAX_UNBACKED_LEN`](super::MAX_UNBACKED_LEN) past the current length or beyond the
    /// `u32` item indices; nothing is added then.
    pub fn ensure_len(&mut self, len: usize) -> Result<()> {
        let limit = self
            .items
            .len()
            .saturating_add(super::MAX_UNBACKED_LEN)
            .min((u32::MAX as usize).saturating_add(1));
        if len > limit {
            return Err(Error::IndexOutOfRange {
                what: "catalog item (growth past the end)",
                index: len - 1,
                len: limit,
            });
        }
        self.backed_ensure_len(len);
        Ok(())
    }

    /// `(item index, metadata)` for every item slot.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &ItemInfo)> + '_ {
        self.items.iter().enumerate().map(|(i, m)| (i as u32, m))
    }

    /// The index of person `id`, registering it if new; a given `name` replaces a missing one.
    pub fn add_person(&mut self, id: &str, name: Option<&str>) -> u32 {
        let person = self.people.get_or_insert(id);
        if person as usize >= self.person_names.len() {
            self.person_names.push(None);
        }
        if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
            let slot = &mut self.person_names[person as usize];
            if slot.is_none() {
                *slot = Some(name.to_owned());
            }
        }
        person
    }

    /// Credits person `id` (registered if new) with `role` on `item` (the catalog grows as
    /// [`Catalog::item_mut`] does); returns the person index. A repeated credit is ignored.
    ///
    /// # Errors
    /// Those of [`Catalog::item_mut`]; the person is not registered then.
    pub fn add_credit(
        &mut self,
        item: u32,
        person_id: &str,
        name: Option<&str>,
        role: Role,
    ) -> Result<u32> {
        self.item_mut(item)?;
        Ok(self.backed_add_credit(item, person_id, name, role))
    }

    /// [`Catalog::add_credit`] without the growth limit, for an item backed by an id map.
    pub(crate) fn backed_add_credit(
        &mut self,
        item: u32,
        person_id: &str,
        name: Option<&str>,
        role: Role,
    ) -> u32 {
        self.backed_ensure_len(item as usize + 1);
        let person = self.add_person(person_id, name);
        let credit = Credit { person, role };
        let info = &mut self.items[item as usize];
        if !info.credits.contains(&credit) {
            info.credits.push(credit);
        }
        person
    }

    /// Number of people.
    pub fn n_people(&self) -> usize {
        self.people.len()
    }

    /// The index of person `id`, if known.
    pub fn person_index(&self, id: &str) -> Option<u32> {
        self.people.index_of(id)
    }

    /// The external id of person `person`.
    pub fn person_id(&self, person: u32) -> Option<&str> {
        self.people.id_of(person)
    }

    /// The display name of person `person`, when the source had one.
    pub fn person_name(&self, person: u32) -> Option<&str> {
        self.person_names.get(person as usize)?.as_deref()
    }

    /// Every genre used by some item, sorted and without duplicates.
    pub fn genres(&self) -> Vec<&str> {
        let set: BTreeSet<&str> = self
            .items
            .iter()
            .flat_map(|m| m.genres.iter().map(String::as_str))
            .collect();
        set.into_iter().collect()
    }

    /// Items having `genre` (ASCII case-insensitive), in index order.
    pub fn items_with_genre(&self, genre: &str) -> Vec<u32> {
        self.iter()
            .filter(|(_, m)| m.has_genre(genre))
            .map(|(i, _)| i)
            .collect()
    }

    /// `(item, role)` for every credit of `person`, in item order.
    pub fn items_with_person(&self, person: u32) -> Vec<(u32, Role)> {
        self.iter()
            .flat_map(|(i, m)| {
                m.credits
                    .iter()
                    .filter(move |c| c.person == person)
                    .map(move |c| (i, c.role))
            })
            .collect()
    }

    /// For every person, the items they are credited on (`(item, role)`, in item order): an
    /// inverted index built in one pass, for callers that look up many people.
    pub fn credits_by_person(&self) -> Vec<Vec<(u32, Role)>> {
        let mut index = vec![Vec::new(); self.n_people()];
        for (item, info) in self.iter() {
            for credit in &info.credits {
                if let Some(list) = index.get_mut(credit.person as usize) {
                    list.push((item, credit.role));
                }
            }
        }
        index
    }

    /// Credits of item `b` whose person has the same role on item `a` ("shares a director
    /// with …"), in `b`'s credit order.
    pub fn shared_credits(&self, a: u32, b: u32) -> Vec<Credit> {
        let (Some(a), Some(b)) = (self.item(a), self.item(b)) else {
            return Vec::new();
        };
        b.credits
            .iter()
            .filter(|c| a.credits.contains(c))
            .copied()
            .collect()
    }

    /// The item's content as `(token, count)` pairs for bag-of-words features (TF-IDF, content
    /// similarity): `genre:<name>`, `tag:<text>` (with its count), `<role>:<person id>`
    /// (`director:m.0bln8`), and `<key>=<value>` for attributes other than the per-item
    /// `url` and `release_date`. Names and tags are lowercased; empty for an unknown item.
    ///
    /// ```
    /// use recsys_core::data::{Catalog, Role};
    /// let mut catalog = Catalog::new();
    /// catalog.item_mut(0).unwrap().add_genre("Sci-Fi");
    /// catalog.item_mut(0).unwrap().add_tag("Space");
    /// catalog.item_mut(0).unwrap().add_tag("space");
    /// catalog.add_credit(0, "m.scott", None, Role::Director).unwrap();
    /// catalog.item_mut(0).unwrap().add_attribute("film.film.language", "m.english");
    /// assert_eq!(catalog.content_tokens(0), [
    ///     ("genre:sci-fi".to_string(), 1),
    ///     ("tag:space".to_string(), 2),
    ///     ("director:m.scott".to_string(), 1),
    ///     ("film.film.language=m.english".to_string(), 1),
    /// ]);
    /// ```
    pub fn content_tokens(&self, item: u32) -> Vec<(String, u32)> {
        let Some(info) = self.item(item) else {
            return Vec::new();
        };
        let genres = info
            .genres
            .iter()
            .map(|g| (format!("genre:{}", g.to_lowercase()), 1));
        let tags = info
            .tags
            .iter()
            .map(|t| (format!("tag:{}", t.text.to_lowercase()), t.count));
        let people = info.credits.iter().filter_map(|c| {
            let id = self.person_id(c.person)?;
            Some((format!("{}:{id}", c.role.as_str()), 1))
        });
        let attributes = info
            .attributes
            .iter()
            .filter(|(key, _)| !PER_ITEM_ATTRIBUTES.contains(&key.as_str()))
            .map(|(key, value)| (format!("{key}={value}"), 1));
        genres.chain(tags).chain(people).chain(attributes).collect()
    }

    /// The first item whose title or display title equals `title`, ignoring ASCII case.
    ///
    /// ```
    /// use recsys_core::data::Catalog;
    /// let mut catalog = Catalog::new();
    /// let info = catalog.item_mut(3).unwrap();
    /// info.title = Some("Toy Story".into());
    /// info.year = Some(1995);
    /// assert_eq!(catalog.find_title("toy story (1995)"), Some(3));
    /// assert_eq!(catalog.find_title("Toy Story"), Some(3));
    /// assert_eq!(catalog.find_title("Heat"), None);
    /// ```
    pub fn find_title(&self, title: &str) -> Option<u32> {
        let title = title.trim();
        self.iter()
            .find(|(_, m)| {
                m.title
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case(title))
                    || m.display_title()
                        .is_some_and(|t| t.eq_ignore_ascii_case(title))
            })
            .map(|(i, _)| i)
    }
}

/// Splits a MovieLens-style title into the title and the year in a trailing `"(1995)"`.
///
/// ```
/// use recsys_core::data::split_title_year;
/// assert_eq!(split_title_year("Toy Story (1995)"), ("Toy Story", Some(1995)));
/// assert_eq!(split_title_year("Babylon 5"), ("Babylon 5", None));
/// let (title, year) = split_title_year("1492: Conquest of Paradise (1992) ");
/// assert_eq!((title, year), ("1492: Conquest of Paradise", Some(1992)));
/// ```
pub fn split_title_year(title: &str) -> (&str, Option<i32>) {
    let trimmed = title.trim();
    let bytes = trimmed.as_bytes();
    // "(dddd)" is 6 ASCII bytes at the end.
    if bytes.len() >= 6 {
        let tail = &bytes[bytes.len() - 6..];
        if tail[0] == b'(' && tail[5] == b')' && tail[1..5].iter().all(u8::is_ascii_digit) {
            let year = tail[1..5]
                .iter()
                .fold(0i32, |acc, d| acc * 10 + i32::from(d - b'0'));
            let rest = trimmed[..trimmed.len() - 6].trim_end();
            if !rest.is_empty() {
                return (rest, Some(year));
            }
        }
    }
    (trimmed, None)
}

/// `#[serde(with = "packed_credits")]` for an item's credits: the plain list unless
/// [`packed_people`](crate::codec::packed_people), then one number per credit, the zigzag-coded step
/// from the previous credit's person times four plus the role (a short varint when the
/// people are sorted, see [`Catalog::sort_people`]).
mod packed_credits {
    use serde::de::{SeqAccess, Visitor};
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Credit, Role};
    use crate::codec::{unzigzag, zigzag};

    pub(super) fn serialize<S: Serializer>(credits: &[Credit], s: S) -> Result<S::Ok, S::Error> {
        if !crate::codec::packed_people() {
            return credits.serialize(s);
        }
        let mut seq = s.serialize_seq(Some(credits.len()))?;
        let mut previous = 0i64;
        for credit in credits {
            let step = zigzag(i64::from(credit.person) - previous);
            let role = Role::ALL
                .iter()
                .position(|&r| r == credit.role)
                .unwrap_or(0) as u64;
            seq.serialize_element(&(step << 2 | role))?;
            previous = i64::from(credit.person);
        }
        seq.end()
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Credit>, D::Error> {
        if !crate::codec::packed_people() {
            return Vec::<Credit>::deserialize(d);
        }
        struct Steps;
        impl<'de> Visitor<'de> for Steps {
            type Value = Vec<Credit>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("delta-coded credits")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Credit>, A::Error> {
                use serde::de::Error as _;
                // A forged length reserves no more than the bytes can hold.
                let mut credits = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 12));
                let mut previous = 0i64;
                while let Some(code) = seq.next_element::<u64>()? {
                    let person = previous
                        .checked_add(unzigzag(code >> 2))
                        .and_then(|person| u32::try_from(person).ok())
                        .ok_or_else(|| A::Error::custom("a credit's person is out of range"))?;
                    let role = Role::ALL[(code & 3) as usize];
                    credits.push(Credit { person, role });
                    previous = i64::from(person);
                }
                Ok(credits)
            }
        }
        d.deserialize_seq(Steps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_merged() {
        let mut c = Catalog::new();
        c.item_mut(2).unwrap().add_genre("Drama");
        c.item_mut(2).unwrap().add_genre("drama");
        c.item_mut(2).unwrap().add_tag("twist ending");
        c.item_mut(2).unwrap().add_tag("Twist Ending");
        c.item_mut(2).unwrap().add_attribute("k", "v");
        c.item_mut(2).unwrap().add_attribute("k", "v");
        let p = c.add_credit(2, "p", None, Role::Actor).unwrap();
        assert_eq!(c.add_credit(2, "p", Some("Pat"), Role::Actor).unwrap(), p);
        c.add_credit(2, "p", None, Role::Director).unwrap();
        let info = c.item(2).unwrap();
        assert_eq!(info.genres, vec!["Drama"]);
        assert_eq!(
            info.tags,
            vec![Tag {
                text: "twist ending".into(),
                count: 2
            }]
        );
        assert_eq!(info.attributes.len(), 1);
        assert_eq!(info.credits.len(), 2);
        assert_eq!(c.person_name(p), Some("Pat"));
        assert_eq!(c.len(), 3);
        assert_eq!(c.item(0), Some(&ItemInfo::default()));
        assert_eq!(c.item(3), None);
        assert_eq!(
            c.items_with_person(p),
            vec![(2, Role::Actor), (2, Role::Director)]
        );
        assert_eq!(c.credits_by_person()[p as usize], c.items_with_person(p));
        assert_eq!(info.people(Role::Director).collect::<Vec<_>>(), vec![p]);
    }

    #[test]
    fn titles_without_a_clean_year_are_kept_whole() {
        assert_eq!(split_title_year("(1995)"), ("(1995)", None));
        assert_eq!(split_title_year("Heat (19x5)"), ("Heat (19x5)", None));
        assert_eq!(split_title_year("Été (1995)"), ("Été", Some(1995)));
        assert_eq!(split_title_year(""), ("", None));
    }

    #[test]
    fn serde_round_trip() {
        let mut c = Catalog::new();
        c.item_mut(0).unwrap().title = Some("A".into());
        c.add_credit(1, "x", Some("X"), Role::Writer).unwrap();
        let bytes = bincode::serde::encode_to_vec(&c, bincode::config::standard()).unwrap();
        let (back, _): (Catalog, usize) =
            bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
        assert_eq!(back, c);
        assert_eq!(back.person_index("x"), Some(0));
    }

    /// Each item's credits as `(role, person id, name)`, sorted: what renumbering keeps.
    fn credits_by_id(c: &Catalog) -> Vec<Vec<(Role, String, Option<String>)>> {
        c.iter()
            .map(|(_, info)| {
                let mut credits: Vec<_> = info
                    .credits
                    .iter()
                    .map(|credit| {
                        (
                            credit.role,
                            c.person_id(credit.person).unwrap().to_string(),
                            c.person_name(credit.person).map(str::to_string),
                        )
                    })
                    .collect();
                credits.sort();
                credits
            })
            .collect()
    }

    #[test]
    fn sorted_people_keep_every_credit_and_pack_losslessly() {
        use crate::codec::{with_floats, FloatEncoding};
        let mut c = Catalog::new();
        for (item, person, name, role) in [
            (0, "m.0zz", Some("Zed"), Role::Actor),
            (0, "m.0ab", None, Role::Director),
            (0, "m.0ac", Some("Ace"), Role::Actor),
            (1, "m.0zz", None, Role::Writer),
            (1, "m.0aa", None, Role::Producer),
            (2, "m.0ac", None, Role::Actor),
        ] {
            c.add_credit(item, person, name, role).unwrap();
        }
        let before = credits_by_id(&c);
        // Packed and unpacked as they are (any order), then sorted and packed again.
        for sort in [false, true] {
            if sort {
                c.sort_people();
                assert_eq!(c.people.ids(), ["m.0aa", "m.0ab", "m.0ac", "m.0zz"]);
                let roles: Vec<Role> = c.item(0).unwrap().credits.iter().map(|x| x.role).collect();
                assert_eq!(roles, [Role::Actor, Role::Actor, Role::Director]);
            }
            assert_eq!(credits_by_id(&c), before);
            let bytes = with_floats(FloatEncoding::Int8, || crate::codec::encode("c", &c)).unwrap();
            let (back, _): (Catalog, usize) = with_floats(FloatEncoding::Int8, || {
                bincode::serde::decode_from_slice(&bytes, crate::codec::config())
            })
            .unwrap();
            assert_eq!(back, c);
        }
        assert_eq!(c.person_name(c.person_index("m.0ac").unwrap()), Some("Ace"));
        // A packed credit pointing past the people is refused when the catalogue is checked.
        let mut forged = c.clone();
        forged.items[2].credits[0].person = 9;
        let bytes =
            with_floats(FloatEncoding::Int8, || crate::codec::encode("c", &forged)).unwrap();
        let err = with_floats(FloatEncoding::Int8, || {
            bincode::serde::decode_from_slice::<Catalog, _>(&bytes, crate::codec::config())
        })
        .unwrap_err();
        assert!(err.to_string().contains("person 9"), "{err}");
    }
}
