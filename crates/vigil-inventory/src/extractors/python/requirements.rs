//! `requirements.txt`: pip's requirements files.
//!
//! ## Detects
//! Files named `requirements*.txt` or `*requirements.txt` (such as
//! `requirements-dev.txt`, `dev-requirements.txt`), and `*.txt` files in a
//! folder named `requirements` (`requirements/base.txt`). Constraints files
//! are read when a requirements file names them with `-c`; a
//! `constraints.txt` alone is not a list of what is installed, so it is not
//! read for itself.
//!
//! ## Ecosystem
//! PyPI. A requirement pinned to one version (`name==1.0`, `name===1.0`,
//! with or without extras and environment markers) is a component: its name
//! and version as written, located at the first line of its (possibly
//! continued) line. Every requirement of a requirements file is direct.
//! Its `--hash=algo:hex` options (as `pip-compile --generate-hashes` writes
//! them) are kept as its hashes, as written.
//! Requirements that do not name one version (`>=2.0`, `~=1.1`, `==1.*`, no
//! version, a version from an environment variable, `name @ url`) are
//! "not checked" entries saying why.
//!
//! Files named with `-r`/`--requirement` are read too, and their components
//! are located in them; so are constraints files named with
//! `-c`/`--constraint`: a pin there is a component (direct when a
//! requirements file asks for that package, unknown otherwise), and it
//! settles an unpinned requirement of the same package, which is then not
//! reported as "not checked". A file is read once however often it is
//! named, so include cycles end. A file that cannot be read is a warning on
//! the line that names it.
//!
//! ## Limitations
//! - `dev` is unknown: a requirements file does not say what it is for.
//! - Editable requirements (`-e`), paths, archives and URLs are skipped: they
//!   are not PyPI releases and name no version.
//! - Environment variables (`${VAR}`) are not expanded; a requirement whose
//!   version uses one is "not checked". Environment markers are not
//!   evaluated: a requirement is reported whatever its marker says.
//! - Remote included files (`-r https://...`) are not fetched.
//! - A line pip would refuse is a warning, and the rest of the file is still
//!   read.
//!
//! ## References
//! - <https://pip.pypa.io/en/stable/reference/requirements-file-format/>
//! - <https://packaging.python.org/en/latest/specifications/dependency-specifiers/>
//! - <https://packaging.python.org/en/latest/specifications/version-specifiers/>

use std::collections::HashSet;
use std::path::Path;

use vigil_model::{Component, Diagnostic, Ecosystem, Location, NotChecked};

use crate::{ExtractError, Extracted, Extractor, FileInput};

/// How deep included files may nest.
const MAX_INCLUDE_DEPTH: usize = 32;

/// Reads pip requirements files.
#[derive(Debug, Clone, Copy)]
pub struct Requirements;

impl Extractor for Requirements {
    fn name(&self) -> &'static str {
        "python/requirements"
    }

    fn matches(&self, path: &Path) -> bool {
        let name = crate::file_name(path).to_ascii_lowercase();
        let Some(stem) = name.strip_suffix(".txt") else {
            return false;
        };
        let in_requirements_dir = path
            .parent()
            .and_then(|p| p.file_name())
            .is_some_and(|d| d.eq_ignore_ascii_case("requirements"));
        stem.starts_with("requirements") || stem.ends_with("requirements") || in_requirements_dir
    }

    fn extract(&self, input: &FileInput<'_>) -> Result<Extracted, ExtractError> {
        let mut state = State::default();
        state.visited.insert(input.rel_path.to_string());
        if let Ok(canonical) = input.path.canonicalize() {
            state
                .visited
                .insert(crate::input::rel_to_root(input.root, &canonical));
        }
        read_file(input, Kind::Requirements, 0, &mut state);
        Ok(state.finish())
    }
}

/// What a file is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A requirements file: each line asks for a package.
    Requirements,
    /// A constraints file: each line pins a version if it is asked for.
    Constraints,
}

