//! PLACEHOLDER: being written.

/// A parsed version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version(String);

impl Version {
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        Err(format!("scheme not written yet: {s}"))
    }
}
