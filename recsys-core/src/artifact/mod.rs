//! Versioned, checksummed model artifacts.
//!
//! A trained model becomes one self-describing byte string that can be written to a file, shipped
//! to a browser with `fetch()`, or published on a model hub, and read back by any build of this
//! crate that understands its format version. WASM never touches a file system: everything works
//! from bytes ([`Artifact::to_bytes`] / [`Artifact::from_bytes`]); [`Artifact::save`] and
//! [`Artifact::load`] (feature `fs`) add atomic file writes on top.
//!
//! ```
//! use recsys_core::artifact::{self, Artifact};
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct ItemBias(Vec<f32>);
//! impl Artifact for ItemBias {
//!     const KIND: &'static str = "item-bias";
//! }
//!
//! let bytes = ItemBias(vec![0.5, 1.5]).to_bytes().unwrap();
//! assert_eq!(artifact::inspect(&bytes).unwrap().kind, "item-bias");
//! let restored = ItemBias::from_bytes(&bytes).unwrap();
//! assert_eq!(restored.0, [0.5, 1.5]);
//! ```
//!
//! # Layout (format version 4)
//!
//! | offset      | size | field                                                      |
//! |-------------|------|------------------------------------------------------------|
//! | 0           | 8    | magic `b"RECSYS\0\x1A"`                                    |
//! | 8           | 4    | format version, `u32` little-endian                        |
//! | 12          | 1    | length `k` of the kind tag (1..=32)                        |
//! | 13          | k    | kind tag, ASCII `[a-z0-9_-]` (`"als"`, `"mf"`, ...)        |
//! | 13 + k      | 8    | payload length `n`, `u64` little-endian                    |
//! | 21 + k      | 4    | CRC-32 (IEEE) of bytes `8 .. 21 + k` followed by the payload |
//! | 25 + k      | n    | payload: the model, serde + bincode 2 `config::standard()` |
//!
//! A payload whose models' large float arrays (factors, similarities) are packed as `f16` or
//! `int8` ([`FloatEncoding`], [`to_bytes_with`], e.g. a web artifact from
//! [`Recommender::compact`](crate::recommender::Recommender::compact)) says so in its kind tag:
//! `"recommender-int8-delta-people"`. In packed payloads, neighbour lists are also stored
//! sorted by item with delta-coded ids (the `-delta` suffix; decoding restores their order,
//! most similar first), which shrinks a web artifact by a third, and the catalogue's person ids
//! are front-coded and its credits delta-coded (`-people`, another 9 %). Readers of this build
//! take every encoding and every packed layout (files of earlier builds, tagged
//! `"recommender-int8-delta"` or `"recommender-int8"`, still load); older readers refuse a file
//! with an unknown suffix by its kind (a clear error), and plain files are unchanged, so no
//! version bump.
//!
//! The file ends exactly after the payload. The checksum covers the header fields as well as the
//! payload, so a flipped bit anywhere after the magic is reported as corruption rather than as a
//! confusing "wrong kind" or decode error. The format version is bumped whenever the header
//! layout or any model's serialised fields change. Versions from [`OLDEST_READABLE_VERSION`]
//! on are read (a model whose fields changed since decodes the old shape through
//! [`Artifact::decode_payload`]); older ones are rejected with [`Error::UnsupportedVersion`]
//! rather than misread.
//!
//! | version | change                                                                       |
//! |---------|------------------------------------------------------------------------------|
//! | 2       | header checksum covers the header fields                                     |
//! | 3       | the `recommender` keeps no user factors and no derived values (recomputed on load) |
//! | 4       | the `recommender` gains EASE weights and the blend's `ease` weight (version 3 files still load, without EASE) |
//!
//! # Compatibility fixtures
//!
//! `recsys-core/tests/fixtures/artifacts/` holds small artifacts of every format version
//! (`recommender-v{N}.recsys`, `als-v{N}.recsys`), written from a tiny deterministic dataset by
//! `tests/artifact_fixtures.rs`. Its tests check that versions before
//! [`OLDEST_READABLE_VERSION`] are refused with [`Error::UnsupportedVersion`], that the readable
//! older ones still load and recommend, and that the current version's files load, recommend as
//! recorded, and re-encode byte for byte, so a change of a serialised field without a version
//! bump fails a test. After bumping [`FORMAT_VERSION`], write the new version's files with
//!
//! ```text
//! RECSYS_WRITE_FIXTURES=1 cargo test --release -p recsys-core --test artifact_fixtures \
//!     -- --ignored write_fixtures
//! ```
//!
//! # Decoding always validates
//!
//! Every model deserialises through a checked conversion (`#[serde(try_from = …)]` into the
//! model's own validation), whichever decoder is used: [`Artifact::from_bytes`], serde_json,
//! bincode, … A decoded model is one whose fields are consistent, never one that panics later.
//!
//! # Fingerprints
//!
//! [`fingerprint`] (and [`Artifact::fingerprint`]) is a 64-bit FNV-1a hash of the payload, as
//! 16 hex digits: a cache key that is equal for a model and its save → load round trip and
//! differs between models. It covers the payload only (not the header), so it does not change
//! when a model is merely re-saved.
//!
//! # Hostile input
//!
//! Reading never panics and never allocates much more than the input's size: lengths are checked
//! against the bytes actually present, and the payload decoder runs with a memory budget
//! proportional to the payload length, so a forged length prefix inside the payload fails with
//! [`Error::CorruptArtifact`] instead of reserving gigabytes. The checksum guards against
//! accidents, not attackers: a hand-made file with a correct checksum still goes through the
//! decoder's checks and [`Artifact::check_invariants`].

#[cfg(feature = "hub")]
pub mod hub;
mod impls;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use crate::codec::FloatEncoding;
use crate::codec::Packing;
use crate::validate::corrupt;
use crate::{Error, Result};

/// The first eight bytes of every artifact.
///
/// Like PNG's signature, the `\0` and `\x1A` (DOS end-of-file) bytes make text-mode transfers and
/// text tools that stop at either byte fail loudly instead of silently truncating the file.
pub const MAGIC: [u8; 8] = *b"RECSYS\0\x1A";

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 4;

