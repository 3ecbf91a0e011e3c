// Starts the page: loads the wasm module next to this file (relative URL, so any sub-path works).
import init from "./pilotlight_web.js";

performance.mark("pl:boot");
init().catch((err) => {
  const box = document.getElementById("boot");
  if (box) {
    box.textContent = "Pilot Light could not start: " + String(err && err.message ? err.message : err);
    box.classList.add("boot-error");
  }
  console.error(err);
});
