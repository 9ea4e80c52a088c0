//! The rule catalogue: built-in TOML files (`rules/*.toml`, embedded) and
//! user files in the same format (docs/secrets.md).

use std::path::Path;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use regex::bytes::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use vigil_model::Severity;

/// The built-in rule files: (name, text).
pub const BUILTIN: &[(&str, &str)] = &[
    ("cloud.toml", include_str!("../rules/cloud.toml")),
    ("vcs.toml", include_str!("../rules/vcs.toml")),
    ("saas.toml", include_str!("../rules/saas.toml")),
    ("keys.toml", include_str!("../rules/keys.toml")),
    ("database.toml", include_str!("../rules/database.toml")),
    ("generic.toml", include_str!("../rules/generic.toml")),
];

/// The largest compiled program one rule's regex may take.
const REGEX_SIZE_LIMIT: usize = 4 * 1024 * 1024;

/// A rule file or rule that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{file}{}: {message}", rule.as_ref().map(|r| format!(": rule `{r}`")).unwrap_or_default())]
pub struct RulesError {
    /// The file (`builtin:cloud.toml` for a built-in one).
    pub file: String,
    /// The rule's ID, when the problem is in one rule.
    pub rule: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl RulesError {
    fn new(file: &str, rule: Option<&str>, message: impl Into<String>) -> Self {
        RulesError {
            file: file.to_string(),
            rule: rule.map(str::to_string),
            message: message.into(),
        }
    }
}

/// A checksum a token format carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Checksum {
    /// GitHub's tokens: CRC-32 of the random part, base62, in the last six
    /// characters (`github-crc32`).
    #[serde(rename = "github-crc32")]
    GithubCrc32,
}

impl Checksum {
    fn from_name(name: &str) -> Option<Checksum> {
        match name {
            "github-crc32" => Some(Checksum::GithubCrc32),
            _ => None,
        }
    }
}

/// A file of rules as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RawRule>,
    #[serde(default)]
    allowlist: RawAllow,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    remediation: Option<String>,
    severity: String,
    #[serde(default)]
    keywords: Vec<String>,
    regex: String,
    #[serde(default)]
    secret_group: Option<usize>,
    #[serde(default)]
    entropy: Option<f64>,
    #[serde(default)]
    checksum: Option<String>,
    #[serde(default)]
    fallback: bool,
    #[serde(default)]
    binary: bool,
    #[serde(default)]
    allow: RawAllow,
    #[serde(default)]
    examples: Examples,
    /// Reserved for a later verifier (how to check a secret against its
    /// service); read and kept, unused.
    #[serde(default)]
    verify: Option<toml::Table>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    context: Vec<String>,
}

/// A rule's examples: texts it must find a secret in, and texts no rule
/// may find one in. The catalogue test runs them.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Texts holding a secret this rule finds.
    #[serde(rename = "true", default)]
    pub positive: Vec<String>,
    /// Texts in which no rule finds a secret.
    #[serde(rename = "false", default)]
    pub negative: Vec<String>,
}

/// What an allowlist lets pass: secrets matching a regex or holding a
/// stop-word, and files whose path matches a glob.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    /// Regexes over the secret.
    pub regexes: Vec<Regex>,
    /// Lower-case words; a secret holding one (in any case) is let pass.
    pub stopwords: Vec<String>,
    /// Regexes over the whole match (the secret and its surroundings the
    /// rule's regex matched: a URL's host, a key name).
    pub context: Vec<Regex>,
    /// The path globs, as written.
    pub path_globs: Vec<String>,
    paths: GlobSet,
}

