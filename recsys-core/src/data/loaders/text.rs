//! A small line reader for delimited text files, shared by the loaders.
//!
//! It reuses one buffer for every line, counts 1-based line numbers for error messages, strips
//! `\r\n` / `\n` and a leading UTF-8 byte-order mark, and leaves splitting to the caller (each
//! format has its own delimiter and quoting rules).

use std::io::BufRead;

use crate::data::{Dataset, Feedback};
use crate::{Error, Result};

/// Reads a text source line by line into a reused buffer.
pub(crate) struct LineReader<R> {
    reader: R,
    source: String,
    line_number: usize,
    buffer: Vec<u8>,
}

/// One line (without its terminator), its 1-based number and the source it came from.
pub(crate) struct Line<'a> {
    /// The raw bytes of the line.
    pub bytes: &'a [u8],
    /// 1-based line number.
    pub number: usize,
    source: &'a str,
}

impl<R: BufRead> LineReader<R> {
    /// Wraps `reader`; `source` names it in error messages (a path or a short label).
    pub(crate) fn new(reader: R, source: &str) -> Self {
        Self {
            reader,
            source: source.to_owned(),
            line_number: 0,
            buffer: Vec::with_capacity(256),
        }
    }

    /// The next line, or `None` at the end of the input.
    pub(crate) fn next_line(&mut self) -> Result<Option<Line<'_>>> {
        Ok(if self.advance()? {
            Some(self.current())
        } else {
            None
        })
    }

    /// The next line that is not blank (whitespace only), or `None` at the end of the input.
    pub(crate) fn next_nonblank(&mut self) -> Result<Option<Line<'_>>> {
        while self.advance()? {
            if !self.current().is_blank() {
                return Ok(Some(self.current()));
            }
        }
        Ok(None)
    }

    /// Reads the next raw line into the buffer; `false` at the end of the input.
    fn advance(&mut self) -> Result<bool> {
        self.buffer.clear();
        let read = self
            .reader
            .read_until(b'\n', &mut self.buffer)
            .map_err(|source| Error::Io {
                path: self.source.clone(),
                source,
            })?;
        if read > 0 {
            self.line_number += 1;
        }
        Ok(read > 0)
    }

    /// The line in the buffer without its terminator (and without a byte-order mark on line 1).
    fn current(&self) -> Line<'_> {
        let mut bytes = self.buffer.as_slice();
        if let Some(rest) = bytes.strip_suffix(b"\n") {
            bytes = rest;
        }
        if let Some(rest) = bytes.strip_suffix(b"\r") {
            bytes = rest;
        }
        if self.line_number == 1 {
            if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
                bytes = rest;
            }
        }
        Line {
            bytes,
            number: self.line_number,
            source: &self.source,
        }
    }

    /// The source name given to [`LineReader::new`].
    pub(crate) fn source(&self) -> &str {
        &self.source
    }
}

impl<'a> Line<'a> {
    /// A parse error pointing at this line.
    pub(crate) fn error(&self, reason: impl Into<String>) -> Error {
        parse_error(self.source, self.number, reason)
    }

    /// The line as UTF-8 text.
    pub(crate) fn utf8(&self) -> Result<&'a str> {
        std::str::from_utf8(self.bytes)
            .map_err(|e| self.error(format!("invalid UTF-8 at byte {}", e.valid_up_to())))
    }

    /// Whether the line holds nothing but whitespace.
    pub(crate) fn is_blank(&self) -> bool {
        self.bytes.iter().all(u8::is_ascii_whitespace)
    }
}

/// An [`Error::Parse`] for `source` at 1-based `line`.
pub(crate) fn parse_error(source: &str, line: usize, reason: impl Into<String>) -> Error {
    Error::Parse {
        file: source.to_owned(),
        line,
        reason: reason.into(),
    }
}

