//! Python (PyPI) formats.

pub mod poetry_lock;
pub mod requirements;
