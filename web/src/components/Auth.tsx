import { useState } from "preact/hooks";
import { api, ApiError } from "../api";
import { signedIn } from "../actions/session";
import { errorText } from "../errors";
import { t } from "../i18n";
import { tg } from "../i18n-gov";
import { linkClick } from "../nav";
import { signupErrors } from "../signup";
import { useStore } from "../store";
import { Field } from "./Field";

type Errors = Record<string, string>;

export function errorsFrom(e: unknown, fields: string[]): Errors {
  if (e instanceof ApiError) {
    const f = e.field && fields.includes(e.field) ? e.field : "form";
    return { [f]: errorText(e) };
  }
  return { form: String(e) };
}

export function AuthScreen({ mode }: { mode: "login" | "register" }) {
  const route = useStore((s) => s.route);
  const next = route.name === "login" || route.name === "register" ? route.next : undefined;
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const register = mode === "register";
  const q = next ? `?next=${encodeURIComponent(next)}` : "";

  async function submit(e: Event) {
    e.preventDefault();
    const local = register ? signupErrors(username, email, password) : {};
    setErrors(local);
    if (Object.keys(local).length) {
      document.getElementById(Object.keys(local)[0])?.focus();
      return;
    }
    setBusy(true);
    try {
      const me = register
        ? await api.register(username.trim(), password, email.trim())
        : await api.login(username.trim(), password);
      await signedIn(me);
    } catch (err) {
      setErrors(errorsFrom(err, ["username", "email", "password"]));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="auth">
      <form class="auth-card" onSubmit={submit} noValidate aria-labelledby="auth-title">
        <h1 id="auth-title">{register ? t("createAccount") : t("welcomeBack")}</h1>
        <Field id="username" label={register ? t("username") : t("usernameOrEmail")}
          value={username} onInput={setUsername} error={errors.username}
          autoComplete="username" required />
        {register && (
          <Field id="email" label={t("email")} type="email" value={email} onInput={setEmail}
            error={errors.email} autoComplete="email" required />
        )}
        <Field id="password" label={t("password")} type="password" value={password}
          onInput={setPassword} error={errors.password}
          autoComplete={register ? "new-password" : "current-password"} required />
        {!register && (
          <p class="forgot"><a href="/forgot-password" onClick={linkClick}>{tg("forgotPassword")}</a></p>
        )}
        {errors.form && <p class="form-error" role="alert">{errors.form}</p>}
        <button class="primary wide" type="submit" disabled={busy}>
          {register ? t("register") : t("login")}
        </button>
        <p class="muted">
          {register ? t("haveAccount") : t("needAccount")}{" "}
          <a href={(register ? "/login" : "/register") + q} onClick={linkClick}>
            {register ? t("login") : t("register")}
          </a>
        </p>
      </form>
    </main>
  );
}
