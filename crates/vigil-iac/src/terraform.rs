//! Terraform: the `.tf`/`.tf.json` files of a module (a directory) read
//! into one input document, with variables, locals and calls of local
//! modules evaluated where their values are static; and plans
//! (`terraform show -json`) read into the same shape.
//!
//! A value vigil cannot know statically is an unknown marker
//! `{"__unknown__": "<expression>"}`; a reference to another resource is
//! the string of its address and attribute (`aws_s3_bucket.b.id`, with
//! `module.x.` before it inside a called module) so that rules can join
//! resources.

mod funcs;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hcl::eval::{Context, Evaluate};
use hcl::{Expression, ObjectKey, TemplateExpr, TraversalOperator};
use hcl_edit::Span;
use serde_json::{json, Map, Value};
use vigil_model::Diagnostic;

/// How deep calls of local modules are followed.
const MAX_MODULE_DEPTH: usize = 16;

/// Whether a file name is Terraform source (`.tf`, `.tf.json`).
pub fn is_terraform_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".tf") || lower.ends_with(".tf.json")
}

/// Whether a JSON document is a Terraform plan (`terraform show -json`).
pub fn is_plan(v: &Value) -> bool {
    v.get("format_version").is_some()
        && (v.get("planned_values").is_some() || v.get("resource_changes").is_some())
}

/// The input document of a JSON file if it is a Terraform plan (only
/// files that mention `format_version` are parsed).
pub fn detect_plan(rel: &str, text: &str) -> Option<Value> {
    if !text.contains("\"format_version\"") {
        return None;
    }
    let v: Value = serde_json::from_str(text).ok()?;
    is_plan(&v).then(|| plan_input(rel, text, &v))
}

/// One attribute of a body.
struct Attr {
    key: String,
    expr: Expression,
    line: u32,
}

/// One block of a body.
struct Block {
    ident: String,
    labels: Vec<String>,
    line: u32,
    end_line: u32,
    body: Vec<Node>,
}

/// An item of a body.
enum Node {
    Attr(Attr),
    Block(Block),
}

/// A file of a module: its path and top-level items.
struct File {
    rel: String,
    nodes: Vec<Node>,
}

/// Byte offsets of line starts, to turn offsets into line numbers.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines(starts)
    }

    /// The (1-based) line of a byte offset.
    fn at(&self, offset: usize) -> u32 {
        u32::try_from(self.0.partition_point(|s| *s <= offset)).unwrap_or(u32::MAX)
    }

    fn start(&self, span: Option<std::ops::Range<usize>>) -> u32 {
        span.map_or(1, |s| self.at(s.start))
    }

    fn end(&self, span: Option<std::ops::Range<usize>>) -> u32 {
        span.map_or(1, |s| self.at(s.end.saturating_sub(1)))
    }
}

/// An HCL file's items, or a diagnostic naming its line.
fn parse_hcl(rel: &str, text: &str) -> Result<Vec<Node>, Diagnostic> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        Diagnostic::warning(
            rel,
            u32::try_from(e.location().line()).ok(),
            format!(
                "invalid HCL, not checked for misconfigurations: {}",
                e.message()
            ),
        )
    })?;
    Ok(hcl_nodes(&body, &Lines::new(text)))
}

fn hcl_nodes(body: &hcl_edit::structure::Body, lines: &Lines) -> Vec<Node> {
    body.iter()
        .map(|s| match s {
            hcl_edit::structure::Structure::Attribute(a) => Node::Attr(Attr {
                key: a.key.as_str().to_string(),
                expr: a.value.clone().into(),
                line: lines.start(a.span()),
            }),
            hcl_edit::structure::Structure::Block(b) => Node::Block(Block {
                ident: b.ident.as_str().to_string(),
                labels: b.labels.iter().map(|l| l.as_str().to_string()).collect(),
                line: lines.start(b.span()),
                end_line: lines.end(b.span()),
                body: hcl_nodes(&b.body, lines),
            }),
        })
        .collect()
}

/// The offset of the JSON key `"key":` at or after `from`.
fn find_key(text: &str, key: &str, from: usize) -> Option<usize> {
    let pat = serde_json::to_string(key).ok()?;
    let mut at = from;
    while let Some(i) = text.get(at..)?.find(&pat) {
        let pos = at + i;
        let rest = text.get(pos + pat.len()..)?.trim_start();
        if rest.starts_with(':') {
            return Some(pos);
        }
        at = pos + pat.len();
    }
    None
}