#[derive(Default)]
struct State {
    out: Extracted,
    /// Files read or being read (relative to the scan root).
    visited: HashSet<String>,
    /// Normalized names the requirements files ask for.
    required: HashSet<String>,
    /// Indexes into `out.components` of the pins from constraints files.
    constraint_pins: Vec<usize>,
    /// Normalized names of the unpinned requirements, in the order of
    /// `out.not_checked` (`None` for entries a pin cannot settle).
    unpinned: Vec<Option<String>>,
}

impl State {
    fn finish(mut self) -> Extracted {
        let mut pinned_by_constraints = HashSet::new();
        for &i in &self.constraint_pins {
            if let Some(c) = self.out.components.get_mut(i) {
                let norm = Ecosystem::PyPI.normalize_name(&c.name);
                if self.required.contains(&norm) {
                    c.direct = Some(true);
                }
                pinned_by_constraints.insert(norm);
            }
        }
        let mut keep = self.unpinned.iter().map(|n| {
            n.as_ref()
                .is_none_or(|n| !pinned_by_constraints.contains(n))
        });
        self.out.not_checked.retain(|_| keep.next().unwrap_or(true));
        self.out
    }
}

/// Reads one file (the scanned one or an included one) into `state`.
fn read_file(input: &FileInput<'_>, kind: Kind, depth: usize, state: &mut State) {
    for (line, text) in logical_lines(input.contents) {
        match classify(&text) {
            Line::Skip => {}
            Line::Include(include_kind, target) => {
                let include_kind = if kind == Kind::Constraints {
                    // Everything a constraints file names only constrains.
                    Kind::Constraints
                } else {
                    include_kind
                };
                include(input, line, include_kind, &target, depth, state);
            }
            Line::Invalid(why) => {
                state.out.diagnostics.push(Diagnostic::warning(
                    input.rel_path,
                    Some(line),
                    format!("cannot read this requirement ({why}); line skipped"),
                ));
            }
            Line::Requirement(req) => {
                let hashes = hashes_of(&text);
                add_requirement(input, line, kind, req, hashes, state);
            }
        }
    }
}

fn add_requirement(
    input: &FileInput<'_>,
    line: u32,
    kind: Kind,
    req: Requirement,
    hashes: Vec<String>,
    state: &mut State,
) {
    let location = Location::new(input.rel_path, Some(line));
    let norm = Ecosystem::PyPI.normalize_name(&req.name);
    if kind == Kind::Requirements {
        state.required.insert(norm.clone());
    }
    match req.pin {
        Pin::Version(version) => {
            let direct = match kind {
                Kind::Requirements => Some(true),
                Kind::Constraints => None,
            };
            if kind == Kind::Constraints {
                state.constraint_pins.push(state.out.components.len());
            }
            let mut c = Component::new(Ecosystem::PyPI, req.name, version).direct(direct);
            c.locations.push(location);
            c.hashes = hashes;
            state.out.components.push(c);
        }
        // A constraints file asks for nothing: what it leaves open is not a
        // package of the project.
        _ if kind == Kind::Constraints => {}
        Pin::Open { spec, reason } => {
            state.out.not_checked.push(NotChecked {
                ecosystem: Ecosystem::PyPI,
                name: req.name,
                version: spec,
                location,
                reason,
            });
            state.unpinned.push(Some(norm));
        }
        Pin::Url => {
            state.out.not_checked.push(NotChecked {
                ecosystem: Ecosystem::PyPI,
                name: req.name,
                version: String::new(),
                location,
                reason: "installed from a URL, not from a PyPI release".to_string(),
            });
            state.unpinned.push(None);
        }
    }
}

