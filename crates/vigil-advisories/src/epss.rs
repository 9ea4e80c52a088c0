//! FIRST's Exploit Prediction Scoring System (EPSS): the daily CSV of
//! every published CVE's probability of being exploited in the next 30
//! days, and its percentile among all of them.
//!
//! The file, plain or gzip-compressed: an optional first comment line
//! (`#model_version:v2025.03.14,score_date:2026-11-27T12:55:00Z`), the
//! header `cve,epss,percentile`, then one row per CVE
//! (`CVE-2021-44228,0.94358,0.99983`).

use std::io::Read;
use std::path::Path;

use vigil_model::Diagnostic;

use crate::error::{Error, Result};

/// FIRST's current scores, published daily.
pub const DEFAULT_EPSS_URL: &str = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz";

/// The file name of the current scores (also looked for in a mirror).
pub const EPSS_FILE: &str = "epss_scores-current.csv.gz";

/// The largest decompressed file accepted (today's is about 10 MB).
const MAX_DECOMPRESSED: u64 = 1024 * 1024 * 1024;

/// Malformed rows reported one by one; the rest are counted.
const MAX_ROW_WARNINGS: usize = 20;

/// One CVE's EPSS figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpssScore {
    /// The probability of exploitation in the next 30 days (0–1).
    pub probability: f64,
    /// Its percentile among all scored CVEs (0–1).
    pub percentile: f64,
}

/// A whole EPSS file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EpssScores {
    /// The model that scored them (`v2025.03.14`), when the file says.
    pub model_version: Option<String>,
    /// When they were scored (`2026-11-27T12:55:00Z`), when the file says.
    pub score_date: Option<String>,
    /// `(CVE ID, score)`, in the file's order.
    pub scores: Vec<(String, EpssScore)>,
}

/// What the store holds of the last EPSS import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpssInfo {
    /// The model version, when the file gave it.
    pub model_version: Option<String>,
    /// The score date, when the file gave it.
    pub score_date: Option<String>,
    /// How many CVEs are scored.
    pub count: u64,
}

/// Whether bytes start like a gzip stream.
pub(crate) fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Whether the (decompressed) start of a file looks like an EPSS CSV: its
/// `#model_version` comment, or its `cve,epss` header.
pub(crate) fn looks_like(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let head = &head[start..];
    let lower: Vec<u8> = head.iter().take(16).map(u8::to_ascii_lowercase).collect();
    lower.starts_with(b"#model_version") || lower.starts_with(b"cve,epss")
}

/// Whether a file's bytes (plain or gzip) are an EPSS CSV, by content.
pub(crate) fn detect(bytes: &[u8]) -> bool {
    if is_gzip(bytes) {
        let mut head = Vec::with_capacity(256);
        let mut d = flate2::read::GzDecoder::new(bytes).take(256);
        // A truncated or corrupt stream still shows its first bytes.
        let _ = d.read_to_end(&mut head);
        looks_like(&head)
    } else {
        looks_like(bytes)
    }
}

/// Reads and parses an EPSS file (plain or gzip).
pub(crate) fn read_file(path: &Path, name: &str) -> Result<(EpssScores, Vec<Diagnostic>)> {
    let bytes = fs_err::read(path).map_err(|e| Error::io(path, e))?;
    parse(&bytes, name)
}

