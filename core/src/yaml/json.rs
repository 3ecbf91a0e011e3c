//! JSON documents and JSON streams (`kubectl get -o json`, `jq -c` output: objects one after
//! another) into the same positioned tree the YAML reader builds.
//!
//! YAML's flow syntax reads a single JSON document, but not a stream of them, and its errors talk
//! about YAML; this reader knows JSON only, so its errors name what JSON expected. Strings become
//! quoted scalars (always text) and numbers, `true`, `false` and `null` plain ones, which
//! [`super::resolve_plain`] reads as the JSON types. Depth and size are capped like the YAML
//! reader's.

use super::{Document, Node, Value, YamlError, MAX_DEPTH, MAX_NODES};
use crate::diag::Span;
use std::cell::Cell;

/// Parse every JSON value of `text`, one after another (whitespace between them). On an error, the
/// values before it are returned with the error.
pub fn parse_stream(text: &str) -> (Vec<Document>, Option<YamlError>) {
    let mut p = Reader {
        bytes: text.as_bytes(),
        text,
        at: 0,
        line: 1,
        line_start: 0,
        nodes: 0,
        counted: Cell::new((0, 0)),
    };
    let mut docs = Vec::new();
    loop {
        p.skip_space();
        if p.at >= p.bytes.len() {
            return (docs, None);
        }
        match p.value(0) {
            Ok(root) => docs.push(Document {
                root,
                index: docs.len(),
            }),
            Err(e) => return (docs, Some(e)),
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
    line: u32,
    line_start: usize,
    nodes: usize,
    /// The last column computed on this line (byte offset, characters before it), so that
    /// columns on a long minified line cost linear time in all.
    counted: Cell<(usize, usize)>,
}

impl Reader<'_> {
    /// The 1-based column of a byte offset on the current line, in characters.
    fn col(&self, at: usize) -> u32 {
        let (mut from, mut chars) = self.counted.get();
        if from < self.line_start || from > at {
            (from, chars) = (self.line_start.min(at), 0);
        }
        chars += self
            .text
            .get(from..at)
            .map_or(at - from, |s| s.chars().count());
        self.counted.set((at, chars));
        chars as u32 + 1
    }

    fn here(&self) -> (u32, u32) {
        (self.line, self.col(self.at))
    }

    fn fail<T>(&self, message: impl Into<String>) -> Result<T, YamlError> {
        let (line, col) = self.here();
        Err(YamlError {
            message: message.into(),
            span: Span::point(line, col),
        })
    }

    fn skip_space(&mut self) {
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b'\n' => {
                    self.at += 1;
                    self.line += 1;
                    self.line_start = self.at;
                }
                b' ' | b'\t' | b'\r' => self.at += 1,
                _ => break,
            }
        }
    }

    fn count(&mut self) -> Result<(), YamlError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return self.fail(format!("document too large: more than {MAX_NODES} nodes"));
        }
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<Node, YamlError> {
        self.count()?;
        let (line, col) = self.here();
        match self.bytes.get(self.at) {
            Some(b'{') | Some(b'[') if depth >= MAX_DEPTH => {
                self.fail(format!("nesting deeper than {MAX_DEPTH} levels"))
            }
            Some(b'{') => {
                self.at += 1;
                let mut entries = Vec::new();
                self.skip_space();
                if self.bytes.get(self.at) == Some(&b'}') {
                    self.at += 1;
                } else {
                    loop {
                        self.skip_space();
                        if self.bytes.get(self.at) != Some(&b'"') {
                            return self.fail("expected a string key in a JSON object");
                        }
                        let key = self.value(depth + 1)?;
                        self.skip_space();
                        if self.bytes.get(self.at) != Some(&b':') {
                            return self.fail("expected ':' after a key in a JSON object");
                        }
                        self.at += 1;
                        self.skip_space();
                        let value = self.value(depth + 1)?;
                        entries.push((key, value));
                        self.skip_space();
                        match self.bytes.get(self.at) {
                            Some(b',') => self.at += 1,
                            Some(b'}') => {
                                self.at += 1;
                                break;
                            }
                            _ => return self.fail("expected ',' or '}' in a JSON object"),
                        }
                    }
                }
                Ok(self.node(Value::Map(entries), line, col))
            }
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                self.skip_space();
                if self.bytes.get(self.at) == Some(&b']') {
                    self.at += 1;
                } else {
                    loop {
                        self.skip_space();
                        items.push(self.value(depth + 1)?);
                        self.skip_space();
                        match self.bytes.get(self.at) {
                            Some(b',') => self.at += 1,
                            Some(b']') => {
                                self.at += 1;
                                break;
                            }
                            _ => return self.fail("expected ',' or ']' in a JSON array"),
                        }
                    }
                }
                Ok(self.node(Value::Seq(items), line, col))
            }
            Some(b'"') => {
                let text = self.string()?;
                Ok(self.node(Value::Scalar { text, plain: false }, line, col))
            }
            Some(_) => {
                let start = self.at;
                while self
                    .bytes
                    .get(self.at)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.'))
                {
                    self.at += 1;
                }
                let word = &self.text[start..self.at];
                let is_number = word
                    .strip_prefix('-')
                    .unwrap_or(word)
                    .starts_with(|c: char| c.is_ascii_digit())
                    && word.parse::<f64>().is_ok();
                if !(is_number || matches!(word, "true" | "false" | "null")) {
                    self.at = start;
                    return self.fail(if word.is_empty() {
                        "expected a JSON value".to_string()
                    } else {
                        format!("{word:?} is not a JSON value")
                    });
                }
                Ok(self.node(
                    Value::Scalar {
                        text: word.to_string(),
                        plain: true,
                    },
                    line,
                    col,
                ))
            }
            None => self.fail("unexpected end of the JSON text"),
        }
    }

    /// A node that started at `line:col` and ends here.
    fn node(&self, value: Value, line: u32, col: u32) -> Node {
        let (end_line, end_col) = self.here();
        Node {
            value,
            span: Span {
                start_line: line,
                start_col: col,
                end_line,
                end_col: end_col.max(col + 1),
            },
        }
    }

    /// A string literal, at its opening quote.
    fn string(&mut self) -> Result<String, YamlError> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            while let Some(&b) = self.bytes.get(self.at) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            out.push_str(&self.text[start..self.at]);
            match self.bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let c = match self.bytes.get(self.at) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.at += 1;
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi)
                                && self.bytes.get(self.at..self.at + 2) == Some(b"\\u")
                            {
                                self.at += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return self.fail("invalid \\u surrogate pair in a string");
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                            continue;
                        }
                        _ => return self.fail("invalid escape in a JSON string"),
                    };
                    self.at += 1;
                    out.push(c);
                }
                Some(_) => return self.fail("control character in a JSON string"),
                None => return self.fail("unterminated JSON string"),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, YamlError> {
        let digits = self
            .text
            .get(self.at..self.at + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        match digits {
            Some(v) => {
                self.at += 4;
                Ok(v)
            }
            None => self.fail("expected four hex digits after \\u"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_stream_with_positions() {
        let text =
            "{\"kind\": \"Service\",\n \"ports\": [80, 1.5e3, true, null]}\n{\"a\":\"\\u00e9\\n\"}";
        let (docs, err) = parse_stream(text);
        assert!(err.is_none(), "{err:?}");
        assert_eq!(docs.len(), 2);
        let kind = docs[0].root.get("kind").unwrap();
        assert_eq!(kind.as_str(), Some("Service"));
        assert_eq!((kind.span.start_line, kind.span.start_col), (1, 10));
        assert_eq!(kind.span.end_col, 19);
        let ports = docs[0].root.get("ports").unwrap().as_seq().unwrap();
        assert_eq!(ports[0].scalar(), Some(super::super::Scalar::Int(80)));
        assert_eq!(ports[1].scalar(), Some(super::super::Scalar::Float(1500.0)));
        assert!(ports[3].is_null());
        assert_eq!(docs[1].root.span.start_line, 3);
        assert_eq!(docs[1].root.get("a").unwrap().as_str(), Some("é\n"));
    }

    #[test]
    fn errors_point_at_the_fault() {
        let (docs, err) = parse_stream("{\"a\": 1}\n{\"b\" 2}");
        assert_eq!(docs.len(), 1);
        let err = err.unwrap();
        assert_eq!((err.span.start_line, err.span.start_col), (2, 6));
        assert!(err.message.contains("':'"), "{}", err.message);
        assert!(parse_stream("[1, tru]").1.is_some());
        assert!(parse_stream("\"abc").1.is_some());
        assert!(parse_stream(&"[".repeat(1000)).1.is_some());
    }
}
