//! Java (Maven) formats.

pub mod gradle_lockfile;
