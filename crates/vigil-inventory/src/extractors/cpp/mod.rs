//! C and C++ formats.

pub mod conan_lock;
pub mod vcpkg;
