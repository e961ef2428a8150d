import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { api, fileUrl } from "../api";
import {
  createChannel, createGuild, createPoll, deleteChannel, deleteGuild, deleteMessage, leaveGuild,
  loadEmojis, logout, showError, updateChannel,
} from "../actions";
import { LANGS, setLang, t, type Lang } from "../i18n";
import { setState, useStore } from "../store";
import type { Channel, Invite, Message } from "../types";
import { errorsFrom } from "./Auth";
import { Field } from "./Field";

const close = () => setState({ modal: null });

export function Modal({ title, children, onSubmit }: { title: string; children: ComponentChildren;
  onSubmit?: () => Promise<void> | void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [busy, setBusy] = useState(false);
  useLayoutEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    ref.current?.querySelector<HTMLElement>("input, select, textarea, button:not(.modal-x)")?.focus();
    // Escape closes the dialog wherever the focus is (it may not have moved in yet).
    const onEscape = (e: KeyboardEvent) => { if (e.key === "Escape") close(); };
    document.addEventListener("keydown", onEscape);
    return () => {
      document.removeEventListener("keydown", onEscape);
      prev?.focus?.();
    };
  }, []);
  function onKeyDown(e: KeyboardEvent) {
    if (e.key === "Tab" && ref.current) {
      // Keep focus inside the dialog.
      const f = Array.from(ref.current.querySelectorAll<HTMLElement>(
        "button, input, select, textarea, a[href]")).filter((x) => !x.hasAttribute("disabled"));
      if (f.length === 0) return;
      const first = f[0];
      const last = f[f.length - 1];
      if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
    }
  }
  const body = (
    <>
      <div class="modal-head">
        <h2 id="modal-title">{title}</h2>
        <button type="button" class="icon small modal-x" aria-label={t("close")} onClick={close}>✕</button>
      </div>
      {children}
    </>
  );
  return (
    <div class="modal-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) close(); }}>
      <div class="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title" ref={ref} onKeyDown={onKeyDown}>
        {onSubmit ? (
          <form onSubmit={async (e) => {
            e.preventDefault();
            if (busy) return;
            setBusy(true);
            try { await onSubmit(); } finally { setBusy(false); }
          }}>{body}</form>
        ) : body}
      </div>
    </div>
  );
}

function Actions({ submit, children }: { submit?: string; children?: ComponentChildren }) {
  return (
    <div class="modal-actions">
      {children}
      <button type="button" onClick={close}>{t("cancel")}</button>
      {submit && <button type="submit" class="primary">{submit}</button>}
    </div>
  );
}

export function Modals() {
  const modal = useStore((s) => s.modal);
  if (!modal) return null;
  switch (modal.kind) {
    case "createGuild": return <CreateGuild />;
    case "createChannel": return <CreateChannel {...(modal.data as { guildId: number; type: string; categoryId?: number })} />;
    case "channelSettings": return <ChannelSettings channel={modal.data as Channel} />;
    case "guildSettings": return <GuildSettings guildId={modal.data as number} />;
    case "invite": return <InviteModal guildId={modal.data as number} />;
    case "userSettings": return <UserSettings />;
    case "poll": return <PollModal channelId={modal.data as number} />;
    case "confirmDelete": return <ConfirmDelete m={modal.data as Message} />;
    default: return null;
  }
}

function CreateGuild() {
  const [name, setName] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  return (
    <Modal title={t("createGuild")} onSubmit={async () => {
      try { await createGuild(name.trim()); close(); } catch (e) { setErrors(errorsFrom(e, ["name"])); }
    }}>
      <Field id="name" label={t("guildName")} value={name} onInput={setName} error={errors.name} maxLength={100} required />
      {errors.form && <p class="form-error" role="alert">{errors.form}</p>}
      <Actions submit={t("create")} />
    </Modal>
  );
}

function CreateChannel({ guildId, type: initialType, categoryId }: { guildId: number; type: string; categoryId?: number }) {
  const cats = useStore((s) => s.channels[guildId] ?? []).filter((c) => c.type === "category");
  const [name, setName] = useState("");
  const [type, setType] = useState(initialType);
  const [cat, setCat] = useState(categoryId ? String(categoryId) : "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  return (
    <Modal title={type === "category" ? t("createCategory") : t("createChannel")} onSubmit={async () => {
      try {
        await createChannel(guildId, name.trim(), type, type !== "category" && cat ? Number(cat) : undefined);
        close();
      } catch (e) { setErrors(errorsFrom(e, ["name", "type", "category_id"])); }
    }}>
      <div class="field">
        <label for="ch-type">{t("channelType")}</label>
        <select id="ch-type" value={type} onChange={(e) => setType((e.currentTarget as HTMLSelectElement).value)}>
          <option value="text">{t("typeText")}</option>
          <option value="category">{t("typeCategory")}</option>
          <option value="voice">{t("typeVoice")}</option>
        </select>
      </div>
      <Field id="name" label={type === "category" ? t("categoryName") : t("channelName")} value={name}
        onInput={setName} error={errors.name} maxLength={100} required />
      {type !== "category" && (
        <div class="field">
          <label for="ch-cat">{t("category")}</label>
          <select id="ch-cat" value={cat} onChange={(e) => setCat((e.currentTarget as HTMLSelectElement).value)}
            aria-describedby={errors.category_id ? "cat-err" : undefined}>
            <option value="">{t("noCategory")}</option>
            {cats.map((c) => <option key={c.id} value={String(c.id)}>{c.name}</option>)}
          </select>
          {errors.category_id && <p class="field-error" id="cat-err" role="alert">{errors.category_id}</p>}
        </div>
      )}
      {errors.form && <p class="form-error" role="alert">{errors.form}</p>}
      <Actions submit={t("create")} />
    </Modal>
  );
}

