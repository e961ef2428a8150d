// Friends: the lists, and the requests that change them.
import { api } from "../api";
import { setState } from "../store";
import { attempt } from "./common";

export async function loadFriends(): Promise<void> {
  const f = await attempt(() => api.friends());
  if (f) setState({ friends: f });
}
