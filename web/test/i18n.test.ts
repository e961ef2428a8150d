import { afterEach, describe, expect, it } from "vitest";
import { detectLang, formatTime, setLang, t } from "../src/i18n";

afterEach(() => setLang("en"));

describe("i18n", () => {
  it("picks the stored language, else the browser's, else English", () => {
    expect(detectLang("ru", ["en-US"])).toBe("ru");
    expect(detectLang(null, ["de-DE", "ru-RU"])).toBe("ru");
    expect(detectLang(null, ["de-DE"])).toBe("en");
    expect(detectLang("xx", [])).toBe("en");
  });

  it("fills placeholders and plural forms in both languages", () => {
    expect(t("typing1", { a: "alice" })).toBe("alice is typing…");
    expect(t("votes", { n: 1 })).toBe("1 vote");
    expect(t("votes", { n: 3 })).toBe("3 votes");
    setLang("ru");
    expect(t("typing1", { a: "alice" })).toBe("alice печатает…");
    expect(t("votes", { n: 1 })).toBe("1 голос");
    expect(t("votes", { n: 3 })).toBe("3 голоса");
    expect(t("votes", { n: 5 })).toBe("5 голосов");
    expect(t("votes", { n: 21 })).toBe("21 голос");
  });

  it("formats times with Intl in the chosen language", () => {
    const now = new Date("2024-03-05T12:00:00Z");
    expect(formatTime("2024-01-02T10:00:00Z", now)).toMatch(/2024/);
    expect(formatTime("garbage", now)).toBe("");
  });
});
