//! YAML with line numbers: every document of a stream as JSON, each
//! mapping carrying the line it starts on (`__line__`) and the line of
//! each of its keys (`__lines__`), so that rules can point at the
//! offending attribute.
//!
//! Tags are ignored, except by [`parse_cloudformation`], which turns
//! CloudFormation's short-form intrinsic functions (`!Ref X`,
//! `!GetAtt A.B`, `!Sub ...`) into their long form (`{"Ref": "X"}`,
//! `{"Fn::GetAtt": ["A", "B"]}`, `{"Fn::Sub": ...}`), lines kept.
//!
//! Aliases are expanded, within a budget: a stream whose aliases would
//! expand to more than [`MAX_ALIAS_NODES`] nodes (a "billion laughs"
//! bomb) is refused, as is nesting deeper than [`MAX_DEPTH`].

use std::collections::HashMap;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// The most nodes that alias expansion may add to one file.
pub const MAX_ALIAS_NODES: usize = 100_000;
/// The deepest nesting of collections accepted.
pub const MAX_DEPTH: usize = 256;

/// The key holding the line a mapping starts on.
pub const LINE_KEY: &str = "__line__";
/// The key holding, for each key of a mapping, the line it is on.
pub const LINES_KEY: &str = "__lines__";

/// One document of a YAML stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Its content, with line annotations in every mapping.
    pub value: Value,
    /// The first line of its content (1-based).
    pub line: u32,
    /// The last line of its content.
    pub end_line: u32,
}

/// Why a YAML stream was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct YamlError {
    /// The line (1-based) the problem was found on.
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// CloudFormation's short-form tags (`!Ref`, `!Condition`) and the
/// `Fn::` functions whose short form is `!Name`.
const INTRINSICS: &[&str] = &[
    "Ref",
    "Condition",
    "And",
    "Base64",
    "Cidr",
    "Equals",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "If",
    "ImportValue",
    "Join",
    "Length",
    "Not",
    "Or",
    "Select",
    "Split",
    "Sub",
    "ToJsonString",
    "Transform",
];

/// The long-form key of a CloudFormation short-form tag (`!Ref` → `Ref`,
/// `!Sub` → `Fn::Sub`), if the tag is one.
fn intrinsic_key(tag: Option<&Tag>) -> Option<String> {
    let tag = tag?;
    if tag.handle != "!" {
        return None;
    }
    let name = INTRINSICS.iter().find(|n| **n == tag.suffix)?;
    Some(match *name {
        "Ref" | "Condition" => (*name).to_string(),
        n => format!("Fn::{n}"),
    })
}

/// `{key: value}`, annotated like every mapping.
fn wrap(key: String, value: Value, line: u32) -> Value {
    let mut lines = Map::new();
    lines.insert(key.clone(), Value::Number(line.into()));
    let mut map = Map::new();
    map.insert(key, value);
    map.insert(LINE_KEY.to_string(), Value::Number(line.into()));
    map.insert(LINES_KEY.to_string(), Value::Object(lines));
    Value::Object(map)
}

/// The long form of a tagged scalar: `!GetAtt A.B` is `["A", "B"]`, other
/// functions take the text as a string.
fn tagged_scalar(key: String, text: String, line: u32) -> Value {
    let arg = if key == "Fn::GetAtt" {
        match text.split_once('.') {
            Some((a, b)) => Value::Array(vec![a.into(), b.into()]),
            None => Value::String(text),
        }
    } else {
        Value::String(text)
    };
    wrap(key, arg, line)
}

/// A collection being built.
enum Open {
    Seq {
        anchor: usize,
        line: u32,
        tag: Option<String>,
        items: Vec<Value>,
        nodes: usize,
    },
    Map {
        anchor: usize,
        line: u32,
        tag: Option<String>,
        map: Map<String, Value>,
        lines: Map<String, Value>,
        key: Option<(String, u32)>,
        nodes: usize,
    },
}

#[derive(Default)]
struct Builder {
    /// Whether CloudFormation's short-form tags become long-form objects.
    intrinsics: bool,
    stack: Vec<Open>,
    anchors: HashMap<usize, (Value, usize)>,
    docs: Vec<Document>,
    doc_line: Option<u32>,
    last_line: u32,
    expanded: usize,
    error: Option<YamlError>,
}

