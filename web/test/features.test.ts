import { describe, expect, it } from "vitest";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { renderMarkdown, tokenize } from "../src/markdown";
import { dayKey, formatDay, startsNewDay } from "../src/dates";
import { farFromBottom } from "../src/components/MessageList";

const html = (src: string) => renderToString(h("div", null, renderMarkdown(src)));

describe("markdown: strikethrough, spoilers, quotes", () => {
  it("parses ~~strike~~ and ||spoiler|| with markup inside", () => {
    expect(tokenize("~~old~~ ||**big** secret||")).toEqual([
      { t: "strike", children: [{ t: "text", text: "old" }] },
      { t: "text", text: " " },
      { t: "spoiler", children: [{ t: "bold", children: [{ t: "text", text: "big" }] }, { t: "text", text: " secret" }] },
    ]);
  });

  it("leaves unclosed or empty markers as text", () => {
    expect(tokenize("a ~~b and ||c")).toEqual([{ t: "text", text: "a ~~b and ||c" }]);
    expect(tokenize("|||| ~~~~")).toEqual([{ t: "text", text: "|||| ~~~~" }]);
    expect(tokenize("x || y")).toEqual([{ t: "text", text: "x || y" }]);
  });

  it("quotes consecutive '> ' lines at line starts only", () => {
    expect(tokenize("> one\n> *two*\nafter")).toEqual([
      { t: "quote", children: [{ t: "text", text: "one\n" }, { t: "italic", children: [{ t: "text", text: "two" }] }] },
      { t: "text", text: "after" },
    ]);
    expect(tokenize("a > b")).toEqual([{ t: "text", text: "a > b" }]);
    expect(tokenize(">no space")).toEqual([{ t: "text", text: ">no space" }]);
    expect(tokenize("x\n> y")).toEqual([{ t: "text", text: "x\n" }, { t: "quote", children: [{ t: "text", text: "y" }] }]);
  });

  it("'>>> ' quotes everything after it", () => {
    expect(tokenize(">>> a\nb\nc")).toEqual([{ t: "quote", children: [{ t: "text", text: "a\nb\nc" }] }]);
  });

  it("renders safe elements; a spoiler starts hidden and is a button", () => {
    expect(html("~~x~~")).toBe("<div><s>x</s></div>");
    expect(html("> q")).toBe("<div><blockquote>q</blockquote></div>");
    const sp = html("||<b>hi</b>||");
    expect(sp).toContain('class="spoiler "');
    expect(sp).toContain('role="button"');
    expect(sp).toContain("&lt;b>hi&lt;/b>");
    expect(sp).not.toContain("<b>");
  });

  it("does not quote inside code blocks", () => {
    expect(tokenize("```\n> x\n```")).toEqual([{ t: "codeblock", text: "> x\n" }]);
  });
});

describe("dates", () => {
  it("keys days in local time", () => {
    expect(dayKey(new Date(2026, 2, 3, 23, 59))).toBe("2026-03-03");
    expect(dayKey("not a date")).toBe("");
  });

  it("starts a new day only across a calendar day", () => {
    const at = (d: number, hh: number) => ({ timestamp: new Date(2026, 2, d, hh).toISOString() });
    expect(startsNewDay(at(3, 10), at(3, 23))).toBe(false);
    expect(startsNewDay(at(3, 23), at(4, 0))).toBe(true);
    expect(startsNewDay(undefined, at(4, 0))).toBe(false);
    expect(startsNewDay(undefined, at(4, 0), true)).toBe(true);
  });

  it("says Today, Yesterday, else the date", () => {
    const now = new Date(2026, 2, 10, 12);
    expect(formatDay(new Date(2026, 2, 10, 1).toISOString(), now)).toBe("Today");
    expect(formatDay(new Date(2026, 2, 9, 23).toISOString(), now)).toBe("Yesterday");
    expect(formatDay(new Date(2026, 2, 1, 9).toISOString(), now)).toContain("2026");
  });
});

describe("jump to present", () => {
  it("shows more than a screen and a half above the bottom", () => {
    expect(farFromBottom(0, 800, 1000)).toBe(false);
    expect(farFromBottom(0, 800, 800 + 1201)).toBe(true);
    expect(farFromBottom(2000, 800, 2800)).toBe(false);
  });
});
