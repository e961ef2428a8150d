// English and Russian. The language comes from settings, else the browser; dates and
// times go through Intl in that language and the browser's time zone.
const en = {
  appName: "Guildhall",
  login: "Log in", register: "Register", logout: "Log out",
  username: "Username", usernameOrEmail: "Username or email", password: "Password", email: "Email",
  needAccount: "Need an account?", haveAccount: "Already have an account?",
  welcomeBack: "Welcome back!", createAccount: "Create an account",
  guilds: "Servers", home: "Home", friends: "Friends", createGuild: "Create a server",
  guildName: "Server name", create: "Create", cancel: "Cancel", save: "Save", close: "Close",
  delete: "Delete", edit: "Edit", editMessage: "Edit message", confirm: "Confirm",
  deleteGuild: "Delete server", leaveGuild: "Leave server",
  confirmDeleteGuild: "Delete the server “{name}” and everything in it?",
  guildSettings: "Server settings", channels: "Channels", textChannels: "Text channels",
  createChannel: "Create channel", createCategory: "Create category", channelName: "Channel name",
  categoryName: "Category name", category: "Category", noCategory: "No category",
  channelType: "Type", typeText: "Text", typeCategory: "Category", typeVoice: "Voice",
  channelSettings: "Edit channel", readOnly: "Read-only (only the owner can post)",
  deleteChannel: "Delete channel", rename: "Name",
  invite: "Invite people", createInvite: "Create invite", inviteLink: "Invite link",
  copy: "Copy", copied: "Copied!", expiresHours: "Expires after (hours, 0 = never)",
  maxUses: "Max uses (0 = unlimited)", joinGuild: "Join {name}", youAreInvited: "You are invited to",
  membersCount: "{n} member|{n} members", inviteInvalid: "This invite is invalid or has expired.",
  accept: "Accept", decline: "Decline", remove: "Remove", addFriend: "Add friend",
  send: "Send", sendRequest: "Send friend request", all: "All", pending: "Pending",
  incoming: "Incoming request", outgoing: "Outgoing request", noFriends: "No friends yet.",
  noPending: "No pending requests.",
  members: "Members", online: "Online", offline: "Offline",
  messagePlaceholder: "Message #{channel}", readOnlyChannel: "This channel is read-only.",
  editing: "Editing message — Escape to cancel, Enter to save",
  edited: "(edited)", pinned: "Pinned", pin: "Pin", unpin: "Unpin", pins: "Pinned messages",
  noPins: "No pinned messages.", react: "Add reaction", deleteMessage: "Delete message",
  confirmDeleteMessage: "Delete this message?", attach: "Upload a file", removeAttachment: "Remove",
  uploading: "Uploading {name}", download: "Download {name}",
  stickers: "Stickers", sticker: "Sticker", noStickers: "This server has no stickers.",
  emojiPicker: "Emoji", customEmojis: "Server emojis", standardEmojis: "Standard",
  addEmoji: "Add emoji", addSticker: "Add sticker", emojiName: "Name", file: "File",
  description: "Description",
  poll: "Poll", createPoll: "Create poll", question: "Question", option: "Option {n}",
  addOption: "Add option", allowMultiple: "Allow several answers", durationHours: "Duration (hours)",
  votes: "{n} vote|{n} votes", vote: "Vote", retractVote: "Remove my vote", pollEnds: "Ends {when}",
  pollEnded: "Ended", search: "Search", searchPlaceholder: "Search messages", noResults: "No results.",
  reply: "Reply", replyingTo: "Replying to {name}", cancelReply: "Cancel reply",
  replyNotifies: "{name} will be notified (every reply mentions its author)",
  originalDeleted: "Original message was deleted", jumpToOriginal: "Jump to the original message",
  editHistory: "Edit history", noEarlierVersions: "No earlier versions.", currentVersion: "Current version",
  replacedAt: "replaced {when}", mentionSuggestions: "Mention suggestions",
  mentionCount: "{n} mention|{n} mentions", markAsRead: "Mark as read",
  newSince: "{n} new message since {when}|{n} new messages since {when}",
  searchUnknownUser: "No member named “{name}” in this server.",
  searchUnknownChannel: "No channel named “{name}” in this server.",
  searchBadValue: "“{key}:{value}” is not a filter value the search knows.",
  searchEmpty: "Type some words or a filter.",
  searchHelp: "Filters: from:user mentions:user has:file|image|link|poll before:YYYY-MM-DD after:YYYY-MM-DD in:channel pinned:true",
  unknownUser: "unknown-user", unknownRole: "deleted-role", unknownChannel: "unknown-channel",
  typing1: "{a} is typing…", typing2: "{a} and {b} are typing…", typingMany: "Several people are typing…",
  loadingOlder: "Loading older messages…", beginning: "This is the beginning of #{channel}.",
  jumpToPresent: "Jump to present", newMessages: "New messages",
  reconnecting: "Connection lost — reconnecting…", connected: "Connected",
  settings: "User settings", language: "Language", theme: "Theme", dark: "Dark", light: "Light",
  openMenu: "Open channels", openMembers: "Show members", selectChannel: "Select a channel",
  noGuilds: "You are in no server yet: create one or join with an invite link.",
  retryIn: "Too many requests: retrying in {s} s", error: "Error", unread: "unread",
  retrySend: "Retry sending", skipToContent: "Skip to the conversation",
  messageActions: "Message actions", messages: "Messages", userSettings: "Settings",
  networkError: "The server cannot be reached.", loading: "Loading…",
  notFound: "Page not found.", goHome: "Go home",
  voiceChannel: "Voice channel", voiceUnavailable: "Voice channels cannot be joined in this app.",
};

