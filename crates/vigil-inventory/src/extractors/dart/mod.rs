//! Dart (Pub) formats.

pub mod pubspec_lock;
