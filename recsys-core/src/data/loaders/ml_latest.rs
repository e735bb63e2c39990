//! MovieLens "latest" / 20M / 25M / 32M CSV files: `ratings.csv`, `movies.csv`, `tags.csv`.
//!
//! Each file has a header row; columns are found by name. Fields follow RFC 4180: a field may be
//! quoted (`"American President, The (1995)"`), with `""` standing for a quote inside it. A
//! quoted field must end on its own line.
//!
//! | file | columns | goes to |
//! |---|---|---|
//! | `ratings.csv` | `userId,movieId,rating,timestamp` | rating events |
//! | `movies.csv` | `movieId,title,genres` (genres separated by `\|`) | catalog title, year, genres |
//! | `tags.csv` | `userId,movieId,tag,timestamp` | catalog tags (with counts) |

use std::borrow::Cow;
use std::io::BufRead;

use super::text::{add_rating_row, parse_error, pick_fields, Line, LineReader};
use crate::data::{split_title_year, Dataset};
use crate::Result;

/// The genre ml-latest writes for a movie without genres; it is not kept as a genre.
const NO_GENRES: &str = "(no genres listed)";

/// Splits one CSV line into its fields, unescaping quoted ones.
fn split_csv<'t>(text: &'t str, line: &Line<'_>) -> Result<Vec<Cow<'t, str>>> {
    let mut fields = Vec::new();
    let mut rest = text;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            // Find the closing quote: a '"' not followed by another '"'.
            let mut value = String::new();
            let mut tail = quoted;
            loop {
                let Some(at) = tail.find('"') else {
                    return Err(line.error("unterminated quoted field"));
                };
                value.push_str(&tail[..at]);
                tail = &tail[at + 1..];
                match tail.strip_prefix('"') {
                    Some(after_escape) => {
                        value.push('"');
                        tail = after_escape;
                    }
                    None => break,
                }
            }
            fields.push(Cow::Owned(value));
            if tail.is_empty() {
                return Ok(fields);
            }
            rest = tail
                .strip_prefix(',')
                .ok_or_else(|| line.error("text after a closing quote (expected ',')"))?;
        } else {
            match rest.find(',') {
                Some(at) => {
                    fields.push(Cow::Borrowed(&rest[..at]));
                    rest = &rest[at + 1..];
                }
                None => {
                    fields.push(Cow::Borrowed(rest));
                    return Ok(fields);
                }
            }
        }
    }
}

/// A CSV header: the positions of the columns a loader needs.
struct CsvHeader {
    names: Vec<String>,
    source: String,
}

impl CsvHeader {
    fn read<R: BufRead>(lines: &mut LineReader<R>, example: &str) -> Result<Self> {
        let source = lines.source().to_owned();
        let Some(line) = lines.next_line()? else {
            return Err(parse_error(
                &source,
                1,
                format!("empty file: expected a header such as `{example}`"),
            ));
        };
        let names = split_csv(line.utf8()?, &line)?
            .into_iter()
            .map(|n| n.trim().to_owned())
            .collect();
        Ok(Self { names, source })
    }

    fn require(&self, name: &str) -> Result<usize> {
        self.names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                parse_error(
                    &self.source,
                    1,
                    format!(
                        "header has no `{name}` column (columns: {})",
                        self.names.join(", ")
                    ),
                )
            })
    }
}

/// Reads the fields of a data row, checking the count against the header.
fn row_fields<'t>(text: &'t str, n_columns: usize, line: &Line<'_>) -> Result<Vec<Cow<'t, str>>> {
    let fields = split_csv(text, line)?;
    if fields.len() != n_columns {
        return Err(line.error(format!(
            "expected {n_columns} comma-separated fields, found {}",
            fields.len()
        )));
    }
    Ok(fields)
}