/// Parses an EPSS CSV, plain or gzip-compressed. A row that is not a CVE
/// with two figures between 0 and 1 is skipped with a warning naming
/// `name` and its line; a file without the `cve,epss,percentile` header is
/// an error naming it.
pub fn parse(bytes: &[u8], name: &str) -> Result<(EpssScores, Vec<Diagnostic>)> {
    let input = |message: String| Error::Input {
        name: name.to_string(),
        message,
    };
    let decompressed;
    let text: &[u8] = if is_gzip(bytes) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .take(MAX_DECOMPRESSED + 1)
            .read_to_end(&mut out)
            .map_err(|e| input(format!("not a valid gzip stream: {e}")))?;
        if out.len() as u64 > MAX_DECOMPRESSED {
            return Err(input(format!(
                "larger than {MAX_DECOMPRESSED} bytes decompressed"
            )));
        }
        decompressed = out;
        &decompressed
    } else {
        bytes
    };
    let text = text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(text);
    let mut scores = EpssScores::default();
    // The first comment line: `#key:value,key:value`.
    if let Some(first) = text.split(|b| *b == b'\n').next() {
        if let Some(comment) = first.strip_prefix(b"#") {
            let comment = String::from_utf8_lossy(comment);
            for part in comment.trim().split(',') {
                match part.split_once(':') {
                    Some(("model_version", v)) => scores.model_version = Some(v.trim().into()),
                    Some(("score_date", v)) => scores.score_date = Some(v.trim().into()),
                    _ => {}
                }
            }
        }
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .comment(Some(b'#'))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text);
    let header = reader
        .headers()
        .map_err(|e| input(format!("not an EPSS CSV: {e}")))?
        .clone();
    let column = |n: &str| header.iter().position(|h| h.eq_ignore_ascii_case(n));
    let (Some(cve_at), Some(epss_at), Some(pct_at)) =
        (column("cve"), column("epss"), column("percentile"))
    else {
        let shown = header.iter().collect::<Vec<_>>().join(",");
        return Err(input(format!(
            "not an EPSS CSV: the header is `{shown}`, not `cve,epss,percentile`"
        )));
    };
    let mut diagnostics = Vec::new();
    let mut skipped = 0usize;
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        let problem = match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => match row(&record, cve_at, epss_at, pct_at) {
                Ok(score) => {
                    scores.scores.push(score);
                    continue;
                }
                Err(why) => (record.position().map_or(line, |p| p.line()), why),
            },
            Err(e) => {
                let at = e.position().map_or(line, |p| p.line());
                if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    // An I/O error: nothing more can be read.
                    return Err(input(format!("line {at}: {e}")));
                }
                (at, "not valid UTF-8".to_string())
            }
        };
        skipped += 1;
        if skipped <= MAX_ROW_WARNINGS {
            diagnostics.push(Diagnostic::warning(
                name,
                u32::try_from(problem.0).ok(),
                format!("malformed EPSS row skipped: {}", problem.1),
            ));
        }
    }
    if skipped > MAX_ROW_WARNINGS {
        diagnostics.push(Diagnostic::warning(
            name,
            None,
            format!(
                "{} more malformed EPSS rows skipped",
                skipped - MAX_ROW_WARNINGS
            ),
        ));
    }
    Ok((scores, diagnostics))
}

/// One row: a CVE ID and two figures between 0 and 1.
fn row(
    record: &csv::StringRecord,
    cve_at: usize,
    epss_at: usize,
    pct_at: usize,
) -> std::result::Result<(String, EpssScore), String> {
    let cve = record.get(cve_at).unwrap_or_default();
    if !is_cve(cve) {
        return Err(format!("`{cve}` is not a CVE ID"));
    }
    let figure = |at: usize, what: &str| -> std::result::Result<f64, String> {
        let v = record.get(at).unwrap_or_default();
        match v.parse::<f64>() {
            Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
            _ => Err(format!("{what} `{v}` of {cve} is not a number from 0 to 1")),
        }
    };
    Ok((
        cve.to_ascii_uppercase(),
        EpssScore {
            probability: figure(epss_at, "the probability")?,
            percentile: figure(pct_at, "the percentile")?,
        },
    ))
}