/// The oldest format version this build still reads (see [`Artifact::decode_payload`]).
pub const OLDEST_READABLE_VERSION: u32 = 3;

/// Longest allowed kind tag, in bytes.
pub const MAX_KIND_LEN: usize = 32;

/// Bytes before the kind tag: magic, version, kind length.
const PREFIX_LEN: usize = MAGIC.len() + 4 + 1;
/// Bytes after the kind tag and before the payload: payload length, checksum.
const SUFFIX_LEN: usize = 8 + 4;

/// What the header of an artifact says, as returned by [`inspect`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArtifactInfo {
    /// The format version the artifact was written with.
    pub format_version: u32,
    /// The model kind tag, e.g. `"als"`.
    pub kind: String,
    /// Length of the encoded model in bytes.
    pub payload_len: u64,
}

/// A model that can be stored as an artifact.
///
/// Implementing it takes one line, the kind tag; every method has a default:
///
/// ```
/// use recsys_core::artifact::Artifact;
///
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct Centroids {
///     dims: usize,
///     values: Vec<f32>,
/// }
///
/// impl Artifact for Centroids {
///     const KIND: &'static str = "centroids";
/// }
///
/// let model = Centroids { dims: 2, values: vec![0.5, -1.0] };
/// let bytes = model.to_bytes().unwrap();
/// assert_eq!(Centroids::from_bytes(&bytes).unwrap(), model);
/// assert!(Centroids::from_bytes(&bytes[..bytes.len() - 1]).is_err());
/// ```
pub trait Artifact: Serialize + DeserializeOwned {
    /// The kind tag written into the header; reading checks it. Short, lower-case ASCII
    /// (`[a-z0-9_-]`, at most [`MAX_KIND_LEN`] bytes), unique per model type.
    const KIND: &'static str;

    /// Rejects a decoded value whose fields are inconsistent (e.g. a factor matrix whose length
    /// disagrees with its stated shape). [`Artifact::from_bytes`] calls it after decoding, so a
    /// hand-made payload that decodes cleanly still cannot produce a model that panics later.
    /// The default accepts everything.
    fn check_invariants(&self) -> Result<()> {
        Ok(())
    }

    /// Encodes `self` as a complete artifact (header + payload), after the checks a load
    /// runs ([`Artifact::check_invariants`]): what saves also loads.
    fn to_bytes(&self) -> Result<Vec<u8>> {
        self.check_invariants()?;
        to_bytes_with(Self::KIND, self, self.float_encoding())
    }

    /// How [`Artifact::to_bytes`] stores the model's large float arrays: `F32` (the default)
    /// unless the model was made for a packed encoding (e.g.
    /// [`Recommender::compact`](crate::recommender::Recommender::compact)).
    fn float_encoding(&self) -> FloatEncoding {
        FloatEncoding::F32
    }

    /// Decodes an artifact written by [`Artifact::to_bytes`] for the same type.
    ///
    /// Fails with [`Error::CorruptArtifact`] when the bytes are not an artifact, are truncated,
    /// hold another kind of model, fail the checksum or do not decode, and with
    /// [`Error::UnsupportedVersion`] when written by another format version.
    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (info, packing, payload) = split_kind(Self::KIND, bytes)?;
        let value = crate::codec::with_packing(packing, || {
            Self::decode_payload(info.format_version, payload)
        })?;
        value.check_invariants()?;
        Ok(value)
    }

    /// Decodes the payload of an artifact written by `format_version` (between
    /// [`OLDEST_READABLE_VERSION`] and [`FORMAT_VERSION`]). The default reads the current shape,
    /// right for every model whose serialised fields did not change since; a model whose fields
    /// changed overrides it to read its older shapes.
    fn decode_payload(format_version: u32, payload: &[u8]) -> Result<Self> {
        let _ = format_version;
        decode_payload(Self::KIND, payload)
    }

    /// The model's fingerprint: [`fingerprint`] of the artifact [`Artifact::to_bytes`] writes,
    /// computed without building it.
    ///
    /// ```
    /// use recsys_core::artifact::{self, Artifact};
    /// use recsys_core::data::IdMap;
    ///
    /// let ids = IdMap::from(vec!["a".to_string(), "b".to_string()]);
    /// let bytes = ids.to_bytes().unwrap();
    /// assert_eq!(ids.fingerprint().unwrap(), artifact::fingerprint(&bytes).unwrap());
    /// assert_eq!(IdMap::from_bytes(&bytes).unwrap().fingerprint().unwrap(), ids.fingerprint().unwrap());
    /// ```
    fn fingerprint(&self) -> Result<String> {
        crate::codec::with_floats(self.float_encoding(), || {
            crate::codec::fingerprint_of(Self::KIND, self)
        })
    }

    /// Writes the artifact to `path` atomically: the bytes go to a temporary file in the same
    /// directory, which is then renamed over `path`, so a crash never leaves a half-written model.
    #[cfg(feature = "fs")]
    fn save(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        write_atomic(path.as_ref(), &self.to_bytes()?)
    }

    /// Reads an artifact written by [`Artifact::save`].
    #[cfg(feature = "fs")]
    fn load(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_bytes(&bytes).map_err(|err| with_path(err, path))
    }
}

/// Encodes `value` as an artifact of the given `kind`.
///
/// Prefer [`Artifact::to_bytes`]; this is for values that are not a single model type, such as a
/// bundle assembled by the caller.
///
/// ```
/// let bytes = recsys_core::artifact::to_bytes("pair", &(1u32, "one".to_string())).unwrap();
/// let back: (u32, String) = recsys_core::artifact::from_bytes("pair", &bytes).unwrap();
/// assert_eq!(back, (1, "one".to_string()));
/// ```
pub fn to_bytes<T: Serialize + ?Sized>(kind: &str, value: &T) -> Result<Vec<u8>> {
    to_bytes_with(kind, value, FloatEncoding::F32)
}

