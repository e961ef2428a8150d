import { useState } from "preact/hooks";
import { addToGroup, createGroup, type DmEntry, leaveGroup, renameGroup } from "../../dms";
import { t } from "../../i18n";
import { setState, useStore } from "../../store";
import { Avatar } from "../Avatar";
import { Modal } from "../dialogs/Modal";
import { dt } from "./text";

const close = () => setState({ modal: null });

/** The DM dialogs: a new group from friends, and a group's settings. */
export function DmModals() {
  const modal = useStore((s) => s.modal);
  if (modal?.kind === "dmNewGroup") return <NewGroup />;
  if (modal?.kind === "dmGroupSettings") return <GroupSettings channelId={modal.data as number} />;
  return null;
}

function useFriends() {
  return useStore((s) => s.friends.friend_users) ?? [];
}

function NewGroup() {
  const friends = useFriends();
  const [picked, setPicked] = useState<number[]>([]);
  const toggle = (id: number) =>
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  return (
    <Modal title={dt("newGroup")} onSubmit={async () => {
      if (await createGroup(picked)) close();
    }}>
      <p class="muted">{dt("newGroupHint")}</p>
      <ul class="people pick">
        {friends.map((f) => (
          <li key={f.id} class="person">
            <label>
              <input type="checkbox" checked={picked.includes(f.id)}
                disabled={!picked.includes(f.id) && picked.length >= 9}
                onChange={() => toggle(f.id)} />
              <Avatar name={f.username} src={f.avatar} size={24} />
              <span class="person-name">{f.username}</span>
            </label>
          </li>
        ))}
      </ul>
      <div class="modal-actions">
        <button type="button" onClick={close}>{t("cancel")}</button>
        <button type="submit" class="primary" disabled={picked.length === 0}>{dt("create")}</button>
      </div>
    </Modal>
  );
}

function GroupSettings({ channelId }: { channelId: number }) {
  const group = useStore((s) => (s.channels[0] as DmEntry[] | undefined)?.find((c) => c.id === channelId));
  const me = useStore((s) => s.me?.id);
  const friends = useFriends();
  const [name, setName] = useState(group?.group_name ?? "");
  const [adding, setAdding] = useState<number | "">("");
  if (!group) return null;
  const inside = new Set(group.recipients.map((u) => u.id));
  const addable = friends.filter((f) => !inside.has(f.id));
  const isOwner = group.owner_id === me;
  return (
    <Modal title={dt("groupSettings")} onSubmit={async () => {
      await renameGroup(group.id, name.trim());
      close();
    }}>
      <label for="group-name">{dt("groupName")}</label>
      <input id="group-name" value={name} maxLength={100}
        onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
      <h3 class="small-title">{dt("people")}</h3>
      <ul class="people">
        {group.recipients.map((u) => (
          <li key={u.id} class="person">
            <Avatar name={u.username} src={u.avatar} size={24} />
            <span class="person-name">{u.username}
              {u.id === group.owner_id && <span class="muted small"> ({dt("owner")})</span>}</span>
          </li>
        ))}
      </ul>
      {isOwner && (addable.length === 0 ? <p class="muted small">{dt("noFriendsToAdd")}</p> : (
        <div class="row">
          <label for="group-add" class="sr-only">{dt("addPeople")}</label>
          <select id="group-add" value={adding}
            onChange={(e) => setAdding(Number((e.currentTarget as HTMLSelectElement).value) || "")}>
            <option value="">{dt("addPeople")}</option>
            {addable.map((f) => <option key={f.id} value={f.id}>{f.username}</option>)}
          </select>
          <button type="button" disabled={adding === ""}
            onClick={() => { if (adding !== "") { void addToGroup(group.id, adding); setAdding(""); } }}>
            {dt("add")}
          </button>
        </div>
      ))}
      <div class="modal-actions">
        <button type="button" class="danger" onClick={async () => { await leaveGroup(group.id); close(); }}>
          {dt("leaveGroup")}
        </button>
        <button type="submit" class="primary">{t("save")}</button>
      </div>
    </Modal>
  );
}
