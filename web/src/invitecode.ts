// What a person pastes to join a server: an invite link (any host: the link may come
// from another address of this server) or the bare code.
const CODE = /^[A-Za-z0-9_-]{4,64}$/;

/** The invite code in `text`, or null when it is neither a code nor an /invite/ link. */
export function inviteCodeFrom(text: string): string | null {
  const s = text.trim();
  if (CODE.test(s)) return s;
  const m = /(?:^|\/)invite\/([A-Za-z0-9_-]{4,64})\/?(?:[?#].*)?$/.exec(s);
  return m ? m[1] : null;
}