/// A `.tf.json` file's items, or a diagnostic naming its line.
fn parse_tf_json(rel: &str, text: &str) -> Result<Vec<Node>, Diagnostic> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        Diagnostic::warning(
            rel,
            u32::try_from(e.line()).ok(),
            format!("invalid JSON, not checked for misconfigurations: {e}"),
        )
    })?;
    let lines = Lines::new(text);
    let mut nodes = Vec::new();
    let Some(top) = v.as_object() else {
        return Ok(nodes);
    };
    for (kind, val) in top {
        let kind_at = find_key(text, kind, 0).unwrap_or(0);
        let Some(val) = val.as_object() else {
            continue;
        };
        let labelled = |labels: Vec<String>, body: &Value, at: usize| -> Vec<Node> {
            // A block's body may be an object or an array of objects.
            let bodies: Vec<&Value> = match body {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            bodies
                .into_iter()
                .map(|b| {
                    Node::Block(Block {
                        ident: kind.clone(),
                        labels: labels.clone(),
                        line: lines.at(at),
                        end_line: lines.at(at),
                        body: json_body(b, text, &lines, at),
                    })
                })
                .collect()
        };
        match kind.as_str() {
            "resource" | "data" => {
                for (ty, names) in val {
                    let ty_at = find_key(text, ty, kind_at).unwrap_or(kind_at);
                    let Some(names) = names.as_object() else {
                        continue;
                    };
                    for (name, body) in names {
                        let at = find_key(text, name, ty_at).unwrap_or(ty_at);
                        nodes.extend(labelled(vec![ty.clone(), name.clone()], body, at));
                    }
                }
            }
            "module" | "provider" | "variable" | "output" => {
                for (name, body) in val {
                    let at = find_key(text, name, kind_at).unwrap_or(kind_at);
                    nodes.extend(labelled(vec![name.clone()], body, at));
                }
            }
            "locals" => nodes.extend(labelled(Vec::new(), &Value::Object(val.clone()), kind_at)),
            _ => {}
        }
    }
    Ok(nodes)
}

fn json_body(v: &Value, text: &str, lines: &Lines, from: usize) -> Vec<Node> {
    let Some(obj) = v.as_object() else {
        return Vec::new();
    };
    obj.iter()
        .map(|(k, val)| {
            let at = find_key(text, k, from).unwrap_or(from);
            Node::Attr(Attr {
                key: k.clone(),
                expr: json_expr(val),
                line: lines.at(at),
            })
        })
        .collect()
}

/// A JSON value of a `.tf.json` file as an expression: strings with
/// `${...}` are templates.
fn json_expr(v: &Value) -> Expression {
    match v {
        Value::Null => Expression::Null,
        Value::Bool(b) => Expression::Bool(*b),
        Value::Number(n) => serde_json::from_value::<hcl::Value>(Value::Number(n.clone()))
            .map(Expression::from)
            .unwrap_or(Expression::Null),
        Value::String(s) if s.contains("${") => {
            Expression::TemplateExpr(Box::new(TemplateExpr::QuotedString(s.clone())))
        }
        Value::String(s) => Expression::String(s.clone()),
        Value::Array(a) => Expression::Array(a.iter().map(json_expr).collect()),
        Value::Object(o) => Expression::Object(
            o.iter()
                .map(|(k, v)| {
                    (
                        ObjectKey::Expression(Expression::String(k.clone())),
                        json_expr(v),
                    )
                })
                .collect(),
        ),
    }
}

/// The value of an expression when it is fully known.
fn known(expr: &Expression) -> Option<hcl::Value> {
    let v = known_value(expr)?;
    (value_size(&v, MAX_VALUE_SIZE) <= MAX_VALUE_SIZE).then_some(v)
}

/// The largest value (in bytes of text, roughly) a variable or local may
/// hold: a larger one is unknown, so that locals that double each other
/// (`"${local.a}${local.a}"`) cannot grow exponentially.
const MAX_VALUE_SIZE: usize = 1024 * 1024;

