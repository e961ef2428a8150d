import { useState } from "preact/hooks";
import { api, fileUrl } from "../../api";
import { showError } from "../../actions/common";
import { deleteGuild, leaveGuild, loadEmojis } from "../../actions/guilds";
import { gov } from "../../govapi";
import { t } from "../../i18n";
import { tf } from "../../i18n-features";
import { tg } from "../../i18n-gov";
import { has } from "../../perms";
import { upsertGuild, usePerms } from "../../roles";
import { setState, useStore } from "../../store";
import type { Guild } from "../../types";
import { errorsFrom } from "../Auth";
import { Field } from "../Field";
import { ImagePicker } from "./ImagePicker";
import { InvitesPage } from "./InvitesPage";
import { BansPage, AuditLogPage } from "./ModerationPages";
import { MembersPage } from "./MembersPage";
import { RolesPage } from "./RolesPage";
import { closeSettings, SettingsLayout, type Page } from "./SettingsLayout";

export function ServerSettings({ guildId, page }: { guildId: number; page?: string }) {
  const guild = useStore((s) => s.guilds.find((g) => g.id === guildId));
  const me = useStore((s) => s.me);
  const perms = usePerms(guildId);
  if (!guild) return null;
  const owner = guild.owner_id === me?.id;
  const pages: Page[] = [{ id: "overview", label: tg("overview") }];
  if (has(perms, "MANAGE_ROLES")) pages.push({ id: "roles", label: tg("roles") }, { id: "members", label: tg("members") });
  if (has(perms, "MANAGE_GUILD_EXPRESSIONS")) pages.push({ id: "expressions", label: tg("expressions") });
  if (has(perms, "CREATE_INSTANT_INVITE") || has(perms, "MANAGE_GUILD")) pages.push({ id: "invites", label: tf("invites") });
  if (has(perms, "BAN_MEMBERS")) pages.push({ id: "bans", label: tg("bans") });
  if (has(perms, "VIEW_AUDIT_LOG")) pages.push({ id: "audit", label: tg("auditLog") });
  const current = pages.find((p) => p.id === page)?.id ?? "overview";
  const go = (id: string) => setState({ settings: { kind: "server", guildId, page: id } });
  return (
    <SettingsLayout title={guild.name} pages={pages} page={current} onPage={go}
      footer={<GuildDanger guild={guild} owner={owner} />}>
      {current === "overview" && <Overview guild={guild} canEdit={has(perms, "MANAGE_GUILD")} />}
      {current === "roles" && <RolesPage guild={guild} />}
      {current === "members" && <MembersPage guild={guild} />}
      {current === "expressions" && <Expressions guildId={guildId} />}
      {current === "invites" && <InvitesPage guild={guild} />}
      {current === "bans" && <BansPage guild={guild} />}
      {current === "audit" && <AuditLogPage guild={guild} />}
    </SettingsLayout>
  );
}

function Overview({ guild, canEdit }: { guild: Guild; canEdit: boolean }) {
  const [name, setName] = useState(guild.name);
  const [description, setDescription] = useState(guild.description ?? "");
  const [icon, setIcon] = useState<string | null | undefined>(undefined);
  const [uploading, setUploading] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  async function save(e: Event) {
    e.preventDefault();
    setErrors({});
    setSaved(false);
    const body: { name?: string; icon?: string | null; description?: string | null } = {};
    if (name.trim() !== guild.name) body.name = name.trim();
    if (description.trim() !== (guild.description ?? "")) body.description = description.trim() || null;
    if (icon !== undefined) body.icon = icon;
    try {
      if (Object.keys(body).length) upsertGuild(await gov.updateGuild(guild.id, body));
      setIcon(undefined);
      setSaved(true);
    } catch (err) { setErrors(errorsFrom(err, ["name", "icon", "description"])); }
  }
  return (
    <form class="settings-form" onSubmit={save} noValidate>
      <ImagePicker id="icon" label={tg("serverIcon")} current={guild.icon} name={guild.name}
        value={icon} onChange={setIcon} onBusy={setUploading} disabled={!canEdit} />
      {errors.icon && <p class="field-error" role="alert">{errors.icon}</p>}
      <Field id="guild-name" label={tg("serverName")} value={name} onInput={setName} error={errors.name}
        maxLength={100} required />
      <div class="field">
        <label for="guild-description">{tg("description")}</label>
        <textarea id="guild-description" rows={3} maxLength={300} value={description} disabled={!canEdit}
          aria-invalid={errors.description ? "true" : undefined}
          onInput={(e) => setDescription((e.currentTarget as HTMLTextAreaElement).value)} />
        {errors.description && <p class="field-error" role="alert">{errors.description}</p>}
      </div>
      {errors.form && <p class="form-error" role="alert">{errors.form}</p>}
      {canEdit && <button type="submit" class="primary" disabled={uploading}>{tg("saveChanges")}</button>}
      {saved && <p class="ok" role="status">{tg("saved")}</p>}
    </form>
  );
}

