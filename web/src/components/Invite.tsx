import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { showError } from "../actions/common";
import { joinInvite } from "../actions/guilds";
import { errorText } from "../errors";
import { t } from "../i18n";
import { navigate } from "../nav";
import type { InvitePreview } from "../types";

export function InviteScreen({ code }: { code: string }) {
  const [preview, setPreview] = useState<InvitePreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.invite(code).then(setPreview, (e) => setError(e.code === "INVITE_NOT_FOUND"
      || e.code === "INVITE_EXPIRED" ? t("inviteInvalid") : errorText(e)));
  }, [code]);

  async function join() {
    setBusy(true);
    try {
      await joinInvite(code);
    } catch (e) {
      showError(e);
      setBusy(false);
    }
  }

  return (
    <main class="auth">
      <section class="auth-card" aria-labelledby="invite-title">
        {error ? (
          <>
            <h1 id="invite-title">{t("invite")}</h1>
            <p role="alert" class="form-error">{error}</p>
            <button class="wide" onClick={() => navigate("/")}>{t("goHome")}</button>
          </>
        ) : !preview ? (
          <p role="status" id="invite-title">{t("loading")}</p>
        ) : (
          <>
            <p class="muted">{t("youAreInvited")}</p>
            <h1 id="invite-title">{preview.guild_name}</h1>
            <p class="muted">{t("membersCount", { n: preview.member_count })}</p>
            <button class="primary wide" onClick={join} disabled={busy}>
              {t("joinGuild", { name: preview.guild_name })}
            </button>
          </>
        )}
      </section>
    </main>
  );
}