/// The size of a value's text, counted until it passes `limit`.
fn value_size(v: &hcl::Value, limit: usize) -> usize {
    match v {
        hcl::Value::String(s) => s.len(),
        hcl::Value::Array(a) => {
            let mut n = 0;
            for x in a {
                n += 1 + value_size(x, limit);
                if n > limit {
                    break;
                }
            }
            n
        }
        hcl::Value::Object(o) => {
            let mut n = 0;
            for (k, x) in o {
                n += k.len() + value_size(x, limit);
                if n > limit {
                    break;
                }
            }
            n
        }
        _ => 8,
    }
}

/// [`known`] without the size limit.
fn known_value(expr: &Expression) -> Option<hcl::Value> {
    Some(match expr {
        Expression::Null => hcl::Value::Null,
        Expression::Bool(b) => hcl::Value::Bool(*b),
        Expression::Number(n) => hcl::Value::Number(*n),
        Expression::String(s) => hcl::Value::String(s.clone()),
        Expression::Array(a) => {
            hcl::Value::Array(a.iter().map(known_value).collect::<Option<_>>()?)
        }
        Expression::Object(o) => {
            let mut m = hcl::Map::new();
            for (k, v) in o {
                let key = match k {
                    ObjectKey::Identifier(i) => i.as_str().to_string(),
                    ObjectKey::Expression(Expression::String(s)) => s.clone(),
                    _ => return None,
                };
                m.insert(key, known_value(v)?);
            }
            hcl::Value::Object(m)
        }
        Expression::Parenthesis(e) => known(e)?,
        _ => return None,
    })
}

/// An unknown value: the marker with the expression's text.
fn unknown(expr: &Expression) -> Value {
    let text = hcl::format::to_string(expr).unwrap_or_default();
    json!({ "__unknown__": text.trim() })
}

/// Roots of traversals that are not resources.
const NOT_RESOURCES: &[&str] = &["var", "local", "each", "count", "self", "path", "terraform"];

/// An evaluated expression as JSON: references to resources become their
/// address strings (prefixed by the module's address), the rest that is
/// not known becomes an unknown marker.
/// How references are named: the module's address prefix, and the
/// iterators of enclosing `dynamic` blocks (which are not resources).
#[derive(Clone)]
struct Refs<'a> {
    prefix: &'a str,
    iterators: Vec<String>,
}

impl<'a> Refs<'a> {
    fn new(prefix: &'a str) -> Refs<'a> {
        Refs {
            prefix,
            iterators: Vec::new(),
        }
    }
}

fn to_json(expr: &Expression, refs: &Refs<'_>) -> Value {
    match expr {
        Expression::Null => Value::Null,
        Expression::Bool(b) => Value::Bool(*b),
        Expression::Number(n) => serde_json::to_value(n).unwrap_or(Value::Null),
        Expression::String(s) => Value::String(s.clone()),
        Expression::Array(a) => Value::Array(a.iter().map(|e| to_json(e, refs)).collect()),
        Expression::Object(o) => {
            let mut m = Map::new();
            for (k, v) in o {
                let key = match k {
                    ObjectKey::Identifier(i) => i.as_str().to_string(),
                    ObjectKey::Expression(Expression::String(s)) => s.clone(),
                    _ => return unknown(expr),
                };
                m.insert(key, to_json(v, refs));
            }
            Value::Object(m)
        }
        Expression::Parenthesis(e) => to_json(e, refs),
        Expression::Traversal(t) => reference(t, refs).map_or_else(|| unknown(expr), Value::String),
        Expression::FuncCall(f) if f.name.name.as_str() == "jsonencode" && f.args.len() == 1 => {
            // A policy with an unknown part: its structure is still
            // useful to rules.
            let mut u = unknown(expr);
            u["__jsonencode__"] = to_json(&f.args[0], refs);
            u
        }
        _ => unknown(expr),
    }
}

/// The address string of a reference to a resource, data source or
/// module output (`aws_s3_bucket.b.id`), if `t` is one.
fn reference(t: &hcl::Traversal, refs: &Refs<'_>) -> Option<String> {
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    let root = root.as_str();
    if NOT_RESOURCES.contains(&root) || refs.iterators.iter().any(|i| i == root) {
        return None;
    }
    let mut parts = vec![root.to_string()];
    for op in &t.operators {
        match op {
            TraversalOperator::GetAttr(a) => parts.push(a.as_str().to_string()),
            TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_) => {}
            _ => return None,
        }
    }
    (parts.len() >= 2).then(|| format!("{}{}", refs.prefix, parts.join(".")))
}

