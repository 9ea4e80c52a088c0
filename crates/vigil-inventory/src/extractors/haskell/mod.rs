//! Haskell formats.

pub mod cabal_freeze;
