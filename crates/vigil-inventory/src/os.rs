//! The distribution and release of a root filesystem, and what it means
//! for the OS packages found there.
//!
//! OSV files a distribution's advisories under the release
//! (`Debian:12`, `Ubuntu:22.04:LTS`, `Alpine:v3.20`, `AlmaLinux:9`), so an
//! OS package is only checked once the release is known. [`OsRelease`]
//! reads it from the files a distribution ships:
//!
//! - `etc/os-release`, else `usr/lib/os-release` (the freedesktop
//!   os-release format: `ID`, `VERSION_ID`, `VERSION`, `ID_LIKE`);
//! - else `etc/alpine-release` (`3.20.3`), `etc/debian_version` (`12.5`)
//!   or `etc/redhat-release` (`AlmaLinux release 9.4 (Seafoam Ocelot)`).
//!
//! [`OsRelease::detect`] reads them below a directory, never following a
//! symlink out of it (`etc/os-release` is usually a link to
//! `../usr/lib/os-release`; an absolute link is resolved inside the root).
//! Callers that hold files another way (the layers of an image) use
//! [`OsRelease::detect_with`] or the `from_*` constructors on the file
//! contents. [`OsRelease::apply`] then moves the packages of the OS package
//! databases to the distribution's ecosystem and release and adds the
//! `distro` qualifier to their purls.
//!
//! Release suffixes, as OSV writes them: Debian `VERSION_ID` as is
//! (`12`); Ubuntu `VERSION_ID`, with `:LTS` when `VERSION` says LTS
//! (`22.04:LTS`, `24.10`); Alpine `v` and the first two numbers of
//! `VERSION_ID` (`v3.20`); AlmaLinux, Rocky Linux and Red Hat Enterprise
//! Linux the major version (`9`). Debian testing and unstable have no
//! `VERSION_ID`: there is no release, and their packages are reported as
//! not checked. A distribution OSV does not cover (Fedora, Amazon Linux,
//! CentOS, ...) is still identified, without an ecosystem.

use std::path::{Component as PathPart, Path, PathBuf};

use vigil_model::purl::{self, for_os_package};
use vigil_model::{Component, Ecosystem};

/// Files larger than this are not release files.
const MAX_RELEASE_FILE: u64 = 64 * 1024;
/// Symlinks followed at most, in a chain.
const MAX_LINKS: usize = 16;

/// A distribution and release, as detected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsRelease {
    /// The os-release `ID` (`debian`, `ubuntu`, `alpine`, `almalinux`,
    /// `rocky`, `rhel`, `fedora`, ...), lower case.
    pub id: String,
    /// The os-release `VERSION_ID` (`12`, `22.04`, `3.20.3`, `9.4`), when
    /// given.
    pub version_id: Option<String>,
    /// A name to show (`PRETTY_NAME`, else `NAME`, else the ID).
    pub pretty_name: String,
    /// The OSV ecosystem of its packages, when OSV covers the
    /// distribution.
    pub ecosystem: Option<Ecosystem>,
    /// The OSV release suffix (`12`, `22.04:LTS`, `v3.20`, `9`), when
    /// known.
    pub release: Option<String>,
}

