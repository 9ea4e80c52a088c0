//! The image a container runs, read from its runtime's state on the host's
//! disk (below the host root, read-only; no runtime socket or API):
//!
//! - Docker: `<data-root>/containers/<id>/config.v2.json` (`Config.Image`,
//!   the reference as written, and `Image`, the image ID), the repository
//!   digest from `<data-root>/image/<driver>/repositories.json`;
//! - containerd (Kubernetes): the task's OCI bundle,
//!   `/run/containerd/io.containerd.runtime.v2.task/<namespace>/<id>/config.json`,
//!   its `io.kubernetes.cri.image-name` annotation;
//! - CRI-O: `<storage>/overlay-containers/<id>/userdata/config.json`, its
//!   `io.kubernetes.cri-o.ImageName` and `io.kubernetes.cri-o.ImageRef`
//!   annotations;
//! - Podman (and CRI-O when its annotations are missing): the containers
//!   of containers/storage, `<storage>/overlay-containers/containers.json`
//!   (`image` and the `image-name` of `metadata`);
//!
//! and, for containers/storage, the image's manifest digest from
//! `<storage>/overlay-images/images.json`.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::snapshot::{ContainerImage, Unseen};

/// State files larger than this are not read.
const MAX_STATE_FILE: u64 = 32 * 1024 * 1024;

/// Docker's default data root.
const DOCKER_ROOT: &str = "var/lib/docker";
/// containerd's task directories (shim v2, then the old v1 shim).
const CONTAINERD_TASKS: [&str; 2] = [
    "run/containerd/io.containerd.runtime.v2.task",
    "run/containerd/io.containerd.runtime.v1.linux",
];
/// containers/storage's default root (CRI-O, root Podman).
const STORAGE_ROOT: &str = "var/lib/containers/storage";
/// A rootless Podman's storage, below its user's home directory.
const ROOTLESS_STORAGE: &str = ".local/share/containers/storage";

/// Finds containers' images on one host; what it reads once (Docker's
/// repositories, the storages' image lists) is kept for the next
/// container.
pub struct ImageFinder {
    root: PathBuf,
    /// Docker data roots (`data-root` of `/etc/docker/daemon.json`, else
    /// the default).
    docker: Vec<PathBuf>,
    /// Image ID → `(familiar repository, digest)` of Docker's
    /// repositories.json files, when read.
    docker_digests: Option<HashMap<String, Vec<(String, String)>>>,
    /// containers/storage roots (root, then rootless ones).
    storages: Vec<PathBuf>,
    /// Per storage root: its containers.json and images.json, when read.
    storage_lists: HashMap<PathBuf, StorageLists>,
    /// Files that could not be read or parsed.
    problems: Vec<Unseen>,
}

#[derive(Default)]
struct StorageLists {
    /// Container ID → (image ID, image name).
    containers: HashMap<String, (Option<String>, Option<String>)>,
    /// Image ID (hex) → (manifest digest, first name).
    images: HashMap<String, (Option<String>, Option<String>)>,
}

