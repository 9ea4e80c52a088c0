//! Content digests: parsing `sha256:<hex>` and verifying streams.

use std::io::Read;

use sha2::{Digest as _, Sha256};

use crate::error::{Error, Result};

/// A sha256 content digest, the only algorithm registries use in practice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    /// The 64 lowercase hex digits.
    hex: String,
}

impl Digest {
    /// Parses `sha256:<64 hex digits>`; anything else is `None`.
    pub fn parse(s: &str) -> Option<Digest> {
        let hex = s.strip_prefix("sha256:")?;
        (hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| Digest {
            hex: hex.to_string(),
        })
    }

    /// Parses a digest an image names, or an error naming the image.
    pub(crate) fn parse_for(image: &str, what: &str, s: &str) -> Result<Digest> {
        Digest::parse(s).ok_or_else(|| {
            Error::invalid(
                image,
                format!("{what} has digest `{s}`, which is not sha256:<64 lowercase hex digits>"),
            )
        })
    }

    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest {
            hex: hex::encode(Sha256::digest(bytes)),
        }
    }

    /// The hex digits alone (the blob's file name in a layout or cache).
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// Checks that `bytes` have this digest.
    pub(crate) fn verify(&self, bytes: &[u8], image: &str, what: &str) -> Result<()> {
        let actual = Digest::of(bytes);
        self.check(&actual, image, what)
    }

    /// An error unless `actual` is this digest.
    pub(crate) fn check(&self, actual: &Digest, image: &str, what: &str) -> Result<()> {
        if actual == self {
            return Ok(());
        }
        Err(Error::DigestMismatch {
            image: image.to_string(),
            what: what.to_string(),
            expected: self.to_string(),
            actual: actual.to_string(),
        })
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sha256:{}", self.hex)
    }
}

/// A reader that hashes what passes through it.
pub(crate) struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Hashing<R> {
    pub(crate) fn new(inner: R) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// Reads the rest, then gives the digest of everything read and the
    /// inner reader.
    pub(crate) fn finish(mut self) -> std::io::Result<(Digest, u64, R)> {
        std::io::copy(&mut self, &mut std::io::sink())?;
        let digest = Digest {
            hex: hex::encode(self.hasher.finalize()),
        };
        Ok((digest, self.bytes, self.inner))
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_and_verifies() {
        let d = Digest::of(b"hello");
        assert_eq!(
            d.to_string(),
            "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(Digest::parse(&d.to_string()), Some(d.clone()));
        assert!(Digest::parse("sha256:ABC").is_none());
        assert!(Digest::parse("sha512:2cf24dba").is_none());
        assert!(d.verify(b"hello", "img", "the config").is_ok());
        let err = d.verify(b"hellO", "img", "the config").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("img: the config has digest sha256:"),
            "{msg}"
        );
        assert!(msg.contains(&format!("not the {d}")), "{msg}");

        let mut r = Hashing::new(&b"hello world"[..]);
        let mut buf = [0u8; 5];
        r.read_exact(&mut buf).unwrap();
        let (digest, n, _) = r.finish().unwrap();
        assert_eq!(digest, Digest::of(b"hello world"));
        assert_eq!(n, 11);
    }
}
