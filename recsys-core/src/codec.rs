//! The payload encoding shared by artifacts and fingerprints (a low layer: it depends on nothing
//! in the crate but the error type).
//!
//! Payloads are serde + bincode 2 with `config::standard()`. A fingerprint is the 64-bit FNV-1a
//! hash of those bytes, written as 16 lower-case hex digits.
//!
//! Large float arrays of the models (factors, similarities) are written through [`packed`]: as
//! plain `f32` sequences by default, or packed as `f16` or block-scaled `int8` while an encode or
//! decode runs under [`with_floats`] (the artifact header's kind tag records which).

use std::cell::Cell;

use serde::Serialize;

use crate::{Error, Result};

/// The bincode configuration of every payload.
pub(crate) fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Encodes `value` as a payload; `kind` names it in the error.
pub(crate) fn encode<T: Serialize + ?Sized>(kind: &str, value: &T) -> Result<Vec<u8>> {
    bincode::serde::encode_to_vec(value, config()).map_err(|err| encode_error(kind, err))
}

/// The fingerprint of `value`'s payload, streamed through the hash (no payload buffer).
pub(crate) fn fingerprint_of<T: Serialize + ?Sized>(kind: &str, value: &T) -> Result<String> {
    let mut hasher = Fnv1a::new();
    bincode::serde::encode_into_std_write(value, &mut hasher, config())
        .map_err(|err| encode_error(kind, err))?;
    Ok(hasher.hex())
}

/// The fingerprint of payload bytes.
pub(crate) fn fingerprint(payload: &[u8]) -> String {
    let mut hasher = Fnv1a::new();
    hasher.update(payload);
    hasher.hex()
}

fn encode_error(kind: &str, err: bincode::error::EncodeError) -> Error {
    Error::CorruptArtifact {
        reason: format!("cannot encode the `{kind}` model: {err}"),
    }
}

/// How the large float arrays of a payload (factors, similarities) are stored.
///
/// `F32` is exact and the default. `F16` keeps 11 significant bits (relative error ≤ 2⁻¹¹) in
/// half the bytes; `Int8` stores blocks of 32 values as 8-bit integers sharing one power-of-two
/// scale (absolute error ≤ 2⁻⁸ of the block's largest value) in about a quarter. Decoding
/// either gives `f32` values again, and re-encoding them reproduces the same bytes.
///
/// ```
/// use recsys_core::artifact::FloatEncoding;
/// assert_eq!(FloatEncoding::default(), FloatEncoding::F32);
/// assert_eq!("int8".parse::<FloatEncoding>().unwrap(), FloatEncoding::Int8);
/// assert_eq!(FloatEncoding::F16.as_str(), "f16");
/// assert!("f8".parse::<FloatEncoding>().is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FloatEncoding {
    /// 4 bytes per value, exact.
    #[default]
    F32,
    /// IEEE 754 half precision, 2 bytes per value.
    F16,
    /// 8-bit integers with a power-of-two scale per block of 32 values (33 bytes per block).
    Int8,
}

impl FloatEncoding {
    /// Every encoding.
    pub const ALL: [FloatEncoding; 3] =
        [FloatEncoding::F32, FloatEncoding::F16, FloatEncoding::Int8];

    /// `"f32"`, `"f16"` or `"int8"` (also the suffix of a packed artifact's kind tag).
    pub fn as_str(self) -> &'static str {
        match self {
            FloatEncoding::F32 => "f32",
            FloatEncoding::F16 => "f16",
            FloatEncoding::Int8 => "int8",
        }
    }
}

impl std::fmt::Display for FloatEncoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for FloatEncoding {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| Error::invalid("floats", format!("{s:?} is not one of f32, f16, int8")))
    }
}

