// The REST client: cookie session + X-CSRF-Token on unsafe calls, the contract's error
// format turned into ApiError, and 429s retried after the server's Retry-After.
import type {
  Channel, Emoji, FileRef, FriendStatus, Guild, GuildInvite, Invite, InvitePreview, Member, Message, MessageEdit,
  Poll, ReadState, Role, SearchHit, Sticker, User,
} from "./types";
import type { DmChannel } from "./dms";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** From Retry-After on a 429, in milliseconds. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The form field the error belongs to, from details.field or the code. */
  get field(): string | undefined {
    const f = this.details.field;
    if (typeof f === "string") return f;
    return CODE_FIELDS[this.code];
  }
}

const CODE_FIELDS: Record<string, string> = {
  INVALID_EMAIL: "email",
  WEAK_PASSWORD: "password",
  INVALID_CREDENTIALS: "password",
  USER_ALREADY_EXISTS: "username",
  USER_NOT_FOUND: "username",
};

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
export const MAX_RETRIES = 3;

export interface Transport {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  cookie: () => string;
}

const browserTransport: Transport = {
  fetch: (...args) => globalThis.fetch(...args),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  cookie: () => (typeof document === "undefined" ? "" : document.cookie),
};

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), as milliseconds. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (!header) return 1000;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? 1000 : Math.max(0, at - now);
}

export function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

/** Turns any failed answer into an ApiError, whatever its body. */
export async function errorFrom(resp: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await resp.json();
  } catch {
    /* not JSON: a proxy's page, say */
  }
  if (body && typeof body === "object" && "code" in body) {
    const b = body as { error?: string; code: string; details?: Record<string, unknown> };
    return new ApiError(resp.status, b.code, b.error || b.code, b.details || {});
  }
  return new ApiError(resp.status, resp.status >= 500 ? "INTERNAL_ERROR" : "HTTP_ERROR",
    `HTTP ${resp.status}`);
}

export type RetryListener = (waitMs: number) => void;

export class Api {
  csrf: string | undefined;
  onRetry: RetryListener = () => {};
  onUnauthorized: () => void = () => {};

  constructor(private t: Transport = browserTransport) {}

  private csrfToken(): string | undefined {
    return readCookie(this.t.cookie(), "csrf_token") || this.csrf;
  }

  async request<T>(method: string, path: string, body?: unknown,
    extra: Record<string, string> = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { Accept: "application/json", ...extra };
      const init: RequestInit = { method, headers, credentials: "same-origin" };
      if (body !== undefined) {
        headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      const token = this.csrfToken();
      if (UNSAFE.has(method) && token) headers["X-CSRF-Token"] = token;
      let resp: Response;
      try {
        resp = await this.t.fetch(path, init);
      } catch {
        throw new ApiError(0, "NETWORK_ERROR", "Network error: the server cannot be reached");
      }
      // A 429 means the server did nothing, so trying again later is always safe.
      if (resp.status === 429 && attempt < MAX_RETRIES) {
        const wait = retryAfterMs(resp.headers.get("Retry-After"));
        this.onRetry(wait);
        await this.t.sleep(wait);
        continue;
      }
      if (!resp.ok) {
        const err = await errorFrom(resp);
        if (err.status === 401 && path !== "/api/login") this.onUnauthorized();
        throw err;
      }
      if (resp.status === 204) return undefined as T;
      return (await resp.json()) as T;
    }
  }

  get<T>(path: string) { return this.request<T>("GET", path); }
  post<T>(path: string, body?: unknown) { return this.request<T>("POST", path, body); }
  put<T>(path: string, body?: unknown) { return this.request<T>("PUT", path, body); }
  del<T>(path: string) { return this.request<T>("DELETE", path); }

  // --- auth
  me() { return this.get<User>("/api/me"); }
  async login(username: string, password: string) {
    const u = await this.post<User & { csrf_token: string }>("/api/login", { username, password });
    this.csrf = u.csrf_token;
    return u;
  }
  async register(username: string, password: string, email: string) {
    const u = await this.post<User & { csrf_token: string }>("/api/register",
      { username, password, email });
    this.csrf = u.csrf_token;
    return u;
  }
  logout() { return this.post<{ message: string }>("/api/logout"); }

