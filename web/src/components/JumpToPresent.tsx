// The bar over the bottom of the message list when the reader has scrolled far up (or
// is reading an older window after a jump): one click back to the newest messages.
import { tf } from "../i18n-features";

export function JumpToPresent({ onJump }: { onJump: () => void }) {
  return (
    <div class="jump-bar" role="status" data-testid="jump-to-present">
      <span class="jump-bar-text">{tf("viewingOlder")}</span>
      <button type="button" class="jump-bar-button" onClick={onJump}>
        {tf("jumpToPresent")} <span aria-hidden="true">↓</span>
      </button>
    </div>
  );
}
