//! Reading a discovery query: explicit constraints (genres and their synonyms, moods, years and
//! decades, people, "like `<title>`", negations) and the free words left for text similarity.
//!
//! The parser knows the catalogue only through a [`Lexicon`], so it is tested on small word
//! lists and reads every catalogue the same way.

use serde::{Deserialize, Serialize};

/// What a query parser needs to know about a catalogue.
pub(super) trait Lexicon {
    /// The catalogue's spelling of a genre name (ASCII case-insensitive), if any item has it.
    fn genre(&self, name: &str) -> Option<String>;
    /// The longest run of `words` (from the start, at most 8) that names a title: its length
    /// and the item.
    fn title(&self, words: &[&str]) -> Option<(usize, u32)>;
    /// The longest run of `words` (from the start, 2 to 4) that is a person's full name: its
    /// length and the person.
    fn person(&self, words: &[&str]) -> Option<(usize, u32)>;
}

/// A release-year range read from a query, with its label as results cite it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct YearRange {
    /// First year, inclusive (`None`: no lower bound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<i32>,
    /// Last year, inclusive (`None`: no upper bound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<i32>,
    /// How results name the range: `"1990s"`, `"1995"`, `"before 1980"`, `"1980–1990"`.
    pub label: String,
}

impl YearRange {
    fn new(from: Option<i32>, to: Option<i32>, label: String) -> Self {
        Self { from, to, label }
    }

    /// Whether `year` is in the range.
    pub fn contains(&self, year: i32) -> bool {
        self.from.is_none_or(|from| year >= from) && self.to.is_none_or(|to| year <= to)
    }
}

/// A constraint as the query wrote it and what it resolved to.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Mention<T> {
    /// The query's words (`"sci-fi"`, `"tom hanks"`).
    pub(super) written: String,
    pub(super) value: T,
}

/// A mood word and the genres it leans to (a soft preference, never a filter).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Mood {
    pub(super) word: &'static str,
    pub(super) genres: Vec<String>,
}

/// Everything read from one query, by dense indices.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Parsed {
    pub(super) genres: Vec<Mention<String>>,
    /// Whether the genres were joined by "or" (any of them), rather than all required.
    pub(super) any_genre: bool,
    pub(super) excluded_genres: Vec<Mention<String>>,
    pub(super) years: Vec<YearRange>,
    pub(super) excluded_years: Vec<YearRange>,
    pub(super) people: Vec<Mention<u32>>,
    pub(super) excluded_people: Vec<Mention<u32>>,
    pub(super) like: Vec<u32>,
    pub(super) excluded_like: Vec<u32>,
    pub(super) moods: Vec<Mood>,
    /// Words left for text similarity, lowercase, in query order, without duplicates.
    pub(super) words: Vec<String>,
    /// Capitalised names after "with", "starring", "by", … the catalogue does not know
    /// (lowercase; neither constraints nor free text).
    pub(super) unresolved_names: Vec<String>,
}

/// Genre words and phrases (lowercase) and the genre names they stand for. A name the
/// catalogue lacks is skipped (the word then counts as free text).
const GENRE_SYNONYMS: &[(&str, &[&str])] = &[
    ("sci-fi", &["Sci-Fi"]),
    ("scifi", &["Sci-Fi"]),
    ("sci fi", &["Sci-Fi"]),
    ("science fiction", &["Sci-Fi"]),
    ("science-fiction", &["Sci-Fi"]),
    ("sf", &["Sci-Fi"]),
    ("comedies", &["Comedy"]),
    ("funny", &["Comedy"]),
    ("hilarious", &["Comedy"]),
    ("comic", &["Comedy"]),
    ("humorous", &["Comedy"]),
    ("dramas", &["Drama"]),
    ("dramatic", &["Drama"]),
    ("gangster", &["Crime"]),
    ("gangsters", &["Crime"]),
    ("mafia", &["Crime"]),
    ("mob", &["Crime"]),
    ("heist", &["Crime"]),
    ("criminal", &["Crime"]),
    ("thrillers", &["Thriller"]),
    ("suspense", &["Thriller"]),
    ("suspenseful", &["Thriller"]),
    ("scary", &["Horror"]),
    ("frightening", &["Horror"]),
    ("slasher", &["Horror"]),
    ("romantic comedy", &["Romance", "Comedy"]),
    ("romantic comedies", &["Romance", "Comedy"]),
    ("rom-com", &["Romance", "Comedy"]),
    ("romcom", &["Romance", "Comedy"]),
    ("rom com", &["Romance", "Comedy"]),
    ("romantic", &["Romance"]),
    ("romances", &["Romance"]),
    ("love story", &["Romance"]),
    ("love stories", &["Romance"]),
    ("adventures", &["Adventure"]),
    ("animated", &["Animation"]),
    ("cartoon", &["Animation"]),
    ("cartoons", &["Animation"]),
    ("anime", &["Animation"]),
    ("children", &["Children's"]),
    ("childrens", &["Children's"]),
    ("kids", &["Children's"]),
    ("kid", &["Children's"]),
    ("family", &["Children's"]),
    ("documentaries", &["Documentary"]),
    ("doc", &["Documentary"]),
    ("docs", &["Documentary"]),
    ("westerns", &["Western"]),
    ("cowboy", &["Western"]),
    ("cowboys", &["Western"]),
    ("musicals", &["Musical"]),
    ("mysteries", &["Mystery"]),
    ("whodunit", &["Mystery"]),
    ("detective", &["Mystery"]),
    ("noir", &["Film-Noir"]),
    ("film noir", &["Film-Noir"]),
    ("film-noir", &["Film-Noir"]),
    ("war", &["War"]),
    ("fantasies", &["Fantasy"]),
];

