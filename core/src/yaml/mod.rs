//! A YAML reader that keeps positions, and the decoders from its nodes into typed values.
//!
//! Every node of every document remembers where it starts and ends, so diagnostics and generated
//! Envoy resources can point back at the user's lines. Aliases are expanded against a node budget
//! and nesting is capped, so hostile input (alias bombs, 100k-deep nesting) is rejected with a
//! diagnostic instead of exhausting memory or the stack.

pub mod de;
pub mod decode;
pub mod encode;
mod error;
pub mod json;

pub use error::DeError;

use crate::diag::Span;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Deeper than any Kubernetes or Istio object; keeps recursive consumers far from the stack limit.
pub const MAX_DEPTH: usize = 128;
/// Nodes one stream may hold after alias expansion.
pub const MAX_NODES: usize = 2_000_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar and whether it was quoted or a block (then it is always a string).
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

/// One `---`-separated document of a stream.
#[derive(Debug, Clone)]
pub struct Document {
    pub root: Node,
    /// Index of the document in its file, from 0.
    pub index: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub span: Span,
}

/// What a plain scalar means under YAML 1.2's core schema (what Kubernetes' decoder sees).
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

impl Node {
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar's text, whatever its type.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.scalar(), Some(Scalar::Null))
    }

    /// Resolve a scalar the way YAML 1.2's core schema does.
    pub fn scalar(&self) -> Option<Scalar<'_>> {
        let Value::Scalar { text, plain } = &self.value else {
            return None;
        };
        if !plain {
            return Some(Scalar::Str(text));
        }
        Some(resolve_plain(text))
    }

    /// The value under `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value node of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// Follow a path of keys and sequence indexes, e.g. `["spec", "http", "0", "route"]`.
    pub fn at<S: AsRef<str>>(&self, path: &[S]) -> Option<&Node> {
        let mut node = self;
        for part in path {
            let part = part.as_ref();
            node = match &node.value {
                Value::Map(_) => node.get(part)?,
                Value::Seq(items) => items.get(part.parse::<usize>().ok()?)?,
                Value::Scalar { .. } => return None,
            };
        }
        Some(node)
    }
}

pub fn resolve_plain(text: &str) -> Scalar<'_> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Scalar::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        _ => {}
    }
    let bytes = text.as_bytes();
    let digits_start = usize::from(matches!(bytes[0], b'-' | b'+'));
    if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(v) = i64::from_str_radix(hex, 16) {
            return Scalar::Int(v);
        }
    } else if let Some(oct) = text.strip_prefix("0o") {
        if let Ok(v) = i64::from_str_radix(oct, 8) {
            return Scalar::Int(v);
        }
    } else if bytes.len() > digits_start && bytes[digits_start..].iter().all(u8::is_ascii_digit) {
        if let Ok(v) = text.parse::<i64>() {
            return Scalar::Int(v);
        }
    }
    let looks_numeric = bytes[digits_start..]
        .first()
        .is_some_and(|b| b.is_ascii_digit() || *b == b'.')
        && bytes
            .iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if looks_numeric {
        if let Ok(v) = text.parse::<f64>() {
            return Scalar::Float(v);
        }
    }
    Scalar::Str(text)
}

/// Parse an input file as people export it: YAML (`---`-separated, CRLF or LF line ends, Helm's
/// `# Source:` comments), one JSON document (`kubectl get -o json`) or a stream of them; a UTF-8
/// byte order mark is skipped. A text that starts with `{` or `[` is read as JSON first; when
/// neither reader takes it whole, the error of the one that got further is reported.
pub fn parse_documents(text: &str) -> (Vec<Document>, Option<YamlError>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !text.trim_start().starts_with(['{', '[']) {
        return parse_stream(text);
    }
    let json = json::parse_stream(text);
    let Some(json_err) = &json.1 else {
        return json;
    };
    let yaml = parse_stream(text);
    match &yaml.1 {
        None => yaml,
        Some(yaml_err) => {
            let at = |e: &YamlError| (e.span.start_line, e.span.start_col);
            if at(json_err) >= at(yaml_err) {
                json
            } else {
                yaml
            }
        }
    }
}

/// Parse a whole stream. On a syntax error, the documents before it are still returned.
pub fn parse_stream(text: &str) -> (Vec<Document>, Option<YamlError>) {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    // Pull events one at a time (rather than `Parser::load`) so a refused document stops the
    // parser at once: it would otherwise keep scanning input we already know is hostile.
    let mut error = None;
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => break,
            Ok((event, mark)) => builder.on_event(event, mark),
            Err(e) => {
                let m = e.marker();
                error = Some(YamlError {
                    message: e.info().to_string(),
                    span: Span::point(m.line().max(1) as u32, m.col() as u32 + 1),
                });
                break;
            }
        }
        if builder.error.is_some() {
            break;
        }
    }
    let error = builder.error.take().or(error);
    // Documents the error cut short are dropped: only whole documents are trusted.
    (builder.docs, error)
}

#[derive(Default)]
struct Builder {
    docs: Vec<Document>,
    /// Open collections: the node being built and, for maps, a pending key.
    stack: Vec<(Node, Option<Node>)>,
    anchors: Vec<(usize, Node)>,
    /// Anchor ids of open collections, to register them when they close.
    open_anchors: Vec<usize>,
    nodes: usize,
    error: Option<YamlError>,
    doc_count: usize,
}

fn pos(m: &Marker) -> (u32, u32) {
    (m.line().max(1) as u32, m.col() as u32 + 1)
}

