//! CycloneDX 1.6 JSON.
//!
//! - `metadata`: the timestamp (`SbomOptions::created`), vigil as the tool,
//!   the target as the component (`container` for an image, `application`
//!   otherwise); the OS of a root filesystem or image is an
//!   `operating-system` component.
//! - `components`: `bom-ref` is the purl (made unique with a `#n` suffix in
//!   the rare case two components share one), Maven's group in `group`,
//!   hashes converted where the algorithm maps, the license as an
//!   `expression` when it is a valid SPDX expression and as a `license.name`
//!   otherwise, `scope: excluded` for development-only and `optional` for
//!   optional components (the spec's meaning of both), the declaring files
//!   in `evidence.occurrences`, and `vigil:*` properties for the ecosystem,
//!   the direct flag, the OS release, the source package and the image
//!   layer.
//! - `dependencies`: the target on its direct dependencies, and each
//!   component on the components its dependency names resolve to in the
//!   same file.
//! - `vulnerabilities`: one entry per ID and suppression, affecting every
//!   component it was found in; CVSS ratings; the fixed versions as
//!   `unaffected` versions and in `recommendation`; a VEX suppression as
//!   `analysis` (`not_affected`, `resolved`, the justification where
//!   CycloneDX has the same one, the statement in `detail`); an ignore-file
//!   entry as `analysis.detail` without a state (CycloneDX has no state
//!   for an accepted risk: `not_affected` or `false_positive` would be
//!   claims the ignore entry does not make), with `response: will_not_fix`
//!   only when the entry never expires; a baseline finding keeps no
//!   analysis (a baseline is not a triage) and says so in a property.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use serde_json::{json, Value};
use vigil_model::license::is_spdx_expression;
use vigil_model::{Ecosystem, Finding, Severity, Suppression, SuppressionKind};

use crate::common::{
    advisory_url, content_digest, dependency_graph, parsed_hashes, rfc3339, suppression_kind,
    suppression_label, uuid_from,
};
use crate::{Report, SbomOptions};

/// The `bom-ref` of the target (the metadata component).
const TARGET_REF: &str = "vigil:target";
/// The `bom-ref` of the operating system component.
const OS_REF: &str = "vigil:os";

fn property(name: &str, value: impl Into<String>) -> Value {
    json!({ "name": name, "value": value.into() })
}

/// Unique `bom-ref`s for the report's components, in their order.
pub(crate) fn bom_refs(report: &Report) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    report
        .components
        .iter()
        .map(|c| {
            let base = if c.purl.is_empty() {
                format!("{}/{}@{}", c.ecosystem.osv_name(), c.name, c.version)
            } else {
                c.purl.clone()
            };
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                base
            } else {
                format!("{base}#{n}")
            }
        })
        .collect()
}

/// A license list: one `expression`, or one named license.
fn licenses(text: &str) -> Value {
    if is_spdx_expression(text) {
        json!([{ "expression": text }])
    } else {
        json!([{ "license": { "name": text } }])
    }
}

fn component(c: &crate::ReportComponent, bom_ref: &str) -> Value {
    let (group, name) = match (c.ecosystem, c.name.split_once(':')) {
        (Ecosystem::Maven, Some((g, n))) => (Some(g), n),
        _ => (None, c.name.as_str()),
    };
    let mut v = json!({
        "type": "library",
        "bom-ref": bom_ref,
        "name": name,
        "version": c.version,
    });
    if let Some(g) = group {
        v["group"] = json!(g);
    }
    if !c.purl.is_empty() {
        v["purl"] = json!(c.purl);
    }
    if c.dev == Some(true) {
        v["scope"] = json!("excluded");
    } else if c.optional == Some(true) {
        v["scope"] = json!("optional");
    }
    let hashes: Vec<Value> = parsed_hashes(&c.hashes)
        .into_iter()
        .map(|(alg, hex)| json!({ "alg": alg.cyclonedx(), "content": hex }))
        .collect();
    if !hashes.is_empty() {
        v["hashes"] = json!(hashes);
    }
    if let Some(l) = &c.license {
        v["licenses"] = licenses(l);
    }
    let mut props = vec![property("vigil:ecosystem", c.ecosystem.osv_name())];
    if let Some(d) = c.direct {
        props.push(property("vigil:direct", d.to_string()));
    }
    if let Some(r) = &c.release {
        props.push(property("vigil:release", r.as_str()));
    }
    if let Some(s) = &c.source {
        props.push(property("vigil:source_package", s.name.as_str()));
        if let Some(sv) = &s.version {
            props.push(property("vigil:source_version", sv.as_str()));
        }
    }
    if let Some(l) = &c.layer {
        props.push(property("vigil:layer_digest", l.digest.as_str()));
        props.push(property("vigil:layer_index", l.index.to_string()));
        if let Some(cmd) = &l.created_by {
            props.push(property("vigil:layer_created_by", cmd.as_str()));
        }
    }
    v["properties"] = json!(props);
    if !c.locations.is_empty() {
        let occurrences: Vec<Value> = c
            .locations
            .iter()
            .map(|l| {
                let mut o = json!({ "location": l.path });
                if let Some(line) = l.line {
                    o["line"] = json!(line);
                }
                o
            })
            .collect();
        v["evidence"] = json!({ "occurrences": occurrences });
    }
    v
}