/// [`to_bytes`] with the model's large float arrays (factors, similarities) stored as
/// `floats`. A packed artifact's kind tag says how: `"{kind}-f16-delta-people"` or
/// `"{kind}-int8-delta-people"` (neighbour ids delta-coded and a catalogue's people packed
/// too; `F32` writes the plain `kind`, byte for byte what [`to_bytes`] writes), so
/// [`from_bytes`] of this build reads every encoding (and earlier builds' `"{kind}-int8"` and
/// `"{kind}-int8-delta"` files), and an older build refuses a packed file by its kind.
/// Values that do not fit `f16` (|v| > 65504) are an error, not infinity.
///
/// ```
/// use recsys_core::artifact::{self, FloatEncoding};
/// use recsys_core::models::popularity::{PopularityConfig, PopularityModel};
///
/// let plain = artifact::to_bytes("x", &1.5f32).unwrap();
/// assert_eq!(artifact::to_bytes_with("x", &1.5f32, FloatEncoding::F32).unwrap(), plain);
/// let packed = artifact::to_bytes_with("x", &1.5f32, FloatEncoding::Int8).unwrap();
/// assert_eq!(artifact::inspect(&packed).unwrap().kind, "x-int8-delta-people");
/// // Only the models' large arrays are packed; a lone f32 stays exact.
/// assert_eq!(artifact::from_bytes::<f32>("x", &packed).unwrap(), 1.5);
/// ```
pub fn to_bytes_with<T: Serialize + ?Sized>(
    kind: &str,
    value: &T,
    floats: FloatEncoding,
) -> Result<Vec<u8>> {
    write_packed(kind, value, Packing::written(floats))
}

/// [`to_bytes_with`] in the layout `packing` (tests write earlier builds' files with it).
pub(crate) fn write_packed<T: Serialize + ?Sized>(
    kind: &str,
    value: &T,
    packing: Packing,
) -> Result<Vec<u8>> {
    check_kind_tag(kind)?;
    let payload = crate::codec::with_packing(packing, || crate::codec::encode(kind, value))?;
    let kind = format!("{kind}{}", packing.suffix());
    check_kind_tag(&kind)?;
    let mut out = Vec::with_capacity(PREFIX_LEN + kind.len() + SUFFIX_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    // `check_kind_tag` bounds the length by MAX_KIND_LEN, so it fits in a byte.
    out.push(kind.len() as u8);
    out.extend_from_slice(kind.as_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    let checksum = checksum(&out[MAGIC.len()..], &payload);
    out.extend_from_slice(&checksum.to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Decodes an artifact of the given `kind` (see [`to_bytes`]).
///
/// Does not call [`Artifact::check_invariants`] ([`Artifact::from_bytes`] does), but the crate's models
/// validate themselves while deserialising whichever way they are decoded.
pub fn from_bytes<T: DeserializeOwned>(kind: &str, bytes: &[u8]) -> Result<T> {
    let (info, packing, payload) = split_kind(kind, bytes)?;
    // Without a type to read older shapes, only the current version is decoded.
    if info.format_version != FORMAT_VERSION {
        return Err(Error::UnsupportedVersion {
            found: info.format_version,
            supported: FORMAT_VERSION,
        });
    }
    crate::codec::with_packing(packing, || decode_payload(kind, payload))
}

/// Verifies the header and that it announces `kind`, plain or with a packed layout suffix
/// (`recommender-int8-delta-people`, or an earlier build's `recommender-int8-delta` or
/// `recommender-int8`); returns it with the
/// payload's layout and the payload.
pub(crate) fn split_kind<'a>(
    kind: &str,
    bytes: &'a [u8],
) -> Result<(ArtifactInfo, Packing, &'a [u8])> {
    let (info, payload) = split(bytes)?;
    let packing = info.kind.strip_prefix(kind).and_then(Packing::from_suffix);
    let Some(packing) = packing else {
        return Err(corrupt(format!(
            "file holds {} `{}` model, expected `{kind}`",
            article(&info.kind),
            info.kind
        )));
    };
    Ok((info, packing, payload))
}

/// The fingerprint of an artifact: a stable 64-bit FNV-1a hash of its payload, as 16 lower-case
/// hex digits, e.g. a cache key for results across model swaps. The header is verified first
/// (see [`inspect`]); the model is not decoded.
///
/// ```
/// use recsys_core::artifact;
///
/// let a = artifact::to_bytes("mf", &vec![1.0f32, 2.0]).unwrap();
/// let b = artifact::to_bytes("mf", &vec![1.0f32, 2.5]).unwrap();
/// let fingerprint = artifact::fingerprint(&a).unwrap();
/// assert_eq!(fingerprint.len(), 16);
/// assert_eq!(fingerprint, artifact::fingerprint(&a.clone()).unwrap());
/// assert_ne!(fingerprint, artifact::fingerprint(&b).unwrap());
/// ```
///
/// # Errors
/// Those of [`inspect`].
pub fn fingerprint(bytes: &[u8]) -> Result<String> {
    split(bytes).map(|(_, payload)| crate::codec::fingerprint(payload))
}

/// Reads and verifies the header (magic, version, lengths, checksum) without decoding the model,
/// e.g. to choose which model type to load.
///
/// ```
/// use recsys_core::artifact;
///
/// let bytes = artifact::to_bytes("mf", &vec![1.0f32, 2.0]).unwrap();
/// let info = artifact::inspect(&bytes).unwrap();
/// assert_eq!((info.kind.as_str(), info.format_version), ("mf", artifact::FORMAT_VERSION));
///
/// let err = artifact::inspect(b"{\"factors\": []}").unwrap_err();
/// assert!(err.to_string().contains("not a recsys artifact"));
/// ```
pub fn inspect(bytes: &[u8]) -> Result<ArtifactInfo> {
    split(bytes).map(|(info, _)| info)
}

/// Writes `bytes` to `path` atomically (temporary file in the same directory, flushed to disk,
/// then renamed over `path`). On failure the temporary file is removed and `path` is unchanged.
#[cfg(feature = "fs")]
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::sync::atomic::{AtomicU64, Ordering};

    // Unique per process and call, so concurrent saves to one directory never share a temp file.
    static COUNTER: AtomicU64 = AtomicU64::new(0);

    let io_err = |path: &std::path::Path, source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let file_name = path.file_name().ok_or_else(|| {
        io_err(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "path has no file name"),
        )
    })?;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => std::path::Path::new("."),
    };
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(file_name);
    tmp_name.push(format!(
        ".tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let tmp_path = dir.join(tmp_name);

    let written = (|| {
        let mut file = std::fs::File::create(&tmp_path)?;
        file.write_all(bytes)?;
        // Data must be on disk before the rename makes it visible under the final name.
        file.sync_all()
    })();
    if let Err(source) = written.and_then(|()| std::fs::rename(&tmp_path, path)) {
        // Best effort: the original error is what the caller needs to see.
        let _ = std::fs::remove_file(&tmp_path);
        return Err(io_err(path, source));
    }
    // Persist the rename itself; some platforms cannot open a directory, which is harmless.
    #[cfg(unix)]
    if let Ok(dir_handle) = std::fs::File::open(dir) {
        let _ = dir_handle.sync_all();
    }
    Ok(())
}

/// Prefixes the reason of an artifact error with the file it came from.
#[cfg(feature = "fs")]
fn with_path(err: Error, path: &std::path::Path) -> Error {
    match err {
        Error::CorruptArtifact { reason } => Error::CorruptArtifact {
            reason: format!("{}: {reason}", path.display()),
        },
        other => other,
    }
}

fn article(word: &str) -> &'static str {
    match word.as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'u') => "an",
        // Initialisms read letter by letter: "an mf model".
        Some(b'f' | b'h' | b'l' | b'm' | b'n' | b'r' | b's' | b'x') if word.len() <= 3 => "an",
        _ => "a",
    }
}

