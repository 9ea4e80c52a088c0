//! One module per version scheme. Each defines `Version` with
//! `fn parse(&str) -> Result<Version, String>` (the error is the reason) and
//! a total order (`Ord`) that follows the scheme's reference implementation.

pub(crate) mod apk;
pub(crate) mod cran;
pub(crate) mod dpkg;
pub(crate) mod go;
pub(crate) mod hackage;
pub(crate) mod maven;
pub(crate) mod nuget;
pub(crate) mod packagist;
pub(crate) mod pep440;
pub(crate) mod pub_dart;
pub(crate) mod rpm;
pub(crate) mod rubygems;
pub(crate) mod semver;