/// Variables and locals known in a module.
#[derive(Default, Clone)]
struct Scope {
    vars: hcl::Map<String, hcl::Value>,
    locals: hcl::Map<String, hcl::Value>,
}

impl Scope {
    fn context(&self) -> Context<'static> {
        let mut ctx = Context::new();
        funcs::declare(&mut ctx);
        ctx.declare_var("var", hcl::Value::Object(self.vars.clone()));
        ctx.declare_var("local", hcl::Value::Object(self.locals.clone()));
        ctx
    }
}

/// Evaluates what can be evaluated of an expression.
fn eval(expr: &Expression, ctx: &Context<'_>) -> Expression {
    let mut e = expr.clone();
    // Errors are the parts that stay unknown.
    let _ = e.evaluate_in_place(ctx);
    e
}

/// Attributes that are not inputs of a module call.
const MODULE_META: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

/// A Terraform module read from a directory (with the local modules it
/// calls), or a plan, as an input document.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The input document.
    pub doc: Value,
    /// The text of every file read (relative path → text), for inline
    /// `vigil:ignore` comments.
    pub sources: HashMap<String, String>,
    /// Files that could not be read or parsed.
    pub diagnostics: Vec<Diagnostic>,
    /// The files read (relative paths).
    pub files: Vec<String>,
    /// The directories of local modules it calls.
    pub called: Vec<PathBuf>,
}

/// Reads modules.
struct Loader<'a> {
    root: &'a Path,
    /// `root` canonicalized: the directories of called modules are.
    root_canon: Option<PathBuf>,
    out: Loaded,
    stack: Vec<PathBuf>,
    resources: Vec<Value>,
    data: Vec<Value>,
}

/// What a module gives its caller's document (the root's go into it).
#[derive(Default)]
struct ModuleOut {
    variables: Map<String, Value>,
    locals: Map<String, Value>,
    providers: Vec<Value>,
}

