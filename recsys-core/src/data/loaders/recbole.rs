//! RecBole "atomic files": tab-separated text with a typed header row.
//!
//! Each file starts with a header naming its columns as `name:type` (types `token`,
//! `token_seq`, `float`, `float_seq`), e.g.
//! `user_id:token\titem_id:token\trating:float\ttimestamp:float`.
//! Columns are found by name, so their order does not matter.
//!
//! | file | columns used | goes to |
//! |---|---|---|
//! | `NAME.inter` | `user_id`, `item_id`, optional `rating`, optional `timestamp` | events |
//! | `NAME.item` | `item_id`, optional `movie_title`, `release_year`, `class` (genres); any other column | catalog (other columns as attributes) |
//! | `NAME.link` | `item_id`, `entity_id` | joins items to knowledge-graph entities |
//! | `NAME.kg` | `head_id`, `relation_id`, `tail_id` | catalog credits (cast and crew) and attributes |
//!
//! MovieLens-100K in this format is fetched by `scripts/fetch-movielens.sh`;
//! [`load_recbole_dir`] loads all of it.

use std::io::BufRead;

use std::collections::HashMap;

use super::text::{add_rating_row, parse_error, pick_fields, LineReader};
use crate::data::{Dataset, Role};
use crate::Result;

/// The parsed header of an atomic file: column names without their `:type` suffix.
struct AtomicHeader {
    names: Vec<String>,
    /// Whether each column is a `token_seq` / `float_seq` (space-separated values).
    is_sequence: Vec<bool>,
}

impl AtomicHeader {
    /// Reads the first line of `lines` as a header.
    fn read<R: BufRead>(lines: &mut LineReader<R>) -> Result<Self> {
        let source = lines.source().to_owned();
        let Some(line) = lines.next_line()? else {
            return Err(parse_error(
                &source,
                1,
                "empty file: expected a RecBole header such as `user_id:token\titem_id:token`",
            ));
        };
        let text = line.utf8()?;
        let mut names = Vec::new();
        let mut is_sequence = Vec::new();
        for column in text.split('\t') {
            let Some((name, kind)) = column.trim().split_once(':') else {
                return Err(line.error(format!(
                    "header column {column:?} is not of the form `name:type`"
                )));
            };
            if !matches!(kind, "token" | "token_seq" | "float" | "float_seq") {
                return Err(line.error(format!(
                    "header column {column:?} has unknown type {kind:?} \
                     (expected token, token_seq, float or float_seq)"
                )));
            }
            names.push(name.to_owned());
            is_sequence.push(kind.ends_with("_seq"));
        }
        Ok(Self { names, is_sequence })
    }

    /// The position of the first column named one of `names`.
    fn find(&self, names: &[&str]) -> Option<usize> {
        self.names.iter().position(|n| names.contains(&n.as_str()))
    }

