//! The catalogue's genres indexed once per model: a request resolves a genre name and the items
//! of a genre without scanning the catalogue and comparing strings per item.

use crate::data::Catalog;

/// Every genre of a catalogue (ASCII case-insensitively distinct), with its items.
#[derive(Clone, Debug, Default)]
pub(super) struct GenreIndex {
    /// Sorted by `key`.
    genres: Vec<Genre>,
}

#[derive(Clone, Debug)]
struct Genre {
    /// The name in ASCII lower case.
    key: String,
    /// The catalogue's spelling: the least (in byte order) of those matching `key`, as
    /// `Catalog::genres` lists them first.
    name: String,
    /// Items having the genre, ascending.
    items: Vec<u32>,
}

impl GenreIndex {
    pub(super) fn new(catalog: &Catalog) -> Self {
        let mut genres: Vec<Genre> = Vec::new();
        for (item, info) in catalog.iter() {
            for name in &info.genres {
                let key = name.to_ascii_lowercase();
                match genres.binary_search_by(|g| g.key.as_str().cmp(&key)) {
                    Ok(position) => {
                        let genre = &mut genres[position];
                        if name < &genre.name {
                            genre.name.clone_from(name);
                        }
                        // An item lists a genre once (`ItemInfo::add_genre`), but spellings
                        // may differ only in case in a hand-built catalogue.
                        if genre.items.last() != Some(&item) {
                            genre.items.push(item);
                        }
                    }
                    Err(position) => genres.insert(
                        position,
                        Genre {
                            key,
                            name: name.clone(),
                            items: vec![item],
                        },
                    ),
                }
            }
        }
        Self { genres }
    }

    fn find(&self, genre: &str) -> Option<&Genre> {
        // Keys are ASCII lower case: compare without allocating a lowered copy.
        let lowered = || genre.bytes().map(|b| b.to_ascii_lowercase());
        self.genres
            .binary_search_by(|g| g.key.bytes().cmp(lowered()))
            .ok()
            .map(|position| &self.genres[position])
    }

    /// The catalogue's spelling of `genre` (ASCII case-insensitive).
    pub(super) fn name(&self, genre: &str) -> Option<&str> {
        self.find(genre).map(|g| g.name.as_str())
    }

    /// The items having `genre` (ASCII case-insensitive), ascending; empty for an unknown one.
    pub(super) fn items(&self, genre: &str) -> &[u32] {
        self.find(genre).map_or(&[], |g| g.items.as_slice())
    }

    /// `n` flags: whether each item has at least one of `genres`.
    pub(super) fn any_of<S: AsRef<str>>(&self, genres: &[S], n: usize) -> Vec<bool> {
        let mut flags = vec![false; n];
        for genre in genres {
            for &item in self.items(genre.as_ref()) {
                if let Some(flag) = flags.get_mut(item as usize) {
                    *flag = true;
                }
            }
        }
        flags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genres_are_found_case_insensitively_with_the_catalogue_spelling() {
        let mut catalog = Catalog::new();
        catalog.ensure_len(4).unwrap();
        catalog.item_mut(0).unwrap().add_genre("Sci-Fi");
        catalog.item_mut(1).unwrap().add_genre("sci-fi");
        catalog.item_mut(1).unwrap().add_genre("Crime");
        catalog.item_mut(3).unwrap().add_genre("Crime");
        let index = GenreIndex::new(&catalog);
        // The least spelling, as `Catalog::genres` lists it first.
        assert_eq!(index.name("SCI-FI"), Some("Sci-Fi"));
        assert_eq!(catalog.genres()[1], "Sci-Fi");
        assert_eq!(index.name("crime"), Some("Crime"));
        assert_eq!(index.name("Drama"), None);
        assert_eq!(index.items("sci-fi"), [0, 1]);
        assert_eq!(index.items("Crime"), [1, 3]);
        assert!(index.items("Drama").is_empty());
        assert_eq!(
            index.any_of(&["crime", "Drama"], 4),
            [false, true, false, true]
        );
        for (_, info) in catalog.iter() {
            for genre in ["Sci-Fi", "CRIME"] {
                let item_has = index.items(genre).iter().any(|&i| {
                    catalog
                        .item(i)
                        .is_some_and(|other| std::ptr::eq(other, info))
                });
                assert_eq!(item_has, info.has_genre(genre));
            }
        }
    }
}
