//! The global allowlist: paths never scanned, stop-words, placeholders.

use crate::rules::Allowlist;

/// Paths never scanned for secrets (globs on the path relative to the
/// scan root): lockfiles (integrity hashes look random), minified bundles
/// and source maps (long random-looking identifiers), installed npm
/// packages.
pub const DEFAULT_PATHS: &[&str] = &[
    "**/package-lock.json",
    "**/npm-shrinkwrap.json",
    "**/yarn.lock",
    "**/pnpm-lock.yaml",
    "**/bun.lock",
    "**/Cargo.lock",
    "**/go.sum",
    "**/poetry.lock",
    "**/uv.lock",
    "**/Pipfile.lock",
    "**/composer.lock",
    "**/Gemfile.lock",
    "**/packages.lock.json",
    "**/gradle.lockfile",
    "**/*.min.js",
    "**/*.min.css",
    "**/*.js.map",
    "**/*.css.map",
    "**/node_modules/**",
];

/// Words that mark a value as a placeholder or a documented example: a
/// secret holding one (in any case) is not reported.
pub const DEFAULT_STOPWORDS: &[&str] = &[
    "example",
    "sample",
    "dummy",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "replace_me",
    "replace-me",
    "replaceme",
    "replace_with",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "yourpassword",
    "redacted",
    "xxxxxx",
    "******",
    "notarealkey",
    "not_a_real",
    "not-a-real",
    "insert_",
    "insert-",
];

/// Whole values that are placeholders, not secrets (compared in any
/// case).
pub const PLACEHOLDER_VALUES: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "changeit",
    "admin",
    "root",
    "guest",
    "letmein",
    "default",
    "token",
    "apikey",
    "api_key",
    "none",
    "null",
    "nil",
    "undefined",
    "true",
    "false",
    "empty",
    "pass",
    "test",
    "testing",
    "user",
    "username",
];

/// The default global allowlist.
pub(crate) fn default_allowlist() -> Result<Allowlist, String> {
    let mut set = crate::rules::RuleSet::empty_allow();
    set.path_globs = DEFAULT_PATHS.iter().map(|s| s.to_string()).collect();
    set.stopwords = DEFAULT_STOPWORDS.iter().map(|s| s.to_string()).collect();
    set.rebuild_paths()?;
    Ok(set)
}

const SEQUENCES: &[&[u8]] = &[
    b"0123456789abcdefghijklmnopqrstuvwxyz",
    b"abcdefghijklmnopqrstuvwxyz0123456789",
    b"9876543210",
    b"qwertyuiopasdfghjklzxcvbnm",
];

/// Whether a value is a placeholder rather than a secret: a template or
/// variable reference (`${VAR}`, `{{ .x }}`, `<your-token>`, `%s`), one
/// character repeated (`xxxxxxxx`, `********`, `00000000`), a run of the
/// alphabet or the digits (`12345678`, `abcdefgh`), or a common stand-in
/// word (`password`, `changeit`, ...).
pub fn is_placeholder(secret: &[u8]) -> bool {
    let Some(&first) = secret.first() else {
        return true;
    };
    if matches!(first, b'$' | b'<' | b'%')
        || memchr::memmem::find(secret, b"${").is_some()
        || memchr::memmem::find(secret, b"{{").is_some()
        || memchr::memmem::find(secret, b"}}").is_some()
    {
        return true;
    }
    if secret.iter().all(|&b| b == first) {
        return true;
    }
    if secret
        .iter()
        .all(|b| matches!(b, b'x' | b'X' | b'*' | b'.' | b'-' | b'_' | b'#'))
    {
        return true;
    }
    let lower = secret.to_ascii_lowercase();
    if lower.len() >= 6
        && SEQUENCES
            .iter()
            .any(|s| memchr::memmem::find(s, &lower).is_some())
    {
        return true;
    }
    PLACEHOLDER_VALUES
        .iter()
        .any(|p| p.as_bytes() == lower.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for p in [
            "${DB_PASSWORD}",
            "<your-token>",
            "{{ .Values.token }}",
            "xxxxxxxxxxxx",
            "********",
            "00000000",
            "12345678",
            "abcdefghij",
            "Password",
            "changeit",
            "%s",
            "x-x-x-x",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for s in ["Zq8vR2mK9pLx4TnB", "hunter2hunter7", "s3cr3t-V4lue!"] {
            assert!(!is_placeholder(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn default_allowlist_paths_and_stopwords() {
        let a = default_allowlist().unwrap_or_default();
        assert!(a.allows_path("package-lock.json"));
        assert!(a.allows_path("web/node_modules/x/index.js"));
        assert!(a.allows_path("static/app.min.js"));
        assert!(!a.allows_path("src/config.js"));
        assert!(a.allows_secret(b"AKIAIOSFODNN7EXAMPLE"));
        // vigil:ignore aws-access-key-id a synthetic value in a test
        assert!(!a.allows_secret(b"AKIAQ2FBZ7LMNX4RTW3Y"));
    }
}
