//! `vigil scan secrets --git` and `--staged` through the real binary, on
//! repositories written here with `gix` from the fixture files of
//! `tests/fixtures/secrets/history`.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

use gix::bstr::BString;
use gix::ObjectId;
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/secrets/history")
            .join(name),
    )
    .unwrap()
}

fn vigil(args: &[&str]) -> (i32, String, String) {
    let cache = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .env("VIGIL_CACHE_DIR", cache.path())
        .env("VIGIL_OFFLINE", "1")
        .env_remove("VIGIL_CONFIG")
        .env_remove("VIGIL_LOG")
        .arg("--no-config")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A repository written object by object, one commit an hour.
struct Repo {
    dir: tempfile::TempDir,
    repo: gix::Repository,
    time: i64,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let repo = gix::init(dir.path()).unwrap();
        std::fs::write(dir.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        Repo {
            dir,
            repo,
            time: 1_700_000_000,
        }
    }

    fn path(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }

    fn tree(&self, files: &[(&str, Vec<u8>)]) -> ObjectId {
        let mut entries: Vec<gix::objs::tree::Entry> = files
            .iter()
            .map(|(name, content)| gix::objs::tree::Entry {
                mode: gix::objs::tree::EntryKind::Blob.into(),
                filename: BString::from(*name),
                oid: self.repo.write_blob(content).unwrap().detach(),
            })
            .collect();
        entries.sort();
        self.repo
            .write_object(gix::objs::Tree { entries })
            .unwrap()
            .detach()
    }

    fn commit(&mut self, who: &str, files: &[(&str, Vec<u8>)], parents: &[ObjectId]) -> ObjectId {
        self.time += 3600;
        let signature = gix::actor::Signature {
            name: who.into(),
            email: format!("{}@example.org", who.to_lowercase()).into(),
            time: gix::date::Time {
                seconds: self.time,
                offset: 0,
            },
        };
        let commit = gix::objs::Commit {
            tree: self.tree(files),
            parents: parents.to_vec().into(),
            author: signature.clone(),
            committer: signature,
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
}

/// main: 1 (clean), 2 (a token in app.env), 3 (token removed), 4 (a new
/// file with a token); feature: from 2, a token in side.env.
struct History {
    repo: Repo,
    c2: ObjectId,
    c3: ObjectId,
    c4: ObjectId,
    side: ObjectId,
}

fn history() -> History {
    let mut r = Repo::new();
    let c1 = r.commit("Ada", &[("app.env", fixture("app-v1.env"))], &[]);
    let c2 = r.commit("Bob", &[("app.env", fixture("app-v2.env"))], &[c1]);
    let c3 = r.commit("Ada", &[("app.env", fixture("app-v4.env"))], &[c2]);
    let c4 = r.commit(
        "Dee",
        &[
            ("app.env", fixture("app-v4.env")),
            ("late.env", fixture("late.env")),
        ],
        &[c3],
    );
    let side = r.commit(
        "Cy",
        &[
            ("app.env", fixture("app-v2.env")),
            ("side.env", fixture("side.env")),
        ],
        &[c2],
    );
    r.set_ref("refs/heads/main", c4);
    r.set_ref("refs/heads/feature", side);
    History {
        repo: r,
        c2,
        c3,
        c4,
        side,
    }
}

fn secrets(json: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_str(json).unwrap();
    let mut out: Vec<Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "secret")
        .cloned()
        .collect();
    out.sort_by_key(|f| f["location"]["path"].as_str().unwrap().to_string());
    out
}

#[test]
fn git_history_reports_the_introducing_commit_author_and_date() {
    let h = history();
    let (code, out, err) = vigil(&["scan", "secrets", h.repo.path(), "--git", "-f", "json"]);
    assert_eq!(code, 0, "{err}");
    let found = secrets(&out);
    let places: Vec<(&str, &str)> = found
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap(),
                f["commit"].as_str().unwrap(),
            )
        })
        .collect();
    let (c2, c4, side) = (h.c2.to_string(), h.c4.to_string(), h.side.to_string());
    assert_eq!(
        places,
        [
            ("app.env", c2.as_str()),
            ("late.env", c4.as_str()),
            ("side.env", side.as_str())
        ]
    );
    assert_eq!(found[0]["author"], "Bob <bob@example.org>");
    assert_eq!(found[0]["date"], "2023-11-15T00:13:20+00:00");
    assert_eq!(found[0]["location"]["line"], 4);
    // The raw value is nowhere.
    let raw = String::from_utf8(fixture("app-v2.env")).unwrap();
    let token = raw.trim().rsplit('=').next().unwrap();
    assert!(!out.contains(token));

    // The table shows the short commit; the gate fails.
    let (code, table, _) = vigil(&[
        "scan",
        "secrets",
        h.repo.path(),
        "--git",
        "--fail-on-secrets",
    ]);
    assert_eq!(code, 1, "{table}");
    assert!(table.contains("COMMIT"), "{table}");
    assert!(table.contains(&c2[..8]), "{table}");

    // SARIF: in the result's properties.
    let (_, sarif, _) = vigil(&["scan", "secrets", h.repo.path(), "--git", "-f", "sarif"]);
    let doc: Value = serde_json::from_str(&sarif).unwrap();
    let commits: Vec<&str> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["properties"]["commit"].as_str().unwrap())
        .collect();
    assert!(commits.contains(&c2.as_str()), "{sarif}");
}