/// Mood words (lowercase) and the genres they lean to.
const MOODS: &[(&str, &[&str])] = &[
    ("feel-good", &["Comedy", "Romance", "Musical", "Children's"]),
    ("feelgood", &["Comedy", "Romance", "Musical", "Children's"]),
    ("feel good", &["Comedy", "Romance", "Musical", "Children's"]),
    ("uplifting", &["Comedy", "Romance", "Musical", "Children's"]),
    (
        "heartwarming",
        &["Comedy", "Romance", "Children's", "Drama"],
    ),
    ("cheerful", &["Comedy", "Musical", "Children's"]),
    ("lighthearted", &["Comedy", "Romance", "Children's"]),
    ("light-hearted", &["Comedy", "Romance", "Children's"]),
    ("fun", &["Comedy", "Adventure", "Children's"]),
    ("dark", &["Crime", "Thriller", "Film-Noir", "Horror"]),
    ("gritty", &["Crime", "Thriller", "War"]),
    ("bleak", &["Drama", "Film-Noir", "War"]),
    ("grim", &["Crime", "Drama", "War"]),
    ("disturbing", &["Horror", "Thriller", "Crime"]),
    ("creepy", &["Horror", "Thriller"]),
    ("epic", &["War", "Adventure", "Action"]),
    ("exciting", &["Action", "Adventure", "Thriller"]),
    ("thrilling", &["Action", "Adventure", "Thriller"]),
    ("action-packed", &["Action", "Adventure"]),
    ("sad", &["Drama", "Romance"]),
    ("tearjerker", &["Drama", "Romance"]),
    ("emotional", &["Drama", "Romance"]),
    ("moving", &["Drama"]),
    ("mind-bending", &["Sci-Fi", "Mystery", "Thriller"]),
    ("cerebral", &["Sci-Fi", "Mystery", "Drama"]),
    ("thought-provoking", &["Drama", "Sci-Fi"]),
    ("quirky", &["Comedy"]),
    ("offbeat", &["Comedy"]),
];

/// Words after which capitalised words name a person ("with Tom Hanks", "by Joel Coen").
const PERSON_CUES: &[&str] = &["with", "starring", "featuring", "by"];
/// Longest name the parser sets aside when the catalogue does not know it.
const MAX_UNKNOWN_NAME_WORDS: usize = 4;

/// Words that negate the constraint after them.
const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "without",
    "except",
    "excluding",
    "avoid",
    "nothing",
    "non",
    "isn't",
    "aren't",
    "never",
    "minus",
];

/// Words a negation may skip before its constraint ("not a drama", "no more horror").
const FILLERS: &[&str] = &[
    "a", "an", "the", "any", "too", "more", "much", "from", "in", "of", "by", "with",
];

