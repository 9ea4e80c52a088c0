//! Archives of any ecosystem: their entries are read by the other
//! extractors.

pub mod zip_bundle;
