// WCAG 2.2 contrast ratio between two #rrggbb (or #rgb) colours (1.4.3 text, 1.4.11 non-text).

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

export function luminance(hex: string): number {
  const m = /^#([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(hex.trim());
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const six = m[1].length === 3 ? m[1].replace(/./g, "$&$&") : m[1];
  const n = parseInt(six, 16);
  return 0.2126 * channel(n >> 16) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The custom properties each theme block of styles.css sets: { dark: {bg: "#313338", …}, light: … }. */
export function themeVars(css: string): Record<"dark" | "light", Record<string, string>> {
  const out = { dark: {} as Record<string, string>, light: {} as Record<string, string> };
  const blocks = css.matchAll(/([^{}]*\[data-theme="(dark|light)"\][^{}]*)\{([^}]*)\}/g);
  for (const [, , theme, body] of blocks) {
    for (const [, name, value] of body.matchAll(/--([\w-]+):\s*([^;]+);/g)) {
      out[theme as "dark" | "light"][name] = value.trim();
    }
  }
  return out;
}