impl Allowlist {
    fn build(file: &str, rule: Option<&str>, raw: RawAllow) -> Result<Allowlist, RulesError> {
        let regexes = raw
            .regexes
            .iter()
            .map(|r| {
                compile(r).map_err(|e| RulesError::new(file, rule, format!("allow regex: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let paths = globs(&raw.paths).map_err(|e| RulesError::new(file, rule, e))?;
        let context = raw
            .context
            .iter()
            .map(|r| {
                compile(r)
                    .map_err(|e| RulesError::new(file, rule, format!("allow context regex: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Allowlist {
            regexes,
            context,
            stopwords: raw
                .stopwords
                .iter()
                .map(|s| s.to_ascii_lowercase())
                .collect(),
            path_globs: raw.paths,
            paths,
        })
    }

    /// Whether the path (relative, `/`-separated) is allowed.
    pub fn allows_path(&self, rel: &str) -> bool {
        !self.path_globs.is_empty() && self.paths.is_match(rel)
    }

    /// Whether the secret is allowed (by a regex or a stop-word).
    pub fn allows_secret(&self, secret: &[u8]) -> bool {
        self.regexes.iter().any(|r| r.is_match(secret))
            || (!self.stopwords.is_empty() && {
                let lower = secret.to_ascii_lowercase();
                self.stopwords
                    .iter()
                    .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
            })
    }

    /// Recompiles the path globs after `path_globs` changed.
    pub(crate) fn rebuild_paths(&mut self) -> Result<(), String> {
        self.paths = globs(&self.path_globs)?;
        Ok(())
    }

    /// Whether the whole match is allowed (by a context regex).
    pub fn allows_context(&self, whole: &[u8]) -> bool {
        self.context.iter().any(|r| r.is_match(whole))
    }

    fn extend(&mut self, file: &str, other: RawAllow) -> Result<(), RulesError> {
        let other = Allowlist::build(file, None, other)?;
        self.regexes.extend(other.regexes);
        self.context.extend(other.context);
        self.stopwords.extend(other.stopwords);
        self.path_globs.extend(other.path_globs);
        self.rebuild_paths()
            .map_err(|e| RulesError::new(file, None, e))
    }
}

fn globs(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let g = GlobBuilder::new(p)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("path glob `{p}`: {e}"))?;
        b.add(g);
    }
    b.build().map_err(|e| e.to_string())
}

fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
}

/// One rule, compiled.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// Its stable ID (`github-pat-classic`).
    pub id: String,
    /// A one-line title.
    pub title: String,
    /// What it finds and why it matters.
    pub description: String,
    /// How to fix a finding.
    pub remediation: String,
    /// The severity of its findings.
    pub severity: Severity,
    /// Lower-case words, one of which must occur (in any case) near a
    /// secret for the regex to run.
    pub keywords: Vec<String>,
    /// The regex as written.
    pub regex_source: String,
    /// The regex.
    #[serde(skip)]
    pub regex: Regex,
    /// The capture group that is the secret; `None`: the first group that
    /// took part in the match (the whole match when there is no group).
    pub secret_group: Option<usize>,
    /// The least Shannon entropy (bits per byte) of a secret.
    pub entropy: Option<f64>,
    /// The checksum its secrets carry.
    pub checksum: Option<Checksum>,
    /// A generic rule: its finding is dropped when a specific rule's
    /// finding overlaps it.
    pub fallback: bool,
    /// A rule for binary files (keystores): no keywords; its regex runs on
    /// the first 8 KiB of files that are binary, and its examples are hex
    /// (`hex:3082...`).
    pub binary: bool,
    /// The rule's own allowlist.
    #[serde(skip)]
    pub allow: Allowlist,
    /// Its examples.
    pub examples: Examples,
    /// Reserved for a verifier.
    #[serde(skip)]
    pub verify: Option<toml::Table>,
    /// Where it comes from (`builtin:cloud.toml` or the user file).
    pub source: String,
}

/// The default remediation of a secret finding.
pub const REMEDIATION: &str =
    "Revoke the credential at its issuer and issue a new one (treat it as \
leaked: it stays in the history of every copy of the file), then load it at run time from a secret \
store or the environment instead of writing it in the file.";

/// The rules and the global allowlist.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    /// What every rule lets pass.
    pub allow: Allowlist,
}

impl RuleSet {
    /// The built-in rules and the default global allowlist.
    pub fn builtin() -> Result<RuleSet, RulesError> {
        let mut set = RuleSet {
            rules: Vec::new(),
            allow: crate::allow::default_allowlist()
                .map_err(|e| RulesError::new("builtin", None, e))?,
        };
        for (name, text) in BUILTIN {
            set.add_text(&format!("builtin:{name}"), text)?;
        }
        Ok(set)
    }

    /// The built-in rules plus those of the user files: a user rule with a
    /// built-in rule's ID replaces it; a file's `[allowlist]` extends the
    /// global one.
    pub fn load(files: &[impl AsRef<Path>]) -> Result<RuleSet, RulesError> {
        let mut set = RuleSet::builtin()?;
        for f in files {
            let f = f.as_ref();
            let name = f.display().to_string();
            let text = fs_err::read_to_string(f)
                .map_err(|e| RulesError::new(&name, None, e.to_string()))?;
            set.add_text(&name, &text)?;
        }
        Ok(set)
    }

    /// Adds the rules of one file's text (`file` names it in errors).
    pub fn add_text(&mut self, file: &str, text: &str) -> Result<(), RulesError> {
        let parsed: RuleFile =
            toml::from_str(text).map_err(|e| RulesError::new(file, None, e.to_string()))?;
        self.allow.extend(file, parsed.allowlist)?;
        let mut seen = std::collections::HashSet::new();
        for raw in parsed.rule {
            let rule = build(file, raw)?;
            if !seen.insert(rule.id.clone()) {
                return Err(RulesError::new(file, Some(&rule.id), "ID used twice"));
            }
            match self.rules.iter_mut().find(|r| r.id == rule.id) {
                Some(r) if !file.starts_with("builtin:") => *r = rule,
                Some(_) => {
                    return Err(RulesError::new(
                        file,
                        Some(&rule.id),
                        "ID used by another built-in rule",
                    ))
                }
                None => self.rules.push(rule),
            }
        }
        Ok(())
    }

    /// An empty allowlist.
    pub(crate) fn empty_allow() -> Allowlist {
        Allowlist::default()
    }

    /// The rules.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule of an ID.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 80
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn build(file: &str, raw: RawRule) -> Result<Rule, RulesError> {
    let id = raw.id.clone();
    let err = |m: String| RulesError::new(file, Some(&id), m);
    if !valid_id(&raw.id) {
        return Err(err(
            "IDs are letters, digits, `-`, `_` and `.` (at most 80)".to_string(),
        ));
    }
    let severity: Severity = raw.severity.parse().map_err(|_| {
        err(format!(
            "severity `{}`: not CRITICAL, HIGH, MEDIUM or LOW",
            raw.severity
        ))
    })?;
    if raw.binary && !raw.keywords.is_empty() {
        return Err(err(
            "a binary rule has no keywords (its regex runs on the first 8 KiB of binary files)"
                .into(),
        ));
    }
    if !raw.binary && raw.keywords.is_empty() {
        return Err(err(
            "needs at least one keyword (the prefilter runs a rule only near one)".into(),
        ));
    }
    for k in &raw.keywords {
        if k.is_empty() || *k != k.to_ascii_lowercase() {
            return Err(err(format!(
                "keyword `{k}`: keywords are non-empty and lower case"
            )));
        }
    }
    let regex = compile(&raw.regex).map_err(|e| err(format!("regex: {e}")))?;
    if let Some(g) = raw.secret_group {
        if g >= regex.captures_len() {
            return Err(err(format!(
                "secret_group {g}: the regex has {} groups",
                regex.captures_len() - 1
            )));
        }
    }
    if let Some(e) = raw.entropy {
        if !(0.0..=8.0).contains(&e) {
            return Err(err(format!(
                "entropy {e}: not between 0 and 8 bits per byte"
            )));
        }
    }
    let checksum = raw
        .checksum
        .as_deref()
        .map(|c| {
            Checksum::from_name(c)
                .ok_or_else(|| err(format!("checksum `{c}`: unknown (github-crc32)")))
        })
        .transpose()?;
    let allow = Allowlist::build(file, Some(&id), raw.allow)?;
    Ok(Rule {
        id: raw.id,
        title: raw.title,
        description: raw.description,
        remediation: raw.remediation.unwrap_or_else(|| REMEDIATION.to_string()),
        severity,
        keywords: raw.keywords,
        regex_source: raw.regex,
        regex,
        secret_group: raw.secret_group,
        entropy: raw.entropy,
        checksum,
        fallback: raw.fallback,
        binary: raw.binary,
        allow,
        examples: raw.examples,
        verify: raw.verify,
        source: file.to_string(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bad_rules_are_refused_with_file_and_rule() {
        let mut set = RuleSet::builtin().unwrap();
        let cases = [
            ("[[rule]]\nid = \"x\"\ntitle = \"t\"\nseverity = \"HIGH\"\nkeywords = []\nregex = 'a'\n", "at least one keyword"),
            ("[[rule]]\nid = \"x\"\ntitle = \"t\"\nseverity = \"HIGH\"\nkeywords = [\"A\"]\nregex = 'a'\n", "lower case"),
            ("[[rule]]\nid = \"x\"\ntitle = \"t\"\nseverity = \"HIGH\"\nkeywords = [\"a\"]\nregex = '('\n", "regex"),
            ("[[rule]]\nid = \"x\"\ntitle = \"t\"\nseverity = \"BAD\"\nkeywords = [\"a\"]\nregex = 'a'\n", "severity"),
            ("[[rule]]\nid = \"x\"\ntitle = \"t\"\nseverity = \"LOW\"\nkeywords = [\"a\"]\nregex = 'a'\nsecret_group = 2\n", "secret_group"),
            ("[[rule]]\nid = \"x\"\ntitle = \"t\"\nseverity = \"LOW\"\nkeywords = [\"a\"]\nregex = 'a'\nchecksum = \"luhn\"\n", "checksum"),
            ("[[rule]]\nid = \"x y\"\ntitle = \"t\"\nseverity = \"LOW\"\nkeywords = [\"a\"]\nregex = 'a'\n", "IDs are"),
            ("[[rule]]\nid = \"x\"\ntitle = \"t\"\nseverity = \"LOW\"\nkeywords = [\"a\"]\nregex = 'a'\nbogus = 1\n", "unknown field"),
        ];
        for (text, want) in cases {
            let e = set.add_text("user.toml", text).unwrap_err().to_string();
            assert!(e.starts_with("user.toml"), "{e}");
            assert!(e.contains(want), "{e} lacks {want}");
        }
    }

    #[test]
    fn a_user_rule_replaces_a_builtin_one_of_its_id() {
        let mut set = RuleSet::builtin().unwrap();
        let n = set.rules().len();
        set.add_text(
            "user.toml",
            "[[rule]]\nid = \"npm-access-token\"\ntitle = \"mine\"\nseverity = \"LOW\"\nkeywords = [\"npm_\"]\nregex = 'npm_[a-z]{5}'\n",
        )
        .unwrap();
        assert_eq!(set.rules().len(), n);
        assert_eq!(set.get("npm-access-token").unwrap().title, "mine");
    }
}