/// Follows `-r`/`-c`: reads the named file once, and warns on the naming
/// line when it cannot be read.
fn include(
    input: &FileInput<'_>,
    line: u32,
    kind: Kind,
    target: &str,
    depth: usize,
    state: &mut State,
) {
    let warn = |state: &mut State, message: String| {
        state
            .out
            .diagnostics
            .push(Diagnostic::warning(input.rel_path, Some(line), message));
    };
    if target.contains("://") {
        warn(
            state,
            format!("`{target}` is a remote file, which is not fetched"),
        );
        return;
    }
    if target.contains("${") {
        warn(
            state,
            format!("`{target}` names an environment variable, which is not expanded"),
        );
        return;
    }
    if depth >= MAX_INCLUDE_DEPTH {
        warn(state, format!("`{target}` is not read: files include each other more than {MAX_INCLUDE_DEPTH} deep"));
        return;
    }
    let (rel, text) = match input.read_related(target) {
        Ok(found) => found,
        Err(e) => {
            warn(
                state,
                format!(
                    "cannot read the file it names, `{target}`: {}",
                    describe(&e)
                ),
            );
            return;
        }
    };
    if !state.visited.insert(rel.clone()) {
        return;
    }
    let path = input.root.join(&rel);
    let included = FileInput {
        rel_path: &rel,
        path: &path,
        contents: &text,
        bytes: text.as_bytes(),
        root: input.root,
        max_file_size: input.max_file_size,
        archive_depth: input.archive_depth,
        archive_budget: input.archive_budget,
    };
    read_file(&included, kind, depth + 1, state);
}

/// Why a related file could not be read, without the machine's paths.
fn describe(e: &ExtractError) -> String {
    match e {
        ExtractError::Io { source, .. } => match source.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            kind => format!("I/O error ({kind})"),
        },
        ExtractError::TooLarge { size, limit, .. } => {
            format!("it is {size} bytes, more than the {limit}-byte limit")
        }
        ExtractError::NotText { reason, .. } => reason.clone(),
        ExtractError::Malformed { message, .. } => message.clone(),
    }
}

/// The logical lines of a file: backslash continuations joined, comments
/// removed, blank lines dropped; each with the number of its first
/// physical line.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    let flush = |pending: &mut Option<(u32, String)>, out: &mut Vec<(u32, String)>| {
        if let Some((n, joined)) = pending.take() {
            let stripped = strip_comment(&joined).trim().to_string();
            if !stripped.is_empty() {
                out.push((n, stripped));
            }
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if raw.trim_start().starts_with('#') {
            // A comment line ends a continuation and is never continued.
            flush(&mut pending, &mut out);
            continue;
        }
        let (body, continued) = match raw.strip_suffix('\\') {
            Some(body) => (body, true),
            None => (raw, false),
        };
        pending
            .get_or_insert_with(|| (n, String::new()))
            .1
            .push_str(body);
        if !continued {
            flush(&mut pending, &mut out);
        }
    }
    flush(&mut pending, &mut out);
    out
}

/// Cuts a `#` comment: one at the start of the line or after whitespace
/// (a `#` inside a word, as in a URL fragment, is kept).
fn strip_comment(line: &str) -> &str {
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && prev_space {
            return line.get(..i).unwrap_or(line);
        }
        prev_space = c.is_whitespace();
    }
    line
}

/// What one logical line is.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    Skip,
    Include(Kind, String),
    Requirement(Requirement),
    Invalid(String),
}

#[derive(Debug, PartialEq, Eq)]
struct Requirement {
    name: String,
    pin: Pin,
}

#[derive(Debug, PartialEq, Eq)]
enum Pin {
    /// Pinned to this version.
    Version(String),
    /// Open: the specifiers as written and why they are not a pin.
    Open { spec: String, reason: String },
    /// `name @ url`.
    Url,
}

/// Options that take no part in what is installed.
const SKIPPED_OPTIONS: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "--no-index",
    "-f",
    "--find-links",
    "--pre",
    "--trusted-host",
    "--use-feature",
    "--prefer-binary",
    "--require-hashes",
    "--only-binary",
    "--no-binary",
    "-Z",
    "--always-unzip",
    "--global-option",
    "--install-option",
    "--config-settings",
    "-C",
    "--hash",
    "--process-dependency-links",
];

fn classify(line: &str) -> Line {
    if line.starts_with('-') {
        return option(line);
    }
    match parse_requirement(line) {
        Ok(Some(req)) => Line::Requirement(req),
        Ok(None) => Line::Skip,
        Err(why) => Line::Invalid(why),
    }
}

