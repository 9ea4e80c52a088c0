//! The ignore file (`.vigilignore.yaml`): findings the team has triaged.
//!
//! ```yaml
//! ignore:
//!   - id: CVE-2021-23337          # the finding's ID or any alias
//!     reason: template() is never called with user input
//!     expires: 2026-06-30         # optional; the entry stops hiding then
//!   - purl: "pkg:npm/lodash@4.*"  # package URL glob; without @version, any version
//!     reason: replaced in the next release
//!   - path: "test/**"             # glob on the finding's location path
//!     reason: test fixtures, never deployed
//! ```
//!
//! The keys of one entry must all match (`id` and `path`: that ID in those
//! files only). An entry whose `expires` date has passed hides nothing and
//! is reported, so that a forgotten exception surfaces again.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use vigil_model::{Finding, Suppression, SuppressionKind};

use crate::date::is_date;
use crate::error::{read_text, PolicyError};

/// The file name looked for at the scan root.
pub const DEFAULT_FILE: &str = ".vigilignore.yaml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    ignore: Vec<RawEntry>,
}

/// One entry of an ignore file.
#[derive(Debug)]
pub struct Entry {
    id: Option<String>,
    purl: Option<PurlGlob>,
    path: Option<(String, GlobMatcher)>,
    reason: String,
    expires: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: Option<String>,
    purl: Option<String>,
    path: Option<String>,
    reason: Option<String>,
    expires: Option<String>,
}

impl TryFrom<RawEntry> for Entry {
    type Error = String;

    fn try_from(raw: RawEntry) -> Result<Self, String> {
        if raw.id.is_none() && raw.purl.is_none() && raw.path.is_none() {
            return Err("needs `id`, `purl` or `path`".into());
        }
        let reason = raw
            .reason
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| "has no `reason`".to_string())?;
        if let Some(e) = &raw.expires {
            if !is_date(e) {
                return Err(format!("`expires: {e}` is not a date written YYYY-MM-DD"));
            }
        }
        let path = match raw.path {
            Some(p) => {
                let m = glob(&p).map_err(|e| format!("bad path glob: {e}"))?;
                Some((p, m))
            }
            None => None,
        };
        let purl = match raw.purl {
            Some(p) => Some(PurlGlob::new(&p)?),
            None => None,
        };
        Ok(Entry {
            id: raw.id.map(|i| i.trim().to_string()),
            purl,
            path,
            reason: reason.trim().to_string(),
            expires: raw.expires,
        })
    }
}

fn glob(pattern: &str) -> Result<GlobMatcher, globset::Error> {
    Ok(globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()?
        .compile_matcher())
}

/// A package URL pattern: `*` globs in the type/namespace/name and in the
/// version; without a version it matches every version; qualifiers, when
/// given after `?`, must all be the package's.
#[derive(Debug)]
struct PurlGlob {
    text: String,
    base: GlobMatcher,
    version: Option<GlobMatcher>,
    qualifiers: Vec<(String, String)>,
}

/// A purl split into the part before the version, the version, and the
/// qualifiers; `%40` read as `@` so that scoped npm names can be written
/// either way.
fn split_purl(purl: &str) -> (String, Option<String>, Vec<(String, String)>) {
    let purl = purl.replace("%40", "@");
    let purl = purl.split('#').next().unwrap_or_default();
    let (main, qualifiers) = match purl.split_once('?') {
        Some((m, q)) => (m, q),
        None => (purl, ""),
    };
    let qualifiers = qualifiers
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
        .collect();
    // The version follows the last `@` that no `/` follows (an npm scope's
    // `@` is followed by one).
    match main.rfind('@').filter(|&i| !main[i..].contains('/')) {
        Some(i) => (
            main[..i].to_string(),
            Some(main[i + 1..].to_string()),
            qualifiers,
        ),
        None => (main.to_string(), None, qualifiers),
    }
}

impl PurlGlob {
    fn new(text: &str) -> Result<PurlGlob, String> {
        if !text.starts_with("pkg:") {
            return Err(format!(
                "`purl: {text}` is not a package URL (pkg:TYPE/NAME...)"
            ));
        }
        let (base, version, qualifiers) = split_purl(text);
        let compile = |p: &str| {
            Glob::new(p)
                .map(|g| g.compile_matcher())
                .map_err(|e| format!("bad purl glob `{text}`: {e}"))
        };
        Ok(PurlGlob {
            text: text.to_string(),
            base: compile(&base)?,
            version: version.as_deref().map(compile).transpose()?,
            qualifiers,
        })
    }

    fn matches(&self, purl: &str) -> bool {
        let (base, version, qualifiers) = split_purl(purl);
        self.base.is_match(&base)
            && match (&self.version, version) {
                (None, _) => true,
                (Some(g), Some(v)) => g.is_match(&v),
                (Some(_), None) => false,
            }
            && self.qualifiers.iter().all(|q| qualifiers.contains(q))
    }
}

