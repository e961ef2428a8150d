import { useState } from "preact/hooks";
import { logout } from "../../actions/session";
import { gov } from "../../govapi";
import { LANGS, setLang, t, type Lang } from "../../i18n";
import { tg } from "../../i18n-gov";
import { applyUser } from "../../roles";
import { setState, useStore } from "../../store";
import type { User } from "../../types";
import { errorsFrom } from "../Auth";
import { Field } from "../Field";
import { ImagePicker } from "./ImagePicker";
import { closeSettings, SettingsLayout } from "./SettingsLayout";

export function UserSettings({ page }: { page?: string }) {
  const me = useStore((s) => s.me);
  if (!me) return null;
  const pages = [{ id: "account", label: tg("myAccount") }, { id: "appearance", label: tg("appearance") }];
  const current = page === "appearance" ? "appearance" : "account";
  return (
    <SettingsLayout title={t("settings")} pages={pages} page={current}
      onPage={(id) => setState({ settings: { kind: "user", page: id } })}
      footer={<button type="button" class="danger settings-danger"
        onClick={() => { closeSettings(); void logout(); }}>{t("logout")}</button>}>
      {current === "account" ? <Account me={me} /> : <Appearance />}
    </SettingsLayout>
  );
}

function Account({ me }: { me: User }) {
  const [avatar, setAvatar] = useState<string | null | undefined>(undefined);
  const [uploading, setUploading] = useState(false);
  const [displayName, setDisplayName] = useState(me.display_name ?? "");
  const [username, setUsername] = useState(me.username);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  return (
    <>
      <form class="settings-form" noValidate aria-label={tg("myAccount")} onSubmit={async (e) => {
        e.preventDefault();
        setErrors({});
        setSaved(false);
        const body: { username?: string; avatar?: string | null; display_name?: string | null } = {};
        if (avatar !== undefined) body.avatar = avatar;
        if (displayName.trim() !== (me.display_name ?? "")) body.display_name = displayName.trim() || null;
        if (username.trim() !== me.username) body.username = username.trim();
        try {
          if (Object.keys(body).length) {
            const u = await gov.updateMe(body);
            applyUser(u);
          }
          setAvatar(undefined);
          setSaved(true);
        } catch (err) { setErrors(errorsFrom(err, ["avatar", "display_name", "username"])); }
      }}>
        <ImagePicker id="avatar" label={tg("avatar")} current={me.avatar} name={me.display_name || me.username}
          value={avatar} onChange={setAvatar} onBusy={setUploading} />
        {errors.avatar && <p class="field-error" role="alert">{errors.avatar}</p>}
        <Field id="display_name" label={tg("displayName")} value={displayName} onInput={setDisplayName}
          error={errors.display_name} maxLength={32} />
        <p class="muted small">{tg("displayNameHint")}</p>
        <Field id="username" label={t("username")} value={username} onInput={setUsername}
          error={errors.username} maxLength={32} autoComplete="username" required />
        {errors.form && <p class="form-error" role="alert">{errors.form}</p>}
        <button type="submit" class="primary" disabled={uploading}>{tg("saveChanges")}</button>
        {saved && <p class="ok" role="status">{tg("saved")}</p>}
      </form>
      <PasswordForm />
    </>
  );
}

function PasswordForm() {
  const [old, setOld] = useState("");
  const [next, setNext] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState(false);
  return (
    <form class="settings-form" noValidate aria-labelledby="pw-title" onSubmit={async (e) => {
      e.preventDefault();
      setErrors({});
      setDone(false);
      try {
        await gov.changePassword(old, next);
        setOld(""); setNext(""); setDone(true);
      } catch (err) {
        const errs = errorsFrom(err, ["old_password", "new_password", "password"]);
        // WEAK_PASSWORD points at "password": the new one.
        if (errs.password) { errs.new_password = errs.password; delete errs.password; }
        setErrors(errs);
      }
    }}>
      <h3 id="pw-title">{tg("changePassword")}</h3>
      <Field id="old_password" label={tg("currentPassword")} type="password" value={old} onInput={setOld}
        error={errors.old_password} autoComplete="current-password" required />
      <Field id="new_password" label={tg("newPassword")} type="password" value={next} onInput={setNext}
        error={errors.new_password} autoComplete="new-password" required />
      {errors.form && <p class="form-error" role="alert">{errors.form}</p>}
      <button type="submit">{tg("changePassword")}</button>
      {done && <p class="ok" role="status">{tg("passwordChanged")}</p>}
    </form>
  );
}

function Appearance() {
  const lang = useStore((s) => s.lang);
  const theme = useStore((s) => s.theme);
  return (
    <div class="settings-form">
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
    </div>
  );
}
