// The DM screens' words, English and Russian (the app's language from the store).
import { getState } from "../../store";

const en = {
  directMessages: "Direct messages",
  newGroup: "New group",
  newGroupHint: "Pick 1 to 9 friends.",
  noDms: "No conversations yet. Say hello to a friend!",
  message: "Message",
  messageUser: "Message {name}",
  groupSettings: "Group settings",
  groupName: "Group name",
  addPeople: "Add a friend",
  add: "Add",
  leaveGroup: "Leave group",
  people: "People in this group",
  owner: "owner",
  noFriendsToAdd: "Every friend is already here.",
  create: "Create group",
};
const ru: typeof en = {
  directMessages: "Личные сообщения",
  newGroup: "Новая группа",
  newGroupHint: "Выберите от 1 до 9 друзей.",
  noDms: "Пока нет бесед. Напишите другу!",
  message: "Написать",
  messageUser: "Написать {name}",
  groupSettings: "Настройки группы",
  groupName: "Название группы",
  addPeople: "Добавить друга",
  add: "Добавить",
  leaveGroup: "Покинуть группу",
  people: "Участники группы",
  owner: "владелец",
  noFriendsToAdd: "Все друзья уже здесь.",
  create: "Создать группу",
};

export type DmKey = keyof typeof en;

export function dt(key: DmKey, vars: Record<string, string> = {}): string {
  const dict = getState().lang === "ru" ? ru : en;
  return dict[key].replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? "");
}
