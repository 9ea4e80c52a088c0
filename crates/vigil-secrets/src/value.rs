//! The raw value of a secret: kept away from every output.

/// A secret's raw bytes. It has no `Display`, its `Debug` shows only the
/// length, and it is not `Serialize`: the only ways out are
/// [`SecretValue::redacted`] and [`SecretValue::expose`], which the
/// finding's fingerprint and the tests use.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(Box<[u8]>);

impl SecretValue {
    /// Wraps raw bytes.
    pub fn new(bytes: &[u8]) -> Self {
        SecretValue(bytes.into())
    }

    /// The raw bytes. Never print them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The redacted form shown in reports: see [`redact`].
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }
}

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretValue(<redacted, {} bytes>)", self.0.len())
    }
}

/// The most characters of a secret ever shown.
pub const SHOWN_MAX: usize = 4;

/// A secret as reports show it: its first characters, then `…`. At most
/// four characters are shown, and never more than a quarter of the
/// secret's characters (a 12-character password shows 3, one of fewer
/// than 4 characters shows none).
pub fn redact(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    let chars = text.chars().count();
    let shown = SHOWN_MAX.min(chars / 4);
    let mut out: String = text
        .chars()
        .take(shown)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_shows_at_most_four_characters_and_a_quarter() {
        assert_eq!(redact(b"ghp_abcdefghijklmnopqrstuvwxyz0123456789"), "ghp_…");
        assert_eq!(redact(b"abcdefghijkl"), "abc…");
        assert_eq!(redact(b"abcdefg"), "a…");
        assert_eq!(redact(b"abc"), "…");
        assert_eq!(redact("éééééééééééééééé".as_bytes()), "éééé…");
    }

    #[test]
    fn debug_hides_the_value() {
        let v = SecretValue::new(b"hunter2-very-secret");
        let shown = format!("{v:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("19 bytes"));
    }
}