/// A line starting with `-`: an include, an editable requirement, or a
/// global option.
fn option(line: &str) -> Line {
    let (flag, value) = if line.starts_with("--") {
        let end = line
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(line.len());
        let (flag, rest) = line.split_at(end);
        (
            flag,
            rest.trim_start_matches(|c: char| c == '=' || c.is_whitespace()),
        )
    } else {
        let end = line.char_indices().nth(2).map_or(line.len(), |(i, _)| i);
        let (flag, rest) = line.split_at(end);
        (
            flag,
            rest.trim_start_matches(|c: char| c == '=' || c.is_whitespace()),
        )
    };
    let value = value.trim();
    let include = |kind| {
        if value.is_empty() {
            Line::Invalid(format!("`{flag}` names no file"))
        } else {
            Line::Include(kind, value.to_string())
        }
    };
    match flag {
        "-r" | "--requirement" => include(Kind::Requirements),
        "-c" | "--constraint" => include(Kind::Constraints),
        "-e" | "--editable" => Line::Skip,
        f if SKIPPED_OPTIONS.contains(&f) => Line::Skip,
        f => Line::Invalid(format!("unknown option `{f}`")),
    }
}

/// Cuts per-requirement options (`--hash=...`, `-C x`): everything from the
/// first word, outside quotes, that starts with `-`.
fn cut_options(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev_space = false;
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '-' && prev_space => return line.get(..i).unwrap_or(line),
            None => {}
        }
        prev_space = c.is_whitespace();
    }
    line
}

/// The `--hash=algo:hex` values of a requirement line (also written
/// `--hash algo:hex`), as written.
fn hashes_of(line: &str) -> Vec<String> {
    let options = line.get(cut_options(line).len()..).unwrap_or("");
    let mut out = Vec::new();
    let mut words = options.split_whitespace();
    while let Some(w) = words.next() {
        if let Some(h) = w.strip_prefix("--hash=") {
            out.push(h.to_string());
        } else if w == "--hash" {
            out.extend(words.next().map(str::to_string));
        }
    }
    out.retain(|h| !h.is_empty());
    out
}

/// Comparison operators, longest first.
const OPERATORS: &[&str] = &["===", "==", "!=", "~=", "<=", ">=", "<", ">"];

/// Parses a requirement: `Ok(None)` for a path or URL without a name.
fn parse_requirement(line: &str) -> Result<Option<Requirement>, String> {
    let line = cut_options(line);
    let spec = line.split_once(';').map_or(line, |(s, _marker)| s).trim();
    if spec.is_empty() {
        return Err("no package name".to_string());
    }

    let name_len = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .unwrap_or(spec.len());
    let (name, mut rest) = spec.split_at(name_len);
    rest = rest.trim_start();
    if rest.starts_with('[') {
        match rest.find(']') {
            Some(end) => rest = rest.get(end + 1..).unwrap_or("").trim_start(),
            None => return Err("unclosed `[` of extras".to_string()),
        }
    }
    let name_ok = name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if name_ok && rest.starts_with('@') {
        return Ok(Some(Requirement {
            name: name.to_string(),
            pin: Pin::Url,
        }));
    }
    if is_path_or_url(spec) {
        return Ok(None);
    }
    if !name_ok {
        return Err(if name.is_empty() {
            "no package name".to_string()
        } else {
            format!("`{name}` is not a package name")
        });
    }

    let rest = rest.trim();
    let rest = match rest.strip_prefix('(') {
        Some(inner) => inner.strip_suffix(')').ok_or("unclosed `(`")?.trim(),
        None => rest,
    };
    let pin = parse_specifiers(rest)?;
    Ok(Some(Requirement {
        name: name.to_string(),
        pin,
    }))
}