export type Key = keyof typeof en;

const ru: Record<Key, string> = {
  appName: "Guildhall",
  login: "Войти", register: "Зарегистрироваться", logout: "Выйти",
  username: "Имя пользователя", usernameOrEmail: "Имя пользователя или email", password: "Пароль",
  email: "Email", needAccount: "Нет аккаунта?", haveAccount: "Уже есть аккаунт?",
  welcomeBack: "С возвращением!", createAccount: "Создать аккаунт",
  guilds: "Серверы", home: "Главная", friends: "Друзья", createGuild: "Создать сервер",
  guildName: "Название сервера", create: "Создать", cancel: "Отмена", save: "Сохранить",
  close: "Закрыть", delete: "Удалить", edit: "Изменить", editMessage: "Редактировать сообщение",
  confirm: "Подтвердить",
  deleteGuild: "Удалить сервер", leaveGuild: "Покинуть сервер",
  confirmDeleteGuild: "Удалить сервер «{name}» со всем содержимым?",
  guildSettings: "Настройки сервера", channels: "Каналы", textChannels: "Текстовые каналы",
  createChannel: "Создать канал", createCategory: "Создать категорию", channelName: "Название канала",
  categoryName: "Название категории", category: "Категория", noCategory: "Без категории",
  channelType: "Тип", typeText: "Текстовый", typeCategory: "Категория", typeVoice: "Голосовой",
  channelSettings: "Настройки канала", readOnly: "Только чтение (писать может лишь владелец)",
  deleteChannel: "Удалить канал", rename: "Название",
  invite: "Пригласить", createInvite: "Создать приглашение", inviteLink: "Ссылка-приглашение",
  copy: "Копировать", copied: "Скопировано!", expiresHours: "Срок действия (часов, 0 — бессрочно)",
  maxUses: "Макс. использований (0 — без ограничений)", joinGuild: "Вступить в {name}",
  youAreInvited: "Вас пригласили в",
  membersCount: "{n} участник|{n} участника|{n} участников|{n} участника",
  inviteInvalid: "Приглашение недействительно или истекло.",
  accept: "Принять", decline: "Отклонить", remove: "Удалить", addFriend: "Добавить в друзья",
  send: "Отправить", sendRequest: "Отправить заявку", all: "Все", pending: "Ожидают",
  incoming: "Входящая заявка", outgoing: "Исходящая заявка", noFriends: "Друзей пока нет.",
  noPending: "Заявок нет.",
  members: "Участники", online: "В сети", offline: "Не в сети",
  messagePlaceholder: "Написать в #{channel}", readOnlyChannel: "Канал только для чтения.",
  editing: "Редактирование — Escape для отмены, Enter для сохранения",
  edited: "(изменено)", pinned: "Закреплено", pin: "Закрепить", unpin: "Открепить",
  pins: "Закреплённые сообщения", noPins: "Нет закреплённых сообщений.", react: "Добавить реакцию",
  deleteMessage: "Удалить сообщение", confirmDeleteMessage: "Удалить это сообщение?",
  attach: "Загрузить файл", removeAttachment: "Убрать", uploading: "Загрузка {name}",
  download: "Скачать {name}", stickers: "Стикеры", sticker: "Стикер",
  noStickers: "На сервере нет стикеров.", emojiPicker: "Эмодзи", customEmojis: "Эмодзи сервера",
  standardEmojis: "Стандартные", addEmoji: "Добавить эмодзи", addSticker: "Добавить стикер",
  emojiName: "Название", file: "Файл", description: "Описание",
  poll: "Опрос", createPoll: "Создать опрос", question: "Вопрос", option: "Вариант {n}",
  addOption: "Добавить вариант", allowMultiple: "Несколько ответов", durationHours: "Длительность (часов)",
  votes: "{n} голос|{n} голоса|{n} голосов|{n} голоса", vote: "Голосовать", retractVote: "Отозвать голос", pollEnds: "Завершится {when}",
  pollEnded: "Завершён", search: "Поиск", searchPlaceholder: "Искать сообщения",
  noResults: "Ничего не найдено.", typing1: "{a} печатает…", typing2: "{a} и {b} печатают…",
  reply: "Ответить", replyingTo: "Ответ {name}", cancelReply: "Отменить ответ",
  replyNotifies: "{name} получит уведомление (ответ всегда упоминает автора)",
  originalDeleted: "Исходное сообщение удалено", jumpToOriginal: "Перейти к исходному сообщению",
  editHistory: "История изменений", noEarlierVersions: "Более ранних версий нет.",
  currentVersion: "Текущая версия", replacedAt: "заменено {when}",
  mentionSuggestions: "Варианты упоминания",
  mentionCount: "{n} упоминание|{n} упоминания|{n} упоминаний|{n} упоминания",
  markAsRead: "Отметить как прочитанное",
  newSince: "{n} новое сообщение с {when}|{n} новых сообщения с {when}|{n} новых сообщений с {when}|{n} новых сообщения с {when}",
  searchUnknownUser: "На сервере нет участника «{name}».",
  searchUnknownChannel: "На сервере нет канала «{name}».",
  searchBadValue: "«{key}:{value}» — такого значения фильтра поиск не знает.",
  searchEmpty: "Введите слова или фильтр.",
  searchHelp: "Фильтры: from:пользователь mentions:пользователь has:file|image|link|poll before:ГГГГ-ММ-ДД after:ГГГГ-ММ-ДД in:канал pinned:true",
  unknownUser: "неизвестный-пользователь", unknownRole: "удалённая-роль", unknownChannel: "неизвестный-канал",
  typingMany: "Несколько человек печатают…", loadingOlder: "Загрузка старых сообщений…",
  beginning: "Начало канала #{channel}.", jumpToPresent: "К последним сообщениям",
  newMessages: "Новые сообщения", reconnecting: "Соединение потеряно — переподключение…",
  connected: "Подключено", settings: "Настройки пользователя", language: "Язык", theme: "Тема",
  dark: "Тёмная", light: "Светлая", openMenu: "Открыть каналы", openMembers: "Показать участников",
  selectChannel: "Выберите канал",
  noGuilds: "Вы пока не состоите ни в одном сервере: создайте свой или вступите по приглашению.",
  retryIn: "Слишком много запросов: повтор через {s} с", error: "Ошибка", unread: "непрочитано",
  retrySend: "Отправить снова", skipToContent: "Перейти к переписке",
  messageActions: "Действия с сообщением", messages: "Сообщения", userSettings: "Настройки",
  networkError: "Сервер недоступен.", loading: "Загрузка…",
  notFound: "Страница не найдена.", goHome: "На главную",
  voiceChannel: "Голосовой канал",
  voiceUnavailable: "К голосовым каналам в этом приложении подключиться нельзя.",
};

