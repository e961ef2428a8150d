// Shapes of the server's contract (docs/API.md). Fields the contract adds are optional.
export interface User {
  id: number;
  username: string;
  email?: string;
  avatar?: string | null;
  status?: "online" | "offline";
  created_at?: string;
  csrf_token?: string;
  display_name?: string | null;
}

export interface Guild {
  id: number;
  name: string;
  owner_id: number;
  created_at?: string;
  icon?: string | null;
  description?: string | null;
}

export type ChannelType = "text" | "voice" | "category" | "dm" | "group_dm";

export interface Channel {
  id: number;
  name: string;
  type: ChannelType;
  /** A DM channel (dms.ts) is kept under DM_GUILD (0): the server sends null. */
  guild_id: number;
  position: number;
  category_id?: number | null;
  read_only?: boolean;
  permission_overwrites?: Overwrite[];
}

/** A channel permission overwrite; allow and deny are decimal strings of bits. */
export interface Overwrite {
  id: number;
  type: "role" | "member";
  allow: string;
  deny: string;
}

export interface Role {
  id: number;
  guild_id: number;
  name: string;
  /** Decimal string of permission bits. */
  permissions: string;
  position: number;
  color: number;
  hoist: boolean;
  mentionable: boolean;
  created_at?: string;
}

export interface Member {
  id: number;
  username: string;
  avatar?: string | null;
  status?: "online" | "offline";
  joined_at?: string;
  display_name?: string | null;
  /** Role ids, @everyone left out, highest first. */
  roles?: number[];
  communication_disabled_until?: string | null;
}

export interface FileRef {
  filename: string;
  path: string;
  size: number;
  mimetype: string;
  /** false: an image too large to preview (over 40 MP) or not an image: shown as a file. */
  preview?: boolean;
}

export interface Reaction {
  emoji: string;
  count: number;
  users: string[];
}

export interface PollOption {
  id: string;
  text: string;
  votes: number;
}

export interface Poll {
  id: string;
  question: string;
  options: PollOption[];
  expires_at: string;
  allow_multiple: boolean;
  user_votes?: string[];
}

export interface Message {
  id: number;
  channel_id: number;
  /** null in a DM */
  guild_id: number | null;
  author_id: number;
  username: string;
  /** The author's display name when the message was read (section 20). */
  display_name?: string | null;
  avatar?: string | null;
  content: string;
  timestamp: string;
  edited_at?: string | null;
  pinned?: boolean;
  files?: FileRef[];
  reactions?: Reaction[];
  poll?: Poll | null;
  nonce?: string | null;
  /** Section 16: the message answered, cut to 100 characters, or a deleted one. */
  reply_to?: ReplyRef | null;
  mentions?: number[];
  mention_roles?: number[];
  mention_everyone?: boolean;
  /** Client-only: an optimistic message not yet stored by the server. */
  pending?: boolean;
  failed?: boolean;
}

export type ReplyRef =
  | { id: number; author_id: number; username: string; content: string; deleted?: false }
  | { id: number; deleted: true };

/** Section 16: one channel's read position and counts. */
export interface ReadState {
  channel_id: number;
  guild_id: number | null;
  last_read_id: number;
  last_message_id: number;
  unread_count: number;
  mention_count: number;
}

export interface MessageEdit {
  content: string;
  edited_at: string;
}

export interface Emoji {
  id: string;
  name: string;
  file_path: string;
  animated?: boolean;
}

export interface Sticker {
  id: string;
  name: string;
  file_path: string;
  description?: string | null;
}

export interface Invite {
  code: string;
  expires_at: string | null;
  max_uses: number;
  uses: number;
}

/** An invite as the guild's list shows it (creator and time added by the server). */
export interface GuildInvite extends Invite {
  creator_id?: number;
  created_at?: string;
}

export interface InvitePreview {
  code: string;
  guild_id: number;
  guild_name: string;
  member_count: number;
  expires_at: string | null;
}

export interface FriendStatus {
  friends: string[];
  /** The friends with their ids (added by the server), to open DMs. */
  friend_users?: { id: number; username: string; avatar?: string | null }[];
  pending_in: string[];
  pending_out: string[];
}

export interface SearchHit {
  id: number;
  content: string;
  username: string;
  channel_name: string;
  timestamp: string;
  channel_id: number;
  /** null in a DM */
  guild_id: number | null;
  /** Section 17: the words the query matched, as written. */
  highlights?: string[];
}
