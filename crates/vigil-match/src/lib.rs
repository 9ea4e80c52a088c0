//! Matching: components × advisories → findings.
//!
//! [`match_components`] decides, for every component, which OSV records
//! affect its exact version by the ecosystem's own version rules, merges
//! records that are aliases of each other into one finding, and fills in
//! severity, the fixes that apply, KEV membership and the fingerprint.
//!
//! Invariants:
//! - No I/O: everything needed arrives in an [`AdvisorySet`].
//! - A version that cannot be parsed never produces or hides a finding
//!   silently: the component is reported as not checked, with the reason.
//! - Withdrawn records never match; GIT ranges never match packages.
//! - Severity is never guessed: without a CVSS vector or a source rating
//!   it is `UNKNOWN`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::collections::{BTreeSet, HashMap, HashSet};

use rayon::prelude::*;
use vigil_advisories::osv::Vulnerability;
use vigil_advisories::AdvisorySet;
use vigil_model::{
    Component, Cvss, Diagnostic, Ecosystem, EcosystemName, Finding, FindingKind, Fingerprint,
    Level, Location, NotChecked, PackageRef, Severity,
};
use vigil_versions::{Range, Scheme, Version};

/// What matching found.
#[derive(Debug, Default)]
pub struct MatchOutput {
    /// Findings, in the order of the components (deterministic; reports
    /// sort them for display).
    pub findings: Vec<Finding>,
    /// Components whose version could not be read.
    pub not_checked: Vec<NotChecked>,
    /// Advisory data that could not be evaluated (a range with a version
    /// the ecosystem's rules reject), once per record.
    pub diagnostics: Vec<Diagnostic>,
}

/// One affected entry of a record, with its ranges parsed for one scheme.
#[derive(Debug)]
struct CompiledAffected<'a> {
    release: Option<String>,
    ranges: Vec<Range>,
    /// The explicitly listed versions, parsed and sorted (binary search:
    /// some records list hundreds). Parsed only when the entry has no
    /// ECOSYSTEM/SEMVER range: then the list is all there is, and `1.0` must
    /// meet `1.0.0`. Beside ranges, the list is matched by its strings (as
    /// OSV's own tools do), which spares parsing thousands of versions per
    /// scan.
    versions: Vec<Version>,
    /// The same, as written (for versions the scheme cannot parse).
    version_strings: HashSet<&'a str>,
}

impl CompiledAffected<'_> {
    fn lists(&self, v: &Version, raw: &str) -> bool {
        // Go lockfiles write `v1.2.3`, OSV Go records `1.2.3`.
        let bare = raw.strip_prefix('v').unwrap_or(raw);
        self.version_strings.contains(raw)
            || self.version_strings.contains(bare)
            || self.versions.binary_search(v).is_ok()
    }
}

/// A record compiled for one package.
#[derive(Debug)]
struct CompiledRecord<'a> {
    vuln: &'a Vulnerability,
    affected: Vec<CompiledAffected<'a>>,
    /// The record's own best CVSS score and source rating, computed once.
    severity: RecordSeverity,
}