/// `CVE-YYYY-NNNN...` (case-insensitive).
pub(crate) fn is_cve(id: &str) -> bool {
    let rest = match id.get(..4) {
        Some(p) if p.eq_ignore_ascii_case("CVE-") => &id[4..],
        _ => return false,
    };
    let Some((year, number)) = rest.split_once('-') else {
        return false;
    };
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && number.len() >= 4
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::Write;

    const PLAIN: &str = "#model_version:v2025.03.14,score_date:2026-11-27T12:55:00Z\n\
                         cve,epss,percentile\n\
                         CVE-2021-44228,0.94358,0.99983\n\
                         CVE-2020-8203,0.01234,0.85\n";

    fn gzip(text: &str) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(text.as_bytes()).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn parses_plain_and_gzip_alike() {
        let (plain, d) = parse(PLAIN.as_bytes(), "epss.csv").unwrap();
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(plain.model_version.as_deref(), Some("v2025.03.14"));
        assert_eq!(plain.score_date.as_deref(), Some("2026-11-27T12:55:00Z"));
        assert_eq!(
            plain.scores,
            [
                (
                    "CVE-2021-44228".to_string(),
                    EpssScore {
                        probability: 0.94358,
                        percentile: 0.99983
                    }
                ),
                (
                    "CVE-2020-8203".to_string(),
                    EpssScore {
                        probability: 0.01234,
                        percentile: 0.85
                    }
                ),
            ]
        );
        let (gz, d) = parse(&gzip(PLAIN), "epss.csv.gz").unwrap();
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(gz, plain);
        assert!(detect(PLAIN.as_bytes()) && detect(&gzip(PLAIN)));
        assert!(detect(b"cve,epss,percentile\n"));
        assert!(!detect(br#"{"id": "GHSA-1"}"#) && !detect(&gzip("{}")));
    }

    #[test]
    fn without_the_comment_line_there_is_no_date() {
        let (s, d) = parse(b"cve,epss,percentile\nCVE-2024-0001,0.5,0.9\n", "f").unwrap();
        assert!(d.is_empty());
        assert_eq!((s.model_version, s.score_date), (None, None));
        assert_eq!(s.scores.len(), 1);
    }

    #[test]
    fn bad_rows_are_skipped_with_their_line() {
        let text = "#model_version:v1,score_date:2026-01-01T00:00:00Z\n\
                    cve,epss,percentile\n\
                    CVE-2021-44228,0.9,0.99\n\
                    GHSA-xxxx,0.1,0.2\n\
                    CVE-2022-0001,1.5,0.2\n\
                    CVE-2022-0002,abc\n\
                    CVE-2022-0003,0.2,0.3\n";
        let (s, d) = parse(text.as_bytes(), "scores.csv").unwrap();
        let ids: Vec<&str> = s.scores.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(ids, ["CVE-2021-44228", "CVE-2022-0003"]);
        let shown: Vec<String> = d.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert!(shown[0].starts_with("scores.csv:4: "), "{shown:?}");
        assert!(
            shown[0].contains("`GHSA-xxxx` is not a CVE ID"),
            "{shown:?}"
        );
        assert!(shown[1].starts_with("scores.csv:5: "), "{shown:?}");
        assert!(shown[1].contains("`1.5`"), "{shown:?}");
        assert!(shown[2].starts_with("scores.csv:6: "), "{shown:?}");
    }

    #[test]
    fn many_bad_rows_are_summarized() {
        let mut text = String::from("cve,epss,percentile\n");
        for _ in 0..50 {
            text.push_str("nope,1,1\n");
        }
        let (s, d) = parse(text.as_bytes(), "f.csv").unwrap();
        assert!(s.scores.is_empty());
        assert_eq!(d.len(), MAX_ROW_WARNINGS + 1);
        assert!(d[MAX_ROW_WARNINGS].message.contains("30 more"), "{d:?}");
    }

    #[test]
    fn a_file_without_the_header_is_an_error_naming_it() {
        let e = parse(b"#model_version:v1\nid,score\nCVE-2021-1,0.1\n", "bad.csv").unwrap_err();
        assert_eq!(
            e.to_string(),
            "bad.csv: not an EPSS CSV: the header is `id,score`, not `cve,epss,percentile`"
        );
        let e = parse(&gzip(""), "empty.csv.gz").unwrap_err();
        assert!(
            e.to_string().starts_with("empty.csv.gz: not an EPSS CSV"),
            "{e}"
        );
        let e = parse(&[0x1f, 0x8b, 0, 1, 2], "broken.gz").unwrap_err();
        assert!(
            e.to_string().starts_with("broken.gz: not a valid gzip"),
            "{e}"
        );
    }

    #[test]
    fn cve_ids() {
        assert!(is_cve("CVE-2021-44228") && is_cve("cve-1999-0001"));
        assert!(!is_cve("CVE-21-1") && !is_cve("GHSA-1") && !is_cve("CVE-2021-"));
    }
}
