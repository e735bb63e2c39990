//! Natural-language discovery: "feel-good sci-fi from the 90s", "dark crime like Fargo",
//! "something with Tom Hanks but not a drama".
//!
//! A query is read into explicit constraints ([`parse`]): genres (with synonyms) and people are
//! required, years and decades bound the release year, negated ones exclude, "like `<title>`"
//! ranks by similarity to that title, mood words lean to genres. The words left over are
//! embedded with a vocabulary derived from the catalogue ([`index`]): each word is the centroid
//! of the item vectors (stored text embeddings when the model has them, otherwise ALS factors)
//! of the items whose title, tags or text hold it. So serving and the browser never run a text
//! model, and an artifact of any version discovers.
//!
//! Items meeting the constraints are ranked by those similarities blended with the user's
//! personal score (the ALS fold-in of the history) or, for a visitor, popularity; each result
//! says which of the query's terms and period it matches.

mod index;
mod parse;

use serde::{Deserialize, Serialize};

pub(super) use index::DiscoveryIndex;
pub use parse::YearRange;

use crate::explain::{CitedItem, ItemRef, Reason};
use crate::linalg::{dot_f32, dot_rows};
use crate::models::als::FoldIn;
use crate::models::History;
use crate::topk::TopK;
use crate::{Error, Result};

use super::blend::z_score;
use super::reasons::Row;
use super::resolve::{Resolved, Stance};
use super::{Query, Recommendation, Recommender, ScoreParts, UserHistory, SIMILAR_CONTENT_WEIGHT};
use index::CatalogLexicon;
use parse::Parsed;

/// Longest query, in bytes.
pub const MAX_QUERY_BYTES: usize = 1000;

/// Weight of the free words' embedding similarity (z-scored over the candidates).
const TEXT_WEIGHT: f32 = 1.0;
/// Weight of holding the free words literally (the idf-weighted share held, in `[0, 1]`).
const LEXICAL_WEIGHT: f32 = 1.5;
/// Weight of the similarity to the "like" titles (z-scored).
const LIKE_WEIGHT: f32 = 1.5;
/// Weight of the share of mood words whose genres the item has.
const MOOD_WEIGHT: f32 = 0.75;
/// Weight of the user's personal score (z-scored ALS fold-in) when the history likes items.
const PERSONAL_WEIGHT: f32 = 0.6;
/// Weight of (z-scored, log) popularity: a visitor's only personal signal, a tie-breaker
/// for a known user.
const POPULARITY_WEIGHT: f32 = 0.5;
const POPULARITY_WEIGHT_WITH_HISTORY: f32 = 0.25;
/// A like-title's similarity must be this many standard deviations above the candidates'
/// mean for a result to cite it.
const CITE_SIMILAR_Z: f32 = 0.5;

/// A person a query named, by the catalogue's id and name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PersonRef {
    /// The catalogue's person id.
    pub person_id: String,
    /// Display name.
    pub name: String,
}

/// What [`Recommender::discover`] read from a query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DiscoveryQuery {
    /// Required genres (catalogue spelling): every one, or any one with [`Self::any_genre`].
    pub genres: Vec<String>,
    /// Whether the query joined its genres with "or".
    pub any_genre: bool,
    /// Genres the results must not have.
    pub excluded_genres: Vec<String>,
    /// Release periods; a result falls in one of them (none: any year).
    pub years: Vec<YearRange>,
    /// Release periods a result must not fall in.
    pub excluded_years: Vec<YearRange>,
    /// People every result credits.
    pub people: Vec<PersonRef>,
    /// People no result credits.
    pub excluded_people: Vec<PersonRef>,
    /// Titles the results should resemble ("like Fargo").
    pub like: Vec<ItemRef>,
    /// Titles left out of the results ("not like Fargo").
    pub excluded_like: Vec<ItemRef>,
    /// Mood words ("feel-good", "dark"): a lean to their genres, not a filter.
    pub moods: Vec<String>,
    /// Free words used for text similarity (found in some item's title, tags or text).
    pub words: Vec<String>,
    /// Free words no item holds, and names after "with", "starring", "by" the catalogue does
    /// not know (ignored).
    pub unmatched_words: Vec<String>,
}

/// The answer to [`Recommender::discover`]: the query as read, and results shaped like
/// [`Recommendations`](super::Recommendations)' (with the sentence).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Discovery {
    /// The constraints and words read from the query.
    pub query: DiscoveryQuery,
    /// The items, best first.
    pub items: Vec<Recommendation>,
    /// History ids the recommender does not know (ignored), sorted.
    pub unknown_ids: Vec<String>,
    /// The fingerprint of the model that answered.
    pub model: String,
}