impl ImageFinder {
    /// A finder for the host whose root filesystem is `root`.
    pub fn new(root: &Path) -> ImageFinder {
        let mut docker = Vec::new();
        if let Some(Value::String(d)) = read_json(&root.join("etc/docker/daemon.json"))
            .ok()
            .flatten()
            .as_ref()
            .and_then(|v| v.get("data-root"))
        {
            docker.push(root.join(d.trim_start_matches('/')));
        }
        docker.push(root.join(DOCKER_ROOT));
        let mut storages = vec![root.join(STORAGE_ROOT)];
        if let Ok(passwd) = std::fs::read_to_string(root.join("etc/passwd")) {
            for home in passwd
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| l.split(':').nth(5))
                .filter(|h| h.len() > 1 && h.starts_with('/'))
            {
                let storage = root
                    .join(home.trim_start_matches('/'))
                    .join(ROOTLESS_STORAGE);
                if !storages.contains(&storage) {
                    storages.push(storage);
                }
            }
        }
        ImageFinder {
            root: root.to_path_buf(),
            docker,
            docker_digests: None,
            storages,
            storage_lists: HashMap::new(),
            problems: Vec::new(),
        }
    }

    /// What could not be read so far (a state file that is not JSON, one
    /// over the size limit), each file once.
    pub fn problems(&self) -> &[Unseen] {
        &self.problems
    }

    /// The image of container `id` (64 hex digits) of `runtime` (as the
    /// cgroups told it): its own runtime's state first, then the others'
    /// (a runtime told `unknown`, or Docker run by containerd).
    pub fn find(&mut self, runtime: &str, id: &str) -> Option<ContainerImage> {
        if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let order: [&str; 4] = match runtime {
            "containerd" => ["containerd", "docker", "cri-o", "podman"],
            "cri-o" => ["cri-o", "podman", "containerd", "docker"],
            "podman" => ["podman", "cri-o", "docker", "containerd"],
            _ => ["docker", "containerd", "cri-o", "podman"],
        };
        for r in order {
            let found = match r {
                "docker" => self.docker(id),
                "containerd" => self.containerd(id),
                "cri-o" => self.crio(id),
                _ => self.storage(id),
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }

    fn problem(&mut self, path: &Path, why: String) {
        let u = Unseen {
            what: format!("the images of containers ({})", path.display()),
            why,
        };
        if !self.problems.contains(&u) {
            self.problems.push(u);
        }
    }

    /// Reads a JSON state file: `None` when it does not exist, a problem
    /// noted when it cannot be read or parsed.
    fn json(&mut self, path: &Path) -> Option<Value> {
        match read_json(path) {
            Ok(v) => v,
            Err(why) => {
                self.problem(path, why);
                None
            }
        }
    }

    fn docker(&mut self, id: &str) -> Option<ContainerImage> {
        let roots = self.docker.clone();
        let config = roots
            .iter()
            .map(|r| r.join("containers").join(id).join("config.v2.json"))
            .find(|p| p.exists())?;
        let v = self.json(&config)?;
        let reference = str_at(&v, &["Config", "Image"])?;
        let image_id = str_at(&v, &["Image"]).map(|i| sha256(&i));
        let mut digest = digest_of(&reference);
        if digest.is_none() {
            if let Some(image_id) = &image_id {
                let repo = familiar_repository(&reference);
                digest = self
                    .docker_digests()
                    .get(image_id)
                    .and_then(|ds| ds.iter().find(|(r, _)| *r == repo).or_else(|| ds.first()))
                    .map(|(_, d)| d.clone());
            }
        }
        Some(ContainerImage {
            reference,
            digest,
            id: image_id,
        })
    }

    /// Image ID → (repository, digest) of every `repo@sha256:…` entry of
    /// Docker's repositories.json files.
    fn docker_digests(&mut self) -> &HashMap<String, Vec<(String, String)>> {
        if self.docker_digests.is_none() {
            let mut map: HashMap<String, Vec<(String, String)>> = HashMap::new();
            for root in self.docker.clone() {
                let Ok(drivers) = std::fs::read_dir(root.join("image")) else {
                    continue;
                };
                let mut files: Vec<PathBuf> = drivers
                    .filter_map(Result::ok)
                    .map(|e| e.path().join("repositories.json"))
                    .filter(|p| p.exists())
                    .collect();
                files.sort();
                for file in files {
                    let Some(v) = self.json(&file) else { continue };
                    let Some(repos) = v.get("Repositories").and_then(Value::as_object) else {
                        continue;
                    };
                    for refs in repos.values().filter_map(Value::as_object) {
                        for (name, image) in refs {
                            if let (Some((repo, digest)), Some(image)) =
                                (name.split_once('@'), image.as_str())
                            {
                                map.entry(sha256(image))
                                    .or_default()
                                    .push((repo.to_string(), digest.to_string()));
                            }
                        }
                    }
                }
            }
            self.docker_digests = Some(map);
        }
        self.docker_digests.get_or_insert_with(HashMap::new)
    }

    fn containerd(&mut self, id: &str) -> Option<ContainerImage> {
        for tasks in CONTAINERD_TASKS {
            let Ok(namespaces) = std::fs::read_dir(self.root.join(tasks)) else {
                continue;
            };
            let mut bundles: Vec<PathBuf> = namespaces
                .filter_map(Result::ok)
                .map(|e| e.path().join(id).join("config.json"))
                .filter(|p| p.exists())
                .collect();
            bundles.sort();
            for bundle in bundles {
                let Some(v) = self.json(&bundle) else {
                    continue;
                };
                if let Some(reference) =
                    str_at(&v, &["annotations", "io.kubernetes.cri.image-name"])
                {
                    return Some(from_reference(reference, None));
                }
            }
        }
        None
    }

    fn crio(&mut self, id: &str) -> Option<ContainerImage> {
        for storage in self.storages.clone() {
            for dir in container_dirs(&storage) {
                let config = dir.join(id).join("userdata/config.json");
                if !config.exists() {
                    continue;
                }
                let Some(v) = self.json(&config) else {
                    continue;
                };
                let name = str_at(&v, &["annotations", "io.kubernetes.cri-o.ImageName"]);
                let image_ref = str_at(&v, &["annotations", "io.kubernetes.cri-o.ImageRef"]);
                let (reference, digest, image_id) = match (name, image_ref) {
                    (None, None) => continue,
                    (Some(n), r) => {
                        let (d, i) = r.as_deref().map(split_image_ref).unwrap_or_default();
                        (n, d, i)
                    }
                    (None, Some(r)) => {
                        let (d, i) = split_image_ref(&r);
                        (r, d, i)
                    }
                };
                let mut image = from_reference(reference, image_id);
                image.digest = image.digest.or(digest);
                if image.digest.is_none() {
                    if let Some(i) = image.id.clone() {
                        image.digest = self.storage_image(&storage, &i).0;
                    }
                }
                return Some(image);
            }
        }
        None
    }

    fn storage(&mut self, id: &str) -> Option<ContainerImage> {
        for storage in self.storages.clone() {
            let found = self.lists(&storage).containers.get(id).cloned();
            let Some((image_id, name)) = found else {
                continue;
            };
            let (digest, image_name) = image_id
                .as_deref()
                .map(|i| self.storage_image(&storage, i))
                .unwrap_or_default();
            let reference = name.or(image_name).or_else(|| image_id.clone())?;
            let mut image = from_reference(reference, image_id);
            image.digest = image.digest.or(digest);
            return Some(image);
        }
        None
    }

    /// The manifest digest and first name of an image of a storage.
    fn storage_image(
        &mut self,
        storage: &Path,
        image_id: &str,
    ) -> (Option<String>, Option<String>) {
        let hex = image_id.strip_prefix("sha256:").unwrap_or(image_id);
        self.lists(storage)
            .images
            .get(hex)
            .cloned()
            .unwrap_or_default()
    }

    fn lists(&mut self, storage: &Path) -> &StorageLists {
        if !self.storage_lists.contains_key(storage) {
            let mut lists = StorageLists::default();
            for dir in container_dirs(storage) {
                let Some(v) = self.json(&dir.join("containers.json")) else {
                    continue;
                };
                for c in v.as_array().into_iter().flatten() {
                    let Some(cid) = c.get("id").and_then(Value::as_str) else {
                        continue;
                    };
                    let meta: Option<Value> = c
                        .get("metadata")
                        .and_then(Value::as_str)
                        .and_then(|m| serde_json::from_str(m).ok());
                    let name = meta
                        .as_ref()
                        .and_then(|m| m.get("image-name"))
                        .and_then(Value::as_str)
                        .filter(|n| !n.is_empty())
                        .map(str::to_string);
                    let image = c
                        .get("image")
                        .and_then(Value::as_str)
                        .filter(|i| !i.is_empty())
                        .map(sha256);
                    lists.containers.insert(cid.to_string(), (image, name));
                }
            }
            for dir in image_dirs(storage) {
                let Some(v) = self.json(&dir.join("images.json")) else {
                    continue;
                };
                for i in v.as_array().into_iter().flatten() {
                    let Some(iid) = i.get("id").and_then(Value::as_str) else {
                        continue;
                    };
                    let digest = i.get("digest").and_then(Value::as_str).map(str::to_string);
                    let name = i
                        .get("names")
                        .and_then(Value::as_array)
                        .and_then(|n| n.first())
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    lists.images.insert(iid.to_string(), (digest, name));
                }
            }
            self.storage_lists.insert(storage.to_path_buf(), lists);
        }
        self.storage_lists.entry(storage.to_path_buf()).or_default()
    }
}

/// The `<driver>-containers` directories of a containers/storage root.
fn container_dirs(storage: &Path) -> Vec<PathBuf> {
    dirs_ending(storage, "-containers")
}

/// The `<driver>-images` directories of a containers/storage root.
fn image_dirs(storage: &Path) -> Vec<PathBuf> {
    dirs_ending(storage, "-images")
}

fn dirs_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.ends_with(suffix)))
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

