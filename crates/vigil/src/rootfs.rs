//! `vigil scan rootfs`: what not to walk on a running host.

use std::path::{Path, PathBuf};

/// Top-level folders of a running Linux host that hold kernel and runtime
/// state, not installed software.
const PSEUDO_DIRS: &[&str] = &["proc", "sys", "dev", "run"];

/// Filesystem types that hold no installed software (kernel interfaces,
/// control groups, in-memory device nodes).
const PSEUDO_FS_TYPES: &[&str] = &[
    "proc",
    "sysfs",
    "devtmpfs",
    "devpts",
    "cgroup",
    "cgroup2",
    "securityfs",
    "debugfs",
    "tracefs",
    "configfs",
    "fusectl",
    "mqueue",
    "hugetlbfs",
    "pstore",
    "bpf",
    "binfmt_misc",
    "autofs",
    "efivarfs",
    "nsfs",
    "rpc_pipefs",
    "selinuxfs",
];

/// The folders to leave out when scanning `root`: when it is the host's
/// `/`, the pseudo filesystems (`/proc`, `/sys`, `/dev`, `/run`, and every
/// mount point of a pseudo filesystem type listed in
/// `/proc/self/mountinfo`); nothing for any other folder (an unpacked
/// image has no live `/proc`).
pub(crate) fn pseudo_filesystems(root: &Path) -> Vec<PathBuf> {
    let is_host_root = std::fs::canonicalize(root).is_ok_and(|p| p == Path::new("/"));
    if !is_host_root {
        return Vec::new();
    }
    let mut out: Vec<PathBuf> = PSEUDO_DIRS.iter().map(|d| Path::new("/").join(d)).collect();
    if let Ok(text) = std::fs::read_to_string("/proc/self/mountinfo") {
        out.extend(pseudo_mounts(&text));
    }
    out.sort();
    out.dedup();
    tracing::debug!(?out, "skipped on the host root");
    out
}

/// The mount points of pseudo filesystems in a `mountinfo` text (fields:
/// ID, parent, major:minor, root, mount point, options, optional fields,
/// `-`, filesystem type, source, super options; octal escapes in paths).
fn pseudo_mounts(mountinfo: &str) -> Vec<PathBuf> {
    mountinfo
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let mount_point = fields.get(4)?;
            let dash = fields.iter().position(|f| *f == "-")?;
            let fs_type = fields.get(dash + 1)?;
            PSEUDO_FS_TYPES
                .contains(fs_type)
                .then(|| PathBuf::from(unescape(mount_point)))
        })
        .filter(|p| p != Path::new("/"))
        .collect()
}

/// Decodes mountinfo's `\NNN` octal escapes (space, tab, newline,
/// backslash).
fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| b == b'\\' && d.iter().all(|c| (b'0'..=b'7').contains(c)));
        match octal {
            Some(d) => {
                out.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
                i += 4;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudo_mounts_are_read_from_mountinfo() {
        let text = "\
22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw
23 1 0:22 / /sys rw,nosuid shared:6 - sysfs sysfs rw
25 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 23 0:26 / /sys/fs/cgroup rw shared:9 - cgroup2 cgroup2 rw
40 1 8:2 / /home rw,relatime shared:30 - ext4 /dev/sda2 rw
41 1 0:40 / /mnt/with\\040space rw - autofs systemd-1 rw
";
        assert_eq!(
            pseudo_mounts(text),
            [
                PathBuf::from("/proc"),
                PathBuf::from("/sys"),
                PathBuf::from("/sys/fs/cgroup"),
                PathBuf::from("/mnt/with space"),
            ]
        );
        assert!(pseudo_mounts("garbage\n\n").is_empty());
    }

    #[test]
    fn only_the_host_root_has_pseudo_filesystems() {
        let dir = tempfile::tempdir().unwrap();
        assert!(pseudo_filesystems(dir.path()).is_empty());
        #[cfg(target_os = "linux")]
        {
            let host = pseudo_filesystems(Path::new("/"));
            for d in ["/proc", "/sys", "/dev", "/run"] {
                assert!(host.contains(&PathBuf::from(d)), "{d}: {host:?}");
            }
        }
    }
}
