//! A YAML stream cut into its documents at the `---` lines, each with the line it starts at.

/// The documents of a YAML file: (1-based first line, text), the marker line opening each
/// document after the first. None when the file must be parsed whole: JSON (its first character
/// is `{` or `[`) and streams with directives (`%YAML`, `%TAG`), which apply across documents.
pub fn split(text: &str) -> Option<Vec<(u32, &str)>> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if body.trim_start().starts_with(['{', '[']) {
        return None;
    }
    let mut out = Vec::new();
    let (mut start, mut start_line) = (0usize, 1u32);
    let mut at = 0usize;
    for (line, l) in (1u32..).zip(text.split_inclusive('\n')) {
        if l.starts_with('%') {
            return None;
        }
        if at > 0 && is_marker(l) {
            out.push((start_line, &text[start..at]));
            (start, start_line) = (at, line);
        }
        at += l.len();
    }
    out.push((start_line, &text[start..]));
    Some(out)
}

/// `---` alone or followed by a space, a tab or the line's end: a document start marker.
fn is_marker(line: &str) -> bool {
    line.strip_prefix("---")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\n', '\r']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_start_at_their_marker_lines() {
        let text = "a: 1\n---\nb: 2\nc: |\n  ---x\n--- # third\nd: 4";
        assert_eq!(
            split(text).unwrap(),
            vec![
                (1, "a: 1\n"),
                (2, "---\nb: 2\nc: |\n  ---x\n"),
                (6, "--- # third\nd: 4")
            ]
        );
        assert_eq!(split("---\na: 1\n").unwrap(), vec![(1, "---\na: 1\n")]);
        assert_eq!(split("").unwrap(), vec![(1, "")]);
    }

    #[test]
    fn json_and_directives_are_read_whole() {
        assert_eq!(split(" {\"a\": 1}"), None);
        assert_eq!(split("\u{feff}[1]"), None);
        assert_eq!(split("%YAML 1.2\n---\na: 1\n"), None);
    }
}
