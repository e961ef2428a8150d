import { useEffect, useState } from "preact/hooks";
import { api } from "../../api";
import { t } from "../../i18n";
import { inviteForDialog } from "../../invites";
import { getState } from "../../store";
import type { Invite } from "../../types";
import { errorsFrom } from "../Auth";
import { Field } from "../Field";
import { Actions, Modal } from "./Modal";

export default function InviteDialog({ guildId }: { guildId: number }) {
  const [hours, setHours] = useState("24");
  const [uses, setUses] = useState("0");
  const [invite, setInvite] = useState<Invite | null>(null);
  const [copied, setCopied] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const link = invite ? `${location.origin}/invite/${invite.code}` : "";
  // The link is ready when the dialog opens (one of yours still valid, else a new one
  // with the defaults the fields show); the form makes another with other limits.
  useEffect(() => {
    inviteForDialog(guildId, getState().me?.id).then(setInvite, (e) => setErrors(errorsFrom(e, [])));
  }, [guildId]);
  return (
    <Modal title={t("invite")} onSubmit={async () => {
      try {
        setInvite(await api.createInvite(guildId, { expires_hours: Number(hours), max_uses: Number(uses) }));
        setCopied(false);
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
            }}>{t("copy")}</button>
          </div>
          {copied && <p class="ok" role="status">{t("copied")}</p>}
        </div>
      )}
      <Actions submit={t("createInvite")} />
    </Modal>
  );
}
