//! Java (Maven) formats.

pub mod gradle_lockfile;
pub mod pom;
