//! AWS CloudFormation templates (YAML or JSON, SAM included): each
//! resource with its properties, intrinsic functions resolved where the
//! template alone decides them.
//!
//! Resolved: `Ref` to a parameter with a `Default` (the default),
//! `Fn::Sub` and `Fn::Join` whose parts are all known (a string),
//! `Fn::FindInMap` over literal keys, `Fn::If` on a condition the defaults
//! decide (its branch; `AWS::NoValue` removes the property). Everything
//! else, pseudo-parameters included, stays the intrinsic object: an
//! unknown, on which rules do not fire. `Ref`s to resources stay, so
//! rules can join resources.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Map, Value};
use vigil_model::Diagnostic;

use crate::yaml::{LINES_KEY, LINE_KEY};
use crate::{json as json_text, yaml};

/// The SAM transform.
const SAM: &str = "AWS::Serverless-2016-10-31";

/// How deep conditions may refer to each other, and intrinsic functions
/// nest, before they are left unresolved.
const MAX_DEPTH: usize = 64;

/// Whether a document is a CloudFormation template: it has
/// `AWSTemplateFormatVersion`, or `Resources` of `AWS::`/`Custom::` types,
/// or the SAM transform and `Resources`.
pub fn is_template(v: &Value) -> bool {
    let Some(o) = v.as_object() else {
        return false;
    };
    if o.contains_key("AWSTemplateFormatVersion") {
        return true;
    }
    let Some(resources) = o.get("Resources").and_then(Value::as_object) else {
        return false;
    };
    let sam = match o.get("Transform") {
        Some(Value::String(s)) => s == SAM,
        Some(Value::Array(a)) => a.iter().any(|t| t == SAM),
        _ => false,
    };
    sam || resources.values().any(|r| {
        r.get("Type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.starts_with("AWS::") || t.starts_with("Custom::"))
    })
}

/// Whether a text that does not parse looks like a template (so that its
/// error is worth a warning), and a cheap filter before parsing JSON.
pub fn looks_like_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || (text.contains("Resources") && (text.contains("AWS::") || text.contains("Custom::")))
}

/// Whether a text is JSON rather than YAML (its first character opens an
/// object).
fn is_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
}

/// The template of a text (JSON or YAML with short-form tags): the first
/// YAML document that is a template, else the first document.
pub fn parse(rel: &str, text: &str) -> Result<Value, Diagnostic> {
    if is_json(text) {
        return json_text::parse(text).map_err(|e| {
            Diagnostic::warning(
                rel,
                Some(e.line),
                format!(
                    "invalid JSON, not checked for misconfigurations: {}",
                    e.message
                ),
            )
        });
    }
    let docs = yaml::parse_cloudformation(text).map_err(|e| {
        Diagnostic::warning(
            rel,
            Some(e.line),
            format!(
                "invalid YAML, not checked for misconfigurations: {}",
                e.message
            ),
        )
    })?;
    let first = docs.first().map(|d| d.value.clone());
    Ok(docs
        .into_iter()
        .map(|d| d.value)
        .find(is_template)
        .or(first)
        .unwrap_or(Value::Null))
}

/// Detects a template in a `.json` or `.template` file and builds its
/// input document: `Ok(None)` when it is not one; a diagnostic when it
/// looks like one and does not parse.
pub fn detect_file(rel: &str, text: &str) -> Result<Option<Value>, Diagnostic> {
    if !looks_like_template(text) {
        return Ok(None);
    }
    let template = parse(rel, text)?;
    Ok(is_template(&template).then(|| input(&template)))
}

/// The keys of an object other than the line annotations.
fn keys(o: &Map<String, Value>) -> impl Iterator<Item = (&String, &Value)> {
    o.iter().filter(|(k, _)| *k != LINE_KEY && *k != LINES_KEY)
}

/// The intrinsic function of an object (`Ref`, `Fn::Sub`, `Condition`)
/// and its argument, if it is one.
fn intrinsic(v: &Value) -> Option<(&str, &Value)> {
    let o = v.as_object()?;
    let mut it = keys(o);
    let (k, arg) = it.next()?;
    if it.next().is_some() {
        return None;
    }
    (k == "Ref" || k == "Condition" || k.starts_with("Fn::")).then_some((k.as_str(), arg))
}

