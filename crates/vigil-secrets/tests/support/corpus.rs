//! A generated corpus for measuring secret detection: a tree of
//! real-looking source files (Python, JavaScript, TypeScript, Go, Java,
//! YAML, JSON, `.env`, `.properties`, Terraform, Dockerfiles, shell,
//! Markdown) with planted secrets of every built-in rule, generated fresh
//! from a deterministic seed, and decoys that must not fire (hashes,
//! UUIDs, base64 blobs, documented example keys, placeholders, bcrypt
//! hashes, public keys, integrity hashes).
//!
//! Each planted value is made from one of its rule's true examples: the
//! example's secret is rewritten character by character (same character
//! class, kept only while the rule still matches the whole value there),
//! so values have the rule's format but are not the examples. GitHub-style
//! tokens get a fresh random part and its checksum. The values are
//! synthetic: none is a credential.
//!
//! Used by `tests/corpus.rs` (recall and precision) and by
//! `examples/secrets_corpus.rs` (writes the tree and its ground truth for
//! the comparison with other scanners, or a large tree for throughput).
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::too_many_arguments
)]

use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;

use vigil_secrets::{github_token, Checksum, Scanner};

/// A deterministic generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// `n` characters of `alphabet`.
    pub fn string(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n).map(|_| *self.pick(alphabet) as char).collect()
    }
}

const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &[u8] = b"0123456789";
const HEX: &[u8] = b"0123456789abcdef";
const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A secret planted in the corpus: where it is and which rule should find
/// it.
#[derive(Debug, Clone)]
pub struct Planted {
    /// The file, relative to the corpus root, `/`-separated.
    pub path: String,
    /// 1-based line of the secret's first character (0: a binary file).
    pub line: u32,
    /// 1-based line of its last character.
    pub end_line: u32,
    /// 1-based column of its first character.
    pub column: u32,
    /// 1-based column just after its last character (on `end_line`).
    pub end_column: u32,
    /// The rule it was generated for.
    pub rule: String,
    /// The shape of its surroundings (`example`, `py-assign`, ...).
    pub context: String,
}

/// A decoy: a line holding something that looks like a secret and is not.
#[derive(Debug, Clone)]
pub struct Decoy {
    /// The file.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// What it is (`git-sha`, `uuid`, ...).
    pub kind: String,
}

/// A generated corpus, in memory.
#[derive(Debug, Default)]
pub struct Corpus {
    /// Files: relative path and content.
    pub files: Vec<(String, Vec<u8>)>,
    /// The ground truth.
    pub planted: Vec<Planted>,
    /// The decoys.
    pub decoys: Vec<Decoy>,
}

impl Corpus {
    /// Writes the files below `root`.
    pub fn write(&self, root: &Path) -> std::io::Result<()> {
        for (rel, bytes) in &self.files {
            let p = root.join(rel);
            if let Some(d) = p.parent() {
                std::fs::create_dir_all(d)?;
            }
            std::fs::write(p, bytes)?;
        }
        Ok(())
    }

    /// The ground truth as JSON.
    pub fn manifest(&self) -> serde_json::Value {
        let planted: Vec<serde_json::Value> = self
            .planted
            .iter()
            .map(|p| {
                serde_json::json!({
                    "path": p.path, "line": p.line, "end_line": p.end_line,
                    "column": p.column, "end_column": p.end_column,
                    "rule": p.rule, "context": p.context,
                })
            })
            .collect();
        let decoys: Vec<serde_json::Value> = self
            .decoys
            .iter()
            .map(|d| serde_json::json!({"path": d.path, "line": d.line, "kind": d.kind}))
            .collect();
        let bytes: usize = self.files.iter().map(|(_, b)| b.len()).sum();
        serde_json::json!({
            "files": self.files.len(), "bytes": bytes,
            "planted": planted, "decoys": decoys,
        })
    }
}

/// A fresh secret in the context of one of its rule's examples.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The rule's ID.
    pub rule: String,
    /// The example's text with the fresh value.
    pub text: String,
    /// The value's range in `text`.
    pub secret: Range<usize>,
    /// The value alone is found by its rule (a self-identifying token):
    /// it can be planted in any context.
    pub standalone: bool,
    /// For binary rules: the file's bytes.
    pub binary: Option<Vec<u8>>,
}

impl Sample {
    /// The value.
    pub fn value(&self) -> &str {
        &self.text[self.secret.clone()]
    }
}

/// The hit range of rule `i` in `text`, if it finds exactly one place.
fn found(scanner: &Scanner, i: usize, text: &str) -> Option<Range<usize>> {
    scanner
        .scan_rule("corpus.txt", text.as_bytes(), i)
        .first()
        .map(|h| h.range.clone())
}

/// The alphabet a character of a value is replaced from.
fn class_of(c: u8, value: &[u8]) -> &'static [u8] {
    let all_hex_lower = value
        .iter()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b) || !b.is_ascii_alphanumeric());
    if c.is_ascii_digit() {
        DIGITS
    } else if c.is_ascii_lowercase() {
        if all_hex_lower && (b'a'..=b'f').contains(&c) {
            b"abcdef"
        } else {
            LOWER
        }
    } else if c.is_ascii_uppercase() {
        UPPER
    } else {
        b""
    }
}

