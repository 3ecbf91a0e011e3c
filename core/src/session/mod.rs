//! Loading again after an edit: a [`Session`] keeps the parsed documents of the last load, keyed
//! by their text, so an edit re-parses only the documents it changed and rebuilds the mesh from
//! the parsed objects. The result is the one a fresh [`crate::load`] gives, spans included: a
//! document that moved (an earlier one grew or shrank by some lines) keeps its parse, shifted.
//!
//! A file is cut into documents at its `---` lines (`chunks`). Files this cannot read the same
//! way as the whole stream are parsed whole, and cached whole: JSON, YAML with directives (`%`),
//! and any file with a syntax error in one of its documents (the parser stops at the first
//! error, so what follows it depends on the whole stream). Tests: `core/tests/session.rs`.

mod chunks;
mod shift;

use crate::diag::Diagnostic;
use crate::mesh::{load_parsed, Loaded};
use crate::parse::{parse_files, Object, SourceFile};
use std::collections::HashMap;

/// The parse of one document (or of a whole file), at the line it was last used at.
#[derive(Clone)]
struct Parsed {
    /// The 1-based line of the file its first line was at when these spans were made.
    line: u32,
    objects: Vec<Object>,
    diagnostics: Vec<Diagnostic>,
    /// The YAML parser refused something in it.
    syntax_error: bool,
}

/// An incremental loader: call [`Session::load`] with the whole input after every edit.
#[derive(Default)]
pub struct Session {
    /// (file name, document text) -> its parse. Only what the last load used is kept.
    parsed: HashMap<(String, String), Parsed>,
    /// How many documents the last load parsed (the rest were reused).
    reparsed: usize,
}

impl Session {
    pub fn new() -> Session {
        Session::default()
    }

    /// Parse and build the mesh, as [`crate::load`] does, re-parsing only the documents whose
    /// text is new since the last call.
    pub fn load(&mut self, files: &[SourceFile]) -> Loaded {
        let (objects, diagnostics) = self.parse(files);
        load_parsed(objects, diagnostics)
    }

    /// The parse half of [`Session::load`]: the objects and diagnostics [`parse_files`] would give.
    pub fn parse(&mut self, files: &[SourceFile]) -> (Vec<Object>, Vec<Diagnostic>) {
        let mut previous = std::mem::take(&mut self.parsed);
        self.reparsed = 0;
        let mut all = Vec::new();
        for file in files {
            let pieces = match chunks::split(&file.text) {
                Some(pieces) => {
                    let parsed: Vec<Parsed> = pieces
                        .iter()
                        .map(|(line, text)| self.document(&mut previous, &file.name, text, *line))
                        .collect();
                    if parsed.iter().any(|p| p.syntax_error) {
                        vec![self.document(&mut previous, &file.name, &file.text, 1)]
                    } else {
                        parsed
                    }
                }
                None => vec![self.document(&mut previous, &file.name, &file.text, 1)],
            };
            all.extend(pieces);
        }
        // Sized once: thousands of large objects moved by repeated growth cost more than the
        // lookups of an edit.
        let mut objects = Vec::with_capacity(all.iter().map(|p| p.objects.len()).sum());
        let mut diagnostics = Vec::new();
        for p in all {
            objects.extend(p.objects);
            diagnostics.extend(p.diagnostics);
        }
        // Creation order is the position in the whole input.
        for (i, o) in objects.iter_mut().enumerate() {
            o.seq = i;
        }
        (objects, diagnostics)
    }

    /// How many documents (or whole files) the last [`Session::load`] parsed; the others were
    /// reused.
    pub fn reparsed(&self) -> usize {
        self.reparsed
    }

    /// The parse of `text`, which starts at `line` of file `name`: reused (and moved to `line`)
    /// when the last load had it, parsed otherwise. Kept for the next load.
    fn document(
        &mut self,
        previous: &mut HashMap<(String, String), Parsed>,
        name: &str,
        text: &str,
        line: u32,
    ) -> Parsed {
        let key = (name.to_string(), text.to_string());
        let kept = previous
            .remove(&key)
            .or_else(|| self.parsed.get(&key).cloned());
        let parsed = match kept {
            Some(mut p) => {
                if p.line != line {
                    shift::parsed(
                        &mut p.objects,
                        &mut p.diagnostics,
                        line as i64 - p.line as i64,
                    );
                    p.line = line;
                }
                p
            }
            None => {
                self.reparsed += 1;
                let (mut objects, mut diagnostics) =
                    parse_files(&[SourceFile::new(name, text.to_string())]);
                let syntax_error = diagnostics.iter().any(|d| {
                    d.code == crate::diag::codes::YAML_SYNTAX || d.code == crate::diag::codes::LIMIT
                });
                shift::parsed(&mut objects, &mut diagnostics, line as i64 - 1);
                Parsed {
                    line,
                    objects,
                    diagnostics,
                    syntax_error,
                }
            }
        };
        self.parsed.insert(key, parsed.clone());
        parsed
    }
}
