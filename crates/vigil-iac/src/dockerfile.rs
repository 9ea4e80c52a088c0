//! Dockerfiles: instructions with their lines, line continuations joined,
//! heredocs (`RUN <<EOF`) read to their terminator, stages numbered.

use serde_json::{json, Map, Value};

use crate::dfvars::{self, Scope, Undeclared};

/// Whether a file name is a Dockerfile's: `Dockerfile`, `Containerfile`,
/// `*.Dockerfile`, `Dockerfile.*`.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.ends_with(".dockerfile")
        || (lower.starts_with("dockerfile.") && !lower.ends_with(".dockerignore"))
}

/// The terminators of the heredocs an instruction opens (`<<EOF`,
/// `<<-EOF`, `<<"EOF"`), in order.
fn heredoc_markers(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("<<") {
        let mut after = &rest[i + 2..];
        let strip = after.starts_with('-');
        if strip {
            after = &after[1..];
        }
        let trimmed = after.trim_start_matches(['"', '\'']);
        let word: String = trimmed
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !word.is_empty() && word.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
            out.push((word, strip));
        }
        rest = &rest[i + 2..];
    }
    out
}

/// `--name=value` flags at the start of an instruction's arguments, and
/// the rest.
fn split_flags(args: &str) -> (Map<String, Value>, String) {
    let mut flags = Map::new();
    let mut rest = args.trim_start();
    while let Some(stripped) = rest.strip_prefix("--") {
        let end = stripped.find(char::is_whitespace).unwrap_or(stripped.len());
        let flag = &stripped[..end];
        let (name, value) = flag.split_once('=').unwrap_or((flag, ""));
        flags.insert(name.to_ascii_lowercase(), Value::String(value.to_string()));
        rest = stripped[end..].trim_start();
    }
    (flags, rest.to_string())
}

/// `image[:tag][@digest]` split.
pub(crate) fn image_parts(image: &str) -> (String, Option<String>, Option<String>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d.to_string())),
        None => (image, None),
    };
    // A tag is after the last `:` that follows the last `/` (a registry
    // port is not a tag).
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[slash..].rfind(':') {
        Some(i) => (
            rest[..slash + i].to_string(),
            Some(rest[slash + i + 1..].to_string()),
            digest,
        ),
        None => (rest.to_string(), None, digest),
    }
}

/// The instructions whose arguments the builder expands (`RUN` is
/// expanded by its shell, with the same variables in its environment).
const EXPANDED: &[&str] = &[
    "ADD",
    "COPY",
    "USER",
    "WORKDIR",
    "EXPOSE",
    "VOLUME",
    "LABEL",
    "STOPSIGNAL",
];

/// An instruction's value with its variables expanded where they are
/// known (see docs/iac.md), its `--flags` too; ARG and ENV update the
/// scopes and give their assignments (`vars`).
fn expand_instruction(
    cmd: &str,
    raw: &str,
    flags: &mut Map<String, Value>,
    globals: &mut Scope,
    scope: &mut Scope,
    env: Option<&mut Scope>,
) -> (String, Option<Value>) {
    let in_stage = env.is_some();
    let expand_flags = |flags: &mut Map<String, Value>, s: &Scope, u: Undeclared| {
        for v in flags.values_mut() {
            if let Some(t) = v.as_str() {
                *v = Value::String(dfvars::expand(t, s, u, false));
            }
        }
    };
    match cmd {
        "FROM" => {
            expand_flags(flags, globals, Undeclared::Empty);
            (dfvars::expand(raw, globals, Undeclared::Empty, false), None)
        }
        "ARG" | "ENV" => {
            let (target, undeclared) = if in_stage {
                (&mut *scope, Undeclared::Unknown)
            } else {
                (&mut *globals, Undeclared::Empty)
            };
            let expanded = dfvars::expand(raw, target, undeclared, true);
            let pairs = dfvars::assignments(cmd, &expanded);
            let mut vars = Vec::new();
            let mut env = env;
            for (name, value) in pairs {
                // `ARG NAME` in a stage takes the global default.
                let value = match value {
                    None if cmd == "ARG" && in_stage => globals.get(&name).cloned().flatten(),
                    v => v,
                };
                vars.push(json!({ "name": name, "value": value }));
                if cmd == "ENV" {
                    if let Some(env) = env.as_deref_mut() {
                        env.insert(name.clone(), value.clone());
                    }
                }
                let target = if in_stage { &mut *scope } else { &mut *globals };
                target.insert(name, value);
            }
            (expanded, Some(Value::Array(vars)))
        }
        "RUN" if in_stage && !raw.starts_with('[') => {
            (dfvars::expand(raw, scope, Undeclared::Unknown, true), None)
        }
        c if in_stage && EXPANDED.contains(&c) => {
            expand_flags(flags, scope, Undeclared::Unknown);
            (dfvars::expand(raw, scope, Undeclared::Unknown, false), None)
        }
        _ => (raw.to_string(), None),
    }
}