/// How a payload's large arrays are laid out: the float encoding of [`packed`] arrays, whether
/// neighbour id lists are delta-coded ([`ids`], [`rows`]), and whether a catalogue's people
/// are front-coded and its credits delta-coded ([`packed_people`]).
///
/// Plain (`F32`) payloads do neither. Packed payloads written by this build do both (kind tag
/// `"{kind}-{floats}-delta-people"`); those of earlier builds, `"{kind}-{floats}-delta"` (ids
/// only) and `"{kind}-{floats}"` (neither), are still read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Packing {
    /// How [`packed`] arrays are stored.
    pub(crate) floats: FloatEncoding,
    /// Whether [`ids`] lists are delta-coded and [`rows`] sorted by item.
    pub(crate) delta_ids: bool,
    /// Whether a catalogue's person ids are front-coded and credits delta-coded.
    pub(crate) packed_people: bool,
}

impl Packing {
    /// The kind-tag suffix of a packed payload with delta-coded ids.
    pub(crate) const DELTA_SUFFIX: &'static str = "-delta";
    /// The kind-tag suffix (after [`Packing::DELTA_SUFFIX`]) of a payload with packed people.
    pub(crate) const PEOPLE_SUFFIX: &'static str = "-people";
    /// Plain `f32` arrays, nothing delta- or front-coded.
    pub(crate) const PLAIN: Packing = Packing {
        floats: FloatEncoding::F32,
        delta_ids: false,
        packed_people: false,
    };

    /// The layout this build writes for `floats`: ids delta-coded and people packed in every
    /// packed payload.
    pub(crate) fn written(floats: FloatEncoding) -> Self {
        let packed = floats != FloatEncoding::F32;
        Self {
            floats,
            delta_ids: packed,
            packed_people: packed,
        }
    }

    /// The kind-tag suffix of this layout (empty for plain payloads).
    pub(crate) fn suffix(self) -> String {
        if self == Packing::PLAIN {
            return String::new();
        }
        let delta = if self.delta_ids {
            Self::DELTA_SUFFIX
        } else {
            ""
        };
        let people = if self.packed_people {
            Self::PEOPLE_SUFFIX
        } else {
            ""
        };
        format!("-{}{delta}{people}", self.floats)
    }

    /// The layout a kind-tag suffix names: this build's or an earlier build's (`None`: unknown).
    pub(crate) fn from_suffix(suffix: &str) -> Option<Self> {
        if suffix.is_empty() {
            return Some(Packing::PLAIN);
        }
        FloatEncoding::ALL
            .into_iter()
            .filter(|&floats| floats != FloatEncoding::F32)
            .flat_map(|floats| {
                [(false, false), (true, false), (true, true)].map(|(delta_ids, packed_people)| {
                    Packing {
                        floats,
                        delta_ids,
                        packed_people,
                    }
                })
            })
            .find(|packing| packing.suffix() == suffix)
    }
}

thread_local! {
    /// The layout of the payload being encoded or decoded on this thread.
    static PACKING: Cell<Packing> = const { Cell::new(Packing::PLAIN) };
}

/// The float encoding in force on this thread (`F32` outside [`with_floats`]).
pub(crate) fn current_floats() -> FloatEncoding {
    PACKING.with(Cell::get).floats
}

/// Whether neighbour ids are delta-coded in the payload being encoded or decoded.
pub(crate) fn delta_ids() -> bool {
    PACKING.with(Cell::get).delta_ids
}

/// Whether a catalogue's people are front-coded and its credits delta-coded in the payload
/// being encoded or decoded.
pub(crate) fn packed_people() -> bool {
    PACKING.with(Cell::get).packed_people
}

/// Runs `f` (an encode, or a decode of this build's payloads) with `floats` in force for
/// [`packed`] arrays and this build's id layout ([`Packing::written`]).
pub(crate) fn with_floats<R>(floats: FloatEncoding, f: impl FnOnce() -> R) -> R {
    with_packing(Packing::written(floats), f)
}

