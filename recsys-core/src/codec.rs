//! The payload encoding shared by artifacts and fingerprints (a low layer: it depends on nothing
//! in the crate but the error type).
//!
//! Payloads are serde + bincode 2 with `config::standard()`. A fingerprint is the 64-bit FNV-1a
//! hash of those bytes, written as 16 lower-case hex digits.

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
    fn streamed_and_buffered_fingerprints_agree() {
        let value = (vec![1.5f32, -2.0], "ann".to_string(), 7u64);
        let bytes = encode("t", &value).unwrap();
        assert_eq!(fingerprint_of("t", &value).unwrap(), fingerprint(&bytes));
    }
}
