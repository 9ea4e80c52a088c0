//! Swift Package Manager formats.

pub mod package_resolved;
