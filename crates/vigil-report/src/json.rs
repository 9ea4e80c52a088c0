//! The JSON report (schema documented in `docs/report-json.md`).
//!
//! The output is exactly what `serde_json::to_writer_pretty` writes for
//! [`Report`]; the large arrays are serialized in parallel chunks, since a
//! monorepo's report runs to hundreds of thousands of entries.

use std::io::Write;

use rayon::prelude::*;
use serde::Serialize;

use crate::Report;

/// Elements serialized per parallel batch.
const CHUNK: usize = 4096;

/// Writes the report as pretty-printed JSON followed by a newline.
pub fn write_json(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(b"{\n")?;
    field(out, "schema_version", &report.schema_version)?;
    field(out, "tool", &report.tool)?;
    field(out, "target", &report.target)?;
    if let Some(source) = &report.source {
        field(out, "source", source)?;
    }
    if let Some(image) = &report.image {
        field(out, "image", image)?;
    }
    if let Some(os) = &report.os {
        field(out, "os", os)?;
    }
    array(out, "components", &report.components, false)?;
    array(out, "findings", &report.findings, false)?;
    array(out, "remediation", &report.remediation, false)?;
    array(out, "not_checked", &report.not_checked, false)?;
    array(out, "diagnostics", &report.diagnostics, true)?;
    out.write_all(b"}\n")
}

/// Pretty JSON of `value`, every line after the first indented by `indent`
/// spaces. JSON strings never hold a raw newline, so splitting on `\n` is
/// exact.
fn pretty_indented<T: Serialize>(value: &T, indent: usize) -> std::io::Result<Vec<u8>> {
    let raw = serde_json::to_vec_pretty(value)?;
    let pad = vec![b' '; indent];
    let mut buf = Vec::with_capacity(raw.len() + raw.len() / 8);
    for (i, line) in raw.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            buf.push(b'\n');
            buf.extend_from_slice(&pad);
        }
        buf.extend_from_slice(line);
    }
    Ok(buf)
}

fn key(out: &mut dyn Write, name: &str) -> std::io::Result<()> {
    out.write_all(b"  ")?;
    serde_json::to_writer(&mut *out, name)?;
    out.write_all(b": ")
}

fn field<T: Serialize>(out: &mut dyn Write, name: &str, value: &T) -> std::io::Result<()> {
    key(out, name)?;
    out.write_all(&pretty_indented(value, 2)?)?;
    out.write_all(b",\n")
}

fn array<T: Serialize + Sync>(
    out: &mut dyn Write,
    name: &str,
    items: &[T],
    last: bool,
) -> std::io::Result<()> {
    key(out, name)?;
    if items.is_empty() {
        out.write_all(b"[]")?;
    } else {
        out.write_all(b"[\n")?;
        for (c, chunk) in items.chunks(CHUNK).enumerate() {
            let parts: Vec<std::io::Result<Vec<u8>>> = chunk
                .par_iter()
                .map(|item| pretty_indented(item, 4))
                .collect();
            for (i, part) in parts.into_iter().enumerate() {
                if c > 0 || i > 0 {
                    out.write_all(b",\n")?;
                }
                out.write_all(b"    ")?;
                out.write_all(&part?)?;
            }
        }
        out.write_all(b"\n  ]")?;
    }
    out.write_all(if last { b"\n" } else { b",\n" })
}

#[cfg(test)]
mod tests {
    use vigil_model::{Component, Diagnostic, Ecosystem, NotChecked};

    use super::*;

    #[test]
    fn same_bytes_as_serde_json_pretty() {
        let components: Vec<Component> = (0..10_000)
            .map(|i| {
                Component::new(Ecosystem::PyPI, format!("pkg-{i}"), "1.0")
                    .at(format!("dir/{}/requirements.txt", i % 7), Some(i))
                    .direct(Some(i % 2 == 0))
            })
            .collect();
        let nc = vec![NotChecked {
            ecosystem: Ecosystem::Npm,
            name: "a \"quoted\"\nname".into(),
            version: ">=1".into(),
            location: vigil_model::Location::new("package.json", None),
            reason: "not pinned".into(),
        }];
        let diags = vec![Diagnostic::warning("x", Some(3), "bad")];
        let mut sourced = Report::new("src", Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut source =
            crate::ScanSource::new(crate::SourceKind::Repository, "https://example.com/r");
        source.commit = Some("0123456789abcdef0123456789abcdef01234567".into());
        source.branch = Some("main".into());
        sourced.source = Some(source);
        for report in [
            Report::new("t", components, Vec::new(), nc, diags),
            Report::new("empty", Vec::new(), Vec::new(), Vec::new(), Vec::new()),
            sourced,
        ] {
            let mut ours = Vec::new();
            write_json(&report, &mut ours).unwrap();
            let mut theirs = serde_json::to_vec_pretty(&report).unwrap();
            theirs.push(b'\n');
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs).unwrap()
            );
        }
    }
}
