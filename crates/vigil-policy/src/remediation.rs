//! Remediation advice: for each vulnerable package, the smallest version
//! that fixes its open findings, and the dependency paths that introduced
//! it.
//!
//! The fixed version is found by asking the matcher again: the candidates
//! are the fixed versions the findings name, in the ecosystem's order,
//! above the installed one; the first candidate that none of the fixable
//! findings affects any more (same fingerprint) is the answer. So a
//! version that fixes one advisory but sits in another's affected range
//! is never proposed.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use vigil_model::{Component, Ecosystem, Finding, FindingKind, Remediation};
use vigil_versions::{Scheme, Version};

/// How many candidate versions are tried per package at most.
const MAX_ROUNDS: usize = 64;
/// How many introduction paths are kept per package.
const MAX_PATHS: usize = 3;

/// One vulnerable package at one location, and its open findings.
struct Group<'a> {
    ecosystem: Ecosystem,
    name: &'a str,
    version: &'a str,
    path: &'a str,
    findings: Vec<&'a Finding>,
    component: Option<&'a Component>,
    /// Candidate versions, smallest first.
    candidates: Vec<Version>,
}

/// Whether a finding still needs fixing: a vulnerability, neither
/// suppressed nor informational.
pub fn is_open_vulnerability(f: &Finding) -> bool {
    f.kind == FindingKind::Vulnerability && f.suppression.is_none() && f.informational.is_none()
}

/// Plans the remediation of every package with open vulnerabilities.
/// `rematch` matches components against the same advisories the findings
/// came from (the candidates are components at another version).
pub fn plan(
    components: &[Component],
    findings: &[Finding],
    rematch: impl Fn(&[Component]) -> Vec<Finding>,
) -> Vec<Remediation> {
    let begun = std::time::Instant::now();
    let mut groups: BTreeMap<(Ecosystem, &str, &str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in findings.iter().filter(|f| is_open_vulnerability(f)) {
        let Some(p) = &f.package else { continue };
        groups
            .entry((p.ecosystem, &p.name, &p.version, &f.location.path))
            .or_default()
            .push(f);
    }
    if groups.is_empty() {
        return Vec::new();
    }
    // Only the components of vulnerable packages, and the files they are
    // in, are looked at again.
    let wanted: HashSet<(Ecosystem, &str, &str)> =
        groups.keys().map(|(e, n, v, _)| (*e, *n, *v)).collect();
    let files: HashSet<&str> = groups.keys().map(|(_, _, _, p)| *p).collect();
    let mut by_key: HashMap<(Ecosystem, &str, &str), Vec<&Component>> = HashMap::new();
    for c in components {
        let key = (c.ecosystem, c.name.as_str(), c.version.as_str());
        if wanted.contains(&key) {
            by_key.entry(key).or_default().push(c);
        }
    }
    let mut groups: Vec<Group> = groups
        .into_iter()
        .map(|((ecosystem, name, version, path), findings)| {
            let component = by_key
                .get(&(ecosystem, name, version))
                .and_then(|cs| {
                    cs.iter()
                        .find(|c| c.locations.iter().any(|l| l.path == path))
                        .or(cs.first())
                })
                .copied();
            let candidates = candidates(ecosystem, component, &findings);
            Group {
                ecosystem,
                name,
                version,
                path,
                findings,
                component,
                candidates,
            }
        })
        .collect();

    tracing::debug!(elapsed = ?begun.elapsed(), "remediation: groups and candidates");
    let started = std::time::Instant::now();
    // Round by round, one candidate per unresolved package, all matched in
    // one call.
    let mut chosen: Vec<Option<usize>> = vec![None; groups.len()];
    for round in 0..MAX_ROUNDS {
        let mut batch = Vec::new();
        let mut who = Vec::new();
        for (i, g) in groups.iter().enumerate() {
            if chosen[i].is_some() || !g.findings.iter().any(|f| f.fix_available) {
                continue;
            }
            let (Some(c), Some(v)) = (g.component, g.candidates.get(round)) else {
                continue;
            };
            batch.push(at_version(c, v.as_str(), g.path));
            who.push(i);
        }
        if batch.is_empty() {
            break;
        }
        let still: BTreeSet<String> = rematch(&batch)
            .into_iter()
            .map(|f| f.fingerprint.0)
            .collect();
        for i in who {
            let g = &groups[i];
            let fixed_all = g
                .findings
                .iter()
                .filter(|f| f.fix_available)
                .all(|f| !still.contains(&f.fingerprint.0));
            if fixed_all {
                chosen[i] = Some(round);
            }
        }
    }

    tracing::debug!(elapsed = ?started.elapsed(), "remediation: candidates matched");
    let mut paths = PathFinder::new(components, &files);
    tracing::debug!(elapsed = ?started.elapsed(), "remediation: dependency graph built");
    let planned: Vec<Remediation> = groups
        .iter_mut()
        .zip(chosen)
        .map(|(g, chosen)| {
            let mut resolves = BTreeSet::new();
            let mut unresolved = BTreeSet::new();
            for f in &g.findings {
                if chosen.is_some() && f.fix_available {
                    resolves.insert(f.id.clone());
                } else {
                    unresolved.insert(f.id.clone());
                }
            }
            Remediation {
                ecosystem: g.ecosystem,
                name: g.name.to_string(),
                version: g.version.to_string(),
                path: g.path.to_string(),
                fixed_version: chosen.map(|r| g.candidates[r].as_str().to_string()),
                resolves: resolves.into_iter().collect(),
                unresolved: unresolved.into_iter().collect(),
                introduced_via: paths.via(g.path, g.ecosystem, g.name),
            }
        })
        .collect();
    tracing::debug!(elapsed = ?started.elapsed(), "remediation: paths found");
    planned
}

/// The fixed versions the findings name, above the installed version, in
/// the ecosystem's order.
fn candidates(
    ecosystem: Ecosystem,
    component: Option<&Component>,
    findings: &[&Finding],
) -> Vec<Version> {
    let (Some(scheme), Some(c)) = (Scheme::for_ecosystem(ecosystem), component) else {
        return Vec::new();
    };
    let Ok(installed) = scheme.parse(c.advisory_key().1) else {
        return Vec::new();
    };
    let mut out: Vec<Version> = findings
        .iter()
        .flat_map(|f| f.fixed_versions.iter())
        .filter_map(|v| scheme.parse(v).ok())
        .filter(|v| *v > installed)
        .collect();
    out.sort();
    out.dedup_by(|a, b| a == b);
    out
}

/// The component at another version, declared only at `path`.
fn at_version(c: &Component, version: &str, path: &str) -> Component {
    let mut out = c.clone();
    match &mut out.source {
        // Advisories that name source packages compare the source version.
        Some(src) if c.ecosystem.advisories_name_source_packages() => {
            src.version = Some(version.to_string());
        }
        _ => out.version = version.to_string(),
    }
    out.locations.retain(|l| l.path == path);
    out
}

/// Shortest dependency paths within one file, from its direct
/// dependencies.
struct PathFinder<'a> {
    /// Per file: the components declared there, by normalized name.
    files: BTreeMap<&'a str, BTreeMap<String, Vec<&'a Component>>>,
}