/// Reads `ratings.csv` (`userId,movieId,rating,timestamp`) into `dataset`; returns the number of
/// events added.
///
/// # Errors
/// [`Error::Parse`](crate::Error::Parse) naming `source` and the 1-based line for a missing
/// column, a wrong number of fields, an empty id, or a rating / timestamp that is not a finite
/// number; [`Error::Io`](crate::Error::Io) when reading fails. On error, `dataset` is left exactly
/// as it was (the read is all-or-nothing).
///
/// ```
/// use recsys_core::data::{loaders::ml_latest, Dataset};
/// let csv = "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.5,964981247\n";
/// let mut ds = Dataset::new();
/// assert_eq!(ml_latest::read_ratings_csv(csv.as_bytes(), "ratings.csv", &mut ds).unwrap(), 2);
/// assert_eq!(ds.ratings()[1].2, 4.5);
/// ```
pub fn read_ratings_csv<R: BufRead>(
    reader: R,
    source: &str,
    dataset: &mut Dataset,
) -> Result<usize> {
    dataset.all_or_nothing(false, |dataset| {
        let mut lines = LineReader::new(reader, source);
        let header = CsvHeader::read(&mut lines, "userId,movieId,rating,timestamp")?;
        let user_column = header.require("userId")?;
        let item_column = header.require("movieId")?;
        let rating_column = header.require("rating")?;
        let time_column = header.require("timestamp")?;
        let n_columns = header.names.len();
        let mut added = 0;
        while let Some(line) = lines.next_nonblank()? {
            let text = line.utf8()?;
            // Ratings rows never need quoting: split without allocating unless a quote shows up.
            let columns = [user_column, item_column, rating_column, time_column];
            let [user, item, rating, time]: [Cow<'_, str>; 4] = if text.contains('"') {
                let mut fields = row_fields(text, n_columns, &line)?;
                columns.map(|c| std::mem::take(&mut fields[c]))
            } else {
                pick_fields(text, ',', columns.map(Some), n_columns, &line)?
                    .map(|f| Cow::Borrowed(f.unwrap_or("")))
            };
            add_rating_row(dataset, &line, &user, &item, Some(&rating), Some(&time))?;
            added += 1;
        }
        Ok(added)
    })
}

/// Reads `movies.csv` (`movieId,title,genres`) into `dataset`'s catalog, registering the items;
/// returns the number of rows.
///
/// The title's trailing `"(1995)"` becomes the year; genres are split on `|`, and
/// `(no genres listed)` means none.
///
/// # Errors
/// [`Error::Parse`](crate::Error::Parse) naming `source` and the 1-based line for a missing
/// column, bad quoting, a wrong number of fields or an empty id.
///
/// ```
/// use recsys_core::data::{loaders::ml_latest, Dataset};
/// let csv = "movieId,title,genres\n\
///            11,\"American President, The (1995)\",Comedy|Drama|Romance\n\
///            99,\"The \"\"Quoted\"\" One\",(no genres listed)\n";
/// let mut ds = Dataset::new();
/// ml_latest::read_movies_csv(csv.as_bytes(), "movies.csv", &mut ds).unwrap();
/// let info = ds.catalog().item(0).unwrap();
/// assert_eq!((info.title.as_deref(), info.year), (Some("American President, The"), Some(1995)));
/// assert_eq!(info.genres, ["Comedy", "Drama", "Romance"]);
/// let quoted = ds.catalog().item(1).unwrap();
/// assert_eq!(quoted.title.as_deref(), Some("The \"Quoted\" One"));
/// assert!(quoted.genres.is_empty() && quoted.year.is_none());
/// ```
pub fn read_movies_csv<R: BufRead>(
    reader: R,
    source: &str,
    dataset: &mut Dataset,
) -> Result<usize> {
    dataset.all_or_nothing(true, |dataset| {
        let mut lines = LineReader::new(reader, source);
        let header = CsvHeader::read(&mut lines, "movieId,title,genres")?;
        let item_column = header.require("movieId")?;
        let title_column = header.require("title")?;
        let genre_column = header.require("genres")?;
        let n_columns = header.names.len();
        let mut rows = 0;
        while let Some(line) = lines.next_nonblank()? {
            let fields = row_fields(line.utf8()?, n_columns, &line)?;
            let item = fields[item_column].trim();
            if item.is_empty() {
                return Err(line.error("empty movie id"));
            }
            let (title, year) = split_title_year(&fields[title_column]);
            let (_, info) = dataset.item_info_mut(item);
            if !title.is_empty() {
                info.title = Some(title.to_owned());
            }
            info.year = year;
            fields[genre_column]
                .split('|')
                .filter(|g| g.trim() != NO_GENRES)
                .for_each(|g| info.add_genre(g));
            rows += 1;
        }
        Ok(rows)
    })
}

