//! R formats.

pub mod renv_lock;
