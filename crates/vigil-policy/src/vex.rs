//! VEX input: OpenVEX and CycloneDX VEX documents, telling which
//! vulnerabilities do not affect which packages.
//!
//! Statements name a vulnerability (its ID and aliases) and packages by
//! package URL. A statement whose status is `not_affected` or `fixed`
//! (CycloneDX: `not_affected`, `false_positive`, `resolved`,
//! `resolved_with_pedigree`) suppresses the findings it names; `affected`
//! and `under_investigation` (CycloneDX: `exploitable`, `in_triage`)
//! suppress nothing. When several statements name the same finding, the
//! last one read decides (documents in the order given, statements in
//! document order), as a later VEX statement supersedes an earlier one.
//!
//! Package URLs match ignoring qualifiers unless the statement gives them;
//! a statement's purl without a version matches every version. A statement
//! that names no product applies to every package.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use vigil_model::{Finding, Suppression, SuppressionKind};

use crate::error::{read_text, PolicyError};
use crate::purl_match::PurlSpec;

/// The format of a VEX document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// OpenVEX (`@context` `https://openvex.dev/ns/...`).
    OpenVex,
    /// A CycloneDX BOM with `vulnerabilities[].analysis`.
    CycloneDx,
}

/// One statement: a vulnerability, the packages it is about, and a status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    ids: Vec<String>,
    products: Vec<PurlSpec>,
    /// The status as the document writes it.
    pub status: String,
    /// Whether the status suppresses (not affected, fixed).
    pub suppresses: bool,
    /// The justification code, where given.
    pub justification: Option<String>,
    /// The impact statement, analysis detail or notes, where given.
    pub reason: Option<String>,
}

impl Statement {
    fn applies_to(&self, f: &Finding) -> bool {
        let ids: Vec<&str> = std::iter::once(f.id.as_str())
            .chain(f.aliases.iter().map(String::as_str))
            .collect();
        self.applies(&ids, f.package.as_ref().map(|p| p.purl.as_str()))
    }

    /// Whether the statement is about a finding known by `ids` (its ID and
    /// aliases) on the package with this purl: one of its vulnerability
    /// IDs is among them, and it names no product or names this package.
    pub fn applies(&self, ids: &[&str], purl: Option<&str>) -> bool {
        let id_hit = self
            .ids
            .iter()
            .any(|id| ids.iter().any(|f| f.eq_ignore_ascii_case(id)));
        id_hit
            && (self.products.is_empty()
                || purl.is_some_and(|p| self.products.iter().any(|s| s.matches(p))))
    }

    /// The vulnerability IDs it is about.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }
}

/// A VEX document, read.
#[derive(Debug, Clone)]
pub struct VexDocument {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    /// Its statements, in document order.
    pub statements: Vec<Statement>,
}

impl VexDocument {
    /// Reads a VEX file, told OpenVEX or CycloneDX by its content.
    pub fn load(path: &Path) -> Result<VexDocument, PolicyError> {
        let text = read_text(path)?;
        VexDocument::parse(path, &text)
    }

    /// Reads VEX text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<VexDocument, PolicyError> {
        let doc: Value = serde_json::from_str(text)
            .map_err(|e| PolicyError::invalid(path, Some(e.line()), format!("not JSON: {e}")))?;
        let is_openvex = doc
            .get("@context")
            .and_then(Value::as_str)
            .is_some_and(|c| c.contains("openvex"))
            || (doc.get("statements").is_some_and(Value::is_array)
                && doc.get("bomFormat").is_none());
        let (format, statements) = if is_openvex {
            (Format::OpenVex, openvex(path, &doc)?)
        } else if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
            (Format::CycloneDx, cyclonedx(&doc))
        } else {
            return Err(PolicyError::invalid(
                path,
                None,
                "neither an OpenVEX document (no `statements`) nor a CycloneDX BOM (no `bomFormat: CycloneDX`)",
            ));
        };
        Ok(VexDocument {
            path: path.to_path_buf(),
            format,
            statements,
        })
    }
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Every package URL an OpenVEX product names: its `@id`, its
/// `identifiers.purl`, and the same of its subcomponents. Plain strings
/// (early OpenVEX) are taken as they are.
fn product_purls(product: &Value, out: &mut Vec<PurlSpec>) {
    let mut push = |s: &str| {
        if let Some(p) = PurlSpec::parse(s) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
    };
    match product {
        Value::String(s) => push(s),
        Value::Object(_) => {
            if let Some(id) = product.get("@id").and_then(Value::as_str) {
                push(id);
            }
            if let Some(p) = product
                .get("identifiers")
                .and_then(|i| i.get("purl"))
                .and_then(Value::as_str)
            {
                push(p);
            }
            for sub in product
                .get("subcomponents")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                product_purls(sub, out);
            }
        }
        _ => {}
    }
}