/// One rule's example rewritten with a fresh value, or `None` when the
/// rule does not find a value in it.
fn fresh(scanner: &Scanner, i: usize, example: &str, rng: &mut Rng) -> Option<Sample> {
    let rule = &scanner.rules().rules()[i];
    let range = found(scanner, i, example)?;
    let mut text = example.to_string();
    if rule.checksum == Some(Checksum::GithubCrc32) {
        let value = &example[range.clone()];
        let prefix_end = value.find('_')? + 1;
        let token = github_token(&value[..prefix_end], &rng.string(B62, 30));
        if token.len() == value.len() {
            let mut t = text.clone();
            t.replace_range(range.clone(), &token);
            if found(scanner, i, &t) == Some(range.clone()) {
                text = t;
            }
        }
    } else {
        // Character by character: a change is kept when the rule still
        // finds the same range (a literal prefix, a fixed character or a
        // too-low entropy refuses it).
        let original = example.as_bytes()[range.clone()].to_vec();
        for pos in range.clone() {
            let c = text.as_bytes()[pos];
            let class = class_of(c, &original);
            if class.is_empty() {
                continue;
            }
            for _ in 0..3 {
                let r = *rng.pick(class);
                if r == c {
                    continue;
                }
                let mut bytes = text.clone().into_bytes();
                bytes[pos] = r;
                let t = String::from_utf8(bytes).ok()?;
                if found(scanner, i, &t) == Some(range.clone()) {
                    text = t;
                    break;
                }
            }
        }
    }
    let value = &text[range.clone()];
    let alone = format!(" {value} ");
    let standalone = !value.contains('\n') && found(scanner, i, &alone) == Some(1..1 + value.len());
    Some(Sample {
        rule: rule.id.clone(),
        text,
        secret: range,
        standalone,
        binary: None,
    })
}

/// A binary rule's example with fresh bytes after what the rule matches,
/// padded to a file.
fn fresh_binary(scanner: &Scanner, i: usize, example: &str, rng: &mut Rng) -> Option<Sample> {
    let hex = example.strip_prefix("hex:")?;
    let mut bytes: Vec<u8> = (0..hex.len() / 2)
        .map(|k| u8::from_str_radix(&hex[2 * k..2 * k + 2], 16).unwrap_or(0))
        .collect();
    let matched = scanner
        .scan_rule("corpus.bin", &bytes, i)
        .first()?
        .range
        .end;
    for b in bytes.iter_mut().skip(matched) {
        *b = (rng.next_u64() & 0xff) as u8;
    }
    for k in 0..(2048 + rng.below(4096)) {
        // NUL bytes now and then: the file reads as binary.
        bytes.push(if k.is_multiple_of(97) {
            0
        } else {
            (rng.next_u64() & 0xff) as u8
        });
    }
    Some(Sample {
        rule: scanner.rules().rules()[i].id.clone(),
        text: String::new(),
        secret: 0..0,
        standalone: false,
        binary: Some(bytes),
    })
}

