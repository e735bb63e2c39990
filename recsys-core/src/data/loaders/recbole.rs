//! RecBole "atomic files": tab-separated text with a typed header row.
//!
//! Each file starts with a header naming its columns as `name:type` (types `token`,
//! `token_seq`, `float`, `float_seq`), e.g. `user_id:token\titem_id:token\trating:float\ttimestamp:float`.
//! Columns are found by name, so their order does not matter and extra columns are ignored.
//!
//! | file | columns used |
//! |---|---|
//! | `NAME.inter` | `user_id`, `item_id`, optional `rating`, optional `timestamp` |
//!
//! MovieLens-100K in this format is fetched by `scripts/fetch-movielens.sh`.

use std::io::BufRead;

use super::text::{parse_rating, parse_timestamp, LineReader};
use crate::data::{Dataset, Feedback};
use crate::Result;

/// The parsed header of an atomic file: column names without their `:type` suffix.
struct AtomicHeader {
    names: Vec<String>,
}

impl AtomicHeader {
    /// Reads the first line of `lines` as a header.
    fn read<R: BufRead>(lines: &mut LineReader<R>) -> Result<Self> {
        let source = lines.source().to_owned();
        let Some(line) = lines.next_line()? else {
            return Err(super::text::parse_error(
                &source,
                1,
                "empty file: expected a RecBole header such as `user_id:token\titem_id:token`",
            ));
        };
        let text = line.utf8()?;
        let mut names = Vec::new();
        for column in text.split('\t') {
            let Some((name, kind)) = column.trim().split_once(':') else {
                return Err(line.error(format!(
                    "header column {column:?} is not of the form `name:type`"
                )));
            };
            if !matches!(kind, "token" | "token_seq" | "float" | "float_seq") {
                return Err(line.error(format!(
                    "header column {column:?} has unknown type {kind:?} (expected token, token_seq, float or float_seq)"
                )));
            }
            names.push(name.to_owned());
        }
        Ok(Self { names })
    }

    /// The position of the first column named one of `names`.
    fn find(&self, names: &[&str]) -> Option<usize> {
        self.names.iter().position(|n| names.contains(&n.as_str()))
    }

    /// Like [`AtomicHeader::find`], but a missing column is an error naming the file.
    fn require(&self, names: &[&str], source: &str) -> Result<usize> {
        self.find(names).ok_or_else(|| {
            super::text::parse_error(
                source,
                1,
                format!(
                    "header has no `{}` column (columns: {})",
                    names[0],
                    self.names.join(", ")
                ),
            )
        })
    }
}

/// Reads a RecBole `.inter` file into `dataset`, returning the number of events added.
///
/// Each row becomes one event: a [`Feedback::Rating`] when the file has a `rating` column,
/// otherwise [`Feedback::Watched`]. Timestamps (`timestamp` column, seconds) default to 0.
/// `source` names the input in error messages.
///
/// # Errors
/// [`Error::Parse`](crate::Error::Parse) with the 1-based line for a bad header, a row with the
/// wrong number of fields, an empty id, or a rating / timestamp that is not a finite number;
/// [`Error::Io`](crate::Error::Io) when reading fails. On error, `dataset` may already hold the
/// rows before the bad one.
///
/// ```
/// use recsys_core::data::{loaders::recbole, Dataset};
/// let file = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n\
///             196\t242\t3\t881250949\n\
///             186\t302\t3\t891717742\n";
/// let mut ds = Dataset::new();
/// assert_eq!(recbole::read_inter(file.as_bytes(), "ml-100k.inter", &mut ds).unwrap(), 2);
/// assert_eq!((ds.n_users(), ds.n_items()), (2, 2));
/// assert_eq!(ds.ratings()[0].2, 3.0);
///
/// let bad = "user_id:token\titem_id:token\trating:float\n1\t2\tNaN\n";
/// let err = recbole::read_inter(bad.as_bytes(), "bad.inter", &mut Dataset::new()).unwrap_err();
/// assert!(err.to_string().starts_with("bad.inter:2:"));
/// ```
pub fn read_inter<R: BufRead>(reader: R, source: &str, dataset: &mut Dataset) -> Result<usize> {
    let mut lines = LineReader::new(reader, source);
    let header = AtomicHeader::read(&mut lines)?;
    let user_column = header.require(&["user_id"], source)?;
    let item_column = header.require(&["item_id"], source)?;
    let rating_column = header.find(&["rating"]);
    let time_column = header.find(&["timestamp"]);
    let n_columns = header.names.len();

    let mut added = 0;
    while let Some(line) = lines.next_line()? {
        if line.is_blank() {
            continue;
        }
        let text = line.utf8()?;
        let (mut user, mut item, mut rating, mut time) = ("", "", None, None);
        let mut n_fields = 0;
        for (i, field) in text.split('\t').enumerate() {
            n_fields += 1;
            if i == user_column {
                user = field.trim();
            } else if i == item_column {
                item = field.trim();
            } else if Some(i) == rating_column {
                rating = Some(field);
            } else if Some(i) == time_column {
                time = Some(field);
            }
        }
        if n_fields != n_columns {
            return Err(line.error(format!(
                "expected {n_columns} tab-separated fields, found {n_fields}"
            )));
        }
        if user.is_empty() || item.is_empty() {
            return Err(line.error("empty user or item id"));
        }
        let feedback = match rating {
            Some(field) => Feedback::Rating(parse_rating(field, &line)?),
            None => Feedback::Watched,
        };
        let timestamp = match time {
            Some(field) => parse_timestamp(field, &line)?,
            None => 0,
        };
        dataset
            .add_event(user, item, feedback, timestamp)
            .map_err(|e| line.error(e.to_string()))?;
        added += 1;
    }
    Ok(added)
}

