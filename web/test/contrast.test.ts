import { describe, expect, it } from "vitest";
import { contrast, themeVars } from "./contrast";

// The stylesheet as written (vitest hands `?raw` CSS over empty); no @types/node here.
const fsModule = "node:fs";
const { readFileSync } = (await import(/* @vite-ignore */ fsModule)) as {
  readFileSync(path: URL, encoding: "utf8"): string };
const css = readFileSync(new URL("../src/styles.css", import.meta.url), "utf8");

const themes = themeVars(css);

describe("contrast helper", () => {
  it("matches the WCAG reference values", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrast("#ffffff", "#ffffff")).toBe(1);
    expect(contrast("#767676", "#ffffff")).toBeCloseTo(4.54, 2);
    // the order of the two colours does not matter
    expect(contrast("#5865f2", "#313338")).toBeCloseTo(contrast("#313338", "#5865f2"), 10);
    // the dark theme's old focus ring on its background: the 2.74:1
    expect(contrast("#5865f2", "#313338")).toBeCloseTo(2.74, 2);
  });

  it("refuses what is not #rrggbb", () => {
    expect(() => contrast("red", "#fff")).toThrow();
    expect(contrast("#fff", "#000")).toBeCloseTo(21, 5);
  });
});

// The pairs issue 17 names, on every surface they are drawn on, in both themes.
const surfaces = ["bg", "bg2", "bg3", "bg-active"];
for (const theme of ["dark", "light"] as const) {
  describe(`${theme} theme (WCAG 2.2 AA)`, () => {
    const v = themes[theme];
    it("reads every colour it checks", () => {
      for (const k of [...surfaces, "focus", "danger", "danger-text", "placeholder", "text", "muted", "accent"]) {
        expect(v[k], k).toMatch(/^#[0-9a-f]{6}$/i);
      }
    });
    it("focus ring >= 3:1 on every surface (1.4.11, 2.4.13)", () => {
      for (const s of surfaces) expect(contrast(v.focus, v[s]), s).toBeGreaterThanOrEqual(3);
    });
    it("error text >= 4.5:1 on the surfaces it appears on (1.4.3)", () => {
      for (const s of ["bg", "bg2", "bg3"]) expect(contrast(v["danger-text"], v[s]), s).toBeGreaterThanOrEqual(4.5);
    });
    it("white on the danger colour >= 4.5:1 (badges, danger buttons)", () => {
      expect(contrast("#ffffff", v.danger)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(v["accent-text"], v.accent)).toBeGreaterThanOrEqual(4.5);
    });
    it("placeholder >= 4.5:1 on the composer and the inputs", () => {
      for (const s of ["bg-active", "bg3"]) expect(contrast(v.placeholder, v[s]), s).toBeGreaterThanOrEqual(4.5);
    });
    it("body and muted text >= 4.5:1 on the page", () => {
      for (const s of ["bg", "bg2"]) {
        expect(contrast(v.text, v[s]), s).toBeGreaterThanOrEqual(4.5);
        expect(contrast(v.muted, v[s]), s).toBeGreaterThanOrEqual(4.5);
      }
    });
  });
}
