//! npm formats, and what their readers share: how a version specifier or a
//! download URL tells where a package comes from, which packages are direct,
//! development-only or optional as the dependency graph says, and where a
//! key of a YAML lockfile stands.

pub mod bun_lock;
pub mod bun_lockb;
pub mod hidden_lockfile;
pub mod installed_package_json;
pub mod package_lock;
pub mod pnpm_lock;
pub mod yarn_lock;

use std::collections::{HashMap, VecDeque};

/// Where a package comes from, as its specifier or download URL tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// A registry release (an `npm:` alias included).
    Registry,
    /// The project's own code: a workspace, a link or a portal.
    Project,
    /// A local file or folder copied in.
    Path,
    /// A git repository.
    Git,
    /// A tarball downloaded from a URL.
    Url,
}

impl Source {
    /// Why a package from this source is not checked (none for registry
    /// releases and the project's own code).
    pub(crate) fn reason(self) -> Option<&'static str> {
        match self {
            Source::Registry | Source::Project => None,
            Source::Path => Some("installed from a local path, not from an npm registry release"),
            Source::Git => Some("installed from git, not from an npm registry release"),
            Source::Url => Some("downloaded from a URL, not an npm registry release"),
        }
    }
}

/// Hosts whose URLs (other than release tarballs) are git repositories.
const GIT_HOSTS: &[&str] = &[
    "github.com/",
    "gitlab.com/",
    "bitbucket.org/",
    "codeload.github.com/",
];

/// Where a package comes from, by the range or reference of its specifier
/// (`^1.2.0`, `npm:real@^1`, `workspace:*`, `file:../x`, `github:u/r`,
/// `https://host/x.tgz`, `user/repo#commit`).
pub(crate) fn classify_range(range: &str) -> Source {
    let r = range.trim();
    let project = ["workspace:", "link:", "portal:"];
    let git = [
        "git+",
        "git:",
        "git@",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
        "ssh:",
    ];
    if r.starts_with("npm:") {
        Source::Registry
    } else if project.iter().any(|p| r.starts_with(p)) {
        Source::Project
    } else if r.starts_with("file:")
        || r.starts_with("./")
        || r.starts_with("../")
        || r.starts_with('/')
        || r.starts_with("~/")
    {
        Source::Path
    } else if git.iter().any(|p| r.starts_with(p)) {
        Source::Git
    } else if let Some(rest) = r
        .strip_prefix("https://")
        .or_else(|| r.strip_prefix("http://"))
    {
        classify_url(rest)
    } else if r.contains('/') && !r.starts_with('@') {
        // `user/repo#commit`: a GitHub shorthand. Semver ranges and tags
        // never hold a `/`.
        Source::Git
    } else {
        Source::Registry
    }
}

/// Where a URL (without its scheme) downloads from: a git host's repository
/// or an archive of it is git, a registry tarball (`.../-/name-1.0.0.tgz`)
/// a registry release, anything else a plain URL.
fn classify_url(rest: &str) -> Source {
    let no_auth = rest
        .split_once('/')
        .map(|(host, path)| (host.rsplit('@').next().unwrap_or(host), path));
    let Some((host, path)) = no_auth else {
        return Source::Url;
    };
    if path.contains("/-/") {
        return Source::Registry;
    }
    let host_path = format!("{host}/");
    if GIT_HOSTS.iter().any(|h| host_path.ends_with(h))
        || path.contains(".git#")
        || path.ends_with(".git")
    {
        Source::Git
    } else {
        Source::Url
    }
}

/// Where a package was downloaded from, by the URL a lockfile records
/// (`resolved`): registry tarballs are releases, the rest are not.
pub(crate) fn classify_resolved(resolved: &str) -> Source {
    match classify_range(resolved) {
        // A bare path or shorthand in a download field is not a registry.
        Source::Registry if !resolved.contains("://") => Source::Registry,
        other => other,
    }
}

/// Splits `name@range` at the `@` that ends the name (a scoped name starts
/// with one). A specifier without a range is all name.
pub(crate) fn split_spec(spec: &str) -> (&str, &str) {
    match spec.get(1..).and_then(|s| s.find('@')) {
        Some(i) => (
            spec.get(..i + 1).unwrap_or(spec),
            spec.get(i + 2..).unwrap_or(""),
        ),
        None => (spec, ""),
    }
}

/// How a project asks for a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Root {
    /// In `dependencies` (or `peerDependencies`).
    Prod,
    /// In `devDependencies` only.
    Dev,
    /// In `optionalDependencies`.
    Optional,
}

/// What the graph says about one package.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Flags {
    /// The project asks for it itself.
    pub(crate) direct: bool,
    /// Needed only for development; `None` when no root reaches it.
    pub(crate) dev: Option<bool>,
    /// Reached only through optional dependencies; `None` when no root
    /// reaches it.
    pub(crate) optional: Option<bool>,
}

