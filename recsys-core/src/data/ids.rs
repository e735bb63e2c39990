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

/// `#[serde(with = "crate::data::ids::front_coded")]` for a large [`IdMap`] (a catalogue's
/// people): the plain id list unless [`packed_people`](crate::codec::packed_people), then front-coded,
/// each id as the byte length it shares with the previous one and the rest (sorted ids, e.g.
/// `m.0abc1`, `m.0abc9`, share most of their bytes: MovieLens-100K's 30k Freebase person ids
/// take half the gzipped bytes).
pub(crate) mod front_coded {
    use serde::de::{Error as _, SeqAccess, Visitor};
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{DecodedIds, IdMap};

    /// Decoded id bytes allowed per encoded byte read (plus a constant): real front-coded ids
    /// expand about 2×; a forged file of long shared prefixes must not expand quadratically.
    const MAX_EXPANSION: usize = 64;

    pub(crate) fn serialize<S: Serializer>(map: &IdMap, s: S) -> Result<S::Ok, S::Error> {
        if !crate::codec::packed_people() {
            return map.ids().serialize(s);
        }
        let mut seq = s.serialize_seq(Some(map.len()))?;
        let mut previous = "";
        for id in map.ids() {
            let shared = shared_prefix(previous, id);
            seq.serialize_element(&(shared as u64, &id[shared..]))?;
            previous = id;
        }
        seq.end()
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<IdMap, D::Error> {
        if !crate::codec::packed_people() {
            return IdMap::deserialize(d);
        }
        struct FrontCoded;
        impl<'de> Visitor<'de> for FrontCoded {
            type Value = Vec<String>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("front-coded ids")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
                // A forged length reserves no more than the bytes can hold.
                let mut ids: Vec<String> =
                    Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
                let (mut read, mut decoded) = (0usize, 0usize);
                while let Some((shared, rest)) = seq.next_element::<(u64, String)>()? {
                    let previous = ids.last().map_or("", String::as_str);
                    let shared = usize::try_from(shared)
                        .ok()
                        .filter(|&n| n <= previous.len() && previous.is_char_boundary(n))
                        .ok_or_else(|| {
                            A::Error::custom("a front-coded id shares more than the previous id")
                        })?;
                    read += rest.len() + 2;
                    decoded += shared + rest.len();
                    if decoded > read.saturating_mul(MAX_EXPANSION) + 4096 {
                        return Err(A::Error::custom("front-coded ids expand too much"));
                    }
                    let mut id = String::with_capacity(shared + rest.len());
                    id.push_str(&previous[..shared]);
                    id.push_str(&rest);
                    ids.push(id);
                }
                Ok(ids)
            }
        }
        let ids = d.deserialize_seq(FrontCoded)?;
        IdMap::try_from(DecodedIds(ids)).map_err(D::Error::custom)
    }

    /// The length in bytes of the longest common prefix of `a` and `b` that ends on a
    /// character boundary.
    fn shared_prefix(a: &str, b: &str) -> usize {
        a.char_indices()
            .zip(b.chars())
            .find(|&((_, x), y)| x != y)
            .map_or_else(|| a.len().min(b.len()), |((at, _), _)| at)
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::codec::{with_floats, FloatEncoding};

        #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
        struct People(#[serde(with = "super")] IdMap);

        fn round_trip(ids: &[&str]) -> (Vec<u8>, People) {
            let people = People(IdMap::from(
                ids.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            ));
            let bytes = with_floats(FloatEncoding::Int8, || {
                crate::codec::encode("people", &people).unwrap()
            });
            let (back, _): (People, _) = with_floats(FloatEncoding::Int8, || {
                bincode::serde::decode_from_slice(&bytes, crate::codec::config()).unwrap()
            });
            assert_eq!(back, people);
            (bytes, back)
        }

        #[test]
        fn front_coding_round_trips_any_order_and_shares_sorted_prefixes() {
            round_trip(&[]);
            round_trip(&["b", "", "ab", "abc", "a", "é", "éa", "ê"]);
            let (bytes, back) = round_trip(&["m.0abc12", "m.0abc13", "m.0abd"]);
            assert_eq!(back.0.index_of("m.0abd"), Some(2));
            // 3 entries: "m.0abc12" whole, then 7 shared + "3", then 5 shared + "d".
            assert_eq!(bytes.len(), 1 + (1 + 1 + 8) + (1 + 1 + 1) + (1 + 1 + 1));
            assert_eq!(shared_prefix("é", "ê"), 0);
            assert_eq!(shared_prefix("ab", "abc"), 2);
        }

        #[test]
        fn forged_front_coding_is_an_error() {
            let decode = |entries: &[(u64, &str)]| {
                let bytes = bincode::serde::encode_to_vec(entries, crate::codec::config()).unwrap();
                with_floats(FloatEncoding::Int8, || {
                    bincode::serde::decode_from_slice::<People, _>(&bytes, crate::codec::config())
                        .map(|(people, _)| people)
                })
            };
            assert!(decode(&[(0, "ab"), (2, "c")]).is_ok());
            let err = decode(&[(0, "ab"), (3, "c")]).unwrap_err().to_string();
            assert!(err.contains("shares more"), "{err}");
            // Inside a multi-byte character.
            assert!(decode(&[(0, "é"), (1, "x")]).is_err());
            let err = decode(&[(0, "ab"), (2, "")]).unwrap_err().to_string();
            assert!(err.contains("repeats ids"), "{err}");
            // Long prefixes re-shared many times expand far beyond the bytes read.
            let long = "x".repeat(5000);
            let mut entries = vec![(0, long.as_str())];
            entries
                .extend((0..200).map(|i| (5000 - 1 - (i % 2), if i % 2 == 0 { "y" } else { "z" })));
            let err = decode(&entries).unwrap_err().to_string();
            assert!(err.contains("expand"), "{err}");
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
