import { useStore } from "../../store";
import { ChannelSettings } from "./ChannelSettings";
import { ServerSettings } from "./ServerSettings";
import { UserSettings } from "./UserSettings";

export function Settings() {
  const s = useStore((st) => st.settings);
  if (!s) return null;
  if (s.kind === "server") return <ServerSettings key={s.guildId} guildId={s.guildId} page={s.page} />;
  if (s.kind === "channel") return <ChannelSettings key={s.channelId} guildId={s.guildId} channelId={s.channelId} page={s.page} />;
  return <UserSettings page={s.page} />;
}
