//! Line numbers of values in a JSON text.
//!
//! serde_json gives values without positions; lockfile readers want the line
//! of each package entry. [`value_lines`] scans the text once and records,
//! for each value whose path a filter accepts, the line where it is declared:
//! the line of its key inside an object, the line where it starts inside an
//! array. Paths follow the structure, not the text, so a name that also
//! appears as a value or in another object is not mistaken for the entry.

use std::collections::HashMap;

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Seg {
    /// A key of an object.
    Key(String),
    /// An index into an array.
    Index(usize),
}

enum Frame {
    Object {
        key: Option<String>,
        key_line: u32,
        expect_key: bool,
        started: bool,
    },
    Array {
        index: usize,
        started: bool,
    },
}

/// The lines of the values whose path `want` accepts (the document root,
/// with an empty path, is never recorded). Scans malformed text without
/// panicking; what it records then is best effort.
pub(crate) fn value_lines(text: &str, want: impl Fn(&[Seg]) -> bool) -> HashMap<Vec<Seg>, u32> {
    let mut found = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut line: u32 = 1;
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' => line = line.saturating_add(1),
            b' ' | b'\t' | b'\r' => {}
            b',' => match stack.last_mut() {
                Some(Frame::Object {
                    key,
                    expect_key,
                    started,
                    ..
                }) => {
                    *key = None;
                    *expect_key = true;
                    *started = false;
                }
                Some(Frame::Array { index, started }) => {
                    *index = index.saturating_add(1);
                    *started = false;
                }
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = false;
                }
            }
            b'}' | b']' => {
                stack.pop();
            }
            _ => {
                if let Some(Frame::Object {
                    key,
                    key_line,
                    expect_key: true,
                    ..
                }) = stack.last_mut()
                {
                    if b == b'"' {
                        let end = string_end(bytes, i + 1);
                        *key = Some(decode(text, i, end));
                        *key_line = line;
                        i = end;
                        continue;
                    }
                    i += 1;
                    continue;
                }
                // A value starts here (or goes on, for a scalar's later
                // bytes).
                let fresh = match stack.last_mut() {
                    Some(Frame::Object { started, .. }) | Some(Frame::Array { started, .. }) => {
                        !std::mem::replace(started, true)
                    }
                    None => false,
                };
                if fresh {
                    record(&stack, line, &want, &mut found);
                }
                match b {
                    b'{' => stack.push(Frame::Object {
                        key: None,
                        key_line: line,
                        expect_key: true,
                        started: false,
                    }),
                    b'[' => stack.push(Frame::Array {
                        index: 0,
                        started: false,
                    }),
                    b'"' => {
                        let end = string_end(bytes, i + 1);
                        line = line.saturating_add(count_newlines(bytes, i, end));
                        i = end;
                        continue;
                    }
                    _ => {}
                }
            }
        }
        i += 1;
    }
    found
}

fn record(
    stack: &[Frame],
    line: u32,
    want: &impl Fn(&[Seg]) -> bool,
    found: &mut HashMap<Vec<Seg>, u32>,
) {
    let mut segs = Vec::with_capacity(stack.len());
    for f in stack {
        match f {
            Frame::Object { key: Some(k), .. } => segs.push(Seg::Key(k.clone())),
            Frame::Object { key: None, .. } => return,
            Frame::Array { index, .. } => segs.push(Seg::Index(*index)),
        }
    }
    if want(&segs) {
        let at = match stack.last() {
            Some(Frame::Object { key_line, .. }) => *key_line,
            _ => line,
        };
        found.entry(segs).or_insert(at);
    }
}

/// The index just after the closing quote of a string whose content starts
/// at `start` (the end of the text when it is not closed).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut j = start;
    while let Some(&c) = bytes.get(j) {
        match c {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    bytes.len()
}

fn count_newlines(bytes: &[u8], from: usize, to: usize) -> u32 {
    let n = bytes
        .get(from..to.min(bytes.len()))
        .map_or(0, |s| s.iter().filter(|&&c| c == b'\n').count());
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The value of the JSON string `text[from..to]` (quotes included), with
/// its escapes decoded; the raw text when it does not decode.
fn decode(text: &str, from: usize, to: usize) -> String {
    let raw = text.get(from..to).unwrap_or("");
    serde_json::from_str::<String>(raw).unwrap_or_else(|_| {
        raw.trim_start_matches('"')
            .trim_end_matches('"')
            .to_string()
    })
}

/// serde_json's message without its trailing " at line L column C" (the
/// line is given apart).
pub(crate) fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text.get(..i).unwrap_or(&text).to_string(),
        None => text,
    }
}

/// The 1-based line serde_json located an error at, when it did.
pub(crate) fn json_line(e: &serde_json::Error) -> Option<u32> {
    u32::try_from(e.line()).ok().filter(|&l| l > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_keys_and_array_items() {
        let text = "{\n \"a\": [\n  {\"x\": 1},\n  \"s\",\n  {\n   \"y\": \"a,b:]\"\n  }\n ],\n \"b\\u0041\": {\"c\": [1, 2]}\n}";
        let lines = value_lines(text, |_| true);
        let at = |p: &[Seg]| lines.get(p).copied();
        let k = |s: &str| Seg::Key(s.to_string());
        assert_eq!(at(&[k("a")]), Some(2));
        assert_eq!(at(&[k("a"), Seg::Index(0)]), Some(3));
        assert_eq!(at(&[k("a"), Seg::Index(0), k("x")]), Some(3));
        assert_eq!(at(&[k("a"), Seg::Index(1)]), Some(4));
        assert_eq!(at(&[k("a"), Seg::Index(2)]), Some(5));
        assert_eq!(at(&[k("a"), Seg::Index(2), k("y")]), Some(6));
        assert_eq!(at(&[k("bA")]), Some(9));
        assert_eq!(at(&[k("bA"), k("c"), Seg::Index(1)]), Some(9));
        assert_eq!(at(&[k("bA"), k("c")]), Some(9));
        assert_eq!(lines.len(), 10);
    }

    #[test]
    fn odd_text_does_not_panic() {
        for odd in [
            "\"",
            "{\"a",
            "{\"a\\",
            "]]]}}}",
            "{\"a\":[{\"b\":",
            "[1,,2",
            "{,:}",
            "{\"a\" 1}",
        ] {
            let _ = value_lines(odd, |_| true);
        }
    }
}
