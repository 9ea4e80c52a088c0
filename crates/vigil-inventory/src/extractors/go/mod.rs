//! Go module formats.

pub mod binary;
pub mod go_mod;
