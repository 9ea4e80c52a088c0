//! Secrets in git history and in the index, read with `gix` (no `git`
//! process).
//!
//! History: every commit reachable from any reference (branches, tags,
//! remote-tracking branches, HEAD), or with `since` only those not
//! reachable from that revision, is put in topological order (parents
//! first, then by commit time). Each commit's tree is compared with its
//! parents' trees (tree entries only, no content diff): a blob at a path
//! that no parent has at that path was introduced by that commit. Each
//! distinct blob is then read and scanned once, in parallel, and its hits
//! are mapped back to the (commit, path) places that introduced it.
//!
//! A finding's fingerprint is the one of a file scan (rule, path,
//! secret), without the commit: a baseline made today still matches after
//! more commits, and the same secret at the same path is reported once,
//! at the earliest commit that introduced it; at another path it is
//! another finding.
//!
//! Staged: the blobs of the index that differ from HEAD's tree (added or
//! modified), at their path, with no commit: what `git commit` would
//! record.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use gix::bstr::{BString, ByteSlice};
use gix::objs::FindExt;
use gix::ObjectId;
use rayon::prelude::*;
use vigil_model::{Diagnostic, Level};

use crate::{
    finding, inline_ignore, inline_ignores, inline_suppression, is_binary, Hit, Scanner,
    SecretScan, BINARY_SNIFF,
};

/// How to scan a repository.
#[derive(Debug, Clone)]
pub struct HistoryOptions {
    /// Blobs larger than this are not scanned (a diagnostic says so).
    pub max_file_size: u64,
    /// Only the commits not reachable from this revision (`REV..` all
    /// references).
    pub since: Option<String>,
}

impl Default for HistoryOptions {
    fn default() -> Self {
        HistoryOptions {
            max_file_size: crate::DEFAULT_MAX_FILE_SIZE,
            since: None,
        }
    }
}

/// A repository could not be scanned.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The path is not in a git repository.
    #[error("{}: not a git repository (or inside one): {message}", path.display())]
    NotARepository {
        /// The path given.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// `--since` names no commit of the repository.
    #[error("{}: --since {rev}: no such revision in this repository: {message}", path.display())]
    Revision {
        /// The repository.
        path: PathBuf,
        /// The revision as given.
        rev: String,
        /// Why.
        message: String,
    },
    /// A bare repository has no index to scan.
    #[error("{}: a bare repository has no staged changes", path.display())]
    Bare {
        /// The repository.
        path: PathBuf,
    },
    /// Reading the repository failed.
    #[error("{}: {message}", path.display())]
    Git {
        /// The repository.
        path: PathBuf,
        /// What failed.
        message: String,
    },
}

/// Where the repository holding `path` has its work tree (its git
/// directory when bare): the root of the paths of a history scan.
pub fn repository_root(path: &Path) -> Result<PathBuf, HistoryError> {
    let repo = open(path)?.to_thread_local();
    Ok(repo
        .workdir()
        .unwrap_or_else(|| repo.git_dir())
        .to_path_buf())
}