/// Parses a Dockerfile into its input document (see docs/iac.md):
/// `{"format": "dockerfile", "stages": [...], "instructions": [...]}`.
pub fn parse(text: &str) -> Value {
    let lines: Vec<&str> = text.lines().collect();
    let mut instructions = Vec::new();
    let mut stages: Vec<Value> = Vec::new();
    // ARGs before the first FROM; the current stage's variables; each
    // stage's ENV (inherited by stages built FROM it).
    let mut globals = Scope::new();
    let mut scope = Scope::new();
    let mut stage_env: Vec<Scope> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let first = lines[i].trim();
        if first.is_empty() || first.starts_with('#') {
            i += 1;
            continue;
        }
        let start = i;
        // Join continuation lines; comment lines inside are dropped.
        let mut joined = String::new();
        let mut cur = lines[i].trim_end();
        loop {
            match cur.strip_suffix('\\') {
                Some(head) if i + 1 < lines.len() => {
                    joined.push_str(head);
                    joined.push(' ');
                    i += 1;
                    while i + 1 < lines.len() && lines[i].trim_start().starts_with('#') {
                        i += 1;
                    }
                    cur = lines[i].trim_end();
                }
                Some(head) => {
                    joined.push_str(head);
                    break;
                }
                None => {
                    joined.push_str(cur);
                    break;
                }
            }
        }
        let joined = joined.trim().to_string();
        let (cmd, args) = match joined.find(char::is_whitespace) {
            Some(p) => (
                joined[..p].to_ascii_uppercase(),
                joined[p..].trim().to_string(),
            ),
            None => (joined.to_ascii_uppercase(), String::new()),
        };
        let mut heredocs = Vec::new();
        for (marker, strip) in heredoc_markers(&args) {
            let mut body = Vec::new();
            while i + 1 < lines.len() {
                i += 1;
                let l = if strip {
                    lines[i].trim_start_matches('\t')
                } else {
                    lines[i]
                };
                if l.trim_end() == marker {
                    break;
                }
                body.push(l);
            }
            heredocs.push(Value::String(body.join("\n")));
        }
        let (mut flags, raw) = split_flags(&args);
        let in_stage = !stages.is_empty();
        let (value, vars) = expand_instruction(
            &cmd,
            &raw,
            &mut flags,
            &mut globals,
            &mut scope,
            stage_env.last_mut().filter(|_| in_stage),
        );
        let exec = value
            .starts_with('[')
            .then(|| serde_json::from_str::<Vec<String>>(&value).ok())
            .flatten();
        let line = u32::try_from(start + 1).unwrap_or(u32::MAX);
        let end_line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if cmd == "FROM" {
            let mut words = value.split_whitespace();
            let image = words.next().unwrap_or_default().to_string();
            let name = match (words.next(), words.next()) {
                (Some(a), Some(n)) if a.eq_ignore_ascii_case("as") => Some(n.to_string()),
                _ => None,
            };
            let (repo, tag, digest) = image_parts(&image);
            let parent = stages.iter().position(|s| {
                s["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&image))
            });
            let from_stage = parent.is_some();
            let env = parent
                .and_then(|p| stage_env.get(p))
                .cloned()
                .unwrap_or_default();
            scope = env.clone();
            stage_env.push(env);
            stages.push(json!({
                "index": stages.len(),
                "name": name,
                "image": image,
                "image_raw": raw.split_whitespace().next().unwrap_or_default(),
                "repository": repo,
                "tag": tag,
                "digest": digest,
                "from_stage": from_stage || image.eq_ignore_ascii_case("scratch"),
                "platform": flags.get("platform"),
                "line": line,
            }));
        }
        let stage = stages.len().checked_sub(1);
        let mut ins = json!({
            "cmd": cmd,
            "value": value,
            "raw": raw,
            "flags": flags,
            "line": line,
            "end_line": end_line,
            "stage": stage,
            "heredocs": heredocs,
        });
        if let Some(exec) = exec {
            ins["exec"] = json!(exec);
        }
        if let Some(vars) = vars {
            ins["vars"] = vars;
        }
        instructions.push(ins);
        i += 1;
    }
    let last = stages.len().checked_sub(1);
    for (n, s) in stages.iter_mut().enumerate() {
        s["final"] = Value::Bool(Some(n) == last);
    }
    json!({ "format": "dockerfile", "stages": stages, "instructions": instructions })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn instructions_lines_continuations_heredocs_stages() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/Dockerfile.multi"
        ))
        .unwrap();
        let doc = parse(&text);
        let ins = doc["instructions"].as_array().unwrap();
        let cmds: Vec<&str> = ins.iter().map(|i| i["cmd"].as_str().unwrap()).collect();
        assert_eq!(
            cmds,
            [
                "FROM",
                "RUN",
                "RUN",
                "COPY",
                "FROM",
                "COPY",
                "USER",
                "ENTRYPOINT"
            ]
        );
        assert_eq!(ins[1]["line"], 3);
        assert_eq!(ins[1]["end_line"], 6);
        assert!(ins[1]["value"].as_str().unwrap().contains("make build"));
        assert_eq!(ins[2]["heredocs"][0], "set -e\necho hi");
        assert_eq!(ins[3]["line"], 11);
        assert_eq!(ins[5]["flags"]["from"], "build");
        assert_eq!(ins[7]["exec"][0], "/app");
        let stages = doc["stages"].as_array().unwrap();
        assert_eq!(stages[0]["name"], "build");
        assert_eq!(stages[0]["tag"], "1.22");
        assert_eq!(stages[1]["repository"], "registry.local:5000/base");
        assert_eq!(stages[1]["tag"], Value::Null);
        assert_eq!(stages[1]["final"], true);
    }

    #[test]
    fn doubling_args_stop_growing_at_the_expansion_limit() {
        // `ARG A=${A}${A}` forty times would be 8 TiB expanded.
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/Dockerfile.doubling"
        ))
        .unwrap();
        let doc = parse(&text);
        assert!(doc.to_string().len() < 4 * 1024 * 1024);
        let run = doc["instructions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["cmd"] == "RUN")
            .unwrap();
        assert!(run["value"].as_str().unwrap().len() <= 64 * 1024 + 16);
    }

    #[test]
    fn arg_and_env_expansion() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/Dockerfile.args"
        ))
        .unwrap();
        let doc = parse(&text);
        let stages = doc["stages"].as_array().unwrap();
        assert_eq!(stages[0]["image"], "docker.io/library/golang:1.22");
        assert_eq!(stages[0]["image_raw"], "${REGISTRY}/golang:${VERSION}");
        assert_eq!(stages[0]["tag"], "1.22");
        // An ARG without a default stays as written: no tag is guessed.
        assert_eq!(stages[1]["image"], "${BASE}");
        assert_eq!(stages[1]["tag"], Value::Null);
        assert_eq!(stages[2]["image"], "debian:bookworm-slim");
        assert_eq!(stages[3]["from_stage"], true);
        let ins = doc["instructions"].as_array().unwrap();
        let find = |line: u64| ins.iter().find(|i| i["line"] == line).unwrap();
        assert_eq!(find(6)["vars"][0]["value"], "1.22");
        assert_eq!(find(7)["vars"][1]["value"], "-mod=vendor -trimpath");
        assert_eq!(find(8)["value"], "/src");
        assert_eq!(find(8)["raw"], "$APP_HOME");
        assert_eq!(
            find(9)["value"],
            "echo \"go 1.22 in /src\" && echo '$APP_HOME' && for f in a b; do echo $f; done"
        );
        assert_eq!(find(13)["value"], "10001:${GID:-0}");
        // APP_HOME is not set in this stage: unknown, left as written.
        assert_eq!(find(14)["value"], "${APP_HOME}/app /app");
        assert_eq!(find(14)["flags"]["chown"], "10001");
        // A stage built FROM another inherits its ENV.
        assert_eq!(find(16)["value"], "cd /src && go test ./...");
    }
    #[test]
    fn names() {
        for n in [
            "Dockerfile",
            "api.Dockerfile",
            "Dockerfile.prod",
            "Containerfile",
        ] {
            assert!(is_dockerfile_name(n), "{n}");
        }
        assert!(!is_dockerfile_name("Dockerfile.dockerignore"));
        assert!(!is_dockerfile_name("docker-compose.yml"));
    }
}
