//! Checks of decoded values, shared by every model's validation (the lowest layer: it depends
//! on nothing in the crate but the error type).
//!
//! Models deserialise through a mirror struct and a `TryFrom` that calls their own `validate`
//! (next to the model); the helpers here are what those validations have in common.

use crate::{Error, Result};

/// A [`Error::CorruptArtifact`] with `reason`.
pub(crate) fn corrupt(reason: impl Into<String>) -> Error {
    Error::CorruptArtifact {
        reason: reason.into(),
    }
}

/// Rejects NaN and infinite values read from a payload.
pub(crate) fn check_finite(what: &str, values: &[f32]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(at) => Err(corrupt(format!("{what}: value {at} is {}", values[at]))),
        None => Ok(()),
    }
}

/// What a CSR layout promises about the indices within one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RowOrder {
    /// Any order, repeats allowed.
    Any,
    /// Strictly ascending (sorted, no repeats): what binary searches and merges rely on.
    Ascending,
    /// No index repeated within a row, in any order (e.g. neighbour lists sorted by score).
    Distinct,
}

/// The one validator of compressed-sparse-row layouts read from a payload: `indptr` starts at
/// 0, never decreases and ends at `indices.len()`, `values_len` equals `indices.len()`, every
/// index is below `n_columns`, and each row's indices follow `order`. `what` names the matrix
/// in the error.
pub(crate) fn check_csr(
    what: &str,
    indptr: &[usize],
    indices: &[u32],
    values_len: usize,
    n_columns: usize,
    order: RowOrder,
) -> Result<()> {
    if indptr.first() != Some(&0) {
        return Err(corrupt(format!("{what}: row pointers must start at 0")));
    }
    if let Some(row) = indptr.windows(2).position(|w| w[0] > w[1]) {
        return Err(corrupt(format!(
            "{what}: row pointers decrease at row {row}"
        )));
    }
    if indptr.last() != Some(&indices.len()) || values_len != indices.len() {
        return Err(corrupt(format!(
            "{what}: row pointers end at {:?} but there are {} indices and {values_len} values",
            indptr.last(),
            indices.len()
        )));
    }
    if let Some(&index) = indices.iter().find(|&&i| i as usize >= n_columns) {
        return Err(corrupt(format!(
            "{what}: index {index} is out of range for {n_columns} columns"
        )));
    }
    let mut scratch = Vec::new();
    for (row, bounds) in indptr.windows(2).enumerate() {
        // In range: the pointers were checked to rise to `indices.len()`.
        let cells = &indices[bounds[0]..bounds[1]];
        let ordered = match order {
            RowOrder::Any => true,
            RowOrder::Ascending => cells.windows(2).all(|w| w[0] < w[1]),
            RowOrder::Distinct => {
                scratch.clear();
                scratch.extend_from_slice(cells);
                scratch.sort_unstable();
                scratch.windows(2).all(|w| w[0] < w[1])
            }
        };
        if !ordered {
            let promise = match order {
                RowOrder::Ascending => "strictly ascending",
                _ => "distinct",
            };
            return Err(corrupt(format!(
                "{what}: the indices of row {row} are not {promise}"
            )));
        }
    }
    Ok(())
}

/// Makes a type deserialise only through its validation: declares `$unchecked`, a field-for-field
/// mirror of `$model` that serde decodes into, and `TryFrom<$unchecked> for $model`, which moves
/// the fields over and runs `$check` (the model's own validation) on the result. Put
/// `#[serde(try_from = "$unchecked")]` on the model, so no decoder (the artifact reader,
/// serde_json, bincode, …) can produce an unchecked value. The mirror must list the fields in
/// declaration order with the same types (and serde attributes), so the shape is unchanged.
macro_rules! checked_deserialize {
    (
        $model:ident via $unchecked:ident {
            $( $(#[$meta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
        check $check:expr
    ) => {
        #[doc = concat!("[`", stringify!($model), "`] as decoded, before its validation.")]
        #[derive(serde::Deserialize)]
        struct $unchecked {
            $( $(#[$meta])* $field: $ty ),*
        }

        impl TryFrom<$unchecked> for $model {
            type Error = crate::Error;

            fn try_from(unchecked: $unchecked) -> crate::Result<Self> {
                let model = $model {
                    $( $field: unchecked.$field ),*
                };
                let check: fn(&$model) -> crate::Result<()> = $check;
                check(&model)?;
                Ok(model)
            }
        }
    };
}
pub(crate) use checked_deserialize;

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(result: Result<()>) -> String {
        match result {
            Err(Error::CorruptArtifact { reason }) => reason,
            other => panic!("expected CorruptArtifact, got {other:?}"),
        }
    }

    #[test]
    fn csr_layouts_are_checked() {
        let any = RowOrder::Any;
        assert!(check_csr("m", &[0, 2, 3], &[1, 0, 2], 3, 3, any).is_ok());
        assert!(reason(check_csr("m", &[], &[], 0, 5, any)).contains("start at 0"));
        assert!(reason(check_csr("m", &[0, 2, 1], &[0, 1], 2, 5, any)).contains("decrease"));
        assert!(reason(check_csr("m", &[0, 5], &[1], 1, 5, any)).contains("end at"));
        assert!(reason(check_csr("m", &[0, 1], &[1], 0, 5, any)).contains("values"));
        assert!(reason(check_csr("m", &[0, 1], &[7], 1, 5, any)).contains("index 7"));
        let ascending = RowOrder::Ascending;
        assert!(check_csr("m", &[0, 2], &[1, 3], 2, 5, ascending).is_ok());
        let msg = reason(check_csr("m", &[0, 2], &[3, 1], 2, 5, ascending));
        assert!(msg.contains("row 0") && msg.contains("ascending"), "{msg}");
        assert!(check_csr("m", &[0, 2], &[3, 3], 2, 5, ascending).is_err());
        assert!(check_csr("m", &[0, 2], &[3, 1], 2, 5, RowOrder::Distinct).is_ok());
        let msg = reason(check_csr("m", &[0, 2], &[3, 3], 2, 5, RowOrder::Distinct));
        assert!(msg.contains("distinct"), "{msg}");
    }

    #[test]
    fn non_finite_values_are_named() {
        assert!(check_finite("x", &[1.0, 2.0]).is_ok());
        assert_eq!(
            reason(check_finite("x", &[1.0, f32::NAN])),
            "x: value 1 is NaN"
        );
    }
}