/// Runs `f` (an encode or a decode) with `packing` in force, restoring the previous layout
/// afterwards, also when `f` panics.
pub(crate) fn with_packing<R>(packing: Packing, f: impl FnOnce() -> R) -> R {
    struct Restore(Packing);
    impl Drop for Restore {
        fn drop(&mut self) {
            PACKING.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(PACKING.with(|c| c.replace(packing)));
    f()
}

/// Signed → unsigned, small magnitudes to small numbers (0, -1, 1, -2 → 0, 1, 2, 3): deltas
/// as short varints.
pub(crate) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// The inverse of [`zigzag`].
pub(crate) fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// `#[serde(with = "crate::codec::ids")]` for a `Vec<u32>` of item ids mostly ascending (e.g.
/// CSR rows sorted by item): a plain sequence unless [`delta_ids`], then the zigzag-coded
/// differences of consecutive ids (small numbers: one varint byte each instead of up to three,
/// and far more compressible).
pub(crate) mod ids {
    use serde::de::{Error as _, SeqAccess, Visitor};
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{unzigzag, zigzag};

    pub(crate) fn serialize<S: Serializer>(ids: &[u32], s: S) -> Result<S::Ok, S::Error> {
        if !super::delta_ids() {
            return ids.serialize(s);
        }
        let mut seq = s.serialize_seq(Some(ids.len()))?;
        let mut previous = 0i64;
        for &id in ids {
            let delta = i64::from(id) - previous;
            previous = i64::from(id);
            seq.serialize_element(&zigzag(delta))?;
        }
        seq.end()
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u32>, D::Error> {
        if !super::delta_ids() {
            return Vec::<u32>::deserialize(d);
        }
        struct Deltas;
        impl<'de> Visitor<'de> for Deltas {
            type Value = Vec<u32>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("delta-coded ids")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u32>, A::Error> {
                // A forged length reserves no more than the bytes can hold.
                let mut ids = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
                let mut previous = 0i64;
                while let Some(code) = seq.next_element::<u64>()? {
                    let id = previous
                        .checked_add(unzigzag(code))
                        .and_then(|id| u32::try_from(id).ok())
                        .ok_or_else(|| A::Error::custom("a delta-coded id is out of range"))?;
                    ids.push(id);
                    previous = i64::from(id);
                }
                Ok(ids)
            }
        }
        d.deserialize_seq(Deltas)
    }
}

/// Neighbour lists (CSR rows of ids and values) stored sorted by id when [`delta_ids`], so that
/// [`ids`] deltas are small, and kept in memory most similar first.
pub(crate) mod rows {
    /// Copies of `ids` and `values` with every row sorted by id (the order rows are stored in).
    pub(crate) fn by_id(indptr: &[usize], ids: &[u32], values: &[f32]) -> (Vec<u32>, Vec<f32>) {
        let mut row: Vec<(u32, f32)> = Vec::new();
        let (mut sorted_ids, mut sorted_values) = (
            Vec::with_capacity(ids.len()),
            Vec::with_capacity(values.len()),
        );
        for range in indptr.windows(2) {
            row.clear();
            row.extend(
                ids[range[0]..range[1]]
                    .iter()
                    .copied()
                    .zip(values[range[0]..range[1]].iter().copied()),
            );
            row.sort_by_key(|&(id, _)| id);
            sorted_ids.extend(row.iter().map(|&(id, _)| id));
            sorted_values.extend(row.iter().map(|&(_, v)| v));
        }
        (sorted_ids, sorted_values)
    }

    /// Sorts every row most similar first (ties: lower id first), the in-memory order. The
    /// CSR must be valid (checked by the caller).
    pub(crate) fn by_value_desc(indptr: &[usize], ids: &mut [u32], values: &mut [f32]) {
        let mut row: Vec<(u32, f32)> = Vec::new();
        for range in indptr.windows(2) {
            let (ids, values) = (
                &mut ids[range[0]..range[1]],
                &mut values[range[0]..range[1]],
            );
            row.clear();
            row.extend(ids.iter().copied().zip(values.iter().copied()));
            row.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for ((id, value), &(i, v)) in ids.iter_mut().zip(values.iter_mut()).zip(&row) {
                (*id, *value) = (i, v);
            }
        }
    }
}

/// `#[serde(with = "crate::codec::packed")]` for a large `Vec<f32>`: a plain sequence under
/// `F32` (the layout of an unannotated `Vec<f32>`), otherwise `(length, packed bytes)`.
pub(crate) mod packed {
    use serde::de::{Error as _, Visitor};
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{current_floats, FloatEncoding};

    /// Values per `Int8` block (one scale exponent each).
    pub(crate) const BLOCK: usize = 32;

    pub(crate) fn serialize<S: Serializer>(values: &[f32], s: S) -> Result<S::Ok, S::Error> {
        match current_floats() {
            FloatEncoding::F32 => values.serialize(s),
            floats => {
                let bytes = pack(values, floats).map_err(S::Error::custom)?;
                (values.len() as u64, Bytes(&bytes)).serialize(s)
            }
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f32>, D::Error> {
        match current_floats() {
            FloatEncoding::F32 => Vec::<f32>::deserialize(d),
            floats => {
                let (len, ByteBuf(bytes)) = <(u64, ByteBuf)>::deserialize(d)?;
                unpack(&bytes, len, floats).map_err(D::Error::custom)
            }
        }
    }

    /// Packs `values` (finite) as `floats` (not `F32`).
    pub(crate) fn pack(values: &[f32], floats: FloatEncoding) -> Result<Vec<u8>, String> {
        match floats {
            FloatEncoding::F32 => Ok(values.iter().flat_map(|v| v.to_le_bytes()).collect()),
            FloatEncoding::F16 => {
                let mut out = Vec::with_capacity(values.len() * 2);
                for &v in values {
                    let half = f32_to_f16(v);
                    if !v.is_finite() || !f16_to_f32(half).is_finite() {
                        return Err(format!("{v} does not fit in f16 (|v| ≤ 65504)"));
                    }
                    out.extend_from_slice(&half.to_le_bytes());
                }
                Ok(out)
            }
            FloatEncoding::Int8 => {
                let blocks = values.len().div_ceil(BLOCK);
                let mut out = Vec::with_capacity(blocks + values.len());
                let mut codes = Vec::with_capacity(values.len());
                for block in values.chunks(BLOCK) {
                    if let Some(v) = block.iter().find(|v| !v.is_finite()) {
                        return Err(format!("{v} cannot be stored as int8"));
                    }
                    let max = block.iter().fold(0.0f32, |m, v| m.max(v.abs()));
                    let exponent = block_exponent(max);
                    let scale = pow2(exponent);
                    out.push(exponent as u8);
                    codes.extend(
                        block
                            .iter()
                            .map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8 as u8),
                    );
                }
                out.extend_from_slice(&codes);
                Ok(out)
            }
        }
    }

    /// Unpacks `len` values packed by [`pack`].
    pub(crate) fn unpack(
        bytes: &[u8],
        len: u64,
        floats: FloatEncoding,
    ) -> Result<Vec<f32>, String> {
        let len = usize::try_from(len).map_err(|_| format!("{len} values"))?;
        let expected = match floats {
            FloatEncoding::F32 => len.checked_mul(4),
            FloatEncoding::F16 => len.checked_mul(2),
            FloatEncoding::Int8 => len.checked_add(len.div_ceil(BLOCK)),
        };
        if expected != Some(bytes.len()) {
            return Err(format!(
                "{} packed bytes do not hold {len} {floats} values",
                bytes.len()
            ));
        }
        let values: Vec<f32> = match floats {
            FloatEncoding::F32 => bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            FloatEncoding::F16 => bytes
                .chunks_exact(2)
                .map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
                .collect(),
            FloatEncoding::Int8 => {
                let (exponents, codes) = bytes.split_at(len.div_ceil(BLOCK));
                codes
                    .chunks(BLOCK)
                    .zip(exponents)
                    .flat_map(|(block, &e)| {
                        let scale = pow2(i32::from(e as i8));
                        block.iter().map(move |&c| f32::from(c as i8) * scale)
                    })
                    .collect()
            }
        };
        if values.iter().any(|v| !v.is_finite()) {
            return Err(format!("packed {floats} values are not all finite"));
        }
        Ok(values)
    }

    /// The smallest exponent `e` with `max / 2^e ≤ 127`, within `-126..=127`.
    fn block_exponent(max: f32) -> i32 {
        if max == 0.0 {
            return 0;
        }
        let mut e = ((max / 127.0).log2().ceil() as i32).clamp(-126, 127);
        while e < 127 && max / pow2(e) > 127.0 {
            e += 1;
        }
        while e > -126 && max / pow2(e - 1) <= 127.0 {
            e -= 1;
        }
        e
    }

    /// `2^e` for `e` in `-126..=127` (exact), beyond that range 0 or infinity.
    fn pow2(e: i32) -> f32 {
        if (-126..=127).contains(&e) {
            f32::from_bits(((e + 127) as u32) << 23)
        } else if e < 0 {
            0.0
        } else {
            f32::INFINITY
        }
    }

    /// IEEE 754 binary16 of `v`, rounded to nearest, ties to even.
    pub(crate) fn f32_to_f16(v: f32) -> u16 {
        let bits = v.to_bits();
        let sign = ((bits >> 16) & 0x8000) as u16;
        let exponent = ((bits >> 23) & 0xff) as i32;
        let mantissa = bits & 0x007f_ffff;
        if exponent == 0xff {
            // Infinity, or NaN (kept quiet and non-zero).
            return sign | 0x7c00 | if mantissa != 0 { 0x0200 } else { 0 };
        }
        let e = exponent - 127 + 15;
        if e >= 0x1f {
            return sign | 0x7c00;
        }
        if e <= 0 {
            // Subnormal half (or zero): shift the full significand into place.
            if e < -10 {
                return sign;
            }
            let significand = mantissa | 0x0080_0000;
            let shift = (14 - e) as u32;
            let half = significand >> shift;
            let rest = significand & ((1 << shift) - 1);
            let halfway = 1 << (shift - 1);
            let round = rest > halfway || (rest == halfway && half & 1 == 1);
            return sign | (half + u32::from(round)) as u16;
        }
        let half = ((e as u32) << 10) | (mantissa >> 13);
        let rest = mantissa & 0x1fff;
        let round = rest > 0x1000 || (rest == 0x1000 && half & 1 == 1);
        // A carry out of the mantissa moves to the next exponent (up to infinity): correct.
        sign | (half + u32::from(round)) as u16
    }

    /// The `f32` value of the binary16 `h` (exact).
    pub(crate) fn f16_to_f32(h: u16) -> f32 {
        let sign = u32::from(h & 0x8000) << 16;
        let exponent = u32::from((h >> 10) & 0x1f);
        let mantissa = u32::from(h & 0x03ff);
        let bits = match (exponent, mantissa) {
            (0, 0) => sign,
            (0, m) => {
                // Subnormal: m · 2^-24 (exact).
                let magnitude = m as f32 * (1.0 / 16_777_216.0);
                return if sign != 0 { -magnitude } else { magnitude };
            }
            (0x1f, 0) => sign | 0x7f80_0000,
            (0x1f, m) => sign | 0x7fc0_0000 | (m << 13),
            (e, m) => sign | ((e + 127 - 15) << 23) | (m << 13),
        };
        f32::from_bits(bits)
    }

    /// A byte string for `serialize_bytes`.
    struct Bytes<'a>(&'a [u8]);

    impl Serialize for Bytes<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }

    /// A byte string read by `deserialize_byte_buf`.
    struct ByteBuf(Vec<u8>);

    impl<'de> Deserialize<'de> for ByteBuf {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct BytesVisitor;
            impl<'de> Visitor<'de> for BytesVisitor {
                type Value = ByteBuf;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("packed float bytes")
                }
                fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<ByteBuf, E> {
                    Ok(ByteBuf(v.to_vec()))
                }
                fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<ByteBuf, E> {
                    Ok(ByteBuf(v))
                }
            }
            d.deserialize_byte_buf(BytesVisitor)
        }
    }
}

