// The module graph of web/src has no cycles: a cycle makes load order decide which
// bindings exist when a module body runs, and ties domains together (issue 16).
// Type-only imports are erased by the compiler and do not count; dynamic import()
// does, so a lazily loaded dialog cannot import its way back to its loader.
import { describe, expect, it } from "vitest";

// Every module's text, keyed "../src/<path>" (Vite reads them at collection time).
const SOURCES = import.meta.glob<string>("../src/**/*.{ts,tsx}",
  { query: "?raw", import: "default", eager: true });

/** a/b/../c -> a/c */
function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === ".." && out.length && out[out.length - 1] !== "..") out.pop();
    else if (part !== ".") out.push(part);
  }
  return out.join("/");
}

/** Relative specifiers a module loads at run time (static, re-exports, dynamic). */
export function runtimeImports(code: string): string[] {
  const out: string[] = [];
  const text = code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const stmt = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*["']([^"']+)["']/gm;
  for (const m of text.matchAll(stmt)) {
    if (m[2]) continue; // import type / export type
    const clause = m[3].replace(/\s+/g, " ");
    // `import { type A, type B } from` is erased too.
    const named = clause.match(/^\{(.*)\}$/);
    if (named && named[1].split(",").every((x) => !x.trim() || x.trim().startsWith("type "))) continue;
    out.push(m[4]);
  }
  for (const m of text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) out.push(m[1]);
  for (const m of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1]);
  return out.filter((s) => s.startsWith("."));
}

function resolveSpec(from: string, spec: string): string | undefined {
  const base = normalize(`${from.slice(0, from.lastIndexOf("/"))}/${spec}`);
  return ["", ".ts", ".tsx", "/index.ts", "/index.tsx"].map((e) => base + e)
    .find((p) => p in SOURCES);
}

export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 1) cycles.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return cycles;
}

describe("web/src imports", () => {
  it("finds a cycle when there is one (the checker can fail)", () => {
    const g = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
    expect(findCycles(g)).toEqual([["a", "b", "c", "a"]]);
    expect(runtimeImports('import { x } from "./a";\nimport type { Y } from "./b";\n'
      + 'import { type Z } from "./c";\nconst m = import("./d");\nexport { w } from "./e";'))
      .toEqual(["./a", "./e", "./d"]);
  });

  it("form no cycle", () => {
    const graph = new Map<string, string[]>();
    for (const [f, code] of Object.entries(SOURCES)) {
      const deps = runtimeImports(code).filter((spec) => !spec.endsWith(".css")).map((spec) => {
        const r = resolveSpec(f, spec);
        if (!r) throw new Error(`${f}: cannot resolve ${spec}`);
        return r;
      });
      graph.set(f, deps);
    }
    expect(graph.size).toBeGreaterThan(50);
    const cycles = findCycles(graph).map((c) => c.join(" -> "));
    expect(cycles).toEqual([]);
  });
});