/// The query's free words as one vector in the item space, and the literal matches.
struct TextQuery {
    /// Per item: the embedding similarity (unnormalised).
    similarity: Vec<f32>,
    /// Per item: the idf-weighted share of the words it holds literally.
    lexical: Vec<f32>,
    /// Per item: which words (indices into the used words) it holds, as a bit set.
    held: Vec<u64>,
}

impl Recommender {
    /// Items for a natural-language query, blended with the user's taste: explicit
    /// constraints (genres and synonyms, years and decades, people, "like `<title>`", negations,
    /// mood words) filter and steer, the other words rank by text similarity, and the
    /// history's personal score (or popularity for a visitor) breaks ties. Seen and disliked
    /// items are left out, as in [`Recommender::recommend`]. Each result's reasons say which
    /// of the query's terms and period it matches and which "like" title it resembles.
    ///
    /// ```
    /// use recsys_core::prelude::*;
    /// let mut ds = Dataset::new();
    /// for (user, item) in [("a", "alien"), ("a", "aliens"), ("b", "alien"), ("b", "aliens"),
    ///                      ("c", "fargo"), ("c", "heat"), ("d", "heat"), ("d", "alien")] {
    ///     ds.add_event(user, item, Feedback::Like, 0)?;
    /// }
    /// ds.item("alien").title("Alien").year(1979).genre("Sci-Fi").genre("Horror");
    /// ds.item("aliens").title("Aliens").year(1986).genre("Sci-Fi").genre("Action");
    /// ds.item("fargo").title("Fargo").year(1996).genre("Crime");
    /// ds.item("heat").title("Heat").year(1995).genre("Crime").genre("Action");
    /// let rec = RecommenderBuilder::new().als(AlsConfig::new().factors(2)).fit(&ds)?;
    /// let found = rec.discover(&UserHistory::new(), "sci-fi from the 80s", 10)?;
    /// assert_eq!(found.query.genres, ["Sci-Fi"]);
    /// assert_eq!(found.items.len(), 1);
    /// assert_eq!(found.items[0].item_id, "aliens");
    /// assert_eq!(found.items[0].sentence(), "Matches 'sci-fi', 1980s");
    /// let found = rec.discover(&UserHistory::new(), "crime like Fargo but no action", 10)?;
    /// assert!(found.items.is_empty()); // Heat is an action film, Fargo the seed
    /// # Ok::<(), recsys_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `n` above [`Query::MAX_N`], a query longer than
    /// [`MAX_QUERY_BYTES`], or a history failing [`UserHistory::validate`].
    pub fn discover(&self, history: &UserHistory, query: &str, n: usize) -> Result<Discovery> {
        if n > Query::MAX_N {
            return Err(Error::invalid(
                "n",
                format!("at most {} results, got {n}", Query::MAX_N),
            ));
        }
        if query.len() > MAX_QUERY_BYTES {
            return Err(Error::invalid(
                "query",
                format!("at most {MAX_QUERY_BYTES} bytes, got {}", query.len()),
            ));
        }
        history.validate()?;
        let index = self
            .discovery
            .get_or_init(|| DiscoveryIndex::new(&self.catalog, &self.interaction_counts));
        let lexicon = CatalogLexicon {
            index,
            genres: &self.genres,
        };
        let parsed = parse::parse(query, &lexicon);
        let mut unknown = Vec::new();
        let resolved = self.resolve(history, &mut unknown);
        unknown.sort();
        unknown.dedup();
        let (used_words, mut unmatched_words): (Vec<String>, Vec<String>) = parsed
            .words
            .iter()
            .cloned()
            .partition(|w| index.postings(w).is_some());
        for name in &parsed.unresolved_names {
            unmatched_words.extend(name.split(' ').map(str::to_string));
        }
        let rows = self.discover_rows(&parsed, &used_words, &resolved, index, n)?;
        // Results carry their sentence, as `recommend`'s do when asked.
        let items = self.present(rows, &Query::new(super::List::ForYou).explain(true));
        Ok(Discovery {
            query: self.describe(&parsed, used_words, unmatched_words),
            items,
            unknown_ids: unknown,
            model: self.fingerprint().to_string(),
        })
    }

