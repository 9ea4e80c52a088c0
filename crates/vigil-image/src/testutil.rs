//! Building layers and images in memory for tests.

use std::io::Write;
use std::path::Path;

use serde_json::json;

use crate::digest::Digest;

/// One tar entry.
pub(crate) enum E<'a> {
    File(&'a str, &'a [u8]),
    Exec(&'a str, &'a [u8]),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    HardLink(&'a str, &'a str),
    Device(&'a str),
    /// A header claiming `size` bytes for a file, followed by that many
    /// zero bytes.
    Sized(&'a str, u64),
}

/// A tar of the entries, names written as given (even hostile ones).
pub(crate) fn layer(entries: &[E<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        h.set_mtime(0);
        h.set_uid(0);
        h.set_gid(0);
        let (name, data): (&str, Vec<u8>) = match e {
            E::File(n, d) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(0o644);
                (n, d.to_vec())
            }
            E::Exec(n, d) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(0o755);
                (n, d.to_vec())
            }
            E::Dir(n) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                (n, Vec::new())
            }
            E::Symlink(n, t) | E::HardLink(n, t) => {
                h.set_entry_type(if matches!(e, E::Symlink(..)) {
                    tar::EntryType::Symlink
                } else {
                    tar::EntryType::Link
                });
                h.set_mode(0o777);
                raw_name(h.as_old_mut().linkname.as_mut(), t);
                (n, Vec::new())
            }
            E::Device(n) => {
                h.set_entry_type(tar::EntryType::Char);
                h.set_mode(0o600);
                (n, Vec::new())
            }
            E::Sized(n, size) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(0o644);
                (n, vec![0; usize::try_from(*size).unwrap()])
            }
        };
        // Names go in raw: the builder's own setters refuse `..` and
        // absolute paths, which is what these tests need to write.
        raw_name(h.as_old_mut().name.as_mut(), name);
        h.set_size(data.len() as u64);
        h.set_cksum();
        b.append(&h, data.as_slice()).unwrap();
    }
    b.into_inner().unwrap()
}

fn raw_name(field: &mut [u8], name: &str) {
    assert!(name.len() < field.len(), "name too long for a test header");
    field.fill(0);
    field[..name.len()].copy_from_slice(name.as_bytes());
}

pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// An image: its layers (uncompressed tars), with `created_by` per layer.
pub(crate) struct TestImage {
    pub(crate) layers: Vec<(Vec<u8>, &'static str)>,
    pub(crate) gzip: bool,
}

/// The blobs of an image: (manifest bytes, config bytes, layer blobs).
pub(crate) struct Blobs {
    pub(crate) manifest: Vec<u8>,
    pub(crate) config: Vec<u8>,
    pub(crate) layers: Vec<Vec<u8>>,
}

impl TestImage {
    pub(crate) fn blobs(&self) -> Blobs {
        let mut history =
            vec![json!({"created_by": "/bin/sh -c #(nop) ENV A=b", "empty_layer": true})];
        let mut diff_ids = Vec::new();
        let mut blobs = Vec::new();
        let mut descriptors = Vec::new();
        for (tar, created_by) in &self.layers {
            history.push(json!({ "created_by": created_by }));
            diff_ids.push(Digest::of(tar).to_string());
            let blob = if self.gzip { gzip(tar) } else { tar.clone() };
            descriptors.push(json!({
                "mediaType": if self.gzip { "application/vnd.oci.image.layer.v1.tar+gzip" } else { "application/vnd.oci.image.layer.v1.tar" },
                "digest": Digest::of(&blob).to_string(),
                "size": blob.len(),
            }));
            blobs.push(blob);
        }
        let config = serde_json::to_vec(&json!({
            "architecture": "amd64",
            "os": "linux",
            "config": {
                "User": "app",
                "ExposedPorts": {"8080/tcp": {}, "443/tcp": {}},
                "Entrypoint": ["/app/run"],
                "Cmd": ["--serve"],
            },
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": history,
        }))
        .unwrap();
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": Digest::of(&config).to_string(),
                "size": config.len(),
            },
            "layers": descriptors,
        }))
        .unwrap();
        Blobs {
            manifest,
            config,
            layers: blobs,
        }
    }

    /// Writes an OCI image layout directory.
    pub(crate) fn write_layout(&self, dir: &Path) {
        let b = self.blobs();
        let blobs = dir.join("blobs/sha256");
        std::fs::create_dir_all(&blobs).unwrap();
        for blob in b.layers.iter().chain([&b.config, &b.manifest]) {
            std::fs::write(blobs.join(Digest::of(blob).hex()), blob).unwrap();
        }
        std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion": "1.0.0"}"#).unwrap();
        let index = json!({
            "schemaVersion": 2,
            "manifests": [{
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": Digest::of(&b.manifest).to_string(),
                "size": b.manifest.len(),
                "annotations": {"org.opencontainers.image.ref.name": "1.0"},
            }],
        });
        std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    }

    /// Writes a `docker save` archive (old layout: `<id>/layer.tar`).
    pub(crate) fn write_docker_archive(&self, path: &Path) {
        let b = self.blobs();
        let mut out = tar::Builder::new(Vec::new());
        let mut add = |name: &str, data: &[u8]| {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            out.append_data(&mut h, name, data).unwrap();
        };
        let config_name = format!("{}.json", Digest::of(&b.config).hex());
        add(&config_name, &b.config);
        let mut layer_names = Vec::new();
        for (i, (tar, _)) in self.layers.iter().enumerate() {
            let name = format!("{i:064x}/layer.tar");
            add(&name, tar);
            layer_names.push(name);
        }
        let manifest =
            json!([{"Config": config_name, "RepoTags": ["app:1.0"], "Layers": layer_names}]);
        add("manifest.json", &serde_json::to_vec(&manifest).unwrap());
        std::fs::write(path, out.into_inner().unwrap()).unwrap();
    }
}
