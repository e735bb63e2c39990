//! The original GroupLens MovieLens-100K files: `u.data`, `u.item`, `u.genre`.
//!
//! - `u.data`: `user \t item \t rating \t timestamp`, no header.
//! - `u.item`: `item | title (year) | release date | video release date | IMDb URL | 19 genre
//!   flags`, no header, **Latin-1** encoded (e.g. `Mis\xe9rables`).
//! - `u.genre`: `name | index`, the names of the genre flags (see [`ML_100K_GENRES`]).

use std::io::BufRead;

use super::text::{add_rating_row, latin1_to_string, pick_fields, LineReader};
use crate::data::{split_title_year, Dataset};
use crate::Result;

/// The 19 genres of `u.item`'s flag columns, in column order (as listed in `u.genre`).
pub const ML_100K_GENRES: [&str; 19] = [
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
];

/// Reads `u.data` (tab-separated `user item rating timestamp`) into `dataset` as ratings;
/// returns the number of events added.
///
/// # Errors
/// [`Error::Parse`](crate::Error::Parse) naming `source` and the 1-based line for a row without
/// exactly four fields, an empty id, or a rating / timestamp that is not a finite number;
/// [`Error::Io`](crate::Error::Io) when reading fails. On error, `dataset` is left exactly
/// as it was (the read is all-or-nothing).
///
/// ```
/// use recsys_core::data::{loaders::movielens, Dataset};
/// let mut ds = Dataset::new();
/// let file = "196\t242\t3\t881250949\n186\t302\t3\t891717742\n";
/// let n = movielens::read_u_data(file.as_bytes(), "u.data", &mut ds).unwrap();
/// assert_eq!((n, ds.n_users(), ds.n_items()), (2, 2, 2));
/// let err = movielens::read_u_data("1\t2\tinf\t0\n".as_bytes(), "u.data", &mut ds).unwrap_err();
/// assert!(err.to_string().starts_with("u.data:1:"));
/// ```
pub fn read_u_data<R: BufRead>(reader: R, source: &str, dataset: &mut Dataset) -> Result<usize> {
    dataset.all_or_nothing(false, |dataset| {
        let mut lines = LineReader::new(reader, source);
        let columns = [Some(0), Some(1), Some(2), Some(3)];
        let mut added = 0;
        while let Some(line) = lines.next_nonblank()? {
            let [user, item, rating, time] =
                pick_fields(line.utf8()?, '\t', columns, 4, &line)?.map(|f| f.unwrap_or("").trim());
            add_rating_row(dataset, &line, user, item, Some(rating), Some(time))?;
            added += 1;
        }
        Ok(added)
    })
}

/// Reads `u.genre` (`name|index` per line) into the list of genre names by index.
///
/// # Errors
/// [`Error::Parse`](crate::Error::Parse) for a line that is not `name|index`, an index that
/// repeats, or indices that leave a gap.
///
/// ```
/// use recsys_core::data::loaders::movielens;
/// let genres = movielens::read_u_genre("unknown|0\nAction|1\n\n".as_bytes(), "u.genre").unwrap();
/// assert_eq!(genres, ["unknown", "Action"]);
/// ```
pub fn read_u_genre<R: BufRead>(reader: R, source: &str) -> Result<Vec<String>> {
    let mut lines = LineReader::new(reader, source);
    let mut by_index: Vec<Option<String>> = Vec::new();
    let mut last_line = 0;
    while let Some(line) = lines.next_line()? {
        last_line = line.number;
        if line.is_blank() {
            continue;
        }
        let text = decode(line.bytes);
        let [name, index] =
            pick_fields(&text, '|', [Some(0), Some(1)], 2, &line)?.map(|f| f.unwrap_or("").trim());
        let index: usize =
            index.parse().ok().filter(|&i| i < 1024).ok_or_else(|| {
                line.error(format!("genre index {index:?} is not a small integer"))
            })?;
        if name.is_empty() {
            return Err(line.error("empty genre name"));
        }
        if index >= by_index.len() {
            by_index.resize(index + 1, None);
        }
        if by_index[index].replace(name.to_owned()).is_some() {
            return Err(line.error(format!("genre index {index} appears twice")));
        }
    }
    by_index
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            name.ok_or_else(|| {
                super::text::parse_error(source, last_line, format!("no genre has index {i}"))
            })
        })
        .collect()
}