function GuildDanger({ guild, owner }: { guild: Guild; owner: boolean }) {
  const [confirming, setConfirming] = useState(false);
  if (!owner) {
    return (
      <button type="button" class="danger settings-danger" onClick={async () => {
        try { await leaveGuild(guild.id); closeSettings(); } catch (e) { showError(e); }
      }}>{t("leaveGuild")}</button>
    );
  }
  return confirming ? (
    <div class="settings-danger" role="group" aria-label={t("deleteGuild")}>
      <p role="alert">{t("confirmDeleteGuild", { name: guild.name })}</p>
      <button type="button" onClick={() => setConfirming(false)}>{t("cancel")}</button>
      <button type="button" class="danger" onClick={async () => {
        try { await deleteGuild(guild.id); closeSettings(); } catch (e) { showError(e); }
      }}>{t("confirm")}</button>
    </div>
  ) : <button type="button" class="danger settings-danger" onClick={() => setConfirming(true)}>{t("deleteGuild")}</button>;
}

function Expressions({ guildId }: { guildId: number }) {
  const emojis = useStore((s) => s.emojis[guildId]) ?? [];
  const stickers = useStore((s) => s.stickers[guildId]) ?? [];
  const remove = async (call: () => Promise<unknown>) => {
    try { await call(); await loadEmojis(guildId); } catch (err) { showError(err); }
  };
  return (
    <div class="settings-form">
      <AssetUploader kind="emoji" guildId={guildId} />
      <ul class="asset-list" aria-label={t("customEmojis")}>
        {emojis.map((e) => (
          <li key={e.id}><img src={fileUrl(e.file_path)} alt="" class="emoji" /> :{e.name}:
            <button class="icon small" aria-label={`${t("delete")} :${e.name}:`}
              onClick={() => remove(() => api.deleteEmoji(e.id))}>✕</button></li>
        ))}
      </ul>
      <AssetUploader kind="sticker" guildId={guildId} />
      <ul class="asset-list" aria-label={t("stickers")}>
        {stickers.map((s) => (
          <li key={s.id}><img src={fileUrl(s.file_path)} alt="" class="emoji" /> {s.name}
            <button class="icon small" aria-label={`${t("delete")} ${s.name}`}
              onClick={() => remove(() => api.deleteSticker(s.id))}>✕</button></li>
        ))}
      </ul>
    </div>
  );
}

function AssetUploader({ kind, guildId }: { kind: "emoji" | "sticker"; guildId: number }) {
  const [name, setName] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const id = `${kind}-`;
  return (
    <fieldset class="asset-upload">
      <legend>{kind === "emoji" ? t("addEmoji") : t("addSticker")}</legend>
      <Field id={`${id}name`} label={t("emojiName")} value={name} onInput={setName} error={errors.name} maxLength={32} />
      <div class="field">
        <label for={`${id}file`}>{t("file")}</label>
        <input id={`${id}file`} type="file" accept="image/png,image/jpeg,image/gif,image/webp"
          onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
        {errors.file && <p class="field-error" role="alert">{errors.file}</p>}
      </div>
      {progress !== null && <progress max={1} value={progress} aria-label={t("uploading", { name })} />}
      {errors.form && <p class="form-error" role="alert">{errors.form}</p>}
      <button type="button" disabled={!file || !name} onClick={async () => {
        setErrors({});
        try {
          await api.uploadAsset(guildId, kind, file!, name, setProgress);
          setName(""); setFile(null);
          await loadEmojis(guildId);
        } catch (e) { setErrors(errorsFrom(e, ["name", "file"])); }
        setProgress(null);
      }}>{kind === "emoji" ? t("addEmoji") : t("addSticker")}</button>
    </fieldset>
  );
}
