//! Python (PyPI) formats.

pub mod dist_info;
pub mod egg_info;
pub mod pdm_lock;
pub mod pipfile_lock;
pub mod poetry_lock;
pub mod pylock;
pub mod requirements;
pub mod uv_lock;

/// A project name normalized as PEP 503 says (lowercase, runs of `-`, `_`
/// and `.` as one `-`): how Python tools compare names.
pub(crate) fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// The project name at the start of a PEP 508 requirement
/// (`requests[socks]>=2; python_version > "3"` gives `requests`).
pub(crate) fn requirement_name(req: &str) -> &str {
    let req = req.trim_start();
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(req.len());
    req.get(..end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(normalize_name("Foo__Bar.baz"), "foo-bar-baz");
        assert_eq!(normalize_name("typing_extensions"), "typing-extensions");
        assert_eq!(requirement_name("requests[socks]>=2; x"), "requests");
        assert_eq!(requirement_name("win-inet-pton; platform"), "win-inet-pton");
        assert_eq!(requirement_name("  zope.interface (>=5)"), "zope.interface");
        assert_eq!(requirement_name(""), "");
    }
}