    /// The allowed items, scored and explained.
    fn discover_rows(
        &self,
        parsed: &Parsed,
        used_words: &[String],
        history: &Resolved,
        index: &DiscoveryIndex,
        n: usize,
    ) -> Result<Vec<Row>> {
        let n_items = self.items.len();
        let allowed = self.discover_allowed(parsed, history);
        if n == 0 || !allowed.iter().any(|&a| a) {
            return Ok(Vec::new());
        }
        let is_allowed = |i: usize| allowed[i];
        let mut content = vec![0.0f32; n_items];
        // Free words: embedding similarity and literal matches.
        let text = (!used_words.is_empty()).then(|| self.text_query(used_words, index));
        if let Some(text) = &text {
            let mut similarity = text.similarity.clone();
            z_score(&mut similarity, is_allowed, 0.0);
            for ((c, s), l) in content.iter_mut().zip(&similarity).zip(&text.lexical) {
                *c += TEXT_WEIGHT * s + LEXICAL_WEIGHT * l;
            }
        }
        // "Like <title>": similarity to the titles, as the similar-items list measures it.
        let mut like = Vec::new();
        if !parsed.like.is_empty() {
            like = vec![0.0f32; n_items];
            for &seed in &parsed.like {
                for (total, s) in like.iter_mut().zip(self.similarity_to(seed)) {
                    *total += s / parsed.like.len() as f32;
                }
            }
            z_score(&mut like, is_allowed, 0.0);
            for (c, &l) in content.iter_mut().zip(&like) {
                *c += LIKE_WEIGHT * l;
            }
        }
        // Moods: the share of mood words whose genres the item has.
        let mood_matches = |item: u32| -> Vec<&str> {
            let Some(info) = self.catalog.item(item) else {
                return Vec::new();
            };
            parsed
                .moods
                .iter()
                .filter(|m| m.genres.iter().any(|g| info.has_genre(g)))
                .map(|m| m.word)
                .collect()
        };
        if !parsed.moods.is_empty() {
            for (i, c) in content.iter_mut().enumerate() {
                let share = mood_matches(i as u32).len() as f32 / parsed.moods.len() as f32;
                *c += MOOD_WEIGHT * share;
            }
        }
        // The user's own taste, or popularity.
        let (personal, fold) = self.personal_scores(history)?;
        let popularity_weight = if personal.is_some() {
            POPULARITY_WEIGHT_WITH_HISTORY
        } else {
            POPULARITY_WEIGHT
        };
        let mut top = TopK::new(n);
        let mut parts = vec![ScoreParts::default(); n_items];
        for (i, part) in parts.iter_mut().enumerate() {
            if !allowed[i] {
                continue;
            }
            *part = ScoreParts {
                collaborative: personal.as_ref().map_or(0.0, |p| PERSONAL_WEIGHT * p[i]),
                content: content[i],
                popularity: popularity_weight * self.popularity[i],
            };
            top.push(
                i as u32,
                part.collaborative + part.content + part.popularity,
            );
        }
        let k = self.als.factors();
        top.into_sorted_vec()
            .into_iter()
            .map(|scored| {
                let item = scored.item;
                let i = item as usize;
                let mut reasons = Vec::new();
                let mut terms: Vec<String> = Vec::new();
                let info = self.catalog.item(item);
                let mut add = |term: &str| {
                    if !terms.iter().any(|t| t == term) {
                        terms.push(term.to_string());
                    }
                };
                for genre in &parsed.genres {
                    if info.is_some_and(|info| info.has_genre(&genre.value)) {
                        add(&genre.written);
                    }
                }
                for person in &parsed.people {
                    add(&person.written);
                }
                for word in mood_matches(item) {
                    add(word);
                }
                if let Some(text) = &text {
                    for (w, word) in used_words.iter().enumerate().take(64) {
                        if text.held[i] & (1 << w) != 0 {
                            add(word);
                        }
                    }
                }
                let period = info
                    .and_then(|info| info.year)
                    .and_then(|year| parsed.years.iter().find(|r| r.contains(year)))
                    .map(|r| r.label.clone());
                if !terms.is_empty() || period.is_some() {
                    reasons.push(Reason::MatchesQuery { terms, period });
                }
                if like.get(i).is_some_and(|&z| z >= CITE_SIMILAR_Z) {
                    // The seed it resembles most.
                    let best = parsed.like.iter().copied().max_by(|&a, &b| {
                        let sim = |seed: u32| self.pair_similarity(seed, item);
                        sim(a).total_cmp(&sim(b))
                    });
                    if let Some(seed) = best {
                        reasons.push(Reason::SimilarTo {
                            item: self.item_ref(seed),
                        });
                    }
                }
                if let (Some(fold), true) = (&fold, parts[i].collaborative > 0.0) {
                    let y = match self.cold.vector(item, k) {
                        Some(y) => y,
                        None => self.als.item_vector(item)?,
                    };
                    let liked = fold
                        .contributions_of(&self.als, y)?
                        .into_iter()
                        .filter(|&(j, c)| c > 0.0 && history.stance(j) == Stance::Liked)
                        .collect::<Vec<_>>();
                    let total: f64 = liked.iter().map(|&(_, c)| c).sum();
                    let mut cited: Vec<CitedItem> = liked
                        .iter()
                        .map(|&(j, c)| CitedItem::new(self.item_ref(j), (c / total) as f32))
                        .collect();
                    cited.sort_by(|a, b| b.share.total_cmp(&a.share));
                    cited.truncate(2);
                    if !cited.is_empty() {
                        reasons.push(Reason::BecauseYouLiked { items: cited });
                    }
                }
                if reasons.is_empty() {
                    reasons.push(self.popular_reason(item));
                }
                if !self.is_warm(item) {
                    reasons.push(Reason::NewArrival);
                }
                Ok(Row {
                    item,
                    score: scored.score,
                    parts: parts[i],
                    collaborative: None,
                    reasons,
                })
            })
            .collect()
    }

