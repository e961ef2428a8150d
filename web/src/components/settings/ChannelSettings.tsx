import { useState } from "preact/hooks";
import { showError } from "../../actions/common";
import { deleteChannel, updateChannel, upsertChannel } from "../../actions/guilds";
import { gov } from "../../govapi";
import { t } from "../../i18n";
import { tg } from "../../i18n-gov";
import {
  CHANNEL_GROUPS, displayName, has, rolesByRank, setOverwriteState, type PermName, type Tri,
} from "../../perms";
import { channelPerms } from "../../roles";
import { setState, useStore } from "../../store";
import type { Channel, Overwrite } from "../../types";
import { errorsFrom } from "../Auth";
import { Field } from "../Field";
import { OverwriteToggles } from "./PermissionToggles";
import { closeSettings, SettingsLayout, type Page } from "./SettingsLayout";

export function ChannelSettings({ guildId, channelId, page }: { guildId: number; channelId: number; page?: string }) {
  const channel = useStore((s) => s.channels[guildId]?.find((c) => c.id === channelId));
  const perms = useStore((s) => channelPerms(s, guildId, channel));
  if (!channel) return null;
  const pages: Page[] = [];
  if (has(perms, "MANAGE_CHANNELS")) pages.push({ id: "overview", label: tg("overview") });
  if (has(perms, "MANAGE_ROLES")) pages.push({ id: "permissions", label: tg("permissions") });
  if (pages.length === 0) return null;
  const current = pages.find((p) => p.id === page)?.id ?? pages[0].id;
  const title = `${channel.type === "category" ? "" : "#"}${channel.name}`;
  return (
    <SettingsLayout title={title} pages={pages} page={current}
      onPage={(id) => setState({ settings: { kind: "channel", guildId, channelId, page: id } })}>
      {current === "overview" && <Overview channel={channel} />}
      {current === "permissions" && <Overwrites channel={channel} viewer={perms} />}
    </SettingsLayout>
  );
}

