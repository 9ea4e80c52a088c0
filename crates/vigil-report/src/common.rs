//! What several writers share: timestamps, content hashes, hash
//! conversion, advisory links, deterministic identifiers.

use std::collections::BTreeMap;
use std::io::Write;

use base64::Engine;
use sha2::{Digest, Sha256};
use vigil_model::{Ecosystem, Finding, FindingKind};

use crate::Report;

/// The page of an advisory (osv.dev resolves OSV, GHSA and CVE IDs alike).
pub(crate) fn advisory_url(id: &str) -> String {
    format!("https://osv.dev/vulnerability/{id}")
}

/// The page that explains a finding: its advisory, or for a license
/// finding the SPDX page of its license (when the declared license is one
/// SPDX identifier).
pub(crate) fn finding_url(f: &Finding) -> Option<String> {
    match f.kind {
        FindingKind::License => license_url(&f.id),
        // A rule's page, never an advisory link.
        FindingKind::Misconfiguration | FindingKind::Secret => {
            f.help.as_ref().and_then(|h| h.url.clone())
        }
        _ => Some(advisory_url(&f.id)),
    }
}

/// The SPDX list's page of a single license identifier.
fn license_url(expression: &str) -> Option<String> {
    let id = expression.trim().trim_end_matches('+');
    let single = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'));
    (single && vigil_model::license::is_spdx_expression(id))
        .then(|| format!("https://spdx.org/licenses/{id}.html"))
}

/// The CVE among a finding's IDs, when the finding's own ID is not one.
pub(crate) fn cve_alias(f: &Finding) -> Option<&str> {
    if f.id.starts_with("CVE-") {
        return None;
    }
    f.aliases
        .iter()
        .find(|a| a.starts_with("CVE-"))
        .map(String::as_str)
}

/// `ID (CVE-...)`, or the ID alone.
pub(crate) fn id_with_cve(f: &Finding) -> String {
    match cve_alias(f) {
        Some(cve) => format!("{} ({cve})", f.id),
        None => f.id.clone(),
    }
}

/// `name version`, or `-` for a finding about no package.
pub(crate) fn package_label(f: &Finding) -> String {
    f.package
        .as_ref()
        .map(|p| format!("{} {}", p.name, p.version))
        .unwrap_or_else(|| "-".to_string())
}

/// Why a finding's risk score is what it is (docs/risk.md): `risk 9.8 →
/// 6.1: reason; reason` (the CVSS base score, then the score), or `risk
/// 7.5: not in KEV` when the context left the base score as it was.
/// `None` without a score.
pub(crate) fn risk_line(f: &Finding) -> Option<String> {
    let risk = f.risk.as_ref()?;
    let base = f.cvss.as_ref().map(|c| c.score);
    let mut line = match base {
        Some(b) if (b - risk.score).abs() >= 0.05 => format!("risk {b:.1} → {:.1}", risk.score),
        _ => format!("risk {:.1}", risk.score),
    };
    if !risk.reasons.is_empty() {
        line.push_str(": ");
        line.push_str(&risk.reasons.join("; "));
    }
    Some(line)
}

/// Whether the context moved a finding's risk score away from its CVSS
/// base score (the table explains those scores on a line of their own).
pub(crate) fn risk_adjusted(f: &Finding) -> bool {
    match (&f.risk, &f.cvss) {
        (Some(r), Some(c)) => (c.score - r.score).abs() >= 0.05,
        (Some(_), None) => true,
        _ => false,
    }
}

/// `path:line`, or the path alone.
pub(crate) fn location_label(f: &Finding) -> String {
    match f.location.line {
        Some(l) => format!("{}:{l}", f.location.path),
        None => f.location.path.clone(),
    }
}