    /// Which items a query allows: unseen, not disliked, not a "like" title, and meeting
    /// every hard constraint.
    fn discover_allowed(&self, parsed: &Parsed, history: &Resolved) -> Vec<bool> {
        let mut allowed = vec![true; self.items.len()];
        for &item in history.seen.iter().chain(&history.disliked) {
            allowed[item as usize] = false;
        }
        for &item in parsed.like.iter().chain(&parsed.excluded_like) {
            allowed[item as usize] = false;
        }
        for (item, info) in self.catalog.iter() {
            let Some(flag) = allowed.get_mut(item as usize) else {
                continue;
            };
            if !*flag {
                continue;
            }
            let has_genre = |g: &parse::Mention<String>| info.has_genre(&g.value);
            let credits =
                |p: &parse::Mention<u32>| info.credits.iter().any(|c| c.person == p.value);
            let genres_ok = parsed.genres.is_empty()
                || if parsed.any_genre {
                    parsed.genres.iter().any(has_genre)
                } else {
                    parsed.genres.iter().all(has_genre)
                };
            let years_ok = match info.year {
                Some(year) => {
                    (parsed.years.is_empty() || parsed.years.iter().any(|r| r.contains(year)))
                        && !parsed.excluded_years.iter().any(|r| r.contains(year))
                }
                None => parsed.years.is_empty(),
            };
            *flag = genres_ok
                && years_ok
                && !parsed.excluded_genres.iter().any(has_genre)
                && parsed.people.iter().all(credits)
                && !parsed.excluded_people.iter().any(credits);
        }
        allowed
    }

    /// The vector an item has in the text space: its stored text embedding when the model
    /// has them, otherwise its unit ALS factors (zero for an item without either).
    fn item_vector(&self, item: usize) -> Option<&[f32]> {
        let features = self.content.features();
        if features.embedding_dim().is_some() {
            return features.embedding(item);
        }
        let k = self.als.factors();
        self.unit_factors.get(item * k..(item + 1) * k)
    }

    /// The free words embedded as one vector (each word the centroid of its items' vectors,
    /// weighted by its idf) and compared with every item; and the literal matches.
    fn text_query(&self, words: &[String], index: &DiscoveryIndex) -> TextQuery {
        let n_items = self.items.len();
        let dim = self.item_vector(0).map_or(0, <[f32]>::len);
        let mut query = vec![0.0f32; dim];
        let mut lexical = vec![0.0f32; n_items];
        let mut held = vec![0u64; n_items];
        let mut total_idf = 0.0f32;
        for (w, word) in words.iter().enumerate() {
            let Some(items) = index.postings(word) else {
                continue;
            };
            let idf = ((1 + n_items) as f32 / (1 + items.len()) as f32).ln() + 1.0;
            total_idf += idf;
            let mut centroid = vec![0.0f32; dim];
            for &item in items {
                lexical[item as usize] += idf;
                if w < 64 {
                    held[item as usize] |= 1 << w;
                }
                if let Some(v) = self.item_vector(item as usize) {
                    centroid.iter_mut().zip(v).for_each(|(c, x)| *c += x);
                }
            }
            let norm = crate::linalg::norm(&centroid);
            if norm > 0.0 {
                query
                    .iter_mut()
                    .zip(&centroid)
                    .for_each(|(q, c)| *q += idf * c / norm);
            }
        }
        if total_idf > 0.0 {
            lexical.iter_mut().for_each(|l| *l /= total_idf);
        }
        let mut similarity = vec![0.0f32; n_items];
        if dim > 0 {
            for (i, s) in similarity.iter_mut().enumerate() {
                if let Some(v) = self.item_vector(i) {
                    *s = dot_f32(v, &query);
                }
            }
        }
        TextQuery {
            similarity,
            lexical,
            held,
        }
    }