fn openvex(path: &Path, doc: &Value) -> Result<Vec<Statement>, PolicyError> {
    let Some(list) = doc.get("statements").and_then(Value::as_array) else {
        return Err(PolicyError::invalid(
            path,
            None,
            "OpenVEX: no `statements` list",
        ));
    };
    let mut out = Vec::new();
    for (i, st) in list.iter().enumerate() {
        let n = i + 1;
        let mut ids = Vec::new();
        match st.get("vulnerability") {
            Some(Value::String(s)) => ids.push(s.clone()),
            Some(v @ Value::Object(_)) => {
                ids.extend(str_of(v, "name"));
                ids.extend(str_of(v, "@id"));
                ids.extend(
                    v.get("aliases")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_string),
                );
            }
            _ => {}
        }
        if ids.is_empty() {
            return Err(PolicyError::invalid(
                path,
                None,
                format!("OpenVEX statement {n} names no vulnerability"),
            ));
        }
        let Some(status) = str_of(st, "status") else {
            return Err(PolicyError::invalid(
                path,
                None,
                format!("OpenVEX statement {n} ({}) has no `status`", ids[0]),
            ));
        };
        let suppresses = match status.as_str() {
            "not_affected" | "fixed" => true,
            "affected" | "under_investigation" => false,
            other => {
                return Err(PolicyError::invalid(
                    path,
                    None,
                    format!(
                        "OpenVEX statement {n} ({}): unknown status `{other}` (not_affected, affected, fixed, under_investigation)",
                        ids[0]
                    ),
                ))
            }
        };
        let mut products = Vec::new();
        for p in st
            .get("products")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            product_purls(p, &mut products);
        }
        // Early OpenVEX put subcomponents beside products.
        for p in st
            .get("subcomponents")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            product_purls(p, &mut products);
        }
        out.push(Statement {
            ids,
            products,
            status,
            suppresses,
            justification: str_of(st, "justification"),
            reason: str_of(st, "impact_statement")
                .or_else(|| str_of(st, "status_notes"))
                .or_else(|| str_of(st, "action_statement")),
        });
    }
    Ok(out)
}

/// The purls of a CycloneDX document's components by `bom-ref`,
/// nested components and the metadata component included.
fn bom_refs(doc: &Value) -> BTreeMap<String, String> {
    fn walk(c: &Value, out: &mut BTreeMap<String, String>) {
        if let (Some(r), Some(p)) = (str_of(c, "bom-ref"), str_of(c, "purl")) {
            out.insert(r, p);
        }
        for sub in c
            .get("components")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(sub, out);
        }
    }
    let mut out = BTreeMap::new();
    if let Some(m) = doc.get("metadata").and_then(|m| m.get("component")) {
        walk(m, &mut out);
    }
    walk(doc, &mut out);
    out
}

fn cyclonedx(doc: &Value) -> Vec<Statement> {
    let refs = bom_refs(doc);
    let mut out = Vec::new();
    for v in doc
        .get("vulnerabilities")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(analysis) = v.get("analysis") else {
            continue;
        };
        let Some(state) = str_of(analysis, "state") else {
            continue;
        };
        let mut ids: Vec<String> = str_of(v, "id").into_iter().collect();
        ids.extend(
            v.get("references")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| str_of(r, "id")),
        );
        if ids.is_empty() {
            continue;
        }
        let mut products = Vec::new();
        for a in v
            .get("affects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(r) = str_of(a, "ref") else { continue };
            let purl = refs.get(&r).cloned().unwrap_or(r);
            if let Some(p) = PurlSpec::parse(&purl) {
                products.push(p);
            } else {
                tracing::debug!(bom_ref = purl, "VEX: an affected ref with no purl");
            }
        }
        // A statement whose every affected ref is unknown names nothing.
        if products.is_empty()
            && v.get("affects")
                .is_some_and(|a| a.as_array().is_some_and(|a| !a.is_empty()))
        {
            continue;
        }
        out.push(Statement {
            ids,
            products,
            suppresses: matches!(
                state.as_str(),
                "not_affected" | "false_positive" | "resolved" | "resolved_with_pedigree"
            ),
            status: state,
            justification: str_of(analysis, "justification"),
            reason: str_of(analysis, "detail"),
        });
    }
    out
}

