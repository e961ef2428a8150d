// The words of the settings, roles and moderation screens, in English and Russian
// (kept apart from i18n.ts's dictionary so the two grow without touching each other).
import { format, getLang } from "./i18n";
import type { PermName } from "./perms";

const en = {
  overview: "Overview", roles: "Roles", members: "Members", bans: "Bans", auditLog: "Audit log",
  expressions: "Emoji & stickers", permissions: "Permissions", myAccount: "My account",
  appearance: "Appearance", closeSettings: "Close settings", settingsNav: "Settings pages",
  serverName: "Server name", serverIcon: "Server icon", description: "Description",
  uploadImage: "Upload image", removeImage: "Remove", saved: "Saved.", saveChanges: "Save changes",
  iconPreview: "Icon preview (the centre square is kept)",
  createRole: "Create role", newRole: "new role", roleName: "Role name", roleColor: "Role color",
  noColor: "No color", hoist: "Display role members separately from online members",
  mentionable: "Allow anyone to @mention this role", deleteRole: "Delete role",
  confirmDeleteRole: "Delete the role “{name}”?", everyoneHint: "@everyone holds every member: its permissions are what anyone may do.",
  rolesHint: "Members use the color of their highest role. Drag roles (or use the arrows) to reorder them.",
  moveUp: "Move {name} up", moveDown: "Move {name} down", dragHandle: "Drag to reorder {name}",
  cannotEditRole: "You can only edit roles below your highest role.",
  lacksBit: "You do not hold this permission, so you cannot grant it.",
  roleMembers: "{n} member|{n} members", editRole: "Edit role — {name}",
  groupGeneral: "General server permissions", groupMembership: "Membership permissions",
  groupText: "Text channel permissions", groupAdvanced: "Advanced permissions",
  manageRoles: "Roles of {name}", addRole: "Add role", noRoles: "No roles",
  removeRole: "Remove role {role} from {name}",
  unban: "Revoke ban", noBans: "No one is banned.", bannedUser: "User", reason: "Reason",
  noReason: "No reason given", when: "When",
  auditEmpty: "No entries.", loadMore: "Load more", filterUser: "Filter by user",
  filterAction: "Filter by action", allUsers: "All users", allActions: "All actions",
  actor: "Actor", target: "Target", changes: "Changes",
  kick: "Kick {name}", ban: "Ban {name}", timeout: "Time out {name}", removeTimeout: "Remove time out",
  kickTitle: "Kick {name} from the server", kickHint: "They can rejoin with a new invite.",
  banTitle: "Ban {name}", deleteHistory: "Delete message history",
  dontDelete: "Don't delete any", prevHour: "Previous hour", prev6h: "Previous 6 hours",
  prev12h: "Previous 12 hours", prev24h: "Previous 24 hours", prev3d: "Previous 3 days",
  prev7d: "Previous 7 days", timeoutTitle: "Time out {name}", duration: "Duration",
  d60s: "60 seconds", d5m: "5 minutes", d10m: "10 minutes", d1h: "1 hour", d1d: "1 day", d1w: "1 week",
  timeoutHint: "They can read but cannot send messages, react or type until then.",
  memberActions: "Actions for {name}", editRoles: "Roles",
  timedOutUntil: "You are timed out until {when}.",
  timedOutHint: "You can read messages but cannot send, react or type until then.",
  memberTimedOut: "timed out until {when}", noSendPermission: "You do not have permission to send messages in this channel.",
  removedFrom: "You were removed from {name}.",
  overwrites: "Permission overwrites", overwritesHint: "Overwrites change what a role or member may do in this channel: allow, deny, or leave it to the roles (/).",
  addOverwrite: "Add a role or member", removeOverwrite: "Remove overwrite for {name}",
  allow: "Allow", deny: "Deny", neutral: "Inherit", roleTarget: "Role", memberTarget: "Member",
  avatar: "Avatar", changeAvatar: "Change avatar", removeAvatar: "Remove avatar",
  avatarPreview: "Avatar preview (the centre square is kept)",
  displayName: "Display name", displayNameHint: "Shown instead of your username; leave empty to use the username.",
  changePassword: "Change password", currentPassword: "Current password", newPassword: "New password",
  passwordChanged: "Password changed. Your other sessions were signed out.",
  forgotPassword: "Forgot your password?", resetTitle: "Reset your password",
  resetHint: "Enter your account's email: we will send you a link to choose a new password.",
  sendLink: "Send reset link", backToLogin: "Back to log in",
  resetSent: "If that email is registered, a reset link has been sent. Check your inbox.",
  chooseNew: "Choose a new password", setPassword: "Set password",
  resetDone: "Your password was changed. Log in with the new one.", resetNoToken: "This link has no token: ask for a new one.",
  youAreAdmin: "Administrator: every permission, overwrites ignored.",
};