/// Reads and parses a JSON file: `Ok(None)` when it does not exist.
fn read_json(path: &Path) -> Result<Option<Value>, String> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let mut text = Vec::new();
    file.take(MAX_STATE_FILE + 1)
        .read_to_end(&mut text)
        .map_err(|e| e.to_string())?;
    if text.len() as u64 > MAX_STATE_FILE {
        return Err(format!(
            "over {} MiB, not read",
            MAX_STATE_FILE / 1024 / 1024
        ));
    }
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|e| format!("not JSON: {e}"))
}

/// The non-empty string at a path of object keys.
fn str_at(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// An image ID with its algorithm (`sha256:<hex>`).
fn sha256(id: &str) -> String {
    if id.contains(':') {
        id.to_string()
    } else {
        format!("sha256:{id}")
    }
}

/// The digest a reference pins (`repo@sha256:…`).
fn digest_of(reference: &str) -> Option<String> {
    reference
        .split_once('@')
        .map(|(_, d)| d.to_string())
        .filter(|d| d.starts_with("sha256:"))
}

/// Whether a string is an image ID (`sha256:<64 hex>` or 64 hex digits).
fn is_image_id(s: &str) -> bool {
    let hex = s.strip_prefix("sha256:").unwrap_or(s);
    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A reference as the runtime wrote it: its pinned digest, and an image ID
/// when the reference is one.
fn from_reference(reference: String, id: Option<String>) -> ContainerImage {
    let id = id.or_else(|| is_image_id(&reference).then(|| sha256(&reference)));
    ContainerImage {
        digest: digest_of(&reference),
        reference,
        id,
    }
}

/// CRI-O's `ImageRef`: an image ID (hex, or `sha256:` hex), or a
/// `repo@digest` reference: (digest, image ID).
fn split_image_ref(r: &str) -> (Option<String>, Option<String>) {
    if is_image_id(r) {
        (None, Some(sha256(r)))
    } else {
        (digest_of(r), None)
    }
}

/// The repository of a reference as Docker's repositories.json names it
/// (tag and digest off, `docker.io/library/` off).
fn familiar_repository(reference: &str) -> String {
    let name = reference.split('@').next().unwrap_or(reference);
    let name = match name.rfind(':') {
        Some(i) if !name[i..].contains('/') => &name[..i],
        _ => name,
    };
    let name = name
        .strip_prefix("docker.io/")
        .or_else(|| name.strip_prefix("index.docker.io/"))
        .unwrap_or(name);
    name.strip_prefix("library/").unwrap_or(name).to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn references_and_ids() {
        assert_eq!(familiar_repository("nginx:1.25"), "nginx");
        assert_eq!(familiar_repository("docker.io/library/nginx:1.25"), "nginx");
        assert_eq!(
            familiar_repository("registry.example.org:5000/team/app:2@sha256:ab"),
            "registry.example.org:5000/team/app"
        );
        let id = "a".repeat(64);
        let i = from_reference(id.clone(), None);
        assert_eq!(i.id, Some(format!("sha256:{id}")));
        assert_eq!(i.digest, None);
        let i = from_reference(format!("ghcr.io/o/app@sha256:{id}"), None);
        assert_eq!(i.digest, Some(format!("sha256:{id}")));
        assert_eq!(split_image_ref(&id), (None, Some(format!("sha256:{id}"))));
    }

    #[test]
    fn a_broken_state_file_is_a_problem_named_by_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let id = "b".repeat(64);
        let c = dir.path().join("var/lib/docker/containers").join(&id);
        std::fs::create_dir_all(&c).unwrap();
        std::fs::write(c.join("config.v2.json"), "{not json").unwrap();
        let mut f = ImageFinder::new(dir.path());
        assert_eq!(f.find("docker", &id), None);
        assert_eq!(f.problems().len(), 1);
        assert!(f.problems()[0].what.contains("config.v2.json"));
        assert!(f.problems()[0].why.starts_with("not JSON"));
        // Not a container ID: nothing read.
        assert_eq!(f.find("docker", "../../etc"), None);
    }
}
