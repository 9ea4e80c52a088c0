//! Operating-system package databases: what a distribution's package
//! manager installed (dpkg, apk, rpm).
//!
//! These extractors match the database paths relative to the scan root
//! (`var/lib/dpkg/status`, `lib/apk/db/installed`, `var/lib/rpm/...`), so
//! they apply when the root is a root filesystem (a host, an unpacked
//! image). The components they return carry no release: the distribution
//! and release come from `etc/os-release`, applied by
//! [`crate::os::OsRelease::apply`] (the directory walk does it).

pub mod apk;
pub(crate) mod bdb;
pub mod dpkg;
pub mod rpm;
pub(crate) mod rpm_header;

use std::path::Path;

use vigil_model::purl::for_os_package;
use vigil_model::Ecosystem;

/// Whether a root-relative path is one of the package databases these
/// extractors read: the components found there are the ones
/// [`crate::os::OsRelease::apply`] assigns to the distribution.
pub fn is_package_database(path: &str) -> bool {
    use crate::Extractor;
    let p = Path::new(path);
    dpkg::DpkgStatus.matches(p)
        || apk::ApkInstalled.matches(p)
        || rpm::RpmdbSqlite.matches(p)
        || rpm::RpmdbBdb.matches(p)
}

/// A root-relative path as `/`-separated text (empty when not UTF-8).
fn rel_str(path: &Path) -> String {
    let parts: Vec<&str> = path
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    parts.join("/")
}

/// The purl of a package before its distribution is known (no `distro`
/// qualifier): the ecosystem's vendor namespace and the qualifiers the
/// database gives.
fn purl(ecosystem: Ecosystem, name: &str, version: &str, qualifiers: &[(&str, &str)]) -> String {
    for_os_package(ecosystem, name, version, qualifiers)
}