/// The flags of each of `edges.len()` packages, from the edges between them
/// (`(to, optional)`) and the packages the project asks for.
///
/// A package is dev-only when no production root (dependencies or optional
/// dependencies) reaches it; optional when no path of required edges from a
/// required root reaches it.
pub(crate) fn graph_flags(edges: &[Vec<(usize, bool)>], roots: &[(usize, Root)]) -> Vec<Flags> {
    let n = edges.len();
    let reach = |starts: &mut dyn Iterator<Item = usize>, follow_optional: bool| {
        let mut seen = vec![false; n];
        let mut queue: VecDeque<usize> = VecDeque::new();
        for s in starts {
            if let Some(slot) = seen.get_mut(s) {
                if !*slot {
                    *slot = true;
                    queue.push_back(s);
                }
            }
        }
        while let Some(i) = queue.pop_front() {
            for &(to, optional) in edges.get(i).map(Vec::as_slice).unwrap_or_default() {
                if optional && !follow_optional {
                    continue;
                }
                if let Some(slot) = seen.get_mut(to) {
                    if !*slot {
                        *slot = true;
                        queue.push_back(to);
                    }
                }
            }
        }
        seen
    };
    let any = reach(&mut roots.iter().map(|r| r.0), true);
    let prod = reach(
        &mut roots.iter().filter(|r| r.1 != Root::Dev).map(|r| r.0),
        true,
    );
    let required = reach(
        &mut roots.iter().filter(|r| r.1 != Root::Optional).map(|r| r.0),
        false,
    );
    let mut out = vec![Flags::default(); n];
    for &(i, _) in roots {
        if let Some(f) = out.get_mut(i) {
            f.direct = true;
        }
    }
    for (i, f) in out.iter_mut().enumerate() {
        if any.get(i).copied().unwrap_or(false) {
            f.dev = Some(!prod.get(i).copied().unwrap_or(false));
            f.optional = Some(!required.get(i).copied().unwrap_or(false));
        }
    }
    out
}

/// The 1-based line of each key of a YAML block mapping written at `indent`
/// spaces, inside the top-level `section` (or at the top level when
/// `section` is `None`, with `indent` 0).
///
/// Lockfile keys are unique within their mapping, so a scan of the text
/// finds them where the YAML parser (which keeps no positions) cannot say.
pub(crate) fn yaml_key_lines(
    text: &str,
    section: Option<&str>,
    indent: usize,
) -> HashMap<String, u32> {
    let mut found = HashMap::new();
    let mut inside = section.is_none();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let body = line.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let depth = line.len() - body.len();
        if let Some(section) = section {
            if depth == 0 {
                inside = yaml_key(body).is_some_and(|k| k == section);
                continue;
            }
        }
        if inside && depth == indent {
            if let Some(key) = yaml_key(body) {
                let line_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
                found.entry(key).or_insert(line_no);
            }
        }
    }
    found
}

/// The key of a YAML line `key:` or `key: value` (quoted or plain).
pub(crate) fn yaml_key(body: &str) -> Option<String> {
    let mut chars = body.char_indices();
    match chars.next()?.1 {
        '"' => {
            let mut out = String::new();
            while let Some((_, c)) = chars.next() {
                match c {
                    '"' => return after_colon(chars.as_str()).then_some(out),
                    '\\' => match chars.next()?.1 {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'u' => {
                            let hex: String = chars.by_ref().take(4).map(|(_, d)| d).collect();
                            let code = u32::from_str_radix(&hex, 16).ok()?;
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        }
                        other => out.push(other),
                    },
                    c => out.push(c),
                }
            }
            None
        }
        '\'' => {
            let mut out = String::new();
            let mut rest = body.get(1..)?;
            loop {
                let i = rest.find('\'')?;
                out.push_str(rest.get(..i)?);
                rest = rest.get(i + 1..)?;
                if let Some(r) = rest.strip_prefix('\'') {
                    out.push('\'');
                    rest = r;
                } else {
                    return after_colon(rest).then_some(out);
                }
            }
        }
        '-' | '?' | '{' | '[' => None,
        _ => {
            let end = body
                .find(": ")
                .or_else(|| body.strip_suffix(':').map(str::len))?;
            Some(body.get(..end)?.trim_end().to_string())
        }
    }
}

/// Whether the text after a quoted key is `:` then a space or the end.
fn after_colon(rest: &str) -> bool {
    rest.strip_prefix(':')
        .is_some_and(|r| r.is_empty() || r.starts_with(' '))
}

/// The dependency lists of a `package.json`: names to ranges.
#[derive(serde::Deserialize, Default)]
pub(crate) struct Manifest {
    #[serde(default)]
    pub(crate) dependencies: std::collections::BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "devDependencies")]
    pub(crate) dev_dependencies: std::collections::BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "optionalDependencies")]
    pub(crate) optional_dependencies: std::collections::BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "peerDependencies")]
    pub(crate) peer_dependencies: std::collections::BTreeMap<String, serde_json::Value>,
}

impl Manifest {
    /// Each name it asks for, with its range and how it asks for it (a name
    /// in both `dependencies` and `devDependencies` counts as production).
    pub(crate) fn wanted(&self) -> Vec<(&str, String, Root)> {
        let range = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
        let mut out: Vec<(&str, String, Root)> = Vec::new();
        for (name, v) in self.dependencies.iter().chain(&self.peer_dependencies) {
            out.push((name, range(v), Root::Prod));
        }
        for (name, v) in &self.optional_dependencies {
            out.push((name, range(v), Root::Optional));
        }
        for (name, v) in &self.dev_dependencies {
            if !self.dependencies.contains_key(name)
                && !self.optional_dependencies.contains_key(name)
            {
                out.push((name, range(v), Root::Dev));
            }
        }
        out
    }
}

