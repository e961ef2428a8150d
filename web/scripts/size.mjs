// Prints the gzipped size of the JavaScript the first load fetches and fails the
// build past the budget (150 KB), so a heavy dependency cannot creep in unseen.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 150 * 1024;
const out = new URL("../../src/guildhall/static/", import.meta.url).pathname;
const html = readFileSync(join(out, "index.html"), "utf8");
if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) {
  console.error("index.html has an inline script: the server's CSP (script-src 'self') forbids it");
  process.exit(1);
}
const assets = join(out, "assets");
let total = 0;
for (const name of readdirSync(assets).filter((n) => n.endsWith(".js"))) {
  const code = readFileSync(join(assets, name));
  if (/\beval\(|new Function\(/.test(code.toString())) {
    console.error(`${name} uses eval/new Function: the CSP forbids it`);
    process.exit(1);
  }
  const gz = gzipSync(code, { level: 9 }).length;
  total += gz;
  console.log(`  ${name}: ${(code.length / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped`);
}
console.log(`first-load JS: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error("over the JS budget");
  process.exit(1);
}
