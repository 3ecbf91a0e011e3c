// Starts the page: compiles the wasm module next to this file (relative URL, so any sub-path
// works) while the editor bundle is still being parsed, then starts the app once the document
// and the deferred editor bundle are ready (the app creates editors on its first render).
// `make dist` bundles wasm-bindgen's glue (pilotlight_web.js) into the dist/ copy of this file.
//
// The same file is the analysis worker's script (web/src/analysis_worker.rs): the page starts it
// as a module worker and posts it the compiled module, so nothing is fetched or compiled twice.
// index.html preloads the wasm, so its download starts with the HTML, not after this module.
// The marks (pl:boot, pl:wasm-compiled, pl:editor-ready, pl:start) let the browser tests and
// profiles split the time to pl:first-output (set by the app) into its parts.
import init, { findings_json, picture_json } from "./pilotlight_web.js";

if (typeof document === "undefined") {
  serveAnalysis();
} else {
  startPage();
}

function startPage() {
  performance.mark("pl:boot");
  const compiled = WebAssembly.compileStreaming(fetch(new URL("./pilotlight_web_bg.wasm", import.meta.url))).then(
    (module) => {
      performance.mark("pl:wasm-compiled");
      return module;
    },
  );
  // The editor bundle is a deferred script: it has run once window.PilotLight exists, or at
  // DOMContentLoaded (readyState is already "interactive" before deferred scripts run).
  const editorReady = (
    window.PilotLight
      ? Promise.resolve()
      : new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }))
  ).then(() => performance.mark("pl:editor-ready"));

  Promise.all([compiled, editorReady])
    .then(([module]) => {
      performance.mark("pl:start");
      window.PilotLightWorker = () => {
        const worker = new Worker(import.meta.url, { type: "module" });
        worker.postMessage(module);
        return worker;
      };
      return init({ module_or_path: module });
    })
    .catch((err) => {
      const box = document.getElementById("boot");
      if (box) {
        box.textContent = "Pilot Light could not start: " + String(err && err.message ? err.message : err);
        box.classList.add("boot-error");
      }
      console.error(err);
    });
}

// In the worker: the first message is the compiled module, each later one a request (JSON text),
// answered twice and in order: the mesh picture, then the findings.
function serveAnalysis() {
  let ready = null;
  self.onmessage = (e) => {
    if (e.data instanceof WebAssembly.Module) {
      ready = init({ module_or_path: e.data });
      ready.catch((err) => setTimeout(() => { throw err; }));
      return;
    }
    ready.then(() => {
      self.postMessage(picture_json(e.data));
      self.postMessage(findings_json());
    });
  };
}
