// A small static file server for dist/: used by `make serve` and started by the browser tests.
// Serves .wasm as application/wasm (needed for WebAssembly.instantiateStreaming), and a file's
// precompressed .br or .gz when the browser accepts brotli or gzip.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".yaml": "text/yaml; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

// Serves `root` under the URL prefix `base` (e.g. "/sub/path/"), so tests can prove the site works
// under a sub-path. Resolves to the listening server; `port` 0 picks a free port.
export function serve(root, { host = "127.0.0.1", port = 0, base = "/" } = {}) {
  const rootDir = path.resolve(root);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let p = decodeURIComponent(url.pathname);
    if (!p.startsWith(base)) {
      res.writeHead(404).end("not found");
      return;
    }
    p = p.slice(base.length);
    if (p === "" || p.endsWith("/")) p += "index.html";
    const file = path.resolve(rootDir, p);
    if (!file.startsWith(rootDir + path.sep)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    const type = TYPES[path.extname(file)] || "application/octet-stream";
    const headers = { "content-type": type, "cache-control": "no-cache", vary: "accept-encoding" };
    // The precompressed copy `make dist` writes (web/build/precompress.mjs) in the best encoding
    // the browser takes: what a host with precompressed files would send.
    const accepted = req.headers["accept-encoding"] || "";
    const encoding = [
      ["br", ".br"],
      ["gzip", ".gz"],
    ].find(([name, ext]) => new RegExp(`\\b${name}\\b`).test(accepted) && fs.existsSync(file + ext));
    fs.readFile(encoding ? file + encoding[1] : file, (err, body) => {
      if (err) {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      if (encoding) headers["content-encoding"] = encoding[0];
      res.writeHead(200, headers).end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] || "dist";
  const port = Number(process.env.PORT || 8080);
  const server = await serve(root, { port });
  const { address, port: p } = server.address();
  console.log(`Serving ${root}/ on http://${address}:${p}/ (Ctrl-C to stop)`);
}
