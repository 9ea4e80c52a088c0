//! The license policy: `--deny-license` and `--allow-license` over the
//! components' declared licenses (SPDX expressions).
//!
//! A component's expression passes when some choice it offers avoids
//! every denied license (and, with an allow list, uses only allowed ones):
//! `MIT OR GPL-3.0-only` passes a policy denying `GPL-3.0-only`;
//! `MIT AND GPL-3.0-only` does not. `-or-later` on either side stands for
//! the versions of that family on the SPDX license list from that one on
//! (`GPL-2.0-or-later` passes a denial of `GPL-3.0-only` by choosing 2.0;
//! denying `AGPL-3.0-or-later` denies `AGPL-3.0-only`). `-only`, the
//! deprecated bare form (`GPL-3.0`) and `+` name the same license.
//! Exceptions (`WITH ...`) are not considered. A declared license that is
//! not an SPDX expression (free text) is not judged.

use std::collections::BTreeSet;

use spdx::{Expression, LicenseItem, LicenseReq, ParseMode};
use vigil_model::license::is_spdx_expression;
use vigil_model::{Component, Finding, FindingKind, Fingerprint, Location, PackageRef, Severity};

use crate::error::PolicyError;

/// One license as the policy compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    /// The identifier without `-only`, `-or-later` or `+`.
    base: String,
    /// The family (`GPL`, `Apache`) and version (`3.0`), when the
    /// identifier ends in a version.
    family: String,
    version: Option<Vec<u32>>,
    /// `-or-later` or `+`.
    or_later: bool,
}

/// A dotted version as numbers (`2.1` → `[2, 1]`); `None` for anything
/// else.
fn version_of(s: &str) -> Option<Vec<u32>> {
    if !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    s.split('.').map(|p| p.parse().ok()).collect()
}

impl Term {
    fn of_name(name: &str, or_later_flag: bool) -> Term {
        let (base, or_later) = if let Some(b) = name.strip_suffix("-or-later") {
            (b, true)
        } else if let Some(b) = name.strip_suffix('+') {
            (b, true)
        } else if let Some(b) = name.strip_suffix("-only") {
            (b, false)
        } else {
            (name, false)
        };
        let (family, version) = match base.rsplit_once('-') {
            Some((f, v)) if version_of(v).is_some() => (f.to_string(), version_of(v)),
            _ => (base.to_string(), None),
        };
        Term {
            base: base.to_string(),
            family,
            version,
            or_later: or_later || or_later_flag,
        }
    }

    fn of_req(req: &LicenseReq) -> Term {
        match &req.license {
            LicenseItem::Spdx { id, or_later } => Term::of_name(id.name, *or_later),
            other => Term::of_name(&other.to_string(), false),
        }
    }

    /// The licenses a holder of this term may pick: itself, and with
    /// `or_later` every later version of its family on the license list.
    fn choices(&self) -> Vec<Term> {
        let mut out = vec![Term {
            or_later: false,
            ..self.clone()
        }];
        if let (true, Some(v)) = (self.or_later, &self.version) {
            for l in spdx::identifiers::LICENSES {
                let t = Term::of_name(l.name, false);
                if t.family == self.family
                    && t.version.as_ref().is_some_and(|tv| tv > v)
                    && !out.iter().any(|o| o.base == t.base)
                {
                    out.push(Term {
                        or_later: false,
                        ..t
                    });
                }
            }
        }
        out
    }

    /// Whether the single license `license` is one this policy term names.
    fn covers(&self, license: &Term) -> bool {
        license.base == self.base
            || (self.or_later
                && license.family == self.family
                && matches!((&license.version, &self.version), (Some(l), Some(s)) if l >= s))
    }
}

/// A `--deny-license` / `--allow-license` policy.
#[derive(Debug, Clone, Default)]
pub struct LicensePolicy {
    deny: Vec<Term>,
    allow: Vec<Term>,
    /// The flags as given, for messages.
    deny_text: Vec<String>,
}

/// What checking the components found.
#[derive(Debug, Default)]
pub struct LicenseCheck {
    /// A license finding per component (and location) the policy denies.
    pub findings: Vec<Finding>,
    /// Components whose declared license is not an SPDX expression, so the
    /// policy could not judge it.
    pub not_evaluated: usize,
}

