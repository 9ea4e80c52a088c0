//! History and index scans over repositories built here with `gix`, from
//! the fixture files of `tests/fixtures/history`.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use gix::bstr::BString;
use vigil_model::{Finding, SuppressionKind};

use super::*;
use crate::RuleSet;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/history")
            .join(name),
    )
    .unwrap()
}

fn builtin() -> Scanner {
    Scanner::new(RuleSet::builtin().unwrap()).unwrap()
}

/// A repository written object by object.
struct TestRepo {
    dir: tempfile::TempDir,
    repo: gix::Repository,
    time: i64,
}

impl TestRepo {
    fn new() -> TestRepo {
        let dir = tempfile::tempdir().unwrap();
        let repo = gix::init(dir.path()).unwrap();
        std::fs::write(dir.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        TestRepo {
            dir,
            repo,
            time: 1_700_000_000,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A tree of `files` (`dir/name` paths make subtrees).
    fn tree(&self, files: &[(&str, Vec<u8>)]) -> ObjectId {
        let mut here: Vec<gix::objs::tree::Entry> = Vec::new();
        let mut dirs: BTreeMap<&str, Vec<(&str, Vec<u8>)>> = BTreeMap::new();
        for (path, content) in files {
            match path.split_once('/') {
                Some((d, rest)) => dirs.entry(d).or_default().push((rest, content.clone())),
                None => here.push(gix::objs::tree::Entry {
                    mode: gix::objs::tree::EntryKind::Blob.into(),
                    filename: BString::from(*path),
                    oid: self.repo.write_blob(content).unwrap().detach(),
                }),
            }
        }
        for (d, files) in dirs {
            here.push(gix::objs::tree::Entry {
                mode: gix::objs::tree::EntryKind::Tree.into(),
                filename: BString::from(d),
                oid: self.tree(&files),
            });
        }
        here.sort();
        self.repo
            .write_object(gix::objs::Tree { entries: here })
            .unwrap()
            .detach()
    }

    fn signature(&self, who: &str) -> gix::actor::Signature {
        gix::actor::Signature {
            name: who.into(),
            email: format!("{}@example.org", who.to_lowercase()).into(),
            time: gix::date::Time {
                seconds: self.time,
                offset: 3600,
            },
        }
    }

    /// A commit of `files` (the whole tree) on `parents`, an hour after
    /// the previous one.
    fn commit(&mut self, who: &str, files: &[(&str, Vec<u8>)], parents: &[ObjectId]) -> ObjectId {
        self.time += 3600;
        let tree = self.tree(files);
        let commit = gix::objs::Commit {
            tree,
            parents: parents.to_vec().into(),
            author: self.signature(who),
            committer: self.signature(who),
            encoding: None,
            message: "change\n".into(),
            extra_headers: Vec::new(),
        };
        self.repo.write_object(commit).unwrap().detach()
    }

    fn set_ref(&self, name: &str, id: ObjectId) {
        self.repo
            .reference(name, id, gix::refs::transaction::PreviousValue::Any, "test")
            .unwrap();
    }

    /// An annotated tag object of `target`, under `refs/tags/NAME`.
    fn tag(&self, name: &str, target: ObjectId) {
        let tag = gix::objs::Tag {
            target,
            target_kind: gix::objs::Kind::Commit,
            name: name.into(),
            tagger: Some(self.signature("Releaser")),
            message: "release\n".into(),
            pgp_signature: None,
        };
        let id = self.repo.write_object(tag).unwrap().detach();
        self.set_ref(&format!("refs/tags/{name}"), id);
    }
}

/// The history of the tests: see each step.
struct History {
    repo: TestRepo,
    c2: ObjectId,
    c4: ObjectId,
    c5: ObjectId,
    side: ObjectId,
    tagged: ObjectId,
}

fn history() -> History {
    let mut t = TestRepo::new();
    let readme = ("README.md", b"# demo\n".to_vec());
    // 1: no secret.
    let c1 = t.commit(
        "Ada",
        &[readme.clone(), ("app.env", fixture("app-v1.env"))],
        &[],
    );
    // 2: a token in app.env, an ignored one, a binary file holding one.
    let v2 = [
        readme.clone(),
        ("app.env", fixture("app-v2.env")),
        ("src/client.py", fixture("ignored.py")),
        ("assets/logo.bin", fixture("logo.bin")),
    ];
    let c2 = t.commit("Bob", &v2, &[c1]);
    // 3: app.env changed elsewhere, the token still there.
    let mut v3 = v2.to_vec();
    v3[1] = ("app.env", fixture("app-v3.env"));
    let c3 = t.commit("Ada", &v3, &[c2]);
    // 4: the token removed.
    let mut v4 = v3.clone();
    v4[1] = ("app.env", fixture("app-v4.env"));
    let c4 = t.commit("Ada", &v4, &[c3]);
    // A side branch from 2 with its own token.
    let mut vs = v2.to_vec();
    vs.push(("deploy/side.env", fixture("side.env")));
    let side = t.commit("Cy", &vs, &[c2]);
    t.set_ref("refs/heads/feature", side);
    // A commit only a tag reaches.
    let tagged = t.commit(
        "Releaser",
        &[
            readme.clone(),
            ("app.env", fixture("app-v1.env")),
            ("release.env", fixture("release.env")),
        ],
        &[c1],
    );
    t.tag("v0.9", tagged);
    // 5: after 4, a new token.
    let mut v5 = v4.clone();
    v5.push(("late.env", fixture("late.env")));
    let c5 = t.commit("Dee", &v5, &[c4]);
    t.set_ref("refs/heads/main", c5);
    t.set_ref("refs/tags/v1.0", c4);
    History {
        repo: t,
        c2,
        c4,
        c5,
        side,
        tagged,
    }
}

/// (path, commit, line, suppressed) of each finding, sorted.
fn places(findings: &[Finding]) -> Vec<(String, String, u32, bool)> {
    let mut out: Vec<_> = findings
        .iter()
        .map(|f| {
            let s = f.secret.as_ref().unwrap();
            (
                f.location.path.clone(),
                s.commit.clone().unwrap_or_default(),
                f.location.line.unwrap_or(0),
                f.suppression.is_some(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn history_reports_each_secret_at_the_commit_that_introduced_it() {
    let h = history();
    let scan = scan_history(&builtin(), h.repo.path(), &HistoryOptions::default()).unwrap();
    assert!(scan.diagnostics.is_empty(), "{:?}", scan.diagnostics);
    let mut expected = vec![
        // Added in 2, kept in 3, removed in 4: found, at 2.
        ("app.env".to_string(), h.c2.to_string(), 4, false),
        ("deploy/side.env".to_string(), h.side.to_string(), 2, false),
        ("late.env".to_string(), h.c5.to_string(), 2, false),
        ("release.env".to_string(), h.tagged.to_string(), 2, false),
        // The inline marker holds in history too.
        ("src/client.py".to_string(), h.c2.to_string(), 3, true),
    ];
    expected.sort();
    assert_eq!(places(&scan.findings), expected);
    let app = scan
        .findings
        .iter()
        .find(|f| f.location.path == "app.env")
        .unwrap();
    let s = app.secret.as_ref().unwrap();
    assert_eq!(s.author.as_deref(), Some("Bob <bob@example.org>"));
    // Two hours after 2023-11-14T22:13:20Z, in the author's +01:00.
    assert_eq!(s.date.as_deref(), Some("2023-11-15T01:13:20+01:00"));
    assert_eq!(app.id, "github-pat-classic");
    let suppressed = scan
        .findings
        .iter()
        .find(|f| f.location.path == "src/client.py")
        .unwrap();
    assert_eq!(
        suppressed.suppression.as_ref().unwrap().kind,
        SuppressionKind::Inline
    );
}

#[test]
fn the_fingerprint_is_the_file_scans_and_ignores_the_commit() {
    let h = history();
    let scanner = builtin();
    let scan = scan_history(&scanner, h.repo.path(), &HistoryOptions::default()).unwrap();
    let app = scan
        .findings
        .iter()
        .find(|f| f.location.path == "app.env")
        .unwrap();
    let file = crate::scan_bytes(&scanner, "app.env", &fixture("app-v2.env"));
    assert_eq!(file.len(), 1);
    assert_eq!(app.fingerprint, file[0].fingerprint);
    assert_eq!(
        app.secret.as_ref().unwrap().secret_fingerprint,
        file[0].secret.as_ref().unwrap().secret_fingerprint
    );
}

#[test]
fn since_skips_the_commits_reachable_from_the_revision() {
    let h = history();
    let options = HistoryOptions {
        since: Some("v1.0".to_string()),
        ..HistoryOptions::default()
    };
    let scan = scan_history(&builtin(), h.repo.path(), &options).unwrap();
    // Not reachable from 4: 5, the side branch, the tagged commit.
    let paths: Vec<String> = places(&scan.findings).into_iter().map(|p| p.0).collect();
    assert_eq!(paths, ["deploy/side.env", "late.env", "release.env"]);
    let by_id = HistoryOptions {
        since: Some(h.c4.to_string()),
        ..HistoryOptions::default()
    };
    let again = scan_history(&builtin(), h.repo.path(), &by_id).unwrap();
    assert_eq!(places(&again.findings), places(&scan.findings));
}

#[test]
fn errors_name_the_path_and_the_revision() {
    let h = history();
    let options = HistoryOptions {
        since: Some("no-such-branch".to_string()),
        ..HistoryOptions::default()
    };
    let e = scan_history(&builtin(), h.repo.path(), &options)
        .unwrap_err()
        .to_string();
    assert!(e.contains("--since no-such-branch"), "{e}");
    let plain = tempfile::tempdir().unwrap();
    let e = scan_history(&builtin(), plain.path(), &HistoryOptions::default());
    assert!(
        matches!(e, Err(HistoryError::NotARepository { .. })),
        "{e:?}"
    );
}

#[test]
fn an_empty_repository_has_no_findings() {
    let t = TestRepo::new();
    let scan = scan_history(&builtin(), t.path(), &HistoryOptions::default()).unwrap();
    assert!(scan.findings.is_empty());
    assert_eq!(scan.files, 0);
}

#[test]
fn oversized_blobs_are_not_scanned() {
    let h = history();
    let options = HistoryOptions {
        max_file_size: 10,
        ..HistoryOptions::default()
    };
    let scan = scan_history(&builtin(), h.repo.path(), &options).unwrap();
    assert!(scan.findings.is_empty());
    assert!(scan.diagnostics.iter().any(|d| d
        .path
        .as_deref()
        .is_some_and(|p| p.starts_with("app.env (commit "))));
}

#[test]
fn staged_finds_what_differs_from_head_and_not_the_work_tree() {
    let mut t = TestRepo::new();
    let committed = [("app.env", fixture("app-v2.env"))];
    let c1 = t.commit("Ada", &committed, &[]);
    t.set_ref("refs/heads/main", c1);
    // The index: HEAD's files and a new one.
    let staged = t.tree(&[
        ("app.env", fixture("app-v2.env")),
        ("conf/staged.env", fixture("staged.env")),
    ]);
    let mut index = t.repo.index_from_tree(&staged).unwrap();
    index.write(gix::index::write::Options::default()).unwrap();
    // The work tree: an unstaged file.
    std::fs::write(t.path().join("unstaged.env"), fixture("unstaged.env")).unwrap();
    let scan = scan_staged(&builtin(), t.path(), &HistoryOptions::default()).unwrap();
    assert_eq!(
        places(&scan.findings),
        [("conf/staged.env".to_string(), String::new(), 2, false)]
    );
    assert_eq!(scan.files, 1);
}

#[test]
fn a_shallow_clone_reports_at_its_boundary_commit() {
    let mut t = TestRepo::new();
    // A parent that the clone does not have.
    let missing = ObjectId::from_hex(b"1111111111111111111111111111111111111111").unwrap();
    let boundary = t.commit("Ada", &[("app.env", fixture("app-v2.env"))], &[missing]);
    let next = t.commit(
        "Bob",
        &[
            ("app.env", fixture("app-v2.env")),
            ("late.env", fixture("late.env")),
        ],
        &[boundary],
    );
    t.set_ref("refs/heads/main", next);
    std::fs::write(t.path().join(".git/shallow"), format!("{boundary}\n")).unwrap();
    let scan = scan_history(&builtin(), t.path(), &HistoryOptions::default()).unwrap();
    let mut expected = vec![
        ("app.env".to_string(), boundary.to_string(), 4, false),
        ("late.env".to_string(), next.to_string(), 2, false),
    ];
    expected.sort();
    assert_eq!(places(&scan.findings), expected);
    assert!(scan
        .diagnostics
        .iter()
        .any(|d| d.message.contains("shallow clone")));
}

#[test]
fn a_merge_introduces_only_what_no_parent_had() {
    let mut t = TestRepo::new();
    let base = ("app.env", fixture("app-v1.env"));
    let c1 = t.commit("Ada", std::slice::from_ref(&base), &[]);
    let side = t.commit(
        "Cy",
        &[base.clone(), ("side.env", fixture("side.env"))],
        &[c1],
    );
    let c2 = t.commit(
        "Ada",
        &[base.clone(), ("README.md", b"# demo\n".to_vec())],
        &[c1],
    );
    // The merge takes both sides and adds a file of its own.
    let merge = t.commit(
        "Bob",
        &[
            base,
            ("README.md", b"# demo\n".to_vec()),
            ("side.env", fixture("side.env")),
            ("late.env", fixture("late.env")),
        ],
        &[c2, side],
    );
    t.set_ref("refs/heads/main", merge);
    let scan = scan_history(&builtin(), t.path(), &HistoryOptions::default()).unwrap();
    let mut expected = vec![
        ("late.env".to_string(), merge.to_string(), 2, false),
        ("side.env".to_string(), side.to_string(), 2, false),
    ];
    expected.sort();
    assert_eq!(places(&scan.findings), expected);
}