function ChannelSettings({ channel }: { channel: Channel }) {
  const cats = useStore((s) => s.channels[channel.guild_id] ?? []).filter((c) => c.type === "category");
  const [name, setName] = useState(channel.name);
  const [readOnly, setReadOnly] = useState(!!channel.read_only);
  const [cat, setCat] = useState(channel.category_id ? String(channel.category_id) : "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const isCat = channel.type === "category";
  return (
    <Modal title={`${t("channelSettings")}: ${channel.name}`} onSubmit={async () => {
      const patch: Partial<Channel> = {};
      if (name.trim() !== channel.name) patch.name = name.trim();
      if (readOnly !== !!channel.read_only) patch.read_only = readOnly;
      const catId = cat ? Number(cat) : null;
      if (!isCat && catId !== (channel.category_id ?? null)) patch.category_id = catId;
      try {
        if (Object.keys(patch).length) await updateChannel(channel, patch);
        close();
      } catch (e) { setErrors(errorsFrom(e, ["name", "read_only", "category_id"])); }
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
      <Actions submit={t("save")}>
        <button type="button" class="danger" onClick={async () => {
          try { await deleteChannel(channel); close(); } catch (e) { showError(e); }
        }}>{t("deleteChannel")}</button>
      </Actions>
    </Modal>
  );
}

function InviteModal({ guildId }: { guildId: number }) {
  const [hours, setHours] = useState("24");
  const [uses, setUses] = useState("0");
  const [invite, setInvite] = useState<Invite | null>(null);
  const [copied, setCopied] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const link = invite ? `${location.origin}/invite/${invite.code}` : "";
  return (
    <Modal title={t("invite")} onSubmit={async () => {
      try {
        setInvite(await api.createInvite(guildId, { expires_hours: Number(hours), max_uses: Number(uses) }));
        setErrors({});
      } catch (e) { setErrors(errorsFrom(e, ["expires_hours", "max_uses"])); }
    }}>
      <Field id="expires_hours" label={t("expiresHours")} type="number" min={0} max={168} value={hours}
        onInput={setHours} error={errors.expires_hours} />
      <Field id="max_uses" label={t("maxUses")} type="number" min={0} max={1000} value={uses}
        onInput={setUses} error={errors.max_uses} />
      {errors.form && <p class="form-error" role="alert">{errors.form}</p>}
      {invite && (
        <div class="field">
          <label for="invite-link">{t("inviteLink")}</label>
          <div class="row">
            <input id="invite-link" readOnly value={link} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
            <button type="button" class="primary" onClick={async () => {
              try { await navigator.clipboard.writeText(link); } catch {
                const el = document.getElementById("invite-link") as HTMLInputElement;
                el.select();
                document.execCommand("copy");
              }
              setCopied(true);
            }}>{copied ? t("copied") : t("copy")}</button>
          </div>
          {copied && <p class="ok" role="status">{t("copied")}</p>}
        </div>
      )}
      <Actions submit={t("createInvite")} />
    </Modal>
  );
}

function GuildSettings({ guildId }: { guildId: number }) {
  const guild = useStore((s) => s.guilds.find((g) => g.id === guildId));
  const owner = useStore((s) => s.me?.id === guild?.owner_id);
  const emojis = useStore((s) => s.emojis[guildId]) ?? [];
  const stickers = useStore((s) => s.stickers[guildId]) ?? [];
  const [confirming, setConfirming] = useState(false);
  if (!guild) return null;
  return (
    <Modal title={`${t("guildSettings")}: ${guild.name}`}>
      {owner && (
        <>
          <AssetUploader kind="emoji" guildId={guildId} />
          <ul class="asset-list" aria-label={t("customEmojis")}>
            {emojis.map((e) => (
              <li key={e.id}><img src={fileUrl(e.file_path)} alt="" class="emoji" /> :{e.name}:
                <button class="icon small" aria-label={`${t("delete")} :${e.name}:`} onClick={async () => {
                  try { await api.del(`/api/emojis/${encodeURIComponent(e.id)}`); await loadEmojis(guildId); } catch (err) { showError(err); }
                }}>✕</button></li>
            ))}
          </ul>
          <AssetUploader kind="sticker" guildId={guildId} />
          <ul class="asset-list" aria-label={t("stickers")}>
            {stickers.map((s) => (
              <li key={s.id}><img src={fileUrl(s.file_path)} alt="" class="emoji" /> {s.name}
                <button class="icon small" aria-label={`${t("delete")} ${s.name}`} onClick={async () => {
                  try { await api.del(`/api/stickers/${encodeURIComponent(s.id)}`); await loadEmojis(guildId); } catch (err) { showError(err); }
                }}>✕</button></li>
            ))}
          </ul>
        </>
      )}
      <div class="modal-actions">
        {owner ? (
          confirming ? (
            <>
              <span role="alert">{t("confirmDeleteGuild", { name: guild.name })}</span>
              <button type="button" onClick={() => setConfirming(false)}>{t("cancel")}</button>
              <button type="button" class="danger" onClick={async () => {
                try { await deleteGuild(guild.id); close(); } catch (e) { showError(e); }
              }}>{t("confirm")}</button>
            </>
          ) : <button type="button" class="danger" onClick={() => setConfirming(true)}>{t("deleteGuild")}</button>
        ) : (
          <button type="button" class="danger" onClick={async () => {
            try { await leaveGuild(guild.id); close(); } catch (e) { showError(e); }
          }}>{t("leaveGuild")}</button>
        )}
        <button type="button" onClick={close}>{t("close")}</button>
      </div>
    </Modal>
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
          await api.upload(file!, file!.name, setProgress, `/api/guilds/${guildId}/${kind}s`, { name });
          setName(""); setFile(null);
          await loadEmojis(guildId);
        } catch (e) { setErrors(errorsFrom(e, ["name", "file"])); }
        setProgress(null);
      }}>{kind === "emoji" ? t("addEmoji") : t("addSticker")}</button>
    </fieldset>
  );
}