fn terms(flag: &'static str, exprs: &[String]) -> Result<Vec<Term>, PolicyError> {
    let mut out = Vec::new();
    for e in exprs {
        let parsed =
            Expression::parse_mode(e, ParseMode::LAX).map_err(|err| PolicyError::Flag {
                flag,
                value: e.clone(),
                message: format!("not an SPDX license expression: {err}"),
            })?;
        out.extend(parsed.requirements().map(|r| Term::of_req(&r.req)));
    }
    Ok(out)
}

impl LicensePolicy {
    /// A policy from the flags' values (SPDX identifiers or expressions;
    /// every license an expression names is denied, or allowed).
    pub fn new(deny: &[String], allow: &[String]) -> Result<LicensePolicy, PolicyError> {
        Ok(LicensePolicy {
            deny: terms("--deny-license", deny)?,
            allow: terms("--allow-license", allow)?,
            deny_text: deny.to_vec(),
        })
    }

    /// Whether the policy says nothing.
    pub fn is_empty(&self) -> bool {
        self.deny.is_empty() && self.allow.is_empty()
    }

    fn acceptable(&self, license: &Term) -> bool {
        !self.deny.iter().any(|d| d.covers(license))
            && (self.allow.is_empty() || self.allow.iter().any(|a| a.covers(license)))
    }

    /// The licenses of an SPDX expression that make it fail the policy,
    /// sorted; empty when some choice passes. `None` when `expr` is not an
    /// SPDX expression.
    pub fn violations(&self, expr: &str) -> Option<Vec<String>> {
        if !is_spdx_expression(expr) {
            return None;
        }
        let parsed = Expression::parse_mode(expr, ParseMode::LAX).ok()?;
        let ok = |req: &LicenseReq| {
            Term::of_req(req)
                .choices()
                .iter()
                .any(|c| self.acceptable(c))
        };
        if parsed.evaluate(ok) {
            return Some(Vec::new());
        }
        let bad: BTreeSet<String> = parsed
            .requirements()
            .filter(|r| !ok(&r.req))
            .map(|r| r.req.license.to_string())
            .collect();
        Some(bad.into_iter().collect())
    }

