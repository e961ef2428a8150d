import { unvote, vote } from "../actions/polls";
import { formatFull, formatRelative, t } from "../i18n";
import type { Message } from "../types";

export function PollView({ m }: { m: Message }) {
  const p = m.poll!;
  const total = p.options.reduce((n, o) => n + o.votes, 0);
  const expired = new Date(p.expires_at).getTime() <= Date.now();
  const mine = p.user_votes ?? [];
  return (
    <fieldset class="poll" aria-label={`${t("poll")}: ${p.question}`}>
      <legend class="poll-q">{p.question}</legend>
      {p.options.map((o) => {
        const share = total ? Math.round((o.votes / total) * 100) : 0;
        const on = mine.includes(o.id);
        return (
          <button key={o.id} type="button" class={`poll-opt ${on ? "on" : ""}`} aria-pressed={on}
            disabled={expired || m.pending} onClick={() => vote(m, o.id)}
            aria-label={`${o.text}: ${t("votes", { n: o.votes })}`} data-testid="poll-option">
            <span class="poll-bar" style={{ width: `${share}%` }} aria-hidden="true" />
            <span class="poll-text">{o.text}</span>
            <span class="poll-count" aria-hidden="true">{o.votes} · {share}%</span>
          </button>
        );
      })}
      <div class="poll-foot muted small">
        <span>{t("votes", { n: total })}</span>
        {" · "}
        <time dateTime={p.expires_at} title={formatFull(p.expires_at)}>
          {expired ? t("pollEnded") : t("pollEnds", { when: formatRelative(p.expires_at) })}
        </time>
        {!expired && mine.length > 0 && (
          <> · <button type="button" class="link" onClick={() => unvote(m)}>{t("retractVote")}</button></>
        )}
      </div>
    </fieldset>
  );
}
