//! .NET (NuGet) formats.

pub mod deps_json;
pub mod packages_config;
pub mod packages_lock;