/// Loads a RecBole `.inter` file from `path` into a new [`Dataset`] (see [`read_inter`]).
///
/// ```no_run
/// let ds = recsys_core::data::loaders::recbole::load_inter("data/ml-100k/ml-100k.inter")?;
/// assert_eq!(ds.events().len(), 100_000);
/// # Ok::<(), recsys_core::Error>(())
/// ```
#[cfg(feature = "fs")]
pub fn load_inter(path: impl AsRef<std::path::Path>) -> Result<Dataset> {
    let path = path.as_ref();
    let mut dataset = Dataset::new();
    read_inter(
        super::text::open(path)?,
        &path.display().to_string(),
        &mut dataset,
    )?;
    Ok(dataset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn read(text: &str) -> Result<Dataset> {
        let mut ds = Dataset::new();
        read_inter(text.as_bytes(), "t.inter", &mut ds)?;
        Ok(ds)
    }

    #[test]
    fn columns_are_found_by_name_in_any_order() {
        let ds =
            read("timestamp:float\trating:float\titem_id:token\tuser_id:token\n5\t4.5\ti1\tu1\n")
                .unwrap();
        let e = ds.events()[0];
        assert_eq!(e.feedback, Feedback::Rating(4.5));
        assert_eq!(e.timestamp, 5);
        assert_eq!(ds.users.id_of(e.user), Some("u1"));
        assert_eq!(ds.items.id_of(e.item), Some("i1"));
    }

    #[test]
    fn without_rating_rows_are_watches() {
        let ds = read("user_id:token\titem_id:token\nu\ti\n\n").unwrap();
        assert_eq!(ds.events()[0].feedback, Feedback::Watched);
        assert_eq!(ds.events()[0].timestamp, 0);
    }

    #[test]
    fn malformed_input_names_file_and_line() {
        let cases = [
            ("", 1),
            ("user_id\titem_id\n", 1),
            ("user_id:token\titem_id:blob\n", 1),
            ("user_id:token\trating:float\n", 1),
            ("user_id:token\titem_id:token\trating:float\n1\t2\n", 2),
            (
                "user_id:token\titem_id:token\trating:float\n1\t2\t3\n1\t2\tinf\n",
                3,
            ),
            ("user_id:token\titem_id:token\trating:float\n1\t\t3\n", 2),
            ("user_id:token\titem_id:token\n1\t2\t3\n", 2),
        ];
        let latin1: &[u8] = b"user_id:token\titem_id:token\n\xff\t2\n";
        let cases = cases
            .iter()
            .map(|&(text, line)| (text.as_bytes(), line))
            .chain([(latin1, 2)]);
        for (text, expected_line) in cases {
            let mut ds = Dataset::new();
            match read_inter(text, "t.inter", &mut ds) {
                Err(Error::Parse { file, line, .. }) => {
                    assert_eq!(
                        (file.as_str(), line),
                        ("t.inter", expected_line),
                        "{text:?}"
                    )
                }
                other => panic!("{text:?} gave {other:?}"),
            }
        }
    }
}
