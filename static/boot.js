// Starts the page: compiles the wasm module next to this file (relative URL, so any sub-path
// works) while the editor bundle is still being parsed, then starts the app once the document
// and the deferred editor bundle are ready (the app creates editors on its first render).
// `make dist` bundles wasm-bindgen's glue (pilotlight_web.js) into the dist/ copy of this file.
import init from "./pilotlight_web.js";

performance.mark("pl:boot");
const compiled = WebAssembly.compileStreaming(fetch(new URL("./pilotlight_web_bg.wasm", import.meta.url)));
// The editor bundle is a deferred script: it has run once window.PilotLight exists, or at
// DOMContentLoaded (readyState is already "interactive" before deferred scripts run).
const editorReady = window.PilotLight
  ? Promise.resolve()
  : new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));

Promise.all([compiled, editorReady])
  .then(([module]) => init({ module_or_path: module }))
  .catch((err) => {
    const box = document.getElementById("boot");
    if (box) {
      box.textContent = "Pilot Light could not start: " + String(err && err.message ? err.message : err);
      box.classList.add("boot-error");
    }
    console.error(err);
  });