fn check_kind_tag(kind: &str) -> Result<()> {
    let well_formed = !kind.is_empty()
        && kind.len() <= MAX_KIND_LEN
        && kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if well_formed {
        Ok(())
    } else {
        Err(Error::invalid(
            "kind",
            format!("{kind:?} must be 1..={MAX_KIND_LEN} characters of [a-z0-9_-]"),
        ))
    }
}

fn checksum(header_fields: &[u8], payload: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(header_fields);
    hasher.update(payload);
    hasher.finalize()
}

/// Verifies the header and returns it with the payload slice.
fn split(bytes: &[u8]) -> Result<(ArtifactInfo, &[u8])> {
    let Some(magic) = bytes.get(..MAGIC.len()) else {
        if !bytes.is_empty() && MAGIC.starts_with(bytes) {
            return Err(corrupt(format!(
                "artifact is truncated: {} bytes, shorter than the header",
                bytes.len()
            )));
        }
        return Err(corrupt(foreign_file_reason(bytes)));
    };
    if magic != MAGIC {
        return Err(corrupt(foreign_file_reason(bytes)));
    }
    let truncated_header = || {
        corrupt(format!(
            "artifact is truncated: {} bytes, shorter than its header",
            bytes.len()
        ))
    };
    // The version comes first so a future layout is reported as such, not as corruption.
    let version = read_array::<4>(bytes, MAGIC.len()).ok_or_else(truncated_header)?;
    let format_version = u32::from_le_bytes(version);
    if !(OLDEST_READABLE_VERSION..=FORMAT_VERSION).contains(&format_version) {
        return Err(Error::UnsupportedVersion {
            found: format_version,
            supported: FORMAT_VERSION,
        });
    }
    let [kind_len] = read_array::<1>(bytes, MAGIC.len() + 4).ok_or_else(truncated_header)?;
    let kind_len = usize::from(kind_len);
    let header_len = PREFIX_LEN + kind_len + SUFFIX_LEN;
    let header = bytes.get(..header_len).ok_or_else(truncated_header)?;
    let payload_len_at = PREFIX_LEN + kind_len;
    let payload_len =
        u64::from_le_bytes(read_array::<8>(header, payload_len_at).ok_or_else(truncated_header)?);
    let stored_checksum = u32::from_le_bytes(
        read_array::<4>(header, payload_len_at + 8).ok_or_else(truncated_header)?,
    );

    let present = bytes.len() - header_len;
    let payload = match u64::try_from(present) {
        Ok(present) if present < payload_len => {
            return Err(corrupt(format!(
                "artifact is truncated: the header announces {payload_len} payload bytes, {present} are present"
            )))
        }
        Ok(present) if present > payload_len => {
            return Err(corrupt(format!(
                "{} unexpected trailing bytes after the {payload_len}-byte payload",
                present - payload_len
            )))
        }
        _ => &bytes[header_len..],
    };
    let computed = checksum(&header[MAGIC.len()..payload_len_at + 8], payload);
    if computed != stored_checksum {
        return Err(corrupt(format!(
            "checksum mismatch (stored {stored_checksum:#010x}, computed {computed:#010x}): the file is damaged"
        )));
    }
    // Checked after the checksum, so a damaged tag is reported as damage.
    let kind = std::str::from_utf8(&header[PREFIX_LEN..payload_len_at])
        .ok()
        .filter(|kind| check_kind_tag(kind).is_ok())
        .ok_or_else(|| corrupt("the kind tag is not 1..=32 characters of [a-z0-9_-]"))?;
    Ok((
        ArtifactInfo {
            format_version,
            kind: kind.to_owned(),
            payload_len,
        },
        payload,
    ))
}

fn read_array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// Names what a non-artifact file looks like, so "I passed the wrong file" is obvious.
fn foreign_file_reason(bytes: &[u8]) -> String {
    let looks_like = if bytes.is_empty() {
        "the input is empty"
    } else if bytes.starts_with(&[0x1f, 0x8b]) {
        "it starts like a gzip archive; decompress it first"
    } else if bytes.starts_with(b"PK\x03\x04") {
        "it starts like a zip archive"
    } else if bytes.starts_with(b"\x93NUMPY") {
        "it starts like a NumPy .npy file"
    } else if bytes.starts_with(&[0x80]) && bytes.len() > 1 && (2..=5).contains(&bytes[1]) {
        "it starts like a Python pickle"
    } else if bytes.starts_with(b"\x89HDF") {
        "it starts like an HDF5 file"
    } else if bytes.len() >= 9 && bytes[8] == b'{' && bytes[..8].iter().any(|&b| b != 0) {
        // safetensors: an 8-byte little-endian header length, then a JSON header.
        "it starts like a safetensors file"
    } else if bytes.starts_with(b"<") {
        "it starts like HTML or XML (an error page instead of the download?)"
    } else if bytes.starts_with(b"version https://git-lfs") {
        "it is a Git LFS pointer; fetch the real file with `git lfs pull`"
    } else if matches!(
        bytes.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    ) {
        "it starts like JSON"
    } else if bytes.starts_with(b"RECSYS") {
        "its signature is damaged (was it transferred in text mode?)"
    } else if bytes
        .iter()
        .take(64)
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        "it starts like a text file"
    } else {
        "unknown signature"
    };
    format!("not a recsys artifact ({looks_like})")
}

