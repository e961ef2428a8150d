// Every server URL is spelled in src/api.ts (issue 16): components and actions call
// its typed methods, so a path changes in one place.
import { describe, expect, it } from "vitest";

const SOURCES = import.meta.glob<string>("../src/**/*.{ts,tsx}",
  { query: "?raw", import: "default", eager: true });

describe("server URLs", () => {
  it("appear only in api.ts", () => {
    const offenders = Object.entries(SOURCES)
      .filter(([path]) => path !== "../src/api.ts")
      .flatMap(([path, code]) => code.split("\n").map((line, i) => [path, i + 1, line] as const))
      .filter(([, , line]) => /["'`]\/api(\/|["'`?])/.test(line) && !/^\s*(\/\/|\*)/.test(line))
      .map(([path, n, line]) => `${path}:${n}: ${line.trim()}`);
    expect(Object.keys(SOURCES).length).toBeGreaterThan(50);
    expect(offenders).toEqual([]);
  });
});
