//! External ids ⇄ dense indices.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// A bijection between external ids (the app's own, as strings) and dense `u32` indices
/// `0..len`, in insertion order.
///
/// Integer ids are stored in their decimal form, so `"42"` and `42` name the same entity.
///
/// ```
/// use recsys_core::data::IdMap;
/// let mut users = IdMap::new();
/// assert_eq!(users.get_or_insert("alice"), 0);
/// assert_eq!(users.get_or_insert("bob"), 1);
/// assert_eq!(users.get_or_insert("alice"), 0);
/// assert_eq!(users.index_of("bob"), Some(1));
/// assert_eq!(users.id_of(1), Some("bob"));
/// assert_eq!(users.index_of("carol"), None);
/// ```
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(try_from = "DecodedIds", into = "Vec<String>")]
pub struct IdMap {
    ids: Vec<String>,
    index: HashMap<String, u32>,
}

impl IdMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// The index of `id`, inserting it at the end if it is new.
    pub fn get_or_insert(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.ids.len() as u32;
        self.ids.push(id.to_owned());
        self.index.insert(id.to_owned(), i);
        i
    }

    /// The index of `id`, if known.
    pub fn index_of(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    /// The external id at `index`, if in range.
    pub fn id_of(&self, index: u32) -> Option<&str> {
        self.ids.get(index as usize).map(String::as_str)
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the map holds no ids.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Forgets every id with an index of `len` or more (to undo a failed bulk insert).
    pub(crate) fn truncate(&mut self, len: usize) {
        for id in self.ids.drain(len.min(self.ids.len())..) {
            self.index.remove(&id);
        }
    }

    /// External ids in index order.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }
}

impl From<Vec<String>> for IdMap {
    /// Builds a map from ids in index order; a repeated id keeps its first index.
    fn from(ids: Vec<String>) -> Self {
        // One hash per id into a table sized once, keeping the strings as they are (loading an
        // artifact decodes every id map through here).
        let mut index = HashMap::with_capacity(ids.len());
        let mut repeated = false;
        for (i, id) in ids.iter().enumerate() {
            let fresh = index.len();
            repeated |= *index.entry(id.clone()).or_insert(i as u32) as usize != fresh;
        }
        if !repeated {
            return IdMap { ids, index };
        }
        let mut map = IdMap::new();
        for id in &ids {
            map.get_or_insert(id);
        }
        map
    }
}

/// The id list as decoded, before [`IdMap`] checks it: unlike [`From<Vec<String>>`], a
/// repeated id is an error, because merging it would shift every later index and misalign the
/// model or dataset stored with the map.
#[derive(Deserialize)]
#[serde(transparent)]
struct DecodedIds(Vec<String>);

impl TryFrom<DecodedIds> for IdMap {
    type Error = crate::Error;

    fn try_from(DecodedIds(ids): DecodedIds) -> crate::Result<Self> {
        let listed = ids.len();
        let map = IdMap::from(ids);
        if map.len() == listed {
            Ok(map)
        } else {
            Err(crate::Error::CorruptArtifact {
                reason: format!(
                    "id list repeats ids: {listed} listed, {} distinct",
                    map.len()
                ),
            })
        }
    }
}

impl From<IdMap> for Vec<String> {
    fn from(map: IdMap) -> Self {
        map.ids
    }
}

impl PartialEq for IdMap {
    fn eq(&self, other: &Self) -> bool {
        self.ids == other.ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_vec() {
        let mut m = IdMap::new();
        for id in ["b", "a", "c", "a"] {
            m.get_or_insert(id);
        }
        let v: Vec<String> = m.clone().into();
        assert_eq!(v, vec!["b", "a", "c"]);
        let back = IdMap::from(v);
        assert_eq!(back, m);
        assert_eq!(back.index_of("c"), Some(2));
    }

    #[test]
    fn decoding_rejects_repeated_ids() {
        let config = bincode::config::standard();
        let bytes = bincode::serde::encode_to_vec(vec!["a", "b", "a"], config).unwrap();
        let err = bincode::serde::decode_from_slice::<IdMap, _>(&bytes, config).unwrap_err();
        assert!(err.to_string().contains("repeats ids"), "{err}");
        let bytes = bincode::serde::encode_to_vec(vec!["a", "b"], config).unwrap();
        let (map, _) = bincode::serde::decode_from_slice::<IdMap, _>(&bytes, config).unwrap();
        assert_eq!(map.index_of("b"), Some(1));
    }
}