/// Reads `u.item` into `dataset`'s catalog, registering the items; returns the number of rows.
///
/// `genre_names` names the flag columns in order (pass [`ML_100K_GENRES`] or the result of
/// [`read_u_genre`]); each row must have `5 + genre_names.len()` fields. The title's trailing
/// `"(1995)"` becomes the year, falling back to the release date's year (`01-Jan-1995`). The
/// release date and IMDb URL are kept as attributes `release_date` and `url`. Lines are decoded
/// as UTF-8 when valid, otherwise as Latin-1 (the encoding GroupLens ships).
///
/// # Errors
/// [`Error::Parse`](crate::Error::Parse) naming `source` and the 1-based line for a wrong number
/// of fields, an empty item id, or a genre flag other than `0` / `1`.
///
/// ```
/// use recsys_core::data::{loaders::movielens::{self, ML_100K_GENRES}, Dataset};
/// // Latin-1: 0xE9 is 'é'. Genre flags: Drama and Musical.
/// let row = b"543|Mis\xe9rables, Les (1995)|01-Jan-1995||http://x\
///             |0|0|0|0|0|0|0|0|1|0|0|0|1|0|0|0|0|0|0\n";
/// let mut ds = Dataset::new();
/// movielens::read_u_item(&row[..], "u.item", &ML_100K_GENRES, &mut ds).unwrap();
/// let info = ds.catalog().item(0).unwrap();
/// assert_eq!(info.title.as_deref(), Some("Misérables, Les"));
/// assert_eq!(info.year, Some(1995));
/// assert_eq!(info.genres, ["Drama", "Musical"]);
/// ```
pub fn read_u_item<R: BufRead>(
    reader: R,
    source: &str,
    genre_names: &[impl AsRef<str>],
    dataset: &mut Dataset,
) -> Result<usize> {
    dataset.all_or_nothing(true, |dataset| {
        let mut lines = LineReader::new(reader, source);
        let n_fields = 5 + genre_names.len();
        let mut rows = 0;
        while let Some(line) = lines.next_nonblank()? {
            let text = decode(line.bytes);
            let fields: Vec<&str> = text.split('|').collect();
            if fields.len() != n_fields {
                return Err(line.error(format!(
                    "expected {n_fields} fields separated by '|', found {}",
                    fields.len()
                )));
            }
            let item = fields[0].trim();
            if item.is_empty() {
                return Err(line.error("empty item id"));
            }
            let (title, title_year) = split_title_year(fields[1]);
            let release_date = fields[2].trim();
            let url = fields[4].trim();
            let (_, info) = dataset.item_info_mut(item);
            if !title.is_empty() {
                info.title = Some(title.to_owned());
            }
            info.year = title_year.or_else(|| year_of_date(release_date));
            if !release_date.is_empty() {
                info.add_attribute("release_date", release_date);
            }
            if !url.is_empty() {
                info.add_attribute("url", url);
            }
            for (flag, name) in fields[5..].iter().zip(genre_names) {
                match flag.trim() {
                    "1" => info.add_genre(name.as_ref()),
                    "0" => {}
                    other => {
                        return Err(line.error(format!(
                            "genre flag for {:?} is {other:?}, expected 0 or 1",
                            name.as_ref()
                        )))
                    }
                }
            }
            rows += 1;
        }
        Ok(rows)
    })
}

/// Loads a GroupLens `ml-100k` directory: `u.item` (with `u.genre` when present, else
/// [`ML_100K_GENRES`]) if present, so item indices follow that file, then `u.data`.
///
/// # Errors
/// [`Error::Io`](crate::Error::Io) when `u.data` is missing or a file cannot be read;
/// [`Error::Parse`](crate::Error::Parse) for malformed rows.
///
/// ```no_run
/// let ds = recsys_core::data::loaders::movielens::load_ml100k_dir("ml-100k")?;
/// assert_eq!(ds.events().len(), 100_000);
/// # Ok::<(), recsys_core::Error>(())
/// ```
#[cfg(feature = "fs")]
pub fn load_ml100k_dir(dir: impl AsRef<std::path::Path>) -> Result<Dataset> {
    use super::text::open;
    let dir = dir.as_ref();
    let label = |p: &std::path::Path| p.display().to_string();
    let mut dataset = Dataset::new();
    let (item_path, genre_path) = (dir.join("u.item"), dir.join("u.genre"));
    if item_path.is_file() {
        let genres = if genre_path.is_file() {
            read_u_genre(open(&genre_path)?, &label(&genre_path))?
        } else {
            ML_100K_GENRES.iter().map(|g| g.to_string()).collect()
        };
        read_u_item(open(&item_path)?, &label(&item_path), &genres, &mut dataset)?;
    }
    let data_path = dir.join("u.data");
    read_u_data(open(&data_path)?, &label(&data_path), &mut dataset)?;
    Ok(dataset)
}

