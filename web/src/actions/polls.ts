// Polls: created after their message, votes, and the reader's own votes.
import { api } from "../api";
import { patchChannel } from "../store";
import type { Message, Poll } from "../types";
import { attempt, Changes, freshRead } from "./common";
import { replaceMessage, sendMessage } from "./messages";

export async function createPoll(channelId: number, question: string, options: string[],
  allowMultiple: boolean, hours: number): Promise<void> {
  const m = await sendMessage(channelId, question);
  if (!m) return;
  const poll = await api.createPoll(m.id, { question, options, allow_multiple: allowMultiple,
    expires_hours: hours });
  replaceMessage({ id: m.id, poll: { ...poll, user_votes: [] } }, channelId);
}

const pollVotesAsked = new Set<string>();
// Votes and live updates per message: a read of the poll under way meanwhile is done
// again, or its older counts and marks would replace the newer ones.
const pollChanges = new Changes<number>();

/** The poll as the caller sees it (with user_votes), fetched once per poll. */
export async function ensureMyVotes(m: Message): Promise<void> {
  if (!m.poll || m.poll.user_votes || pollVotesAsked.has(m.poll.id)) return;
  pollVotesAsked.add(m.poll.id);
  const p = await freshRead(pollChanges, m.id, () => api.poll(m.id).catch(() => undefined));
  // Without an answer the poll still shows, without our marks.
  if (p) patchPoll(m.channel_id, m.id, p);
}

export function mergePoll(channelId: number, messageId: number, p: Poll): void {
  pollChanges.bump(messageId);
  patchPoll(channelId, messageId, p);
}

function patchPoll(channelId: number, messageId: number, p: Poll): void {
  patchChannel(channelId, (c) => ({ items: c.items.map((x) => {
    if (x.id !== messageId) return x;
    return { ...x, poll: { ...p, user_votes: p.user_votes ?? x.poll?.user_votes } };
  }) }));
}

export async function vote(m: Message, optionId: string): Promise<void> {
  const p = m.poll!;
  const mine = p.user_votes ?? [];
  let votes: string[];
  if (p.allow_multiple) votes = mine.includes(optionId) ? mine : [...mine, optionId];
  else votes = [optionId];
  const updated = await attempt(() => api.vote(p.id, optionId));
  if (updated) mergePoll(m.channel_id, m.id, { ...updated, user_votes: updated.user_votes ?? votes });
}

export async function unvote(m: Message): Promise<void> {
  const updated = await attempt(() => api.unvote(m.poll!.id));
  if (updated && typeof updated === "object" && "options" in updated) {
    mergePoll(m.channel_id, m.id, { ...updated, user_votes: [] });
  }
}
