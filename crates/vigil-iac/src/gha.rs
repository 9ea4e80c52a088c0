//! GitHub Actions workflows: the triggers normalised to a map of events,
//! each job and step located, `uses:` references parsed, and the
//! `${{ ... }}` expressions of `run` scripts and `with` inputs found with
//! their lines.

use serde_json::{json, Map, Value};

use crate::dockerfile::image_parts;
use crate::yaml::{self, Document, LINES_KEY, LINE_KEY};

/// Whether a path is below a `.github/workflows` directory and YAML.
pub fn is_workflow_path(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    (lower.starts_with(".github/workflows/") || lower.contains("/.github/workflows/"))
        && (lower.ends_with(".yml") || lower.ends_with(".yaml"))
}

/// The keys of a mapping, without the line annotations.
fn keys(v: &Value) -> impl Iterator<Item = (&String, &Value)> {
    v.as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != LINE_KEY && k.as_str() != LINES_KEY)
}

/// The `on` key of a workflow. A YAML 1.1 reader makes a bare `on` the
/// boolean true; vigil's reader keeps it `on`, but a file may have been
/// written by a tool that quotes the boolean: both are accepted.
fn on_key(top: &Value) -> Option<&'static str> {
    ["on", "true"].into_iter().find(|k| top.get(*k).is_some())
}

/// Whether a YAML file is a workflow: below `.github/workflows` with a
/// `jobs` mapping, or elsewhere with `on` and `jobs` whose jobs have
/// `runs-on` or `steps`.
pub fn is_workflow(rel: &str, docs: &[Document]) -> bool {
    let Some(top) = docs.first().map(|d| &d.value) else {
        return false;
    };
    let Some(jobs) = top.get("jobs").filter(|j| j.is_object()) else {
        return false;
    };
    if is_workflow_path(rel) {
        return true;
    }
    on_key(top).is_some()
        && keys(jobs).any(|(_, j)| j.get("runs-on").is_some() || j.get("steps").is_some())
}

/// The events of `on`, as a map (event → its configuration, `{}` when
/// it has none) with `__lines__` giving each event's line.
fn events(on: &Value, on_line: u32) -> Value {
    let mut map = Map::new();
    let mut lines = Map::new();
    let mut add = |name: &str, config: Value, line: u32| {
        map.insert(name.to_string(), config);
        lines.insert(name.to_string(), Value::from(line));
    };
    match on {
        Value::String(s) => add(s, json!({}), on_line),
        Value::Array(a) => {
            for e in a.iter().filter_map(Value::as_str) {
                add(e, json!({}), on_line);
            }
        }
        Value::Object(_) => {
            for (name, config) in keys(on) {
                let config = if config.is_null() {
                    json!({})
                } else {
                    config.clone()
                };
                add(name, config, yaml::key_line(on, name));
            }
        }
        _ => {}
    }
    map.insert(LINE_KEY.to_string(), Value::from(on_line));
    map.insert(LINES_KEY.to_string(), Value::Object(lines));
    Value::Object(map)
}

/// Whether a ref is a full commit SHA.
fn is_sha(r: &str) -> bool {
    r.len() == 40 && r.chars().all(|c| c.is_ascii_hexdigit())
}

/// A `uses:` reference parsed: `owner/repo[/path]@ref`, a local `./path`
/// or a `docker://image`.
pub fn parse_uses(uses: &str) -> Value {
    let uses = uses.trim();
    if uses.starts_with("./") || uses.starts_with("../") {
        return json!({
            "owner": null, "repo": null, "path": uses, "ref": null,
            "pinned_sha": false, "local": true, "docker": false, "digest": null,
        });
    }
    if let Some(image) = uses.strip_prefix("docker://") {
        let (repository, tag, digest) = image_parts(image);
        let pinned = digest.as_deref().is_some_and(|d| d.starts_with("sha256:"));
        return json!({
            "owner": null, "repo": null, "path": repository, "ref": tag,
            "pinned_sha": pinned, "local": false, "docker": true, "digest": digest,
        });
    }
    let (name, r) = match uses.split_once('@') {
        Some((n, r)) => (n, Some(r)),
        None => (uses, None),
    };
    let mut parts = name.splitn(3, '/');
    let owner = parts.next().filter(|s| !s.is_empty());
    let repo = parts.next().filter(|s| !s.is_empty());
    let path = parts.next().filter(|s| !s.is_empty());
    json!({
        "owner": owner, "repo": repo, "path": path, "ref": r,
        "pinned_sha": r.is_some_and(is_sha), "local": false, "docker": false, "digest": null,
    })
}