impl<'a> Loader<'a> {
    fn new(root: &'a Path) -> Loader<'a> {
        Loader {
            root,
            root_canon: fs_err::canonicalize(root).ok(),
            out: Loaded::default(),
            stack: Vec::new(),
            resources: Vec::new(),
            data: Vec::new(),
        }
    }

    /// A path relative to the root, also for canonical paths.
    fn rel(&self, path: &Path) -> String {
        if path.is_absolute() && !self.root.is_absolute() {
            if let Some(p) = self
                .root_canon
                .as_ref()
                .and_then(|c| path.strip_prefix(c).ok())
            {
                return p.to_string_lossy().replace('\\', "/");
            }
        }
        crate::rel_path(self.root, path)
    }

    /// The files of a directory: Terraform sources, and `.tfvars` texts.
    fn read_dir(&mut self, dir: &Path) -> (Vec<File>, Vec<(String, String)>) {
        let mut files = Vec::new();
        let mut tfvars = Vec::new();
        let mut entries: Vec<PathBuf> = match fs_err::read_dir(dir) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                let rel = self.rel(dir);
                self.out
                    .diagnostics
                    .push(Diagnostic::warning(rel, None, e.to_string()));
                return (files, tfvars);
            }
        };
        entries.sort();
        for path in entries {
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let lower = name.to_ascii_lowercase();
            let source = is_terraform_name(&lower);
            let vars = lower == "terraform.tfvars"
                || lower.ends_with(".auto.tfvars")
                || lower == "terraform.tfvars.json"
                || lower.ends_with(".auto.tfvars.json");
            if !(source || vars) || !path.is_file() {
                continue;
            }
            let rel = self.rel(&path);
            let too_big = fs_err::metadata(&path).map_or(true, |m| m.len() > crate::MAX_FILE_SIZE);
            if too_big {
                self.out.diagnostics.push(Diagnostic::warning(
                    rel,
                    None,
                    "too large or unreadable; not checked for misconfigurations",
                ));
                continue;
            }
            let text = match fs_err::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    self.out
                        .diagnostics
                        .push(Diagnostic::warning(rel, None, e.to_string()));
                    continue;
                }
            };
            if vars {
                tfvars.push((rel, text));
                continue;
            }
            if let Some(f) = self.parse_file(&rel, &text) {
                files.push(f);
            }
            self.out.files.push(rel.clone());
            self.out.sources.insert(rel, text);
        }
        (files, tfvars)
    }

    fn parse_file(&mut self, rel: &str, text: &str) -> Option<File> {
        let parsed = if rel.to_ascii_lowercase().ends_with(".json") {
            parse_tf_json(rel, text)
        } else {
            parse_hcl(rel, text)
        };
        match parsed {
            Ok(nodes) => Some(File {
                rel: rel.to_string(),
                nodes,
            }),
            Err(d) => {
                self.out.diagnostics.push(d);
                None
            }
        }
    }

    /// Evaluates one module's files. `inputs`: a called module's
    /// arguments (`None`: unknown), or `None` for the root module, which
    /// reads `tfvars` instead.
    fn module(
        &mut self,
        dir: Option<&Path>,
        files: &[File],
        tfvars: &[(String, String)],
        prefix: &str,
        inputs: Option<hcl::Map<String, Option<hcl::Value>>>,
    ) -> ModuleOut {
        let mut out = ModuleOut::default();
        let empty = Scope::default().context();
        let blocks = || {
            files.iter().flat_map(|f| {
                f.nodes.iter().filter_map(move |n| match n {
                    Node::Block(b) => Some((f.rel.as_str(), b)),
                    Node::Attr(_) => None,
                })
            })
        };
        let mut scope = Scope::default();
        // Variables: defaults, then tfvars (root) or the caller's inputs.
        for (rel, b) in blocks().filter(|(_, b)| b.ident == "variable") {
            let Some(name) = b.labels.first() else {
                continue;
            };
            let mut v = json!({"path": rel, "line": b.line});
            for n in &b.body {
                if let Node::Attr(a) = n {
                    if a.key == "default" {
                        let e = eval(&a.expr, &empty);
                        v["default"] = to_json(&e, &Refs::new(prefix));
                        if let Some(k) = known(&e) {
                            scope.vars.insert(name.clone(), k);
                        }
                    }
                }
            }
            out.variables.insert(name.clone(), v);
        }
        match inputs {
            None => {
                for (rel, text) in tfvars {
                    let nodes = if rel.ends_with(".json") {
                        parse_tf_json_vars(rel, text)
                    } else {
                        parse_hcl(rel, text)
                    };
                    match nodes {
                        Ok(nodes) => {
                            for n in nodes {
                                if let Node::Attr(a) = n {
                                    if let Some(k) = known(&eval(&a.expr, &empty)) {
                                        scope.vars.insert(a.key, k);
                                    }
                                }
                            }
                        }
                        Err(d) => self.out.diagnostics.push(d),
                    }
                }
            }
            Some(inputs) => {
                for (name, value) in inputs {
                    match value {
                        Some(v) => scope.vars.insert(name, v),
                        None => scope.vars.shift_remove(&name),
                    };
                }
            }
        }
        for (name, v) in out.variables.iter_mut() {
            if let Some(k) = scope.vars.get(name) {
                v["value"] = serde_json::to_value(k).unwrap_or(Value::Null);
            }
        }
        // Locals, which may refer to each other: evaluated until nothing
        // more becomes known.
        let locals: Vec<&Attr> = blocks()
            .filter(|(_, b)| b.ident == "locals")
            .flat_map(|(_, b)| {
                b.body.iter().filter_map(|n| match n {
                    Node::Attr(a) => Some(a),
                    Node::Block(_) => None,
                })
            })
            .collect();
        loop {
            let ctx = scope.context();
            let mut progress = false;
            for a in &locals {
                if scope.locals.contains_key(&a.key) {
                    continue;
                }
                if let Some(k) = known(&eval(&a.expr, &ctx)) {
                    scope.locals.insert(a.key.clone(), k);
                    progress = true;
                }
            }
            if !progress {
                break;
            }
        }
        let ctx = scope.context();
        for a in &locals {
            out.locals.insert(
                a.key.clone(),
                to_json(&eval(&a.expr, &ctx), &Refs::new(prefix)),
            );
        }
        let module = prefix.strip_suffix('.').map(str::to_string);
        for (rel, b) in blocks() {
            match (b.ident.as_str(), b.labels.as_slice()) {
                ("resource", [ty, name]) | ("data", [ty, name]) => {
                    if !instantiated(b, &ctx) {
                        continue;
                    }
                    let data = b.ident == "data";
                    let id = if data {
                        format!("{prefix}data.{ty}.{name}")
                    } else {
                        format!("{prefix}{ty}.{name}")
                    };
                    let r = json!({
                        "id": id,
                        "type": ty,
                        "name": name,
                        "mode": if data { "data" } else { "managed" },
                        "path": rel,
                        "line": b.line,
                        "end_line": b.end_line,
                        "module": module,
                        "attributes": body_json(&b.body, b.line, &ctx, &Refs::new(prefix)),
                    });
                    if data {
                        self.data.push(r);
                    } else {
                        self.resources.push(r);
                    }
                }
                ("provider", [name]) => out.providers.push(json!({
                    "name": name,
                    "path": rel,
                    "line": b.line,
                    "attributes": body_json(&b.body, b.line, &ctx, &Refs::new(prefix)),
                })),
                ("module", [name]) => self.call(dir, rel, b, name, prefix, &ctx),
                _ => {}
            }
        }
        out
    }

    /// Follows a call of a module in the same repository.
    fn call(
        &mut self,
        dir: Option<&Path>,
        rel: &str,
        b: &Block,
        name: &str,
        prefix: &str,
        ctx: &Context<'_>,
    ) {
        let attr = |key: &str| {
            b.body.iter().find_map(|n| match n {
                Node::Attr(a) if a.key == key => Some(a),
                _ => None,
            })
        };
        let Some(source) = attr("source").and_then(|a| known(&eval(&a.expr, ctx))) else {
            return;
        };
        let Some(source) = source.as_str() else {
            return;
        };
        if !(source.starts_with("./") || source.starts_with("../")) {
            tracing::debug!(source, "module not in the repository: not followed");
            return;
        }
        let Some(dir) = dir else {
            return;
        };
        let Ok(child) = fs_err::canonicalize(dir.join(source)) else {
            self.out.diagnostics.push(Diagnostic::warning(
                rel,
                Some(b.line),
                format!("module {name}: source {source} not found"),
            ));
            return;
        };
        if self.stack.contains(&child) || self.stack.len() >= MAX_MODULE_DEPTH {
            self.out.diagnostics.push(Diagnostic::warning(
                rel,
                Some(b.line),
                format!("module {name}: {source} calls itself (or nests too deep); not followed"),
            ));
            return;
        }
        let mut inputs = hcl::Map::new();
        for n in &b.body {
            if let Node::Attr(a) = n {
                if !MODULE_META.contains(&a.key.as_str()) {
                    inputs.insert(a.key.clone(), known(&eval(&a.expr, ctx)));
                }
            }
        }
        self.out.called.push(child.clone());
        self.stack.push(child.clone());
        let (files, _) = self.read_dir(&child);
        let child_prefix = format!("{prefix}module.{name}.");
        self.module(Some(&child), &files, &[], &child_prefix, Some(inputs));
        self.stack.pop();
    }

    fn finish(mut self, path: &str, root: ModuleOut) -> Loaded {
        self.out.doc = json!({
            "format": "terraform",
            "path": path,
            "resources": self.resources,
            "data": self.data,
            "variables": root.variables,
            "locals": root.locals,
            "providers": root.providers,
        });
        self.out
    }
}

