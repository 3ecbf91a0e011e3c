//! Loading again after an edit (`Session`) gives what a fresh load gives, spans included, and
//! re-parses only the documents the edit changed.

use pilotlight_core::world::{preset, BOOKINFO, BOOKINFO_FILE};
use pilotlight_core::{Loaded, Session, SourceFile};

/// Everything a load gives, spans included (the positioned trees print their spans).
fn fingerprint(l: &Loaded) -> String {
    format!("{:?}\n{:?}\n{:?}", l.mesh, l.diagnostics, l.objects)
}

fn files(istio: &str) -> Vec<SourceFile> {
    vec![
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new("istio.yaml", istio.to_string()),
    ]
}

/// Load through the session and fresh; they must agree. Returns the documents re-parsed.
fn same_as_fresh(session: &mut Session, istio: &str) -> usize {
    let files = files(istio);
    let incremental = session.load(&files);
    let fresh = pilotlight_core::load(&files);
    assert_eq!(fingerprint(&incremental), fingerprint(&fresh), "{istio}");
    session.reparsed()
}

#[test]
fn an_edit_reparses_only_its_document_and_loads_as_a_fresh_load_does() {
    let base = preset("request-routing-v1").unwrap().yaml;
    let docs = base.matches("\n---").count() + 1;
    let mut s = Session::new();
    let first = same_as_fresh(&mut s, base);
    assert!(first > docs, "the first load parses everything ({first})");
    assert_eq!(same_as_fresh(&mut s, base), 0, "nothing changed");

    // A change inside one document, same number of lines.
    let edited = base.replacen("subset: v1", "subset: v2", 1);
    assert_ne!(edited, base);
    assert_eq!(same_as_fresh(&mut s, &edited), 1);

    // Lines added to the first document move every later one: their parses are moved, not redone.
    let grown = edited.replacen("spec:", "spec:\n  # a comment\n  # another", 1);
    assert_eq!(same_as_fresh(&mut s, &grown), 1);
    // And removed again.
    assert_eq!(same_as_fresh(&mut s, &edited), 1);
}

#[test]
fn diagnostics_after_a_moved_document_keep_their_lines() {
    // An unknown field in the last document: its diagnostic's line must follow the document when
    // an earlier one grows.
    let base = format!(
        "{}\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: x\n  namespace: default\nspec:\n  host: reviews\n  bogus: 1\n",
        preset("request-routing-v1").unwrap().yaml.trim_end()
    );
    let mut s = Session::new();
    same_as_fresh(&mut s, &base);
    let line_of_bogus = |l: &Loaded| {
        l.diagnostics
            .iter()
            .find(|d| d.file == "istio.yaml" && d.message.contains("bogus"))
            .map(|d| d.line)
    };
    let before = line_of_bogus(&s.load(&files(&base))).expect("a diagnostic on bogus");
    let grown = base.replacen("spec:", "spec:\n  # one\n  # two\n  # three", 1);
    assert_eq!(same_as_fresh(&mut s, &grown), 1);
    let after = line_of_bogus(&s.load(&files(&grown))).unwrap();
    assert_eq!(after, before + 3);
    assert_eq!(
        grown.lines().nth(after as usize - 1).map(str::trim),
        Some("bogus: 1")
    );
}

#[test]
fn syntax_errors_documents_removed_and_json_load_as_fresh() {
    let base = preset("request-routing-v1").unwrap().yaml;
    let mut s = Session::new();
    same_as_fresh(&mut s, base);
    // A syntax error in the first document: the parser stops there, the rest is not read.
    let broken = base.replacen("spec:", "spec: [unclosed", 1);
    same_as_fresh(&mut s, &broken);
    same_as_fresh(&mut s, base);
    // A document removed.
    let cut = base.find("\n---").unwrap();
    same_as_fresh(&mut s, &base[cut + 1..]);
    // Documents reordered, an empty one and a document-end marker.
    let (a, b) = base.split_at(cut + 1);
    same_as_fresh(&mut s, &format!("{b}\n---\n{a}\n---\n...\n"));
    // JSON.
    same_as_fresh(
        &mut s,
        r#"{"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "r"}, "spec": {"hosts": ["reviews"]}}"#,
    );
    same_as_fresh(&mut s, "");
}