fn line_of(mark: Marker) -> u32 {
    u32::try_from(mark.line()).unwrap_or(u32::MAX)
}

/// A plain scalar read by the YAML 1.2 core schema; quoted ones are
/// strings.
fn scalar(text: String, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(text);
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>() {
        return Value::Number(i.into());
    }
    if text.chars().any(|c| c.is_ascii_digit())
        && !text.contains(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
    {
        if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(text)
}

fn key_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}

impl Builder {
    /// The long-form key of a node's tag, when tags are read.
    fn tag_key(&self, tag: Option<&Tag>) -> Option<String> {
        if self.intrinsics {
            intrinsic_key(tag)
        } else {
            None
        }
    }

    fn fail(&mut self, line: u32, message: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(YamlError {
                line,
                message: message.into(),
            });
        }
    }

    /// Places a finished node in its parent, or ends the document.
    fn place(&mut self, value: Value, nodes: usize, line: u32, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, (value.clone(), nodes));
        }
        match self.stack.last_mut() {
            None => {
                let start = self.doc_line.unwrap_or(line);
                self.docs.push(Document {
                    value,
                    line: start,
                    end_line: self.last_line.max(start),
                });
            }
            Some(Open::Seq {
                items, nodes: n, ..
            }) => {
                items.push(value);
                *n += nodes;
            }
            Some(Open::Map {
                map,
                lines,
                key,
                nodes: n,
                ..
            }) => match key.take() {
                None => *key = Some((key_text(&value), line)),
                Some((k, kline)) => {
                    lines.insert(k.clone(), Value::Number(kline.into()));
                    map.insert(k, value);
                    *n += nodes;
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let line = line_of(mark);
        match ev {
            Event::DocumentStart => self.doc_line = None,
            Event::Scalar(text, style, anchor, tag) => {
                self.doc_line.get_or_insert(line);
                self.last_line = line + u32::try_from(text.matches('\n').count()).unwrap_or(0);
                let value = match self.tag_key(tag.as_ref()) {
                    Some(key) => tagged_scalar(key, text, line),
                    None => scalar(text, style),
                };
                self.place(value, 1, line, anchor);
            }
            Event::Alias(id) => {
                self.doc_line.get_or_insert(line);
                let Some((value, nodes)) = self.anchors.get(&id).cloned() else {
                    self.fail(line, "an alias to an unknown anchor");
                    return;
                };
                self.expanded = self.expanded.saturating_add(nodes);
                if self.expanded > MAX_ALIAS_NODES {
                    self.fail(
                        line,
                        format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} nodes (a YAML bomb?); refused"
                        ),
                    );
                    return;
                }
                self.place(value, nodes, line, 0);
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                self.doc_line.get_or_insert(line);
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(line, format!("nested deeper than {MAX_DEPTH} levels"));
                    return;
                }
                let tag = self.tag_key(tag.as_ref());
                self.stack.push(if matches!(ev, Event::SequenceStart(..)) {
                    Open::Seq {
                        anchor,
                        line,
                        tag,
                        items: Vec::new(),
                        nodes: 1,
                    }
                } else {
                    Open::Map {
                        anchor,
                        line,
                        tag,
                        map: Map::new(),
                        lines: Map::new(),
                        key: None,
                        nodes: 1,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.last_line = self.last_line.max(line);
                let (value, nodes, start, anchor, tag) = match self.stack.pop() {
                    Some(Open::Seq {
                        anchor,
                        line: start,
                        tag,
                        items,
                        nodes,
                    }) => (Value::Array(items), nodes, start, anchor, tag),
                    Some(Open::Map {
                        anchor,
                        line: start,
                        tag,
                        mut map,
                        lines,
                        nodes,
                        ..
                    }) => {
                        map.insert(LINE_KEY.to_string(), Value::Number(start.into()));
                        map.insert(LINES_KEY.to_string(), Value::Object(lines));
                        (Value::Object(map), nodes, start, anchor, tag)
                    }
                    None => return,
                };
                let value = match tag {
                    Some(key) => wrap(key, value, start),
                    None => value,
                };
                self.place(value, nodes, start, anchor);
            }
            Event::DocumentEnd | Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
    }
}

/// Parses every document of a YAML stream. Empty documents are left out;
/// tags are ignored.
pub fn parse(text: &str) -> Result<Vec<Document>, YamlError> {
    parse_with(text, false)
}

/// Parses a CloudFormation template's YAML: like [`parse`], with the
/// short-form intrinsic functions (`!Ref`, `!Sub`, `!GetAtt`, ...) turned
/// into their long-form objects, each annotated with its line.
pub fn parse_cloudformation(text: &str) -> Result<Vec<Document>, YamlError> {
    parse_with(text, true)
}

fn parse_with(text: &str, intrinsics: bool) -> Result<Vec<Document>, YamlError> {
    let mut builder = Builder {
        intrinsics,
        ..Builder::default()
    };
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut builder, true) {
        return Err(YamlError {
            line: line_of(*e.marker()),
            message: e.info().to_string(),
        });
    }
    if let Some(e) = builder.error {
        return Err(e);
    }
    builder.docs.retain(|d| !d.value.is_null());
    Ok(builder.docs)
}

/// The line of `key` in a mapping (from its `__lines__`), else the line
/// the mapping starts on, else 0.
pub fn key_line(map: &Value, key: &str) -> u32 {
    map.get(LINES_KEY)
        .and_then(|l| l.get(key))
        .or_else(|| map.get(LINE_KEY))
        .and_then(Value::as_u64)
        .and_then(|l| u32::try_from(l).ok())
        .unwrap_or(0)
}

/// The first line (1-based), at or after `from`, of `lines` that holds
/// `needle`.
pub fn find_line(lines: &[&str], from: u32, needle: &str) -> Option<u32> {
    let start = usize::try_from(from.max(1) - 1).ok()?;
    lines
        .iter()
        .enumerate()
        .skip(start)
        .find(|(_, l)| l.contains(needle))
        .and_then(|(i, _)| u32::try_from(i + 1).ok())
}

/// The last line a value mentions (the line of its deepest, last key).
pub fn last_line(v: &Value) -> u64 {
    match v {
        Value::Object(o) => {
            let own = o.get(LINE_KEY).and_then(Value::as_u64).unwrap_or(0);
            let keys = o
                .get(LINES_KEY)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(_, l)| l.as_u64())
                .max()
                .unwrap_or(0);
            o.iter()
                .filter(|(k, _)| k.as_str() != LINES_KEY)
                .map(|(_, v)| last_line(v))
                .fold(own.max(keys), u64::max)
        }
        Value::Array(a) => a.iter().map(last_line).max().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fixture(name: &str) -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/yaml/");
        std::fs::read_to_string(format!("{path}{name}")).unwrap()
    }

    #[test]
    fn lines_of_mappings_and_keys() {
        let docs = parse(&fixture("two-docs.yaml")).unwrap();
        assert_eq!(docs.len(), 2);
        let d = &docs[0].value;
        assert_eq!(docs[0].line, 2);
        assert_eq!(d["kind"], "Pod");
        assert_eq!(d[LINES_KEY]["kind"], 3);
        assert_eq!(d["metadata"][LINE_KEY], 5);
        assert_eq!(d["spec"]["replicas"], 3);
        assert_eq!(d["spec"]["enabled"], true);
        assert_eq!(d["spec"]["quoted"], "true");
        assert_eq!(docs[1].line, 11);
        assert_eq!(docs[1].value["kind"], "Service");
        assert!(docs[0].end_line >= 8 && docs[0].end_line < 11, "{docs:?}");
    }

    #[test]
    fn bomb_refused() {
        let e = parse(&fixture("bomb.yaml")).unwrap_err();
        assert!(e.message.contains("YAML bomb"), "{e}");
    }

    #[test]
    fn small_aliases_expand() {
        let docs = parse("a: &x {b: 1}\nc: *x\n").unwrap();
        assert_eq!(docs[0].value["c"]["b"], 1);
    }

    #[test]
    fn malformed_names_line() {
        let e = parse(&fixture("malformed.yaml")).unwrap_err();
        assert_eq!(e.line, 6, "{e}");
    }
}
