// What the socket's events do to the store: messages, reactions, pins, polls,
// channels, guilds, members, friends, read states and presence. Registered with the
// socket layer (realtime.setLive) by startLive(), so realtime imports no action.
import type { Socket } from "socket.io-client";
import { bindDms } from "../dms";
import { applyReaction } from "../gaps";
import * as rt from "../realtime";
import { getState, patchChannel, setState } from "../store";
import type { Channel, Message, Poll } from "../types";
import { noteHistory } from "../readstates";
import { startUnread } from "../unread";
import { currentChannelId, findChannel, isViewing, myRoleIds } from "./common";
import { loadFriends } from "./friends";
import { dropChannel, loadGuilds, loadMembers, removeGuild, upsertChannel } from "./guilds";
import {
  fillGaps, loadPins, receiveHistory, receiveMessage, removeMessage, replaceMessage, resyncChannel,
} from "./messages";
import { mergePoll } from "./polls";
import { noteLiveMessage, onReadStateUpdated } from "./readstates";
import { checkSession } from "./session";

export function startLive(): void {
  rt.setLive({
    bind,
    connected(again) {
      // After a drop: whatever changed while we were away (new guilds or channels);
      // the rooms' events come back through resume. The first time: a friend request
      // sent between sign-in's REST read and this socket's rooms reached nobody here,
      // so the friends are read (again) now that events flow.
      if (again) void loadGuilds();
      void loadFriends();
    },
    resync: (cid) => void resyncChannel(cid),
    resumeRefused: () => void fillGaps(),
    checkSession: () => void checkSession(),
  });
}

function bind(s: Socket): void {
  bindDms(s);
  rt.bindRoomAnswers(s);
  s.on("messages_history", (msgs: Message[]) => {
    if (!Array.isArray(msgs) || msgs.length === 0) return;
    const channelId = msgs[0].channel_id;
    setState((st) => ({ unread: noteHistory(st.unread, msgs, st.me?.id,
      myRoleIds(msgs[0].guild_id), isViewing(channelId)) }));
    noteLiveMessage();
    receiveHistory(channelId, msgs);
  });
  s.on("new_message", rt.once((m: Message & { seq?: number }) => {
    receiveMessage(m);
    rt.setTyping(m.channel_id, m.username, false);
  }));
  s.on("message_edited", rt.once((d: Partial<Message> & { id: number; room?: string }) => {
    const cid = rt.channelIdOf(d);
    if (cid === undefined) return;
    const { room: _room, seq: _seq, ...msg } = d as typeof d & { seq?: number };
    replaceMessage(msg, cid);
  }));
  s.on("message_deleted", rt.once((d: { id: number; room?: string; channel_id?: number }) => {
    const cid = rt.channelIdOf(d);
    if (cid !== undefined) removeMessage(d.id, cid);
  }));
  const reaction = (added: boolean) => rt.once((d: { message_id: number; emoji: string;
    username: string; room: string }) => {
    const cid = rt.channelOfRoom(d.room);
    if (cid === undefined) return;
    patchChannel(cid, (c) => ({ items: c.items.map((m) =>
      (m.id === d.message_id ? applyReaction(m, d.emoji, d.username, added) : m)) }));
  });
  s.on("reaction_added", reaction(true));
  s.on("reaction_removed", reaction(false));
  const pin = (pinned: boolean) => rt.once((d: { message_id: number; room: string }) => {
    const cid = rt.channelOfRoom(d.room);
    if (cid === undefined) return;
    replaceMessage({ id: d.message_id, pinned }, cid);
    if (getState().panel === "pins" && currentChannelId() === cid) void loadPins(cid);
  });
  s.on("message_pinned", pin(true));
  s.on("message_unpinned", pin(false));
  s.on("poll_updated", rt.once((d: Poll & { message_id: number; room?: string; channel_id?: number; seq?: number }) => {
    const cid = rt.channelIdOf(d);
    if (cid === undefined) return;
    const { message_id, room: _room, channel_id: _c, seq: _seq, ...poll } = d;
    mergePoll(cid, message_id, { ...poll, user_votes: undefined });
  }));
  s.on("user_typing", (d: { username: string; room: string }) => {
    const cid = rt.channelOfRoom(d.room);
    if (cid !== undefined) rt.setTyping(cid, d.username, true);
  });
  s.on("user_stopped_typing", (d: { username: string; room: string }) => {
    const cid = rt.channelOfRoom(d.room);
    if (cid !== undefined) rt.setTyping(cid, d.username, false);
  });
  s.on("channel_created", (c: Channel) => {
    if (!(c && typeof c.id === "number" && c.guild_id)) return;
    // Before its room is joined: the history the join brings is unread, not seeded.
    setState((st) => ({ unread: startUnread(st.unread, c.id) }));
    upsertChannel(c);
  });
  s.on("channel_updated", (c: Channel) => {
    if (c && typeof c.id === "number" && c.guild_id) upsertChannel(c);
  });
  s.on("channel_deleted", (d: { id: number; guild_id?: number }) => {
    const c = findChannel(d.id);
    const gid = d.guild_id ?? c?.guild_id;
    if (gid) dropChannel(gid, d.id);
  });
  s.on("guild_deleted", (d: { id?: number; guild_id?: number }) => {
    const id = d.guild_id ?? d.id;
    if (typeof id === "number") removeGuild(id);
  });
  // Custom emojis and stickers: a guild's lists, once loaded, follow the owner's changes.
  const asset = (kind: "emojis" | "stickers", added: boolean) =>
    (d: { id?: unknown; guild_id?: unknown }) => {
      const gid = d?.guild_id;
      if (typeof gid !== "number" || typeof d.id !== "string") return;
      setState((st) => {
        const list = st[kind][gid] as { id: string }[] | undefined;
        if (!list) return {}; // not loaded: opening the guild reads it whole
        const rest = list.filter((x) => x.id !== d.id);
        return { [kind]: { ...st[kind], [gid]: added ? [...rest, d] : rest } };
      });
    };
  s.on("emoji_created", asset("emojis", true));
  s.on("emoji_deleted", asset("emojis", false));
  s.on("sticker_created", asset("stickers", true));
  s.on("sticker_deleted", asset("stickers", false));
  const members = (d: Record<string, unknown>) => {
    const gid = rt.guildIdOf(d);
    if (gid === undefined) return;
    const me = getState().me;
    if (d.user_id === me?.id || d.username === me?.username) void loadGuilds();
    void loadMembers(gid);
  };
  s.on("member_joined", members);
  s.on("member_left", members);
  // Kicked or banned: the server already took this user's sockets out of the guild.
  s.on("guild_removed", (d: { guild_id?: number }) => {
    if (typeof d.guild_id === "number") removeGuild(d.guild_id);
  });
  s.on("member_updated", (d: Record<string, unknown>) => {
    const gid = rt.guildIdOf(d);
    if (gid !== undefined) void loadMembers(gid);
  });
  // Every friend_* event (request, accepted, removed, declined, cancelled): refetch the
  // lists, which is one small call and cannot drift from the server.
  s.onAny((ev: string) => {
    if (ev.startsWith("friend_")) void loadFriends();
  });
  // Another tab or device of this user read or sent somewhere (section 16).
  s.on("read_state_updated", onReadStateUpdated);
  s.on("presence_update", (d: { username: string; status: "online" | "offline" }) => {
    setState((st) => ({ presence: { ...st.presence, [d.username]: d.status } }));
  });
}