fn open(path: &Path) -> Result<gix::ThreadSafeRepository, HistoryError> {
    let start = if path.is_file() {
        path.parent().unwrap_or(path)
    } else {
        path
    };
    gix::ThreadSafeRepository::discover(start).map_err(|e| HistoryError::NotARepository {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// A commit that introduced blobs: what a finding says of it.
#[derive(Debug, Clone)]
struct CommitInfo {
    id: ObjectId,
    /// `Name <email>`.
    author: String,
    /// The author date, RFC 3339 with the author's offset.
    date: String,
}

/// A blob introduced at a path (by a commit, or staged).
#[derive(Debug, Clone, Copy)]
struct Occurrence {
    blob: u32,
    path: u32,
    commit: Option<u32>,
}

/// The blobs to scan and where they were introduced, in the order of
/// introduction.
#[derive(Debug, Default)]
struct Introduced {
    commits: Vec<CommitInfo>,
    paths: Vec<String>,
    blobs: Vec<ObjectId>,
    occurrences: Vec<Occurrence>,
    path_index: HashMap<BString, u32>,
    blob_index: HashMap<ObjectId, u32>,
    /// Parents missing from the object database (a shallow clone).
    shallow: usize,
}

impl Introduced {
    fn add(&mut self, blob: ObjectId, path: BString, commit: Option<u32>) {
        let next = u32::try_from(self.paths.len()).unwrap_or(u32::MAX);
        let path = match self.path_index.get(&path) {
            Some(p) => *p,
            None => {
                self.paths.push(path.to_str_lossy().into_owned());
                self.path_index.insert(path, next);
                next
            }
        };
        let next = u32::try_from(self.blobs.len()).unwrap_or(u32::MAX);
        let blob = *self.blob_index.entry(blob).or_insert_with(|| {
            self.blobs.push(blob);
            next
        });
        self.occurrences.push(Occurrence { blob, path, commit });
    }
}

/// Scans the history of the repository holding `path`.
pub fn scan_history(
    scanner: &Scanner,
    path: &Path,
    options: &HistoryOptions,
) -> Result<SecretScan, HistoryError> {
    let shared = open(path)?;
    let repo = shared.to_thread_local();
    let root = repo
        .workdir()
        .unwrap_or_else(|| repo.git_dir())
        .to_path_buf();
    let git = |what: &str, e: &dyn std::fmt::Display| HistoryError::Git {
        path: root.clone(),
        message: format!("{what}: {e}"),
    };
    let tips = tips(&repo).map_err(|e| git("reading the references", &e))?;
    let hidden = match &options.since {
        Some(rev) => vec![
            resolve(&repo, rev).map_err(|message| HistoryError::Revision {
                path: root.clone(),
                rev: rev.clone(),
                message,
            })?,
        ],
        None => Vec::new(),
    };
    let order = commits(&repo, tips, hidden).map_err(|e| git("walking the commits", &e))?;
    tracing::debug!(commits = order.len(), "history: commits to compare");
    let introduced =
        introduced(&shared, scanner, &order).map_err(|e| git("comparing the trees", &e))?;
    tracing::debug!(
        blobs = introduced.blobs.len(),
        places = introduced.occurrences.len(),
        "history: blobs introduced"
    );
    let mut scan = scan_introduced(&shared, scanner, &introduced, options);
    if introduced.shallow > 0 {
        scan.diagnostics.push(Diagnostic {
            level: Level::Info,
            path: Some(root.display().to_string()),
            line: None,
            message: "a shallow clone: the secrets of its oldest commits' files are reported at those commits (their parents are not in the clone)".to_string(),
        });
    }
    Ok(scan)
}

/// Scans the blobs staged in the index of the repository holding `path`
/// that differ from HEAD's tree.
pub fn scan_staged(
    scanner: &Scanner,
    path: &Path,
    options: &HistoryOptions,
) -> Result<SecretScan, HistoryError> {
    let shared = open(path)?;
    let repo = shared.to_thread_local();
    let Some(root) = repo.workdir().map(Path::to_path_buf) else {
        return Err(HistoryError::Bare {
            path: repo.git_dir().to_path_buf(),
        });
    };
    let git = |what: &str, e: &dyn std::fmt::Display| HistoryError::Git {
        path: root.clone(),
        message: format!("{what}: {e}"),
    };
    let index = repo
        .index_or_empty()
        .map_err(|e| git("reading the index", &e))?;
    let head_tree = repo
        .head_tree_id_or_empty()
        .map_err(|e| git("reading HEAD", &e))?
        .detach();
    let mut buf = Vec::new();
    let mut recorder = gix::traverse::tree::Recorder::default();
    let root_tree = repo
        .objects
        .find_tree_iter(&head_tree, &mut buf)
        .map_err(|e| git("reading HEAD's tree", &e))?;
    gix::traverse::tree::breadthfirst(
        root_tree,
        gix::traverse::tree::breadthfirst::State::default(),
        &repo.objects,
        &mut recorder,
    )
    .map_err(|e| git("reading HEAD's tree", &e))?;
    let head: HashMap<&[u8], ObjectId> = recorder
        .records
        .iter()
        .filter(|e| e.mode.is_blob())
        .map(|e| (e.filepath.as_bytes(), e.oid))
        .collect();
    let mut introduced = Introduced::default();
    for entry in index.entries() {
        let file = entry.mode == gix::index::entry::Mode::FILE
            || entry.mode == gix::index::entry::Mode::FILE_EXECUTABLE;
        if !file || entry.stage() != gix::index::entry::Stage::Unconflicted {
            continue;
        }
        let rel = entry.path(&index);
        if head.get(rel.as_bytes()) == Some(&entry.id) {
            continue;
        }
        if scanner.rules().allow.allows_path(&rel.to_str_lossy()) {
            continue;
        }
        introduced.add(entry.id, rel.to_owned(), None);
    }
    tracing::debug!(blobs = introduced.blobs.len(), "staged blobs");
    Ok(scan_introduced(&shared, scanner, &introduced, options))
}

/// The commits every reference and HEAD point to (tags peeled).
fn tips(repo: &gix::Repository) -> Result<Vec<ObjectId>, String> {
    let mut out = Vec::new();
    let platform = repo.references().map_err(|e| e.to_string())?;
    for r in platform.all().map_err(|e| e.to_string())? {
        let mut r = r.map_err(|e| e.to_string())?;
        match r.peel_to_commit() {
            Ok(c) => out.push(c.id),
            // A tag of a tree or a blob, a dangling reference.
            Err(e) => {
                tracing::debug!(reference = %r.name().as_bstr(), error = %e, "not a commit: skipped")
            }
        }
    }
    if let Ok(id) = repo.head_id() {
        out.push(id.detach());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The commit `rev` names.
fn resolve(repo: &gix::Repository, rev: &str) -> Result<ObjectId, String> {
    let id = repo.rev_parse_single(rev).map_err(|e| e.to_string())?;
    let object = id.object().map_err(|e| e.to_string())?;
    let commit = object.peel_to_commit().map_err(|e| e.to_string())?;
    Ok(commit.id)
}

/// The commits reachable from `tips` and not from `hidden`, parents
/// before children (ties by commit time, oldest first).
fn commits(
    repo: &gix::Repository,
    tips: Vec<ObjectId>,
    hidden: Vec<ObjectId>,
) -> Result<Vec<ObjectId>, String> {
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let walk = repo
        .rev_walk(tips)
        .sorting(gix::revision::walk::Sorting::ByCommitTime(
            gix::traverse::commit::simple::CommitTimeOrder::NewestFirst,
        ))
        .with_hidden(hidden)
        .all()
        .map_err(|e| e.to_string())?;
    let mut ids = Vec::new();
    let mut parents = Vec::new();
    for info in walk {
        let info = info.map_err(|e| e.to_string())?;
        ids.push(info.id);
        parents.push(info.parent_ids.to_vec());
    }
    ids.reverse();
    parents.reverse();
    let index: HashMap<ObjectId, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    // Depth-first, parents first: a child is emitted after all its
    // parents (clock skew cannot put a child before its parent).
    let mut visited = vec![false; ids.len()];
    let mut out = Vec::with_capacity(ids.len());
    let mut stack: Vec<(usize, bool)> = Vec::new();
    for start in 0..ids.len() {
        stack.push((start, false));
        while let Some((i, expanded)) = stack.pop() {
            if expanded {
                out.push(ids[i]);
                continue;
            }
            if visited[i] {
                continue;
            }
            visited[i] = true;
            stack.push((i, true));
            for p in parents[i].iter().rev() {
                if let Some(&j) = index.get(p) {
                    if !visited[j] {
                        stack.push((j, false));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Commits compared at once (in parallel), then merged in order: bounds
/// the changes held in memory.
const CHUNK: usize = 1024;

/// What one commit introduced, before the merge into [`Introduced`].
struct CommitChanges {
    info: Option<CommitInfo>,
    changes: Vec<(ObjectId, BString)>,
    /// Parents missing from the object database.
    missing_parents: usize,
}

/// The (blob, path) pairs commit `id` introduced.
fn commit_changes(
    repo: &gix::Repository,
    differ: &mut Differ,
    id: ObjectId,
) -> Result<CommitChanges, String> {
    let commit = repo.find_commit(id).map_err(|e| e.to_string())?;
    let tree = commit.tree_id().map_err(|e| e.to_string())?.detach();
    let mut parent_trees = Vec::new();
    let mut missing_parents = 0;
    for p in commit.parent_ids() {
        let p = p.detach();
        // A shallow clone's boundary: its parents are not there, so it
        // introduces everything it has.
        if !repo.has_object(p) {
            missing_parents += 1;
            continue;
        }
        let parent = repo
            .find_commit(p)
            .map_err(|e| format!("parent {p}: {e}"))?;
        parent_trees.push(
            parent
                .tree_id()
                .map_err(|e| format!("parent {p}: {e}"))?
                .detach(),
        );
    }
    let changes = differ.introduced(repo, &parent_trees, tree)?;
    let info = if changes.is_empty() {
        None
    } else {
        let author = commit.author().map_err(|e| e.to_string())?;
        let name = author.name.to_str_lossy();
        let email = author.email.to_str_lossy();
        let date = author
            .time()
            .ok()
            .and_then(|t| t.format(gix::date::time::format::ISO8601_STRICT).ok())
            .unwrap_or_default();
        Some(CommitInfo {
            id,
            author: format!("{} <{}>", name.trim(), email.trim()),
            date,
        })
    };
    Ok(CommitChanges {
        info,
        changes,
        missing_parents,
    })
}

/// The blobs each commit of `order` introduced, with their paths: trees
/// compared in parallel, chunk by chunk, the results merged in `order`.
fn introduced(
    shared: &gix::ThreadSafeRepository,
    scanner: &Scanner,
    order: &[ObjectId],
) -> Result<Introduced, String> {
    let mut out = Introduced::default();
    // (blob, path) already seen: a merge brings the blobs of its other
    // parents, introduced there.
    let mut seen: HashSet<(ObjectId, u32)> = HashSet::new();
    for chunk in order.chunks(CHUNK) {
        let compared: Vec<CommitChanges> = chunk
            .par_iter()
            .map_init(
                || (shared.to_thread_local(), Differ::default()),
                |(repo, differ), id| {
                    commit_changes(repo, differ, *id).map_err(|e| format!("commit {id}: {e}"))
                },
            )
            .collect::<Result<_, _>>()?;
        for c in compared {
            out.shallow += c.missing_parents;
            let Some(info) = c.info else {
                continue;
            };
            let ci = u32::try_from(out.commits.len()).unwrap_or(u32::MAX);
            out.commits.push(info);
            for (blob, path) in c.changes {
                if scanner.rules().allow.allows_path(&path.to_str_lossy()) {
                    continue;
                }
                let p = out.path_index.get(&path).copied();
                if let Some(p) = p {
                    if !seen.insert((blob, p)) {
                        continue;
                    }
                }
                out.add(blob, path, Some(ci));
                if p.is_none() {
                    if let Some(o) = out.occurrences.last() {
                        seen.insert((blob, o.path));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Tree comparisons, with buffers kept across commits.
#[derive(Default)]
struct Differ {
    state: gix::diff::tree::State,
    old: Vec<u8>,
    new: Vec<u8>,
}

impl Differ {
    /// The (blob, path) pairs of `tree` that no tree of `parents` has
    /// (every pair of a root commit).
    fn introduced(
        &mut self,
        repo: &gix::Repository,
        parents: &[ObjectId],
        tree: ObjectId,
    ) -> Result<Vec<(ObjectId, BString)>, String> {
        let Some((first, others)) = parents.split_first() else {
            return self.changes(repo, None, tree);
        };
        let mut out = self.changes(repo, Some(*first), tree)?;
        for p in others {
            if out.is_empty() {
                break;
            }
            let other: HashSet<(ObjectId, BString)> =
                self.changes(repo, Some(*p), tree)?.into_iter().collect();
            out.retain(|c| other.contains(c));
        }
        Ok(out)
    }

    /// The blobs added or modified from `old` to `new`.
    fn changes(
        &mut self,
        repo: &gix::Repository,
        old: Option<ObjectId>,
        new: ObjectId,
    ) -> Result<Vec<(ObjectId, BString)>, String> {
        if old == Some(new) {
            return Ok(Vec::new());
        }
        let lhs = match old {
            Some(t) => repo
                .objects
                .find_tree_iter(&t, &mut self.old)
                .map_err(|e| e.to_string())?,
            None => gix::objs::TreeRefIter::from_bytes(&[], repo.object_hash()),
        };
        let rhs = repo
            .objects
            .find_tree_iter(&new, &mut self.new)
            .map_err(|e| e.to_string())?;
        let mut recorder = gix::diff::tree::Recorder::default();
        gix::diff::tree(lhs, rhs, &mut self.state, &repo.objects, &mut recorder)
            .map_err(|e| e.to_string())?;
        use gix::diff::tree::recorder::Change;
        Ok(recorder
            .records
            .into_iter()
            .filter_map(|c| match c {
                Change::Addition {
                    entry_mode,
                    oid,
                    path,
                    ..
                }
                | Change::Modification {
                    entry_mode,
                    oid,
                    path,
                    ..
                } if entry_mode.is_blob() => Some((oid, path)),
                _ => None,
            })
            .collect())
    }
}

/// What scanning one blob gave.
enum Outcome {
    /// Scanned: bytes, hits with their inline marker's reason if any.
    Scanned(u64, Vec<(Hit, Option<Option<String>>)>),
    /// Larger than the limit: its size.
    TooLarge(u64),
    /// Could not be read.
    Failed(String),
}

fn scan_blob(
    repo: &gix::Repository,
    scanner: &Scanner,
    id: ObjectId,
    rel: Option<&str>,
    max: u64,
) -> Outcome {
    let size = match repo.find_header(id) {
        Ok(h) => h.size(),
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    if size > max {
        return Outcome::TooLarge(size);
    }
    let object = match repo.find_object(id) {
        Ok(o) => o,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let bytes = &object.data;
    if is_binary(bytes) {
        if !scanner.has_binary_rules() {
            return Outcome::Scanned(0, Vec::new());
        }
        let head = &bytes[..bytes.len().min(BINARY_SNIFF)];
        let hits = scanner.scan_binary_content(rel, head);
        return Outcome::Scanned(
            head.len() as u64,
            hits.into_iter().map(|h| (h, None)).collect(),
        );
    }
    let hits = scanner.scan_content(rel, bytes);
    if hits.is_empty() {
        return Outcome::Scanned(size, Vec::new());
    }
    let ignores = inline_ignores(bytes);
    let hits = hits
        .into_iter()
        .map(|h| {
            let ignored = inline_ignore(&ignores, &h, scanner.rule(&h));
            (h, ignored)
        })
        .collect();
    Outcome::Scanned(size, hits)
}

/// Scans each blob once and maps its hits to the places that introduced
/// it.
fn scan_introduced(
    shared: &gix::ThreadSafeRepository,
    scanner: &Scanner,
    introduced: &Introduced,
    options: &HistoryOptions,
) -> SecretScan {
    // A blob at one path is scanned with that path (its allowlists apply
    // as in a file scan); one at several, without, and each place then
    // drops the hits of rules that allow its path.
    let mut single: Vec<Option<Option<u32>>> = vec![None; introduced.blobs.len()];
    for o in &introduced.occurrences {
        let slot = &mut single[o.blob as usize];
        *slot = match *slot {
            None => Some(Some(o.path)),
            Some(Some(p)) if p == o.path => Some(Some(p)),
            _ => Some(None),
        };
    }
    let outcomes: Vec<Outcome> = introduced
        .blobs
        .par_iter()
        .zip(single.par_iter())
        .map_init(
            || shared.to_thread_local(),
            |repo, (id, path)| {
                let rel = path
                    .flatten()
                    .map(|p| introduced.paths[p as usize].as_str());
                scan_blob(repo, scanner, *id, rel, options.max_file_size)
            },
        )
        .collect();
    let mut out = SecretScan::default();
    for o in &outcomes {
        if let Outcome::Scanned(n, _) = o {
            out.files += 1;
            out.bytes += n;
        }
    }
    let mut reported = vec![false; introduced.blobs.len()];
    // Finding fingerprint → the place that reported it first.
    let mut first: HashMap<String, (Option<u32>, u32)> = HashMap::new();
    for o in &introduced.occurrences {
        let rel = introduced.paths[o.path as usize].as_str();
        let commit = o.commit.map(|c| &introduced.commits[c as usize]);
        let at = || match commit {
            Some(c) => format!(" (commit {})", c.id.to_hex_with_len(12)),
            None => " (staged)".to_string(),
        };
        match &outcomes[o.blob as usize] {
            Outcome::Scanned(_, hits) => {
                for (hit, ignored) in hits {
                    let rule = scanner.rule(hit);
                    if rule.allow.allows_path(rel) {
                        continue;
                    }
                    let suppression = ignored
                        .clone()
                        .map(|reason| inline_suppression(rel, reason));
                    let mut f = finding(rule, hit, rel, suppression);
                    let place = (o.commit, o.path);
                    if *first.entry(f.fingerprint.0.clone()).or_insert(place) != place {
                        continue;
                    }
                    if let (Some(c), Some(s)) = (commit, f.secret.as_mut()) {
                        s.commit = Some(c.id.to_string());
                        s.author = Some(c.author.clone());
                        s.date = Some(c.date.clone()).filter(|d| !d.is_empty());
                    }
                    out.findings.push(f);
                }
            }
            Outcome::TooLarge(size) if !reported[o.blob as usize] => {
                reported[o.blob as usize] = true;
                out.diagnostics.push(Diagnostic {
                    level: Level::Info,
                    path: Some(format!("{rel}{}", at())),
                    line: None,
                    message: format!(
                        "not scanned for secrets: {} MiB, larger than the limit of {} MiB (--max-file-size)",
                        size / (1024 * 1024),
                        options.max_file_size / (1024 * 1024)
                    ),
                });
            }
            Outcome::Failed(e) if !reported[o.blob as usize] => {
                reported[o.blob as usize] = true;
                out.diagnostics.push(Diagnostic::warning(
                    format!("{rel}{}", at()),
                    None,
                    format!("not scanned for secrets: {e}"),
                ));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;
