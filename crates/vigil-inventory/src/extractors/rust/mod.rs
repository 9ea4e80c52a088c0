//! Rust (crates.io) formats.

pub mod cargo_lock;