#[test]
fn since_scans_only_newer_commits_and_a_baseline_keeps_working() {
    let h = history();
    let c3 = h.c3.to_string();
    let (code, out, err) = vigil(&[
        "scan",
        "secrets",
        h.repo.path(),
        "--git",
        "--since",
        &c3,
        "-f",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let paths: Vec<String> = secrets(&out)
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap().to_string())
        .collect();
    // 4 and the side branch are not reachable from 3; 2 is.
    assert_eq!(paths, ["late.env", "side.env"]);

    // A baseline of the full scan suppresses every finding of a rescan.
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let (_, full, _) = vigil(&["scan", "secrets", h.repo.path(), "--git", "-f", "json"]);
    std::fs::write(&baseline, full).unwrap();
    let (code, again, err) = vigil(&[
        "scan",
        "secrets",
        h.repo.path(),
        "--git",
        "--fail-on-secrets",
        "--baseline",
        baseline.to_str().unwrap(),
        "-f",
        "json",
    ]);
    assert_eq!(code, 0, "{again}{err}");
    assert!(secrets(&again)
        .iter()
        .all(|f| f["suppression"]["kind"] == "baseline"));
}

#[test]
fn staged_finds_a_staged_secret_and_not_an_unstaged_one() {
    let mut r = Repo::new();
    let c1 = r.commit("Ada", &[("app.env", fixture("app-v2.env"))], &[]);
    r.set_ref("refs/heads/main", c1);
    // Nothing staged: HEAD's own secret is not a staged change.
    let index = r.tree(&[("app.env", fixture("app-v2.env"))]);
    let mut file = r.repo.index_from_tree(&index).unwrap();
    file.write(gix::index::write::Options::default()).unwrap();
    std::fs::write(r.dir.path().join("unstaged.env"), fixture("unstaged.env")).unwrap();
    let (code, out, err) = vigil(&["scan", "secrets", r.path(), "--staged", "--fail-on-secrets"]);
    assert_eq!(code, 0, "{out}{err}");

    let index = r.tree(&[
        ("app.env", fixture("app-v2.env")),
        ("staged.env", fixture("staged.env")),
    ]);
    let mut file = r.repo.index_from_tree(&index).unwrap();
    file.write(gix::index::write::Options::default()).unwrap();
    let (code, out, err) = vigil(&[
        "scan",
        "secrets",
        r.path(),
        "--staged",
        "--fail-on-secrets",
        "-f",
        "json",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let found = secrets(&out);
    assert_eq!(found.len(), 1, "{out}");
    assert_eq!(found[0]["location"]["path"], "staged.env");
    assert_eq!(found[0]["location"]["line"], 2);
    assert!(found[0].get("commit").is_none());
}

#[test]
fn errors_name_the_path_and_the_revision() {
    let plain = tempfile::tempdir().unwrap();
    let path = plain.path().to_str().unwrap();
    let (code, _, err) = vigil(&["scan", "secrets", path, "--git"]);
    assert_ne!(code, 0);
    assert!(
        err.contains(path) && err.contains("not a git repository"),
        "{err}"
    );
    let h = history();
    let (code, _, err) = vigil(&[
        "scan",
        "secrets",
        h.repo.path(),
        "--git",
        "--since",
        "no-such-tag",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("--since no-such-tag"), "{err}");
    let (code, _, err) = vigil(&["scan", "secrets", path, "--since", "x"]);
    assert_ne!(code, 0);
    assert!(err.contains("--git"), "{err}");
}

#[test]
fn a_path_inside_the_repository_scans_it_all_with_its_ignore_file() {
    let h = history();
    let root = h.repo.dir.path();
    std::fs::write(root.join(".vigilignore.yaml"), fixture("vigilignore.yaml")).unwrap();
    let sub = root.join("docs/guide");
    std::fs::create_dir_all(&sub).unwrap();
    let (code, out, err) = vigil(&[
        "scan",
        "secrets",
        sub.to_str().unwrap(),
        "--git",
        "--fail-on-secrets",
        "-f",
        "json",
    ]);
    // app.env and late.env stay open.
    assert_eq!(code, 1, "{err}");
    let found = secrets(&out);
    let states: Vec<(&str, &str)> = found
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap(),
                f["suppression"]["kind"].as_str().unwrap_or("open"),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("app.env", "open"),
            ("late.env", "open"),
            ("side.env", "ignore")
        ]
    );
}
