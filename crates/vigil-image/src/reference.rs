//! Image references: `[registry[:port]/]repository[:tag][@sha256:...]`.

use crate::digest::Digest;
use crate::error::{Error, Result};

/// Docker Hub as references name it, and where its API is.
const DOCKER_HUB: &str = "docker.io";
const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The registry host (and port), `docker.io` by default.
    pub registry: String,
    /// The repository path (`library/alpine`, `team/app`).
    pub repository: String,
    /// The tag, if given (`latest` is used when neither tag nor digest is).
    pub tag: Option<String>,
    /// The manifest digest, if given.
    pub digest: Option<Digest>,
}

impl Reference {
    /// Parses a reference as `docker pull` reads it.
    pub fn parse(s: &str) -> Result<Reference> {
        let err = |message: &str| Error::Reference {
            reference: s.to_string(),
            message: message.to_string(),
        };
        let (rest, digest) = match s.split_once('@') {
            Some((rest, d)) => (
                rest,
                Some(
                    Digest::parse(d)
                        .ok_or_else(|| err("the digest is not sha256:<64 lowercase hex digits>"))?,
                ),
            ),
            None => (s, None),
        };
        let (registry, path) = match rest.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), path)
            }
            _ => (DOCKER_HUB.to_string(), rest),
        };
        let (repository, tag) = match path.rsplit_once(':') {
            Some((repo, tag)) if !tag.contains('/') => (repo, Some(tag.to_string())),
            _ => (path, None),
        };
        if repository.is_empty()
            || !repository.split('/').all(|c| {
                !c.is_empty()
                    && c.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)
                    })
            })
        {
            return Err(err(
                "the repository must be lowercase letters, digits, `.`, `_`, `-` and `/`",
            ));
        }
        if let Some(t) = &tag {
            if t.is_empty()
                || t.len() > 128
                || !t
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
            {
                return Err(err("the tag must be letters, digits, `.`, `_` and `-`"));
            }
        }
        let registry = if registry == "index.docker.io" {
            DOCKER_HUB.to_string()
        } else {
            registry
        };
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository.to_string()
        };
        Ok(Reference {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The host the distribution API is served from.
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }

    /// What to ask the manifests endpoint for: the digest, else the tag.
    pub fn manifest_ref(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_string(),
        }
    }

    /// Whether the registry is this machine (plain HTTP is allowed).
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(&self.registry)
    }
}

/// Whether `host[:port]` names this machine.
pub(crate) fn is_loopback_host(host_port: &str) -> bool {
    let host = if let Some(rest) = host_port.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host_port.rsplit_once(':').map_or(host_port, |(h, _)| h)
    };
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn references_as_docker_reads_them() {
        let r = Reference::parse("alpine").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.manifest_ref()),
            ("docker.io", "library/alpine", "latest".to_string())
        );
        assert_eq!(r.api_host(), "registry-1.docker.io");
        let r = Reference::parse("registry.example.com/team/app:1.4").unwrap();
        assert_eq!(r.registry, "registry.example.com");
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag.as_deref(), Some("1.4"));
        let r = Reference::parse("127.0.0.1:5000/app:v1").unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert!(r.is_loopback());
        let d = Digest::of(b"x");
        let r = Reference::parse(&format!("localhost:5000/a/b@{d}")).unwrap();
        assert_eq!(r.manifest_ref(), d.to_string());
        assert_eq!(r.to_string(), format!("localhost:5000/a/b@{d}"));
        assert!(Reference::parse("team/app:1.0").unwrap().registry == "docker.io");
        assert!(!Reference::parse("example.com/app").unwrap().is_loopback());
        for bad in [
            "",
            "UPPER/case",
            "app@sha256:zz",
            "app:",
            "a//b",
            "app:bad/tag!",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad}");
        }
    }
}