export type Lang = "en" | "ru";
export const LANGS: Record<Lang, string> = { en: "English", ru: "Русский" };
const dicts: Record<Lang, Record<Key, string>> = { en, ru };

export function detectLang(stored: string | null, browser: readonly string[]): Lang {
  if (stored === "en" || stored === "ru") return stored;
  for (const l of browser) {
    const base = l.toLowerCase().split("-")[0];
    if (base === "ru" || base === "en") return base;
  }
  return "en";
}

let lang: Lang = detectLang(
  typeof localStorage === "undefined" ? null : localStorage.getItem("lang"),
  typeof navigator === "undefined" ? [] : navigator.languages ?? [navigator.language],
);

export function getLang(): Lang { return lang; }
export function setLang(l: Lang): void {
  lang = l;
  try { localStorage.setItem("lang", l); } catch { /* private mode */ }
  if (typeof document !== "undefined") document.documentElement.lang = l;
}

// Plural forms are "|"-separated in Intl.PluralRules order: en one|other, ru one|few|many|other.
const PLURAL_ORDER: Record<Lang, Intl.LDMLPluralRule[]> = {
  en: ["one", "other"],
  ru: ["one", "few", "many", "other"],
};

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  return format(dicts[lang][key] ?? en[key], vars);
}

/** Fills `{name}` slots and picks the plural form for `{n}` ("one|other" in the UI's language). */
export function format(text: string, vars: Record<string, string | number> = {}): string {
  let s = text;
  if (s.includes("|") && typeof vars.n === "number") {
    const forms = s.split("|");
    const cat = new Intl.PluralRules(lang).select(vars.n);
    s = forms[Math.max(0, PLURAL_ORDER[lang].indexOf(cat))] ?? forms[forms.length - 1];
  }
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
}

const sameDay = (a: Date, b: Date) => a.toDateString() === b.toDateString();

export function formatTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  if (sameDay(d, now)) return new Intl.DateTimeFormat(lang, { timeStyle: "short" }).format(d);
  return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(d);
}

export function formatFull(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Intl.DateTimeFormat(lang, { dateStyle: "full", timeStyle: "long" }).format(d);
}

export function formatRelative(iso: string, now = Date.now()): string {
  const diff = (new Date(iso).getTime() - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
  const abs = Math.abs(diff);
  if (abs < 60) return rtf.format(Math.round(diff), "second");
  if (abs < 3600) return rtf.format(Math.round(diff / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), "hour");
  return rtf.format(Math.round(diff / 86400), "day");
}

export function formatSize(bytes: number): string {
  const units = ["B", "KB", "MB", "GB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: u ? 1 : 0 }).format(v)} ${units[u]}`;
}
