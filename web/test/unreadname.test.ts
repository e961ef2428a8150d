import { afterEach, describe, expect, it } from "vitest";
import { setLang } from "../src/i18n";
import { badgeText, mentionsText, pendingName, unreadName } from "../src/unreadname";

afterEach(() => setLang("en"));

/** axe's label-in-name test, simplified: the visible words, in order, inside the name's
 *  words once parentheticals and punctuation are dropped. */
function containsLabel(name: string, visible: string): boolean {
  const words = (s: string) => s.replace(/\([^()]*\)/g, "").toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, " ").split(/\s+/).filter(Boolean);
  const have = words(name);
  const want = words(visible);
  return have.some((_, i) => want.every((w, j) => have[i + j] === w));
}

describe("names of links with unread marks and badges", () => {
  it("start with what is seen and say the badge's number outside parentheses", () => {
    expect(unreadName("random", false)).toBe("random");
    expect(unreadName("random", true)).toBe("random (unread)");
    expect(unreadName("random", true, 2)).toBe("random, 2 mentions (unread)");
    expect(unreadName("general", true, 1)).toBe("general, 1 mention (unread)");
    expect(pendingName("Home", 0)).toBe("Home");
    expect(pendingName("Home", 3)).toBe("Home, 3 Pending");
  });

  it("contain the visible text (name then badge), as WCAG 2.5.3 asks", () => {
    for (const n of [1, 2, 7, 99, 100, 1234]) {
      const visible = `random ${badgeText(n)}`;
      expect(containsLabel(unreadName("random", true, n), visible)).toBe(true);
    }
    // what the old names did: the count inside the parenthesis is not heard as the label
    expect(containsLabel("random (unread, 2 mentions)", "random 2")).toBe(false);
  });

  it("say 99+ past 99, as the badge does, in both languages", () => {
    expect(badgeText(99)).toBe("99");
    expect(badgeText(100)).toBe("99+");
    expect(mentionsText(250)).toBe("99+ mentions");
    setLang("ru");
    expect(unreadName("общий", true, 3)).toBe("общий, 3 упоминания (непрочитано)");
    expect(mentionsText(5)).toBe("5 упоминаний");
    expect(mentionsText(120)).toBe("99+ упоминаний");
  });
});