function UserSettings() {
  const lang = useStore((s) => s.lang);
  const theme = useStore((s) => s.theme);
  return (
    <Modal title={t("settings")}>
      <div class="field">
        <label for="lang">{t("language")}</label>
        <select id="lang" value={lang} onChange={(e) => {
          const l = (e.currentTarget as HTMLSelectElement).value as Lang;
          setLang(l);
          setState({ lang: l });
        }}>
          {Object.entries(LANGS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="theme">{t("theme")}</label>
        <select id="theme" value={theme} onChange={(e) => {
          const v = (e.currentTarget as HTMLSelectElement).value as "dark" | "light";
          try { localStorage.setItem("theme", v); } catch { /* ignore */ }
          setState({ theme: v });
        }}>
          <option value="dark">{t("dark")}</option>
          <option value="light">{t("light")}</option>
        </select>
      </div>
      <div class="modal-actions">
        <button type="button" class="danger" onClick={() => { close(); void logout(); }}>{t("logout")}</button>
        <button type="button" onClick={close}>{t("close")}</button>
      </div>
    </Modal>
  );
}

function PollModal({ channelId }: { channelId: number }) {
  const [question, setQuestion] = useState("");
  const [options, setOptions] = useState(["", ""]);
  const [multi, setMulti] = useState(false);
  const [hours, setHours] = useState("24");
  const [error, setError] = useState<string | undefined>();
  return (
    <Modal title={t("createPoll")} onSubmit={async () => {
      const opts = options.map((o) => o.trim()).filter(Boolean);
      try {
        await createPoll(channelId, question.trim(), opts, multi, Number(hours));
        close();
      } catch (e) { setError(Object.values(errorsFrom(e, []))[0]); }
    }}>
      <Field id="question" label={t("question")} value={question} onInput={setQuestion} maxLength={300} required />
      {options.map((o, i) => (
        <Field key={i} id={`option-${i + 1}`} label={t("option", { n: i + 1 })} value={o} maxLength={100}
          onInput={(v) => setOptions(options.map((x, j) => (j === i ? v : x)))} />
      ))}
      {options.length < 10 && (
        <button type="button" class="link" onClick={() => setOptions([...options, ""])}>+ {t("addOption")}</button>
      )}
      <div class="field check">
        <input id="multi" type="checkbox" checked={multi} onChange={(e) => setMulti((e.currentTarget as HTMLInputElement).checked)} />
        <label for="multi">{t("allowMultiple")}</label>
      </div>
      <Field id="hours" label={t("durationHours")} type="number" min={1} max={168} value={hours} onInput={setHours} />
      {error && <p class="form-error" role="alert">{error}</p>}
      <Actions submit={t("create")} />
    </Modal>
  );
}

function ConfirmDelete({ m }: { m: Message }) {
  return (
    <Modal title={t("deleteMessage")} onSubmit={async () => { close(); await deleteMessage(m); }}>
      <p>{t("confirmDeleteMessage")}</p>
      <blockquote class="quote">{m.content}</blockquote>
      <Actions submit={t("delete")} />
    </Modal>
  );
}