/// One line on why a finding is suppressed: `ignored by FILE: reason
/// (until DATE)`, `VEX FILE: not_affected (justification): reason`,
/// `in the baseline FILE`.
pub(crate) fn suppression_label(s: &vigil_model::Suppression) -> String {
    use vigil_model::SuppressionKind;
    let mut out = match s.kind {
        SuppressionKind::Ignore => format!("ignored by {}", s.source),
        SuppressionKind::Vex => {
            let mut t = format!("VEX {}", s.source);
            if let Some(status) = &s.vex_status {
                t.push_str(": ");
                t.push_str(status);
                if let Some(j) = &s.justification {
                    t.push_str(&format!(" ({j})"));
                }
            }
            t
        }
        SuppressionKind::Baseline => format!("in the baseline {}", s.source),
        SuppressionKind::Inline => format!("ignored in {}", s.source),
    };
    if let Some(reason) = &s.reason {
        out.push_str(": ");
        out.push_str(reason);
    }
    if let Some(expires) = &s.expires {
        out.push_str(&format!(" (until {expires})"));
    }
    out
}

/// The name of a suppression kind, as reports write it.
pub(crate) fn suppression_kind(s: &vigil_model::Suppression) -> &'static str {
    match s.kind {
        vigil_model::SuppressionKind::Ignore => "ignore",
        vigil_model::SuppressionKind::Vex => "vex",
        vigil_model::SuppressionKind::Baseline => "baseline",
        vigil_model::SuppressionKind::Inline => "inline",
    }
}