impl Builder {
    fn fail(&mut self, message: String, m: &Marker) {
        if self.error.is_none() {
            let (line, col) = pos(m);
            self.error = Some(YamlError {
                message,
                span: Span::point(line, col),
            });
        }
    }

    fn push_value(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.push((anchor, node.clone()));
        }
        match self.stack.last_mut() {
            None => {
                self.docs.push(Document {
                    root: node,
                    index: self.doc_count,
                });
            }
            Some((parent, pending_key)) => match &mut parent.value {
                Value::Seq(items) => items.push(node),
                Value::Map(entries) => match pending_key.take() {
                    None => *pending_key = Some(node),
                    Some(key) => entries.push((key, node)),
                },
                Value::Scalar { .. } => unreachable!("scalars never open"),
            },
        }
    }

    fn count(&mut self, n: usize, m: &Marker) -> bool {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            self.fail(
                format!("document too large: more than {MAX_NODES} nodes after expanding aliases"),
                m,
            );
            return false;
        }
        true
    }
}

fn node_count(node: &Node) -> usize {
    let mut count = 0;
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        count += 1;
        match &n.value {
            Value::Seq(items) => todo.extend(items.iter()),
            Value::Map(entries) => todo.extend(entries.iter().flat_map(|(k, v)| [k, v])),
            Value::Scalar { .. } => {}
        }
    }
    count
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let (line, col) = pos(&mark);
        match ev {
            Event::DocumentStart => {
                self.stack.clear();
            }
            Event::DocumentEnd => {
                self.doc_count += 1;
            }
            Event::Scalar(text, style, anchor, _tag) => {
                if !self.count(1, &mark) {
                    return;
                }
                let plain = matches!(style, TScalarStyle::Plain);
                let quoted = matches!(
                    style,
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
                );
                let width = text.lines().next().map_or(0, |l| l.chars().count()) as u32;
                let end_col = col + width + if quoted { 2 } else { 0 };
                let span = Span {
                    start_line: line,
                    start_col: col,
                    end_line: line,
                    end_col: end_col.max(col + 1),
                };
                self.push_value(
                    Node {
                        value: Value::Scalar { text, plain },
                        span,
                    },
                    anchor,
                );
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(format!("nesting deeper than {MAX_DEPTH} levels"), &mark);
                    return;
                }
                if !self.count(1, &mark) {
                    return;
                }
                let value = if matches!(ev, Event::SequenceStart(..)) {
                    Value::Seq(Vec::new())
                } else {
                    Value::Map(Vec::new())
                };
                let span = Span::point(line, col);
                self.stack.push((Node { value, span }, None));
                self.open_anchors.push(anchor);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some((mut node, _)) = self.stack.pop() else {
                    return;
                };
                let anchor = self.open_anchors.pop().unwrap_or(0);
                node.span.end_line = line;
                node.span.end_col = col.max(1);
                let last_end = match &node.value {
                    // A block collection ends where its last item ends, not at the next token.
                    Value::Map(entries) => entries.last().map(|(k, v)| {
                        let last = if v.span.end_line >= k.span.end_line {
                            v
                        } else {
                            k
                        };
                        (last.span.end_line, last.span.end_col)
                    }),
                    Value::Seq(items) => items.last().map(|n| (n.span.end_line, n.span.end_col)),
                    Value::Scalar { .. } => None,
                };
                if let Some((end_line, end_col)) = last_end {
                    node.span.end_line = end_line;
                    node.span.end_col = end_col;
                }
                self.push_value(node, anchor);
            }
            Event::Alias(id) => {
                let Some(target) = self
                    .anchors
                    .iter()
                    .rev()
                    .find(|(a, _)| *a == id)
                    .map(|(_, n)| n.clone())
                else {
                    self.fail("unknown alias".to_string(), &mark);
                    return;
                };
                if !self.count(node_count(&target), &mark) {
                    return;
                }
                self.push_value(target, 0);
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_of_nested_fields() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: reviews\n---\nkind: Pod\n";
        let (docs, err) = parse_stream(text);
        assert!(err.is_none());
        assert_eq!(docs.len(), 2);
        let name = docs[0].root.at(&["metadata", "name"]).unwrap();
        assert_eq!(name.as_str(), Some("reviews"));
        assert_eq!((name.span.start_line, name.span.start_col), (4, 9));
        assert_eq!(name.span.end_col, 16);
        assert_eq!(docs[1].root.get("kind").unwrap().span.start_line, 6);
    }

    #[test]
    fn resolves_scalars_like_kubernetes() {
        let (docs, _) = parse_stream("a: 80\nb: \"80\"\nc: true\nd: 1.5\ne: v1\nf:\n");
        let root = &docs[0].root;
        assert_eq!(root.get("a").unwrap().scalar(), Some(Scalar::Int(80)));
        assert_eq!(root.get("b").unwrap().scalar(), Some(Scalar::Str("80")));
        assert_eq!(root.get("c").unwrap().scalar(), Some(Scalar::Bool(true)));
        assert_eq!(root.get("d").unwrap().scalar(), Some(Scalar::Float(1.5)));
        assert_eq!(root.get("e").unwrap().scalar(), Some(Scalar::Str("v1")));
        assert!(root.get("f").unwrap().is_null());
    }

    #[test]
    fn syntax_error_has_a_line() {
        let (_, err) = parse_stream("a: b\n  c: d\n");
        let err = err.expect("error");
        assert_eq!(err.span.start_line, 2);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let (_, err) = parse_stream(&text);
        assert!(err.unwrap().message.contains("too large"));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(100_000);
        let (_, err) = parse_stream(&text);
        assert!(err.is_some());
    }
}