/// Whether a value is `{"Ref": "AWS::NoValue"}`.
fn is_no_value(v: &Value) -> bool {
    matches!(intrinsic(v), Some(("Ref", Value::String(s))) if s == "AWS::NoValue")
}

/// A scalar as text (for `Fn::Sub`, `Fn::Join`, `Fn::Equals`).
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// What the template alone decides.
struct Resolver<'a> {
    /// Parameters with a usable `Default`: name → value.
    params: HashMap<String, Value>,
    /// Conditions: name → value, `None` when not static.
    conditions: HashMap<String, Option<bool>>,
    mappings: Option<&'a Value>,
}

impl<'a> Resolver<'a> {
    fn new(template: &'a Value) -> Resolver<'a> {
        let mut params = HashMap::new();
        for (name, p) in template
            .get("Parameters")
            .and_then(Value::as_object)
            .map(keys)
            .into_iter()
            .flatten()
        {
            let Some(default) = p.get("Default") else {
                continue;
            };
            let ty = p.get("Type").and_then(Value::as_str).unwrap_or("String");
            // An SSM parameter type's default names the parameter, not
            // its value.
            if ty.starts_with("AWS::SSM::") {
                continue;
            }
            let value = match default {
                Value::String(s) if ty == "CommaDelimitedList" || ty.starts_with("List<") => {
                    Value::Array(s.split(',').map(|x| Value::from(x.trim())).collect())
                }
                other => other.clone(),
            };
            params.insert(name.clone(), value);
        }
        let mut r = Resolver {
            params,
            conditions: HashMap::new(),
            mappings: template.get("Mappings"),
        };
        if let Some(conds) = template.get("Conditions").and_then(Value::as_object) {
            let names: Vec<String> = keys(conds).map(|(k, _)| k.clone()).collect();
            for name in names {
                let mut visiting = HashSet::new();
                let value = r.condition(conds, &name, &mut visiting);
                r.conditions.insert(name, value);
            }
        }
        r
    }

    /// The value of a named condition, evaluated once.
    fn condition(
        &mut self,
        conds: &Map<String, Value>,
        name: &str,
        visiting: &mut HashSet<String>,
    ) -> Option<bool> {
        if let Some(v) = self.conditions.get(name) {
            return *v;
        }
        if visiting.len() > MAX_DEPTH || !visiting.insert(name.to_string()) {
            return None;
        }
        let value = conds
            .get(name)
            .and_then(|c| self.eval(conds, c, visiting, 0));
        self.conditions.insert(name.to_string(), value);
        value
    }

    /// The value of a condition function.
    fn eval(
        &mut self,
        conds: &Map<String, Value>,
        v: &Value,
        visiting: &mut HashSet<String>,
        depth: usize,
    ) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (f, arg) = intrinsic(v)?;
        let args = || arg.as_array().into_iter().flatten();
        match f {
            "Condition" => self.condition(conds, arg.as_str()?, visiting),
            "Fn::Equals" => {
                let a: Vec<&Value> = args().collect();
                let [x, y] = a.as_slice() else {
                    return None;
                };
                let x = text_of(&self.resolve(x, depth + 1))?;
                let y = text_of(&self.resolve(y, depth + 1))?;
                Some(x == y)
            }
            "Fn::Not" => Some(!self.eval(conds, args().next()?, visiting, depth + 1)?),
            "Fn::And" | "Fn::Or" => {
                let want = f == "Fn::Or";
                let mut unknown = false;
                for c in args() {
                    match self.eval(conds, c, visiting, depth + 1) {
                        Some(b) if b == want => return Some(want),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                (!unknown).then_some(!want)
            }
            _ => None,
        }
    }

    /// A value with what is static resolved (see the module's doc).
    fn resolve(&self, v: &Value, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return v.clone();
        }
        if let Some((f, arg)) = intrinsic(v) {
            if let Some(r) = self.function(f, arg, depth) {
                return r;
            }
        }
        match v {
            Value::Object(o) => {
                let mut out = Map::new();
                let mut removed = Vec::new();
                for (k, x) in o {
                    if k == LINE_KEY || k == LINES_KEY {
                        out.insert(k.clone(), x.clone());
                        continue;
                    }
                    let x = self.resolve(x, depth + 1);
                    if is_no_value(&x) {
                        removed.push(k.clone());
                    } else {
                        out.insert(k.clone(), x);
                    }
                }
                if let Some(Value::Object(lines)) = out.get_mut(LINES_KEY) {
                    for k in &removed {
                        lines.remove(k);
                    }
                }
                Value::Object(out)
            }
            Value::Array(a) => Value::Array(
                a.iter()
                    .map(|x| self.resolve(x, depth + 1))
                    .filter(|x| !is_no_value(x))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// The static value of an intrinsic function, if it has one.
    fn function(&self, f: &str, arg: &Value, depth: usize) -> Option<Value> {
        match f {
            "Ref" => self.params.get(arg.as_str()?).cloned(),
            "Fn::If" => {
                let a = arg.as_array()?;
                let [c, yes, no] = a.as_slice() else {
                    return None;
                };
                let branch = if (*self.conditions.get(c.as_str()?)?)? {
                    yes
                } else {
                    no
                };
                Some(self.resolve(branch, depth + 1))
            }
            "Fn::Sub" => {
                let (template, vars) = match arg {
                    Value::String(s) => (s.as_str(), None),
                    Value::Array(a) => (a.first()?.as_str()?, a.get(1)),
                    _ => return None,
                };
                self.sub(template, vars, depth).map(Value::String)
            }
            "Fn::Join" => {
                let a = arg.as_array()?;
                let [sep, list] = a.as_slice() else {
                    return None;
                };
                let sep = sep.as_str()?;
                let list = self.resolve(list, depth + 1);
                let parts: Option<Vec<String>> = list.as_array()?.iter().map(text_of).collect();
                Some(Value::String(parts?.join(sep)))
            }
            "Fn::FindInMap" => {
                let a = arg.as_array()?;
                let [m, top, second] = a.as_slice() else {
                    return None;
                };
                let key = |k: &Value| text_of(&self.resolve(k, depth + 1));
                let found = self
                    .mappings?
                    .get(key(m)?)?
                    .get(key(top)?)?
                    .get(key(second)?)?;
                Some(found.clone())
            }
            _ => None,
        }
    }

    /// `Fn::Sub`'s string when every `${Name}` in it is known.
    fn sub(&self, template: &str, vars: Option<&Value>, depth: usize) -> Option<String> {
        let mut out = String::new();
        let mut rest = template;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                out.push_str("${");
                rest = literal;
                continue;
            }
            let end = after.find('}')?;
            let name = after[..end].trim();
            let value = match vars.and_then(|v| v.get(name)) {
                Some(v) => self.resolve(v, depth + 1),
                None => self.params.get(name)?.clone(),
            };
            out.push_str(&text_of(&value)?);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}

/// The last line a value mentions.
fn last_line(v: &Value) -> u64 {
    match v {
        Value::Object(o) => o
            .iter()
            .map(|(k, x)| match k.as_str() {
                LINE_KEY => x.as_u64().unwrap_or(0),
                LINES_KEY => x
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(_, l)| l.as_u64())
                    .max()
                    .unwrap_or(0),
                _ => last_line(x),
            })
            .max()
            .unwrap_or(0),
        Value::Array(a) => a.iter().map(last_line).max().unwrap_or(0),
        _ => 0,
    }
}

/// The input document of a template (see docs/iac.md).
pub fn input(template: &Value) -> Value {
    let resolver = Resolver::new(template);
    let section = template.get("Resources");
    let lines = section.and_then(|s| s.get(LINES_KEY));
    let mut resources = Vec::new();
    for (id, r) in section
        .and_then(Value::as_object)
        .map(keys)
        .into_iter()
        .flatten()
    {
        let Some(ty) = r.get("Type").and_then(Value::as_str) else {
            continue;
        };
        let line = lines
            .and_then(|l| l.get(id))
            .or_else(|| r.get(LINE_KEY))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let properties = match r.get("Properties") {
            Some(p) => resolver.resolve(p, 0),
            None => json!({}),
        };
        let properties = if properties.is_object() {
            properties
        } else {
            json!({})
        };
        resources.push(json!({
            "id": id,
            "type": ty,
            "line": line,
            "end_line": last_line(r).max(line),
            "condition": r.get("Condition").and_then(Value::as_str),
            "properties": properties,
            "document": r,
        }));
    }
    let mut conditions: Vec<(&String, &Option<bool>)> = resolver.conditions.iter().collect();
    conditions.sort();
    let conditions: Map<String, Value> = conditions
        .into_iter()
        .map(|(k, v)| (k.clone(), v.map_or(Value::Null, Value::Bool)))
        .collect();
    json!({
        "format": "cloudformation",
        "parameters": template.get("Parameters").cloned().unwrap_or_else(|| json!({})),
        "conditions": conditions,
        "resources": resources,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fixture(name: &str) -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cloudformation/");
        std::fs::read_to_string(format!("{path}{name}")).unwrap()
    }

    fn load(name: &str) -> Value {
        input(&parse(name, &fixture(name)).unwrap())
    }

    fn resource<'a>(doc: &'a Value, id: &str) -> &'a Value {
        doc["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no {id}"))
    }

    #[test]
    fn short_form_tags_become_long_form_with_lines() {
        let t = parse("tags.yaml", &fixture("tags.yaml")).unwrap();
        let o = &t["Outputs"];
        let cases = [
            ("Ref", json!({"Ref": "Bucket"})),
            ("Sub", json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::x"})),
            (
                "GetAttDot",
                json!({"Fn::GetAtt": ["Db", "Endpoint.Address"]}),
            ),
            ("GetAttList", json!({"Fn::GetAtt": ["Db", "Arn"]})),
            ("Join", json!({"Fn::Join": ["-", ["a", {"Ref": "Env"}]]})),
            ("Select", json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]})),
            ("Split", json!({"Fn::Split": [",", "a,b"]})),
            ("Base64", json!({"Fn::Base64": "echo hi"})),
            ("Cidr", json!({"Fn::Cidr": ["10.0.0.0/16", 4, 8]})),
            ("ImportValue", json!({"Fn::ImportValue": "shared-vpc"})),
            ("FindInMap", json!({"Fn::FindInMap": ["M", "a", "b"]})),
            (
                "If",
                json!({"Fn::If": ["Prod", "x", {"Ref": "AWS::NoValue"}]}),
            ),
            ("SubList", json!({"Fn::Sub": ["${A}", {"A": "x"}]})),
        ];
        for (key, want) in cases {
            assert_eq!(strip(&o[key]["Value"]), want, "{key}");
        }
        let c = &t["Conditions"];
        assert_eq!(
            strip(&c["Prod"]),
            json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]})
        );
        assert_eq!(
            strip(&c["NotProd"]),
            json!({"Fn::Not": [{"Condition": "Prod"}]})
        );
        assert_eq!(
            strip(&c["Both"]),
            json!({"Fn::And": [{"Condition": "Prod"}, {"Fn::Or": [{"Condition": "Prod"}, {"Condition": "NotProd"}]}]})
        );
        // Lines: a tagged scalar's line; a tagged block collection's
        // first line; the key's line in its mapping.
        assert_eq!(o["Ref"]["Value"][LINE_KEY], 21);
        assert_eq!(o["Ref"]["Value"][LINES_KEY]["Ref"], 21);
        assert_eq!(o["Join"]["Value"][LINE_KEY], 30);
        assert_eq!(o["Join"][LINES_KEY]["Value"], 29);
        assert_eq!(o["Cidr"]["Value"][LINE_KEY], 39);
    }

    /// A value without line annotations.
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(o) => {
                Value::Object(keys(o).map(|(k, x)| (k.clone(), strip(x))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(strip).collect()),
            other => other.clone(),
        }
    }

    #[test]
    fn tags_are_ignored_outside_templates() {
        let docs = yaml::parse("a: !Ref b\nc: !GetAtt x.y\n").unwrap();
        assert_eq!(docs[0].value["a"], "b");
        assert_eq!(docs[0].value["c"], "x.y");
    }

    #[test]
    fn refs_subs_ifs_resolved_where_static() {
        let doc = load("resolve.yaml");
        let b = &resource(&doc, "Logs")["properties"];
        assert_eq!(b["BucketName"], "acme-logs-prod");
        assert_eq!(b["VersioningConfiguration"]["Status"], "Enabled");
        // A pseudo-parameter stays unknown.
        assert_eq!(
            strip(&b["Tags"][0]["Value"]),
            json!({"Fn::Sub": "${AWS::Region}-logs"})
        );
        // AWS::NoValue removes the property and its line.
        assert!(b.get("ObjectLockEnabled").is_none());
        assert!(b[LINES_KEY].get("ObjectLockEnabled").is_none());
        // A condition on a parameter without default is unknown.
        assert_eq!(
            strip(&b["AccelerateConfiguration"]["AccelerationStatus"])["Fn::If"][0],
            "Fast"
        );
        let p = &resource(&doc, "LogsPolicy")["properties"];
        assert_eq!(strip(&p["Bucket"]), json!({"Ref": "Logs"}));
        assert_eq!(
            p["PolicyDocument"]["Statement"][0]["Resource"],
            "arn:aws:s3:::acme-logs-prod/*"
        );
        assert_eq!(doc["conditions"]["IsProd"], true);
        assert_eq!(doc["conditions"]["NotProd"], false);
        assert_eq!(doc["conditions"]["Fast"], Value::Null);
        let q = &resource(&doc, "Queue")["properties"];
        assert_eq!(q["KmsMasterKeyId"], "alias/prod");
        assert_eq!(q["DelaySeconds"], 5);
        let l = resource(&doc, "Logs");
        assert_eq!(l["line"], 24);
        assert_eq!(l["type"], "AWS::S3::Bucket");
        assert!(l["end_line"].as_u64().unwrap() >= 38, "{l}");
        assert_eq!(b[LINES_KEY]["BucketName"], 27);
    }

    #[test]
    fn json_template_has_lines() {
        let text = fixture("template.json");
        let doc = detect_file("t.json", &text).unwrap().unwrap();
        let r = resource(&doc, "Data");
        assert_eq!(r["line"], 10);
        assert_eq!(r["type"], "AWS::S3::Bucket");
        assert_eq!(r["properties"]["BucketName"], "data-dev");
        assert_eq!(r["properties"][LINES_KEY]["AccessControl"], 14);
        assert_eq!(r["end_line"], 14);
    }

    #[test]
    fn detection() {
        let t = |s: &str| is_template(&parse("x.yaml", s).unwrap());
        assert!(t("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n"));
        assert!(t("Resources:\n  B:\n    Type: AWS::S3::Bucket\n"));
        assert!(t("Resources:\n  C:\n    Type: Custom::Thing\n"));
        assert!(t(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: Other\n"
        ));
        assert!(!t("apiVersion: v1\nkind: Pod\n"));
        assert!(!t("Resources:\n  cpu: 1\n"));
        assert!(!t("name: build\non: push\n"));
        assert_eq!(
            detect_file("package.json", "{\"name\": \"x\"}").unwrap(),
            None
        );
    }

    #[test]
    fn invalid_template_is_a_diagnostic() {
        let d = detect_file("bad.json", &fixture("invalid.json")).unwrap_err();
        assert_eq!(d.path.as_deref(), Some("bad.json"));
        assert_eq!(d.line, Some(5));
        assert!(d.message.contains("invalid JSON"), "{d}");
        let d = parse("bad.yaml", &fixture("invalid.yaml")).unwrap_err();
        assert_eq!(d.line, Some(7));
        assert!(d.message.contains("invalid YAML"), "{d}");
    }
}
