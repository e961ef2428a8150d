// Prints the gzipped size of the JavaScript the first load fetches and fails the
// build past the budget (60 KB, issue 17), so a heavy dependency cannot creep in
// unseen. First load = the entry script of index.html and the chunks it preloads;
// lazily imported chunks (dialogs, settings) are listed but not counted.
// Also writes a gzipped twin (`name.gz`) of every script and stylesheet, which the
// server sends to a browser that accepts gzip (src/guildhall/web.py).
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 60 * 1024;
const out = new URL("../../src/guildhall/static/", import.meta.url).pathname;
const html = readFileSync(join(out, "index.html"), "utf8");
if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) {
  console.error("index.html has an inline script: the server's CSP (script-src 'self') forbids it");
  process.exit(1);
}
const firstLoad = new Set(
  [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/assets\/([^"]+\.js)"/g)]
    .map((m) => m[1]));
if (firstLoad.size === 0) {
  console.error("index.html names no script under /assets/");
  process.exit(1);
}
const assets = join(out, "assets");
let total = 0;
for (const name of readdirSync(assets).filter((n) => /\.(js|css)$/.test(n))) {
  const code = readFileSync(join(assets, name));
  const gz = gzipSync(code, { level: 9 });
  writeFileSync(join(assets, `${name}.gz`), gz);
  if (!name.endsWith(".js")) continue;
  if (/\beval\(|new Function\(/.test(code.toString())) {
    console.error(`${name} uses eval/new Function: the CSP forbids it`);
    process.exit(1);
  }
  const first = firstLoad.has(name);
  if (first) total += gz.length;
  console.log(`  ${name}: ${(code.length / 1024).toFixed(1)} KB, ${(gz.length / 1024).toFixed(1)} KB gzipped`
    + (first ? "" : " (lazy)"));
}
console.log(`first-load JS: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error("over the JS budget");
  process.exit(1);
}
