//! What discovery looks words up in, derived from the catalogue when a recommender first
//! discovers (never stored: older artifacts discover too, and nothing is downloaded twice).

use std::collections::HashMap;

use crate::data::Catalog;

use super::super::genres::GenreIndex;
use super::parse::{words, Lexicon};

/// Longest title, in words, a query may name.
const MAX_TITLE_WORDS: usize = 8;
/// Longest person name, in words.
const MAX_NAME_WORDS: usize = 4;

/// Titles, people and the words of every item's title, tags and text.
#[derive(Clone, Debug, Default)]
pub(in crate::recommender) struct DiscoveryIndex {
    /// Normalised title ("godfather part ii") → the item with the most interactions.
    titles: HashMap<String, u32>,
    /// Normalised full name ("tom hanks") → person.
    people: HashMap<String, u32>,
    /// Word → the items whose title, tags or text hold it, ascending.
    postings: HashMap<String, Vec<u32>>,
}

/// A title as queries write it: lowercase words, a trailing ", The" moved to the front,
/// parenthesised alternatives ("Seven (Se7en)") and punctuation dropped.
pub(super) fn normalized_title(title: &str) -> String {
    let mut base = title.trim().to_string();
    // "Seventh Seal, The (Sjunde inseglet, Det)": the alternative title first goes.
    if let Some(open) = base.find(" (") {
        base.truncate(open);
    }
    for article in [
        "The", "A", "An", "Les", "La", "Le", "Il", "Das", "Die", "El",
    ] {
        if let Some(head) = base.strip_suffix(&format!(", {article}")) {
            base = format!("{article} {head}");
            break;
        }
    }
    // ", The" before a subtitle: "Godfather: Part II, The" was handled above.
    words(&base).join(" ")
}

impl DiscoveryIndex {
    pub(in crate::recommender) fn new(catalog: &Catalog, interactions: &[u32]) -> Self {
        let mut index = Self::default();
        let count = |item: u32| interactions.get(item as usize).copied().unwrap_or(0);
        for (item, info) in catalog.iter() {
            let mut item_words: Vec<String> = Vec::new();
            if let Some(title) = info.title.as_deref() {
                let key = normalized_title(title);
                if !key.is_empty() {
                    item_words.extend(key.split(' ').map(str::to_string));
                    index
                        .titles
                        .entry(key)
                        .and_modify(|best| {
                            if count(item) > count(*best) {
                                *best = item;
                            }
                        })
                        .or_insert(item);
                }
            }
            for tag in &info.tags {
                item_words.extend(words(&tag.text));
            }
            if let Some(text) = info.text.as_deref() {
                item_words.extend(words(text));
            }
            item_words.sort_unstable();
            item_words.dedup();
            for word in item_words {
                if word.chars().count() > 1 {
                    index.postings.entry(word).or_default().push(item);
                }
            }
        }
        for person in 0..catalog.n_people() as u32 {
            if let Some(name) = catalog.person_name(person) {
                let key = words(name).join(" ");
                // A name of one word ("Madonna") is too easily a common word.
                if key.contains(' ') {
                    index.people.entry(key).or_insert(person);
                }
            }
        }
        index
    }

    /// The items holding `word` (or its singular or plural), with the spelling found.
    pub(super) fn postings(&self, word: &str) -> Option<&[u32]> {
        let found = self
            .postings
            .get(word)
            .or_else(|| word.strip_suffix('s').and_then(|w| self.postings.get(w)))
            .or_else(|| self.postings.get(&format!("{word}s")));
        found.map(Vec::as_slice)
    }
}

/// The index and the genres, as the parser sees them.
pub(super) struct CatalogLexicon<'a> {
    pub(super) index: &'a DiscoveryIndex,
    pub(super) genres: &'a GenreIndex,
}

impl Lexicon for CatalogLexicon<'_> {
    fn genre(&self, name: &str) -> Option<String> {
        self.genres.name(name).map(str::to_string)
    }

    fn title(&self, words: &[&str]) -> Option<(usize, u32)> {
        (1..=words.len().min(MAX_TITLE_WORDS))
            .rev()
            .find_map(|len| Some((len, *self.index.titles.get(&words[..len].join(" "))?)))
    }

    fn person(&self, words: &[&str]) -> Option<(usize, u32)> {
        (2..=words.len().min(MAX_NAME_WORDS))
            .rev()
            .find_map(|len| Some((len, *self.index.people.get(&words[..len].join(" "))?)))
    }
}