fn metadata(report: &Report, options: &SbomOptions) -> Value {
    let mut target = match &report.image {
        Some(image) => {
            let mut t = json!({
                "type": "container",
                "bom-ref": TARGET_REF,
                "name": report.target,
            });
            if let Some(d) = &image.digest {
                t["version"] = json!(d);
            }
            let mut props = vec![
                property("vigil:image:config_digest", image.config_digest.as_str()),
                property("vigil:image:platform", image.platform.as_str()),
            ];
            if let Some(d) = &image.index_digest {
                props.push(property("vigil:image:index_digest", d.as_str()));
            }
            for l in &image.layers {
                props.push(property(
                    "vigil:image:layer",
                    format!("{} {}", l.index, l.digest),
                ));
            }
            t["properties"] = json!(props);
            t
        }
        None => json!({
            "type": "application",
            "bom-ref": TARGET_REF,
            "name": report.target,
        }),
    };
    if let Some(os) = &report.os {
        let mut os_component = json!({
            "type": "operating-system",
            "bom-ref": OS_REF,
            "name": os.name,
        });
        if let Some(eco) = &os.ecosystem {
            os_component["properties"] = json!([property("vigil:ecosystem", eco.as_str())]);
        }
        target["components"] = json!([os_component]);
    }
    json!({
        "timestamp": rfc3339(options.created),
        "tools": { "components": [{
            "type": "application",
            "name": report.tool.name,
            "version": report.tool.version,
            "externalReferences": [{ "type": "website", "url": crate::TOOL_URI }],
        }]},
        "component": target,
    })
}

fn dependencies(report: &Report, refs: &[String]) -> Vec<Value> {
    let graph = dependency_graph(report);
    let mut out = Vec::new();
    let direct: BTreeSet<&str> = report
        .components
        .iter()
        .zip(refs)
        .filter(|(c, _)| c.direct == Some(true))
        .map(|(_, r)| r.as_str())
        .collect();
    if !direct.is_empty() {
        out.push(json!({ "ref": TARGET_REF, "dependsOn": direct }));
    }
    for (i, deps) in graph.iter().enumerate() {
        if deps.is_empty() {
            continue;
        }
        let on: BTreeSet<&str> = deps.iter().map(|&d| refs[d].as_str()).collect();
        out.push(json!({ "ref": refs[i], "dependsOn": on }));
    }
    out
}

fn rating(f: &Finding) -> Value {
    let severity = if f.informational.is_some() {
        "info"
    } else {
        match f.severity {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Unknown => "unknown",
        }
    };
    let mut r = json!({ "severity": severity });
    if let Some(c) = &f.cvss {
        r["score"] = json!(c.score);
        r["vector"] = json!(c.vector);
        r["method"] = json!(match c.version.as_str() {
            "2.0" => "CVSSv2",
            "3.0" => "CVSSv3",
            "3.1" => "CVSSv31",
            "4.0" => "CVSSv4",
            _ => "other",
        });
        r["source"] = json!({ "name": "OSV", "url": advisory_url(&f.id) });
    }
    r
}