/// Words that carry no content for text similarity.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "anything",
    "are",
    "as",
    "at",
    "be",
    "best",
    "but",
    "by",
    "can",
    "could",
    "do",
    "find",
    "film",
    "films",
    "flick",
    "flicks",
    "for",
    "from",
    "give",
    "good",
    "great",
    "have",
    "i",
    "i'd",
    "i'm",
    "in",
    "into",
    "is",
    "it",
    "kind",
    "like",
    "me",
    "more",
    "movie",
    "movies",
    "my",
    "of",
    "on",
    "one",
    "ones",
    "or",
    "please",
    "recommend",
    "released",
    "set",
    "show",
    "similar",
    "so",
    "some",
    "something",
    "sort",
    "starring",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "there",
    "these",
    "this",
    "those",
    "to",
    "tonight",
    "want",
    "watch",
    "we",
    "what",
    "which",
    "with",
    "would",
    "you",
    "made",
    "era",
    "years",
    "year",
    "decade",
    "stuff",
    "type",
    "vein",
    "featuring",
    "directed",
    "between",
    "before",
    "after",
    "since",
    "until",
    "till",
    "early",
    "late",
    "mid",
    "old",
];

/// Decade words and their first year.
const DECADE_WORDS: &[(&str, i32)] = &[
    ("twenties", 1920),
    ("thirties", 1930),
    ("forties", 1940),
    ("fifties", 1950),
    ("sixties", 1960),
    ("seventies", 1970),
    ("eighties", 1980),
    ("nineties", 1990),
];

/// The query as lowercase words: letters, digits and inner `-`, `'`, `&`; everything else
/// separates words. "'90s" becomes "90s", "90's" becomes "90s".
pub(super) fn words(text: &str) -> Vec<String> {
    cased_words(text)
        .into_iter()
        .map(|(word, _)| word)
        .collect()
}

/// [`words`], each with whether it was written with a capital first letter.
fn cased_words(text: &str) -> Vec<(String, bool)> {
    let mut words = Vec::new();
    let mut current = String::new();
    let push = |current: &mut String, words: &mut Vec<(String, bool)>| {
        let word = current.trim_matches(|c| c == '-' || c == '\'' || c == '&');
        let capitalized = word.chars().next().is_some_and(char::is_uppercase);
        let word = word.to_lowercase().replace("'s", "s");
        if !word.is_empty() {
            words.push((word, capitalized));
        }
        current.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() || matches!(c, '-' | '\'' | '’' | '&') {
            current.push(if c == '’' { '\'' } else { c });
        } else {
            push(&mut current, &mut words);
        }
    }
    push(&mut current, &mut words);
    words
}

/// A decade written as "90s", "1990s", "nineties": its first year.
fn decade(word: &str) -> Option<i32> {
    if let Some(&(_, start)) = DECADE_WORDS.iter().find(|(w, _)| *w == word) {
        return Some(start);
    }
    let digits = word.strip_suffix('s')?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !digits.ends_with('0') {
        return None;
    }
    let value: i32 = digits.parse().ok()?;
    match digits.len() {
        2 if value >= 30 => Some(1900 + value),
        2 => Some(2000 + value),
        4 if (1800..2100).contains(&value) => Some(value),
        _ => None,
    }
}

/// A year written as four digits, 1880 to 2099.
fn year(word: &str) -> Option<i32> {
    if word.len() != 4 || !word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    word.parse().ok().filter(|y| (1880..2100).contains(y))
}

