// The channel last open in each server, kept in localStorage: coming back to a server
// (its icon in the rail, /channels/<guild>) opens where the reader left off.
const KEY = "lastChannels";

function read(): Record<string, number> {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? "{}");
    return v && typeof v === "object" && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

export function rememberChannel(guildId: number, channelId: number): void {
  const all = read();
  if (all[guildId] === channelId) return;
  all[guildId] = channelId;
  try { localStorage.setItem(KEY, JSON.stringify(all)); } catch { /* private mode: forget */ }
}

/** The channel to open in a server: the remembered one while it is still listed and
 *  readable as text, else the first text channel. */
export function channelToOpen(guildId: number,
  channels: { id: number; type: string }[]): number | undefined {
  const last = read()[guildId];
  const kept = channels.find((c) => c.id === last && c.type === "text");
  return (kept ?? channels.find((c) => c.type === "text"))?.id;
}
