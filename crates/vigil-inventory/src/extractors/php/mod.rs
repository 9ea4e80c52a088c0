//! PHP (Packagist) formats.

pub mod composer_installed;
pub mod composer_lock;