/// `tfvars` in JSON: one object of values.
fn parse_tf_json_vars(rel: &str, text: &str) -> Result<Vec<Node>, Diagnostic> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        Diagnostic::warning(
            rel,
            u32::try_from(e.line()).ok(),
            format!("invalid JSON: {e}"),
        )
    })?;
    Ok(json_body(&v, text, &Lines::new(text), 0))
}

/// Whether a resource exists: not when `count` is 0 or `for_each` is
/// empty.
fn instantiated(b: &Block, ctx: &Context<'_>) -> bool {
    b.body.iter().all(|n| match n {
        Node::Attr(a) if a.key == "count" => {
            known(&eval(&a.expr, ctx)).is_none_or(|v| v.as_u64() != Some(0))
        }
        Node::Attr(a) if a.key == "for_each" => match known(&eval(&a.expr, ctx)) {
            Some(hcl::Value::Array(x)) => !x.is_empty(),
            Some(hcl::Value::Object(x)) => !x.is_empty(),
            _ => true,
        },
        _ => true,
    })
}

/// A block's body as a JSON object: attributes evaluated, nested blocks
/// as arrays of objects, `__line__` and `__lines__` as for YAML mappings.
/// A `dynamic "x"` block's content is an element of `x` marked
/// `__dynamic__`.
fn body_json(nodes: &[Node], line: u32, ctx: &Context<'_>, refs: &Refs<'_>) -> Value {
    let mut obj = Map::new();
    let mut lines = Map::new();
    for n in nodes {
        match n {
            Node::Attr(a) => {
                obj.insert(a.key.clone(), to_json(&eval(&a.expr, ctx), refs));
                lines.insert(a.key.clone(), json!(a.line));
            }
            Node::Block(b) => {
                let (key, mut value) = if b.ident == "dynamic" {
                    let Some(name) = b.labels.first() else {
                        continue;
                    };
                    let content = b.body.iter().find_map(|n| match n {
                        Node::Block(c) if c.ident == "content" => Some(c),
                        _ => None,
                    });
                    // `ingress.value...` (or the `iterator`'s name) inside is
                    // not a resource.
                    let iterator = b
                        .body
                        .iter()
                        .find_map(|n| match n {
                            Node::Attr(a) if a.key == "iterator" => match &a.expr {
                                Expression::Variable(v) => Some(v.as_str().to_string()),
                                e => known(e).and_then(|v| v.as_str().map(str::to_string)),
                            },
                            _ => None,
                        })
                        .unwrap_or_else(|| name.clone());
                    let mut inner = refs.clone();
                    inner.iterators.push(iterator);
                    let mut v = content.map_or_else(
                        || json!({"__line__": b.line}),
                        |c| body_json(&c.body, c.line, ctx, &inner),
                    );
                    v["__dynamic__"] = Value::Bool(true);
                    (name.clone(), v)
                } else {
                    (b.ident.clone(), body_json(&b.body, b.line, ctx, refs))
                };
                if !b.labels.is_empty() && b.ident != "dynamic" {
                    value["__labels__"] = json!(b.labels);
                }
                lines.entry(key.clone()).or_insert(json!(b.line));
                match obj.entry(key).or_insert_with(|| Value::Array(Vec::new())) {
                    Value::Array(a) => a.push(value),
                    other => *other = Value::Array(vec![value]),
                }
            }
        }
    }
    obj.insert("__line__".to_string(), json!(line));
    obj.insert("__lines__".to_string(), Value::Object(lines));
    Value::Object(obj)
}

