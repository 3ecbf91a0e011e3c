//! YAML text for a [`Value`]: what the CLI's `-o yaml` and the page's YAML view print.
//!
//! (Not to be confused with `crate::yaml`, which reads the user's YAML.) The output is byte for
//! byte what `serde_yaml_ng::to_string` printed for the same value, so switching printers changed
//! no output; the page no longer carries that crate and its libyaml emitter for this one job.
//! `core/tests/yaml_output.rs` compares the two on every resource of every preset and on
//! generated strings. The layout:
//! - block mappings and sequences, two spaces a level; a sequence under a key is not indented past
//!   the key (`key:\n- a`); a collection inside a `- ` item starts on the dash's line; empty ones
//!   are `{}` and `[]`;
//! - a key longer than 128 bytes or holding a line break is written as `? key` then `: value`;
//! - numbers as serde_yaml_ng writes them (integers in full, floats in ryu's notation: `1.0`,
//!   `0.5`, `1e16`, `1.5e-7`);
//! - strings plain where that reads back as the same string, otherwise quoted: see [`style`].

use super::Value;
use std::fmt::Write;

/// The value as a YAML document.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    node(&mut out, value, 0, Place::Document);
    out
}

/// What precedes a node on its first line.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    /// Nothing: the document's root.
    Document,
    /// `key:` at column `col`: a mapping goes on the next lines two columns in, a sequence on the
    /// next lines at the key's column, anything else after a space.
    Key,
    /// `- `, `? ` or `: ` at column `col`: the node starts right here; a collection's following
    /// entries line up under its first, two columns in.
    Inline,
}

