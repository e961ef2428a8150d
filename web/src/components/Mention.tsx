// Mentions drawn in messages: "@alice", "@Moderators", "#general", "@everyone" as
// highlighted spans (the reader's own name more strongly), names from the store.
import { DM_GUILD, dmPerson, type DmEntry } from "../dms";
import { t } from "../i18n";
import type { MentionRender } from "../markdown";
import type { MentionLabel } from "../mentionedit";
import { linkClick } from "../nav";
import { channelPath } from "../router";
import { useStore } from "../store";

/** The names mentions are shown with in one guild (or the DMs, guild 0/null). */
export function useMentionLabel(guildId: number | null): MentionLabel {
  const members = useStore((s) => (guildId === null ? undefined : s.members[guildId]));
  const roles = useStore((s) => (guildId === null ? undefined : s.roles[guildId]));
  const channels = useStore((s) => (guildId === null ? undefined : s.channels[guildId]));
  const me = useStore((s) => s.me);
  // In a DM the people to name are its recipients (any DM's: one may quote another).
  const dms = useStore((s) => (guildId ? undefined : s.channels[DM_GUILD])) as DmEntry[] | undefined;
  return (tok) => {
    switch (tok.kind) {
      case "user":
        return members?.find((m) => m.id === tok.id)?.username
          ?? (tok.id === me?.id ? me.username : undefined) ?? dmPerson(dms, tok.id)?.username;
      case "role": return roles?.find((r) => r.id === tok.id)?.name;
      case "channel": return channels?.find((x) => x.id === tok.id)?.name;
      case "everyone": return tok.raw;
    }
  };
}

/** The renderer for one guild's mentions. `everyone`: whether the server kept the
 *  message's @everyone/@here (otherwise it is plain text, section 16). */
export function useMentionRender(guildId: number | null, everyone = false): MentionRender {
  const label = useMentionLabel(guildId);
  const roles = useStore((s) => (guildId === null ? undefined : s.roles[guildId]));
  const meId = useStore((s) => s.me?.id);
  return (tok, key) => {
    switch (tok.kind) {
      case "user":
        return <span key={key} class={`mention ${tok.id === meId ? "me" : ""}`} data-user-id={tok.id}>@{label(tok) ?? t("unknownUser")}</span>;
      case "role": {
        const role = roles?.find((r) => r.id === tok.id);
        const color = role?.color ? `#${role.color.toString(16).padStart(6, "0")}` : undefined;
        return <span key={key} class="mention role" style={color ? { color } : undefined}>@{role?.name ?? t("unknownRole")}</span>;
      }
      case "channel": {
        const name = label(tok);
        return name !== undefined
          ? <a key={key} class="mention chan" href={channelPath(guildId, tok.id)} onClick={linkClick}>#{name}</a>
          : <span key={key} class="mention chan">#{t("unknownChannel")}</span>;
      }
      case "everyone":
        return everyone ? <span key={key} class="mention everyone">{tok.raw}</span> : tok.raw;
    }
  };
}