type Key = keyof typeof en;

const ru: Record<Key, string> = {
  overview: "Обзор", roles: "Роли", members: "Участники", bans: "Баны", auditLog: "Журнал аудита",
  expressions: "Эмодзи и стикеры", permissions: "Права", myAccount: "Моя учётная запись",
  appearance: "Оформление", closeSettings: "Закрыть настройки", settingsNav: "Разделы настроек",
  serverName: "Название сервера", serverIcon: "Значок сервера", description: "Описание",
  uploadImage: "Загрузить изображение", removeImage: "Убрать", saved: "Сохранено.", saveChanges: "Сохранить",
  iconPreview: "Предпросмотр значка (сохраняется центральный квадрат)",
  createRole: "Создать роль", newRole: "новая роль", roleName: "Название роли", roleColor: "Цвет роли",
  noColor: "Без цвета", hoist: "Показывать участников с ролью отдельно от остальных",
  mentionable: "Разрешить всем @упоминать эту роль", deleteRole: "Удалить роль",
  confirmDeleteRole: "Удалить роль «{name}»?", everyoneHint: "@everyone есть у каждого участника: её права — то, что может любой.",
  rolesHint: "Цвет участника — цвет его высшей роли. Перетаскивайте роли (или стрелки), чтобы менять порядок.",
  moveUp: "Поднять {name}", moveDown: "Опустить {name}", dragHandle: "Перетащить {name}",
  cannotEditRole: "Менять можно только роли ниже вашей высшей роли.",
  lacksBit: "У вас нет этого права, поэтому выдать его нельзя.",
  roleMembers: "{n} участник|{n} участника|{n} участников|{n} участника", editRole: "Роль — {name}",
  groupGeneral: "Общие права сервера", groupMembership: "Права участников",
  groupText: "Права текстовых каналов", groupAdvanced: "Расширенные права",
  manageRoles: "Роли {name}", addRole: "Добавить роль", noRoles: "Нет ролей",
  removeRole: "Снять роль {role} с {name}",
  unban: "Снять бан", noBans: "Забаненных нет.", bannedUser: "Пользователь", reason: "Причина",
  noReason: "Причина не указана", when: "Когда",
  auditEmpty: "Записей нет.", loadMore: "Показать ещё", filterUser: "Фильтр по пользователю",
  filterAction: "Фильтр по действию", allUsers: "Все пользователи", allActions: "Все действия",
  actor: "Кто", target: "Цель", changes: "Изменения",
  kick: "Выгнать {name}", ban: "Забанить {name}", timeout: "Тайм-аут для {name}", removeTimeout: "Снять тайм-аут",
  kickTitle: "Выгнать {name} с сервера", kickHint: "Можно вернуться по новому приглашению.",
  banTitle: "Забанить {name}", deleteHistory: "Удалить историю сообщений",
  dontDelete: "Не удалять", prevHour: "За последний час", prev6h: "За 6 часов",
  prev12h: "За 12 часов", prev24h: "За 24 часа", prev3d: "За 3 дня",
  prev7d: "За 7 дней", timeoutTitle: "Тайм-аут для {name}", duration: "Длительность",
  d60s: "60 секунд", d5m: "5 минут", d10m: "10 минут", d1h: "1 час", d1d: "1 день", d1w: "1 неделя",
  timeoutHint: "До окончания можно читать, но нельзя писать, реагировать и печатать.",
  memberActions: "Действия: {name}", editRoles: "Роли",
  timedOutUntil: "Вы в тайм-ауте до {when}.",
  timedOutHint: "До окончания можно читать сообщения, но нельзя писать, реагировать и печатать.",
  memberTimedOut: "тайм-аут до {when}", noSendPermission: "У вас нет права писать в этот канал.",
  removedFrom: "Вас удалили с сервера {name}.",
  overwrites: "Переопределения прав", overwritesHint: "Переопределения меняют права роли или участника в этом канале: разрешить, запретить или оставить как у ролей (/).",
  addOverwrite: "Добавить роль или участника", removeOverwrite: "Убрать переопределение для {name}",
  allow: "Разрешить", deny: "Запретить", neutral: "Наследовать", roleTarget: "Роль", memberTarget: "Участник",
  avatar: "Аватар", changeAvatar: "Сменить аватар", removeAvatar: "Убрать аватар",
  avatarPreview: "Предпросмотр аватара (сохраняется центральный квадрат)",
  displayName: "Отображаемое имя", displayNameHint: "Показывается вместо имени пользователя; оставьте пустым, чтобы показывать имя пользователя.",
  changePassword: "Сменить пароль", currentPassword: "Текущий пароль", newPassword: "Новый пароль",
  passwordChanged: "Пароль изменён. Остальные сеансы завершены.",
  forgotPassword: "Забыли пароль?", resetTitle: "Сброс пароля",
  resetHint: "Введите email учётной записи: мы пришлём ссылку для выбора нового пароля.",
  sendLink: "Отправить ссылку", backToLogin: "Вернуться ко входу",
  resetSent: "Если этот email зарегистрирован, ссылка для сброса отправлена. Проверьте почту.",
  chooseNew: "Выберите новый пароль", setPassword: "Сохранить пароль",
  resetDone: "Пароль изменён. Войдите с новым паролем.", resetNoToken: "В ссылке нет токена: запросите новую.",
  youAreAdmin: "Администратор: все права, переопределения не действуют.",
};

