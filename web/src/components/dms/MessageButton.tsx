import { messageUser } from "../../dms";
import { dt } from "./text";

/** "Message": opens (or creates) the DM with this user. */
export function MessageButton({ userId, name }: { userId: number; name: string }) {
  return (
    <button class="small dm-button" title={dt("messageUser", { name })}
      aria-label={dt("messageUser", { name })} onClick={() => void messageUser(userId)}>
      {dt("message")}
    </button>
  );
}
