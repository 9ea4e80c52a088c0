//! Elixir (Hex) formats.

pub mod mix_lock;
