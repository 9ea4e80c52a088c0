//! npm formats.

pub mod package_lock;
