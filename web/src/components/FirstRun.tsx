// For someone in no server yet (a new account): what to do first — create a server, or
// paste the invite link they were given. Gone once they are in a server.
import { useState } from "preact/hooks";
import { tf } from "../i18n-features";
import { inviteCodeFrom } from "../invitecode";
import { navigate } from "../nav";
import { setState, useStore } from "../store";

export function FirstRunHint() {
  const show = useStore((s) => s.guildsLoaded && s.guilds.length === 0);
  const [link, setLink] = useState("");
  const [error, setError] = useState<string | null>(null);
  if (!show) return null;
  return (
    <section class="first-run" aria-labelledby="first-run-title" data-testid="first-run">
      <h3 id="first-run-title">{tf("welcomeTitle")}</h3>
      <p>{tf("welcomeText")}</p>
      <div class="first-run-actions">
        <button type="button" class="primary" onClick={() => setState({ modal: { kind: "createGuild" } })}>
          {tf("welcomeCreate")}
        </button>
        <form class="first-run-join" onSubmit={(e) => {
          e.preventDefault();
          const code = inviteCodeFrom(link);
          if (code) navigate(`/invite/${encodeURIComponent(code)}`);
          else setError(tf("inviteBad"));
        }}>
          <input type="text" aria-label={tf("invitePaste")} placeholder={tf("invitePaste")} value={link}
            aria-invalid={error ? "true" : undefined} aria-describedby={error ? "first-run-error" : undefined}
            onInput={(e) => { setLink((e.currentTarget as HTMLInputElement).value); setError(null); }} />
          <button type="submit">{tf("inviteGo")}</button>
        </form>
      </div>
      {error && <p id="first-run-error" class="field-error" role="alert">{error}</p>}
    </section>
  );
}
