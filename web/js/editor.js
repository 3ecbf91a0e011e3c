// The editor bridge: a few functions that the Rust page calls (see web/src/bridge.rs) over CodeMirror 6.
// esbuild bundles this module into dist/editor.js as a classic script that defines `window.PilotLight`.
// Text given to CodeMirror is plain text: nothing here builds HTML from user input.

import {
  EditorView,
  Decoration,
  lineNumbers,
  highlightActiveLineGutter,
  highlightSpecialChars,
  drawSelection,
  dropCursor,
  rectangularSelection,
  crosshairCursor,
  highlightActiveLine,
  keymap,
  showPanel,
} from "@codemirror/view";
import { EditorState, StateEffect, StateField, Compartment } from "@codemirror/state";
import {
  HighlightStyle,
  syntaxHighlighting,
  foldGutter,
  indentOnInput,
  bracketMatching,
  foldKeymap,
} from "@codemirror/language";
import { history, defaultKeymap, historyKeymap } from "@codemirror/commands";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { yaml } from "@codemirror/lang-yaml";
import { json } from "@codemirror/lang-json";
import { setDiagnostics, lintGutter, lintKeymap } from "@codemirror/lint";
import { tags } from "@lezer/highlight";

// Colours come from CSS variables so that light and dark follow prefers-color-scheme (static/style.css).
const highlight = HighlightStyle.define([
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: "var(--hl-key)" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--hl-string)" },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: "var(--hl-atom)" },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: "var(--hl-comment)", fontStyle: "italic" },
  { tag: [tags.keyword, tags.meta, tags.processingInstruction, tags.labelName], color: "var(--hl-keyword)" },
  { tag: [tags.punctuation, tags.separator, tags.brace, tags.squareBracket], color: "var(--hl-punct)" },
]);

// codemirror's basicSetup without what never applies here: autocompletion (neither the YAML nor
// the JSON language has completion sources, so it never offered anything) and the fallback
// highlight style (the style above always replaces it). Importing the pieces rather than
// basicSetup keeps the completion UI out of the bundle.
const setup = [
  lineNumbers(),
  highlightActiveLineGutter(),
  highlightSpecialChars(),
  history(),
  foldGutter(),
  drawSelection(),
  dropCursor(),
  EditorState.allowMultipleSelections.of(true),
  indentOnInput(),
  bracketMatching(),
  closeBrackets(),
  rectangularSelection(),
  crosshairCursor(),
  highlightActiveLine(),
  highlightSelectionMatches(),
  keymap.of([
    ...closeBracketsKeymap,
    ...defaultKeymap,
    ...searchKeymap,
    ...historyKeymap,
    ...foldKeymap,
    ...lintKeymap,
  ]),
];