    /// Checks every component's declared license: a finding per component
    /// and location whose license fails the policy.
    pub fn check(&self, components: &[Component]) -> LicenseCheck {
        let mut out = LicenseCheck::default();
        if self.is_empty() {
            return out;
        }
        let mut seen = BTreeSet::new();
        for c in components {
            let Some(declared) = c.license.as_deref() else {
                continue;
            };
            let Some(bad) = self.violations(declared) else {
                out.not_evaluated += 1;
                continue;
            };
            if bad.is_empty() {
                continue;
            }
            let why = if self.deny.is_empty() {
                "not allowed by --allow-license".to_string()
            } else if bad
                .iter()
                .all(|b| self.deny.iter().any(|d| d.covers(&Term::of_name(b, false))))
            {
                format!("denied by --deny-license {}", self.deny_text.join(", "))
            } else {
                "denied by the license policy".to_string()
            };
            let locations: Vec<Location> = if c.locations.is_empty() {
                vec![Location::new("", None)]
            } else {
                c.locations.clone()
            };
            for location in locations {
                let fingerprint =
                    Fingerprint::license(declared, c.ecosystem, &c.name, &location.path);
                if !seen.insert(fingerprint.clone()) {
                    continue;
                }
                out.findings.push(Finding {
                    kind: FindingKind::License,
                    id: declared.to_string(),
                    aliases: Vec::new(),
                    title: format!("license {} {why}", bad.join(", ")),
                    severity: Severity::High,
                    cvss: None,
                    resource: None,
                    message: None,
                    package: Some(PackageRef {
                        ecosystem: c.ecosystem,
                        name: c.name.clone(),
                        version: c.version.clone(),
                        purl: c.purl.clone(),
                    }),
                    location,
                    fixed_versions: Vec::new(),
                    fix_available: false,
                    kev: false,
                    informational: None,
                    fingerprint,
                    published: None,
                    suppression: None,
                    help: None,
                    secret: None,
                    runtime: None,
                    vulnerable_code: None,
                    epss: None,
                    risk: None,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use vigil_model::Ecosystem;

    use super::*;

    fn policy(deny: &[&str], allow: &[&str]) -> LicensePolicy {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        LicensePolicy::new(&s(deny), &s(allow)).unwrap()
    }

    fn bad(p: &LicensePolicy, expr: &str) -> Vec<String> {
        p.violations(expr).unwrap()
    }

    #[test]
    fn a_choice_that_avoids_denied_licenses_passes() {
        let p = policy(&["GPL-3.0-only", "AGPL-3.0-or-later"], &[]);
        assert!(bad(&p, "MIT").is_empty());
        assert!(bad(&p, "MIT OR GPL-3.0-only").is_empty());
        assert_eq!(bad(&p, "MIT AND GPL-3.0-only"), ["GPL-3.0-only"]);
        assert_eq!(bad(&p, "GPL-3.0-only"), ["GPL-3.0-only"]);
        // The deprecated spelling and `-or-later` with nothing later.
        assert_eq!(bad(&p, "GPL-3.0"), ["GPL-3.0"]);
        assert_eq!(bad(&p, "GPL-3.0-or-later"), ["GPL-3.0-or-later"]);
        // GPL-2.0 may be chosen.
        assert!(bad(&p, "GPL-2.0-or-later").is_empty());
        assert!(bad(&p, "GPL-2.0-only").is_empty());
        assert_eq!(bad(&p, "AGPL-3.0-only"), ["AGPL-3.0-only"]);
        assert_eq!(
            bad(&p, "(AGPL-3.0-only OR GPL-3.0-only) AND MIT"),
            ["AGPL-3.0-only", "GPL-3.0-only"]
        );
        assert!(bad(&p, "LGPL-3.0-only").is_empty());
        assert_eq!(p.violations("Some Custom License"), None);
    }

    #[test]
    fn allow_lists() {
        let p = policy(&[], &["MIT", "Apache-2.0", "BSD-3-Clause"]);
        assert!(bad(&p, "MIT").is_empty());
        assert!(bad(&p, "Apache-2.0 OR GPL-2.0-only").is_empty());
        assert_eq!(bad(&p, "ISC"), ["ISC"]);
        assert_eq!(bad(&p, "MIT AND ISC"), ["ISC"]);
        let p = policy(&["MIT"], &["MIT OR Apache-2.0"]);
        assert_eq!(bad(&p, "MIT"), ["MIT"]);
        assert!(bad(&p, "Apache-2.0").is_empty());
    }

    #[test]
    fn bad_flags_are_named() {
        let err = LicensePolicy::new(&["MIT AND (".to_string()], &[]).unwrap_err();
        assert!(
            err.to_string().starts_with("--deny-license `MIT AND (`:"),
            "{err}"
        );
    }

    #[test]
    fn findings_per_component_and_location() {
        let p = policy(&["GPL-3.0-only"], &[]);
        let comps = vec![
            Component::new(Ecosystem::Npm, "gpl-lib", "1.0.0")
                .at("web/package-lock.json", None)
                .at("other/package-lock.json", Some(3))
                .license(Some("GPL-3.0-only".into())),
            Component::new(Ecosystem::Npm, "dual", "1.0.0")
                .at("web/package-lock.json", None)
                .license(Some("MIT OR GPL-3.0-only".into())),
            Component::new(Ecosystem::Npm, "free-text", "1.0.0")
                .at("web/package-lock.json", None)
                .license(Some("Custom".into())),
            Component::new(Ecosystem::Npm, "none", "1.0.0").at("web/package-lock.json", None),
        ];
        let check = p.check(&comps);
        assert_eq!(check.not_evaluated, 1);
        assert_eq!(check.findings.len(), 2);
        let f = &check.findings[0];
        assert_eq!(f.kind, FindingKind::License);
        assert_eq!(f.id, "GPL-3.0-only");
        assert_eq!(
            f.title,
            "license GPL-3.0-only denied by --deny-license GPL-3.0-only"
        );
        assert_eq!(f.location.path, "web/package-lock.json");
        assert_eq!(check.findings[1].location.line, Some(3));
        assert_ne!(f.fingerprint, check.findings[1].fingerprint);
        assert!(policy(&[], &[]).check(&comps).findings.is_empty());
    }
}