impl OsRelease {
    /// Reads an os-release file. `None` when it has no `ID`.
    pub fn from_os_release(text: &str) -> Option<OsRelease> {
        let mut id = None;
        let mut version_id = None;
        let mut version = None;
        let mut pretty = None;
        let mut name = None;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = unquote(value.trim());
            if value.is_empty() {
                continue;
            }
            match key.trim() {
                "ID" => id = Some(value.to_ascii_lowercase()),
                "VERSION_ID" => version_id = Some(value),
                "VERSION" => version = Some(value),
                "PRETTY_NAME" => pretty = Some(value),
                "NAME" => name = Some(value),
                _ => {}
            }
        }
        let id = id?;
        Some(OsRelease::new(
            &id,
            version_id,
            version.as_deref(),
            pretty.or(name),
        ))
    }

    /// Reads `etc/alpine-release` (`3.20.3`).
    pub fn from_alpine_release(text: &str) -> Option<OsRelease> {
        let v = text.lines().next()?.trim();
        (!v.is_empty()).then(|| OsRelease::new("alpine", Some(v.to_string()), None, None))
    }

    /// Reads `etc/debian_version` (`12.5`; `trixie/sid` on testing, which
    /// gives no release).
    pub fn from_debian_version(text: &str) -> Option<OsRelease> {
        let v = text.lines().next()?.trim();
        if v.is_empty() {
            return None;
        }
        let major = v.split('.').next().unwrap_or("");
        let version_id = (!major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()))
            .then(|| major.to_string());
        Some(OsRelease::new("debian", version_id, None, None))
    }

    /// Reads `etc/redhat-release` (`AlmaLinux release 9.4 (Seafoam
    /// Ocelot)`, `Rocky Linux release 9.3 (Blue Onyx)`, `Red Hat
    /// Enterprise Linux release 9.4 (Plow)`).
    pub fn from_redhat_release(text: &str) -> Option<OsRelease> {
        let line = text.lines().next()?.trim();
        let (product, rest) = line.split_once(" release ")?;
        let version = rest.split_whitespace().next()?.to_string();
        let id = match product.trim().to_ascii_lowercase().as_str() {
            "almalinux" => "almalinux",
            "rocky linux" => "rocky",
            p if p.starts_with("red hat enterprise linux") => "rhel",
            "centos linux" | "centos stream" | "centos" => "centos",
            "fedora" => "fedora",
            _ => return None,
        };
        Some(OsRelease::new(
            id,
            Some(version),
            None,
            Some(line.to_string()),
        ))
    }

    fn new(
        id: &str,
        version_id: Option<String>,
        version: Option<&str>,
        pretty: Option<String>,
    ) -> OsRelease {
        let major = |v: &str| v.split('.').next().unwrap_or(v).to_string();
        let (ecosystem, release) = match id {
            "debian" => (Some(Ecosystem::Debian), version_id.as_deref().map(major)),
            "ubuntu" => {
                let lts = version.is_some_and(|v| v.contains("LTS"));
                let release = version_id.as_deref().map(|v| {
                    if lts {
                        format!("{v}:LTS")
                    } else {
                        v.to_string()
                    }
                });
                (Some(Ecosystem::Ubuntu), release)
            }
            "alpine" => {
                let release = version_id.as_deref().and_then(|v| {
                    let mut parts = v.split('.');
                    let (a, b) = (parts.next()?, parts.next()?);
                    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
                    (numeric(a) && numeric(b)).then(|| format!("v{a}.{b}"))
                });
                (Some(Ecosystem::Alpine), release)
            }
            "almalinux" => (Some(Ecosystem::AlmaLinux), version_id.as_deref().map(major)),
            "rocky" => (
                Some(Ecosystem::RockyLinux),
                version_id.as_deref().map(major),
            ),
            "rhel" => (Some(Ecosystem::RedHat), version_id.as_deref().map(major)),
            _ => (None, None),
        };
        OsRelease {
            id: id.to_string(),
            pretty_name: pretty.unwrap_or_else(|| match &version_id {
                Some(v) => format!("{id} {v}"),
                None => id.to_string(),
            }),
            version_id,
            ecosystem,
            release: release.filter(|r| !r.is_empty()),
        }
    }

    /// Detects the distribution of the root filesystem at `root`, from its
    /// release files (see the module documentation for the order). `None`
    /// when there is none.
    pub fn detect(root: &Path) -> Option<OsRelease> {
        OsRelease::detect_with(|rel| read_inside(root, rel))
    }

    /// Detects the distribution with a reader of root-relative paths
    /// (`etc/os-release`, `usr/lib/os-release`, ...) that returns a file's
    /// text, or `None` when the file is missing or unreadable. The reader
    /// resolves symlinks itself (inside its root).
    pub fn detect_with(mut read: impl FnMut(&str) -> Option<String>) -> Option<OsRelease> {
        let found = ["etc/os-release", "usr/lib/os-release"]
            .iter()
            .find_map(|p| read(p).and_then(|t| OsRelease::from_os_release(&t)))
            .or_else(|| read("etc/alpine-release").and_then(|t| OsRelease::from_alpine_release(&t)))
            .or_else(|| read("etc/redhat-release").and_then(|t| OsRelease::from_redhat_release(&t)))
            .or_else(|| {
                read("etc/debian_version").and_then(|t| OsRelease::from_debian_version(&t))
            });
        if let Some(os) = &found {
            tracing::debug!(id = %os.id, release = ?os.release, "distribution detected");
        }
        found
    }

    /// What a report says of it.
    pub fn facts(&self) -> vigil_model::OsFacts {
        vigil_model::OsFacts {
            name: self.pretty_name.clone(),
            ecosystem: match (self.ecosystem, &self.release) {
                (Some(e), Some(r)) => Some(format!("{}:{r}", e.osv_name())),
                _ => None,
            },
        }
    }

    /// The `distro` purl qualifier: `<ID>-<VERSION_ID>` (`debian-12`,
    /// `alpine-3.20.3`), or the ID alone.
    pub fn distro_qualifier(&self) -> String {
        match &self.version_id {
            Some(v) => format!("{}-{v}", self.id),
            None => self.id.clone(),
        }
    }

    /// Assigns the packages of the OS package databases (the components
    /// located at a path [`crate::extractors::os::is_package_database`]
    /// names) to this distribution: its ecosystem when the package format
    /// is the distribution's (dpkg packages become Ubuntu's on Ubuntu; rpm
    /// packages AlmaLinux's on AlmaLinux), its release, and the `distro`
    /// qualifier in their purl. Other components are left as they are.
    pub fn apply(&self, components: &mut [Component]) {
        let distro = self.distro_qualifier();
        for c in components.iter_mut() {
            let from_database = c
                .locations
                .first()
                .is_some_and(|l| crate::extractors::os::is_package_database(&l.path));
            if !from_database || !c.ecosystem.is_distro() {
                continue;
            }
            let ecosystem = match self.ecosystem {
                Some(e) if e.purl_type() == c.ecosystem.purl_type() => e,
                // A database of another family's format (an rpm database
                // on Debian): the release says nothing about it.
                _ => continue,
            };
            c.ecosystem = ecosystem;
            c.release.clone_from(&self.release);
            let mut qualifiers: Vec<(String, String)> = purl::parse(&c.purl)
                .map(|p| {
                    p.qualifiers
                        .into_iter()
                        .filter(|(k, _)| k != "distro" && k != "epoch")
                        .collect()
                })
                .unwrap_or_default();
            qualifiers.push(("distro".to_string(), distro.clone()));
            let pairs: Vec<(&str, &str)> = qualifiers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            c.purl = for_os_package(ecosystem, &c.name, &c.version, &pairs);
        }
    }
}