/// Decodes the payload under a memory budget.
///
/// bincode reserves a string's buffer from its length prefix before reading it; its byte limit
/// bounds those reservations. The decoded size of a valid payload is at most 16 bytes per
/// encoded byte (a one-byte varint can decode to a `u128`), so a limit of 16 × the payload length
/// admits every valid payload while a forged length prefix fails fast. bincode takes the limit
/// as a const generic, so we choose from a few powers of two (each one a separate
/// instantiation of the decoder, hence the coarse steps).
fn decode_payload<T: DeserializeOwned>(kind: &str, payload: &[u8]) -> Result<T> {
    let budget = payload.len().saturating_mul(16).saturating_add(4096);
    if budget <= 1 << 20 {
        decode_limited::<T, { 1 << 20 }>(kind, payload)
    } else if budget <= 1 << 24 {
        decode_limited::<T, { 1 << 24 }>(kind, payload)
    } else if budget <= 1 << 28 {
        decode_limited::<T, { 1 << 28 }>(kind, payload)
    } else {
        decode_large(kind, payload, budget)
    }
}

#[cfg(target_pointer_width = "64")]
fn decode_large<T: DeserializeOwned>(kind: &str, payload: &[u8], budget: usize) -> Result<T> {
    if budget <= 1 << 32 {
        decode_limited::<T, { 1 << 32 }>(kind, payload)
    } else if budget <= 1 << 36 {
        decode_limited::<T, { 1 << 36 }>(kind, payload)
    } else {
        decode_limited::<T, { usize::MAX }>(kind, payload)
    }
}

#[cfg(not(target_pointer_width = "64"))]
fn decode_large<T: DeserializeOwned>(kind: &str, payload: &[u8], _budget: usize) -> Result<T> {
    // A 32-bit address space is the budget.
    decode_limited::<T, { usize::MAX }>(kind, payload)
}

