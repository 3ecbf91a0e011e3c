//! One-click fixes: a finding that says `(did you mean "v1"?)` about the value at its span can be
//! fixed by writing that value there. The page offers the fix as a button; tests apply it.

use crate::diag::Diagnostic;
use serde::{Deserialize, Serialize};

/// Replace the text from (`line`, `column`) to (`line`, `end_column`) (1-based, in characters,
/// end exclusive, as diagnostics count) with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    pub line: u32,
    pub column: u32,
    pub end_column: u32,
    pub replacement: String,
}

impl Fix {
    /// `text` with the fix applied, or `None` when the text no longer has that line and range.
    pub fn apply(&self, text: &str) -> Option<String> {
        let (start, end) = byte_range(text, self.line, self.column, self.end_column)?;
        Some(format!(
            "{}{}{}",
            &text[..start],
            self.replacement,
            &text[end..]
        ))
    }
}

/// The fix for `d`, given the text of the file it points into: only when its message carries one
/// quoted suggestion and its span is one line holding a plain `value` or `key: value`.
pub fn quick_fix(d: &Diagnostic, text: &str) -> Option<Fix> {
    let suggestion = suggested_value(&d.message)?;
    if d.end_line != d.line {
        return None;
    }
    let (start, end) = byte_range(text, d.line, d.column, d.end_column)?;
    let spanned = &text[start..end];
    // `subset: v9` -> the value after the key; a span on the value alone is all value.
    let value_at = match spanned.find(": ") {
        Some(i) => i + 2,
        None => 0,
    };
    let value = spanned[value_at..].trim_end();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'');
    let bare = match quote {
        Some(q) if value.len() >= 2 && value.ends_with(q) => &value[1..value.len() - 1],
        Some(_) => return None,
        None => value,
    };
    if bare.is_empty() || bare == suggestion || bare.contains([' ', '#', '{', '[']) {
        return None;
    }
    let replacement = match quote {
        Some(q) => format!("{q}{suggestion}{q}"),
        None => suggestion.to_string(),
    };
    let column_of = |byte: usize| d.column + text[start..start + byte].chars().count() as u32;
    Some(Fix {
        line: d.line,
        column: column_of(value_at),
        end_column: column_of(value_at + value.len()),
        replacement,
    })
}

/// `v1` from `... (did you mean "v1"?)`; nothing for other hints (`did you mean port 9080?`).
fn suggested_value(message: &str) -> Option<&str> {
    let rest = &message[message.rfind("(did you mean \"")? + "(did you mean \"".len()..];
    let value = rest.strip_suffix("\"?)")?;
    // Quoted as Rust's Debug quotes: anything escaped is not offered.
    (!value.is_empty() && !value.contains(['"', '\\'])).then_some(value)
}

/// Byte offsets of (line, column)..(line, end_column), columns in characters.
fn byte_range(text: &str, line: u32, column: u32, end_column: u32) -> Option<(usize, usize)> {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line as usize - 2)?.0 + 1
    };
    let line_text = text[line_start..].split('\n').next()?;
    let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
    let offset = |col: u32| -> Option<usize> {
        let chars = col.checked_sub(1)? as usize;
        if chars == line_text.chars().count() {
            return Some(line_text.len());
        }
        line_text.char_indices().nth(chars).map(|(i, _)| i)
    };
    let (a, b) = (offset(column)?, offset(end_column)?);
    (a < b).then_some((line_start + a, line_start + b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::report;
    use crate::playground::world::{preset, BOOKINFO, BOOKINFO_FILE};
    use crate::{load, SourceFile};

    fn findings(istio: &str) -> Vec<Diagnostic> {
        let files = [
            SourceFile::new(BOOKINFO_FILE, BOOKINFO),
            SourceFile::new("istio.yaml", istio),
        ];
        report(&load(&files), &files)
    }

    #[test]
    fn a_wrong_subset_is_fixed_to_the_suggested_one() {
        let text =
            preset("request-routing-v1")
                .unwrap()
                .yaml
                .replacen("subset: v1", "subset: v9", 1);
        let found = findings(&text);
        let d = found.iter().find(|d| d.code == "IST0101").expect("IST0101");
        let fix = quick_fix(d, &text).expect("a fix");
        assert_eq!(fix.replacement, "v1");
        let fixed = fix.apply(&text).unwrap();
        assert!(!fixed.contains("subset: v9"));
        assert!(findings(&fixed).iter().all(|d| d.code != "IST0101"));
    }

    #[test]
    fn a_misspelt_host_keeps_its_quotes() {
        let text = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: r\nspec:\n  host: \"reviewz\"\n";
        let found = findings(text);
        let d = found.iter().find(|d| d.code == "IST0174").expect("IST0174");
        let fixed = quick_fix(d, text).expect("a fix").apply(text).unwrap();
        assert!(fixed.contains("host: \"reviews\""), "{fixed}");
        assert!(findings(&fixed).iter().all(|d| d.code != "IST0174"));
    }

    #[test]
    fn no_fix_without_a_quoted_suggestion_or_on_changed_text() {
        let d = Diagnostic::new(
            "IST0101",
            crate::Severity::Error,
            "not found (did you mean port 9080?)",
            "f",
            crate::Span {
                start_line: 1,
                start_col: 1,
                end_line: 1,
                end_col: 5,
            },
        );
        assert_eq!(quick_fix(&d, "port: 1\n"), None);
        let mut d = d;
        d.message = "x (did you mean \"v1\"?)".into();
        assert!(quick_fix(&d, "").is_none());
        let fix = quick_fix(&d, "v9xx\n").unwrap();
        assert_eq!(fix.apply("v9xx\n").unwrap(), "v1\n");
        assert_eq!(fix.apply(""), None);
    }

    #[test]
    fn columns_count_characters() {
        let text = "é: ab\n";
        let d = Diagnostic {
            message: "(did you mean \"cd\"?)".into(),
            ..Diagnostic::new(
                "X",
                crate::Severity::Error,
                "",
                "f",
                crate::Span {
                    start_line: 1,
                    start_col: 1,
                    end_line: 1,
                    end_col: 6,
                },
            )
        };
        let fix = quick_fix(&d, text).unwrap();
        assert_eq!((fix.column, fix.end_column), (4, 6));
        assert_eq!(fix.apply(text).unwrap(), "é: cd\n");
    }
}