/// An os-release value without its quotes (and the escapes the format
/// allows inside double quotes).
fn unquote(value: &str) -> String {
    let inner = if value.len() >= 2
        && ((value.starts_with('"') && value.ends_with('"'))
            || (value.starts_with('\'') && value.ends_with('\'')))
    {
        &value[1..value.len() - 1]
    } else {
        value
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Reads a small text file at a root-relative path, resolving symlinks as
/// if `root` were `/`: an absolute target is taken inside the root, and
/// `..` never climbs above it.
fn read_inside(root: &Path, rel: &str) -> Option<String> {
    let mut parts: Vec<PathBuf> = Vec::new();
    let mut pending: Vec<PathBuf> = Path::new(rel)
        .components()
        .rev()
        .filter_map(|c| match c {
            PathPart::Normal(s) => Some(PathBuf::from(s)),
            _ => None,
        })
        .collect();
    let mut links = 0;
    while let Some(part) = pending.pop() {
        if part == Path::new("..") {
            parts.pop();
            continue;
        }
        let candidate: PathBuf = std::iter::once(root.to_path_buf())
            .chain(parts.iter().cloned())
            .chain(std::iter::once(part.clone()))
            .collect();
        let meta = std::fs::symlink_metadata(&candidate).ok()?;
        if meta.file_type().is_symlink() {
            links += 1;
            if links > MAX_LINKS {
                return None;
            }
            let target = std::fs::read_link(&candidate).ok()?;
            if target.is_absolute() {
                parts.clear();
            }
            for c in target.components().rev() {
                match c {
                    PathPart::Normal(s) => pending.push(PathBuf::from(s)),
                    PathPart::ParentDir => pending.push(PathBuf::from("..")),
                    _ => {}
                }
            }
            continue;
        }
        parts.push(part);
    }
    let path: PathBuf = std::iter::once(root.to_path_buf()).chain(parts).collect();
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > MAX_RELEASE_FILE {
        return None;
    }
    std::fs::read_to_string(&path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("testdata/os/os-release")
                .join(name),
        )
        .unwrap()
    }

    fn suffix(os: &OsRelease) -> (Option<Ecosystem>, Option<&str>) {
        (os.ecosystem, os.release.as_deref())
    }

    #[test]
    fn os_release_files_give_the_osv_release() {
        let cases = [
            (
                "debian-12",
                Some(Ecosystem::Debian),
                Some("12"),
                "debian-12",
            ),
            ("debian-sid", Some(Ecosystem::Debian), None, "debian"),
            (
                "ubuntu-22.04",
                Some(Ecosystem::Ubuntu),
                Some("22.04:LTS"),
                "ubuntu-22.04",
            ),
            (
                "ubuntu-24.10",
                Some(Ecosystem::Ubuntu),
                Some("24.10"),
                "ubuntu-24.10",
            ),
            (
                "alpine-3.20",
                Some(Ecosystem::Alpine),
                Some("v3.20"),
                "alpine-3.20.3",
            ),
            (
                "almalinux-9",
                Some(Ecosystem::AlmaLinux),
                Some("9"),
                "almalinux-9.4",
            ),
            (
                "rocky-9",
                Some(Ecosystem::RockyLinux),
                Some("9"),
                "rocky-9.3",
            ),
            ("rhel-8", Some(Ecosystem::RedHat), Some("8"), "rhel-8.10"),
            ("fedora-40", None, None, "fedora-40"),
        ];
        for (file, eco, release, distro) in cases {
            let os = OsRelease::from_os_release(&fixture(file)).unwrap();
            assert_eq!(suffix(&os), (eco, release), "{file}");
            assert_eq!(os.distro_qualifier(), distro, "{file}");
        }
        let os = OsRelease::from_os_release(&fixture("ubuntu-22.04")).unwrap();
        assert_eq!(os.pretty_name, "Ubuntu 22.04.4 LTS");
        assert_eq!(OsRelease::from_os_release("NAME=nothing\n"), None);
        assert_eq!(OsRelease::from_os_release(""), None);
    }

    #[test]
    fn fallback_files() {
        let a = OsRelease::from_alpine_release("3.19.1\n").unwrap();
        assert_eq!(suffix(&a), (Some(Ecosystem::Alpine), Some("v3.19")));
        let d = OsRelease::from_debian_version("12.5\n").unwrap();
        assert_eq!(suffix(&d), (Some(Ecosystem::Debian), Some("12")));
        let sid = OsRelease::from_debian_version("trixie/sid\n").unwrap();
        assert_eq!(suffix(&sid), (Some(Ecosystem::Debian), None));
        let r = OsRelease::from_redhat_release("AlmaLinux release 9.4 (Seafoam Ocelot)\n").unwrap();
        assert_eq!(suffix(&r), (Some(Ecosystem::AlmaLinux), Some("9")));
        let r = OsRelease::from_redhat_release("Rocky Linux release 8.9 (Green Obsidian)").unwrap();
        assert_eq!(suffix(&r), (Some(Ecosystem::RockyLinux), Some("8")));
        let r =
            OsRelease::from_redhat_release("Red Hat Enterprise Linux release 9.4 (Plow)").unwrap();
        assert_eq!(suffix(&r), (Some(Ecosystem::RedHat), Some("9")));
        assert_eq!(OsRelease::from_redhat_release("garbage"), None);
        assert_eq!(OsRelease::from_alpine_release(""), None);
    }

    #[cfg(unix)]
    #[test]
    fn detect_follows_links_inside_the_root_only() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::create_dir_all(root.join("usr/lib")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(root.join("usr/lib/os-release"), fixture("debian-12")).unwrap();
        std::fs::write(outside.join("os-release"), fixture("alpine-3.20")).unwrap();
        // The usual relative link.
        symlink("../usr/lib/os-release", root.join("etc/os-release")).unwrap();
        let os = OsRelease::detect(&root).unwrap();
        assert_eq!(suffix(&os), (Some(Ecosystem::Debian), Some("12")));
        // An absolute link is resolved inside the root.
        std::fs::remove_file(root.join("etc/os-release")).unwrap();
        symlink("/usr/lib/os-release", root.join("etc/os-release")).unwrap();
        assert_eq!(OsRelease::detect(&root).unwrap().id, "debian");
        // A link climbing out with `..` stays inside too: it lands on a
        // missing file, and the next candidate is read.
        std::fs::remove_file(root.join("etc/os-release")).unwrap();
        symlink("../../../outside/os-release", root.join("etc/os-release")).unwrap();
        assert_eq!(OsRelease::detect(&root).unwrap().id, "debian");
        std::fs::remove_file(root.join("usr/lib/os-release")).unwrap();
        assert_eq!(OsRelease::detect(&root), None);
        // A loop ends.
        std::fs::remove_file(root.join("etc/os-release")).unwrap();
        symlink("os-release", root.join("etc/os-release")).unwrap();
        std::fs::write(root.join("etc/debian_version"), "11.9\n").unwrap();
        let os = OsRelease::detect(&root).unwrap();
        assert_eq!(suffix(&os), (Some(Ecosystem::Debian), Some("11")));
    }

    #[test]
    fn apply_moves_database_packages_to_the_distribution() {
        let os = OsRelease::from_os_release(&fixture("ubuntu-22.04")).unwrap();
        let mut deb = Component::new(Ecosystem::Debian, "libssl3", "3.0.2-0ubuntu1.15")
            .at("var/lib/dpkg/status", Some(10))
            .source("openssl", None);
        deb.purl = for_os_package(
            Ecosystem::Debian,
            "libssl3",
            "3.0.2-0ubuntu1.15",
            &[("arch", "amd64"), ("upstream", "openssl")],
        );
        let from_sbom = Component::new(Ecosystem::Debian, "curl", "7.88.1-10").at("bom.json", None);
        let rpm = Component::new(Ecosystem::RedHat, "bash", "5.1.8-6.el9")
            .at("var/lib/rpm/rpmdb.sqlite", None);
        let mut all = [deb, from_sbom.clone(), rpm.clone()];
        os.apply(&mut all);
        assert_eq!(all[0].ecosystem, Ecosystem::Ubuntu);
        assert_eq!(all[0].release.as_deref(), Some("22.04:LTS"));
        assert_eq!(
            all[0].purl,
            "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.15?arch=amd64&distro=ubuntu-22.04&upstream=openssl"
        );
        assert_eq!(all[1], from_sbom);
        assert_eq!(all[2], rpm);

        let alma = OsRelease::from_os_release(&fixture("almalinux-9")).unwrap();
        let mut c = [
            Component::new(Ecosystem::RedHat, "openssl-libs", "1:3.0.7-27.el9")
                .at("var/lib/rpm/rpmdb.sqlite", None),
        ];
        c[0].purl = for_os_package(
            Ecosystem::RedHat,
            "openssl-libs",
            "1:3.0.7-27.el9",
            &[("arch", "x86_64")],
        );
        alma.apply(&mut c);
        assert_eq!(c[0].ecosystem, Ecosystem::AlmaLinux);
        assert_eq!(
            c[0].purl,
            "pkg:rpm/almalinux/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=almalinux-9.4&epoch=1"
        );
        // The purl still names the package and distribution for SBOM
        // readers.
        let parsed = purl::parse(&c[0].purl).unwrap();
        assert_eq!(
            parsed.ecosystem_and_name(),
            Some((Ecosystem::AlmaLinux, "openssl-libs".to_string()))
        );
    }
}
