// Writes `<file>.br` and `<file>.gz` next to each text and wasm file of the built site: brotli at
// its highest quality (15% smaller than the .gz on this page's wasm and JS; browsers take it over
// HTTPS, and Chromium from http://localhost too) and zopfli's gzip (4-5% smaller than gzip -9) for the
// rest. Hosts that serve precompressed files (nginx gzip_static and brotli_static, Caddy's
// `precompressed`, tests/e2e/server.mjs) send these instead of compressing on the fly; every other
// host ignores them.
// Usage: node web/build/precompress.mjs <dir>
import { gzip } from "@gfx/zopfli";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const COMPRESSIBLE = new Set([".wasm", ".js", ".css", ".html", ".svg", ".json", ".yaml"]);

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return COMPRESSIBLE.has(path.extname(e.name)) ? [p] : [];
  });
}

function zopfli(data) {
  return new Promise((resolve, reject) =>
    gzip(data, { numiterations: 15 }, (err, out) => (err ? reject(err) : resolve(Buffer.from(out)))),
  );
}

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node web/build/precompress.mjs <dir>");
  process.exit(2);
}
for (const file of files(dir)) {
  const data = fs.readFileSync(file);
  const packed = await zopfli(data);
  // A .gz that does not inflate to the file exactly would serve other code than the site has.
  if (!zlib.gunzipSync(packed).equals(data)) throw new Error(`${file}: zopfli output does not round-trip`);
  fs.writeFileSync(file + ".gz", packed);
  const brotli = zlib.brotliCompressSync(data, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_LGWIN]: zlib.constants.BROTLI_MAX_WINDOW_BITS,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  if (!zlib.brotliDecompressSync(brotli).equals(data)) throw new Error(`${file}: brotli output does not round-trip`);
  fs.writeFileSync(file + ".br", brotli);
}