/// Reads the module of a directory (its `.tf`/`.tf.json` files, the
/// `tfvars` files beside them, and the local modules it calls). `root`:
/// what paths are relative to.
pub fn load_module(root: &Path, dir: &Path) -> Loaded {
    let mut loader = Loader::new(root);
    if let Ok(c) = fs_err::canonicalize(dir) {
        loader.stack.push(c);
    }
    let (files, tfvars) = loader.read_dir(dir);
    let out = loader.module(Some(dir), &files, &tfvars, "", None);
    let rel = crate::rel_path(root, dir);
    let rel = if rel.is_empty() { ".".to_string() } else { rel };
    loader.finish(&rel, out)
}

/// The input document of one Terraform file's text (a module of one
/// file, without the modules it calls, or a plan), as rule fixtures use.
pub fn text_input(rel: &str, text: &str) -> Result<Value, Diagnostic> {
    if text.trim_start().starts_with('{') {
        let v: Value = serde_json::from_str(text).map_err(|e| {
            Diagnostic::warning(
                rel,
                u32::try_from(e.line()).ok(),
                format!("invalid JSON, not checked for misconfigurations: {e}"),
            )
        })?;
        if is_plan(&v) {
            return Ok(plan_input(rel, text, &v));
        }
        let nodes = parse_tf_json(rel, text)?;
        return Ok(single(rel, nodes));
    }
    Ok(single(rel, parse_hcl(rel, text)?))
}

fn single(rel: &str, nodes: Vec<Node>) -> Value {
    let mut loader = Loader::new(Path::new(""));
    let files = [File {
        rel: rel.to_string(),
        nodes,
    }];
    let out = loader.module(None, &files, &[], "", None);
    loader.finish(rel, out).doc
}

/// The line where the object of the resource `address` starts in a
/// plan's text, if found.
fn plan_line(text: &str, lines: &Lines, address: &str) -> Option<u32> {
    let lit = serde_json::to_string(address).ok()?;
    let mut from = 0;
    while let Some(key) = find_key(text, "address", from) {
        let after = key + "\"address\"".len();
        let rest = text
            .get(after..)?
            .trim_start()
            .strip_prefix(':')?
            .trim_start();
        if rest.starts_with(&lit) {
            let open = text.get(..key)?.rfind('{')?;
            return Some(lines.at(open));
        }
        from = after;
    }
    None
}