/// The advisory's rating, and vigil's risk score where there is one
/// (method `other`, the vector scored, the reasons as justification).
fn ratings(f: &Finding) -> Vec<Value> {
    let mut out = vec![rating(f)];
    if let Some(risk) = &f.risk {
        out.push(json!({
            "source": { "name": "vigil" },
            "score": risk.score,
            "severity": Severity::from_cvss_score(risk.score).as_str().to_ascii_lowercase(),
            "method": "other",
            "vector": risk.vector,
            "justification": risk.reasons.join("; "),
        }));
    }
    out
}

/// CycloneDX's justification for a VEX justification (OpenVEX's codes and
/// CycloneDX's own), where one means the same.
fn justification(code: &str) -> Option<&'static str> {
    Some(match code {
        "component_not_present" | "vulnerable_code_not_present" | "code_not_present" => {
            "code_not_present"
        }
        "vulnerable_code_not_in_execute_path" | "code_not_reachable" => "code_not_reachable",
        "inline_mitigations_already_exist" | "protected_by_mitigating_control" => {
            "protected_by_mitigating_control"
        }
        "requires_configuration" => "requires_configuration",
        "requires_dependency" => "requires_dependency",
        "requires_environment" => "requires_environment",
        "protected_by_compiler" => "protected_by_compiler",
        "protected_at_runtime" => "protected_at_runtime",
        "protected_at_perimeter" => "protected_at_perimeter",
        _ => return None,
    })
}

fn analysis(s: &Suppression) -> Option<Value> {
    match s.kind {
        SuppressionKind::Baseline => None,
        SuppressionKind::Vex => {
            let mut a = json!({});
            let state = match s.vex_status.as_deref() {
                Some("not_affected") => Some("not_affected"),
                Some("fixed") => Some("resolved"),
                Some("under_investigation") => Some("in_triage"),
                Some("affected") => Some("exploitable"),
                _ => None,
            };
            if let Some(state) = state {
                a["state"] = json!(state);
            }
            let mapped = s.justification.as_deref().and_then(justification);
            if let Some(j) = mapped {
                a["justification"] = json!(j);
            }
            a["detail"] = json!(suppression_label(s));
            Some(a)
        }
        SuppressionKind::Ignore | SuppressionKind::Inline => {
            let mut a = json!({ "detail": suppression_label(s) });
            if s.expires.is_none() {
                a["response"] = json!(["will_not_fix"]);
            }
            Some(a)
        }
    }
}

