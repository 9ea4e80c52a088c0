//! Docker Compose files: each service with its image split, its
//! environment, ports and volumes normalised from the short and long
//! syntaxes, and `${VAR:-default}` interpolation resolved where the
//! default is written in the file.

use serde_json::{json, Map, Value};

use crate::dockerfile::image_parts;
use crate::yaml::{self, Document, LINES_KEY, LINE_KEY};

/// Whether a file name is one Compose reads or one projects give their
/// Compose files (`compose.yaml`, `docker-compose.prod.yml`, ...).
pub fn is_compose_name(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    name.contains("compose") && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// The keys of a mapping, without the line annotations.
fn keys(v: &Value) -> impl Iterator<Item = (&String, &Value)> {
    v.as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != LINE_KEY && k.as_str() != LINES_KEY)
}

/// Whether a YAML file is a Compose file: its name says so and its top
/// level has a `services` mapping of mappings.
pub fn is_compose(rel: &str, docs: &[Document]) -> bool {
    if !is_compose_name(rel) {
        return false;
    }
    let Some(services) = docs.first().and_then(|d| d.value.get("services")) else {
        return false;
    };
    services.is_object() && keys(services).all(|(_, s)| s.is_object())
}

/// Resolves `${VAR:-default}` and `${VAR-default}` to their default and
/// `$$` to `$`; other references (`${VAR}`, `$VAR`, `${VAR:?err}`) stay
/// as written, since their value is not in the file.
pub fn interpolate(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        if let Some(body) = after.strip_prefix('{') {
            if let Some(end) = body.find('}') {
                let inner = &body[..end];
                let default = inner
                    .split_once(":-")
                    .or_else(|| inner.split_once('-'))
                    .filter(|(name, _)| {
                        !name.is_empty()
                            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    })
                    .map(|(_, d)| d);
                match default {
                    Some(d) if !d.contains('$') => out.push_str(d),
                    _ => {
                        out.push_str("${");
                        out.push_str(inner);
                        out.push('}');
                    }
                }
                rest = &body[end + 1..];
                continue;
            }
        }
        out.push('$');
        rest = after;
    }
    out.push_str(rest);
    out
}

