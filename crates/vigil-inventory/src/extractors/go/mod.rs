//! Go module formats.

pub mod go_mod;