/// References of a plan's configuration: resource address (without
/// instance keys) → attribute → the first address it refers to.
fn config_refs(module: &Value, prefix: &str, out: &mut HashMap<String, Map<String, Value>>) {
    for r in module["resources"].as_array().into_iter().flatten() {
        let Some(addr) = r["address"].as_str() else {
            continue;
        };
        let mut refs = Map::new();
        for (k, e) in r["expressions"].as_object().into_iter().flatten() {
            if let Some(first) = e["references"].as_array().and_then(|a| a.first()) {
                if let Some(s) = first.as_str() {
                    refs.insert(k.clone(), Value::String(format!("{prefix}{s}")));
                }
            }
        }
        out.insert(format!("{prefix}{addr}"), refs);
    }
    for (name, call) in module["module_calls"].as_object().into_iter().flatten() {
        config_refs(&call["module"], &format!("{prefix}module.{name}."), out);
    }
}

/// An address without instance keys (`aws_s3_bucket.b[0]` →
/// `aws_s3_bucket.b`).
fn strip_keys(address: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in address.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// A resource of a plan: (address, mode, type, name, module, values).
type PlanItem = (String, String, String, String, Option<String>, Value);

/// The input document of a Terraform plan.
pub fn plan_input(rel: &str, text: &str, plan: &Value) -> Value {
    let lines = Lines::new(text);
    let mut refs = HashMap::new();
    config_refs(&plan["configuration"]["root_module"], "", &mut refs);
    let mut items: Vec<PlanItem> = Vec::new();
    fn walk(m: &Value, items: &mut Vec<PlanItem>) {
        let module = m["address"].as_str().map(str::to_string);
        for r in m["resources"].as_array().into_iter().flatten() {
            items.push((
                r["address"].as_str().unwrap_or_default().to_string(),
                r["mode"].as_str().unwrap_or("managed").to_string(),
                r["type"].as_str().unwrap_or_default().to_string(),
                r["name"].as_str().unwrap_or_default().to_string(),
                module.clone(),
                r["values"].clone(),
            ));
        }
        for c in m["child_modules"].as_array().into_iter().flatten() {
            walk(c, items);
        }
    }
    if plan["planned_values"].is_object() {
        walk(&plan["planned_values"]["root_module"], &mut items);
    } else {
        for r in plan["resource_changes"].as_array().into_iter().flatten() {
            if r["change"]["actions"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == "delete") && a.len() == 1)
            {
                continue;
            }
            items.push((
                r["address"].as_str().unwrap_or_default().to_string(),
                r["mode"].as_str().unwrap_or("managed").to_string(),
                r["type"].as_str().unwrap_or_default().to_string(),
                r["name"].as_str().unwrap_or_default().to_string(),
                r["module_address"].as_str().map(str::to_string),
                r["change"]["after"].clone(),
            ));
        }
    }
    let mut resources = Vec::new();
    let mut data = Vec::new();
    for (address, mode, ty, name, module, values) in items {
        let line = plan_line(text, &lines, &address).unwrap_or(1);
        let mut attributes = match values {
            Value::Object(o) => o,
            _ => Map::new(),
        };
        if let Some(r) = refs.get(&strip_keys(&address)) {
            for (k, v) in r {
                if attributes.get(k).is_none_or(Value::is_null) {
                    attributes.insert(k.clone(), v.clone());
                }
            }
        }
        attributes.insert("__line__".to_string(), json!(line));
        attributes.insert("__lines__".to_string(), json!({}));
        let r = json!({
            "id": address,
            "type": ty,
            "name": name,
            "mode": mode,
            "path": rel,
            "line": line,
            "end_line": null,
            "module": module,
            "attributes": attributes,
        });
        if mode == "data" {
            data.push(r);
        } else {
            resources.push(r);
        }
    }
    let variables: Map<String, Value> = plan["variables"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), json!({"value": v["value"].clone()})))
        .collect();
    json!({
        "format": "terraform",
        "path": rel,
        "resources": resources,
        "data": data,
        "variables": variables,
        "locals": {},
        "providers": [],
    })
}

#[cfg(test)]
mod tests;