/// Reads `tags.csv` (`userId,movieId,tag,timestamp`) into `dataset`'s catalog as item tags,
/// counting how many times each tag was applied (case-insensitive); registers new items.
/// Returns the number of rows. Tags are item metadata: they add no events.
///
/// # Errors
/// [`Error::Parse`](crate::Error::Parse) naming `source` and the 1-based line for a missing
/// column, bad quoting, a wrong number of fields or an empty movie id.
///
/// ```
/// use recsys_core::data::{loaders::ml_latest, Dataset};
/// let csv = "userId,movieId,tag,timestamp\n2,60756,funny,1445714994\n\
///            7,60756,Funny,1445715000\n2,60756,\"Highly quotable, really\",1445714996\n";
/// let mut ds = Dataset::new();
/// ml_latest::read_tags_csv(csv.as_bytes(), "tags.csv", &mut ds).unwrap();
/// let tags = &ds.catalog().item(0).unwrap().tags;
/// assert_eq!((tags[0].text.as_str(), tags[0].count), ("funny", 2));
/// assert_eq!(tags[1].text, "Highly quotable, really");
/// assert!(ds.events().is_empty());
/// ```
pub fn read_tags_csv<R: BufRead>(reader: R, source: &str, dataset: &mut Dataset) -> Result<usize> {
    dataset.all_or_nothing(true, |dataset| {
        let mut lines = LineReader::new(reader, source);
        let header = CsvHeader::read(&mut lines, "userId,movieId,tag,timestamp")?;
        let item_column = header.require("movieId")?;
        let tag_column = header.require("tag")?;
        let n_columns = header.names.len();
        let mut rows = 0;
        while let Some(line) = lines.next_nonblank()? {
            let fields = row_fields(line.utf8()?, n_columns, &line)?;
            let item = fields[item_column].trim();
            if item.is_empty() {
                return Err(line.error("empty movie id"));
            }
            dataset.item_info_mut(item).1.add_tag(&fields[tag_column]);
            rows += 1;
        }
        Ok(rows)
    })
}

