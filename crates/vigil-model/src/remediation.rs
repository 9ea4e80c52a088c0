//! Remediation advice: how to get rid of a vulnerable package's findings.

use serde::Serialize;

use crate::Ecosystem;

/// What to do about one vulnerable package at one location: the smallest
/// version that fixes its open findings, and the dependency paths that
/// brought it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remediation {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// Its name.
    pub name: String,
    /// The installed version.
    pub version: String,
    /// The file that declares it (a finding's location path).
    pub path: String,
    /// The smallest version (by the ecosystem's rules) that none of the
    /// `resolves` findings affects; `None` when no single version does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// The IDs of the open findings `fixed_version` fixes, sorted.
    pub resolves: Vec<String>,
    /// The IDs of open findings it does not fix (no fixed version is
    /// known, or none fixes them together with the others), sorted.
    pub unresolved: Vec<String>,
    /// How it was introduced: the shortest dependency paths from a direct
    /// dependency of the project to it, each a list of package names, at
    /// most a few. `[[name]]` when it is itself direct; empty when the
    /// file does not tell.
    pub introduced_via: Vec<Vec<String>>,
}
