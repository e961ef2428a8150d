// "Forgot password?" and the page the reset mail links to (/reset-password?token=...).
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { gov } from "../govapi";
import { t } from "../i18n";
import { tg } from "../i18n-gov";
import { linkClick } from "../nav";
import { errorsFrom } from "./Auth";
import { Field } from "./Field";

/** The card both pages share: a form, busy while it submits, showing the errors a
 * failed submit returns. */
function RecoveryCard({ title, submit, children }: { title: string;
  submit: () => Promise<Record<string, string> | undefined>;
  children: (errors: Record<string, string>, busy: boolean) => ComponentChildren }) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  return (
    <main class="auth">
      <form class="auth-card" noValidate aria-labelledby="auth-title" onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setErrors({});
        try { setErrors((await submit()) ?? {}); } finally { setBusy(false); }
      }}>
        <h1 id="auth-title">{title}</h1>
        {children(errors, busy)}
      </form>
    </main>
  );
}

export function ForgotPassword() {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  return (
    <RecoveryCard title={tg("resetTitle")} submit={async () => {
      try { await gov.requestReset(email.trim()); setSent(true); } catch (err) {
        return errorsFrom(err, ["email"]);
      }
    }}>{(errors, busy) => (
      <>
        {sent ? <p role="status" class="ok">{tg("resetSent")}</p> : (
          <>
            <p class="muted">{tg("resetHint")}</p>
            <Field id="email" label={t("email")} type="email" value={email} onInput={setEmail}
              error={errors.email} autoComplete="email" required autoFocus />
            {errors.form && <p class="form-error" role="alert">{errors.form}</p>}
            <button class="primary wide" type="submit" disabled={busy}>{tg("sendLink")}</button>
          </>
        )}
        <p class="muted"><a href="/login" onClick={linkClick}>{tg("backToLogin")}</a></p>
      </>
    )}</RecoveryCard>
  );
}

export function ResetPassword({ token }: { token: string }) {
  const [password, setPassword] = useState("");
  const [done, setDone] = useState(false);
  return (
    <RecoveryCard title={tg("chooseNew")} submit={async () => {
      try { await gov.confirmReset(token, password); setDone(true); } catch (err) {
        const errs = errorsFrom(err, ["new_password", "password", "token"]);
        if (errs.password) { errs.new_password = errs.password; delete errs.password; }
        if (errs.token) { errs.form = errs.token; delete errs.token; }
        return errs;
      }
    }}>{(errors, busy) => (
      <>
        {done ? <p role="status" class="ok">{tg("resetDone")}</p> : !token ? (
          <p role="alert" class="form-error">{tg("resetNoToken")}</p>
        ) : (
          <>
            <Field id="new_password" label={tg("newPassword")} type="password" value={password}
              onInput={setPassword} error={errors.new_password} autoComplete="new-password" required autoFocus />
            {errors.form && <p class="form-error" role="alert">{errors.form}</p>}
            <button class="primary wide" type="submit" disabled={busy}>{tg("setPassword")}</button>
          </>
        )}
        <p class="muted"><a href="/login" onClick={linkClick}>{done ? t("login") : tg("backToLogin")}</a></p>
      </>
    )}</RecoveryCard>
  );
}
