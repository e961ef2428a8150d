// Accessible names of links that show an unread mark or a count badge (channel list,
// server rail, Home/Friends). WCAG 2.5.3 (axe `label-content-name-mismatch`): the name
// must contain what is seen, so it starts with the visible name and the badge's number
// comes next, outside parentheses (axe, like speech input, discounts parentheticals).
import { t } from "./i18n";

/** What a count badge shows. */
export function badgeText(n: number): string {
  return n > 99 ? "99+" : String(n);
}

/** "2 mentions"; past 99 what the badge shows: "99+ mentions". */
export function mentionsText(n: number): string {
  return t("mentionCount", { n }).replace(String(n), badgeText(n));
}

/** "random", "random (unread)", "random, 2 mentions (unread)". */
export function unreadName(name: string, unread: boolean, mentions = 0): string {
  const state = unread ? ` (${t("unread")})` : "";
  return mentions > 0 ? `${name}, ${mentionsText(mentions)}${state}` : `${name}${state}`;
}

/** "Home", "Home, 1 Pending" (the friend requests badge). */
export function pendingName(name: string, pending: number): string {
  return pending > 0 ? `${name}, ${badgeText(pending)} ${t("pending")}` : name;
}