    /// Like [`AtomicHeader::find`], but a missing column is an error naming the file.
    fn require(&self, names: &[&str], source: &str) -> Result<usize> {
        self.find(names).ok_or_else(|| {
            parse_error(
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
/// Each row becomes one event: a [`Feedback::Rating`](crate::data::Feedback::Rating) when the
/// file has a `rating` column, otherwise a [`Feedback::Watched`](crate::data::Feedback::Watched).
/// Timestamps (`timestamp` column, seconds) default to 0. `source` names the input in error
/// messages.
///
/// # Errors
/// [`Error::Parse`](crate::Error::Parse) with the 1-based line for a bad header, a row with the
/// wrong number of fields, an empty id, or a rating / timestamp that is not a finite number;
/// [`Error::Io`](crate::Error::Io) when reading fails. On error, `dataset` is left exactly
/// as it was (the read is all-or-nothing).
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
    dataset.all_or_nothing(false, |dataset| {
        let mut lines = LineReader::new(reader, source);
        let header = AtomicHeader::read(&mut lines)?;
        let user_column = header.require(&["user_id"], source)?;
        let item_column = header.require(&["item_id"], source)?;
        let rating_column = header.find(&["rating"]);
        let time_column = header.find(&["timestamp"]);
        let n_columns = header.names.len();

        let mut added = 0;
        while let Some(line) = lines.next_nonblank()? {
            let text = line.utf8()?;
            let [user, item, rating, time] = pick_fields(
                text,
                '\t',
                [
                    Some(user_column),
                    Some(item_column),
                    rating_column,
                    time_column,
                ],
                n_columns,
                &line,
            )?;
            let (user, item) = (user.unwrap_or(""), item.unwrap_or(""));
            add_rating_row(dataset, &line, user, item, rating, time)?;
            added += 1;
        }
        Ok(added)
    })
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

/// Column names accepted for the item title, year and genres in `.item` files.
const TITLE_COLUMNS: &[&str] = &["movie_title", "title", "name"];
const YEAR_COLUMNS: &[&str] = &["release_year", "year"];
const GENRE_COLUMNS: &[&str] = &["class", "genre", "genres"];

/// Reads a RecBole `.item` file into `dataset`'s catalog, registering items that are new;
/// returns the number of rows read.
///
/// The title comes from `movie_title` (or `title`), the year from `release_year` (or `year`),
/// genres from the space-separated `class` (or `genre`) column. A trailing `"(1995)"` in the
/// title is split off and used as the year when the year column is missing or not a number
/// (ML-100K has `unkonwn` and `V`). Every other non-empty column is kept as an
/// attribute `(column, value)`, one per value for `token_seq` columns.
///
/// # Errors
/// [`Error::Parse`](crate::Error::Parse) for a bad header, a row with the wrong number of
/// fields or an empty item id; [`Error::Io`](crate::Error::Io) when reading fails.
///
/// ```
/// use recsys_core::data::{loaders::recbole, Dataset};
/// let file = "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n\
///             1\tToy Story\t1995\tAnimation Children's Comedy\n";
/// let mut ds = Dataset::new();
/// recbole::read_item(file.as_bytes(), "ml-100k.item", &mut ds).unwrap();
/// let toy_story = ds.items.index_of("1").unwrap();
/// let info = ds.catalog().item(toy_story).unwrap();
/// assert_eq!(info.display_title().as_deref(), Some("Toy Story (1995)"));
/// assert_eq!(info.genres, ["Animation", "Children's", "Comedy"]);
/// ```
pub fn read_item<R: BufRead>(reader: R, source: &str, dataset: &mut Dataset) -> Result<usize> {
    dataset.all_or_nothing(true, |dataset| {
        let mut lines = LineReader::new(reader, source);
        let header = AtomicHeader::read(&mut lines)?;
        let item_column = header.require(&["item_id"], source)?;
        let title_column = header.find(TITLE_COLUMNS);
        let year_column = header.find(YEAR_COLUMNS);
        let genre_column = header.find(GENRE_COLUMNS);
        let n_columns = header.names.len();

        let mut rows = 0;
        while let Some(line) = lines.next_nonblank()? {
            let fields: Vec<&str> = line.utf8()?.split('\t').collect();
            if fields.len() != n_columns {
                return Err(line.error(format!(
                    "expected {n_columns} tab-separated fields, found {}",
                    fields.len()
                )));
            }
            let item = fields[item_column].trim();
            if item.is_empty() {
                return Err(line.error("empty item id"));
            }
            let (_, info) = dataset.item_info_mut(item);
            for (column, &field) in fields.iter().enumerate() {
                let field = field.trim();
                if field.is_empty() || column == item_column {
                    continue;
                }
                if Some(column) == title_column || Some(column) == year_column {
                    continue; // handled together below
                } else if Some(column) == genre_column {
                    field.split_whitespace().for_each(|g| info.add_genre(g));
                } else if header.is_sequence[column] {
                    let key = &header.names[column];
                    field
                        .split_whitespace()
                        .for_each(|v| info.add_attribute(key, v));
                } else {
                    info.add_attribute(&header.names[column], field);
                }
            }
            // The title may still carry "(1995)" (ML-100K item 1412 has year column "V"), so the
            // year column wins when it is a number and the title's suffix is the fallback.
            let field =
                |column: Option<usize>| column.map(|c| fields[c].trim()).filter(|f| !f.is_empty());
            if let Some(title) = field(title_column) {
                let (title, title_year) = crate::data::split_title_year(title);
                info.title = Some(title.to_owned());
                info.year = field(year_column)
                    .and_then(|y| y.parse().ok())
                    .or(title_year);
            } else if let Some(year) = field(year_column).and_then(|y| y.parse().ok()) {
                info.year = Some(year);
            }
            rows += 1;
        }
        Ok(rows)
    })
}

/// Knowledge-graph relations that credit a person: `(relation, role, whether the item is the
/// head)`. Freebase stores each credit in both directions; both are read and deduplicated.
const PERSON_RELATIONS: [(&str, Role, bool); 8] = [
    ("film.film.actor", Role::Actor, true),
    ("film.actor.film", Role::Actor, false),
    ("film.film.directed_by", Role::Director, true),
    ("film.director.film", Role::Director, false),
    ("film.film.written_by", Role::Writer, true),
    ("film.writer.film", Role::Writer, false),
    ("film.film.produced_by", Role::Producer, true),
    ("film.producer.film", Role::Producer, false),
];

/// Reads a RecBole knowledge graph (`.kg`) and its item–entity links (`.link`) into
/// `dataset`'s catalog; returns the number of triples attached to an item.
///
/// Triples whose head is a linked item become [`Credit`](crate::data::Credit)s for the person
/// relations (`film.film.actor`, `film.film.directed_by`, `film.film.written_by`,
/// `film.film.produced_by`, and their reverse forms such as `film.director.film` whose tail is
/// the item), and attributes `(relation, tail entity)` otherwise (genre, language, country,
/// awards, …). Other triples whose tail is an item are reverse duplicates of head triples and are
/// skipped. Entities are opaque ids (`m.0bln8`): people have no display names. Linked items that
/// are new are registered.
///
/// # Errors
/// [`Error::Parse`](crate::Error::Parse) for a bad header, a row with the wrong number of
/// fields or an empty id, and for an entity linked to two items; [`Error::Io`](crate::Error::Io)
/// when reading fails.
///
/// ```
/// use recsys_core::data::{loaders::recbole, Dataset, Role};
/// let link = "item_id:token\tentity_id:token\n1\tm.toy\n";
/// let kg = "head_id:token\trelation_id:token\ttail_id:token\n\
///           m.toy\tfilm.film.directed_by\tm.lasseter\n\
///           m.lasseter\tfilm.director.film\tm.toy\n\
///           m.toy\tfilm.film.language\tm.english\n";
/// let mut ds = Dataset::new();
/// let used = recbole::read_kg(kg.as_bytes(), "t.kg", link.as_bytes(), "t.link", &mut ds).unwrap();
/// assert_eq!(used, 3);
/// let info = ds.catalog().item(ds.items.index_of("1").unwrap()).unwrap();
/// let director = info.people(Role::Director).next().unwrap();
/// assert_eq!(ds.catalog().person_id(director), Some("m.lasseter"));
/// assert_eq!(info.credits.len(), 1);
/// assert_eq!(info.attributes, [("film.film.language".to_string(), "m.english".to_string())]);
/// ```
pub fn read_kg<K: BufRead, L: BufRead>(
    kg: K,
    kg_source: &str,
    link: L,
    link_source: &str,
    dataset: &mut Dataset,
) -> Result<usize> {
    dataset.all_or_nothing(true, |dataset| {
        let entity_items = read_links(link, link_source, dataset)?;
        let mut lines = LineReader::new(kg, kg_source);
        let header = AtomicHeader::read(&mut lines)?;
        let columns = [
            Some(header.require(&["head_id"], kg_source)?),
            Some(header.require(&["relation_id"], kg_source)?),
            Some(header.require(&["tail_id"], kg_source)?),
        ];
        let n_columns = header.names.len();

        let mut used = 0;
        while let Some(line) = lines.next_nonblank()? {
            let [head, relation, tail] =
                pick_fields(line.utf8()?, '\t', columns, n_columns, &line)?
                    .map(|f| f.unwrap_or("").trim());
            if head.is_empty() || relation.is_empty() || tail.is_empty() {
                return Err(line.error("empty head, relation or tail"));
            }
            let person_relation = PERSON_RELATIONS.iter().find(|(r, ..)| *r == relation);
            let catalog = &mut dataset.catalog;
            match (
                entity_items.get(head),
                entity_items.get(tail),
                person_relation,
            ) {
                (Some(&item), _, Some(&(_, role, true))) => {
                    catalog.add_credit(item, tail, None, role)?;
                }
                (_, Some(&item), Some(&(_, role, false))) => {
                    catalog.add_credit(item, head, None, role)?;
                }
                (Some(&item), _, None) => catalog.item_mut(item)?.add_attribute(relation, tail),
                _ => continue,
            }
            used += 1;
        }
        Ok(used)
    })
}

/// Reads a `.link` file: entity id → dense item index (items registered as needed).
fn read_links<R: BufRead>(
    reader: R,
    source: &str,
    dataset: &mut Dataset,
) -> Result<HashMap<String, u32>> {
    let mut lines = LineReader::new(reader, source);
    let header = AtomicHeader::read(&mut lines)?;
    let columns = [
        Some(header.require(&["item_id"], source)?),
        Some(header.require(&["entity_id"], source)?),
    ];
    let n_columns = header.names.len();
    let mut entity_items = HashMap::new();
    while let Some(line) = lines.next_nonblank()? {
        let [item, entity] = pick_fields(line.utf8()?, '\t', columns, n_columns, &line)?
            .map(|f| f.unwrap_or("").trim());
        if item.is_empty() || entity.is_empty() {
            return Err(line.error("empty item or entity id"));
        }
        let index = dataset.add_item(item);
        if let Some(&other) = entity_items.get(entity) {
            if other != index {
                return Err(line.error(format!(
                    "entity {entity:?} is linked to two items ({:?} and {item:?})",
                    dataset.items.id_of(other).unwrap_or("?")
                )));
            }
        }
        entity_items.insert(entity.to_owned(), index);
    }
    Ok(entity_items)
}

/// Loads the RecBole atomic files `dir/NAME.{item,inter,link,kg}` that exist into one
/// [`Dataset`]: items from `.item` first (so item indices follow that file), then ratings from
/// `.inter`, then cast, crew and other facts from `.kg` joined through `.link` (both needed).
/// `NAME.user` (user demographics) is not read.
///
/// # Errors
/// [`Error::Io`](crate::Error::Io) when neither `NAME.inter` nor `NAME.item` exists (a wrong
/// directory or name) or a file cannot be read;
/// [`Error::Parse`](crate::Error::Parse) for malformed rows (see [`read_inter`], [`read_item`],
/// [`read_kg`]).
///
/// ```no_run
/// use recsys_core::data::{loaders::recbole, Role};
/// let ds = recbole::load_recbole_dir("data/ml-100k", "ml-100k")?;
/// let toy_story = ds.catalog().find_title("Toy Story (1995)").unwrap();
/// let info = ds.catalog().item(toy_story).unwrap();
/// assert!(info.has_genre("Animation"));
/// assert!(info.people(Role::Director).count() > 0);
/// # Ok::<(), recsys_core::Error>(())
/// ```
#[cfg(feature = "fs")]
pub fn load_recbole_dir(dir: impl AsRef<std::path::Path>, name: &str) -> Result<Dataset> {
    use super::text::open;
    let dir = dir.as_ref();
    let path = |extension: &str| dir.join(format!("{name}.{extension}"));
    let label = |p: &std::path::Path| p.display().to_string();
    let mut dataset = Dataset::new();
    let item_path = path("item");
    if item_path.is_file() {
        read_item(open(&item_path)?, &label(&item_path), &mut dataset)?;
    }
    let inter_path = path("inter");
    if inter_path.is_file() || !item_path.is_file() {
        // Opening a missing .inter reports the path when there is nothing at all to load.
        read_inter(open(&inter_path)?, &label(&inter_path), &mut dataset)?;
    }
    let (kg_path, link_path) = (path("kg"), path("link"));
    if kg_path.is_file() && link_path.is_file() {
        read_kg(
            open(&kg_path)?,
            &label(&kg_path),
            open(&link_path)?,
            &label(&link_path),
            &mut dataset,
        )?;
    }
    Ok(dataset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Feedback;
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
