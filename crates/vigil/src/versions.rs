//! `vigil versions compare`.

use std::io::{BufRead, Write};

use anyhow::{Context, Result};
use vigil_versions::Scheme;

use crate::cli::{CompareArgs, VersionsCommand};
use crate::Outcome;

pub(crate) fn run(cmd: &VersionsCommand) -> Result<Outcome> {
    match cmd {
        VersionsCommand::Compare(args) => compare(args),
    }
}

fn sign(o: std::cmp::Ordering) -> i8 {
    match o {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

fn compare(args: &CompareArgs) -> Result<Outcome> {
    let scheme = Scheme::for_ecosystem_name(&args.ecosystem).map_err(|e| {
        anyhow::anyhow!("{e}\nhint: use an OSV ecosystem name such as PyPI, npm, crates.io, Go, Maven or Debian:12")
    })?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let (Some(a), Some(b)) = (&args.a, &args.b) {
        let o = scheme.compare(a, b)?;
        writeln!(out, "{}", sign(o))?;
        return Ok(Outcome::Done);
    }
    let stdin = std::io::stdin();
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = line.with_context(|| format!("reading line {} of stdin", n + 1))?;
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            [] => writeln!(out)?,
            [a, b] => match scheme.compare(a, b) {
                Ok(o) => writeln!(out, "{}", sign(o))?,
                Err(e) => writeln!(out, "error: {e}")?,
            },
            _ => writeln!(
                out,
                "error: expected two versions separated by whitespace, got `{line}`"
            )?,
        }
    }
    out.flush()?;
    Ok(Outcome::Done)
}
