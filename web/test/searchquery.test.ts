import { describe, expect, it } from "vitest";
import { highlightPieces, parseSearch, searchParams } from "../src/searchquery";

const resolve = {
  user: (n: string) => ({ alice: 1, bob: 2 } as Record<string, number>)[n.toLowerCase()],
  channel: (n: string) => ({ general: 7 } as Record<string, number>)[n.toLowerCase()],
};
const params = (text: string, guild?: number) => {
  const r = searchParams(parseSearch(text), resolve, guild);
  if ("error" in r) throw new Error(JSON.stringify(r.error));
  return Object.fromEntries([...new Set(r.params.keys())].map((k) => [k, r.params.getAll(k).join(",")]));
};

describe("search box filters", () => {
  it("splits words from filters, keeping unknown keys as words", () => {
    expect(parseSearch('hello from:alice world has:image note:x')).toEqual({
      words: "hello world note:x",
      filters: [{ key: "from", value: "alice" }, { key: "has", value: "image" }],
    });
    expect(parseSearch('in:"general" "two words"').filters).toEqual([{ key: "in", value: "general" }]);
    expect(parseSearch('"two words"').words).toBe("two words");
  });

  it("turns every filter into section 17's parameters", () => {
    expect(params("report from:@alice mentions:bob in:#general has:file has:link pinned:yes before:2024-02-01 after:2024-01-01", 3))
      .toEqual({ q: "report", guild_id: "3", author_id: "1", mentions: "2", channel_id: "7",
        has: "file,link", pinned: "true", before: "2024-02-01", after: "2024-01-01", limit: "25" });
  });

  it("needs no words when a filter is given; Cyrillic words pass through", () => {
    expect(params("from:bob has:image")).toEqual({ author_id: "2", has: "image", limit: "25" });
    expect(params("привет FROM:Alice")).toEqual({ q: "привет", author_id: "1", limit: "25" });
  });

  it("accepts RFC 3339 times with an offset", () => {
    expect(params("after:2024-01-01T10:00:00+03:00").after).toBe("2024-01-01T10:00:00+03:00");
  });

  it("names the first filter that cannot be used", () => {
    const err = (text: string) => {
      const r = searchParams(parseSearch(text), resolve);
      return "error" in r ? r.error : null;
    };
    expect(err("from:carol")).toEqual({ key: "from", value: "carol", reason: "unknown" });
    expect(err("in:nowhere")).toEqual({ key: "in", value: "nowhere", reason: "unknown" });
    expect(err("has:video")).toEqual({ key: "has", value: "video", reason: "invalid" });
    expect(err("pinned:maybe")).toEqual({ key: "pinned", value: "maybe", reason: "invalid" });
    expect(err("before:yesterday")).toEqual({ key: "before", value: "yesterday", reason: "invalid" });
    expect(err("after:2024-01-01T10:00")).toEqual({ key: "after", value: "2024-01-01T10:00", reason: "invalid" });
    expect(err("   ")).toEqual({ key: "q", value: "", reason: "empty" });
  });
});

describe("hit highlights", () => {
  it("marks the matched words, whole words, any case, Cyrillic too", () => {
    expect(highlightPieces("Report: the report(s) and reporting", ["report"])).toEqual([
      ["Report", true], [": the ", false], ["report", true], ["(s) and reporting", false],
    ]);
    expect(highlightPieces("Привет, мир", ["привет"])).toEqual([["Привет", true], [", мир", false]]);
    expect(highlightPieces("a.b", ["a.b"])).toEqual([["a.b", true]]);
    expect(highlightPieces("plain", [])).toEqual([["plain", false]]);
  });
});
