// The search box: its text parsed into section 17's filters, names resolved against
// the guild on screen (members for from:/mentions:, channels for in:).
import { api } from "../api";
import { t } from "../i18n";
import { parseSearch, searchParams, type SearchError } from "../searchquery";
import { getState, setState, toast } from "../store";
import type { SearchHit } from "../types";
import { showError } from "./common";

function errorText(e: SearchError): string {
  if (e.reason === "empty") return t("searchEmpty");
  if (e.reason === "unknown") {
    return e.key === "in" ? t("searchUnknownChannel", { name: e.value }) : t("searchUnknownUser", { name: e.value });
  }
  return t("searchBadValue", { key: e.key, value: e.value });
}

/** Runs a search typed in the box; a filter that cannot be used is said in a toast
 *  (nothing is asked of the server) and gives no results. */
export async function runSearch(text: string): Promise<SearchHit[]> {
  const s = getState();
  const guildId = s.route.name === "channels" ? s.route.guildId : undefined;
  const members = guildId ? s.members[guildId] ?? [] : [];
  const channels = guildId ? s.channels[guildId] ?? [] : [];
  const lower = (x: string) => x.toLowerCase();
  const built = searchParams(parseSearch(text), {
    user: (name) => members.find((m) => lower(m.username) === lower(name))?.id,
    channel: (name) => channels.find((c) => c.type !== "category" && lower(c.name) === lower(name))?.id,
  }, guildId);
  if ("error" in built) {
    toast(errorText(built.error));
    return [];
  }
  return api.search(built.params);
}

let searchSeq = 0;
export async function search(q: string): Promise<void> {
  const seq = ++searchSeq;
  setState({ panel: "search", search: { q, results: null, loading: true } });
  try {
    const results = await runSearch(q);
    if (seq === searchSeq) setState({ search: { q, results, loading: false } });
  } catch (e) {
    if (seq === searchSeq) setState({ search: { q, results: [], loading: false } });
    showError(e);
  }
}
