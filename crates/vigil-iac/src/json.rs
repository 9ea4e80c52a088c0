//! JSON with line numbers, like [`crate::yaml`]: every object carries the
//! line it starts on (`__line__`) and the line of each of its keys
//! (`__lines__`).
//!
//! `serde_json` checks the text first (its errors name the line); a
//! second pass over the now known-valid text then builds the value,
//! tracking lines, and lets `serde_json` decode each string and number.

use serde_json::{Map, Value};

use crate::yaml::{LINES_KEY, LINE_KEY};

/// Why a JSON text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct JsonError {
    /// The line (1-based) the problem was found on.
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// Parses a JSON text into a value whose objects carry `__line__` and
/// `__lines__`. A leading byte order mark is skipped.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // serde_json refuses what is not JSON and bounds the nesting (128
    // levels), which bounds the recursion below.
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        return Err(JsonError {
            line: u32::try_from(e.line()).unwrap_or(u32::MAX).max(1),
            message,
        });
    }
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    reader.value()
}

/// A cursor over valid JSON.
struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: u32,
}

impl Reader<'_> {
    fn error(&self, message: &str) -> JsonError {
        JsonError {
            line: self.line,
            message: message.to_string(),
        }
    }

    /// Skips white space (the only place a valid text has line breaks)
    /// and gives the next byte.
    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return Some(b),
            }
            self.pos += 1;
        }
        None
    }

    fn expect(&mut self, b: u8) -> Result<(), JsonError> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", char::from(b))))
        }
    }

    fn value(&mut self) -> Result<Value, JsonError> {
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(Value::String),
            Some(_) => self.scalar(),
            None => Err(self.error("unexpected end of text")),
        }
    }

    fn object(&mut self) -> Result<Value, JsonError> {
        let start = self.line;
        self.pos += 1;
        let mut map = Map::new();
        let mut lines = Map::new();
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                self.peek();
                let line = self.line;
                let key = self.string()?;
                self.expect(b':')?;
                let value = self.value()?;
                lines.insert(key.clone(), Value::Number(line.into()));
                map.insert(key, value);
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.error("expected `,` or `}`")),
                }
            }
        }
        map.insert(LINE_KEY.to_string(), Value::Number(start.into()));
        map.insert(LINES_KEY.to_string(), Value::Object(lines));
        Ok(Value::Object(map))
    }

    fn array(&mut self) -> Result<Value, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string"));
        }
        let start = self.pos;
        let mut i = start + 1;
        while let Some(&b) = self.bytes.get(i) {
            match b {
                b'\\' => i += 2,
                b'"' => break,
                _ => i += 1,
            }
        }
        let end = (i + 1).min(self.bytes.len());
        self.pos = end;
        let raw = self
            .text
            .get(start..end)
            .ok_or_else(|| self.error("a string cut in a character"))?;
        serde_json::from_str(raw).map_err(|e| self.error(&e.to_string()))
    }

    fn scalar(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        while self
            .bytes
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.'))
        {
            self.pos += 1;
        }
        let raw = self
            .text
            .get(start..self.pos)
            .ok_or_else(|| self.error("unexpected character"))?;
        serde_json::from_str(raw).map_err(|e| self.error(&e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fixture(name: &str) -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/json/");
        std::fs::read_to_string(format!("{path}{name}")).unwrap()
    }

    #[test]
    fn lines_of_objects_and_keys() {
        let v = parse(&fixture("lines.json")).unwrap();
        assert_eq!(v[LINE_KEY], 1);
        assert_eq!(v[LINES_KEY]["name"], 2);
        assert_eq!(v["name"], "a \"quoted\" name\u{e9}");
        assert_eq!(v[LINES_KEY]["nested"], 3);
        assert_eq!(v["nested"][LINE_KEY], 3);
        assert_eq!(v["nested"][LINES_KEY]["count"], 4);
        assert_eq!(v["nested"]["count"], 42);
        assert_eq!(v["nested"]["ratio"], -1.5e3);
        assert_eq!(v["nested"]["on"], true);
        assert_eq!(v["nested"]["none"], Value::Null);
        assert_eq!(v["list"][1][LINE_KEY], 11);
        assert_eq!(v["list"][1]["k"], "v");
        assert_eq!(v["list"][1][LINES_KEY]["k"], 12);
        assert_eq!(v["empty"][LINE_KEY], 15);
        assert_eq!(v[LINES_KEY]["last"], 16);
        assert_eq!(v["last"][1], 2);
    }

    #[test]
    fn invalid_json_names_its_line() {
        let e = parse(&fixture("invalid.json")).unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        assert!(!e.message.contains("at line"), "{e}");
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let v = parse("\u{feff}{\"a\": 1}").unwrap();
        assert_eq!(v["a"], 1);
    }
}