impl<'a> CompiledRecord<'a> {
    fn compile(
        vuln: &'a Vulnerability,
        ecosystem: Ecosystem,
        name: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Self {
        let scheme = Scheme::for_ecosystem(ecosystem);
        let mut affected = Vec::new();
        for a in &vuln.affected {
            let Some(p) = &a.package else { continue };
            let Ok(eco) = p.ecosystem.parse::<EcosystemName>() else {
                continue;
            };
            if eco.ecosystem != ecosystem || ecosystem.normalize_name(&p.name) != name {
                continue;
            }
            let Some(scheme) = scheme else { continue };
            let mut ranges = Vec::new();
            for r in &a.ranges {
                if r.kind != "ECOSYSTEM" && r.kind != "SEMVER" {
                    continue;
                }
                match Range::parse(scheme, r.event_pairs()) {
                    Ok(range) => ranges.push(range),
                    Err(e) => diags.push(Diagnostic {
                        level: Level::Warning,
                        path: None,
                        line: None,
                        message: format!(
                            "advisory {}: {e}; that range of {} is ignored",
                            vuln.id, p.name
                        ),
                    }),
                }
            }
            let mut versions: Vec<Version> = if ranges.is_empty() {
                a.versions
                    .iter()
                    .filter_map(|v| scheme.parse(v).ok())
                    .collect()
            } else {
                Vec::new()
            };
            versions.sort();
            affected.push(CompiledAffected {
                release: eco.release,
                ranges,
                versions,
                version_strings: a.versions.iter().map(String::as_str).collect(),
            });
        }
        CompiledRecord {
            severity: RecordSeverity::of(vuln),
            vuln,
            affected,
        }
    }

    /// Whether `v` is affected, and the fixes above it.
    fn evaluate(&self, v: &Version, raw: &str, release: Option<&str>) -> Option<Vec<Version>> {
        let mut hit = false;
        let mut fixes = Vec::new();
        for a in &self.affected {
            if let (Some(want), Some(have)) = (a.release.as_deref(), release) {
                if want != have {
                    continue;
                }
            }
            let listed = a.lists(v, raw);
            let in_range = a.ranges.iter().any(|r| r.contains(v));
            if listed || in_range {
                hit = true;
                for r in &a.ranges {
                    fixes.extend(r.fixes_above(v).cloned());
                }
            }
        }
        hit.then_some(fixes)
    }

    /// Whether any affected entry of this record covers `v`.
    /// (Entries of another release than `release` don't count.)
    fn affects(&self, v: &Version, release: Option<&str>) -> bool {
        self.affected.iter().any(|a| {
            let other_release = matches!(
                (a.release.as_deref(), release),
                (Some(want), Some(have)) if want != have
            );
            !other_release && (a.lists(v, v.as_str()) || a.ranges.iter().any(|r| r.contains(v)))
        })
    }
}

/// Matches components against advisories.
pub fn match_components(components: &[Component], advisories: &AdvisorySet) -> MatchOutput {
    let matcher = Matcher::new(advisories, components);
    let mut out = matcher.run(components);
    out.diagnostics.extend(matcher.diagnostics.iter().cloned());
    out.diagnostics.sort();
    out.diagnostics.dedup();
    out
}

/// The advisories of a set of packages, compiled once for their ecosystems'
/// version rules, to match many components against: the scan's, then the
/// same packages at candidate fix versions (remediation).
pub struct Matcher<'a> {
    advisories: &'a AdvisorySet,
    by_package: HashMap<Ecosystem, HashMap<String, Vec<CompiledRecord<'a>>>>,
    /// Advisory data that could not be evaluated, once per record.
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Matcher<'a> {
    /// Compiles the advisories of the packages `components` name (every
    /// package once, in parallel).
    pub fn new(advisories: &'a AdvisorySet, components: &[Component]) -> Matcher<'a> {
        let mut keys: Vec<(Ecosystem, String)> = components
            .par_iter()
            .map(|c| (c.ecosystem, c.ecosystem.normalize_name(c.advisory_key().0)))
            .collect();
        keys.par_sort_unstable();
        keys.dedup();
        type Compiled<'a> = (Ecosystem, String, Vec<CompiledRecord<'a>>, Vec<Diagnostic>);
        let compiled: Vec<Compiled<'a>> = keys
            .into_par_iter()
            .map(|(eco, name)| {
                let mut diags = Vec::new();
                let records = advisories
                    .for_package(eco, &name)
                    .iter()
                    .filter(|v| !v.is_withdrawn())
                    .map(|v| CompiledRecord::compile(v, eco, &name, &mut diags))
                    .filter(|r| !r.affected.is_empty())
                    .collect();
                (eco, name, records, diags)
            })
            .collect();
        let mut by_package: HashMap<Ecosystem, HashMap<String, Vec<CompiledRecord<'a>>>> =
            HashMap::new();
        let mut diagnostics = Vec::new();
        for (eco, name, records, diags) in compiled {
            diagnostics.extend(diags);
            by_package.entry(eco).or_default().insert(name, records);
        }
        Matcher {
            advisories,
            by_package,
            diagnostics,
        }
    }