/// Reads `query` against `lexicon`.
pub(super) fn parse(query: &str, lexicon: &dyn Lexicon) -> Parsed {
    let words = cased_words(query);
    let tokens: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
    let capitalized: Vec<bool> = words.iter().map(|&(_, c)| c).collect();
    let mut parsed = Parsed::default();
    // Index of the last token a negation reaches (inclusive), if one is open.
    let mut negated_until: Option<usize> = None;
    let mut saw_or_between_genres = false;
    let mut last_was_genre = false;
    // Whether the last constraint was negated (an "or" after it continues the negation).
    let mut just_negated = false;
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        let negated = negated_until.is_some_and(|until| i <= until);
        if NEGATIONS.contains(&token) || (token == "but" && tokens.get(i + 1) == Some(&"not")) {
            let skip = usize::from(token == "but");
            negated_until = Some(i + skip + 3);
            i += 1 + skip;
            continue;
        }
        if FILLERS.contains(&token) && negated {
            if let Some(until) = negated_until.as_mut() {
                *until += 1;
            }
            i += 1;
            continue;
        }
        if token == "or" || token == "nor" || token == "and" {
            if token == "or" && last_was_genre {
                saw_or_between_genres = true;
            }
            // "no drama or horror": the negation reaches the next constraint too.
            if just_negated && token != "and" {
                negated_until = Some(i + 2);
            }
            i += 1;
            continue;
        }
        just_negated = false;
        let rest = &tokens[i..];
        // "like `<title>`", "similar to <title>", "such as <title>", "in the vein of <title>".
        let title_start = match rest {
            ["like", ..]
                if !matches!(
                    i.checked_sub(1).map(|p| tokens[p]),
                    Some("i" | "would" | "i'd" | "you" | "we" | "really")
                ) =>
            {
                Some(1)
            }
            ["similar", "to", ..] | ["such", "as", ..] | ["reminiscent", "of", ..] => Some(2),
            ["in", "the", "vein", "of", ..] | ["in", "the", "style", "of", ..] => Some(4),
            _ => None,
        };
        if let Some(start) = title_start {
            let after = &rest[start..];
            // "like the godfather": try with and without the article.
            let found = lexicon
                .title(after)
                .map(|(len, item)| (start + len, item))
                .or_else(|| match after {
                    ["the" | "a" | "an", tail @ ..] => lexicon
                        .title(tail)
                        .map(|(len, item)| (start + 1 + len, item)),
                    _ => None,
                });
            if let Some((consumed, item)) = found {
                if negated {
                    (negated_until, just_negated) = (None, true);
                    parsed.excluded_like.push(item);
                } else if !parsed.like.contains(&item) {
                    parsed.like.push(item);
                }
                i += consumed;
                last_was_genre = false;
                continue;
            }
        }
        // "with Tom Hanks" where the catalogue has no such name: the name is not free text
        // (its words would match titles such as "Tom and Huck").
        if PERSON_CUES.contains(&token) && lexicon.person(&rest[1..]).is_none() {
            let name_len = capitalized[i + 1..]
                .iter()
                .take(MAX_UNKNOWN_NAME_WORDS)
                .take_while(|&&c| c)
                .count();
            if name_len >= 2 {
                parsed.unresolved_names.push(rest[1..=name_len].join(" "));
                i += 1 + name_len;
                continue;
            }
        }
        if let Some((len, person)) = lexicon.person(rest) {
            let mention = Mention {
                written: rest[..len].join(" "),
                value: person,
            };
            if negated {
                (negated_until, just_negated) = (None, true);
                parsed.excluded_people.push(mention);
            } else {
                parsed.people.push(mention);
            }
            i += len;
            last_was_genre = false;
            continue;
        }
        if let Some((len, range)) = years_at(rest) {
            if negated {
                (negated_until, just_negated) = (None, true);
                parsed.excluded_years.push(range);
            } else if !parsed.years.contains(&range) {
                parsed.years.push(range);
            }
            i += len;
            last_was_genre = false;
            continue;
        }
        if let Some((len, genres)) = genres_at(rest, lexicon) {
            let written = rest[..len].join(" ");
            if negated {
                (negated_until, just_negated) = (None, true);
            }
            for genre in genres {
                let list = if negated {
                    &mut parsed.excluded_genres
                } else {
                    &mut parsed.genres
                };
                if !list.iter().any(|m| m.value == genre) {
                    list.push(Mention {
                        written: written.clone(),
                        value: genre,
                    });
                }
            }
            i += len;
            last_was_genre = !negated;
            continue;
        }
        if let Some((len, mood)) = mood_at(rest, lexicon) {
            if !negated && !parsed.moods.iter().any(|m| m.word == mood.word) {
                parsed.moods.push(mood);
            }
            i += len;
            continue;
        }
        last_was_genre = false;
        if !negated
            && token.chars().count() > 1
            && !STOP_WORDS.contains(&token)
            && !parsed.words.iter().any(|w| w == token)
        {
            parsed.words.push(token.to_string());
        }
        i += 1;
    }
    // A negated genre is never also required ("comedy but not romantic comedy").
    let excluded = parsed.excluded_genres.clone();
    parsed
        .genres
        .retain(|g| !excluded.iter().any(|e| e.value == g.value));
    parsed.any_genre = saw_or_between_genres && parsed.genres.len() > 1;
    parsed
}

