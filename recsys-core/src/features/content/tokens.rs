//! Tokens: what an item's metadata turns into (kinds, block weights, vocabulary).

use super::*;

/// What a content token describes. Tokens of one kind form one block of an item's vector, so a
/// kind's weight sets its share of the similarity (see [`ContentFeaturesConfig`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TokenKind {
    /// A genre of the item file (`genre:comedy`).
    Genre,
    /// The release decade (`decade:1990s`).
    Decade,
    /// The release year in buckets of [`ContentFeaturesConfig::year_bucket`] years
    /// (`year:1995`; `year:1994-1995` with 2-year buckets).
    Year,
    /// A user tag (`tag:twist ending`); repeated tags weigh more (`1 + ln(count)`).
    Tag,
    /// A cast member (`actor:<person id>`).
    Actor,
    /// A director (`director:<person id>`).
    Director,
    /// A writer (`writer:<person id>`).
    Writer,
    /// A producer (`producer:<person id>`).
    Producer,
    /// Any other catalog fact (`attr:film.film.language=m.02h40lc`): knowledge-graph genres,
    /// languages, countries, awards, studios, …
    Attribute,
    /// A lowercased word of the title (`title:star`), stop words and one-letter words left out.
    TitleWord,
}

/// Number of [`TokenKind`]s.
pub(super) const N_KINDS: usize = 10;

impl TokenKind {
    /// Every kind, in declaration order.
    pub const ALL: [TokenKind; N_KINDS] = [
        TokenKind::Genre,
        TokenKind::Decade,
        TokenKind::Year,
        TokenKind::Tag,
        TokenKind::Actor,
        TokenKind::Director,
        TokenKind::Writer,
        TokenKind::Producer,
        TokenKind::Attribute,
        TokenKind::TitleWord,
    ];

    /// The prefix of this kind's token strings: `genre`, `decade`, `year`, `tag`, `actor`,
    /// `director`, `writer`, `producer`, `attr`, `title`.
    ///
    /// ```
    /// use recsys_core::features::TokenKind;
    /// assert_eq!(TokenKind::Director.as_str(), "director");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Genre => "genre",
            TokenKind::Decade => "decade",
            TokenKind::Year => "year",
            TokenKind::Tag => "tag",
            TokenKind::Actor => "actor",
            TokenKind::Director => "director",
            TokenKind::Writer => "writer",
            TokenKind::Producer => "producer",
            TokenKind::Attribute => "attr",
            TokenKind::TitleWord => "title",
        }
    }

    /// The kind of a person's credit.
    pub fn from_role(role: Role) -> Self {
        match role {
            Role::Actor => TokenKind::Actor,
            Role::Director => TokenKind::Director,
            Role::Writer => TokenKind::Writer,
            Role::Producer => TokenKind::Producer,
        }
    }

    /// The credit role of a person kind, `None` for other kinds.
    pub fn role(self) -> Option<Role> {
        match self {
            TokenKind::Actor => Some(Role::Actor),
            TokenKind::Director => Some(Role::Director),
            TokenKind::Writer => Some(Role::Writer),
            TokenKind::Producer => Some(Role::Producer),
            _ => None,
        }
    }

    pub(super) fn index(self) -> usize {
        self as usize
    }
}

/// One weight per [`TokenKind`]; a kind with weight 0 is left out of the features.
///
/// ```
/// use recsys_core::features::{TokenKind, TokenWeights};
/// let w = TokenWeights::uniform(1.0).with(TokenKind::Actor, 0.5);
/// assert_eq!(w.get(TokenKind::Actor), 0.5);
/// assert_eq!(w.get(TokenKind::Genre), 1.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenWeights([f32; N_KINDS]);

impl TokenWeights {
    /// The same weight for every kind.
    pub fn uniform(weight: f32) -> Self {
        Self([weight; N_KINDS])
    }

    /// The weight of `kind`.
    pub fn get(&self, kind: TokenKind) -> f32 {
        self.0[kind.index()]
    }

    /// Sets the weight of `kind`.
    pub fn with(mut self, kind: TokenKind, weight: f32) -> Self {
        self.0[kind.index()] = weight;
        self
    }
}

