// The inline editor shows mentions as people wrote them ("@alice", "#general"), not as
// the tokens stored ("<@12>", "<#7>"); on save the same names become tokens again.
import { parseMentions, type Candidate, type MentionToken } from "./mentions";

/** The name a token is shown as, or undefined when it is not known here. */
export type MentionLabel = (tok: MentionToken) => string | undefined;

/** `text` with every known token replaced by its label; `picked` lists them for
 *  encodeMentions (unknown ones stay tokens, so they survive the edit unchanged). */
export function decodeForEdit(text: string, label: MentionLabel): { text: string; picked: Candidate[] } {
  const picked: Candidate[] = [];
  let out = text;
  for (const tok of parseMentions(text)) {
    if (tok.kind === "everyone") continue;
    const name = label(tok);
    if (!name) continue;
    const shown = `${tok.kind === "channel" ? "#" : "@"}${name}`;
    // Two different ids with one name would be ambiguous on the way back: keep the token.
    if (picked.some((c) => c.label.toLowerCase() === shown.toLowerCase() && c.token !== tok.raw)) continue;
    picked.push({ kind: tok.kind, id: tok.id, label: shown, token: tok.raw.replace("<@!", "<@") });
    out = out.split(tok.raw).join(shown);
  }
  return { text: out, picked };
}