/// UTF-8 when valid, Latin-1 otherwise (GroupLens files are Latin-1; a re-encoded copy is UTF-8).
fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => std::borrow::Cow::Owned(latin1_to_string(bytes)),
    }
}

/// The year of a `dd-Mon-yyyy` release date.
fn year_of_date(date: &str) -> Option<i32> {
    let year = date.rsplit('-').next()?;
    (year.len() == 4).then(|| year.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    const FIXTURE_DATA: &[u8] = include_bytes!("../../../tests/fixtures/ml-100k/u.data");
    const FIXTURE_ITEM: &[u8] = include_bytes!("../../../tests/fixtures/ml-100k/u.item");
    const FIXTURE_GENRE: &[u8] = include_bytes!("../../../tests/fixtures/ml-100k/u.genre");

    fn parse_error_line(result: Result<usize>) -> usize {
        match result {
            Err(Error::Parse { line, .. }) => line,
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn fixture_round_trip() {
        let genres = read_u_genre(FIXTURE_GENRE, "u.genre").unwrap();
        assert_eq!(genres, ML_100K_GENRES);
        let mut ds = Dataset::new();
        assert_eq!(
            read_u_item(FIXTURE_ITEM, "u.item", &genres, &mut ds).unwrap(),
            4
        );
        assert_eq!(read_u_data(FIXTURE_DATA, "u.data", &mut ds).unwrap(), 6);
        assert_eq!((ds.n_users(), ds.n_items()), (3, 4));

        let toy = ds.catalog().find_title("Toy Story (1995)").unwrap();
        let info = ds.catalog().item(toy).unwrap();
        assert_eq!(info.genres, ["Animation", "Children's", "Comedy"]);
        assert!(info.attributes.contains(&(
            "url".into(),
            "http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)".into()
        )));
        // Latin-1 byte 0xE9 decodes to 'é'.
        let les = ds.catalog().find_title("Misérables, Les (1995)").unwrap();
        assert_eq!(ds.items.id_of(les), Some("543"));
        // No year in the title: taken from the release date; no date, no year.
        let dated = ds
            .catalog()
            .item(ds.items.index_of("1000").unwrap())
            .unwrap();
        assert_eq!(
            (dated.title.as_deref(), dated.year),
            (Some("Untitled"), Some(1994))
        );
        let unknown = ds
            .catalog()
            .item(ds.items.index_of("267").unwrap())
            .unwrap();
        assert_eq!(
            (unknown.year, unknown.genres.as_slice()),
            (None, &["unknown".to_string()][..])
        );
        let ratings = ds.ratings();
        assert!(ratings.iter().all(|r| (1.0..=5.0).contains(&r.2)));
    }

    #[test]
    fn malformed_rows_name_the_line() {
        let mut ds = Dataset::new();
        let data = |t: &str| read_u_data(t.as_bytes(), "u.data", &mut Dataset::new());
        assert_eq!(parse_error_line(data("1\t2\t3\t4\n1\t2\t3\n")), 2);
        assert_eq!(parse_error_line(data("1\t2\tNaN\t4\n")), 1);
        assert_eq!(parse_error_line(data("\n1\t2\t3\tsoon\n")), 2);
        assert_eq!(parse_error_line(data("1\t\t3\t4\n")), 1);
        let flags = "|0".repeat(19);
        let good = format!("1|Toy Story (1995)|01-Jan-1995||x{flags}\n");
        let short = "2|Heat (1995)|||x|0|1\n";
        let text = format!("{good}{short}");
        let item = read_u_item(text.as_bytes(), "u.item", &ML_100K_GENRES, &mut ds);
        assert_eq!(parse_error_line(item), 2);
        let bad_flag = format!("1|A (1995)||||2{}\n", "|0".repeat(18));
        let item = read_u_item(bad_flag.as_bytes(), "u.item", &ML_100K_GENRES, &mut ds);
        assert_eq!(parse_error_line(item), 1);
        for bad in ["a|0\na|0\n", "x|0\ny\n", "x|1\n", "x|-1\n", "|0\n"] {
            assert!(
                matches!(
                    read_u_genre(bad.as_bytes(), "u.genre"),
                    Err(Error::Parse { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn release_date_years() {
        assert_eq!(year_of_date("01-Jan-1995"), Some(1995));
        assert_eq!(year_of_date(""), None);
        assert_eq!(year_of_date("1995x"), None);
    }
}