export function tg(key: Key, vars: Record<string, string | number> = {}): string {
  return format((getLang() === "ru" ? ru : en)[key] ?? en[key], vars);
}

const permText: Record<"en" | "ru", Record<PermName, [string, string]>> = {
  en: {
    CREATE_INSTANT_INVITE: ["Create invite", "Allows members to invite new people to this server."],
    KICK_MEMBERS: ["Kick members", "Allows members to remove other members from this server. They can rejoin with an invite."],
    BAN_MEMBERS: ["Ban members", "Allows members to permanently ban other members and delete their recent messages."],
    ADMINISTRATOR: ["Administrator", "Members with this permission have every permission and bypass channel overwrites. Dangerous to grant."],
    MANAGE_CHANNELS: ["Manage channels", "Allows members to create, edit and delete channels."],
    MANAGE_GUILD: ["Manage server", "Allows members to change the server's name, icon and description, and revoke others' invites."],
    ADD_REACTIONS: ["Add reactions", "Allows members to add new reactions to messages."],
    VIEW_AUDIT_LOG: ["View audit log", "Allows members to read the record of who changed what on this server."],
    VIEW_CHANNEL: ["View channels", "Allows members to see channels (private channels deny this)."],
    SEND_MESSAGES: ["Send messages", "Allows members to send messages in text channels."],
    MANAGE_MESSAGES: ["Manage messages", "Allows members to delete and pin other members' messages, and post in read-only channels."],
    ATTACH_FILES: ["Attach files", "Allows members to upload files and images."],
    READ_MESSAGE_HISTORY: ["Read message history", "Allows members to read messages sent before they opened the channel."],
    MENTION_EVERYONE: ["Mention @everyone and all roles", "Allows members to notify everyone, and to mention roles that are not mentionable."],
    MANAGE_ROLES: ["Manage roles", "Allows members to create and edit roles below their highest role, give them, and edit channel permissions."],
    MANAGE_GUILD_EXPRESSIONS: ["Manage emoji and stickers", "Allows members to add and remove custom emoji and stickers."],
    MODERATE_MEMBERS: ["Time out members", "Allows members to stop others from sending messages, reacting and typing for a while."],
  },
  ru: {
    CREATE_INSTANT_INVITE: ["Создавать приглашения", "Позволяет приглашать на сервер новых людей."],
    KICK_MEMBERS: ["Выгонять участников", "Позволяет удалять участников с сервера. Вернуться можно по приглашению."],
    BAN_MEMBERS: ["Банить участников", "Позволяет навсегда банить участников и удалять их недавние сообщения."],
    ADMINISTRATOR: ["Администратор", "Все права и игнорирование переопределений каналов. Выдавайте с осторожностью."],
    MANAGE_CHANNELS: ["Управлять каналами", "Позволяет создавать, изменять и удалять каналы."],
    MANAGE_GUILD: ["Управлять сервером", "Позволяет менять название, значок и описание сервера и отзывать чужие приглашения."],
    ADD_REACTIONS: ["Добавлять реакции", "Позволяет ставить новые реакции на сообщения."],
    VIEW_AUDIT_LOG: ["Просматривать журнал аудита", "Позволяет видеть, кто и что менял на сервере."],
    VIEW_CHANNEL: ["Видеть каналы", "Позволяет видеть каналы (закрытые каналы это запрещают)."],
    SEND_MESSAGES: ["Отправлять сообщения", "Позволяет писать в текстовых каналах."],
    MANAGE_MESSAGES: ["Управлять сообщениями", "Позволяет удалять и закреплять чужие сообщения и писать в каналах только для чтения."],
    ATTACH_FILES: ["Прикреплять файлы", "Позволяет загружать файлы и изображения."],
    READ_MESSAGE_HISTORY: ["Читать историю сообщений", "Позволяет читать сообщения, отправленные до открытия канала."],
    MENTION_EVERYONE: ["Упоминать @everyone и все роли", "Позволяет оповещать всех и упоминать неупоминаемые роли."],
    MANAGE_ROLES: ["Управлять ролями", "Позволяет создавать и менять роли ниже своей высшей, выдавать их и менять права каналов."],
    MANAGE_GUILD_EXPRESSIONS: ["Управлять эмодзи и стикерами", "Позволяет добавлять и удалять эмодзи и стикеры сервера."],
    MODERATE_MEMBERS: ["Отправлять в тайм-аут", "Позволяет на время запретить участнику писать, реагировать и печатать."],
  },
};