fn decode_limited<T: DeserializeOwned, const LIMIT: usize>(
    kind: &str,
    payload: &[u8],
) -> Result<T> {
    let config = crate::codec::config().with_limit::<LIMIT>();
    let (value, used) = bincode::serde::decode_from_slice(payload, config).map_err(|err| {
        let detail = match err {
            bincode::error::DecodeError::LimitExceeded => {
                "a length field claims more data than the payload holds".to_string()
            }
            other => other.to_string(),
        };
        corrupt(format!("the `{kind}` payload does not decode: {detail}"))
    })?;
    if used != payload.len() {
        return Err(corrupt(format!(
            "the `{kind}` payload decodes from {used} of its {} bytes (written by a different model version?)",
            payload.len()
        )));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    struct Toy {
        name: String,
        factors: Vec<f32>,
        counts: Vec<u64>,
        shape: (usize, usize),
        tag: Option<u8>,
    }

    impl Artifact for Toy {
        const KIND: &'static str = "toy";

        fn check_invariants(&self) -> Result<()> {
            if self.factors.len() == self.shape.0 * self.shape.1 {
                Ok(())
            } else {
                Err(corrupt("toy shape disagrees with its factors"))
            }
        }
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct OtherToy(Vec<u32>);

    impl Artifact for OtherToy {
        const KIND: &'static str = "other-toy";
    }

    fn toy() -> Toy {
        Toy {
            name: "ann".into(),
            factors: vec![0.5, -1.25, 3.0, f32::MIN_POSITIVE, 0.0, 7.5],
            counts: vec![0, 1, u64::MAX],
            shape: (2, 3),
            tag: Some(4),
        }
    }

    fn reason(err: Error) -> String {
        match err {
            Error::CorruptArtifact { reason } => reason,
            other => panic!("expected CorruptArtifact, got {other:?}"),
        }
    }

    #[test]
    fn round_trip_preserves_value_and_header() {
        let bytes = toy().to_bytes().unwrap();
        assert_eq!(&bytes[..8], b"RECSYS\0\x1A");
        assert_eq!(Toy::from_bytes(&bytes).unwrap(), toy());
        let info = inspect(&bytes).unwrap();
        assert_eq!(info.kind, "toy");
        assert_eq!(info.format_version, FORMAT_VERSION);
        assert_eq!(info.payload_len as usize, bytes.len() - (25 + 3));
    }

    #[test]
    fn layout_matches_the_documented_table() {
        let bytes = to_bytes("ab", &7u8).unwrap();
        assert_eq!(&bytes[8..12], &FORMAT_VERSION.to_le_bytes());
        assert_eq!(bytes[12], 2);
        assert_eq!(&bytes[13..15], b"ab");
        assert_eq!(&bytes[15..23], &1u64.to_le_bytes());
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&bytes[8..23]);
        hasher.update(&bytes[27..]);
        assert_eq!(&bytes[23..27], &hasher.finalize().to_le_bytes());
        assert_eq!(&bytes[27..], &[7]);
    }

    #[test]
    fn wrong_kind_names_both_kinds() {
        let bytes = OtherToy(vec![1, 2]).to_bytes().unwrap();
        let msg = reason(Toy::from_bytes(&bytes).unwrap_err());
        assert_eq!(msg, "file holds an `other-toy` model, expected `toy`");
        let mf = to_bytes("mf", &1u8).unwrap();
        assert_eq!(
            reason(from_bytes::<u8>("als", &mf).unwrap_err()),
            "file holds an `mf` model, expected `als`"
        );
    }

    #[test]
    fn foreign_files_say_what_they_look_like() {
        for (input, hint) in [
            (&b""[..], "empty"),
            (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"),
            (b"{\"model\": \"als\"}", "JSON"),
            (b"user,item,rating\n1,2,3\n", "text"),
            (b"<!DOCTYPE html><html>", "HTML"),
            (b"\x80\x04\x95\x00\x00\x00\x00\x00", "pickle"),
            (b"RECSYS\r\n\x1A\x00\x00\x00", "signature is damaged"),
        ] {
            let msg = reason(inspect(input).unwrap_err());
            assert!(msg.starts_with("not a recsys artifact"), "{msg}");
            assert!(msg.contains(hint), "{msg} should mention {hint}");
        }
    }

    #[test]
    fn truncation_is_reported_as_such() {
        let bytes = toy().to_bytes().unwrap();
        for len in [3, 8, 12, 13, 20, 27, bytes.len() - 1] {
            let msg = reason(Toy::from_bytes(&bytes[..len]).unwrap_err());
            assert!(msg.contains("truncated"), "{len}: {msg}");
        }
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        let mut bytes = toy().to_bytes().unwrap();
        bytes.push(0);
        assert!(reason(Toy::from_bytes(&bytes).unwrap_err()).contains("trailing"));
    }

    #[test]
    fn other_versions_are_unsupported() {
        let mut bytes = toy().to_bytes().unwrap();
        let other = FORMAT_VERSION + 1;
        bytes[8..12].copy_from_slice(&other.to_le_bytes());
        match Toy::from_bytes(&bytes).unwrap_err() {
            Error::UnsupportedVersion { found, supported } => {
                assert_eq!((found, supported), (other, FORMAT_VERSION));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn damaged_payload_fails_the_checksum() {
        let mut bytes = toy().to_bytes().unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x40;
        assert!(reason(Toy::from_bytes(&bytes).unwrap_err()).contains("checksum mismatch"));
    }

    #[test]
    fn invariants_are_checked_after_decoding() {
        let mut bad = toy();
        bad.shape = (5, 5);
        let bytes = to_bytes(Toy::KIND, &bad).unwrap();
        assert!(reason(Toy::from_bytes(&bytes).unwrap_err()).contains("shape"));
        // The free function decodes only.
        assert_eq!(from_bytes::<Toy>(Toy::KIND, &bytes).unwrap(), bad);
    }

    #[test]
    fn forged_length_prefix_does_not_allocate() {
        // A valid header around a payload whose string length prefix claims ~2^62 bytes.
        // (0xFD announces a u64 varint; without the budget this would abort the process.)
        let mut payload = vec![0xFD];
        payload.extend_from_slice(&(1u64 << 62).to_le_bytes());
        let bytes = seal("toy", &payload);
        let msg = reason(Toy::from_bytes(&bytes).unwrap_err());
        assert!(msg.contains("claims more data"), "{msg}");
        // Same for a plausible-looking 100 MB prefix in a tiny payload.
        let mut payload = vec![0xFC];
        payload.extend_from_slice(&100_000_000u32.to_le_bytes());
        let msg = reason(Toy::from_bytes(&seal("toy", &payload)).unwrap_err());
        assert!(msg.contains("claims more data"), "{msg}");
    }

    #[test]
    fn payload_with_unread_bytes_is_rejected() {
        let mut payload =
            bincode::serde::encode_to_vec(toy(), bincode::config::standard()).unwrap();
        payload.push(9);
        let msg = reason(Toy::from_bytes(&seal("toy", &payload)).unwrap_err());
        assert!(msg.contains("decodes from"), "{msg}");
    }

    #[test]
    fn bad_kind_tags_are_refused_when_writing() {
        for kind in ["", "ALS", "a b", "ü", &"x".repeat(33)] {
            assert!(matches!(
                to_bytes(kind, &1u8),
                Err(Error::InvalidParameter { name: "kind", .. })
            ));
        }
    }

    #[test]
    fn malformed_kind_with_valid_checksum_is_corrupt() {
        let bytes = seal("A B", &[1]);
        assert!(reason(inspect(&bytes).unwrap_err()).contains("kind tag"));
    }

    /// Builds an artifact around an arbitrary payload, bypassing the encoder.
    fn seal(kind: &str, payload: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.push(kind.len() as u8);
        out.extend_from_slice(kind.as_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        let sum = checksum(&out[8..], payload);
        out.extend_from_slice(&sum.to_le_bytes());
        out.extend_from_slice(payload);
        out
    }

    /// Seals the bincode encoding of `value` (a tuple mirroring a model's fields in order, as
    /// serde writes a struct) as an artifact of `kind`: a valid header around a hand-made payload.
    fn forge<T: Serialize>(kind: &str, value: &T) -> Vec<u8> {
        seal(
            kind,
            &bincode::serde::encode_to_vec(value, bincode::config::standard()).unwrap(),
        )
    }

    #[test]
    fn dataset_with_dangling_event_is_rejected() {
        use crate::data::{Dataset, Feedback};
        let mut ds = Dataset::new();
        ds.add_event("ann", "alien", Feedback::Like, 0).unwrap();
        ds.add_event("bob", "alien", Feedback::Like, 1).unwrap();
        // Mirror of Dataset's fields with "bob" left out of the user list while an event still
        // points at user 1: a well-formed payload with a dangling index.
        let forged = forge(
            Dataset::KIND,
            &(vec!["ann"], ds.items.ids(), &ds.catalog, ds.events()),
        );
        assert!(reason(Dataset::from_bytes(&forged).unwrap_err()).contains("user 1"));
        // Decoding alone refuses it too: datasets deserialise through their validation.
        assert!(
            reason(from_bytes::<Dataset>(Dataset::KIND, &forged).unwrap_err()).contains("user 1")
        );
        // An id list that repeats an id would shift later indices: refused while decoding.
        let forged = forge(
            Dataset::KIND,
            &(vec!["ann", "ann"], ds.items.ids(), &ds.catalog, ds.events()),
        );
        assert!(reason(Dataset::from_bytes(&forged).unwrap_err()).contains("repeats ids"));
        let forged = forge(crate::data::IdMap::KIND, &vec!["a", "b", "a"]);
        assert!(crate::data::IdMap::from_bytes(&forged).is_err());
    }

    #[test]
    fn dataset_catalog_must_fit_items_and_people() {
        use crate::data::{Catalog, Dataset, Feedback, Role};
        let mut ds = Dataset::new();
        ds.add_event("ann", "alien", Feedback::Like, 0).unwrap();
        let mut catalog = Catalog::new();
        catalog.ensure_len(3).unwrap();
        let forged = forge(
            Dataset::KIND,
            &(ds.users.ids(), ds.items.ids(), &catalog, ds.events()),
        );
        assert!(reason(Dataset::from_bytes(&forged).unwrap_err()).contains("3 entries"));
        // Catalog mirror: item infos, people, name slots. A credit of person 5 of 1.
        let mut info = crate::data::ItemInfo::default();
        info.credits.push(crate::data::Credit {
            person: 5,
            role: Role::Director,
        });
        let catalog = (vec![info], vec!["p"], vec![None::<String>]);
        let forged = forge(
            Dataset::KIND,
            &(ds.users.ids(), ds.items.ids(), &catalog, ds.events()),
        );
        assert!(reason(Dataset::from_bytes(&forged).unwrap_err()).contains("person 5"));
        let catalog = (
            vec![crate::data::ItemInfo::default()],
            vec!["p"],
            Vec::<Option<String>>::new(),
        );
        let forged = forge(
            Dataset::KIND,
            &(ds.users.ids(), ds.items.ids(), &catalog, ds.events()),
        );
        assert!(reason(Dataset::from_bytes(&forged).unwrap_err()).contains("name slots"));
    }

    #[test]
    fn item_knn_with_inconsistent_fields_is_rejected() {
        use crate::models::knn::{ItemKnnConfig, ItemKnnModel};
        let config = ItemKnnConfig::new();
        type Case = (Vec<usize>, Vec<u32>, Vec<f32>, &'static str);
        let cases: [Case; 6] = [
            // Empty row pointers: `n_items()` used to underflow.
            (vec![], vec![], vec![], "no items"),
            // Pointers past the neighbour list: `neighbors()` used to slice out of range.
            (vec![0, 5], vec![1], vec![0.5], "row pointers end"),
            (vec![0, 2, 1], vec![1, 0], vec![0.5, 0.5], "decrease"),
            // A neighbour id beyond the items: `score_items` used to index out of range.
            (vec![0, 1, 1], vec![7], vec![0.5], "index 7"),
            (vec![0, 1, 1], vec![1], vec![], "values"),
            (vec![0, 1, 1], vec![1], vec![f32::NAN], "NaN"),
        ];
        for (indptr, items, sims, expected) in cases {
            let forged = forge(ItemKnnModel::KIND, &(&config, indptr, items, sims));
            let msg = reason(ItemKnnModel::from_bytes(&forged).unwrap_err());
            assert!(msg.contains(expected), "{msg}");
        }
        let bad_config = (0usize, 0.0f32, false);
        let forged = forge(
            ItemKnnModel::KIND,
            &(
                bad_config,
                vec![0usize, 0],
                Vec::<u32>::new(),
                Vec::<f32>::new(),
            ),
        );
        assert!(reason(ItemKnnModel::from_bytes(&forged).unwrap_err()).contains("neighbors"));
        let fine = forge(
            ItemKnnModel::KIND,
            &(&config, vec![0usize, 1, 1], vec![1u32], vec![0.5f32]),
        );
        assert!(ItemKnnModel::from_bytes(&fine).is_ok());
    }

    #[test]
    fn mf_with_inconsistent_fields_is_rejected() {
        use crate::models::mf::{MfConfig, MfModel, SavedMfConfig};
        // What a saved model keeps of its configuration.
        let config = SavedMfConfig::from(&MfConfig::new().factors(2));
        let model = |item_factors: Vec<f32>, range: (f32, f32), mean: f32| {
            forge(
                MfModel::KIND,
                &(
                    &config,
                    mean,
                    vec![0.0f32],
                    vec![0.0f32, 0.1],
                    vec![0.1f32, 0.2],
                    item_factors,
                    range,
                ),
            )
        };
        let fine = model(vec![0.5; 4], (1.0, 5.0), 3.0);
        assert!(MfModel::from_bytes(&fine).is_ok());
        // Fewer item factors than items × factors: `score_items` used to slice past the end.
        let msg = reason(MfModel::from_bytes(&model(vec![0.5; 3], (1.0, 5.0), 3.0)).unwrap_err());
        assert!(msg.contains("item factors hold 3"), "{msg}");
        // min > max or NaN: `predict` used to panic inside `f32::clamp`.
        for range in [(5.0, 1.0), (f32::NAN, 5.0), (1.0, f32::INFINITY)] {
            let msg = reason(MfModel::from_bytes(&model(vec![0.5; 4], range, 3.0)).unwrap_err());
            assert!(msg.contains("rating range"), "{msg}");
        }
        assert!(MfModel::from_bytes(&model(vec![0.5; 4], (1.0, 5.0), f32::NAN)).is_err());
        assert!(MfModel::from_bytes(&model(vec![f32::INFINITY; 4], (1.0, 5.0), 3.0)).is_err());
        // A configuration that `fit` refuses is refused on load too.
        let zero_factors = forge(
            MfModel::KIND,
            &(
                (
                    0usize,
                    1usize,
                    0.1f32,
                    1.0f32,
                    0.1f32,
                    0.1f32,
                    0.1f32,
                    None::<(f32, f32)>,
                    0u64,
                ),
                3.0f32,
                Vec::<f32>::new(),
                Vec::<f32>::new(),
                Vec::<f32>::new(),
                Vec::<f32>::new(),
                (1.0f32, 5.0f32),
            ),
        );
        assert!(reason(MfModel::from_bytes(&zero_factors).unwrap_err()).contains("factors"));
    }

    #[test]
    fn trending_and_popularity_with_inconsistent_fields_are_rejected() {
        use crate::models::popularity::{PopularityConfig, PopularityModel};
        use crate::models::trending::{TrendingConfig, TrendingModel};
        let config = TrendingConfig::new();
        let trending = |all_time: Vec<f32>, trending: Vec<f32>| {
            forge(TrendingModel::KIND, &(&config, 0i64, all_time, trending))
        };
        assert!(TrendingModel::from_bytes(&trending(vec![1.0, 2.0], vec![0.5, 2.0])).is_ok());
        // Different lengths: `score_items` used to panic in `copy_from_slice`.
        let msg =
            reason(TrendingModel::from_bytes(&trending(vec![1.0, 2.0], vec![0.5])).unwrap_err());
        assert!(msg.contains("2 all-time and 1 trending"), "{msg}");
        assert!(TrendingModel::from_bytes(&trending(vec![], vec![])).is_err());
        assert!(TrendingModel::from_bytes(&trending(vec![f32::NAN], vec![0.0])).is_err());
        assert!(TrendingModel::from_bytes(&trending(vec![-1.0], vec![0.0])).is_err());
        let bad_half_life = forge(
            TrendingModel::KIND,
            &(
                (
                    0.0f64,
                    None::<i64>,
                    crate::models::trending::PopularityKind::Trending,
                ),
                0i64,
                vec![1.0f32],
                vec![1.0f32],
            ),
        );
        assert!(
            reason(TrendingModel::from_bytes(&bad_half_life).unwrap_err()).contains("half_life")
        );
        let popularity = forge(
            PopularityModel::KIND,
            &(PopularityConfig::new(), vec![1.0f32, f32::NAN]),
        );
        assert!(PopularityModel::from_bytes(&popularity).is_err());
    }

    #[test]
    fn content_with_inconsistent_fields_is_rejected() {
        use crate::features::{ContentFeaturesConfig, ContentNeighborsConfig, TokenKind};
        use crate::models::content::{ContentModel, ContentModelConfig};
        // Mirrors of the fields, in order: model (config, features, neighbours), features
        // (config, vocabulary, indptr, indices, data, embeddings), vocabulary (tokens, kinds,
        // document frequencies, IDF), neighbours (config, indptr, items, similarities).
        let vocabulary = (
            vec!["genre:a", "genre:b"],
            vec![TokenKind::Genre, TokenKind::Genre],
            vec![1u32, 1],
            vec![1.0f32, 1.0],
        );
        let features = |indptr: Vec<usize>, indices: Vec<u32>| {
            let values = vec![1.0f32; indices.len()];
            let no_embeddings: Option<(usize, f32, Vec<f32>)> = None;
            (
                ContentFeaturesConfig::new(),
                vocabulary.clone(),
                indptr,
                indices,
                values,
                no_embeddings,
            )
        };
        let neighbors = |indptr: Vec<usize>, items: Vec<u32>| {
            let sims = vec![0.5f32; items.len()];
            Some((ContentNeighborsConfig::new(), indptr, items, sims))
        };
        let model = |config: ContentModelConfig, features, neighbors| {
            forge(ContentModel::KIND, &(config, features, neighbors))
        };
        let two_items = || features(vec![0, 1, 2], vec![0, 1]);
        let fine = model(
            ContentModelConfig::new(),
            two_items(),
            neighbors(vec![0, 1, 1], vec![1]),
        );
        assert!(ContentModel::from_bytes(&fine).is_ok());
        // Neighbours of one item for two items: scoring item 1's neighbours used to slice past
        // the row pointers.
        let msg = reason(
            ContentModel::from_bytes(&model(
                ContentModelConfig::new(),
                two_items(),
                neighbors(vec![0, 1], vec![0]),
            ))
            .unwrap_err(),
        );
        assert!(msg.contains("cover 1 items"), "{msg}");
        let no_items = model(ContentModelConfig::new(), features(vec![0], vec![]), None);
        assert!(reason(ContentModel::from_bytes(&no_items).unwrap_err()).contains("no items"));
        let bad_config = model(
            ContentModelConfig::new().negative_weight(f32::NAN),
            two_items(),
            None,
        );
        assert!(
            reason(ContentModel::from_bytes(&bad_config).unwrap_err()).contains("negative_weight")
        );
    }

    #[cfg(feature = "fs")]
    #[test]
    fn save_and_load_round_trip_atomically() {
        let dir = std::env::temp_dir().join(format!("recsys-artifact-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("toy.recsys");
        toy().save(&path).unwrap();
        let mut changed = toy();
        changed.name = "bob".into();
        changed.save(&path).unwrap();
        assert_eq!(Toy::load(&path).unwrap(), changed);
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .filter(|name| name != "toy.recsys")
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

        std::fs::write(&path, b"user,item\n").unwrap();
        let msg = reason(Toy::load(&path).unwrap_err());
        assert!(
            msg.contains("toy.recsys") && msg.contains("text file"),
            "{msg}"
        );
        assert!(matches!(
            Toy::load(dir.join("missing.recsys")),
            Err(Error::Io { .. })
        ));
        // Saving into a missing directory fails without creating anything.
        assert!(matches!(
            toy().save(dir.join("no-such-dir").join("toy.recsys")),
            Err(Error::Io { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    proptest! {
        #[test]
        fn any_corruption_is_an_error(
            value in (any::<String>(), prop::collection::vec(any::<f32>(), 0..40), prop::collection::vec(any::<u64>(), 0..10)),
            flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4),
        ) {
            let bytes = to_bytes("toy-tuple", &value).unwrap();
            let mut damaged = bytes.clone();
            for (at, mask) in flips {
                let at = at.index(damaged.len());
                damaged[at] ^= mask;
            }
            // Two flips of one byte may cancel out.
            prop_assume!(damaged != bytes);
            prop_assert!(from_bytes::<(String, Vec<f32>, Vec<u64>)>("toy-tuple", &damaged).is_err());
        }

        #[test]
        fn any_truncation_is_an_error(cut in any::<prop::sample::Index>()) {
            let bytes = toy().to_bytes().unwrap();
            let len = cut.index(bytes.len());
            prop_assert!(Toy::from_bytes(&bytes[..len]).is_err());
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = Toy::from_bytes(&bytes);
            let _ = inspect(&bytes);
        }

        #[test]
        fn arbitrary_payloads_behind_a_valid_header_never_panic(
            payload in prop::collection::vec(any::<u8>(), 0..200)
        ) {
            let _ = Toy::from_bytes(&seal("toy", &payload));
            let _ = OtherToy::from_bytes(&seal("other-toy", &payload));
        }
    }
}
