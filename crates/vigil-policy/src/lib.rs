//! Triage and gates: what decides whether a finding is shown as open and
//! whether a scan passes.
//!
//! - [`ignore`]: the ignore file (`.vigilignore.yaml`), entries by ID or
//!   alias, package URL glob and path glob, each with a reason and an
//!   optional expiry date;
//! - [`vex`]: OpenVEX and CycloneDX VEX statements;
//! - [`baseline`]: the fingerprints of a previous JSON report;
//! - [`license`]: `--deny-license` / `--allow-license` over SPDX
//!   expressions, producing license findings;
//! - [`remediation`]: the smallest version that fixes a package's findings
//!   and the dependency paths that introduced it;
//! - [`rego`]: Rego policies evaluated over the JSON report, the way
//!   conftest does.
//!
//! Invariants:
//! - Suppression never removes a finding: it sets
//!   [`Finding::suppression`](vigil_model::Finding::suppression), and the
//!   first statement that applies (ignore file, then VEX, then baseline)
//!   wins.
//! - A malformed input file is an error naming the file (and the line,
//!   where the parser tells); nothing here prints.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod baseline;
mod date;
mod error;
pub mod ignore;
pub mod license;
mod purl_match;
pub mod rego;
pub mod remediation;
pub mod vex;

#[cfg(test)]
mod testutil;

pub use date::today;
pub use error::PolicyError;