impl Default for TokenWeights {
    /// Weights chosen on the MovieLens-100K validation split (content-only nDCG@10, coordinate
    /// search in `tests/content_movielens.rs`): genres 2, decade 2, year 0.5, tags 1 (ML-100K
    /// has none), directors 1, writers 1; actors, producers, other attributes and title words 0.
    ///
    /// The people weights could not really be tuned there: in the RecBole ML-100K knowledge
    /// graph, films that share a "director" are no closer in year or genre than random pairs
    /// (mean |Δyear| 11.2 vs 11.5, share a genre 33 % vs 35 %), so the item ↔ entity links look
    /// scrambled and cast tokens only add noise (actors at 0.25: nDCG 0.048 instead of 0.053).
    /// With a catalog whose credits are trustworthy, try actors at 0.25–0.5.
    fn default() -> Self {
        Self([2.0, 2.0, 0.5, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    }
}

/// Splits a [`Catalog::content_tokens`] string into its kind and the text after the prefix.
pub(super) fn classify(token: &str) -> (TokenKind, &str) {
    if let Some((prefix, rest)) = token.split_once(':') {
        let kind = match prefix {
            "genre" => Some(TokenKind::Genre),
            "tag" => Some(TokenKind::Tag),
            "actor" => Some(TokenKind::Actor),
            "director" => Some(TokenKind::Director),
            "writer" => Some(TokenKind::Writer),
            "producer" => Some(TokenKind::Producer),
            _ => None,
        };
        if let Some(kind) = kind {
            return (kind, rest);
        }
    }
    (TokenKind::Attribute, token)
}

/// Words too common in titles to say anything about the content.
pub(super) const TITLE_STOP_WORDS: [&str; 12] = [
    "the", "a", "an", "of", "and", "in", "to", "on", "for", "la", "le", "de",
];

pub(super) fn title_words(info: &ItemInfo) -> Vec<String> {
    let Some(title) = info.title.as_deref() else {
        return Vec::new();
    };
    let mut words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() > 1 && !TITLE_STOP_WORDS.contains(&w.as_str()))
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

pub(super) fn token_string(kind: TokenKind, text: &str) -> String {
    format!("{}:{text}", kind.as_str())
}

/// The tokens of a [`ContentFeatures`]: strings `"<kind>:<text>"` ⇄ dense indices, with each
/// token's kind, document frequency and IDF. Tokens are sorted by kind, then text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Vocabulary {
    pub(super) tokens: IdMap,
    pub(super) kinds: Vec<TokenKind>,
    pub(super) document_frequency: Vec<u32>,
    pub(super) idf: Vec<f32>,
}

impl Vocabulary {
    pub(super) fn push(&mut self, kind: TokenKind, text: &str, df: u32, idf: f32) {
        self.tokens.get_or_insert(&token_string(kind, text));
        self.kinds.push(kind);
        self.document_frequency.push(df);
        self.idf.push(idf);
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// The index of a token string such as `"genre:comedy"`.
    pub fn index_of(&self, token: &str) -> Option<u32> {
        self.tokens.index_of(token)
    }

    /// The index of the token of `kind` with `text` (e.g. `(Director, "m.0bln8")`).
    pub fn find(&self, kind: TokenKind, text: &str) -> Option<u32> {
        self.index_of(&token_string(kind, text))
    }

    /// The full token string, e.g. `"director:m.0bln8"`.
    pub fn token(&self, index: u32) -> Option<&str> {
        self.tokens.id_of(index)
    }

    /// The token's text after its kind prefix: a genre name, a person id, `key=value`, …
    pub fn text(&self, index: u32) -> Option<&str> {
        let kind = self.kind(index)?;
        self.token(index)?.get(kind.as_str().len() + 1..)
    }

    /// The token's kind.
    pub fn kind(&self, index: u32) -> Option<TokenKind> {
        self.kinds.get(index as usize).copied()
    }

    /// How many items have the token.
    pub fn document_frequency(&self, index: u32) -> Option<u32> {
        self.document_frequency.get(index as usize).copied()
    }

    /// The token's inverse document frequency.
    pub fn idf(&self, index: u32) -> Option<f32> {
        self.idf.get(index as usize).copied()
    }
}