/// The genres named at the start of `tokens` (two-word phrases first): the words used and
/// the catalogue's genre names.
fn genres_at(tokens: &[&str], lexicon: &dyn Lexicon) -> Option<(usize, Vec<String>)> {
    for len in [2, 1] {
        if tokens.len() < len {
            continue;
        }
        let phrase = tokens[..len].join(" ");
        if let Some((_, names)) = GENRE_SYNONYMS.iter().find(|(w, _)| *w == phrase) {
            let genres: Vec<String> = names.iter().filter_map(|n| lexicon.genre(n)).collect();
            if !genres.is_empty() {
                return Some((len, genres));
            }
        }
        // The catalogue's own genre names, with a plural "s" ("thrillers", "westerns").
        let direct = lexicon
            .genre(&phrase)
            .or_else(|| phrase.strip_suffix('s').and_then(|p| lexicon.genre(p)))
            .or_else(|| lexicon.genre(&phrase.replace(' ', "-")));
        if let Some(genre) = direct {
            return Some((len, vec![genre]));
        }
    }
    None
}

/// A mood named at the start of `tokens`, with the catalogue's genres it leans to.
fn mood_at(tokens: &[&str], lexicon: &dyn Lexicon) -> Option<(usize, Mood)> {
    for len in [2, 1] {
        if tokens.len() < len {
            continue;
        }
        let phrase = tokens[..len].join(" ");
        if let Some((word, names)) = MOODS.iter().find(|(w, _)| *w == phrase) {
            let genres: Vec<String> = names.iter().filter_map(|n| lexicon.genre(n)).collect();
            if !genres.is_empty() {
                return Some((len, Mood { word, genres }));
            }
        }
    }
    None
}