  // --- guilds, channels, invites
  guilds() { return this.get<Guild[]>("/api/guilds"); }
  createGuild(name: string) { return this.post<Guild>("/api/guilds", { name }); }
  deleteGuild(id: number) { return this.del(`/api/guilds/${id}`); }
  leaveGuild(id: number) { return this.del(`/api/guilds/${id}/members/@me`); }
  members(id: number) { return this.get<Member[]>(`/api/guilds/${id}/members`); }
  channels(id: number) { return this.get<Channel[]>(`/api/guilds/${id}/channels`); }
  createChannel(guildId: number, body: { name: string; type: string; category_id?: number }) {
    return this.post<Channel>(`/api/guilds/${guildId}/channels`, body);
  }
  updateChannel(id: number, body: Partial<Pick<Channel, "name" | "read_only" | "position" | "category_id">>) {
    return this.put<Channel>(`/api/channels/${id}`, body);
  }
  deleteChannel(id: number) { return this.del(`/api/channels/${id}`); }
  createInvite(guildId: number, body: { expires_hours?: number; max_uses?: number }) {
    return this.post<Invite>(`/api/guilds/${guildId}/invites`, body);
  }
  invites(guildId: number) { return this.get<GuildInvite[]>(`/api/guilds/${guildId}/invites`); }
  revokeInvite(code: string) { return this.del(`/api/invites/${encodeURIComponent(code)}`); }
  invite(code: string) { return this.get<InvitePreview>(`/api/invites/${encodeURIComponent(code)}`); }
  joinInvite(code: string) {
    return this.post<{ message: string; guild_id: number }>(
      `/api/invites/${encodeURIComponent(code)}/join`);
  }
  emojis(guildId: number) { return this.get<Emoji[]>(`/api/guilds/${guildId}/emojis`); }
  stickers(guildId: number) { return this.get<Sticker[]>(`/api/guilds/${guildId}/stickers`); }

  // --- messages
  messages(channelId: number, q: { before?: number; after?: number; limit?: number } = {}) {
    const p = new URLSearchParams({ limit: String(q.limit ?? 50) });
    if (q.before !== undefined) p.set("before", String(q.before));
    if (q.after !== undefined) p.set("after", String(q.after));
    return this.get<{ messages: Message[] }>(`/api/channels/${channelId}/messages?${p}`)
      .then((r) => r.messages);
  }
  send(channelId: number, content: string, files: string[], nonce: string, replyTo?: number) {
    const body: Record<string, unknown> = { content, nonce };
    if (files.length) body.files = files;
    if (replyTo !== undefined) body.reply_to = replyTo;
    return this.post<Message>(`/api/channels/${channelId}/messages`, body);
  }
  edit(id: number, content: string) { return this.put<Message>(`/api/messages/${id}`, { content }); }
  deleteMessage(id: number) { return this.del(`/api/messages/${id}`); }
  pin(id: number, on: boolean) { return this.post(`/api/messages/${id}/${on ? "pin" : "unpin"}`); }
  async pins(channelId: number): Promise<Message[]> {
    const r = await this.get<Message[] | { messages: Message[] }>(`/api/channels/${channelId}/pins`);
    return Array.isArray(r) ? r : r.messages;
  }
  react(id: number, emoji: string, on: boolean) {
    const path = `/api/messages/${id}/reactions/${encodeURIComponent(emoji)}`;
    return on ? this.put<Message>(path) : this.del<Message>(path);
  }
  createPoll(messageId: number, body: { question: string; options: string[];
    allow_multiple: boolean; expires_hours: number }) {
    return this.post<Poll>(`/api/messages/${messageId}/poll`, body);
  }
  poll(messageId: number) { return this.get<Poll>(`/api/messages/${messageId}/poll`); }
  vote(pollId: string, optionId: string) {
    return this.post<Poll>(`/api/polls/${encodeURIComponent(pollId)}/vote`, { option_id: optionId });
  }
  unvote(pollId: string) { return this.del<Poll>(`/api/polls/${encodeURIComponent(pollId)}/vote`); }
  /** Section 17's parameters (src/searchquery.ts builds them from the search box). */
  search(params: URLSearchParams) {
    return this.get<SearchHit[] | { results: SearchHit[] }>(`/api/search/messages?${params}`)
      .then((r) => (Array.isArray(r) ? r : r.results));
  }
  // --- section 16: read state, edit history
  readStates() { return this.get<ReadState[]>("/api/users/@me/read-states"); }
  ack(channelId: number, messageId: number) {
    return this.post<ReadState>(`/api/channels/${channelId}/ack`, { message_id: messageId });
  }
  edits(messageId: number) { return this.get<MessageEdit[]>(`/api/messages/${messageId}/edits`); }