/// The `${{ ... }}` expressions of a text: (the expression inside, the
/// whole `${{ ... }}` as written, its byte offset).
fn expressions_of(text: &str) -> Vec<(String, &str, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = text[at..].find("${{") {
        let start = at + i;
        let Some(j) = text[start + 3..].find("}}") else {
            break;
        };
        let end = start + 3 + j + 2;
        out.push((
            text[start + 3..end - 2].trim().to_string(),
            &text[start..end],
            start,
        ));
        at = end;
    }
    out
}

/// The expressions of a step's field (`run`, `with.<input>`) with their
/// lines: each found in the file's text from `first` (the line the
/// value starts on) on, before `limit`; else counted from `first` by the
/// newlines before it.
fn field_expressions(
    field: &str,
    value: &str,
    first: u32,
    limit: Option<u32>,
    lines: &[&str],
    out: &mut Vec<Value>,
) {
    let mut cursor = first;
    for (expr, written, offset) in expressions_of(value) {
        let counted = first + u32::try_from(value[..offset].matches('\n').count()).unwrap_or(0);
        let line = match yaml::find_line(lines, cursor, written) {
            Some(l) if limit.is_none_or(|lim| l < lim) => {
                cursor = l;
                l
            }
            _ => counted,
        };
        out.push(json!({"field": field, "expression": expr, "line": line}));
    }
}

/// The line a scalar value starts on: the line after its key for a
/// block scalar (`|`, `>`), else the key's line.
fn value_line(lines: &[&str], key_line: u32, key: &str) -> u32 {
    let Some(text) = usize::try_from(key_line)
        .ok()
        .and_then(|l| l.checked_sub(1))
        .and_then(|i| lines.get(i))
    else {
        return key_line;
    };
    let after = text
        .find(&format!("{key}:"))
        .map(|i| text[i + key.len() + 1..].trim_start())
        .unwrap_or_default();
    if after.starts_with('|') || after.starts_with('>') {
        key_line + 1
    } else {
        key_line
    }
}

/// One step's entry of the input document.
fn step(index: usize, raw: &Value, limit: Option<u32>, lines: &[&str]) -> Value {
    let uses = raw.get("uses").and_then(Value::as_str);
    let run = raw.get("run").and_then(Value::as_str);
    let mut expressions = Vec::new();
    let mut run_line = Value::Null;
    if let Some(run) = run {
        let first = value_line(lines, yaml::key_line(raw, "run"), "run");
        run_line = Value::from(first);
        field_expressions("run", run, first, limit, lines, &mut expressions);
    }
    if let Some(with) = raw.get("with") {
        for (k, v) in keys(with) {
            if let Some(v) = v.as_str() {
                let first = value_line(lines, yaml::key_line(with, k), k);
                field_expressions(
                    &format!("with.{k}"),
                    v,
                    first,
                    limit,
                    lines,
                    &mut expressions,
                );
            }
        }
    }
    json!({
        "index": index,
        "name": raw.get("name"),
        "uses": uses,
        "action": uses.map(parse_uses),
        "run": run,
        "run_line": run_line,
        "with": raw.get("with"),
        "env": raw.get("env"),
        "line": raw.get(LINE_KEY),
        "step": raw,
        "expressions": expressions,
    })
}

/// One job's entry of the input document.
fn job(id: &str, raw: &Value, line: u32, limit: Option<u32>, lines: &[&str]) -> Value {
    let raw_steps: Vec<&Value> = raw
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|s| s.is_object())
        .collect();
    let steps: Vec<Value> = raw_steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let next = raw_steps
                .get(i + 1)
                .and_then(|n| n.get(LINE_KEY))
                .and_then(Value::as_u64)
                .and_then(|l| u32::try_from(l).ok())
                .or(limit);
            step(i, s, next, lines)
        })
        .collect();
    let uses = raw.get("uses").and_then(Value::as_str);
    json!({
        "id": format!("job/{id}"),
        "key": id,
        "name": raw.get("name").and_then(Value::as_str).unwrap_or(id),
        "line": line,
        "end_line": yaml::last_line(raw).max(u64::from(line)),
        "permissions": raw.get("permissions"),
        "runs_on": raw.get("runs-on"),
        "uses": uses,
        "action": uses.map(parse_uses),
        "secrets": raw.get("secrets"),
        "with": raw.get("with"),
        "env": raw.get("env"),
        "job": raw,
        "steps": steps,
    })
}

