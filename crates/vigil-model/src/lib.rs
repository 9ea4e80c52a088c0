//! The shared vocabulary of vigil.
//!
//! This crate owns the types every other crate speaks: [`Ecosystem`],
//! [`Component`] (with its [`purl`]), [`Location`], [`Finding`], [`Severity`]
//! and the finding [`Fingerprint`].
//!
//! Invariants:
//! - No I/O. Nothing here reads a file or the network; the crate only
//!   describes data, so every scanner and every report writer can share it.
//! - Every scanner produces the same [`Finding`] shape, whatever found it,
//!   so report writers, the policy gate and the server never care which
//!   scanner made a finding.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod component;
mod diagnostic;
mod ecosystem;
mod finding;
mod image;
pub mod license;
pub mod progress;
pub mod purl;
mod remediation;
mod severity;
pub mod time;

pub use component::{Component, LayerRef, Location, SourcePackage};
pub use diagnostic::{Diagnostic, Level};
pub use ecosystem::{Ecosystem, EcosystemName, UnknownEcosystem};
pub use finding::{
    Cvss, Epss, Finding, FindingKind, Fingerprint, Help, NotChecked, PackageRef, Risk, Runtime,
    RuntimeProcess, SecretInfo, Suppression, SuppressionKind, VulnerableCode, VulnerableCodeStatus,
};
pub use image::{ImageFacts, OsFacts};
pub use remediation::Remediation;
pub use severity::{Severity, UnknownSeverity};
