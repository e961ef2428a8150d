import { useState } from "preact/hooks";
import { api } from "../api";
import { attempt } from "../actions/common";
import { loadFriends } from "../actions/friends";
import { t } from "../i18n";
import { setState, useStore } from "../store";
import { Avatar } from "./Avatar";
import { FirstRunHint } from "./FirstRun";
import { errorsFrom } from "./Auth";
import { MessageButton } from "./dms/MessageButton";

export function FriendsPanel() {
  const f = useStore((s) => s.friends);
  const presence = useStore((s) => s.presence);
  const ids = new Map((f.friend_users ?? []).map((u) => [u.username, u.id]));
  const [tab, setTab] = useState<"all" | "pending" | "add">("all");
  const [name, setName] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [ok, setOk] = useState<string | undefined>();

  const act = async (fn: () => Promise<unknown>) => {
    await attempt(fn);
    await loadFriends();
  };

  async function add(e: Event) {
    e.preventDefault();
    setError(undefined);
    setOk(undefined);
    try {
      const r = await api.friendRequest(name.trim());
      setOk(r.message);
      setName("");
      await loadFriends();
    } catch (err) {
      setError(Object.values(errorsFrom(err, []))[0]);
    }
  }

  const tabs: [typeof tab, string][] = [["all", t("all")], ["pending", t("pending")], ["add", t("addFriend")]];
  return (
    <section class="chat friends" aria-label={t("friends")}>
      <header class="chat-head">
        <button class="icon menu-btn" aria-label={t("openMenu")} onClick={() => setState({ drawer: true })}>☰</button>
        <h2 class="chat-title">{t("friends")}</h2>
        <div role="tablist" aria-label={t("friends")} class="tabs">
          {tabs.map(([k, label]) => (
            <button key={k} role="tab" aria-selected={tab === k} class={tab === k ? "active" : ""}
              onClick={() => setTab(k)}>
              {label}{k === "pending" && f.pending_in.length > 0 ? ` (${f.pending_in.length})` : ""}
            </button>
          ))}
        </div>
      </header>
      <FirstRunHint />
      <div class="friends-body" role="tabpanel">
        {tab === "add" && (
          <form class="add-friend" onSubmit={add}>
            <label for="friend-name">{t("addFriend")}</label>
            <div class="row">
              <input id="friend-name" value={name} placeholder={t("username")}
                aria-invalid={error ? "true" : undefined} aria-describedby={error ? "friend-error" : undefined}
                onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
              <button class="primary" type="submit" disabled={!name.trim()}>{t("sendRequest")}</button>
            </div>
            {error && <p id="friend-error" class="field-error" role="alert">{error}</p>}
            {ok && <p class="ok" role="status">{ok}</p>}
          </form>
        )}
        {tab === "all" && (f.friends.length === 0 ? <p class="muted">{t("noFriends")}</p> : (
          <ul class="people" aria-label={t("friends")}>
            {f.friends.map((u) => (
              <li key={u} class="person">
                <Avatar name={u} status={presence[u] ?? "offline"} />
                <span class="person-name">{u}</span>
                {ids.has(u) && <MessageButton userId={ids.get(u)!} name={u} />}
                <button onClick={() => act(() => api.friendRemove(u))} aria-label={`${t("remove")} ${u}`}>{t("remove")}</button>
              </li>
            ))}
          </ul>
        ))}
        {tab === "pending" && (f.pending_in.length + f.pending_out.length === 0
          ? <p class="muted">{t("noPending")}</p> : (
          <ul class="people" aria-label={t("pending")}>
            {f.pending_in.map((u) => (
              <li key={`in-${u}`} class="person">
                <Avatar name={u} />
                <span class="person-name">{u} <span class="muted small">{t("incoming")}</span></span>
                <button class="primary" onClick={() => act(() => api.friendAccept(u))} aria-label={`${t("accept")} ${u}`}>{t("accept")}</button>
                <button onClick={() => act(() => api.friendDecline(u))} aria-label={`${t("decline")} ${u}`}>{t("decline")}</button>
              </li>
            ))}
            {f.pending_out.map((u) => (
              <li key={`out-${u}`} class="person">
                <Avatar name={u} />
                <span class="person-name">{u} <span class="muted small">{t("outgoing")}</span></span>
                <button onClick={() => act(() => api.friendCancel(u))} aria-label={`${t("cancel")} ${u}`}>{t("cancel")}</button>
              </li>
            ))}
          </ul>
        ))}
      </div>
    </section>
  );
}