/// Loads an ml-latest style directory: `movies.csv` if present (so item indices follow it), then
/// `ratings.csv`, then `tags.csv` if present.
///
/// # Errors
/// [`Error::Io`](crate::Error::Io) when `ratings.csv` is missing or a file cannot be read;
/// [`Error::Parse`](crate::Error::Parse) for malformed rows.
///
/// ```no_run
/// let ds = recsys_core::data::loaders::ml_latest::load_ml_latest_dir("ml-latest-small")?;
/// println!("{} ratings, {} movies", ds.events().len(), ds.n_items());
/// # Ok::<(), recsys_core::Error>(())
/// ```
#[cfg(feature = "fs")]
pub fn load_ml_latest_dir(dir: impl AsRef<std::path::Path>) -> Result<Dataset> {
    use super::text::open;
    let dir = dir.as_ref();
    let label = |p: &std::path::Path| p.display().to_string();
    let mut dataset = Dataset::new();
    let movies = dir.join("movies.csv");
    if movies.is_file() {
        read_movies_csv(open(&movies)?, &label(&movies), &mut dataset)?;
    }
    let ratings = dir.join("ratings.csv");
    read_ratings_csv(open(&ratings)?, &label(&ratings), &mut dataset)?;
    let tags = dir.join("tags.csv");
    if tags.is_file() {
        read_tags_csv(open(&tags)?, &label(&tags), &mut dataset)?;
    }
    Ok(dataset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    const RATINGS: &[u8] = include_bytes!("../../../tests/fixtures/ml-latest/ratings.csv");
    const MOVIES: &[u8] = include_bytes!("../../../tests/fixtures/ml-latest/movies.csv");
    const TAGS: &[u8] = include_bytes!("../../../tests/fixtures/ml-latest/tags.csv");
    const BAD_MOVIES: &[u8] = include_bytes!("../../../tests/fixtures/ml-latest/movies-bad.csv");

    fn split(text: &str) -> Result<Vec<String>> {
        let mut lines = LineReader::new(text.as_bytes(), "t.csv");
        let line = lines.next_line()?.expect("one line");
        Ok(split_csv(line.utf8()?, &line)?
            .into_iter()
            .map(Cow::into_owned)
            .collect())
    }

    #[test]
    fn csv_fields_follow_rfc_4180() {
        assert_eq!(split("a,b,,c").unwrap(), ["a", "b", "", "c"]);
        assert_eq!(split("\"a,b\",c").unwrap(), ["a,b", "c"]);
        assert_eq!(split("x,\"say \"\"hi\"\"\"").unwrap(), ["x", "say \"hi\""]);
        assert_eq!(split("\"\",").unwrap(), ["", ""]);
        assert!(split("\"open").is_err());
        assert!(split("\"a\"b,c").is_err());
    }

    #[test]
    fn fixtures_load() {
        let mut ds = Dataset::new();
        assert_eq!(read_movies_csv(MOVIES, "movies.csv", &mut ds).unwrap(), 5);
        assert_eq!(
            read_ratings_csv(RATINGS, "ratings.csv", &mut ds).unwrap(),
            7
        );
        assert_eq!(read_tags_csv(TAGS, "tags.csv", &mut ds).unwrap(), 4);
        assert_eq!((ds.n_users(), ds.n_items()), (3, 5));
        let c = ds.catalog();
        let toy = c.item(c.find_title("Toy Story (1995)").unwrap()).unwrap();
        assert_eq!(
            toy.genres,
            ["Adventure", "Animation", "Children", "Comedy", "Fantasy"]
        );
        assert_eq!(toy.tags[0].text, "pixar");
        assert_eq!(toy.tags[0].count, 2);
        let president = c.find_title("American President, The (1995)").unwrap();
        assert_eq!(ds.items.id_of(president), Some("11"));
        let babylon = c.item(c.find_title("Babylon 5").unwrap()).unwrap();
        assert_eq!((babylon.year, babylon.genres.len()), (None, 0));
        let amelie = c.item(ds.items.index_of("4973").unwrap()).unwrap();
        assert_eq!(
            amelie.title.as_deref(),
            Some("Amélie (Fabuleux destin d'Amélie Poulain, Le)")
        );
        assert!(amelie.tags.iter().any(|t| t.text == "quirky, \"romantic\""));
        assert!(ds.ratings().iter().any(|&(_, _, r)| r == 0.5));
    }

    #[test]
    fn malformed_fixture_names_the_line() {
        match read_movies_csv(BAD_MOVIES, "movies-bad.csv", &mut Dataset::new()) {
            Err(Error::Parse { file, line, .. }) => {
                assert_eq!((file.as_str(), line), ("movies-bad.csv", 3))
            }
            other => panic!("{other:?}"),
        }
        let bad_rows = [
            ("userId,movieId,rating,timestamp\n1,2,nan,3\n", 2),
            ("userId,movieId,rating,timestamp\n1,2,3\n", 2),
            ("userId,movieId,rating\n", 1),
            ("", 1),
            ("userId,movieId,rating,timestamp\n1,2,4,5\n\"1,2,4,5\n", 3),
        ];
        for (text, expected) in bad_rows {
            match read_ratings_csv(text.as_bytes(), "r.csv", &mut Dataset::new()) {
                Err(Error::Parse { line, .. }) => assert_eq!(line, expected, "{text:?}"),
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }
}