/// Decodes ISO-8859-1 (Latin-1) bytes: every byte is the code point of the same value.
pub(crate) fn latin1_to_string(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Splits `text` on `separator` and returns the fields at `columns` (`None` columns give
/// `None`), checking that the row has exactly `n_columns` fields. No allocation.
pub(crate) fn pick_fields<'t, const N: usize>(
    text: &'t str,
    separator: char,
    columns: [Option<usize>; N],
    n_columns: usize,
    line: &Line<'_>,
) -> Result<[Option<&'t str>; N]> {
    let mut picked = [None; N];
    let mut n_fields = 0;
    for (i, field) in text.split(separator).enumerate() {
        n_fields += 1;
        for (slot, column) in picked.iter_mut().zip(columns) {
            if column == Some(i) {
                *slot = Some(field);
            }
        }
    }
    if n_fields != n_columns {
        return Err(line.error(format!(
            "expected {n_columns} fields separated by {separator:?}, found {n_fields}"
        )));
    }
    Ok(picked)
}

/// Adds one rating row to `dataset`: checks the ids, parses the rating (a missing rating column
/// makes the row a [`Feedback::Watched`]) and the timestamp (0 when missing).
pub(crate) fn add_rating_row(
    dataset: &mut Dataset,
    line: &Line<'_>,
    user: &str,
    item: &str,
    rating: Option<&str>,
    timestamp: Option<&str>,
) -> Result<()> {
    let (user, item) = (user.trim(), item.trim());
    if user.is_empty() || item.is_empty() {
        return Err(line.error("empty user or item id"));
    }
    let feedback = match rating {
        Some(field) => Feedback::Rating(parse_rating(field, line)?),
        None => Feedback::Watched,
    };
    let timestamp = match timestamp {
        Some(field) => parse_timestamp(field, line)?,
        None => 0,
    };
    dataset
        .add_event(user, item, feedback, timestamp)
        .map_err(|e| line.error(e.to_string()))
}

/// Parses a rating, rejecting anything that is not a finite number.
pub(crate) fn parse_rating(field: &str, line: &Line<'_>) -> Result<f32> {
    let value: f32 = field
        .trim()
        .parse()
        .map_err(|_| line.error(format!("rating {field:?} is not a number")))?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(line.error(format!("rating {field:?} is not finite")))
    }
}

/// Parses a timestamp in seconds: an integer, or a finite float (RecBole writes `float` columns),
/// rounded to the nearest second.
pub(crate) fn parse_timestamp(field: &str, line: &Line<'_>) -> Result<i64> {
    let field = field.trim();
    if let Ok(seconds) = field.parse::<i64>() {
        return Ok(seconds);
    }
    match field.parse::<f64>() {
        // The bounds keep the cast exact; timestamps beyond ±2^62 s are nonsense anyway.
        Ok(v) if v.is_finite() && v.abs() < 4.6e18 => Ok(v.round() as i64),
        _ => Err(line.error(format!("timestamp {field:?} is not a finite number"))),
    }
}

/// Opens `path` for buffered reading, naming the path in the error.
#[cfg(feature = "fs")]
pub(crate) fn open(path: &std::path::Path) -> Result<std::io::BufReader<std::fs::File>> {
    std::fs::File::open(path)
        .map(|f| std::io::BufReader::with_capacity(1 << 16, f))
        .map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_terminators_and_bom_and_counts_lines() {
        let input: &[u8] = b"\xEF\xBB\xBFa\tb\r\n\nlast";
        let mut lines = LineReader::new(input, "mem");
        let first = lines.next_line().unwrap().unwrap();
        assert_eq!((first.bytes, first.number), (&b"a\tb"[..], 1));
        let second = lines.next_line().unwrap().unwrap();
        assert!(second.is_blank());
        let third = lines.next_line().unwrap().unwrap();
        assert_eq!((third.bytes, third.number), (&b"last"[..], 3));
        assert!(lines.next_line().unwrap().is_none());
    }

    #[test]
    fn numbers_are_checked() {
        let mut lines = LineReader::new(&b"x"[..], "mem");
        let line = lines.next_line().unwrap().unwrap();
        assert_eq!(parse_rating(" 4.5", &line).unwrap(), 4.5);
        for bad in ["NaN", "inf", "-inf", "", "four"] {
            assert!(matches!(
                parse_rating(bad, &line),
                Err(Error::Parse { line: 1, .. })
            ));
        }
        assert_eq!(parse_timestamp("881250949", &line).unwrap(), 881_250_949);
        assert_eq!(parse_timestamp("8.8125e8", &line).unwrap(), 881_250_000);
        assert!(parse_timestamp("1e300", &line).is_err());
        assert!(parse_timestamp("nan", &line).is_err());
    }

    #[test]
    fn latin1_maps_bytes_to_code_points() {
        assert_eq!(latin1_to_string(b"Mis\xe9rables"), "Misérables");
    }
}