fn vulnerabilities(report: &Report, refs: &[String]) -> Vec<Value> {
    // Components by (ecosystem, name, version), to find a finding's ref.
    let by_key: BTreeMap<(Ecosystem, &str, &str), &str> = report
        .components
        .iter()
        .zip(refs)
        .map(|(c, r)| {
            (
                (c.ecosystem, c.name.as_str(), c.version.as_str()),
                r.as_str(),
            )
        })
        .collect();
    // One entry per ID and suppression.
    let mut groups: BTreeMap<(&str, String), Vec<&Finding>> = BTreeMap::new();
    for f in report
        .findings
        .iter()
        .filter(|f| f.kind == vigil_model::FindingKind::Vulnerability)
    {
        let key = f
            .suppression
            .as_ref()
            .map(|s| format!("{} {}", suppression_kind(s), suppression_label(s)))
            .unwrap_or_default();
        groups.entry((f.id.as_str(), key)).or_default().push(f);
    }
    let mut out = Vec::with_capacity(groups.len());
    for ((id, _), findings) in groups {
        let first = findings[0];
        // Affected refs, each with its installed and fixed versions.
        let mut affects: BTreeMap<&str, BTreeSet<(&str, &str)>> = BTreeMap::new();
        let mut recommendation: BTreeSet<String> = BTreeSet::new();
        let mut severest = first;
        for f in &findings {
            if f.cvss.as_ref().map(|c| c.score) > severest.cvss.as_ref().map(|c| c.score)
                || f.severity > severest.severity
            {
                severest = f;
            }
            let Some(p) = &f.package else { continue };
            let Some(r) = by_key.get(&(p.ecosystem, p.name.as_str(), p.version.as_str())) else {
                continue;
            };
            let versions = affects.entry(r).or_default();
            versions.insert(("affected", p.version.as_str()));
            for v in &f.fixed_versions {
                versions.insert(("unaffected", v.as_str()));
            }
            if !f.fixed_versions.is_empty() {
                recommendation.insert(format!(
                    "Upgrade {} {} to {}.",
                    p.name,
                    p.version,
                    f.fixed_versions.join(" or ")
                ));
            }
        }
        let affects: Vec<Value> = affects
            .into_iter()
            .map(|(r, versions)| {
                let versions: Vec<Value> = versions
                    .into_iter()
                    .map(|(status, v)| json!({ "version": v, "status": status }))
                    .collect();
                json!({ "ref": r, "versions": versions })
            })
            .collect();
        let mut v = json!({
            "id": id,
            "source": { "name": "OSV", "url": advisory_url(id) },
            "ratings": ratings(severest),
            "description": first.title,
            "advisories": [{ "url": advisory_url(id) }],
            "affects": affects,
        });
        if let Some(date) = findings.iter().filter_map(|f| f.published.as_deref()).min() {
            v["published"] = json!(format!("{date}T00:00:00Z"));
        }
        if !first.aliases.is_empty() {
            let refs: Vec<Value> = first
                .aliases
                .iter()
                .map(|a| json!({ "id": a, "source": { "name": "OSV", "url": advisory_url(a) } }))
                .collect();
            v["references"] = json!(refs);
        }
        if !recommendation.is_empty() {
            v["recommendation"] = json!(recommendation.into_iter().collect::<Vec<_>>().join(" "));
        } else if first.informational.is_none() {
            v["recommendation"] = json!("No fixed version yet.");
        }
        let mut props = Vec::new();
        if findings.iter().any(|f| f.kev) {
            props.push(property("vigil:kev", "true"));
        }
        if let Some(kind) = &first.informational {
            props.push(property("vigil:informational", kind.as_str()));
        }
        let fingerprints: BTreeSet<&str> =
            findings.iter().map(|f| f.fingerprint.0.as_str()).collect();
        for fp in fingerprints {
            props.push(property("vigil:fingerprint", fp));
        }
        if let Some(s) = &first.suppression {
            props.push(property("vigil:suppression:kind", suppression_kind(s)));
            props.push(property("vigil:suppression:source", s.source.as_str()));
            if let Some(a) = analysis(s) {
                v["analysis"] = a;
            }
        }
        v["properties"] = json!(props);
        out.push(v);
    }
    out
}

/// Builds the CycloneDX BOM.
pub fn cyclonedx_value(report: &Report, options: &SbomOptions) -> std::io::Result<Value> {
    let refs = bom_refs(report);
    let digest = content_digest(report, &format!("cyclonedx {}", options.created))?;
    let components: Vec<Value> = report
        .components
        .iter()
        .zip(&refs)
        .map(|(c, r)| component(c, r))
        .collect();
    let mut bom = json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", uuid_from(&digest)),
        "version": 1,
        "metadata": metadata(report, options),
        "components": components,
        "dependencies": dependencies(report, &refs),
    });
    if options.vulnerabilities {
        bom["vulnerabilities"] = json!(vulnerabilities(report, &refs));
    }
    Ok(bom)
}