/// The input document of a workflow (see docs/iac.md).
pub fn input(docs: &[Document], text: &str) -> Value {
    let lines: Vec<&str> = text.lines().collect();
    let top = docs.first().map(|d| &d.value).unwrap_or(&Value::Null);
    let on_line = on_key(top).map_or(0, |k| yaml::key_line(top, k));
    let on = on_key(top)
        .and_then(|k| top.get(k))
        .map_or_else(|| events(&Value::Null, 0), |o| events(o, on_line));
    let mut jobs = Vec::new();
    if let Some(j) = top.get("jobs") {
        // Mappings are sorted by key; jobs are listed as written.
        let mut ids: Vec<(&String, &Value)> = keys(j).filter(|(_, v)| v.is_object()).collect();
        ids.sort_by_key(|(id, _)| yaml::key_line(j, id));
        for (i, (id, raw)) in ids.iter().enumerate() {
            let limit = ids.get(i + 1).map(|(n, _)| yaml::key_line(j, n));
            jobs.push(job(id, raw, yaml::key_line(j, id), limit, &lines));
        }
    }
    json!({
        "format": "github-actions",
        "name": top.get("name"),
        "on": on,
        "on_line": on_line,
        "permissions": top.get("permissions"),
        "env": top.get("env"),
        "workflow": top,
        "jobs": jobs,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn load(name: &str) -> Value {
        let path = format!(
            "{}/fixtures/github-actions/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        let docs = crate::yaml::parse(&text).unwrap();
        assert!(is_workflow(name, &docs), "{name}");
        input(&docs, &text)
    }

    #[test]
    fn on_forms() {
        let d = load("triage.yml");
        assert!(d["on"]["pull_request_target"].is_object());
        assert!(d["on"]["issue_comment"]["types"].is_array());
        assert_eq!(d["on"][LINES_KEY]["issue_comment"], 5);
        let s = load("on-string.yml");
        assert!(s["on"]["push"].is_object());
        assert_eq!(s["on"][LINES_KEY]["push"], 2);
        let l = load("on-list.yml");
        assert!(l["on"]["push"].is_object() && l["on"]["pull_request"].is_object());
    }

    #[test]
    fn uses_references() {
        let a = parse_uses("actions/checkout@v4");
        assert_eq!(a["owner"], "actions");
        assert_eq!(a["repo"], "checkout");
        assert_eq!(a["ref"], "v4");
        assert_eq!(a["pinned_sha"], false);
        let b = parse_uses("github/codeql-action/init@1b1aada464948af03b950897e5eb522f92603cc2");
        assert_eq!(b["path"], "init");
        assert_eq!(b["pinned_sha"], true);
        let c = parse_uses("./.github/actions/setup");
        assert_eq!(c["local"], true);
        let d = parse_uses("docker://alpine:3.20@sha256:0123456789abcdef");
        assert_eq!(d["docker"], true);
        assert_eq!(d["pinned_sha"], true);
        let e = parse_uses("docker://alpine:3.20");
        assert_eq!(e["pinned_sha"], false);
        assert_eq!(e["ref"], "3.20");
        let f = parse_uses("octo/repo/.github/workflows/build.yml@main");
        assert_eq!(f["path"], ".github/workflows/build.yml");
        assert_eq!(f["ref"], "main");
    }

    #[test]
    fn jobs_steps_and_lines_of_expressions() {
        let d = load("triage.yml");
        let job = &d["jobs"][0];
        assert_eq!(job["id"], "job/triage");
        assert_eq!(job["line"], 10);
        assert_eq!(job["runs_on"], "ubuntu-latest");
        let steps = job["steps"].as_array().unwrap();
        assert_eq!(steps[0]["action"]["repo"], "checkout");
        assert_eq!(steps[0]["line"], 13);
        // A block scalar: the script starts the line after `run: |`.
        assert_eq!(steps[1]["run_line"], 18);
        let e = steps[1]["expressions"].as_array().unwrap();
        assert_eq!(e[0]["expression"], "github.event.issue.number");
        assert_eq!(e[0]["line"], 18);
        assert_eq!(e[1]["expression"], "github.event.issue.title");
        assert_eq!(e[1]["line"], 20);
        // A one-line run.
        assert_eq!(steps[2]["run_line"], 22);
        assert_eq!(steps[2]["expressions"][0]["line"], 22);
        // github-script's script input.
        let s = &steps[3]["expressions"][0];
        assert_eq!(s["field"], "with.script");
        assert_eq!(s["expression"], "github.event.comment.body");
        assert_eq!(s["line"], 27);
    }

    #[test]
    fn a_workflow_elsewhere_is_known_by_content() {
        let text = std::fs::read_to_string(format!(
            "{}/fixtures/github-actions/on-list.yml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let docs = crate::yaml::parse(&text).unwrap();
        assert!(is_workflow("ci/build.yml", &docs));
        let other = crate::yaml::parse("name: x\njobs: {a: {b: 1}}\n").unwrap();
        assert!(!is_workflow("ci/build.yml", &other));
        assert!(is_workflow(".github/workflows/x.yml", &other));
    }
}
