import { describe, expect, it } from "vitest";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { renderMarkdown, safeHref, tokenize } from "../src/markdown";

const html = (src: string, emojis = {}) => renderToString(h("div", null, renderMarkdown(src, emojis)));

describe("tokenize", () => {
  it("keeps plain text as one text node", () => {
    expect(tokenize("hello world")).toEqual([{ t: "text", text: "hello world" }]);
  });

  it("parses bold, italic and inline code", () => {
    expect(tokenize("**b** *i* `c`")).toEqual([
      { t: "bold", children: [{ t: "text", text: "b" }] },
      { t: "text", text: " " },
      { t: "italic", children: [{ t: "text", text: "i" }] },
      { t: "text", text: " " },
      { t: "code", text: "c" },
    ]);
  });

  it("does not treat snake_case underscores as emphasis", () => {
    expect(tokenize("snake_case_name")).toEqual([{ t: "text", text: "snake_case_name" }]);
    expect(tokenize("_it_")).toEqual([{ t: "italic", children: [{ t: "text", text: "it" }] }]);
  });

  it("keeps markup inside code literal", () => {
    expect(tokenize("`**not bold** http://x.y`")).toEqual([{ t: "code", text: "**not bold** http://x.y" }]);
  });

  it("parses fenced code blocks with a language", () => {
    expect(tokenize("```py\nprint('*x*')\n```")).toEqual([
      { t: "codeblock", text: "print('*x*')\n", lang: "py" },
    ]);
  });

  it("links bare http and https URLs without trailing punctuation", () => {
    const nodes = tokenize("see https://example.com/a?b=1.");
    expect(nodes[1]).toEqual({ t: "link", href: "https://example.com/a?b=1",
      children: [{ t: "text", text: "https://example.com/a?b=1" }] });
    expect(nodes[2]).toEqual({ t: "text", text: "." });
  });

  it("parses [text](url) links for http(s) only", () => {
    expect(tokenize("[site](http://a.example)")[0]).toMatchObject({ t: "link", href: "http://a.example/" });
    expect(tokenize("[x](javascript:alert(1))")).toEqual([{ t: "text", text: "[x](javascript:alert(1))" }]);
  });

  it("turns known custom emoji names into images and leaves unknown ones as text", () => {
    const emojis = { party: "/uploads/e/party.png" };
    expect(tokenize(":party: :nope:", emojis)).toEqual([
      { t: "emoji", name: "party", src: "/uploads/e/party.png" },
      { t: "text", text: " :nope:" },
    ]);
  });

  it("does not use inherited object keys as emoji names", () => {
    expect(tokenize(":constructor:", {})).toEqual([{ t: "text", text: ":constructor:" }]);
  });

  it("leaves unbalanced markers as text", () => {
    expect(tokenize("**open and `tick")).toEqual([{ t: "text", text: "**open and `tick" }]);
  });
});

describe("safeHref", () => {
  it("accepts only http and https", () => {
    expect(safeHref("https://x.test/")).toBe("https://x.test/");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("data:text/html,<b>")).toBeNull();
    expect(safeHref("not a url")).toBeNull();
  });
});

describe("renderMarkdown", () => {
  it("escapes HTML in user text: it is shown, never parsed", () => {
    const out = html("<img src=x onerror=alert(1)>");
    expect(out).toBe("<div>&lt;img src=x onerror=alert(1)></div>");
    expect(out).not.toContain("<img");
  });

  it("escapes HTML inside formatting and code", () => {
    expect(html("**<b>x</b>** `<script>`")).toBe(
      "<div><strong>&lt;b>x&lt;/b></strong> <code>&lt;script></code></div>");
  });

  it("opens links in a new tab without opener or referrer", () => {
    expect(html("https://example.com")).toBe(
      '<div><a href="https://example.com/" target="_blank" rel="noopener noreferrer">https://example.com</a></div>');
  });

  it("quotes attribute values a link text tries to break out of", () => {
    const out = html('[x"onmouseover="alert(1)](https://e.test/"onload="x)');
    expect(out).not.toMatch(/ onmouseover=/);
    expect(out).not.toMatch(/ onload=/);
  });

  it("renders custom emojis as images with their name as alt text", () => {
    expect(html(":wave:", { wave: "/uploads/w.png" })).toBe(
      '<div><img class="emoji" src="/uploads/w.png" alt=":wave:" title=":wave:" draggable="false"/></div>');
  });
});
