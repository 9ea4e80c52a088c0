//! Rust (crates.io) formats.

pub mod auditable;
pub mod cargo_lock;