/// YAML merge keys (`<<: *anchor`, `<<: [*a, *b]`) applied, at every
/// level: the merged mappings' keys (and their lines) are added where the
/// mapping does not set them itself; earlier mappings of a list win.
fn merge_keys(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(merge_keys).collect()),
        Value::Object(o) => {
            let mut out: Map<String, Value> = o
                .iter()
                .filter(|(k, _)| k.as_str() != "<<")
                .map(|(k, v)| (k.clone(), merge_keys(v)))
                .collect();
            let sources: Vec<&Value> = match o.get("<<") {
                Some(Value::Array(a)) => a.iter().collect(),
                Some(m) => vec![m],
                None => Vec::new(),
            };
            for src in sources {
                let Value::Object(src) = merge_keys(src) else {
                    continue;
                };
                let src_lines = src.get(LINES_KEY).cloned().unwrap_or(Value::Null);
                for (k, val) in src {
                    if k == LINE_KEY || k == LINES_KEY || out.contains_key(&k) {
                        continue;
                    }
                    if let (Some(l), Some(Value::Object(lines))) =
                        (src_lines.get(&k), out.get_mut(LINES_KEY))
                    {
                        lines.insert(k.clone(), l.clone());
                    }
                    out.insert(k, val);
                }
            }
            if let Some(Value::Object(lines)) = out.get_mut(LINES_KEY) {
                lines.remove("<<");
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Every string of a value interpolated (keys left as written).
fn interpolate_all(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(interpolate(s)),
        Value::Array(a) => Value::Array(a.iter().map(interpolate_all).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), interpolate_all(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A scalar as text (`80` → `"80"`), `None` for collections and null.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Finds the lines of the scalar items of a sequence in the text: each
/// item on the first line, from the previous item's on, that holds it;
/// `key_line` (the sequence's key) when it cannot be found.
struct ItemLines<'a> {
    lines: &'a [&'a str],
    cursor: u32,
    key_line: u32,
}

impl<'a> ItemLines<'a> {
    fn new(lines: &'a [&'a str], key_line: u32) -> Self {
        ItemLines {
            lines,
            cursor: key_line,
            key_line,
        }
    }

    fn line(&mut self, item: &str) -> u32 {
        match yaml::find_line(self.lines, self.cursor, item) {
            Some(l) => {
                self.cursor = l;
                l
            }
            None => self.key_line,
        }
    }
}

fn line_u32(v: &Value) -> u32 {
    v.as_u64().and_then(|l| u32::try_from(l).ok()).unwrap_or(0)
}

/// `environment` as a list of `{name, value, line}`, from the list
/// (`KEY=VAL`, `KEY`) or the mapping form. `raw` is the list as written
/// (for finding lines), `resolved` the list interpolated.
fn environment(raw: &Value, resolved: &Value, key_line: u32, lines: &[&str]) -> Vec<Value> {
    let mut out = Vec::new();
    match (raw, resolved) {
        (Value::Array(raw), Value::Array(resolved)) => {
            let mut at = ItemLines::new(lines, key_line);
            for (r, v) in raw.iter().zip(resolved) {
                let (Some(r), Some(v)) = (text(r), text(v)) else {
                    continue;
                };
                let line = at.line(&r);
                let (name, value) = match v.split_once('=') {
                    Some((n, val)) => (n.to_string(), Value::String(val.to_string())),
                    None => (v.clone(), Value::Null),
                };
                out.push(json!({"name": name, "value": value, "line": line}));
            }
        }
        (Value::Object(_), Value::Object(_)) => {
            for (name, v) in keys(resolved) {
                out.push(json!({
                    "name": name,
                    "value": text(v).map_or(Value::Null, Value::String),
                    "line": crate::yaml::key_line(resolved, name),
                }));
            }
        }
        _ => {}
    }
    out.sort_by_key(|e| e["line"].as_u64());
    out
}

/// `"8000-8010"` → (8000, 8010); `"80"` → (80, 80).
fn range(s: &str) -> (Value, Value) {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let num = |x: &str| x.trim().parse::<u64>().map_or(Value::Null, Value::from);
    (num(a), num(b))
}

/// A port in the short syntax: `[HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]`.
fn short_port(spec: &str, line: u32) -> Value {
    let (addr, protocol) = match spec.rsplit_once('/') {
        Some((a, p)) => (a, p.to_string()),
        None => (spec, "tcp".to_string()),
    };
    let (host_ip, rest) = if let Some(r) = addr.strip_prefix('[') {
        match r.split_once("]:") {
            Some((ip, rest)) => (Some(ip.to_string()), rest.to_string()),
            None => (None, addr.to_string()),
        }
    } else {
        let parts: Vec<&str> = addr.split(':').collect();
        if parts.len() > 2 {
            let n = parts.len();
            (Some(parts[..n - 2].join(":")), parts[n - 2..].join(":"))
        } else {
            (None, addr.to_string())
        }
    };
    let (published, target) = match rest.split_once(':') {
        Some((p, t)) => (Some(p.to_string()).filter(|p| !p.is_empty()), t.to_string()),
        None => (None, rest),
    };
    port(host_ip, published, target, protocol, line)
}

fn port(
    host_ip: Option<String>,
    published: Option<String>,
    target: String,
    protocol: String,
    line: u32,
) -> Value {
    let (target_start, target_end) = range(&target);
    let (published_start, published_end) = published
        .as_deref()
        .map_or((Value::Null, Value::Null), range);
    json!({
        "host_ip": host_ip.filter(|h| !h.is_empty()),
        "published": published,
        "target": target,
        "protocol": protocol.to_ascii_lowercase(),
        "target_start": target_start,
        "target_end": target_end,
        "published_start": published_start,
        "published_end": published_end,
        "line": line,
    })
}

/// `ports`, short and long syntax.
fn ports(raw: &Value, resolved: &Value, key_line: u32, lines: &[&str]) -> Vec<Value> {
    let (Some(raw), Some(resolved)) = (raw.as_array(), resolved.as_array()) else {
        return Vec::new();
    };
    let mut at = ItemLines::new(lines, key_line);
    let mut out = Vec::new();
    for (r, v) in raw.iter().zip(resolved) {
        if v.is_object() {
            let line = line_u32(&v[LINE_KEY]);
            let Some(target) = text(&v["target"]) else {
                continue;
            };
            out.push(port(
                v.get("host_ip").and_then(text),
                v.get("published").and_then(text),
                target,
                v.get("protocol")
                    .and_then(text)
                    .unwrap_or_else(|| "tcp".into()),
                line,
            ));
        } else if let (Some(r), Some(v)) = (text(r), text(v)) {
            let line = at.line(&r);
            out.push(short_port(&v, line));
        }
    }
    out
}

/// Whether a volume source is a host path (a bind mount).
fn is_host_path(source: &str) -> bool {
    source.starts_with('/')
        || source.starts_with('.')
        || source.starts_with('~')
        || source.starts_with('$')
        || (source.len() > 2 && source.as_bytes()[1] == b':')
}

/// `volumes` of a service, short and long syntax.
fn volumes(raw: &Value, resolved: &Value, key_line: u32, lines: &[&str]) -> Vec<Value> {
    let (Some(raw), Some(resolved)) = (raw.as_array(), resolved.as_array()) else {
        return Vec::new();
    };
    let mut at = ItemLines::new(lines, key_line);
    let mut out = Vec::new();
    for (r, v) in raw.iter().zip(resolved) {
        if v.is_object() {
            let source = v.get("source").and_then(text);
            let ty = v.get("type").and_then(text).unwrap_or_else(|| {
                if source.as_deref().is_some_and(is_host_path) {
                    "bind".into()
                } else {
                    "volume".into()
                }
            });
            out.push(json!({
                "source": source,
                "target": v.get("target").and_then(text),
                "type": ty,
                "read_only": v.get("read_only") == Some(&Value::Bool(true)),
                "line": line_u32(&v[LINE_KEY]),
            }));
        } else if let (Some(r), Some(v)) = (text(r), text(v)) {
            let line = at.line(&r);
            // SOURCE:TARGET[:MODE] or TARGET; a Windows drive letter is
            // part of the source.
            let mut parts: Vec<String> = v.split(':').map(str::to_string).collect();
            if parts.len() > 1 && parts[0].len() == 1 && parts[1].starts_with(['\\', '/']) {
                let drive = parts.remove(0);
                parts[0] = format!("{drive}:{}", parts[0]);
            }
            let (source, target, mode) = match parts.as_slice() {
                [t] => (None, t.clone(), String::new()),
                [s, t] => (Some(s.clone()), t.clone(), String::new()),
                [s, t, m, ..] => (Some(s.clone()), t.clone(), m.clone()),
                [] => continue,
            };
            let ty = match &source {
                Some(s) if is_host_path(s) => "bind",
                _ => "volume",
            };
            out.push(json!({
                "source": source,
                "target": target,
                "type": ty,
                "read_only": mode.split(',').any(|m| m == "ro"),
                "line": line,
            }));
        }
    }
    out
}

/// One service's entry of the input document.
fn service(name: &str, raw: &Value, line: u32, lines: &[&str]) -> Value {
    let resolved = interpolate_all(raw);
    let image = resolved.get("image").and_then(text);
    let (repository, tag, digest) = match image.as_deref() {
        Some(i) => {
            let (r, t, d) = image_parts(i);
            (Some(r), t, d)
        }
        None => (None, None, None),
    };
    let key = |k: &str| crate::yaml::key_line(raw, k);
    let null = Value::Null;
    json!({
        "id": format!("service/{name}"),
        "name": name,
        "line": line,
        "end_line": yaml::last_line(raw).max(u64::from(line)),
        "image": image,
        "repository": repository,
        "tag": tag,
        "digest": digest,
        "service": resolved,
        "environment": environment(
            raw.get("environment").unwrap_or(&null),
            resolved.get("environment").unwrap_or(&null),
            key("environment"),
            lines,
        ),
        "ports": ports(
            raw.get("ports").unwrap_or(&null),
            resolved.get("ports").unwrap_or(&null),
            key("ports"),
            lines,
        ),
        "volumes": volumes(
            raw.get("volumes").unwrap_or(&null),
            resolved.get("volumes").unwrap_or(&null),
            key("volumes"),
            lines,
        ),
    })
}

/// The input document of a Compose file (see docs/iac.md).
pub fn input(docs: &[Document], text: &str) -> Value {
    let lines: Vec<&str> = text.lines().collect();
    let top = docs.first().map(|d| &d.value).unwrap_or(&Value::Null);
    let mut services = Vec::new();
    if let Some(s) = top.get("services") {
        for (name, raw) in keys(s) {
            if raw.is_object() {
                let raw = merge_keys(raw);
                services.push(service(name, &raw, crate::yaml::key_line(s, name), &lines));
            }
        }
    }
    // Mappings are sorted by key; services are listed as written.
    services.sort_by_key(|s| s["line"].as_u64());
    let section = |k: &str| top.get(k).map(interpolate_all).unwrap_or(Value::Null);
    let mut doc = Map::new();
    doc.insert("format".into(), "compose".into());
    doc.insert("services".into(), Value::Array(services));
    for k in ["networks", "volumes", "secrets"] {
        doc.insert(k.into(), section(k));
    }
    Value::Object(doc)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn load(name: &str) -> Value {
        let path = format!("{}/fixtures/compose/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        let docs = crate::yaml::parse(&text).unwrap();
        assert!(is_compose(name, &docs));
        input(&docs, &text)
    }

    #[test]
    fn interpolation() {
        assert_eq!(interpolate("nginx:${TAG:-1.25}"), "nginx:1.25");
        assert_eq!(interpolate("${TAG-2}"), "2");
        assert_eq!(interpolate("${TAG}"), "${TAG}");
        assert_eq!(interpolate("${TAG:?required}"), "${TAG:?required}");
        assert_eq!(interpolate("$$HOME and $HOME"), "$HOME and $HOME");
    }

    #[test]
    fn services_image_and_lines() {
        let d = load("docker-compose.yml");
        let s = &d["services"];
        assert_eq!(s[0]["id"], "service/web");
        assert_eq!(s[0]["line"], 2);
        assert_eq!(s[0]["image"], "nginx:1.25");
        assert_eq!(s[0]["repository"], "nginx");
        assert_eq!(s[0]["tag"], "1.25");
        assert_eq!(s[1]["id"], "service/db");
        assert_eq!(s[1]["tag"], Value::Null);
        assert!(s[0]["end_line"].as_u64().unwrap() < s[1]["line"].as_u64().unwrap());
        assert!(d["volumes"]["data"].is_object() || d["volumes"]["data"].is_null());
    }

    #[test]
    fn environment_forms() {
        let d = load("docker-compose.yml");
        let web = &d["services"][0]["environment"];
        assert_eq!(web[0]["name"], "MODE");
        assert_eq!(web[0]["value"], "production");
        assert_eq!(web[0]["line"], 5);
        assert_eq!(web[1]["name"], "API_TOKEN");
        assert_eq!(web[1]["value"], "${API_TOKEN}");
        assert_eq!(web[1]["line"], 6);
        assert_eq!(web[2]["name"], "BARE");
        assert_eq!(web[2]["value"], Value::Null);
        let db = &d["services"][1]["environment"];
        assert_eq!(db[0]["name"], "POSTGRES_PASSWORD");
        assert_eq!(db[0]["value"], "changeme");
        assert_eq!(db[0]["line"], 25);
        assert_eq!(db[1]["name"], "POSTGRES_DB");
        assert_eq!(db[1]["value"], "5");
    }

    #[test]
    fn merge_keys_apply_to_services() {
        let d = load("compose.yaml");
        let api = &d["services"][0];
        assert_eq!(api["id"], "service/api");
        assert_eq!(api["service"]["privileged"], true);
        assert_eq!(api["service"]["__lines__"]["privileged"], 2);
        assert_eq!(api["service"]["restart"], "always");
        assert_eq!(api["image"], "acme/api:2.0");
        assert_eq!(api["environment"][0]["name"], "SHARED");
        assert!(api["service"].get("<<").is_none());
    }

    #[test]
    fn port_forms() {
        let d = load("docker-compose.yml");
        let p = &d["services"][0]["ports"];
        assert_eq!(p[0]["published"], "8080");
        assert_eq!(p[0]["target"], "80");
        assert_eq!(p[0]["host_ip"], Value::Null);
        assert_eq!(p[0]["line"], 9);
        assert_eq!(p[1]["host_ip"], "127.0.0.1");
        assert_eq!(p[1]["published"], "5353");
        assert_eq!(p[1]["protocol"], "udp");
        assert_eq!(p[1]["line"], 10);
        assert_eq!(p[2]["published_start"], 9000);
        assert_eq!(p[2]["published_end"], 9010);
        assert_eq!(p[2]["target_end"], 9010);
        assert_eq!(p[3]["published"], Value::Null);
        assert_eq!(p[3]["target"], "3000");
        assert_eq!(p[4]["host_ip"], "::1");
        assert_eq!(p[4]["target"], "443");
        assert_eq!(p[5]["target"], "8443");
        assert_eq!(p[5]["published"], "443");
        assert_eq!(p[5]["host_ip"], "0.0.0.0");
        assert_eq!(p[5]["line"], 14);
    }

    #[test]
    fn volume_forms() {
        let d = load("docker-compose.yml");
        let v = &d["services"][0]["volumes"];
        assert_eq!(v[0]["source"], "./conf");
        assert_eq!(v[0]["target"], "/etc/nginx/conf.d");
        assert_eq!(v[0]["type"], "bind");
        assert_eq!(v[0]["read_only"], true);
        assert_eq!(v[0]["line"], 19);
        assert_eq!(v[1]["source"], Value::Null);
        assert_eq!(v[1]["target"], "/var/cache/nginx");
        assert_eq!(v[2]["source"], "/var/run/docker.sock");
        assert_eq!(v[2]["type"], "bind");
        assert_eq!(v[2]["read_only"], false);
        let db = &d["services"][1]["volumes"];
        assert_eq!(db[0]["source"], "data");
        assert_eq!(db[0]["type"], "volume");
        assert_eq!(db[0]["read_only"], false);
        assert_eq!(db[0]["line"], 28);
    }
}