export const permLabel = (p: PermName) => permText[getLang()][p][0];
export const permDescription = (p: PermName) => permText[getLang()][p][1];

const groupKeys: Record<string, Key> = {
  general: "groupGeneral", membership: "groupMembership", text: "groupText", advanced: "groupAdvanced",
};
export const groupLabel = (k: string) => tg(groupKeys[k] ?? "permissions");

const actions: Record<"en" | "ru", Record<string, string>> = {
  en: {
    guild_update: "updated the server", channel_create: "created a channel", channel_update: "updated a channel",
    channel_delete: "deleted a channel", channel_overwrite_update: "changed channel permissions",
    role_create: "created a role", role_update: "updated a role", role_delete: "deleted a role",
    member_role_update: "changed a member's roles", member_kick: "kicked", member_ban_add: "banned",
    member_ban_remove: "revoked the ban of", member_timeout: "timed out", message_delete: "deleted a message",
    message_pin: "pinned a message", message_unpin: "unpinned a message", invite_create: "created an invite",
    invite_delete: "deleted an invite", emoji_create: "added an emoji", emoji_delete: "deleted an emoji",
    sticker_create: "added a sticker", sticker_delete: "deleted a sticker",
  },
  ru: {
    guild_update: "изменил(а) сервер", channel_create: "создал(а) канал", channel_update: "изменил(а) канал",
    channel_delete: "удалил(а) канал", channel_overwrite_update: "изменил(а) права канала",
    role_create: "создал(а) роль", role_update: "изменил(а) роль", role_delete: "удалил(а) роль",
    member_role_update: "изменил(а) роли участника", member_kick: "выгнал(а)", member_ban_add: "забанил(а)",
    member_ban_remove: "снял(а) бан с", member_timeout: "дал(а) тайм-аут", message_delete: "удалил(а) сообщение",
    message_pin: "закрепил(а) сообщение", message_unpin: "открепил(а) сообщение", invite_create: "создал(а) приглашение",
    invite_delete: "удалил(а) приглашение", emoji_create: "добавил(а) эмодзи", emoji_delete: "удалил(а) эмодзи",
    sticker_create: "добавил(а) стикер", sticker_delete: "удалил(а) стикер",
  },
};
export const AUDIT_ACTIONS = Object.keys(actions.en);
export const actionLabel = (a: string) => actions[getLang()][a] ?? a;

const permNames: Record<string, PermName> = Object.fromEntries(
  Object.keys(permText.en).map((k) => [k, k as PermName]));
/** A permission named by the server (details.permission) in the UI's words. */
export function permissionWords(name: unknown, lang = getLang()): string | undefined {
  return typeof name === "string" && permNames[name] ? permText[lang][permNames[name]][0] : undefined;
}
