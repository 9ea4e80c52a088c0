//! Java (Maven) formats.

pub mod archive;
pub mod gradle_lockfile;
pub mod pom;