/// Reads the `package.json` at `rel` (relative to the lockfile's folder):
/// `None` when there is none; a warning when it cannot be read or parsed.
pub(crate) fn read_manifest(
    input: &crate::FileInput<'_>,
    rel: &str,
    out: &mut crate::Extracted,
) -> Option<Manifest> {
    use vigil_model::Diagnostic;
    let (shown, text) = match input.read_related(rel) {
        Ok(found) => found,
        Err(crate::ExtractError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            return None
        }
        Err(e) => {
            out.diagnostics.push(Diagnostic::warning(
                input.rel_path,
                None,
                format!("cannot read {rel}, so which dependencies are direct or dev-only is unknown: {e}"),
            ));
            return None;
        }
    };
    match serde_json::from_str::<Manifest>(&text) {
        Ok(m) => Some(m),
        Err(e) => {
            let line = u32::try_from(e.line()).ok().filter(|&l| l > 0);
            out.diagnostics.push(Diagnostic::warning(
                shown,
                line,
                "not a valid package.json, so which dependencies of its lockfile are direct or dev-only is unknown",
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_tell_sources() {
        for (r, s) in [
            ("^1.2.0", Source::Registry),
            ("latest", Source::Registry),
            (">= 1.0 < 2", Source::Registry),
            ("npm:real@^1", Source::Registry),
            ("workspace:*", Source::Project),
            ("link:../x", Source::Project),
            ("portal:../x", Source::Project),
            ("file:../x", Source::Path),
            ("../x", Source::Path),
            ("github:user/repo", Source::Git),
            ("user/repo#abc", Source::Git),
            ("git+ssh://git@github.com/u/r.git", Source::Git),
            ("https://github.com/bats-core/bats-assert", Source::Git),
            ("https://token@host.example/u/r.git#abc", Source::Git),
            (
                "https://codeload.github.com/u/r/tar.gz/0a2d2506",
                Source::Git,
            ),
            ("https://example.com/x-1.0.0.tgz", Source::Url),
            (
                "https://registry.yarnpkg.com/x/-/x-1.0.0.tgz#abc",
                Source::Registry,
            ),
        ] {
            assert_eq!(classify_range(r), s, "{r}");
        }
        assert_eq!(classify_resolved("user/repo"), Source::Git);
    }

    #[test]
    fn specs_split_after_the_scope() {
        assert_eq!(split_spec("a@^1"), ("a", "^1"));
        assert_eq!(split_spec("@s/a@npm:b@1"), ("@s/a", "npm:b@1"));
        assert_eq!(split_spec("@s/a"), ("@s/a", ""));
        assert_eq!(split_spec("a"), ("a", ""));
        assert_eq!(split_spec("@"), ("@", ""));
        assert_eq!(split_spec(""), ("", ""));
    }

    #[test]
    fn graph_flags_follow_paths() {
        // 0 prod -> 1 -> 2 (optional edge); 3 dev -> 1; 4 dev only; 5 unreached.
        let edges = vec![
            vec![(1, false)],
            vec![(2, true)],
            vec![],
            vec![(1, false), (4, false)],
            vec![],
            vec![],
        ];
        let f = graph_flags(&edges, &[(0, Root::Prod), (3, Root::Dev)]);
        let show: Vec<(bool, Option<bool>, Option<bool>)> =
            f.iter().map(|f| (f.direct, f.dev, f.optional)).collect();
        assert_eq!(
            show,
            [
                (true, Some(false), Some(false)),
                (false, Some(false), Some(false)),
                (false, Some(false), Some(true)),
                (true, Some(true), Some(false)),
                (false, Some(true), Some(false)),
                (false, None, None),
            ]
        );
    }

    #[test]
    fn yaml_keys_and_their_lines() {
        let text = "a: 1\npackages:\n\n  /x/1.0.0:\n    dev: true\n  '@s/y@1.0.0':\n  \"z@npm:1\":\n  'it''s': {}\n# c\nother:\n  /w/1.0.0:\n";
        let lines = yaml_key_lines(text, Some("packages"), 2);
        assert_eq!(lines.get("/x/1.0.0"), Some(&4));
        assert_eq!(lines.get("@s/y@1.0.0"), Some(&6));
        assert_eq!(lines.get("z@npm:1"), Some(&7));
        assert_eq!(lines.get("it's"), Some(&8));
        assert_eq!(lines.len(), 4);
        let top = yaml_key_lines(text, None, 0);
        assert_eq!(top.get("other"), Some(&10));
        assert_eq!(yaml_key("a:b: c"), Some("a:b".to_string()));
        assert_eq!(yaml_key("\"a"), None);
        assert_eq!(yaml_key("'a"), None);
        assert_eq!(yaml_key("\"\\u12"), None);
    }
}