/// Writes the report as a CycloneDX 1.6 JSON BOM (pretty, and a newline).
pub fn write_cyclonedx(
    report: &Report,
    options: &SbomOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &cyclonedx_value(report, options)?)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testutil::sample_report;

    fn bom() -> Value {
        cyclonedx_value(
            &sample_report(),
            &SbomOptions {
                created: 1_700_000_000,
                vulnerabilities: true,
            },
        )
        .unwrap()
    }

    fn component<'a>(bom: &'a Value, name: &str) -> &'a Value {
        bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
    }

    #[test]
    fn components_carry_purl_hashes_licenses_scope() {
        let bom = bom();
        assert_eq!(bom["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
        assert!(bom["serialNumber"]
            .as_str()
            .unwrap()
            .starts_with("urn:uuid:"));
        let lodash = component(&bom, "lodash");
        assert_eq!(lodash["bom-ref"], "pkg:npm/lodash@4.17.15");
        assert_eq!(lodash["hashes"][0]["alg"], "SHA-512");
        assert_eq!(lodash["licenses"][0]["expression"], "MIT");
        assert!(lodash.get("scope").is_none());
        assert_eq!(
            lodash["evidence"]["occurrences"][0],
            json!({"location": "web/package-lock.json", "line": 12})
        );
        let jest = component(&bom, "jest");
        assert_eq!(jest["scope"], "excluded");
        assert_eq!(jest["licenses"][0]["license"]["name"], "Public Domain");
        // `h1:` is not a digest of the artifact: only the sha256 is kept.
        let pyyaml = component(&bom, "PyYAML");
        assert_eq!(pyyaml["hashes"].as_array().unwrap().len(), 1);
        let ssl = component(&bom, "libssl3");
        let props = ssl["properties"].as_array().unwrap();
        for (name, value) in [
            ("vigil:release", "12"),
            ("vigil:source_package", "openssl"),
            ("vigil:layer_index", "0"),
        ] {
            assert!(
                props.contains(&json!({"name": name, "value": value})),
                "{props:?}"
            );
        }
    }

    #[test]
    fn the_graph_and_the_vulnerabilities() {
        let bom = bom();
        let deps = bom["dependencies"].as_array().unwrap();
        assert!(deps.contains(&json!({
            "ref": "pkg:npm/lodash@4.17.15",
            "dependsOn": ["pkg:npm/minimist@1.2.5"]
        })));
        let root = deps.iter().find(|d| d["ref"] == TARGET_REF).unwrap();
        assert_eq!(
            root["dependsOn"],
            json!(["pkg:npm/jest@29.0.0", "pkg:npm/lodash@4.17.15"])
        );
        let vulns = bom["vulnerabilities"].as_array().unwrap();
        let v = |id: &str| vulns.iter().find(|v| v["id"] == id).unwrap();
        let lodash = v("GHSA-35jh-r3h4-6jhm");
        assert_eq!(lodash["ratings"][0]["method"], "CVSSv31");
        assert_eq!(lodash["ratings"][0]["score"], 7.2);
        assert_eq!(lodash["ratings"][0]["severity"], "high");
        assert_eq!(lodash["affects"][0]["ref"], "pkg:npm/lodash@4.17.15");
        assert_eq!(
            lodash["affects"][0]["versions"],
            json!([{"version": "4.17.15", "status": "affected"}, {"version": "4.17.21", "status": "unaffected"}])
        );
        assert_eq!(lodash["references"][0]["id"], "CVE-2021-23337");
        assert!(lodash.get("analysis").is_none());
        // VEX: state and mapped justification.
        let ssl = v("DSA-5532-1");
        assert_eq!(ssl["analysis"]["state"], "not_affected");
        assert_eq!(ssl["analysis"]["justification"], "code_not_reachable");
        assert!(ssl["analysis"]["detail"]
            .as_str()
            .unwrap()
            .contains("the affected cipher is not used"));
        // Ignore with an expiry: detail only.
        let yaml = v("PYSEC-2021-142");
        assert!(yaml["analysis"].get("state").is_none());
        assert!(yaml["analysis"].get("response").is_none());
        assert!(yaml["analysis"]["detail"]
            .as_str()
            .unwrap()
            .contains("until 2099-01-01"));
        // Baseline: no analysis, a property.
        let sv = v("RUSTSEC-2021-0003");
        assert!(sv.get("analysis").is_none());
        assert!(sv["properties"]
            .as_array()
            .unwrap()
            .contains(&json!({"name": "vigil:suppression:kind", "value": "baseline"})));
        assert_eq!(
            v("GHSA-xvch-5gv4-984h")["properties"][0]["name"],
            "vigil:kev"
        );
        assert_eq!(v("RUSTSEC-2021-0139")["ratings"][0]["severity"], "info");
    }

    #[test]
    fn an_ignore_without_expiry_will_not_be_fixed() {
        let s = Suppression {
            kind: SuppressionKind::Ignore,
            source: ".vigilignore.yaml".into(),
            reason: Some("accepted".into()),
            vex_status: None,
            justification: None,
            expires: None,
        };
        assert_eq!(analysis(&s).unwrap()["response"], json!(["will_not_fix"]));
    }

    #[test]
    fn duplicate_purls_get_unique_refs() {
        let mut report = sample_report();
        let mut dup = report.components[0].clone();
        dup.version = "other".into();
        report.components.insert(1, dup);
        let refs = bom_refs(&report);
        let unique: BTreeSet<&String> = refs.iter().collect();
        assert_eq!(unique.len(), refs.len());
        assert!(refs[1].ends_with("#2"));
    }
}