    /// Matches components whose packages this matcher compiled (others
    /// give no finding). Diagnostics about advisories are in
    /// [`Matcher::diagnostics`], not in the output.
    pub fn run(&self, components: &[Component]) -> MatchOutput {
        let results: Vec<(Vec<Finding>, Option<NotChecked>)> = components
            .par_iter()
            .map(|c| {
                let name = c.ecosystem.normalize_name(c.advisory_key().0);
                let records = self
                    .by_package
                    .get(&c.ecosystem)
                    .and_then(|m| m.get(&name))
                    .map(Vec::as_slice);
                match_one(c, records, self.advisories)
            })
            .collect();
        let mut out = MatchOutput::default();
        let mut seen = HashSet::new();
        for (findings, nc) in results {
            out.not_checked.extend(nc);
            for f in findings {
                // One finding per fingerprint: the same package listed twice
                // in one file (nested copies in a lockfile) is one finding.
                if seen.insert(f.fingerprint.clone()) {
                    out.findings.push(f);
                }
            }
        }
        out.not_checked.sort();
        out.not_checked.dedup();
        out
    }
}

fn match_one(
    c: &Component,
    records: Option<&[CompiledRecord]>,
    advisories: &AdvisorySet,
) -> (Vec<Finding>, Option<NotChecked>) {
    let location = c
        .locations
        .first()
        .cloned()
        .unwrap_or_else(|| Location::new("", None));
    let not_checked = |reason: String| NotChecked {
        ecosystem: c.ecosystem,
        name: c.name.clone(),
        version: c.version.clone(),
        location: location.clone(),
        reason,
    };
    let Some(scheme) = Scheme::for_ecosystem(c.ecosystem) else {
        return (
            Vec::new(),
            Some(not_checked(format!(
                "no version rules for ecosystem {}",
                c.ecosystem
            ))),
        );
    };
    if c.ecosystem.is_distro() && c.release.is_none() {
        return (
            Vec::new(),
            Some(not_checked(format!(
                "the {} release is unknown (no release file names it, or it is a rolling release such as Debian testing)",
                c.ecosystem
            ))),
        );
    }
    let raw_version = c.advisory_key().1;
    let version = match scheme.parse(raw_version) {
        Ok(v) => v,
        Err(e) => return (Vec::new(), Some(not_checked(e.to_string()))),
    };
    let Some(records) = records else {
        return (Vec::new(), None);
    };
    let hits: Vec<(&CompiledRecord, Vec<Version>)> = records
        .iter()
        .filter_map(|r| {
            r.evaluate(&version, raw_version, c.release.as_deref())
                .map(|fixes| (r, fixes))
        })
        .collect();
    if hits.is_empty() {
        return (Vec::new(), None);
    }
    let groups = alias_groups(&hits.iter().map(|(r, _)| r.vuln).collect::<Vec<_>>());
    let mut findings = Vec::new();
    for group in groups {
        let members: Vec<&(&CompiledRecord, Vec<Version>)> =
            group.iter().map(|&i| &hits[i]).collect();
        for loc in c
            .locations
            .iter()
            .cloned()
            .chain(c.locations.is_empty().then(|| location.clone()))
        {
            findings.push(build_finding(c, &members, loc, advisories));
        }
    }
    (findings, None)
}

/// Groups records that are aliases of each other (their ID sets overlap),
/// as indexes into `records`.
fn alias_groups(records: &[&Vulnerability]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..records.len()).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut i = i;
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        for id in std::iter::once(&r.id).chain(r.aliases.iter()) {
            match owner.get(id.as_str()) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    if a != b {
                        parent[a] = b;
                    }
                }
                None => {
                    owner.insert(id.as_str(), i);
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..records.len() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
    for g in &mut groups {
        g.sort_by(|&a, &b| records[a].id.cmp(&records[b].id));
    }
    groups.sort_by(|a, b| records[a[0]].id.cmp(&records[b[0]].id));
    groups
}

