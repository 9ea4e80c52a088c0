//! The report's `source`: what was scanned, as a server gathering reports
//! identifies it (docs/report-json.md).
//!
//! A directory inside a git work tree is a repository: the URL of its
//! `origin` remote (credentials removed), the commit and branch checked
//! out. CI variables fill in what a CI checkout lacks (the branch of a
//! detached HEAD, the project's URL) when they describe the same commit;
//! `VIGIL_SOURCE_NAME` names any target.

use std::path::Path;

use vigil_report::{ScanSource, SourceKind};

/// The source of a directory, file or root filesystem scan: a repository
/// when `path` is inside a git work tree, else `otherwise` named by the
/// directory's (or file's) name.
pub(crate) fn for_path(path: &Path, otherwise: SourceKind) -> ScanSource {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let mut source = match otherwise {
        // A root filesystem or SBOM is not its repository's checkout even
        // when it lies in one.
        SourceKind::Directory => {
            repository(path, &env).unwrap_or_else(|| ScanSource::new(otherwise, path_name(path)))
        }
        _ => ScanSource::new(otherwise, path_name(path)),
    };
    named(&mut source, &env);
    source
}

/// The source of an image scan.
pub(crate) fn for_image(reference: &str, digest: Option<&str>) -> ScanSource {
    let mut source = ScanSource::new(SourceKind::Image, reference);
    source.digest = digest.map(str::to_string);
    named(&mut source, &|name| std::env::var(name).ok());
    source
}

/// The source of a host scan.
pub(crate) fn for_host(name: &str) -> ScanSource {
    let mut source = ScanSource::new(SourceKind::Host, name);
    named(&mut source, &|name| std::env::var(name).ok());
    source
}

/// `VIGIL_SOURCE_NAME`, when set, names the target.
fn named(source: &mut ScanSource, env: &dyn Fn(&str) -> Option<String>) {
    if let Some(name) = env("VIGIL_SOURCE_NAME").filter(|n| !n.trim().is_empty()) {
        source.name = name.trim().to_string();
    }
}

/// The last component of the absolute path (`/` for the root).
fn path_name(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut normal = std::path::PathBuf::new();
    for c in absolute.components() {
        match c {
            std::path::Component::ParentDir => {
                normal.pop();
            }
            std::path::Component::CurDir => {}
            c => normal.push(c),
        }
    }
    normal
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| normal.display().to_string())
}

/// The repository whose work tree holds `path`, when there is one.
fn repository(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Option<ScanSource> {
    let start = if path.is_dir() {
        path.to_path_buf()
    } else {
        match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        }
    };
    let repo = match gix::discover(&start) {
        Ok(r) => r,
        Err(e) => {
            tracing::debug!(path = %start.display(), error = %e, "not in a git repository");
            return None;
        }
    };
    let workdir = repo.workdir()?.to_path_buf();
    let commit = repo.head_id().ok().map(|id| id.to_string());
    let branch = repo
        .head_name()
        .ok()
        .flatten()
        .map(|n| n.shorten().to_string());
    let remote = repo
        .config_snapshot()
        .string("remote.origin.url")
        .map(|u| strip_credentials(&u.to_string()));
    let mut source = ScanSource::new(
        SourceKind::Repository,
        remote.clone().unwrap_or_else(|| path_name(&workdir)),
    );
    source.repository = remote;
    source.commit = commit;
    source.branch = branch;
    ci(&mut source, env);
    Some(source)
}

/// Fills in from GitHub Actions' or GitLab CI's variables when they name
/// the commit checked out: the project's URL as the name, and the branch
/// (a CI checkout is often a detached HEAD).
fn ci(source: &mut ScanSource, env: &dyn Fn(&str) -> Option<String>) {
    let Some(commit) = source.commit.clone() else {
        return;
    };
    if let (Some(repo), Some(sha)) = (env("GITHUB_REPOSITORY"), env("GITHUB_SHA")) {
        if sha.trim() == commit {
            let server = env("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into());
            source.name = format!("{}/{}", server.trim_end_matches('/'), repo.trim());
            if let Some(r) = env("GITHUB_REF_NAME") {
                source.branch = Some(r.trim().to_string());
            }
            return;
        }
    }
    if let (Some(url), Some(sha)) = (env("CI_PROJECT_URL"), env("CI_COMMIT_SHA")) {
        if sha.trim() == commit {
            source.name = strip_credentials(url.trim());
            if let Some(r) = env("CI_COMMIT_REF_NAME") {
                source.branch = Some(r.trim().to_string());
            }
        }
    }
}

/// A URL without the user and password of its authority
/// (`https://user:token@host/x` → `https://host/x`); scp-like addresses
/// (`git@host:org/repo.git`) name no secret and are kept.
pub(crate) fn strip_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://{host}{path}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_stripped() {
        assert_eq!(
            strip_credentials("https://x-access-token:ghs_abc@github.com/org/repo.git"),
            "https://github.com/org/repo.git"
        );
        assert_eq!(
            strip_credentials("https://gitlab-ci-token:abc@gitlab.example.com/g/p"),
            "https://gitlab.example.com/g/p"
        );
        assert_eq!(
            strip_credentials("ssh://git@example.com:2222/org/repo"),
            "ssh://example.com:2222/org/repo"
        );
        assert_eq!(
            strip_credentials("https://example.com/a@b"),
            "https://example.com/a@b"
        );
        assert_eq!(
            strip_credentials("git@github.com:org/repo.git"),
            "git@github.com:org/repo.git"
        );
    }

    #[test]
    fn names_are_the_last_component() {
        assert_eq!(path_name(Path::new("/srv/app/")), "app");
        assert_eq!(path_name(Path::new("/srv/app/sub/..")), "app");
        assert_eq!(path_name(Path::new("/")), "/");
    }

    fn repo_source(commit: &str) -> ScanSource {
        let mut s = ScanSource::new(SourceKind::Repository, "https://example.com/org/repo");
        s.commit = Some(commit.to_string());
        s
    }

    #[test]
    fn ci_variables_apply_only_to_their_commit() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let github = vars(&[
            ("GITHUB_REPOSITORY", "org/repo"),
            ("GITHUB_SHA", "abc123"),
            ("GITHUB_REF_NAME", "main"),
        ]);
        let mut same = repo_source("abc123");
        ci(&mut same, &github);
        assert_eq!(same.name, "https://github.com/org/repo");
        assert_eq!(same.branch.as_deref(), Some("main"));

        let mut other = repo_source("def456");
        ci(&mut other, &github);
        assert_eq!(other.name, "https://example.com/org/repo");
        assert_eq!(other.branch, None);

        let gitlab = vars(&[
            ("CI_PROJECT_URL", "https://gitlab.example.com/g/p"),
            ("CI_COMMIT_SHA", "def456"),
            ("CI_COMMIT_REF_NAME", "feature/x"),
        ]);
        let mut mr = repo_source("def456");
        ci(&mut mr, &gitlab);
        assert_eq!(mr.name, "https://gitlab.example.com/g/p");
        assert_eq!(mr.branch.as_deref(), Some("feature/x"));
    }

    #[test]
    fn vigil_source_name_names_any_target() {
        let mut s = ScanSource::new(SourceKind::Directory, "app");
        named(&mut s, &|n| {
            (n == "VIGIL_SOURCE_NAME").then(|| "team/app".to_string())
        });
        assert_eq!(s.name, "team/app");
    }
}