impl Entry {
    /// Whether this entry names the finding (every key given matches).
    pub fn matches(&self, f: &Finding) -> bool {
        self.id.as_ref().is_none_or(|id| {
            f.id.eq_ignore_ascii_case(id) || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
        }) && self
            .purl
            .as_ref()
            .is_none_or(|g| f.package.as_ref().is_some_and(|p| g.matches(&p.purl)))
            && self
                .path
                .as_ref()
                .is_none_or(|(_, g)| g.is_match(&f.location.path))
    }

    /// A short description for messages: its keys as written.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(id) = &self.id {
            parts.push(format!("id: {id}"));
        }
        if let Some(p) = &self.purl {
            parts.push(format!("purl: {}", p.text));
        }
        if let Some((p, _)) = &self.path {
            parts.push(format!("path: {p}"));
        }
        parts.join(", ")
    }

    /// Whether the entry has expired on `today` (`YYYY-MM-DD`): it still
    /// applies on its `expires` day.
    pub fn expired(&self, today: &str) -> bool {
        self.expires.as_deref().is_some_and(|e| e < today)
    }
}

/// The 1-based lines where the list's items start, when the file writes
/// them in block style (`- ` at one indentation, `n` of them); the YAML
/// parser does not tell where each value was.
fn item_lines(text: &str, n: usize) -> Option<Vec<usize>> {
    let mut indent = None;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if !(trimmed.starts_with("- ") || trimmed == "-") {
            continue;
        }
        let ind = line.len() - trimmed.len();
        if *indent.get_or_insert(ind) == ind {
            out.push(i + 1);
        }
    }
    (out.len() == n).then_some(out)
}

/// An ignore file, read.
#[derive(Debug)]
pub struct IgnoreFile {
    path: PathBuf,
    entries: Vec<Entry>,
}

/// An entry that has expired, for the warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    /// The ignore file.
    pub file: PathBuf,
    /// The entry's 1-based position in the file's list.
    pub index: usize,
    /// Its keys ([`Entry::describe`]).
    pub entry: String,
    /// Its `expires` date.
    pub expires: String,
    /// How many findings it would have hidden.
    pub findings: usize,
}

impl IgnoreFile {
    /// Reads an ignore file. A malformed one is an error naming the file
    /// and line.
    pub fn load(path: &Path) -> Result<IgnoreFile, PolicyError> {
        let text = read_text(path)?;
        IgnoreFile::parse(path, &text)
    }

