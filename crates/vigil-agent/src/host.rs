//! The host: a stable identifier derived from the machine id, the host
//! name, the distribution (os-release) and the kernel release.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::snapshot::{Host, Unseen};

/// What the machine id is hashed with, so the host id cannot be matched
/// against the machine id other software derives its identifiers from.
const ID_PREFIX: &str = "vigil-agent host id v1:";

/// Reads the host's identity: `proc` is the proc filesystem (`/proc`),
/// `root` the host's root filesystem (`/`). What cannot be read is said
/// in the second value.
pub fn read_host(proc: &Path, root: &Path) -> (Host, Vec<Unseen>) {
    let mut unseen = Vec::new();
    let hostname = read_trimmed(&proc.join("sys/kernel/hostname"))
        .or_else(|| read_trimmed(&root.join("etc/hostname")))
        .unwrap_or_default();
    let machine_id = ["etc/machine-id", "var/lib/dbus/machine-id"]
        .iter()
        .find_map(|p| read_trimmed(&root.join(p)));
    let id = match machine_id {
        Some(m) => host_id(&m),
        None => {
            unseen.push(Unseen {
                what: "the machine id".to_string(),
                why: "neither /etc/machine-id nor /var/lib/dbus/machine-id is readable; \
                      the host id is derived from the host name instead, and changes with it"
                    .to_string(),
            });
            host_id(&format!("hostname:{hostname}"))
        }
    };
    let os = ["etc/os-release", "usr/lib/os-release"]
        .iter()
        .find_map(|p| std::fs::read_to_string(root.join(p)).ok())
        .and_then(|t| pretty_name(&t));
    let kernel = read_trimmed(&proc.join("sys/kernel/osrelease"));
    (
        Host {
            id,
            hostname,
            os,
            kernel,
        },
        unseen,
    )
}

/// The host id of a machine id: the first 32 hex digits of a SHA-256 of
/// it with a vigil-specific prefix.
pub fn host_id(machine_id: &str) -> String {
    let digest = Sha256::digest(format!("{ID_PREFIX}{machine_id}").as_bytes());
    hex::encode(&digest[..16])
}

/// `PRETTY_NAME` of an os-release file (quotes and backslash escapes
/// removed), else `NAME VERSION`.
pub fn pretty_name(text: &str) -> Option<String> {
    let get = |key: &str| {
        text.lines().find_map(|l| {
            let v = l.trim().strip_prefix(key)?.strip_prefix('=')?;
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            let mut out = String::new();
            let mut chars = v.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    out.extend(chars.next());
                } else {
                    out.push(c);
                }
            }
            (!out.is_empty()).then_some(out)
        })
    };
    get("PRETTY_NAME").or_else(|| match (get("NAME"), get("VERSION")) {
        (Some(n), Some(v)) => Some(format!("{n} {v}")),
        (n, _) => n,
    })
}

fn read_trimmed(path: &Path) -> Option<String> {
    let t = std::fs::read_to_string(path).ok()?;
    let t = t.trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release() {
        assert_eq!(
            pretty_name(
                "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
            )
            .as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(
            pretty_name("NAME=Alpine\nVERSION='3.19'\n").as_deref(),
            Some("Alpine 3.19")
        );
        assert_eq!(
            pretty_name("PRETTY_NAME=\"a \\\"b\\\"\"").as_deref(),
            Some("a \"b\"")
        );
        assert_eq!(pretty_name("ID=x\n"), None);
    }

    #[test]
    fn host_id_is_stable_and_not_the_machine_id() {
        let a = host_id("0123456789abcdef0123456789abcdef");
        assert_eq!(a, host_id("0123456789abcdef0123456789abcdef"));
        assert_eq!(a.len(), 32);
        assert_ne!(a, "0123456789abcdef0123456789abcdef");
        assert_ne!(a, host_id("0123456789abcdef0123456789abcdee"));
    }
}