  // --- emojis, stickers, users
  deleteEmoji(id: string) { return this.del(`/api/emojis/${encodeURIComponent(id)}`); }
  deleteSticker(id: string) { return this.del(`/api/stickers/${encodeURIComponent(id)}`); }
  uploadAsset(guildId: number, kind: "emoji" | "sticker", file: File, name: string,
    onProgress: (fraction: number) => void) {
    return this.uploadTo(`/api/guilds/${guildId}/${kind}s`, file, file.name, onProgress, { name });
  }
  users(limit: number) { return this.get<{ id: number; username: string }[]>(`/api/users?limit=${limit}`); }

  // --- section 15: direct messages
  dmChannels() { return this.get<DmChannel[]>("/api/users/@me/channels"); }
  openDm(recipientId: number) {
    return this.post<DmChannel>("/api/users/@me/channels", { recipient_id: recipientId });
  }
  openGroupDm(recipientIds: number[]) {
    return this.post<DmChannel>("/api/users/@me/channels", { recipient_ids: recipientIds });
  }
  renameDm(channelId: number, name: string) { return this.put<DmChannel>(`/api/channels/${channelId}`, { name }); }
  addDmRecipient(channelId: number, userId: number) {
    return this.put<DmChannel>(`/api/channels/${channelId}/recipients/${userId}`);
  }
  removeDmRecipient(channelId: number, userId: number) {
    return this.del<DmChannel>(`/api/channels/${channelId}/recipients/${userId}`);
  }

  // --- friends
  friends() { return this.get<FriendStatus>("/api/friends/status"); }
  friendRequest(to: string) { return this.post<{ message: string }>("/api/friends/request", { to }); }
  friendAccept(from: string) { return this.post("/api/friends/accept", { from }); }
  friendDecline(from: string) { return this.post("/api/friends/decline", { from }); }
  friendCancel(to: string) { return this.post("/api/friends/cancel", { to }); }
  friendRemove(username: string) { return this.post("/api/friends/remove", { username }); }

  /** Multipart upload through XMLHttpRequest: fetch cannot report upload progress. */
  upload(file: File | Blob, name: string, onProgress: (fraction: number) => void): Promise<FileRef> {
    return this.uploadTo("/api/upload", file, name, onProgress);
  }

  private uploadTo(path: string, file: File | Blob, name: string, onProgress: (fraction: number) => void,
    extra: Record<string, string> = {}): Promise<FileRef> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", path);
      const token = this.csrfToken();
      if (token) xhr.setRequestHeader("X-CSRF-Token", token);
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
      xhr.onerror = () => reject(new ApiError(0, "NETWORK_ERROR", "Network error during upload"));
      xhr.onload = async () => {
        const resp = new Response(xhr.responseText || null, {
          status: xhr.status,
          headers: { "Content-Type": "application/json" },
        });
        if (xhr.status >= 200 && xhr.status < 300) {
          onProgress(1);
          resolve(JSON.parse(xhr.responseText));
        } else {
          const err = await errorFrom(resp);
          reject(xhr.status === 429
            ? new ApiError(err.status, err.code, err.message, err.details,
              retryAfterMs(xhr.getResponseHeader("Retry-After")))
            : err);
        }
      };
      const form = new FormData();
      for (const [k, v] of Object.entries(extra)) form.append(k, v);
      form.append("file", file, name);
      xhr.send(form);
    });
  }
}

export const api = new Api();

// --- roles, moderation, the audit log, profiles and account recovery (contract
// sections 13, 14 and 20), on the same client.

export interface Ban {
  user: { id: number; username: string; avatar?: string | null; display_name?: string | null };
  reason: string | null;
  created_at: string;
}