/// Suppresses the findings that a `not_affected` or `fixed` statement
/// names, when the last statement naming them says so; findings already
/// suppressed are left alone. Returns how many were suppressed.
pub fn apply(documents: &[VexDocument], findings: &mut [Finding]) -> usize {
    let mut n = 0;
    for f in findings.iter_mut().filter(|f| f.suppression.is_none()) {
        let last = documents
            .iter()
            .flat_map(|d| d.statements.iter().map(move |s| (d, s)))
            .rfind(|(_, s)| s.applies_to(f));
        if let Some((doc, st)) = last.filter(|(_, s)| s.suppresses) {
            f.suppression = Some(Suppression {
                kind: SuppressionKind::Vex,
                source: doc.path.display().to_string(),
                reason: st.reason.clone().or_else(|| st.justification.clone()),
                vex_status: Some(st.status.clone()),
                justification: st.justification.clone(),
                expires: None,
            });
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testutil::finding;

    fn testdata(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/vex")
            .join(name)
    }

    fn demo() -> Vec<Finding> {
        vec![
            finding(
                "GHSA-35jh-r3h4-6jhm",
                &["CVE-2021-23337"],
                "pkg:npm/lodash@4.17.15",
                "web/package-lock.json",
            ),
            finding(
                "GHSA-p6mc-m468-83gw",
                &["CVE-2020-8203"],
                "pkg:npm/lodash@4.17.15",
                "web/package-lock.json",
            ),
            finding(
                "GHSA-xvch-5gv4-984h",
                &["CVE-2021-44906"],
                "pkg:npm/minimist@1.2.5",
                "web/package-lock.json",
            ),
            finding(
                "RUSTSEC-2021-0003",
                &["CVE-2021-25900"],
                "pkg:cargo/smallvec@1.6.0",
                "Cargo.lock",
            ),
        ]
    }

    #[test]
    fn openvex_statements() {
        let doc = VexDocument::load(&testdata("openvex.json")).unwrap();
        assert_eq!(doc.format, Format::OpenVex);
        let mut fs = demo();
        assert_eq!(apply(&[doc], &mut fs), 2);
        let s = fs[0].suppression.as_ref().unwrap();
        assert_eq!(s.kind, SuppressionKind::Vex);
        assert_eq!(s.vex_status.as_deref(), Some("not_affected"));
        assert_eq!(
            s.justification.as_deref(),
            Some("vulnerable_code_not_in_execute_path")
        );
        assert_eq!(
            s.reason.as_deref(),
            Some("template() is only called on constants")
        );
        // CVE-2020-8203 was under investigation, then fixed (the later
        // statement wins); minimist's statement names another version.
        assert_eq!(
            fs[1].suppression.as_ref().unwrap().vex_status.as_deref(),
            Some("fixed")
        );
        assert!(fs[2].suppression.is_none());
        // smallvec: `affected`.
        assert!(fs[3].suppression.is_none());
    }

    #[test]
    fn cyclonedx_vex() {
        let doc = VexDocument::load(&testdata("cyclonedx.json")).unwrap();
        assert_eq!(doc.format, Format::CycloneDx);
        let mut fs = demo();
        assert_eq!(apply(&[doc], &mut fs), 2);
        assert!(fs[0].suppression.is_none(), "in_triage");
        assert!(fs[1].suppression.is_none(), "names another package");
        let s = fs[2].suppression.as_ref().unwrap();
        assert_eq!(s.vex_status.as_deref(), Some("not_affected"));
        assert_eq!(s.justification.as_deref(), Some("code_not_reachable"));
        assert_eq!(s.reason.as_deref(), Some("only parses our own arguments"));
        let s = fs[3].suppression.as_ref().unwrap();
        assert_eq!(s.vex_status.as_deref(), Some("false_positive"));
    }

    #[test]
    fn bad_documents_are_named() {
        for (name, text) in [
            ("not-json.json", "not-json.json:2: not JSON"),
            ("not-vex.json", "neither an OpenVEX document"),
            ("bad-status.json", "unknown status `maybe`"),
        ] {
            let err = VexDocument::load(&testdata(name)).unwrap_err().to_string();
            assert!(err.contains(text) && err.contains(name), "{err}");
        }
    }
}
