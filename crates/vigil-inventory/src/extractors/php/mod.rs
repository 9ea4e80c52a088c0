//! PHP (Packagist) formats.

pub mod composer_lock;
