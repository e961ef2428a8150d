// Shapes of the server's contract (docs/API.md). Fields the contract adds are optional.
export interface User {
  id: number;
  username: string;
  email?: string;
  avatar?: string | null;
  status?: "online" | "offline";
  created_at?: string;
  csrf_token?: string;
}

export interface Guild {
  id: number;
  name: string;
  owner_id: number;
  created_at?: string;
}

export type ChannelType = "text" | "voice" | "category";

export interface Channel {
  id: number;
  name: string;
  type: ChannelType;
  guild_id: number;
  position: number;
  category_id?: number | null;
  read_only?: boolean;
}

export interface Member {
  id: number;
  username: string;
  avatar?: string | null;
  status?: "online" | "offline";
  joined_at?: string;
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
  guild_id: number;
  author_id: number;
  username: string;
  avatar?: string | null;
  content: string;
  timestamp: string;
  edited_at?: string | null;
  pinned?: boolean;
  files?: FileRef[];
  reactions?: Reaction[];
  poll?: Poll | null;
  nonce?: string | null;
  /** Client-only: an optimistic message not yet stored by the server. */
  pending?: boolean;
  failed?: boolean;
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

export interface InvitePreview {
  code: string;
  guild_id: number;
  guild_name: string;
  member_count: number;
  expires_at: string | null;
}

export interface FriendStatus {
  friends: string[];
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
  guild_id: number;
}