/// Fresh samples for every rule: one per true example.
pub fn samples(scanner: &Scanner, rng: &mut Rng) -> Vec<Sample> {
    let mut out = Vec::new();
    for (i, rule) in scanner.rules().rules().iter().enumerate() {
        for ex in &rule.examples.positive {
            let s = if rule.binary {
                fresh_binary(scanner, i, ex, rng)
            } else {
                fresh(scanner, i, ex, rng)
            };
            if let Some(s) = s {
                out.push(s);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------

/// A file being written: lines, and what was planted where.
struct FileBuf {
    path: String,
    lines: Vec<String>,
    planted: Vec<Planted>,
    decoys: Vec<Decoy>,
}

impl FileBuf {
    fn new(path: String) -> FileBuf {
        FileBuf {
            path,
            lines: Vec::new(),
            planted: Vec::new(),
            decoys: Vec::new(),
        }
    }

    fn line(&mut self, s: impl Into<String>) {
        let s: String = s.into();
        for l in s.split('\n') {
            self.lines.push(l.to_string());
        }
    }

    /// Adds `text` (one or more lines) with a secret at `secret`.
    fn plant(&mut self, text: &str, secret: Range<usize>, rule: &str, context: &str) {
        let first = self.lines.len() as u32 + 1;
        let before = &text[..secret.start];
        let line = first + before.matches('\n').count() as u32;
        let column = (before.len() - before.rfind('\n').map_or(0, |p| p + 1)) as u32 + 1;
        let upto = &text[..secret.end];
        let end_line = first + upto.matches('\n').count() as u32;
        let end_column = (upto.len() - upto.rfind('\n').map_or(0, |p| p + 1)) as u32 + 1;
        self.planted.push(Planted {
            path: self.path.clone(),
            line,
            end_line,
            column,
            end_column,
            rule: rule.to_string(),
            context: context.to_string(),
        });
        self.line(text);
    }

    fn decoy(&mut self, text: &str, kind: &str) {
        let line = self.lines.len() as u32 + 1;
        self.decoys.push(Decoy {
            path: self.path.clone(),
            line,
            kind: kind.to_string(),
        });
        self.line(text);
    }

    fn finish(self, corpus: &mut Corpus) {
        let mut text = self.lines.join("\n");
        text.push('\n');
        corpus.files.push((self.path, text.into_bytes()));
        corpus.planted.extend(self.planted);
        corpus.decoys.extend(self.decoys);
    }
}

/// The languages and config formats of the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Python,
    JavaScript,
    TypeScript,
    Go,
    Java,
    Yaml,
    Json,
    Env,
    Properties,
    Terraform,
    Dockerfile,
    Shell,
    Markdown,
}

const LANGS: &[Lang] = &[
    Lang::Python,
    Lang::JavaScript,
    Lang::TypeScript,
    Lang::Go,
    Lang::Java,
    Lang::Yaml,
    Lang::Json,
    Lang::Env,
    Lang::Properties,
    Lang::Terraform,
    Lang::Dockerfile,
    Lang::Shell,
    Lang::Markdown,
];

const MODULES: &[&str] = &[
    "billing",
    "auth",
    "orders",
    "inventory",
    "notify",
    "search",
    "reports",
    "gateway",
    "users",
    "payments",
    "analytics",
    "storage",
    "sync",
    "scheduler",
    "webhooks",
];

/// A variable name from a rule ID: `stripe-live-secret-key` →
/// `stripe_live_secret_key` (`upper`: `STRIPE_LIVE_SECRET_KEY`).
fn var_name(rule: &str, upper: bool) -> String {
    let s = rule.replace('-', "_");
    if upper {
        s.to_ascii_uppercase()
    } else {
        s
    }
}

fn camel(rule: &str) -> String {
    let mut out = String::new();
    for (k, part) in rule.split('-').enumerate() {
        if k == 0 {
            out.push_str(part);
        } else {
            let mut cs = part.chars();
            if let Some(c) = cs.next() {
                out.push(c.to_ascii_uppercase());
                out.extend(cs);
            }
        }
    }
    out
}

/// Where a standalone value goes in a file of `lang`: the line, and the
/// value's offset in it.
fn wrap(lang: Lang, rule: &str, v: &str, rng: &mut Rng) -> (String, usize, &'static str) {
    let n = var_name(rule, false);
    let up = var_name(rule, true);
    let cm = camel(rule);
    let (pre, post, ctx): (String, String, &str) = match lang {
        Lang::Python => match rng.below(4) {
            0 => (format!("{up} = \""), "\"".into(), "py-const"),
            1 => (format!("    {n} = '"), "'".into(), "py-assign"),
            2 => (
                "    client = Client(api_key=\"".into(),
                "\", timeout=30)".into(),
                "py-call",
            ),
            _ => (
                "    headers = {\"Authorization\": \"Bearer ".into(),
                "\"}".into(),
                "py-header",
            ),
        },
        Lang::JavaScript | Lang::TypeScript => match rng.below(4) {
            0 => (format!("const {cm} = '"), "';".into(), "js-const"),
            1 => (format!("  {cm}: \""), "\",".into(), "js-object"),
            2 => (
                "    headers: { Authorization: `Bearer ".into(),
                "` },".into(),
                "js-header",
            ),
            _ => (
                format!("process.env.{up} = process.env.{up} || \""),
                "\";".into(),
                "js-default",
            ),
        },
        Lang::Go => match rng.below(3) {
            0 => (format!("const {cm} = \""), "\"".into(), "go-const"),
            1 => (
                "\treq.Header.Set(\"Authorization\", \"Bearer ".into(),
                "\")".into(),
                "go-header",
            ),
            _ => (format!("\t{cm} := \""), "\"".into(), "go-assign"),
        },
        Lang::Java => match rng.below(2) {
            0 => (
                format!("    private static final String {up} = \""),
                "\";".into(),
                "java-const",
            ),
            _ => (
                "        conn.setRequestProperty(\"Authorization\", \"Bearer ".into(),
                "\");".into(),
                "java-header",
            ),
        },
        Lang::Yaml => match rng.below(2) {
            0 => (format!("  {n}: "), String::new(), "yaml-plain"),
            _ => (format!("    {n}: \""), "\"".into(), "yaml-quoted"),
        },
        Lang::Json => (format!("  \"{cm}\": \""), "\",".into(), "json-field"),
        Lang::Env => (format!("{up}="), String::new(), "env"),
        Lang::Properties => (
            format!("{}=", rule.replace('-', ".")),
            String::new(),
            "properties",
        ),
        Lang::Terraform => (format!("  {n} = \""), "\"".into(), "terraform"),
        Lang::Dockerfile => (format!("ENV {up}="), String::new(), "dockerfile-env"),
        Lang::Shell => match rng.below(2) {
            0 => (format!("export {up}=\""), "\"".into(), "shell-export"),
            _ => (
                "curl -sf -H \"Authorization: Bearer ".into(),
                "\" https://api.internal.test/v1/status".into(),
                "shell-curl",
            ),
        },
        Lang::Markdown => (format!("    {up}={}", ""), String::new(), "markdown-code"),
    };
    (format!("{pre}{v}{post}"), pre.len(), ctx)
}

/// The file kind an example's own text fits in, by its shape.
fn example_lang(text: &str) -> Lang {
    let t = text.trim_start();
    let first = t.split(['=', ':', ' ']).next().unwrap_or("");
    if t.starts_with('{') || t.starts_with('"') {
        Lang::Json
    } else if t.starts_with("export ") || t.starts_with("curl ") || t.starts_with("git ") {
        Lang::Shell
    } else if (t.contains("://") && !t.contains(' '))
        || (!first.is_empty()
            && first
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            && t[first.len()..].starts_with('='))
    {
        // A URL alone, or `NAME=value`.
        Lang::Env
    } else if t.contains(": ") && !t.contains(" = ") {
        Lang::Yaml
    } else {
        Lang::Properties
    }
}

// --- filler -----------------------------------------------------------

fn py_filler(rng: &mut Rng, m: &str) -> String {
    let f = *rng.pick(&[
        "load", "fetch", "build", "parse", "sync", "render", "apply", "check",
    ]);
    let body: &[&str] = &[
        "    token = os.environ.get(\"API_TOKEN\")",
        "    if not token:\n        raise RuntimeError(\"API_TOKEN is not set\")",
        "    password = request.form[\"password\"]",
        "    user = db.session.query(User).filter_by(email=email).first()",
        "    if user is None or not check_password_hash(user.password_hash, password):\n        return None",
        "    secret_key = settings.SECRET_KEY",
        "    logger.info(\"fetched %d rows from %s\", len(rows), table)",
        "    for key, value in sorted(payload.items()):\n        out[key.lower()] = value",
        "    resp = session.get(f\"{base_url}/v2/items\", params={\"page\": page}, timeout=10)",
        "    resp.raise_for_status()",
        "    return [Item.from_dict(d) for d in resp.json()[\"items\"]]",
        "    cache_key = f\"{prefix}:{user_id}:{version}\"",
        "    api_key = config[\"api_key\"]",
        "    digest = hashlib.sha256(data).hexdigest()",
        "    with open(path, encoding=\"utf-8\") as fh:\n        return json.load(fh)",
    ];
    let mut s = format!("\n\ndef {f}_{m}_{}(session, payload, page=1):\n    \"\"\"{} the {m} records for one page.\"\"\"", rng.below(100), capital(f));
    for _ in 0..(3 + rng.below(6)) {
        s.push('\n');
        s.push_str(rng.pick::<&str>(body));
    }
    s
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

fn js_filler(rng: &mut Rng, m: &str) -> String {
    let f = *rng.pick(&["load", "fetch", "build", "parse", "sync", "render"]);
    let body: &[&str] = &[
        "  const token = process.env.API_TOKEN;",
        "  if (!token) throw new Error('API_TOKEN is not set');",
        "  const res = await fetch(`${baseUrl}/v1/items?page=${page}`, { headers: { Authorization: `Bearer ${token}` } });",
        "  if (!res.ok) { throw new Error(`request failed: ${res.status}`); }",
        "  const { items, next } = await res.json();",
        "  const password = form.get('password');",
        "  const secretName = `${prefix}-secret-${env}`;",
        "  items.forEach((item) => cache.set(item.id, item));",
        "  return items.filter((i) => i.active).map((i) => ({ ...i, key: i.id }));",
        "  logger.debug('loaded %d items', items.length);",
        "  const apiKey = config.get('apiKey');",
    ];
    let mut s = format!(
        "\nexport async function {f}{}{}(baseUrl, page = 1) {{",
        capital(m),
        rng.below(100)
    );
    for _ in 0..(3 + rng.below(6)) {
        s.push('\n');
        s.push_str(rng.pick::<&str>(body));
    }
    s.push_str("\n}");
    s
}

fn go_filler(rng: &mut Rng, m: &str) -> String {
    let f = *rng.pick(&["Load", "Fetch", "Build", "Parse", "Sync"]);
    let body: &[&str] = &[
        "\ttoken := os.Getenv(\"API_TOKEN\")",
        "\tif token == \"\" {\n\t\treturn nil, errors.New(\"API_TOKEN is not set\")\n\t}",
        "\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+\"/v1/items\", nil)",
        "\tif err != nil {\n\t\treturn nil, fmt.Errorf(\"new request: %w\", err)\n\t}",
        "\treq.Header.Set(\"Authorization\", \"Bearer \"+token)",
        "\tdefer resp.Body.Close()",
        "\tvar out []Item\n\tif err := json.NewDecoder(resp.Body).Decode(&out); err != nil {\n\t\treturn nil, err\n\t}",
        "\tpassword := r.FormValue(\"password\")",
        "\tkey := fmt.Sprintf(\"%s/%s\", prefix, id)",
    ];
    let mut s = format!(
        "\n// {f}{} reads the {m} items.\nfunc {f}{}{}(ctx context.Context, baseURL string) ([]Item, error) {{",
        capital(m),
        capital(m),
        rng.below(100)
    );
    for _ in 0..(3 + rng.below(5)) {
        s.push('\n');
        s.push_str(rng.pick::<&str>(body));
    }
    s.push_str("\n\treturn out, nil\n}");
    s
}

fn java_filler(rng: &mut Rng, m: &str) -> String {
    let body: &[&str] = &[
        "        String token = System.getenv(\"API_TOKEN\");",
        "        if (token == null) { throw new IllegalStateException(\"API_TOKEN is not set\"); }",
        "        char[] password = console.readPassword(\"Password: \");",
        "        Map<String, String> headers = new HashMap<>();",
        "        headers.put(\"Authorization\", \"Bearer \" + token);",
        "        for (Item item : repository.findAllByOwner(ownerId)) { result.add(item.getKey()); }",
        "        log.info(\"loaded {} items for {}\", result.size(), ownerId);",
        "        String secretName = properties.getProperty(\"app.secret.name\");",
    ];
    let mut s = format!(
        "\n    public List<String> load{}{}(long ownerId) {{\n        List<String> result = new ArrayList<>();",
        capital(m),
        rng.below(100)
    );
    for _ in 0..(3 + rng.below(5)) {
        s.push('\n');
        s.push_str(rng.pick::<&str>(body));
    }
    s.push_str("\n        return result;\n    }");
    s
}

fn yaml_filler(rng: &mut Rng, m: &str) -> String {
    let body: &[&str] = &[
        "  replicas: 3",
        "  image: registry.internal.test/team/app:1.14.2",
        "  log_level: info",
        "  timeout_seconds: 30",
        "  password: ${DB_PASSWORD}",
        "  token_file: /var/run/secrets/tokens/app",
        "  secret_name: app-credentials",
        "  api_key_env: API_KEY",
        "  endpoint: https://api.internal.test/v1",
        "  retries: 5",
    ];
    let mut s = format!("\n{m}:");
    for _ in 0..(3 + rng.below(5)) {
        s.push('\n');
        s.push_str(rng.pick::<&str>(body));
    }
    s
}

// --- decoys ------------------------------------------------------------

fn uuid(rng: &mut Rng) -> String {
    format!(
        "{}-{}-4{}-{}{}-{}",
        rng.string(HEX, 8),
        rng.string(HEX, 4),
        rng.string(HEX, 3),
        rng.pick(b"89ab").to_owned() as char,
        rng.string(HEX, 3),
        rng.string(HEX, 12)
    )
}

fn bcrypt(rng: &mut Rng) -> String {
    const BC: &[u8] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    format!("$2b$12${}", rng.string(BC, 53))
}

fn b64(rng: &mut Rng, n: usize) -> String {
    let mut s = rng.string(B64, n);
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    s
}

/// A decoy line for a file of `lang`, and its kind.
fn decoy(lang: Lang, rng: &mut Rng) -> (String, &'static str) {
    let sha = rng.string(HEX, 40);
    let sha256 = rng.string(HEX, 64);
    let md5 = rng.string(HEX, 32);
    let id = uuid(rng);
    let bc = bcrypt(rng);
    let c = comment(lang);
    let mut all: Vec<(String, &'static str)> = match lang {
        Lang::Python => vec![
            (format!("    FIXTURE_HASH = \"{bc}\"  # bcrypt of 'hunter2'"), "bcrypt-hash"),
            (format!("    assert not check_password_hash(\"{bc}\", \"wrong\")"), "bcrypt-hash"),
            ("    aws_access_key_id = \"AKIAIOSFODNN7EXAMPLE\"  # from the AWS docs".into(), "documented-example"),
            ("    aws_secret_access_key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"".into(), "documented-example"),
            ("    SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]".into(), "reference"),
            ("    token = secrets.token_urlsafe(32)".into(), "reference"),
            (format!("    etag = \"{md5}\""), "md5"),
            (format!("    idempotency_key = \"{id}\""), "uuid"),
        ],
        Lang::JavaScript | Lang::TypeScript => vec![
            (format!("const requestId = '{id}';"), "uuid"),
            (format!("  integrity: 'sha512-{}',", b64(rng, 86)), "integrity-hash"),
            ("  apiKey: process.env.STRIPE_SECRET_KEY ?? '<your-stripe-key>',".into(), "placeholder"),
            (format!("const LOGO = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA{}';", b64(rng, 180)), "base64-image"),
            ("const slackToken = 'xoxb-not-a-real-token-this-will-not-work';".into(), "documented-example"),
            (format!("const stylesheet = `/static/app.css?v={md5}`;"), "md5"),
            ("  password: '',".into(), "placeholder"),
            ("  token: localStorage.getItem('token'),".into(), "reference"),
        ],
        Lang::Go => vec![
            (format!("\t// Fixed upstream in {sha}."), "git-sha"),
            (format!("\tconst testTenantID = \"{id}\""), "uuid"),
            ("\ttoken := \"<your-token>\" // replace before running".into(), "placeholder"),
            ("\tpassword := os.Getenv(\"DB_PASSWORD\")".into(), "reference"),
            (format!("\tconst wantSum = \"{sha256}\""), "sha256"),
        ],
        Lang::Java => vec![
            (format!("    private static final String SCHEMA_ID = \"{id}\";"), "uuid"),
            (format!("    private static final String BUILD_COMMIT = \"{sha}\";"), "git-sha"),
            ("    @Value(\"${app.jwt.secret}\") private String jwtSecret;".into(), "placeholder"),
            (format!("    private static final String TEST_HASH = \"{bc}\";"), "bcrypt-hash"),
        ],
        Lang::Yaml => vec![
            (format!("  revision: {sha}"), "git-sha"),
            ("  password: \"${DB_PASSWORD}\"".into(), "placeholder"),
            ("  api_token: \"{{ .Values.apiToken }}\"".into(), "placeholder"),
            (format!("  image: ghcr.io/acme/app@sha256:{sha256}"), "image-digest"),
            (format!("  subscription_id: {id}"), "uuid"),
            (format!("  password_hash: \"{bc}\""), "bcrypt-hash"),
            ("  secretKeyRef:\n    name: app-credentials\n    key: password".into(), "reference"),
        ],
        Lang::Json => vec![
            (format!("  \"correlationId\": \"{id}\","), "uuid"),
            (format!("  \"integrity\": \"sha512-{}\",", b64(rng, 86)), "integrity-hash"),
            (format!("  \"gitHead\": \"{sha}\","), "git-sha"),
            (format!("  \"sha\": \"{sha}\","), "git-sha"),
            ("  \"password\": \"\",".into(), "placeholder"),
            ("  \"apiKey\": \"YOUR_API_KEY\",".into(), "placeholder"),
        ],
        Lang::Env => vec![
            ("API_TOKEN=<your-token>".into(), "placeholder"),
            ("DB_PASSWORD=changeme".into(), "placeholder"),
            ("GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx".into(), "placeholder"),
            ("SECRET_KEY=${SECRET_KEY}".into(), "placeholder"),
            (format!("BUILD_SHA={sha}"), "git-sha"),
            ("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE".into(), "documented-example"),
        ],
        Lang::Properties => vec![
            (format!("build.commit={sha}"), "git-sha"),
            ("spring.datasource.password=${DB_PASSWORD}".into(), "placeholder"),
            (format!("app.instance.id={id}"), "uuid"),
        ],
        Lang::Terraform => vec![
            ("  password = var.db_password".into(), "reference"),
            (format!("  tenant_id = \"{id}\""), "uuid"),
            (format!("  source_code_hash = \"{}\"", b64(rng, 43)), "base64-hash"),
            (format!("  kms_key_id = \"arn:aws:kms:eu-west-1:123456789012:key/{id}\""), "arn"),
            ("  secret_string = jsonencode({ password = random_password.db.result })".into(), "reference"),
        ],
        Lang::Dockerfile => vec![
            (format!("FROM python:3.12-slim@sha256:{sha256}"), "image-digest"),
            (format!("RUN echo \"{sha256}  tool.tar.gz\" | sha256sum -c -"), "sha256"),
            ("ARG NPM_TOKEN".into(), "reference"),
            ("RUN --mount=type=secret,id=pip_token pip install -r requirements.txt".into(), "reference"),
        ],
        Lang::Shell => vec![
            (format!("git checkout {sha}"), "git-sha"),
            ("export API_KEY=\"${API_KEY:?set API_KEY}\"".into(), "placeholder"),
            (format!("echo \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{} deploy@ci\" >> ~/.ssh/authorized_keys", rng.string(B64, 43)), "public-key"),
            (format!("echo \"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{} ops@bastion\" >> authorized_keys", rng.string(B64, 300)), "public-key"),
            ("curl -H \"Authorization: Bearer $TOKEN\" https://api.internal.test/v1/me".into(), "reference"),
        ],
        Lang::Markdown => vec![
            (format!("Set `AWS_ACCESS_KEY_ID` (for example `AKIAIOSFODNN7EXAMPLE`) before running; commit {sha} added it."), "documented-example"),
            (format!("![diagram](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA{})", b64(rng, 240)), "base64-image"),
            ("Put your token in `~/.config/app/token` (`export APP_TOKEN=<your-token>`).".into(), "placeholder"),
            ("    curl -H \"Authorization: Bearer <token>\" https://api.internal.test/v1/me".into(), "placeholder"),
        ],
    };
    all.push((format!("{c}{}", lorem(rng)), "lorem"));
    all.push((format!("{c}checksum {sha256}"), "sha256"));
    all.push((format!("{c}see {id}"), "uuid"));
    all.push((format!("{c}rev {sha}"), "git-sha"));
    let k = rng.below(all.len());
    all.swap_remove(k)
}

fn comment(lang: Lang) -> &'static str {
    match lang {
        Lang::JavaScript | Lang::TypeScript | Lang::Go | Lang::Java => "// ",
        Lang::Json => "",
        Lang::Markdown => "",
        _ => "# ",
    }
}

fn lorem(rng: &mut Rng) -> String {
    const W: &[&str] = &[
        "lorem",
        "ipsum",
        "dolor",
        "sit",
        "amet",
        "consectetur",
        "adipiscing",
        "elit",
        "sed",
        "eiusmod",
        "tempor",
        "incididunt",
        "labore",
        "magna",
        "aliqua",
        "Qx7vZ2pLmK9w",
        "r8TnB3sYc6Hj",
        "VkP4dW9eGa2u",
    ];
    (0..12).map(|_| *rng.pick(W)).collect::<Vec<_>>().join(" ")
}

/// Multi-line decoys: a whole block (certificate, public key).
fn block_decoy(rng: &mut Rng) -> (String, &'static str) {
    let body: Vec<String> = (0..12).map(|_| rng.string(B64, 64)).collect();
    if rng.chance(0.5) {
        (
            format!(
                "-----BEGIN CERTIFICATE-----\nMIID{}\n{}\n-----END CERTIFICATE-----",
                rng.string(B64, 60),
                body.join("\n")
            ),
            "certificate",
        )
    } else {
        (
            format!(
                "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA{}\n{}\n-----END PUBLIC KEY-----",
                rng.string(B64, 20),
                body[..5].join("\n")
            ),
            "public-key",
        )
    }
}

// --- files -------------------------------------------------------------

fn ext(lang: Lang) -> &'static str {
    match lang {
        Lang::Python => "py",
        Lang::JavaScript => "js",
        Lang::TypeScript => "ts",
        Lang::Go => "go",
        Lang::Java => "java",
        Lang::Yaml => "yaml",
        Lang::Json => "json",
        Lang::Env => "env",
        Lang::Properties => "properties",
        Lang::Terraform => "tf",
        Lang::Dockerfile => "Dockerfile",
        Lang::Shell => "sh",
        Lang::Markdown => "md",
    }
}

fn path_for(lang: Lang, m: &str, n: usize) -> String {
    match lang {
        Lang::Python => format!("services/{m}/{m}/handlers_{n}.py"),
        Lang::JavaScript => format!("web/src/{m}/client{n}.js"),
        Lang::TypeScript => format!("web/src/{m}/api{n}.ts"),
        Lang::Go => format!("cmd/{m}/internal/client{n}.go"),
        Lang::Java => format!("java/src/main/java/com/acme/{m}/Service{n}.java"),
        Lang::Yaml => format!("deploy/{m}/values-{n}.yaml"),
        Lang::Json => format!("config/{m}/settings.{n}.json"),
        Lang::Env => format!("services/{m}/.env.{n}"),
        Lang::Properties => format!("java/src/main/resources/{m}-{n}.properties"),
        Lang::Terraform => format!("infra/{m}/main_{n}.tf"),
        Lang::Dockerfile => format!("docker/{m}-{n}/Dockerfile"),
        Lang::Shell => format!("scripts/{m}/deploy_{n}.sh"),
        Lang::Markdown => format!("docs/{m}/guide-{n}.md"),
    }
}

/// A file's header and footer.
fn frame(lang: Lang, m: &str) -> (String, String) {
    match lang {
        Lang::Python => (
            format!("\"\"\"The {m} service handlers.\"\"\"\n\nimport hashlib\nimport json\nimport logging\nimport os\n\nimport requests\n\nlogger = logging.getLogger(__name__)"),
            String::new(),
        ),
        Lang::JavaScript | Lang::TypeScript => (
            format!("// The {m} API client.\nimport axios from 'axios';\nimport {{ logger }} from '../lib/log';\n\nconst config = new Map();"),
            String::new(),
        ),
        Lang::Go => (
            format!("// Package {m} is the {m} service's client.\npackage {m}\n\nimport (\n\t\"context\"\n\t\"encoding/json\"\n\t\"errors\"\n\t\"fmt\"\n\t\"net/http\"\n\t\"os\"\n)"),
            String::new(),
        ),
        Lang::Java => (
            format!("package com.acme.{m};\n\nimport java.util.*;\n\n/** The {m} service. */\npublic class Service {{"),
            "}".into(),
        ),
        Lang::Yaml => (format!("# Values for the {m} chart.\nname: {m}"), String::new()),
        Lang::Json => (format!("{{\n  \"name\": \"{m}\",\n  \"version\": \"2.3.1\","), "  \"private\": true\n}".into()),
        Lang::Env => (format!("# {m} local settings\nLOG_LEVEL=debug\nPORT=8080"), String::new()),
        Lang::Properties => (format!("# {m}\nserver.port=8080\nspring.application.name={m}"), String::new()),
        Lang::Terraform => (
            format!("terraform {{\n  required_version = \">= 1.5\"\n}}\n\nresource \"aws_ssm_parameter\" \"{m}\" {{\n  name = \"/{m}/config\"\n  type = \"SecureString\""),
            "}".into(),
        ),
        Lang::Dockerfile => (
            "FROM python:3.12-slim AS build\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt".into(),
            "COPY . .\nUSER 10001\nCMD [\"python\", \"-m\", \"app\"]".into(),
        ),
        Lang::Shell => (format!("#!/usr/bin/env bash\n# Deploys {m}.\nset -euo pipefail"), String::new()),
        Lang::Markdown => (format!("# {m}\n\nHow to run the {m} service locally and in CI.\n\n```sh"), "```".into()),
    }
}

fn filler(lang: Lang, rng: &mut Rng, m: &str) -> String {
    match lang {
        Lang::Python => py_filler(rng, m),
        Lang::JavaScript | Lang::TypeScript => js_filler(rng, m),
        Lang::Go => go_filler(rng, m),
        Lang::Java => java_filler(rng, m),
        Lang::Yaml => yaml_filler(rng, m),
        Lang::Json => format!("  \"{m}{}\": {{ \"enabled\": true, \"retries\": {}, \"endpoint\": \"https://{m}.internal.test/v1\" }},", rng.below(1000), rng.below(9)),
        Lang::Env => format!("{}_URL=https://{m}.internal.test\n{}_TIMEOUT={}", m.to_ascii_uppercase(), m.to_ascii_uppercase(), rng.below(60)),
        Lang::Properties => format!("{m}.pool.size={}\n{m}.endpoint=https://{m}.internal.test/api", rng.below(50)),
        Lang::Terraform => format!("  tags = {{\n    team = \"{m}\"\n    cost_center = \"cc-{}\"\n  }}", rng.below(9999)),
        Lang::Dockerfile => format!("RUN apt-get update && apt-get install -y --no-install-recommends curl=7.{}.0 && rm -rf /var/lib/apt/lists/*", rng.below(90)),
        Lang::Shell => format!("kubectl -n {m} rollout status deploy/{m}-{} --timeout=120s", rng.below(20)),
        Lang::Markdown => format!("```\n\nThe {m} job runs every {} minutes; its token is read from the environment, never from this file.\n\n```sh", rng.below(60)),
    }
}

/// Builds one file of `lang` with the given samples planted and `n_decoys`
/// decoys, around `size` bytes of filler.
fn build_file(
    corpus: &mut Corpus,
    rng: &mut Rng,
    lang: Lang,
    path: String,
    m: &str,
    samples: &[&Sample],
    n_decoys: usize,
    size: usize,
) {
    let mut f = FileBuf::new(path);
    let (head, foot) = frame(lang, m);
    f.line(head);
    let slots = samples.len() + n_decoys;
    let mut planted = samples.iter();
    let mut decoys = n_decoys;
    let mut written = 0usize;
    let per = size / (slots + 1);
    loop {
        while written < per * (slots + 1 - planted.len() - decoys) {
            let s = filler(lang, rng, m);
            written += s.len();
            f.line(s);
        }
        let take_secret = planted.len() > 0 && (decoys == 0 || rng.chance(0.5));
        if take_secret {
            let s = planted.next().unwrap_or_else(|| unreachable!());
            if s.standalone {
                let (line, off, ctx) = wrap(lang, &s.rule, s.value(), rng);
                let len = s.secret.len();
                f.plant(&line, off..off + len, &s.rule, ctx);
            } else {
                f.plant(&s.text, s.secret.clone(), &s.rule, "example");
            }
        } else if decoys > 0 {
            decoys -= 1;
            let (line, kind) = decoy(lang, rng);
            f.decoy(&line, kind);
        } else {
            break;
        }
    }
    f.line(foot);
    f.finish(corpus);
}

/// Generates the accuracy corpus: every sample planted two to three times
/// (its example's context in a file of its shape, and standalone values
/// wrapped in code and config of other languages), among filler and
/// decoys. Deterministic for a seed.
pub fn generate(scanner: &Scanner, seed: u64) -> Corpus {
    let mut rng = Rng::new(seed);
    let samples = samples(scanner, &mut rng);
    let mut corpus = Corpus::default();
    let mut n = 0usize;
    // The examples' own contexts, grouped by the file kind they fit.
    let mut by_lang: Vec<(Lang, Vec<&Sample>)> = LANGS.iter().map(|l| (*l, Vec::new())).collect();
    let mut multi: Vec<&Sample> = Vec::new();
    for s in &samples {
        if let Some(bytes) = &s.binary {
            let path = if s.rule.contains("keystore") || s.rule.contains("java") {
                format!("java/src/main/resources/keystore{n}.jks")
            } else {
                format!("certs/client{n}.p12")
            };
            n += 1;
            corpus.planted.push(Planted {
                path: path.clone(),
                line: 0,
                end_line: 0,
                column: 0,
                end_column: 0,
                rule: s.rule.clone(),
                context: "binary-file".into(),
            });
            corpus.files.push((path, bytes.clone()));
        } else if s.text.contains('\n') {
            multi.push(s);
        } else {
            let lang = example_lang(&s.text);
            if let Some(slot) = by_lang.iter_mut().find(|(l, _)| *l == lang) {
                slot.1.push(s);
            }
        }
    }
    for (lang, list) in &by_lang {
        for chunk in list.chunks(6) {
            let m = *rng.pick(MODULES);
            let path = path_for(*lang, m, n);
            n += 1;
            // Example lines keep their own syntax: no wrapping.
            let mut f = FileBuf::new(path);
            let (head, foot) = frame(*lang, m);
            f.line(head);
            for s in chunk {
                for _ in 0..(1 + rng.below(3)) {
                    let fl = filler(*lang, &mut rng, m);
                    f.line(fl);
                }
                f.plant(&s.text, s.secret.clone(), &s.rule, "example");
                if rng.chance(0.5) {
                    let (line, kind) = decoy(*lang, &mut rng);
                    f.decoy(&line, kind);
                }
            }
            f.line(foot);
            f.finish(&mut corpus);
        }
    }
    // Multi-line secrets: alone in a file of their kind, and PEM blocks
    // also inside code and YAML.
    for s in &multi {
        let name = if s.text.contains("PRIVATE KEY") || s.text.contains("OpenVPN") {
            format!("certs/{}-{n}.pem", s.rule)
        } else if s.text.starts_with("PuTTY") {
            format!("keys/{}-{n}.ppk", s.rule)
        } else if s.text.starts_with('[') {
            format!("vpn/wg{n}.conf")
        } else {
            format!("deploy/k8s/{}-{n}.yaml", s.rule)
        };
        n += 1;
        let mut f = FileBuf::new(name);
        f.plant(&s.text, s.secret.clone(), &s.rule, "example-file");
        f.finish(&mut corpus);
        if s.text.starts_with("-----BEGIN") {
            let mut f = FileBuf::new(format!("services/keys/fixtures_{n}.py"));
            n += 1;
            f.line("\"\"\"Key material for the signing tests.\"\"\"\n\nSIGNING_KEY = \"\"\"\\");
            f.plant(&s.text, s.secret.clone(), &s.rule, "py-triple-quoted");
            f.line("\"\"\"\n\n\ndef signer():\n    return load_pem_private_key(SIGNING_KEY.encode(), password=None)");
            f.finish(&mut corpus);
            // A YAML block scalar: every line indented.
            let indented: String = s
                .text
                .lines()
                .map(|l| format!("    {l}"))
                .collect::<Vec<_>>()
                .join("\n");
            let mut f = FileBuf::new(format!("deploy/tls/secret-{n}.yaml"));
            n += 1;
            f.line(format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls-{n}\ntype: Opaque\nstringData:\n  tls.key: |"));
            // The value's range in the indented text: it starts after the
            // first indent; a multi-line value gains 4 bytes a line.
            let before = s.text[..s.secret.start].matches('\n').count();
            let start = s.secret.start + 4 * (before + 1);
            let lines_in = s.text[s.secret.clone()].matches('\n').count();
            let end = s.secret.end + 4 * (before + 1 + lines_in);
            f.plant(&indented, start..end, &s.rule, "yaml-block");
            f.finish(&mut corpus);
        }
    }
    // Standalone tokens again, wrapped in every kind of file.
    let standalone: Vec<&Sample> = samples.iter().filter(|s| s.standalone).collect();
    let mut k = 0usize;
    // Twice: in two kinds of file.
    let standalone: Vec<&Sample> = standalone
        .iter()
        .chain(standalone.iter())
        .copied()
        .collect();
    while k < standalone.len() {
        let lang = *rng.pick(LANGS);
        let take = (2 + rng.below(4)).min(standalone.len() - k);
        let m = *rng.pick(MODULES);
        let path = path_for(lang, m, n);
        n += 1;
        let size = 2000 + rng.below(12000);
        let nd = 2 + rng.below(4);
        build_file(
            &mut corpus,
            &mut rng,
            lang,
            path,
            m,
            &standalone[k..k + take],
            nd,
            size,
        );
        k += take;
    }
    // Clean files with decoys only.
    for _ in 0..120 {
        let lang = *rng.pick(LANGS);
        let m = *rng.pick(MODULES);
        let path = path_for(lang, m, n);
        n += 1;
        let size = 2000 + rng.below(20000);
        let nd = 3 + rng.below(5);
        build_file(&mut corpus, &mut rng, lang, path, m, &[], nd, size);
    }
    // Multi-line decoys and lockfiles.
    for _ in 0..10 {
        let (text, kind) = block_decoy(&mut rng);
        let mut f = FileBuf::new(format!("certs/public-{n}.pem"));
        n += 1;
        f.decoy(&text, kind);
        f.finish(&mut corpus);
    }
    let mut lock = FileBuf::new("web/yarn.lock".into());
    for p in ["axios", "react", "lodash", "chalk", "debug"] {
        let line = format!("{p}@^1.0.0:\n  version \"1.0.{}\"\n  resolved \"https://registry.yarnpkg.com/{p}/-/{p}-1.0.0.tgz#{}\"\n  integrity sha512-{}", rng.below(9), rng.string(HEX, 40), b64(&mut rng, 86));
        lock.decoy(&line, "lockfile");
    }
    lock.finish(&mut corpus);
    let mut html = FileBuf::new("web/public/index.html".into());
    html.line("<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">");
    for _ in 0..3 {
        let line = format!("  <script src=\"https://cdn.internal.test/lib.{}.js\" integrity=\"sha384-{}\" crossorigin=\"anonymous\"></script>", rng.string(HEX, 8), b64(&mut rng, 64));
        html.decoy(&line, "integrity-hash");
    }
    html.line("</head>\n<body><div id=\"root\"></div></body>\n</html>");
    html.finish(&mut corpus);
    corpus
}

/// Writes about `target` bytes of mixed source files below `root` for a
/// throughput measurement: mostly clean code and config with decoys, one
/// file in 50 with a few planted secrets. Deterministic for a seed.
/// Returns the bytes and files written.
pub fn write_bulk(
    scanner: &Scanner,
    root: &Path,
    target: u64,
    seed: u64,
) -> std::io::Result<(u64, usize)> {
    let mut rng = Rng::new(seed);
    let samples = samples(scanner, &mut rng);
    let standalone: Vec<&Sample> = samples.iter().filter(|s| s.standalone).collect();
    let mut written = 0u64;
    let mut n = 0usize;
    while written < target {
        let mut corpus = Corpus::default();
        let lang = *rng.pick(LANGS);
        let m = *rng.pick(MODULES);
        let path = format!("repo{}/{}", n / 2000, path_for(lang, m, n));
        let picked: Vec<&Sample> = if n % 50 == 49 {
            (0..3).map(|_| *rng.pick(&standalone)).collect()
        } else {
            Vec::new()
        };
        let size = 4000 + rng.below(60000);
        let nd = 2 + rng.below(4);
        build_file(&mut corpus, &mut rng, lang, path, m, &picked, nd, size);
        for (rel, bytes) in &corpus.files {
            let p = root.join(rel);
            if let Some(d) = p.parent() {
                std::fs::create_dir_all(d)?;
            }
            std::fs::write(&p, bytes)?;
            written += bytes.len() as u64;
        }
        n += 1;
    }
    let mut summary = String::new();
    let _ = writeln!(summary, "{written} bytes in {n} files");
    std::fs::write(root.join("BULK.txt"), summary)?;
    Ok((written, n))
}