    /// Every item's similarity to `seed` as the similar-items list scores it: ALS cosine plus
    /// weighted content similarity.
    fn similarity_to(&self, seed: u32) -> Vec<f32> {
        let k = self.als.factors();
        let mut scores = vec![0.0f32; self.items.len()];
        let seed_vector = &self.unit_factors[seed as usize * k..(seed as usize + 1) * k];
        dot_rows(&self.unit_factors, k, seed_vector, &mut scores);
        if let Ok((items, similarities)) = self.neighbors.neighbors(seed) {
            for (&i, &similarity) in items.iter().zip(similarities) {
                scores[i as usize] += SIMILAR_CONTENT_WEIGHT * similarity;
            }
        }
        scores
    }

    /// One pair's similarity as [`Recommender::similarity_to`] scores it.
    fn pair_similarity(&self, seed: u32, item: u32) -> f32 {
        let k = self.als.factors();
        let (a, b) = (seed as usize * k, item as usize * k);
        let mut score = dot_f32(&self.unit_factors[a..a + k], &self.unit_factors[b..b + k]);
        if let Ok((items, similarities)) = self.neighbors.neighbors(seed) {
            if let Some(at) = items.iter().position(|&i| i == item) {
                score += SIMILAR_CONTENT_WEIGHT * similarities[at];
            }
        }
        score
    }

    /// The z-scored ALS fold-in of a history that likes something (and the fold-in, for
    /// citing history items), or `None`.
    fn personal_scores(&self, history: &Resolved) -> Result<(Option<Vec<f32>>, Option<FoldIn>)> {
        if history.liked == 0 {
            return Ok((None, None));
        }
        let fold = FoldIn::with_gram(
            &self.als,
            &self.gram,
            History::new(&history.items, &history.values),
        )?;
        let k = self.als.factors();
        let mut scores = vec![0.0f32; self.items.len()];
        dot_rows(
            self.als.item_factor_rows(),
            k,
            fold.user_vector(),
            &mut scores,
        );
        for (item, y) in self.cold.iter(k) {
            scores[item as usize] = dot_f32(y, fold.user_vector());
        }
        let estimated =
            |i: usize| self.is_warm(i as u32) || self.cold.vector(i as u32, k).is_some();
        z_score(&mut scores, estimated, 0.0);
        Ok((Some(scores), Some(fold)))
    }

    /// The parsed query by external ids and names.
    fn describe(
        &self,
        parsed: &Parsed,
        words: Vec<String>,
        unmatched_words: Vec<String>,
    ) -> DiscoveryQuery {
        let person = |m: &parse::Mention<u32>| PersonRef {
            person_id: self
                .catalog
                .person_id(m.value)
                .unwrap_or_default()
                .to_string(),
            name: self
                .catalog
                .person_name(m.value)
                .unwrap_or(&m.written)
                .to_string(),
        };
        let values = |mentions: &[parse::Mention<String>]| -> Vec<String> {
            mentions.iter().map(|m| m.value.clone()).collect()
        };
        DiscoveryQuery {
            genres: values(&parsed.genres),
            any_genre: parsed.any_genre,
            excluded_genres: values(&parsed.excluded_genres),
            years: parsed.years.clone(),
            excluded_years: parsed.excluded_years.clone(),
            people: parsed.people.iter().map(person).collect(),
            excluded_people: parsed.excluded_people.iter().map(person).collect(),
            like: parsed.like.iter().map(|&i| self.item_ref(i)).collect(),
            excluded_like: parsed
                .excluded_like
                .iter()
                .map(|&i| self.item_ref(i))
                .collect(),
            moods: parsed.moods.iter().map(|m| m.word.to_string()).collect(),
            words,
            unmatched_words,
        }
    }
}
