// The words of the navigation and reading features (quick switcher, image viewer, date
// separators, first-run hint, invites page), in English and Russian; kept apart from
// i18n.ts so the dictionaries grow without touching each other.
import { format, getLang, t } from "./i18n";

const en = {
  spoiler: "Spoiler: click to show",
  today: "Today", yesterday: "Yesterday",
  jumpToPresent: "Jump to present", viewingOlder: "You are viewing older messages",
  quickSwitcher: "Quick switcher", quickSwitcherHint: "Where would you like to go?",
  quickSwitcherEmpty: "Nothing matches.", quickSwitcherHelp: "↑↓ to pick, Enter to go, Esc to close",
  imageViewer: "Image", openOriginal: "Open original", closeViewer: "Close image",
  welcomeTitle: "Welcome to Guildhall!",
  welcomeText: "You are not in any server yet. Create your own, or paste an invite link you were given.",
  welcomeCreate: "Create your own server", invitePaste: "Invite link or code", inviteGo: "Join",
  inviteBad: "That is not an invite link.",
  invites: "Invites", noInvites: "No active invites.", revoke: "Revoke", revokeInvite: "Revoke invite {code}",
  inviteUses: "{uses} of {max} uses", inviteUsesUnlimited: "{uses} uses", inviteExpires: "expires {when}",
  inviteNever: "never expires",
  messageDm: "Message @{name}", messageGroup: "Message {name}",
};
const ru: typeof en = {
  spoiler: "Спойлер: нажмите, чтобы показать",
  today: "Сегодня", yesterday: "Вчера",
  jumpToPresent: "К последним сообщениям", viewingOlder: "Вы смотрите старые сообщения",
  quickSwitcher: "Быстрый переход", quickSwitcherHint: "Куда перейти?",
  quickSwitcherEmpty: "Ничего не найдено.", quickSwitcherHelp: "↑↓ — выбор, Enter — перейти, Esc — закрыть",
  imageViewer: "Изображение", openOriginal: "Открыть оригинал", closeViewer: "Закрыть изображение",
  welcomeTitle: "Добро пожаловать в Guildhall!",
  welcomeText: "Вы пока не состоите ни в одном сервере. Создайте свой или вставьте ссылку-приглашение.",
  welcomeCreate: "Создать свой сервер", invitePaste: "Ссылка или код приглашения", inviteGo: "Присоединиться",
  inviteBad: "Это не ссылка-приглашение.",
  invites: "Приглашения", noInvites: "Нет действующих приглашений.", revoke: "Отозвать",
  revokeInvite: "Отозвать приглашение {code}",
  inviteUses: "использовано {uses} из {max}", inviteUsesUnlimited: "использовано {uses}",
  inviteExpires: "истекает {when}", inviteNever: "бессрочно",
  messageDm: "Написать @{name}", messageGroup: "Написать в {name}",
};

export type FeatureKey = keyof typeof en;

export function tf(key: FeatureKey, vars: Record<string, string | number> = {}): string {
  return format((getLang() === "ru" ? ru : en)[key], vars);
}

/** The composer's placeholder: "Message #general", "Message @bob" in a DM, the group's
 *  name in a group DM. */
export function composerPlaceholder(channel: { name: string; type: string }): string {
  if (channel.type === "dm") return tf("messageDm", { name: channel.name });
  if (channel.type === "group_dm") return tf("messageGroup", { name: channel.name });
  return t("messagePlaceholder", { channel: channel.name });
}