fn build_finding(
    c: &Component,
    members: &[&(&CompiledRecord, Vec<Version>)],
    location: Location,
    advisories: &AdvisorySet,
) -> Finding {
    let primary = &members[0].0.vuln;
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for (r, _) in members {
        ids.insert(r.vuln.id.clone());
        ids.extend(r.vuln.aliases.iter().cloned());
    }
    let group_min = ids
        .iter()
        .next()
        .cloned()
        .unwrap_or_else(|| primary.id.clone());
    let kev = ids.iter().any(|id| advisories.is_kev(id));
    let aliases: Vec<String> = ids
        .iter()
        .filter(|id| **id != primary.id)
        .cloned()
        .collect();

    // Fixes that apply: above the installed version and not themselves
    // affected by any record of the group, smallest first.
    let mut fixes: Vec<&Version> = members.iter().flat_map(|(_, f)| f.iter()).collect();
    fixes.sort();
    fixes.dedup_by(|a, b| a == b);
    let fixed_versions: Vec<String> = fixes
        .into_iter()
        .filter(|f| {
            !members
                .iter()
                .any(|(r, _)| r.affects(f, c.release.as_deref()))
        })
        .map(|f| f.as_str().to_string())
        .collect();

    let (severity, cvss) = severity_of(members.iter().map(|(r, _)| &r.severity));
    let title = members
        .iter()
        .find_map(|(r, _)| r.vuln.summary.clone().filter(|s| !s.trim().is_empty()))
        .or_else(|| {
            primary
                .details
                .as_deref()
                .and_then(|d| d.lines().find(|l| !l.trim().is_empty()))
                .map(|l| l.trim().chars().take(120).collect())
        })
        .unwrap_or_default();
    let fingerprint = Fingerprint::vulnerability(&group_min, c.ecosystem, &c.name, &location.path);
    Finding {
        kind: FindingKind::Vulnerability,
        id: primary.id.clone(),
        aliases,
        title,
        severity,
        cvss,
        resource: None,
        message: None,
        package: Some(PackageRef {
            ecosystem: c.ecosystem,
            name: c.name.clone(),
            version: c.version.clone(),
            purl: c.purl.clone(),
        }),
        location,
        fix_available: !fixed_versions.is_empty(),
        fixed_versions,
        kev,
        informational: primary.informational(),
        fingerprint,
        published: members
            .iter()
            .filter_map(|(r, _)| r.vuln.published.as_deref())
            .filter_map(|p| p.get(..10))
            .filter(|d| d.len() == 10 && d.as_bytes()[4] == b'-')
            .min()
            .map(str::to_string),
        suppression: None,
        help: None,
        secret: None,
        runtime: None,
        vulnerable_code: None,
        epss: None,
        risk: None,
    }
}

/// One record's severity inputs: its best CVSS vector and its source's
/// rating word.
#[derive(Debug, Default)]
struct RecordSeverity {
    cvss: Option<vigil_risk::CvssScore>,
    rating: Option<Severity>,
}

impl RecordSeverity {
    /// The newest CVSS version the record carries (v4 over v3.1 over v3.0
    /// over v2), the highest score among vectors of that version; and
    /// `database_specific.severity`.
    fn of(r: &Vulnerability) -> RecordSeverity {
        let mut best: Option<vigil_risk::CvssScore> = None;
        let entries = r
            .severity
            .iter()
            .chain(r.affected.iter().flat_map(|a| a.severity.iter()));
        for e in entries {
            if !e.kind.starts_with("CVSS_") {
                continue;
            }
            let Ok(score) = vigil_risk::parse(&e.score) else {
                tracing::debug!(id = %r.id, vector = %e.score, "unreadable CVSS vector");
                continue;
            };
            if best
                .as_ref()
                .is_none_or(|b| (score.version, score.base_score) > (b.version, b.base_score))
            {
                best = Some(score);
            }
        }
        let rating = r
            .database_severity()
            .and_then(|s| s.parse::<Severity>().ok())
            .filter(|s| *s != Severity::Unknown);
        RecordSeverity { cvss: best, rating }
    }
}

/// The severity of a group of records: the best CVSS score among them (by
/// version, then score); else the highest source rating; else UNKNOWN.
fn severity_of<'a>(records: impl Iterator<Item = &'a RecordSeverity>) -> (Severity, Option<Cvss>) {
    let mut best: Option<&vigil_risk::CvssScore> = None;
    let mut rating: Option<Severity> = None;
    for r in records {
        if let Some(score) = &r.cvss {
            if best.is_none_or(|b| (score.version, score.base_score) > (b.version, b.base_score)) {
                best = Some(score);
            }
        }
        if let Some(s) = r.rating {
            if rating.is_none_or(|d| s > d) {
                rating = Some(s);
            }
        }
    }
    match best {
        Some(b) => (
            b.severity(),
            Some(Cvss {
                version: b.version.as_str().to_string(),
                vector: b.vector.clone(),
                score: b.base_score,
            }),
        ),
        None => (rating.unwrap_or(Severity::Unknown), None),
    }
}