impl<'a> PathFinder<'a> {
    /// The dependency graphs of the files `wanted` names.
    fn new(components: &'a [Component], wanted: &HashSet<&str>) -> Self {
        let mut files: BTreeMap<&str, BTreeMap<String, Vec<&Component>>> = BTreeMap::new();
        for c in components {
            for l in c
                .locations
                .iter()
                .filter(|l| wanted.contains(l.path.as_str()))
            {
                files
                    .entry(l.path.as_str())
                    .or_default()
                    .entry(c.ecosystem.normalize_name(&c.name))
                    .or_default()
                    .push(c);
            }
        }
        PathFinder { files }
    }

    /// Up to [`MAX_PATHS`] shortest paths from a direct dependency declared
    /// in `path` to the package `name`: breadth-first over the
    /// dependencies, keeping every shortest predecessor.
    fn via(&mut self, path: &str, ecosystem: Ecosystem, name: &str) -> Vec<Vec<String>> {
        let Some(nodes) = self.files.get(path) else {
            return Vec::new();
        };
        let target = ecosystem.normalize_name(name);
        // A direct dependency is its own path.
        if let Some(c) = nodes
            .get(&target)
            .and_then(|cs| cs.iter().find(|c| c.direct == Some(true)))
        {
            return vec![vec![c.name.clone()]];
        }
        let display = |key: &str| {
            nodes
                .get(key)
                .and_then(|cs| cs.first())
                .map(|c| c.name.clone())
                .unwrap_or_else(|| key.to_string())
        };
        let mut starts: Vec<&String> = nodes
            .iter()
            .filter(|(_, cs)| cs.iter().any(|c| c.direct == Some(true)))
            .map(|(k, _)| k)
            .collect();
        starts.sort();
        if starts.iter().any(|s| **s == target) {
            return vec![vec![display(&target)]];
        }
        // Breadth-first from all direct dependencies at once.
        let mut depth: BTreeMap<String, usize> = BTreeMap::new();
        let mut preds: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut queue = VecDeque::new();
        for s in &starts {
            depth.insert((*s).clone(), 0);
            queue.push_back((*s).clone());
        }
        while let Some(node) = queue.pop_front() {
            let d = depth[&node];
            if depth.get(&target).is_some_and(|&t| d >= t) {
                break;
            }
            let mut deps: Vec<String> = nodes
                .get(&node)
                .into_iter()
                .flatten()
                .flat_map(|c| c.dependencies.iter())
                .map(|n| ecosystem.normalize_name(n))
                .filter(|n| nodes.contains_key(n))
                .collect();
            deps.sort();
            deps.dedup();
            for dep in deps {
                match depth.get(&dep) {
                    None => {
                        depth.insert(dep.clone(), d + 1);
                        preds.entry(dep.clone()).or_default().push(node.clone());
                        queue.push_back(dep);
                    }
                    Some(&dd) if dd == d + 1 => {
                        preds.entry(dep).or_default().push(node.clone());
                    }
                    Some(_) => {}
                }
            }
        }
        if !depth.contains_key(&target) {
            return Vec::new();
        }
        // Walk back from the target, every shortest predecessor, up to the
        // limit.
        let mut out = Vec::new();
        let mut stack = vec![vec![target.clone()]];
        while let Some(partial) = stack.pop() {
            if out.len() >= MAX_PATHS {
                break;
            }
            let Some(head) = partial.last() else { continue };
            if depth.get(head) == Some(&0) {
                out.push(partial.iter().rev().map(|k| display(k)).collect());
                continue;
            }
            let mut ps = preds.get(head).cloned().unwrap_or_default();
            ps.sort();
            for p in ps.into_iter().rev() {
                let mut next = partial.clone();
                next.push(p);
                stack.push(next);
            }
        }
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testutil::finding;

    fn vuln(id: &str, version: &str, fixed: &[&str]) -> Finding {
        let mut f = finding(
            id,
            &[],
            &format!("pkg:npm/lib@{version}"),
            "package-lock.json",
        );
        f.fixed_versions = fixed.iter().map(|s| s.to_string()).collect();
        f.fix_available = !fixed.is_empty();
        f
    }

    /// A stand-in for the matcher: A is fixed in 1.2.0 and 2.0.0 (1.3 to
    /// 1.9 affected again), B in 1.3.0.
    fn rematch(cs: &[Component]) -> Vec<Finding> {
        let mut out = Vec::new();
        for c in cs {
            let v = Scheme::Semver.parse(&c.version).unwrap();
            let between = |a: &str, b: &str| {
                v >= Scheme::Semver.parse(a).unwrap() && v < Scheme::Semver.parse(b).unwrap()
            };
            if between("1.0.0", "1.2.0") || between("1.3.0", "2.0.0") {
                out.push(vuln("A", &c.version, &[]));
            }
            if between("1.0.0", "1.3.0") {
                out.push(vuln("B", &c.version, &[]));
            }
        }
        out
    }

    fn graph() -> Vec<Component> {
        let at = |name: &str, version: &str| {
            Component::new(Ecosystem::Npm, name, version).at("package-lock.json", None)
        };
        vec![
            at("app-a", "1.0.0").direct(Some(true)).depends_on(["mid"]),
            at("app-b", "1.0.0")
                .direct(Some(true))
                .depends_on(["mid", "other"]),
            at("other", "1.0.0").depends_on(["lib"]),
            at("mid", "1.0.0").depends_on(["lib"]),
            at("lib", "1.1.0"),
            at("direct-lib", "1.0.0").direct(Some(true)),
        ]
    }

    #[test]
    fn smallest_version_fixing_everything() {
        let findings = vec![
            vuln("A", "1.1.0", &["1.2.0", "2.0.0"]),
            vuln("B", "1.1.0", &["1.3.0"]),
        ];
        let plan = plan(&graph(), &findings, rematch);
        assert_eq!(plan.len(), 1);
        let r = &plan[0];
        // 1.2.0 leaves B, 1.3.0 is affected by A again.
        assert_eq!(r.fixed_version.as_deref(), Some("2.0.0"));
        assert_eq!(r.resolves, ["A", "B"]);
        assert!(r.unresolved.is_empty());
        assert_eq!(
            r.introduced_via,
            [
                vec!["app-a", "mid", "lib"],
                vec!["app-b", "mid", "lib"],
                vec!["app-b", "other", "lib"],
            ]
        );
    }

    #[test]
    fn findings_without_a_fix_are_unresolved() {
        let mut findings = vec![vuln("B", "1.1.0", &["1.3.0"]), vuln("C", "1.1.0", &[])];
        let plan_ = plan(&graph(), &findings, rematch);
        assert_eq!(plan_[0].fixed_version.as_deref(), Some("1.3.0"));
        assert_eq!(plan_[0].resolves, ["B"]);
        assert_eq!(plan_[0].unresolved, ["C"]);
        // Nothing fixable: no version.
        findings.remove(0);
        let plan_ = plan(&graph(), &findings, rematch);
        assert_eq!(plan_[0].fixed_version, None);
        assert_eq!(plan_[0].unresolved, ["C"]);
        // Suppressed and informational findings need no fix.
        findings[0].informational = Some("unmaintained".into());
        assert!(plan(&graph(), &findings, rematch).is_empty());
    }

    #[test]
    fn direct_packages_and_unknown_graphs() {
        let files: HashSet<&str> = ["package-lock.json", "other.json"].into_iter().collect();
        let mut pf = PathFinder::new(&[], &files);
        assert!(pf
            .via("package-lock.json", Ecosystem::Npm, "lib")
            .is_empty());
        let comps = graph();
        let mut pf = PathFinder::new(&comps, &files);
        assert_eq!(
            pf.via("package-lock.json", Ecosystem::Npm, "direct-lib"),
            [vec!["direct-lib"]]
        );
        assert!(pf.via("other.json", Ecosystem::Npm, "lib").is_empty());
    }
}
