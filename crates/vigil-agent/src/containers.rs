//! The container a process runs in, told by its control group paths
//! (`/proc/PID/cgroup`, cgroup v1 and v2): docker, containerd, CRI-O and
//! podman name their cgroups after the container's ID, and the kubelet
//! puts the pod's UID in the path above it.

use crate::snapshot::Container;

/// Parses `/proc/PID/cgroup` (`hierarchy:controllers:path` lines): the
/// container whose ID the first telling path holds, if any.
pub fn parse_cgroup(text: &str) -> Option<Container> {
    // The v2 line (`0::/...`) first: it is the one that counts on a
    // unified hierarchy, and the v1 lines agree with it on a hybrid one.
    let paths: Vec<&str> = text
        .lines()
        .filter_map(|l| l.splitn(3, ':').nth(2))
        .collect();
    let v2 = text
        .lines()
        .filter(|l| l.starts_with("0::"))
        .filter_map(|l| l.splitn(3, ':').nth(2));
    v2.chain(paths.iter().copied()).find_map(container_of_path)
}

/// The container a cgroup path names, if any.
pub fn container_of_path(path: &str) -> Option<Container> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let pod = segments.iter().find_map(|s| pod_uid(s));
    for (i, seg) in segments.iter().enumerate().rev() {
        let name = seg.strip_suffix(".scope").unwrap_or(seg);
        let prefixed = [
            ("docker-", "docker"),
            ("cri-containerd-", "containerd"),
            ("nerdctl-", "containerd"),
            ("crio-", "cri-o"),
            ("libpod-", "podman"),
        ];
        for (prefix, runtime) in prefixed {
            if let Some(id) = name.strip_prefix(prefix) {
                if is_container_id(id) {
                    return Some(container(id, runtime, pod.clone()));
                }
            }
        }
        if is_container_id(name) {
            let parent = i.checked_sub(1).and_then(|p| segments.get(p)).copied();
            let runtime = match parent {
                Some("docker") => "docker",
                // The kubelet's cgroupfs driver: `/kubepods/<qos>/pod<uid>/<id>`.
                // CRI-O prefixes its IDs even there, and dockershim is gone
                // from Kubernetes since 1.24: containerd.
                Some(p) if pod_uid(p).is_some() => "containerd",
                Some("libpod_parent") => "podman",
                _ => "unknown",
            };
            return Some(container(name, runtime, pod.clone()));
        }
    }
    None
}

fn container(id: &str, runtime: &str, pod: Option<String>) -> Container {
    Container {
        id: id.to_ascii_lowercase(),
        runtime: runtime.to_string(),
        pod,
    }
}

/// A container ID: 64 hexadecimal digits.
fn is_container_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The pod UID of a kubelet cgroup name: `pod<uid>` (cgroupfs driver) or
/// `kubepods-<qos>-pod<uid_with_underscores>.slice` (systemd driver).
fn pod_uid(segment: &str) -> Option<String> {
    let name = segment.strip_suffix(".slice").unwrap_or(segment);
    let start = if let Some(rest) = name.strip_prefix("pod") {
        rest
    } else {
        let at = name.rfind("-pod")?;
        &name[at + 4..]
    };
    let uid = start.replace('_', "-").to_ascii_lowercase();
    is_uuid(&uid).then_some(uid)
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}
