// Calendar days in the reader's time zone: where the message list puts a date
// separator, and what it says.
import { getLang } from "./i18n";
import { tf } from "./i18n-features";

/** The local calendar day of a timestamp, "YYYY-MM-DD" ("" for an invalid one). */
export function dayKey(iso: string | Date): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return "";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** A separator goes above `m` when it is written on another day than `prev`; above
 *  the first row only when it is the channel's very first message (`atStart`). */
export function startsNewDay(prev: { timestamp: string } | undefined, m: { timestamp: string },
  atStart = false): boolean {
  if (!prev) return atStart;
  const a = dayKey(prev.timestamp);
  const b = dayKey(m.timestamp);
  return a !== "" && b !== "" && a !== b;
}

/** "Today", "Yesterday", else the long date ("March 3, 2026"; "3 марта 2026 г."). */
export function formatDay(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const key = dayKey(d);
  if (key === dayKey(now)) return tf("today");
  const y = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  if (key === dayKey(y)) return tf("yesterday");
  return new Intl.DateTimeFormat(getLang(), { dateStyle: "long" }).format(d);
}