/// 64-bit FNV-1a (Fowler, Noll & Vo): not cryptographic, but stable across platforms and
/// builds, fast, and enough to tell models apart as a cache key.
struct Fnv1a(u64);

impl Fnv1a {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    fn new() -> Self {
        Self(Self::OFFSET_BASIS)
    }

    fn update(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(Self::PRIME);
        }
    }

    fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

impl std::io::Write for Fnv1a {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_reference_values() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fingerprint(b""), "cbf29ce484222325");
        assert_eq!(fingerprint(b"a"), "af63dc4c8601ec8c");
        assert_eq!(fingerprint(b"foobar"), "85944171f73967e8");
    }

    #[test]
    fn f16_conversion_round_trips_and_rounds_to_nearest_even() {
        use packed::{f16_to_f32, f32_to_f16};
        // Every finite half converts to f32 and back unchanged.
        for h in 0..=u16::MAX {
            let v = f16_to_f32(h);
            if v.is_finite() {
                assert_eq!(f32_to_f16(v), h, "{h:#06x} -> {v}");
            }
        }
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f32_to_f16(65520.0), 0x7c00, "rounds up to infinity");
        assert_eq!(
            f32_to_f16(1.0 + 2f32.powi(-11)),
            0x3c00,
            "tie to even (down)"
        );
        assert_eq!(
            f32_to_f16(1.0 + 3.0 * 2f32.powi(-11)),
            0x3c02,
            "tie to even (up)"
        );
        assert_eq!(
            f32_to_f16(2f32.powi(-25)),
            0x0000,
            "half of the smallest subnormal: even"
        );
        assert_eq!(f32_to_f16(1.5 * 2f32.powi(-24)), 0x0002);
        // Relative error of normal values at most 2^-11.
        for v in [0.1f32, -0.333, 2.71, 1234.5, 1e-3] {
            let back = f16_to_f32(f32_to_f16(v));
            assert!(((back - v) / v).abs() <= 2f32.powi(-11), "{v} -> {back}");
        }
    }

    #[test]
    fn packed_floats_round_trip_within_their_precision_and_re_encode_identically() {
        let values: Vec<f32> = (0..100)
            .map(|i| ((i as f32) * 0.37).sin() * if i < 40 { 3.0 } else { 0.01 })
            .chain([0.0; 32])
            .collect();
        for floats in FloatEncoding::ALL {
            let bytes = packed::pack(&values, floats).unwrap();
            let back = packed::unpack(&bytes, values.len() as u64, floats).unwrap();
            for (block, (a, b)) in values.chunks(32).zip(back.chunks(32)).enumerate() {
                let max = a.iter().fold(0.0f32, |m, v| m.max(v.abs()));
                let tolerance = match floats {
                    FloatEncoding::F32 => 0.0,
                    FloatEncoding::F16 => max * 2f32.powi(-11),
                    FloatEncoding::Int8 => max / 127.0,
                };
                for (x, y) in a.iter().zip(b) {
                    assert!(
                        (x - y).abs() <= tolerance,
                        "{floats} block {block}: {x} -> {y}"
                    );
                }
            }
            assert_eq!(packed::pack(&back, floats).unwrap(), bytes, "{floats}");
            // Lengths that disagree with the bytes are refused.
            assert!(packed::unpack(&bytes, values.len() as u64 + 1, floats).is_err());
            assert!(packed::unpack(&bytes[1..], values.len() as u64, floats).is_err());
        }
        assert!(packed::pack(&[1e6], FloatEncoding::F16).is_err());
        assert!(packed::pack(&[f32::NAN], FloatEncoding::Int8).is_err());
        // An exponent byte that scales past f32 decodes to infinity: refused.
        let mut forged = packed::pack(&[1.0; 32], FloatEncoding::Int8).unwrap();
        forged[0] = 127;
        assert!(packed::unpack(&forged, 32, FloatEncoding::Int8).is_err());
    }

    #[test]
    fn packed_vectors_follow_the_encoding_in_force() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Model {
            #[serde(with = "packed")]
            factors: Vec<f32>,
            bias: f32,
        }
        let model = Model {
            factors: vec![0.5, -0.25, 0.125],
            bias: 0.1,
        };
        // F32 writes what an unannotated Vec<f32> writes.
        let plain = encode("m", &model).unwrap();
        assert_eq!(plain, encode("m", &(&model.factors, model.bias)).unwrap());
        for floats in FloatEncoding::ALL {
            let bytes = with_floats(floats, || encode("m", &model)).unwrap();
            let (back, _): (Model, usize) = with_floats(floats, || {
                bincode::serde::decode_from_slice(&bytes, config())
            })
            .unwrap();
            assert_eq!(
                back, model,
                "{floats}: these values are exact in every encoding"
            );
            assert_eq!(current_floats(), FloatEncoding::F32);
        }
        let f16 = with_floats(FloatEncoding::F16, || encode("m", &model)).unwrap();
        assert!(f16.len() < plain.len());
    }

    #[test]
    fn delta_coded_ids_round_trip_and_refuse_out_of_range_ids() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Lists(#[serde(with = "ids")] Vec<u32>);
        let lists = Lists(vec![3, 9, 10, 1500, 0, 7, u32::MAX, 0]);
        let plain = encode("l", &lists).unwrap();
        assert_eq!(plain, encode("l", &lists.0).unwrap(), "plain: a Vec<u32>");
        let delta = with_floats(FloatEncoding::Int8, || encode("l", &lists)).unwrap();
        assert_ne!(delta, plain);
        let decode = |bytes: &[u8], packing| {
            with_packing(packing, || {
                bincode::serde::decode_from_slice::<Lists, _>(bytes, config())
            })
        };
        let (back, _) = decode(&delta, Packing::written(FloatEncoding::Int8)).unwrap();
        assert_eq!(back, lists);
        // Ascending ids cost one byte each.
        let ascending = Lists((0..200).map(|i| 1000 + 7 * i).collect());
        let small = with_floats(FloatEncoding::F16, || encode("l", &ascending)).unwrap();
        assert!(small.len() < 205, "{} bytes", small.len());
        assert!(encode("l", &ascending).unwrap().len() > 3 * 200);
        // A delta below 0 or past u32::MAX is refused, not wrapped.
        for forged in [vec![1u64, 3], vec![2, (u64::from(u32::MAX) + 1) << 1]] {
            let bytes = encode("l", &forged).unwrap();
            let packing = Packing::written(FloatEncoding::Int8);
            let err = decode(&bytes, packing).unwrap_err().to_string();
            assert!(err.contains("out of range"), "{err}");
        }
    }

    #[test]
    fn rows_sort_by_id_for_storage_and_back_most_similar_first() {
        let indptr = [0, 3, 3, 5];
        let (ids, values) = (vec![4, 2, 9, 0, 3], vec![0.9, 0.5, 0.5, 0.8, 0.2]);
        let (mut by_id, mut stored) = rows::by_id(&indptr, &ids, &values);
        assert_eq!(by_id, [2, 4, 9, 0, 3]);
        assert_eq!(stored, [0.5, 0.9, 0.5, 0.8, 0.2]);
        rows::by_value_desc(&indptr, &mut by_id, &mut stored);
        assert_eq!((by_id, stored), (ids, values), "ties: lower id first");
    }

    #[test]
    fn streamed_and_buffered_fingerprints_agree() {
        let value = (vec![1.5f32, -2.0], "ann".to_string(), 7u64);
        let bytes = encode("t", &value).unwrap();
        assert_eq!(fingerprint_of("t", &value).unwrap(), fingerprint(&bytes));
    }
}