export interface AuditEntry {
  id: number;
  guild_id?: number;
  action: string;
  user_id: number | null;
  target_id: number | string | null;
  changes: { key: string; old: unknown; new: unknown }[];
  reason: string | null;
  created_at: string;
}

export type RoleBody = Partial<Pick<Role, "name" | "permissions" | "color" | "hoist" | "mentionable" | "position">>;

/** X-Audit-Log-Reason, percent-encoded as the contract asks; nothing when empty. */
export function reasonHeader(reason?: string): Record<string, string> {
  const r = reason?.trim();
  return r ? { "X-Audit-Log-Reason": encodeURIComponent(r) } : {};
}

const g = (gid: number) => `/api/guilds/${gid}`;

export const gov = {
  roles: (gid: number) => api.get<Role[]>(`${g(gid)}/roles`),
  createRole: (gid: number, body: RoleBody) => api.post<Role>(`${g(gid)}/roles`, body),
  updateRole: (gid: number, rid: number, body: RoleBody) => api.put<Role>(`${g(gid)}/roles/${rid}`, body),
  deleteRole: (gid: number, rid: number) => api.del<{ message: string }>(`${g(gid)}/roles/${rid}`),
  giveRole: (gid: number, uid: number, rid: number, on: boolean) =>
    api.request<Member>(on ? "PUT" : "DELETE", `${g(gid)}/members/${uid}/roles/${rid}`),

  setOverwrite: (cid: number, targetId: number, body: { type: "role" | "member"; allow: string; deny: string }) =>
    api.put<Channel>(`/api/channels/${cid}/permissions/${targetId}`, body),
  deleteOverwrite: (cid: number, targetId: number, type: "role" | "member") =>
    api.del<Channel>(`/api/channels/${cid}/permissions/${targetId}?type=${type}`),

  kick: (gid: number, uid: number, reason?: string) =>
    api.request<{ message: string }>("DELETE", `${g(gid)}/members/${uid}`, undefined, reasonHeader(reason)),
  ban: (gid: number, uid: number, reason: string, deleteMessageSeconds: number) => {
    const body: Record<string, unknown> = { delete_message_seconds: deleteMessageSeconds };
    if (reason.trim()) body.reason = reason.trim();
    return api.request<{ message: string }>("PUT", `${g(gid)}/bans/${uid}`, body, reasonHeader(reason));
  },
  unban: (gid: number, uid: number) => api.del<{ message: string }>(`${g(gid)}/bans/${uid}`),
  bans: (gid: number) => api.get<Ban[]>(`${g(gid)}/bans`),
  timeout: (gid: number, uid: number, until: string | null, reason?: string) =>
    api.request<Member>("PUT", `${g(gid)}/members/${uid}`, { communication_disabled_until: until },
      reasonHeader(reason)),
  auditLog: (gid: number, q: { before?: number; user_id?: number; action?: string; limit?: number }) => {
    const p = new URLSearchParams({ limit: String(q.limit ?? 50) });
    if (q.before) p.set("before", String(q.before));
    if (q.user_id) p.set("user_id", String(q.user_id));
    if (q.action) p.set("action", q.action);
    return api.get<{ entries: AuditEntry[] }>(`${g(gid)}/audit-log?${p}`).then((r) => r.entries);
  },

  updateGuild: (gid: number, body: { name?: string; icon?: string | null; description?: string | null }) =>
    api.put<Guild>(g(gid), body),
  updateMe: (body: { username?: string; avatar?: string | null; display_name?: string | null }) =>
    api.put<User>("/api/me", body),
  async changePassword(oldPassword: string, newPassword: string) {
    const r = await api.post<{ message: string; csrf_token: string }>("/api/me/password",
      { old_password: oldPassword, new_password: newPassword });
    api.csrf = r.csrf_token;
    return r;
  },
  requestReset: (email: string) => api.post<{ message: string }>("/api/password-reset", { email }),
  confirmReset: (token: string, newPassword: string) =>
    api.post<{ message: string }>("/api/password-reset/confirm", { token, new_password: newPassword }),
};

/** A server path ("uploads/...") as a same-origin URL. */
export function fileUrl(path: string): string {
  return path.startsWith("/") || /^https?:/.test(path) ? path : `/${path}`;
}