/// Escapes what Markdown would read as markup in plain text.
pub(crate) fn escape_md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\`*_{}[]<>()#+!|~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A UTC timestamp, `YYYY-MM-DDTHH:MM:SSZ`, from seconds since the Unix
/// epoch.
pub(crate) fn rfc3339(secs: i64) -> String {
    vigil_model::time::rfc3339(secs)
}

/// What an SBOM describes of a report: all of it but its `source` (the
/// commit a repository was at changes with every commit, the components
/// need not). Serializes as the report does without a source.
#[derive(serde::Serialize)]
struct Described<'a> {
    schema_version: u32,
    tool: &'a crate::Tool,
    target: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a vigil_model::ImageFacts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    os: Option<&'a vigil_model::OsFacts>,
    components: &'a [crate::ReportComponent],
    findings: &'a [Finding],
    remediation: &'a [vigil_model::Remediation],
    not_checked: &'a [vigil_model::NotChecked],
    diagnostics: &'a [vigil_model::Diagnostic],
}

impl<'a> From<&'a Report> for Described<'a> {
    fn from(r: &'a Report) -> Described<'a> {
        Described {
            schema_version: r.schema_version,
            tool: &r.tool,
            target: &r.target,
            image: r.image.as_ref(),
            os: r.os.as_ref(),
            components: &r.components,
            findings: &r.findings,
            remediation: &r.remediation,
            not_checked: &r.not_checked,
            diagnostics: &r.diagnostics,
        }
    }
}

/// A writer that only feeds a SHA-256.
struct HashWriter(Sha256);

impl Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A SHA-256 over the report's content (its JSON form) and `salt`: the same
/// scan gives the same digest.
pub(crate) fn content_digest(report: &Report, salt: &str) -> std::io::Result<[u8; 32]> {
    let mut w = HashWriter(Sha256::new());
    serde_json::to_writer(&mut w, &Described::from(report))?;
    w.0.update([0]);
    w.0.update(salt.as_bytes());
    Ok(w.0.finalize().into())
}

/// A UUID made from a digest (version 8, RFC 9562's layout for
/// application-defined UUIDs): deterministic, unlike a random one.
pub(crate) fn uuid_from(digest: &[u8; 32]) -> String {
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// Hash algorithms the SBOM formats name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum HashAlg {
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
    Sha3_256,
    Sha3_384,
    Sha3_512,
    Blake2b256,
    Blake2b384,
    Blake2b512,
    Blake3,
}

impl HashAlg {
    fn from_name(name: &str) -> Option<HashAlg> {
        Some(match name.to_ascii_lowercase().as_str() {
            "md5" => HashAlg::Md5,
            "sha1" | "sha-1" => HashAlg::Sha1,
            "sha256" | "sha-256" => HashAlg::Sha256,
            "sha384" | "sha-384" => HashAlg::Sha384,
            "sha512" | "sha-512" => HashAlg::Sha512,
            "sha3-256" => HashAlg::Sha3_256,
            "sha3-384" => HashAlg::Sha3_384,
            "sha3-512" => HashAlg::Sha3_512,
            "blake2b-256" => HashAlg::Blake2b256,
            "blake2b-384" => HashAlg::Blake2b384,
            "blake2b-512" => HashAlg::Blake2b512,
            "blake3" => HashAlg::Blake3,
            _ => return None,
        })
    }

    /// The digest length in bytes.
    fn len(self) -> usize {
        match self {
            HashAlg::Md5 => 16,
            HashAlg::Sha1 => 20,
            HashAlg::Sha256 | HashAlg::Sha3_256 | HashAlg::Blake2b256 | HashAlg::Blake3 => 32,
            HashAlg::Sha384 | HashAlg::Sha3_384 | HashAlg::Blake2b384 => 48,
            HashAlg::Sha512 | HashAlg::Sha3_512 | HashAlg::Blake2b512 => 64,
        }
    }

    /// CycloneDX's name (`hash-alg`).
    pub(crate) fn cyclonedx(self) -> &'static str {
        match self {
            HashAlg::Md5 => "MD5",
            HashAlg::Sha1 => "SHA-1",
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
            HashAlg::Sha512 => "SHA-512",
            HashAlg::Sha3_256 => "SHA3-256",
            HashAlg::Sha3_384 => "SHA3-384",
            HashAlg::Sha3_512 => "SHA3-512",
            HashAlg::Blake2b256 => "BLAKE2b-256",
            HashAlg::Blake2b384 => "BLAKE2b-384",
            HashAlg::Blake2b512 => "BLAKE2b-512",
            HashAlg::Blake3 => "BLAKE3",
        }
    }

    /// SPDX's name (`Checksum.algorithm`).
    pub(crate) fn spdx(self) -> &'static str {
        match self {
            HashAlg::Md5 => "MD5",
            HashAlg::Sha1 => "SHA1",
            HashAlg::Sha256 => "SHA256",
            HashAlg::Sha384 => "SHA384",
            HashAlg::Sha512 => "SHA512",
            HashAlg::Sha3_256 => "SHA3-256",
            HashAlg::Sha3_384 => "SHA3-384",
            HashAlg::Sha3_512 => "SHA3-512",
            HashAlg::Blake2b256 => "BLAKE2b-256",
            HashAlg::Blake2b384 => "BLAKE2b-384",
            HashAlg::Blake2b512 => "BLAKE2b-512",
            HashAlg::Blake3 => "BLAKE3",
        }
    }
}

/// A content hash as the sources write it — `alg:hex` (`sha256:…`) or a
/// subresource-integrity `alg-base64` (`sha512-…`) — as an algorithm and
/// lower-case hex. `None` for what names no plain digest of the artifact
/// (Go's `h1:` is a hash over a file list) or does not decode to the
/// algorithm's length.
pub(crate) fn parse_hash(text: &str) -> Option<(HashAlg, String)> {
    if let Some((alg, hex_part)) = text.split_once(':') {
        let alg = HashAlg::from_name(alg)?;
        let bytes = hex::decode(hex_part).ok()?;
        return (bytes.len() == alg.len()).then(|| (alg, hex::encode(bytes)));
    }
    let (alg, b64) = text.split_once('-')?;
    let alg = match alg {
        "sha1" | "sha256" | "sha384" | "sha512" => HashAlg::from_name(alg)?,
        _ => return None,
    };
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    (bytes.len() == alg.len()).then(|| (alg, hex::encode(bytes)))
}

/// A component's hashes converted, sorted and deduplicated.
pub(crate) fn parsed_hashes(hashes: &[String]) -> Vec<(HashAlg, String)> {
    let mut out: Vec<(HashAlg, String)> = hashes.iter().filter_map(|h| parse_hash(h)).collect();
    out.sort();
    out.dedup();
    out
}

/// The dependency graph of a report's components, as indices into
/// `report.components`: each component's dependency names looked up among
/// the components declared in the same file (and ecosystem). A name that
/// file resolves to several versions is left out rather than guessed.
/// Each list is sorted and without duplicates.
pub(crate) fn dependency_graph(report: &Report) -> Vec<Vec<usize>> {
    let mut index: BTreeMap<(&str, Ecosystem, String), Vec<usize>> = BTreeMap::new();
    for (i, c) in report.components.iter().enumerate() {
        for loc in &c.locations {
            let slot = index
                .entry((
                    loc.path.as_str(),
                    c.ecosystem,
                    c.ecosystem.normalize_name(&c.name),
                ))
                .or_default();
            if slot.last() != Some(&i) {
                slot.push(i);
            }
        }
    }
    report
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut deps = Vec::new();
            if c.dependencies.is_empty() {
                return deps;
            }
            for loc in &c.locations {
                for name in &c.dependencies {
                    let key = (
                        loc.path.as_str(),
                        c.ecosystem,
                        c.ecosystem.normalize_name(name),
                    );
                    if let Some([one]) = index.get(&key).map(Vec::as_slice) {
                        if *one != i {
                            deps.push(*one);
                        }
                    }
                }
            }
            deps.sort_unstable();
            deps.dedup();
            deps
        })
        .collect()
}

/// What tables add after a finding's title, in parentheses: where it runs
/// (a host scan) and whether its vulnerable code is linked in.
pub(crate) fn finding_notes(f: &Finding) -> Option<String> {
    let notes: Vec<String> = f
        .runtime
        .as_ref()
        .map(|r| r.summary())
        .into_iter()
        .chain(f.vulnerable_code.as_ref().map(|v| v.summary()))
        .collect();
    (!notes.is_empty()).then(|| notes.join("; "))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_content_digest_leaves_the_source_out() {
        let mut report = crate::testutil::sample_report();
        // Without a source, the digest is that of the report's own JSON.
        let mut plain = Sha256::new();
        plain.update(serde_json::to_vec(&report).unwrap());
        plain.update([0]);
        plain.update(b"salt");
        let before = content_digest(&report, "salt").unwrap();
        assert_eq!(before, <[u8; 32]>::from(plain.finalize()));
        let mut source = crate::ScanSource::new(crate::SourceKind::Repository, "r");
        source.commit = Some("0123456789abcdef0123456789abcdef01234567".into());
        report.source = Some(source);
        assert_eq!(content_digest(&report, "salt").unwrap(), before);
        assert_ne!(content_digest(&report, "other").unwrap(), before);
    }

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(4_102_444_799), "2099-12-31T23:59:59Z");
    }

    #[test]
    fn hashes_convert_where_the_algorithm_maps() {
        let (alg, hex) =
            parse_hash("sha256:C5EB0CAB91F094599F94D55BC63409236A8EC69A21A67814529E8D5F6CC90B3B")
                .unwrap();
        assert_eq!(alg, HashAlg::Sha256);
        assert_eq!(
            hex,
            "c5eb0cab91f094599f94d55bc63409236a8ec69a21a67814529e8d5f6cc90b3b"
        );
        let (alg, hex) = parse_hash("sha512-HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==").unwrap();
        assert_eq!(alg, HashAlg::Sha512);
        assert_eq!(hex.len(), 128);
        assert!(hex.starts_with("1eb0b9"));
        assert_eq!(
            parse_hash("sha1:f4393b648b78a5408747de94fca38beb5f7e9ef8").map(|h| h.0),
            Some(HashAlg::Sha1)
        );
        // Go's dirhash, unknown algorithms, wrong lengths, bad encodings.
        for bad in [
            "h1:SYNTHETICnet023AAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "crc32:abcd",
            "sha256:ab",
            "sha256:zz",
            "sha512-notbase64!",
            "md5-AAAA",
            "",
        ] {
            assert_eq!(parse_hash(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_graph_resolves_names_within_a_file() {
        let report = crate::testutil::sample_report();
        let graph = dependency_graph(&report);
        let name = |i: usize| report.components[i].name.as_str();
        let lodash = report
            .components
            .iter()
            .position(|c| c.name == "lodash")
            .unwrap();
        let deps: Vec<&str> = graph[lodash].iter().map(|&i| name(i)).collect();
        assert_eq!(deps, ["minimist"]);
        assert_eq!(graph.iter().map(Vec::len).sum::<usize>(), 1);
    }

    #[test]
    fn uuids_are_well_formed() {
        let u = uuid_from(&[0xff; 32]);
        assert_eq!(u, "ffffffff-ffff-8fff-bfff-ffffffffffff");
        let u = uuid_from(&[0; 32]);
        assert_eq!(u, "00000000-0000-8000-8000-000000000000");
    }
}