/// A year constraint at the start of `tokens`: "1995", "90s", "the 1990s", "early 80s",
/// "before 1980", "after the 70s", "since 1990", "between 1980 and 1990", "1980-1990",
/// "from 1980 to 1990".
fn years_at(tokens: &[&str]) -> Option<(usize, YearRange)> {
    let skip_the = |at: usize| usize::from(tokens.get(at) == Some(&"the"));
    // A year or decade at `at`: (tokens used, first year, last year, label).
    let point = |at: usize| -> Option<(usize, i32, i32, String)> {
        let at = at + skip_the(at);
        let word = *tokens.get(at)?;
        let part = match word {
            "early" | "late" | "mid" | "mid-" => Some(word.trim_end_matches('-')),
            _ => None,
        };
        if let Some(part) = part {
            let start = decade(tokens.get(at + 1)?)?;
            let (from, to) = match part {
                "early" => (start, start + 3),
                "mid" => (start + 3, start + 6),
                _ => (start + 6, start + 9),
            };
            return Some((at + 2, from, to, format!("{part} {start}s")));
        }
        if let Some(start) = decade(word) {
            return Some((at + 1, start, start + 9, format!("{start}s")));
        }
        if let Some((a, b)) = word.split_once('-') {
            let (from, to) = (year(a)?, year(b)?);
            return (from <= to).then(|| (at + 1, from, to, format!("{from}–{to}")));
        }
        let y = year(word)?;
        Some((at + 1, y, y, y.to_string()))
    };
    match *tokens.first()? {
        "before" | "until" | "till" | "pre" => {
            let (end, from, _, label) = point(1)?;
            Some((
                end,
                YearRange::new(None, Some(from - 1), format!("before {label}")),
            ))
        }
        "after" | "post" => {
            let (end, _, to, label) = point(1)?;
            Some((
                end,
                YearRange::new(Some(to + 1), None, format!("after {label}")),
            ))
        }
        "since" => {
            let (end, from, _, label) = point(1)?;
            Some((
                end,
                YearRange::new(Some(from), None, format!("since {label}")),
            ))
        }
        "between" | "from" => {
            let (end, from, first_to, label) = point(1)?;
            match tokens.get(end) {
                Some(&("and" | "to" | "through" | "till" | "until")) => {
                    let (end, _, to, last) = point(end + 1)?;
                    (from <= to).then(|| {
                        (
                            end,
                            YearRange::new(Some(from), Some(to), format!("{label}–{last}")),
                        )
                    })
                }
                // "from the 90s": the decade alone.
                _ => Some((end, YearRange::new(Some(from), Some(first_to), label))),
            }
        }
        _ => {
            let (end, from, to, label) = point(0)?;
            Some((end, YearRange::new(Some(from), Some(to), label)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Genres of MovieLens, two titles and one person.
    struct Words;

    impl Lexicon for Words {
        fn genre(&self, name: &str) -> Option<String> {
            [
                "Action",
                "Adventure",
                "Animation",
                "Children's",
                "Comedy",
                "Crime",
                "Drama",
                "Film-Noir",
                "Horror",
                "Musical",
                "Mystery",
                "Romance",
                "Sci-Fi",
                "Thriller",
                "War",
                "Western",
            ]
            .into_iter()
            .find(|g| g.eq_ignore_ascii_case(name))
            .map(str::to_string)
        }

        fn title(&self, words: &[&str]) -> Option<(usize, u32)> {
            match words {
                ["fargo", ..] => Some((1, 0)),
                ["the", "godfather", ..] => Some((2, 1)),
                ["godfather", ..] => Some((1, 1)),
                _ => None,
            }
        }

        fn person(&self, words: &[&str]) -> Option<(usize, u32)> {
            matches!(words, ["tom", "hanks", ..]).then_some((2, 7))
        }
    }

    fn genres(mentions: &[Mention<String>]) -> Vec<&str> {
        mentions.iter().map(|m| m.value.as_str()).collect()
    }

    #[test]
    fn the_issue_examples_read_as_constraints() {
        let p = parse("feel-good sci-fi from the 90s", &Words);
        assert_eq!(genres(&p.genres), ["Sci-Fi"]);
        assert_eq!(p.moods[0].word, "feel-good");
        assert_eq!(
            p.years,
            [YearRange::new(Some(1990), Some(1999), "1990s".into())]
        );
        assert!(p.words.is_empty(), "{:?}", p.words);

        let p = parse("dark crime like Fargo", &Words);
        assert_eq!(genres(&p.genres), ["Crime"]);
        assert_eq!(p.like, [0]);
        assert_eq!(p.moods[0].word, "dark");

        let p = parse("with Meryl Streep, not with tom hanks", &Words);
        assert_eq!(p.unresolved_names, ["meryl streep"]);
        assert_eq!(p.excluded_people[0].value, 7);
        assert!(p.words.is_empty(), "{:?}", p.words);
        let p = parse("something with Tom Hanks but not a drama", &Words);
        assert_eq!(p.people[0].value, 7);
        assert_eq!(p.people[0].written, "tom hanks");
        assert_eq!(genres(&p.excluded_genres), ["Drama"]);
        assert!(p.genres.is_empty() && p.words.is_empty());
    }

    #[test]
    fn years_decades_and_ranges() {
        let range = |q: &str| parse(q, &Words).years;
        assert_eq!(range("movies from 1995")[0].from, Some(1995));
        assert_eq!(
            range("before 1980")[0],
            YearRange::new(None, Some(1979), "before 1980".into())
        );
        assert_eq!(range("after the 80s")[0].from, Some(1990));
        assert_eq!(
            range("early 70s")[0],
            YearRange::new(Some(1970), Some(1973), "early 1970s".into())
        );
        assert_eq!(range("between 1980 and 1985")[0].to, Some(1985));
        assert_eq!(range("nineties comedy")[0].label, "1990s");
        assert_eq!(range("'60s")[0].from, Some(1960));
        let p = parse("a comedy, not from the 80s", &Words);
        assert_eq!(p.excluded_years[0].label, "1980s");
        assert!(p.years.is_empty());
    }

    #[test]
    fn negations_synonyms_and_free_words() {
        let p = parse("funny movies without romance or horror", &Words);
        assert_eq!(genres(&p.genres), ["Comedy"]);
        assert_eq!(genres(&p.excluded_genres), ["Romance", "Horror"]);
        let p = parse("romantic comedy about space pirates", &Words);
        assert_eq!(genres(&p.genres), ["Romance", "Comedy"]);
        assert_eq!(p.words, ["space", "pirates"]);
        let p = parse("action or adventure", &Words);
        assert!(p.any_genre);
        let p = parse("I would like a western", &Words);
        assert!(p.like.is_empty());
        assert_eq!(genres(&p.genres), ["Western"]);
        let p = parse("not like the godfather", &Words);
        assert_eq!(p.excluded_like, [1]);
        assert!(parse("", &Words) == Parsed::default());
        let p = parse("not a comedy, a mystery from the 90s", &Words);
        assert_eq!(genres(&p.excluded_genres), ["Comedy"]);
        assert_eq!(genres(&p.genres), ["Mystery"]);
    }
}