    /// Reads ignore-file text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<IgnoreFile, PolicyError> {
        if text.trim().is_empty() {
            return Ok(IgnoreFile {
                path: path.to_path_buf(),
                entries: Vec::new(),
            });
        }
        let raw: RawFile = serde_yaml_ng::from_str(text).map_err(|e| {
            let line = e.location().map(|l| l.line());
            // The message repeats the position; keep only the text.
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            PolicyError::invalid(path, line, msg)
        })?;
        let lines = item_lines(text, raw.ignore.len());
        let entries = raw
            .ignore
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let what =
                    e.id.as_deref()
                        .or(e.purl.as_deref())
                        .or(e.path.as_deref())
                        .map(|w| format!(" (`{w}`)"))
                        .unwrap_or_default();
                Entry::try_from(e).map_err(|msg| {
                    PolicyError::invalid(
                        path,
                        lines.as_ref().map(|l| l[i]),
                        format!("entry {}{what} {msg}", i + 1),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(IgnoreFile {
            path: path.to_path_buf(),
            entries,
        })
    }

    /// The entries, in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Suppresses the findings an unexpired entry names (the first such
    /// entry gives the reason); findings already suppressed are left
    /// alone. Returns the expired entries, with how many findings each
    /// would have hidden.
    pub fn apply(&self, findings: &mut [Finding], today: &str) -> Vec<Expired> {
        let mut expired: Vec<Expired> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.expired(today))
            .map(|(i, e)| Expired {
                file: self.path.clone(),
                index: i + 1,
                entry: e.describe(),
                expires: e.expires.clone().unwrap_or_default(),
                findings: 0,
            })
            .collect();
        for f in findings.iter_mut().filter(|f| f.suppression.is_none()) {
            let mut hit = None;
            for (i, e) in self.entries.iter().enumerate() {
                if !e.matches(f) {
                    continue;
                }
                if e.expired(today) {
                    if let Some(x) = expired.iter_mut().find(|x| x.index == i + 1) {
                        x.findings += 1;
                    }
                } else if hit.is_none() {
                    hit = Some(e);
                }
            }
            if let Some(e) = hit {
                f.suppression = Some(Suppression {
                    kind: SuppressionKind::Ignore,
                    source: self.path.display().to_string(),
                    reason: Some(e.reason.clone()),
                    vex_status: None,
                    justification: None,
                    expires: e.expires.clone(),
                });
            }
        }
        expired
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testutil::finding;

    fn testdata(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/ignore")
            .join(name)
    }

    #[test]
    fn entries_by_id_alias_purl_and_path() {
        let file = IgnoreFile::load(&testdata("valid.yaml")).unwrap();
        assert_eq!(file.entries().len(), 5);
        let mut fs = vec![
            finding(
                "GHSA-35jh-r3h4-6jhm",
                &["CVE-2021-23337"],
                "pkg:npm/lodash@4.17.15",
                "web/package-lock.json",
            ),
            finding(
                "GHSA-xvch-5gv4-984h",
                &[],
                "pkg:npm/minimist@1.2.5",
                "web/package-lock.json",
            ),
            finding(
                "PYSEC-1",
                &[],
                "pkg:pypi/django@5.0.13",
                "test/fixtures/requirements.txt",
            ),
            finding("PYSEC-2", &[], "pkg:pypi/django@5.0.13", "requirements.txt"),
            finding(
                "RUSTSEC-2021-0003",
                &[],
                "pkg:cargo/smallvec@1.6.0",
                "Cargo.lock",
            ),
            finding(
                "GO-1",
                &["CVE-2099-1"],
                "pkg:golang/golang.org/x/text@v0.3.7",
                "go.mod",
            ),
        ];
        let expired = file.apply(&mut fs, "2025-06-01");
        let reasons: Vec<Option<&str>> = fs
            .iter()
            .map(|f| f.suppression.as_ref().and_then(|s| s.reason.as_deref()))
            .collect();
        assert_eq!(
            reasons,
            [
                Some("template() never sees user input"),
                Some("dev-only tool, pinned in CI"),
                Some("fixtures, never deployed"),
                None,
                None,
                None,
            ]
        );
        let s = fs[0].suppression.as_ref().unwrap();
        assert_eq!(s.kind, SuppressionKind::Ignore);
        assert_eq!(s.expires.as_deref(), Some("2099-12-31"));
        assert!(s.source.ends_with("valid.yaml"));
        // The smallvec entry expired and says so, with what it would hide.
        assert_eq!(
            expired,
            [Expired {
                file: testdata("valid.yaml"),
                index: 4,
                entry: "id: RUSTSEC-2021-0003".into(),
                expires: "2020-01-01".into(),
                findings: 1,
            }]
        );
        // On its expiry day an entry still applies.
        let mut fs = vec![finding(
            "RUSTSEC-2021-0003",
            &[],
            "pkg:cargo/smallvec@1.6.0",
            "Cargo.lock",
        )];
        assert!(file.apply(&mut fs, "2020-01-01").is_empty());
        assert!(fs[0].suppression.is_some());
    }

    #[test]
    fn purl_globs() {
        let g = PurlGlob::new("pkg:npm/lodash").unwrap();
        assert!(g.matches("pkg:npm/lodash@4.17.15"));
        assert!(!g.matches("pkg:npm/lodash-es@4.17.15"));
        let g = PurlGlob::new("pkg:npm/lodash@4.17.*").unwrap();
        assert!(g.matches("pkg:npm/lodash@4.17.15"));
        assert!(!g.matches("pkg:npm/lodash@3.0.0"));
        let g = PurlGlob::new("pkg:npm/@babel/*").unwrap();
        assert!(g.matches("pkg:npm/%40babel/core@7.1.0"));
        let g = PurlGlob::new("pkg:deb/debian/*?arch=amd64").unwrap();
        assert!(g.matches("pkg:deb/debian/openssl@3.0?arch=amd64&distro=debian-12"));
        assert!(!g.matches("pkg:deb/debian/openssl@3.0?arch=arm64"));
        assert!(PurlGlob::new("lodash").is_err());
    }

    #[test]
    fn malformed_files_name_file_and_line() {
        for (name, line, text) in [
            (
                "no-reason.yaml",
                4,
                "entry 2 (`CVE-2020-8203`) has no `reason`",
            ),
            (
                "bad-date.yaml",
                4,
                "entry 2 (`CVE-2020-8203`) `expires: 2026-13-01` is not a date",
            ),
            ("no-key.yaml", 4, "needs `id`, `purl` or `path`"),
            ("unknown-key.yaml", 3, "unknown field `package`"),
            ("not-yaml.yaml", 3, ""),
        ] {
            let err = IgnoreFile::load(&testdata(name)).unwrap_err().to_string();
            assert!(
                err.contains(&format!("{name}:{line}: ")) && err.contains(text),
                "{name}: {err}"
            );
        }
        assert!(IgnoreFile::load(&testdata("absent.yaml"))
            .unwrap_err()
            .to_string()
            .contains("absent.yaml"));
    }
}