const setHighlight = StateEffect.define();
const highlightLine = Decoration.line({ class: "pl-hl-line" });
const highlightField = StateField.define({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const e of tr.effects) {
      if (e.is(setHighlight)) {
        const ranges = [];
        const doc = tr.state.doc;
        for (const [start, end] of e.value) {
          const a = Math.max(1, Math.min(start, doc.lines));
          const b = Math.max(a, Math.min(end, doc.lines));
          for (let n = a; n <= b; n++) ranges.push(highlightLine.range(doc.line(n).from));
        }
        deco = Decoration.set(ranges, true);
      }
    }
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

function language(name) {
  return name === "json" ? json() : yaml();
}

// Above this size a text is edited as plain text: CodeMirror's YAML and JSON parsers re-parse
// around every keystroke and keep parsing the rest in 100 ms background slices, which on a
// 1,000-service paste (1.4 MB) made every key a 50-110 ms main-thread task. Bookinfo is 8 KB,
// the largest preset 5 KB.
const PLAIN_TEXT_CHARS = 256 * 1024;

function offset(doc, line, column) {
  const l = doc.line(Math.max(1, Math.min(line || 1, doc.lines)));
  return Math.min(l.from + Math.max(0, (column || 1) - 1), l.to);
}

class Editor {
  constructor(parent, text, options, onChange, onCursor) {
    this.silent = false;
    this.lastLine = 0;
    this.lang = new Compartment();
    this.langName = options.language;
    const readOnly = !!options.readOnly;
    // Plain text: no language, and a panel that says why the colours are gone.
    const note = options.plainNote || "";
    this.plain = note ? showPanel.of(() => plainPanel(note)) : [];
    this.view = new EditorView({
      parent,
      state: EditorState.create({
        doc: text,
        extensions: [
          setup,
          syntaxHighlighting(highlight),
          this.lang.of(this.languageFor(text.length)),
          // A text that grows past the size (a paste) or shrinks below it switches language.
          EditorState.transactionExtender.of((tr) => {
            if (!tr.docChanged) return null;
            const plain = this.lang.get(tr.startState) === this.plain;
            const large = tr.newDoc.length > PLAIN_TEXT_CHARS;
            return plain === large ? null : { effects: this.lang.reconfigure(this.languageFor(tr.newDoc.length)) };
          }),
          lintGutter(),
          highlightField,
          EditorState.readOnly.of(readOnly),
          // tabindex: a read-only viewer's scroller must be reachable by keyboard too (axe's
          // scrollable-region-focusable), and contenteditable alone does not count for it.
          EditorView.contentAttributes.of({ "aria-label": options.label || "editor", tabindex: "0" }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged && !this.silent && onChange) {
              performance.mark("pl:edit");
              onChange(u.state.doc.toString());
            }
            // Only the user's own cursor: a text replaced from outside (a preset) moves the
            // selection too, and must not open "what this object generates" unasked.
            if ((u.selectionSet || u.docChanged) && onCursor && !this.silent && u.view.hasFocus) {
              const line = u.state.doc.lineAt(u.state.selection.main.head).number;
              if (line !== this.lastLine) {
                this.lastLine = line;
                onCursor(line);
              }
            }
          }),
        ],
      }),
    });
  }
  // The language extension for a document of `length` characters: plain text when it is large.
  languageFor(length) {
    return length > PLAIN_TEXT_CHARS ? this.plain : language(this.langName);
  }
  getText() {
    return this.view.state.doc.toString();
  }
  setText(text) {
    if (text === this.getText()) return;
    this.silent = true;
    try {
      this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
    } finally {
      this.silent = false;
    }
  }
  setLanguage(name) {
    this.langName = name;
    this.view.dispatch({ effects: this.lang.reconfigure(this.languageFor(this.view.state.doc.length)) });
  }
  // `diagnostics`: JSON text of [{line, column, end_line, end_column, severity, message}] (1-based).
  setDiagnostics(diagnosticsJson) {
    const doc = this.view.state.doc;
    const list = JSON.parse(diagnosticsJson).map((d) => {
      const from = offset(doc, d.line, d.column);
      let to = offset(doc, d.end_line || d.line, d.end_column || d.column);
      if (to <= from) to = Math.min(doc.lineAt(from).to, from + 1);
      if (to <= from) to = from;
      return { from, to, severity: d.severity, message: d.message, source: d.code || undefined };
    });
    this.view.dispatch(setDiagnostics(this.view.state, list));
  }
  // `rangesJson`: JSON text of [[startLine, endLine], ...] (1-based, inclusive).
  highlightLines(rangesJson) {
    this.view.dispatch({ effects: setHighlight.of(JSON.parse(rangesJson)) });
  }
  scrollToLine(line, select) {
    const doc = this.view.state.doc;
    const l = doc.line(Math.max(1, Math.min(line, doc.lines)));
    const spec = { effects: EditorView.scrollIntoView(l.from, { y: "center" }) };
    if (select) spec.selection = { anchor: l.from };
    this.view.dispatch(spec);
    if (select) this.view.focus();
  }
  focus() {
    this.view.focus();
  }
  destroy() {
    this.view.destroy();
  }
}

// The note is plain text (textContent): nothing here builds HTML.
function plainPanel(note) {
  const dom = document.createElement("div");
  dom.className = "pl-plain-note";
  dom.setAttribute("data-testid", "plain-text-note");
  dom.textContent = note;
  return { dom, top: true };
}

function createEditor(parent, text, optionsJson, onChange, onCursor) {
  return new Editor(parent, text, JSON.parse(optionsJson || "{}"), onChange, onCursor);
}

// The document of the editor or viewer that contains `element` (used by the browser tests).
function textOf(element) {
  const view = element && EditorView.findFromDOM(element.querySelector(".cm-editor") || element);
  return view ? view.state.doc.toString() : null;
}

function mark(name) {
  performance.mark(name);
}

function measure(name, start) {
  try {
    performance.measure(name, start);
  } catch (_) {
    // the start mark may not exist (no edit yet): nothing to measure
  }
}

window.PilotLight = { createEditor, textOf, mark, measure };