/// Writes `value`, ending at the start of a fresh line.
fn node(out: &mut String, value: &Value, col: usize, place: Place) {
    let nested = match place {
        Place::Document => 0,
        Place::Key | Place::Inline => col + 2,
    };
    match value {
        Value::Object(map) if !map.is_empty() => {
            let inline = place != Place::Key;
            if !inline {
                out.push('\n');
            }
            for (i, (key, value)) in map.iter().enumerate() {
                if i > 0 || !inline {
                    pad(out, nested);
                }
                if key.len() <= 128 && !key.chars().any(is_break) {
                    string(out, key, nested + 2);
                    out.push(':');
                    node(out, value, nested, Place::Key);
                } else {
                    out.push_str("? ");
                    string(out, key, nested + 2);
                    end_line(out);
                    pad(out, nested);
                    out.push_str(": ");
                    node(out, value, nested, Place::Inline);
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let (inline, col) = match place {
                Place::Key => (false, col),
                _ => (true, nested),
            };
            if !inline {
                out.push('\n');
            }
            for (i, item) in items.iter().enumerate() {
                if i > 0 || !inline {
                    pad(out, col);
                }
                out.push_str("- ");
                node(out, item, col, Place::Inline);
            }
        }
        scalar => {
            if place == Place::Key {
                out.push(' ');
            }
            match scalar {
                Value::Null => out.push_str("null"),
                Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                // serde_json writes floats as ryu does, serde_yaml_ng's notation, except for
                // the `+` of a positive exponent (`1e+16`, in YAML `1e16`).
                Value::Number(n) => out.push_str(&n.to_string().replacen("e+", "e", 1)),
                Value::String(s) => string(out, s, col + 2),
                Value::Object(_) => out.push_str("{}"),
                Value::Array(_) => out.push_str("[]"),
            }
            end_line(out);
        }
    }
}

/// Ends the line unless a literal block already did (its last line break is its own).
fn end_line(out: &mut String) {
    if !out.ends_with(is_break) {
        out.push('\n');
    }
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// How a string is written.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Style {
    Plain,
    /// `'...'`, a quote doubled.
    Single,
    /// `"..."` with backslash escapes: the only style that can hold any character.
    Double,
    /// `|` block: one line per line of the string, two columns in.
    Literal,
}

/// serde_yaml_ng's choice, then libyaml's vetoes of it. serde_yaml_ng asks for a literal block
/// when the string holds a `\n`, single quotes when it would read back as something else (null,
/// a boolean, a number, `007`), and plain otherwise. Then:
/// - plain falls back to single quotes when it would not read back: empty, a leading or trailing
///   space, any line break, a leading indicator (`-?:` before a space or the end, or one of
///   ``#,[]{}&*!|>'"%@` ``), `---` or `...` first, `: ` / `:` last, or ` #`;
/// - single quotes fall back to double quotes when a line starts with a space;
/// - a literal block falls back to double quotes when the string ends with a space;
/// - only double quotes may hold a character YAML does not print (controls, tab, `\r`, U+0085,
///   U+FEFF, U+FFFE/F) or a space right before a line break.
fn style(s: &str) -> Style {
    let mut plain = !(s.starts_with("---") || s.starts_with("..."));
    let (mut single, mut literal, mut only_double) = (true, true, false);
    let mut prev: Option<char> = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let blank_after = next.is_none_or(is_blank);
        let indicator = match prev {
            None => {
                "#,[]{}&*!|>'\"%@`".contains(c) || (matches!(c, '-' | '?' | ':') && blank_after)
            }
            Some(p) => (c == ':' && blank_after) || (c == '#' && is_blank(p)),
        };
        if indicator || is_break(c) {
            plain = false;
        }
        if c == ' ' {
            if prev.is_none() || next.is_none() {
                plain = false;
            }
            if next.is_none() {
                literal = false;
            }
            if prev.is_some_and(is_break) {
                (plain, single) = (false, false);
            }
        }
        if !printable(c) || (is_break(c) && prev == Some(' ')) {
            only_double = true;
        }
        prev = Some(c);
    }
    let wanted = if s.contains('\n') {
        Style::Literal
    } else if reads_as_other_type(s) {
        Style::Single
    } else {
        Style::Plain
    };
    match wanted {
        _ if only_double => Style::Double,
        Style::Plain if plain => Style::Plain,
        Style::Plain | Style::Single if single => Style::Single,
        Style::Literal if literal => Style::Literal,
        _ => Style::Double,
    }
}

/// Writes a string scalar whose continuation lines (if any) are indented by `indent`.
fn string(out: &mut String, s: &str, indent: usize) {
    match style(s) {
        Style::Plain => out.push_str(s),
        Style::Single => {
            // Line breaks here are U+2028/2029 only (a `\n` makes it a literal block); the text
            // after one is indented like a continuation line.
            out.push('\'');
            if push_lines(out, s, indent, false, true) {
                pad(out, indent);
            }
            out.push('\'');
        }
        Style::Double => {
            out.push('"');
            for c in s.chars() {
                let escape = match c {
                    '\0' => '0',
                    '\x07' => 'a',
                    '\x08' => 'b',
                    '\t' => 't',
                    '\n' => 'n',
                    '\x0b' => 'v',
                    '\x0c' => 'f',
                    '\r' => 'r',
                    '\x1b' => 'e',
                    '"' | '\\' => c,
                    '\u{85}' => 'N',
                    '\u{2028}' => 'L',
                    '\u{2029}' => 'P',
                    c if printable(c) => {
                        out.push(c);
                        continue;
                    }
                    c => {
                        let _ = match u32::from(c) {
                            n @ ..=0xff => write!(out, "\\x{n:02X}"),
                            n @ ..=0xffff => write!(out, "\\u{n:04X}"),
                            n => write!(out, "\\U{n:08X}"),
                        };
                        continue;
                    }
                };
                out.push('\\');
                out.push(escape);
            }
            out.push('"');
        }
        Style::Literal => {
            // `2`: the indentation, when the first line would otherwise set it. Chomping: `-` no
            // final line break, none for one, `+` for more (or for a string that is one).
            out.push('|');
            if s.starts_with(|c| c == ' ' || is_break(c)) {
                out.push('2');
            }
            let mut tail = s.chars().rev();
            match (tail.next().is_some_and(is_break), tail.next()) {
                (false, _) => out.push('-'),
                (true, None) => out.push('+'),
                (true, Some(c)) if is_break(c) => out.push('+'),
                (true, Some(_)) => {}
            }
            out.push('\n');
            push_lines(out, s, indent, true, false);
        }
    }
}

/// Pushes `s`, indenting by `indent` the text that follows a line break (and the first text when
/// `line_start`), doubling `'` when `double_quotes`. Returns whether it ended on a line break.
fn push_lines(
    out: &mut String,
    s: &str,
    indent: usize,
    mut line_start: bool,
    double_quotes: bool,
) -> bool {
    for c in s.chars() {
        if is_break(c) {
            line_start = true;
        } else if std::mem::take(&mut line_start) {
            pad(out, indent);
        }
        out.push(c);
        if double_quotes && c == '\'' {
            out.push('\'');
        }
    }
    line_start
}

/// Whether serde_yaml_ng would read the plain string as something other than a string: null
/// (`~`, `null`, empty), a boolean (`true`, `False`, ... but not `yes`), an integer (decimal,
/// `0x`, `0o`, `0b`, signed, up to 128 bits), a finite float (Rust's syntax, `.inf`, `.nan`), or
/// digits with a leading zero (`007`, a string in YAML 1.2 that it quotes anyway).
fn reads_as_other_type(s: &str) -> bool {
    let named = [
        "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", ".inf",
        ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN",
        ".NAN",
    ];
    let (negative, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if unsigned.starts_with(['+', '-']) {
        return named.contains(&s);
    }
    let leading_zero = unsigned.len() > 1
        && unsigned.starts_with('0')
        && unsigned.bytes().all(|b| b.is_ascii_digit());
    let (radix, digits) = [("0x", 16), ("0o", 8), ("0b", 2)]
        .into_iter()
        .find_map(|(prefix, radix)| Some((radix, unsigned.strip_prefix(prefix)?)))
        .unwrap_or((10, unsigned));
    let int = !digits.starts_with(['+', '-'])
        && u128::from_str_radix(digits, radix).is_ok_and(|n| !negative || n <= 1 << 127);
    named.contains(&s) || leading_zero || int || unsigned.parse::<f64>().is_ok_and(f64::is_finite)
}

/// libyaml's printable set: what may appear unescaped in a scalar.
fn printable(c: char) -> bool {
    matches!(c, '\n' | ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && c != '\u{feff}'
}

/// YAML 1.1's line breaks, which libyaml writes and reads as such.
fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// A space, tab, line break or NUL: what ends an indicator like `: ` or starts a comment.
fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\0') || is_break(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_value;

    fn yaml(v: serde_json::Value) -> String {
        to_string(&Value::from(v))
    }

    #[test]
    fn layout() {
        let v = serde_json::json!({
            "a": 1,
            "b": [1, {"c": [], "d": {}}, [2, [3]]],
            "e": {"f": [{"g": null, "h": true}], "i": 0.5},
        });
        assert_eq!(
            yaml(v),
            "a: 1\nb:\n- 1\n- c: []\n  d: {}\n- - 2\n  - - 3\ne:\n  f:\n  - g: null\n    h: true\n  i: 0.5\n"
        );
        assert_eq!(yaml(serde_json::json!([])), "[]\n");
        assert_eq!(
            yaml(serde_json::json!([1.0, 1e16, 1.5e-7, -3])),
            "- 1.0\n- 1e16\n- 1.5e-7\n- -3\n"
        );
        assert_eq!(yaml(serde_json::json!("x")), "x\n");
        let long = "k".repeat(129);
        assert_eq!(
            to_string(&json_value!({long.clone(): [1, 2]})),
            format!("? {long}\n: - 1\n  - 2\n")
        );
    }

    #[test]
    fn strings() {
        for (s, want) in [
            ("plain text", "plain text"),
            ("", "''"),
            ("null", "'null'"),
            ("~", "'~'"),
            ("yes", "yes"),
            ("True", "'True'"),
            ("0x1F", "'0x1F'"),
            ("007", "'007'"),
            ("1e5", "'1e5'"),
            (".inf", "'.inf'"),
            ("inf", "inf"),
            ("a: b", "'a: b'"),
            ("a:b", "a:b"),
            ("a:", "'a:'"),
            ("a #b", "'a #b'"),
            ("a#b", "a#b"),
            ("- a", "'- a'"),
            ("-a", "-a"),
            ("*.example.com", "'*.example.com'"),
            ("it's", "it's"),
            ("'q'", "'''q'''"),
            (" lead", "' lead'"),
            ("---", "'---'"),
            ("a\tb", "\"a\\tb\""),
            ("\u{feff}\u{7f}\u{1}😀é", "\"\\uFEFF\\x7F\\x01😀é\""),
            ("a\nb", "|-\n  a\n  b"),
            ("a\n", "|\n  a\n"),
            ("a\n\n", "|+\n  a\n\n"),
            (" a\nb", "|2-\n   a\n  b"),
            ("a \nb", "\"a \\nb\""),
            ("a\nb ", "\"a\\nb \""),
        ] {
            let mut out = String::new();
            string(&mut out, s, 2);
            assert_eq!(out, want, "{s:?}");
        }
    }
}
