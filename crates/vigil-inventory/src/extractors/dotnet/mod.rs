//! .NET (NuGet) formats.

pub mod packages_lock;