function Overview({ channel }: { channel: Channel }) {
  const cats = useStore((s) => s.channels[channel.guild_id] ?? []).filter((c) => c.type === "category");
  const [name, setName] = useState(channel.name);
  const [readOnly, setReadOnly] = useState(!!channel.read_only);
  const [cat, setCat] = useState(channel.category_id ? String(channel.category_id) : "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const isCat = channel.type === "category";
  return (
    <form class="settings-form" noValidate onSubmit={async (e) => {
      e.preventDefault();
      const patch: Partial<Channel> = {};
      if (name.trim() !== channel.name) patch.name = name.trim();
      if (readOnly !== !!channel.read_only) patch.read_only = readOnly;
      const catId = cat ? Number(cat) : null;
      if (!isCat && catId !== (channel.category_id ?? null)) patch.category_id = catId;
      try {
        if (Object.keys(patch).length) await updateChannel(channel, patch);
        closeSettings();
      } catch (err) { setErrors(errorsFrom(err, ["name", "read_only", "category_id"])); }
    }}>
      <Field id="name" label={t("rename")} value={name} onInput={setName} error={errors.name} maxLength={100} required />
      {!isCat && (
        <>
          <div class="field check">
            <input id="ro" type="checkbox" checked={readOnly}
              onChange={(e) => setReadOnly((e.currentTarget as HTMLInputElement).checked)} />
            <label for="ro">{t("readOnly")}</label>
          </div>
          <div class="field">
            <label for="ch-cat">{t("category")}</label>
            <select id="ch-cat" value={cat} onChange={(e) => setCat((e.currentTarget as HTMLSelectElement).value)}>
              <option value="">{t("noCategory")}</option>
              {cats.map((c) => <option key={c.id} value={String(c.id)}>{c.name}</option>)}
            </select>
          </div>
        </>
      )}
      {errors.form && <p class="form-error" role="alert">{errors.form}</p>}
      <div class="row">
        <button type="submit" class="primary">{t("save")}</button>
        <button type="button" class="danger" onClick={async () => {
          try { await deleteChannel(channel); closeSettings(); } catch (err) { showError(err); }
        }}>{t("deleteChannel")}</button>
      </div>
    </form>
  );
}

const key = (o: Pick<Overwrite, "type" | "id">) => `${o.type}:${o.id}`;

function Overwrites({ channel, viewer }: { channel: Channel; viewer: bigint }) {
  const roles = useStore((s) => s.roles[channel.guild_id]) ?? [];
  const members = useStore((s) => s.members[channel.guild_id]) ?? [];
  const ows = channel.permission_overwrites ?? [];
  const everyone = roles.find((r) => r.position === 0);
  const [selected, setSelected] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // @everyone is always listed (with an empty overwrite until one is set), as Discord does.
  const listed: Overwrite[] = [...ows];
  if (everyone && !ows.some((o) => o.type === "role" && o.id === everyone.id)) {
    listed.unshift({ id: everyone.id, type: "role", allow: "0", deny: "0" });
  }
  const nameOf = (o: Pick<Overwrite, "type" | "id">) => {
    if (o.type === "role") return roles.find((r) => r.id === o.id)?.name ?? `#${o.id}`;
    const m = members.find((x) => x.id === o.id);
    return m ? displayName(m) : `#${o.id}`;
  };
  const rank = (o: Overwrite) => (o.type === "role" ? 1e6 + (roles.find((r) => r.id === o.id)?.position ?? 0) : 0);
  listed.sort((a, b) => rank(b) - rank(a));
  const current = listed.find((o) => key(o) === selected) ?? listed[0];
  const addable = [
    ...rolesByRank(roles).filter((r) => !listed.some((o) => o.type === "role" && o.id === r.id))
      .map((r) => ({ k: `role:${r.id}`, label: `${tg("roleTarget")}: ${r.name}` })),
    ...members.filter((m) => !listed.some((o) => o.type === "member" && o.id === m.id))
      .map((m) => ({ k: `member:${m.id}`, label: `${tg("memberTarget")}: ${displayName(m)}` })),
  ];

  // The choice is shown at once; the server's answer (or refusal) settles it.
  const [draft, setDraft] = useState<Overwrite | null>(null);
  async function put(o: Pick<Overwrite, "type" | "id">, allow: string, deny: string) {
    setDraft({ ...o, allow, deny });
    setBusy(true);
    try {
      upsertChannel(await gov.setOverwrite(channel.id, o.id, { type: o.type, allow, deny }));
      setSelected(key(o));
    } catch (e) { showError(e); } finally { setBusy(false); setDraft(null); }
  }

  return (
    <div class="roles-page">
      <div class="roles-side">
        <p class="muted small">{tg("overwritesHint")}</p>
        {addable.length > 0 && (
          <select aria-label={tg("addOverwrite")} value="" onChange={(e) => {
            const [type, id] = (e.currentTarget as HTMLSelectElement).value.split(":");
            if (id) void put({ type: type as Overwrite["type"], id: Number(id) }, "0", "0");
          }}>
            <option value="">+ {tg("addOverwrite")}</option>
            {addable.map((a) => <option key={a.k} value={a.k}>{a.label}</option>)}
          </select>
        )}
        <ul class="role-list" aria-label={tg("overwrites")}>
          {listed.map((o) => (
            <li key={key(o)} class={`role-item ${current && key(current) === key(o) ? "active" : ""}`}>
              <button type="button" class="role-pick" aria-current={current && key(current) === key(o) ? "true" : undefined}
                onClick={() => setSelected(key(o))}>
                <span aria-hidden="true">{o.type === "role" ? "🛡" : "👤"}</span>
                <span class="role-name">{nameOf(o)}</span>
              </button>
              {ows.some((x) => key(x) === key(o)) && (
                <button type="button" class="icon small" aria-label={tg("removeOverwrite", { name: nameOf(o) })}
                  disabled={busy} onClick={async () => {
                    setBusy(true);
                    try { upsertChannel(await gov.deleteOverwrite(channel.id, o.id, o.type)); } catch (e) { showError(e); } finally { setBusy(false); }
                  }}>✕</button>
              )}
            </li>
          ))}
        </ul>
      </div>
      {current && (
        <section class="role-editor" aria-label={`${tg("permissions")}: ${nameOf(current)}`}>
          <h3>{tg("permissions")}: {nameOf(current)}</h3>
          <OverwriteToggles groups={CHANNEL_GROUPS}
            ow={draft && key(draft) === key(current) ? draft : current} viewer={viewer} disabled={busy}
            name={nameOf(current)}
            onSet={(p: PermName, s: Tri) => {
              const next = setOverwriteState(current, p, s);
              void put(current, next.allow, next.deny);
            }} />
        </section>
      )}
    </div>
  );
}