/// Whether a requirement is a local path, an archive or a URL.
fn is_path_or_url(spec: &str) -> bool {
    let lower = spec.to_ascii_lowercase();
    spec.contains("://")
        || spec.starts_with(['.', '/', '~', '\\'])
        || spec.contains('/')
        || spec.contains('\\')
        || [
            ".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

fn parse_specifiers(text: &str) -> Result<Pin, String> {
    if text.is_empty() {
        return Ok(Pin::Open {
            spec: String::new(),
            reason: "no version given".to_string(),
        });
    }
    let mut clauses = Vec::new();
    let mut pins = Vec::new();
    for clause in text.split(',') {
        let clause = clause.trim();
        let Some(op) = OPERATORS.iter().find(|op| clause.starts_with(**op)) else {
            return Err(format!("`{clause}` is not a version specifier"));
        };
        let version = clause.get(op.len()..).unwrap_or("").trim();
        if version.is_empty() {
            return Err(format!("`{op}` with no version"));
        }
        if version.contains(char::is_whitespace) {
            return Err(format!("`{clause}` is not a version specifier"));
        }
        let arbitrary = *op == "===";
        if !arbitrary
            && !version.contains("${")
            && !version.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '*' | '+' | '!' | '-' | '_')
            })
        {
            return Err(format!("`{version}` is not a version"));
        }
        if (*op == "==" || arbitrary) && !version.contains('*') && !version.contains("${") {
            pins.push(version);
        }
        clauses.push(clause);
    }
    let spec = clauses.join(", ");
    if spec.contains("${") {
        return Ok(Pin::Open {
            reason: format!("the version comes from an environment variable (`{spec}`)"),
            spec,
        });
    }
    pins.sort_unstable();
    pins.dedup();
    match pins.as_slice() {
        [one] => Ok(Pin::Version((*one).to_string())),
        [] => Ok(Pin::Open {
            reason: format!("not pinned to one version (`{spec}`)"),
            spec,
        }),
        _ => Ok(Pin::Open {
            reason: format!("pinned to several versions at once (`{spec}`)"),
            spec,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extractors::testutil::{
        brief, extract_in, fixture, one, samples, survives_truncation, view,
    };

    const SUB: &str = "python/requirements";

    fn read(rel: &str) -> Extracted {
        fixture(&Requirements, SUB, rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// `name version path:line reason` of each not-checked entry, sorted.
    fn unchecked(x: &Extracted) -> Vec<String> {
        let mut v: Vec<String> = x
            .not_checked
            .iter()
            .map(|n| {
                format!(
                    "{} `{}` {}:{} {}",
                    n.name,
                    n.version,
                    n.location.path,
                    n.location.line.unwrap_or(0),
                    n.reason
                )
            })
            .collect();
        v.sort();
        v
    }

    fn diagnostics(x: &Extracted) -> Vec<String> {
        let mut v: Vec<String> = x.diagnostics.iter().map(ToString::to_string).collect();
        v.sort();
        v
    }

    #[test]
    fn matches_requirements_file_names() {
        for yes in [
            "requirements.txt",
            "a/requirements-dev.txt",
            "requirements_test.txt",
            "dev-requirements.txt",
            "test_requirements.txt",
            "Requirements.txt",
            "requirements/base.txt",
            "app/requirements/prod.txt",
        ] {
            assert!(Requirements.matches(Path::new(yes)), "{yes}");
        }
        for no in [
            "requirements.in",
            "constraints.txt",
            "notes.txt",
            "requirements.txt/x",
            "requirements",
        ] {
            assert!(!Requirements.matches(Path::new(no)), "{no}");
        }
    }

    #[test]
    fn empty_file() {
        let x = read("empty/requirements.txt");
        assert!(x.components.is_empty() && x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn one_package() {
        let x = read("one-package/requirements.txt");
        assert_eq!(brief(&x), ["Django@4.2.11 one-package/requirements.txt:1"]);
        let c = one(&x, "Django", "4.2.11");
        assert_eq!(c.purl, "pkg:pypi/django@4.2.11");
        assert_eq!(c.direct, Some(true));
        assert_eq!(c.dev, None);
    }

    #[test]
    fn malformed_lines_are_warnings_naming_file_and_line() {
        let x = read("malformed/requirements.txt");
        assert_eq!(
            brief(&x),
            [
                "requests@2.31.0 malformed/requirements.txt:1",
                "urllib3@2.2.1 malformed/requirements.txt:8"
            ]
        );
        assert_eq!(
            diagnostics(&x),
            [
                "malformed/requirements.txt:2: cannot read this requirement (`==` with no version); line skipped",
                "malformed/requirements.txt:3: cannot read this requirement (no package name); line skipped",
                "malformed/requirements.txt:4: cannot read this requirement (`3.0.2` is not a version specifier); line skipped",
                "malformed/requirements.txt:5: cannot read this requirement (unclosed `[` of extras); line skipped",
                "malformed/requirements.txt:6: cannot read this requirement (`==2.2.1 unexpected-word` is not a version specifier); line skipped",
                "malformed/requirements.txt:7: cannot read this requirement (unknown option `-x`); line skipped",
            ]
        );
    }

    #[test]
    fn pip_compile_output_with_hashes() {
        let x = read("pip-compile/requirements.txt");
        assert!(x.not_checked.is_empty() && x.diagnostics.is_empty());
        insta::assert_json_snapshot!("requirements_pip_compile", view(&x));
    }

    #[test]
    fn hashes_are_kept_as_written() {
        assert_eq!(
            hashes_of("a==1.0 --hash=sha256:ab --hash sha256:cd --hash=sha512:ef"),
            ["sha256:ab", "sha256:cd", "sha512:ef"]
        );
        assert!(hashes_of("a==1.0").is_empty());
        assert!(hashes_of("a==1.0 --hash=").is_empty());
        let x = read("pip-compile/requirements.txt");
        assert!(x.components.iter().all(|c| !c.hashes.is_empty()));
    }

    #[test]
    fn includes_and_constraints() {
        let x = read("includes/requirements.txt");
        assert_eq!(
            brief(&x),
            [
                "Django@4.2.11 includes/base.txt:1",
                "asgiref@3.7.2 includes/base.txt:2",
                "celery@5.3.6 includes/constraints.txt:2",
                "gunicorn@21.2.0 includes/requirements.txt:5",
                "kombu@5.3.5 includes/constraints.txt:3",
                "pytest@8.0.2 includes/dev/extra-requirements.txt:2",
            ]
        );
        // A constraint pin is direct when a requirement asks for it...
        assert_eq!(one(&x, "celery", "5.3.6").direct, Some(true));
        // ... and unknown otherwise.
        assert_eq!(one(&x, "kombu", "5.3.5").direct, None);
        // The unpinned `celery` is settled by the pin; `redis>=5.0` is not
        // (the constraint `redis>=4` pins nothing).
        assert_eq!(
            unchecked(&x),
            ["redis `>=5.0` includes/requirements.txt:7 not pinned to one version (`>=5.0`)"]
        );
        assert_eq!(
            diagnostics(&x),
            [
                "includes/requirements.txt:8: cannot read the file it names, `missing.txt`: no such file",
                "includes/requirements.txt:9: `https://example.com/requirements.txt` is a remote file, which is not fetched",
            ]
        );
        insta::assert_json_snapshot!("requirements_includes", view(&x));
    }

    #[test]
    fn include_cycles_end() {
        let x = read("cycle/requirements.txt");
        assert_eq!(
            brief(&x),
            [
                "flask@3.0.2 cycle/requirements.txt:2",
                "jinja2@3.1.3 cycle/other.txt:2"
            ]
        );
        assert!(x.diagnostics.is_empty());
        // Starting from the other end gives the same packages.
        let x = read("cycle/other.txt");
        assert_eq!(
            brief(&x),
            [
                "flask@3.0.2 cycle/requirements.txt:2",
                "jinja2@3.1.3 cycle/other.txt:2"
            ]
        );
    }

    #[test]
    fn include_outside_the_root_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(dir.path().join("secret.txt"), "leaked==1.0\n").unwrap();
        std::fs::write(root.join("requirements.txt"), "-r ../secret.txt\nok==1.0\n").unwrap();
        let x = extract_in(&Requirements, &root, "requirements.txt").unwrap();
        assert_eq!(brief(&x), ["ok@1.0 requirements.txt:2"]);
        assert_eq!(
            diagnostics(&x),
            ["requirements.txt:1: cannot read the file it names, `../secret.txt`: it is outside the scan root"]
        );
    }

    #[test]
    fn markers_extras_and_arbitrary_equality() {
        let x = read("markers/requirements.txt");
        assert_eq!(
            brief(&x),
            [
                "Pillow@10.2.0+local.1 markers/requirements.txt:7",
                "backports.zoneinfo@0.2.1 markers/requirements.txt:8",
                "celery@5.3.6 markers/requirements.txt:5",
                "importlib-metadata@7.0.1 markers/requirements.txt:1",
                "pywin32@306 markers/requirements.txt:3",
                "tomli@2.0.1 markers/requirements.txt:2",
                "typing_extensions@4.10.0 markers/requirements.txt:6",
                "uvicorn@0.27.1 markers/requirements.txt:4",
            ]
        );
        assert_eq!(
            one(&x, "typing_extensions", "4.10.0").purl,
            "pkg:pypi/typing_extensions@4.10.0"
        );
        assert!(x.not_checked.is_empty() && x.diagnostics.is_empty());
    }

    #[test]
    fn continuations_are_joined_at_their_first_line() {
        let x = read("continuations/requirements.txt");
        assert_eq!(
            brief(&x),
            [
                "attrs@23.2.0 continuations/requirements.txt:6",
                "last@1.0 continuations/requirements.txt:11",
                "pluggy@1.4.0 continuations/requirements.txt:9",
                "qwerty@0.1 continuations/requirements.txt:3",
                "simplejson@3.19.2 continuations/requirements.txt:7",
                "six@1.16.0 continuations/requirements.txt:1",
            ]
        );
        assert!(x.diagnostics.is_empty());
    }

    #[test]
    fn unpinned_requirements_are_not_checked() {
        let x = read("unpinned/requirements.txt");
        assert_eq!(brief(&x), ["idna@3.6 unpinned/requirements.txt:10"]);
        assert_eq!(
            unchecked(&x),
            [
                "Jinja2 `~=3.1` unpinned/requirements.txt:3 not pinned to one version (`~=3.1`)",
                "SQLAlchemy `<2.1, >=2.0` unpinned/requirements.txt:5 not pinned to one version (`<2.1, >=2.0`)",
                "Werkzeug `==3.*` unpinned/requirements.txt:4 not pinned to one version (`==3.*`)",
                "markupsafe `==2.1.5, ==2.1.4` unpinned/requirements.txt:9 pinned to several versions at once (`==2.1.5, ==2.1.4`)",
                "pytz `==${PYTZ_VERSION}` unpinned/requirements.txt:7 the version comes from an environment variable (`==${PYTZ_VERSION}`)",
                "pyyaml `!=6.0.0` unpinned/requirements.txt:6 not pinned to one version (`!=6.0.0`)",
                "requests `` unpinned/requirements.txt:1 no version given",
                "requests-oauthlib `>=1.3.1` unpinned/requirements.txt:2 not pinned to one version (`>=1.3.1`)",
                "urllib3 `` unpinned/requirements.txt:8 installed from a URL, not from a PyPI release",
            ]
        );
        assert!(x.not_checked.iter().all(|n| n.ecosystem == Ecosystem::PyPI));
        assert!(x.diagnostics.is_empty());
    }

    #[test]
    fn options_paths_and_urls_are_skipped() {
        let x = read("options/requirements.txt");
        assert_eq!(
            brief(&x),
            [
                "h11@0.14.0 options/requirements.txt:17",
                "orjson@3.9.15 options/requirements.txt:16"
            ]
        );
        assert!(x.not_checked.is_empty());
        assert!(x.diagnostics.is_empty(), "{:?}", diagnostics(&x));
    }

    #[test]
    fn never_panics_on_cut_files() {
        for rel in [
            "pip-compile/requirements.txt",
            "malformed/requirements.txt",
            "markers/requirements.txt",
            "unpinned/requirements.txt",
            "options/requirements.txt",
            "continuations/requirements.txt",
        ] {
            survives_truncation(&Requirements, SUB, rel);
        }
        for odd in [
            "[", "a[", "a(", "a (==", "-", "--", "-r", "a;", "a==1,", "\\", "é==1", "a===", "a @",
        ] {
            let _ = classify(odd);
        }
    }

    #[test]
    fn real_world_samples() {
        let Some(dir) = samples("python/requirements/testdata") else {
            return;
        };
        let run =
            |f: &str| extract_in(&Requirements, &dir, f).unwrap_or_else(|e| panic!("{f}: {e}"));

        let x = run("comments.txt");
        assert_eq!(
            brief(&x),
            [
                "GMPY2@1 comments.txt:3",
                "PyCrypto@1.2-alpha comments.txt:2",
                "SymPy@1.2 comments.txt:6",
                "requests@1.0 comments.txt:7",
                "six@1.2 comments.txt:8",
            ]
        );

        let x = run("env_var.txt");
        assert_eq!(
            brief(&x),
            ["another@1.0 env_var.txt:3", "asdf@1.2 env_var.txt:1"]
        );
        assert_eq!(x.not_checked.len(), 1);
        assert_eq!(x.not_checked[0].name, "qwert");

        // Includes are followed and located in the included file; a missing
        // constraints file is a warning on the line naming it.
        let x = run("example.txt");
        assert_eq!(
            brief(&x),
            [
                "docopt@0.6.1 example.txt:8",
                "pandas@2.2.3 other-requirements.txt:1"
            ]
        );
        let names: Vec<&str> = x.not_checked.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "pytest",
                "pytest-cov",
                "beautifulsoup4",
                "requests",
                "urllib3",
                "keyring",
                "coverage",
                "Mopidy-Dirble"
            ]
        );
        assert_eq!(
            diagnostics(&x),
            ["example.txt:22: cannot read the file it names, `constraints.txt`: no such file"]
        );

        assert_eq!(
            brief(&run("extras.txt")),
            ["celery@4.4.7 extras.txt:2", "pyjwt@2.1.0 extras.txt:1"]
        );

        let x = run("invalid.txt");
        assert!(x.components.is_empty());
        assert_eq!(
            x.diagnostics.iter().map(|d| d.line).collect::<Vec<_>>(),
            [Some(1), Some(2), Some(3)]
        );
        assert_eq!(x.not_checked.len(), 1);

        let x = run("loop.txt");
        assert!(x.components.is_empty() && x.diagnostics.is_empty());

        assert_eq!(
            brief(&run("multiline_and_comments.txt")),
            [
                "pkgA@1.0 multiline_and_comments.txt:3",
                "pkgB@2.0 multiline_and_comments.txt:7"
            ]
        );
        assert_eq!(run("no_version.txt").not_checked.len(), 3);

        let x = run("per_req_options.txt");
        assert_eq!(x.components.len(), 15, "{:#?}", brief(&x));
        assert_eq!(
            crate::extractors::testutil::line(one(&x, "foo9", "1.0")),
            Some(17)
        );
        assert!(x.components.iter().any(|c| c.name == "foo17--hash"));
        assert_eq!(
            x.diagnostics.iter().map(|d| d.line).collect::<Vec<_>>(),
            [Some(13), Some(20), Some(30)]
        );

        assert_eq!(
            brief(&run("trailing_backslash.txt")),
            ["pkg1@1.0 trailing_backslash.txt:1"]
        );

        let x = run("with_versions.txt");
        assert_eq!(
            brief(&x),
            [
                "hy-phen@1.2 with_versions.txt:7",
                "nltk@3.2.2 with_versions.txt:1",
                "pkg.dot.name@5.0.0 with_versions.txt:9",
                "qwerty@0.1 with_versions.txt:5",
                "tabulate@0.7.7 with_versions.txt:2",
                "under_score@1.3 with_versions.txt:8",
                "yolo@1.0 with_versions.txt:11",
            ]
        );
        assert_eq!(x.not_checked.len(), 4);
    }
}
