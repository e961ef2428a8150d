// What an API error says to the person, in the UI's language, chosen by the error's
// `code` (the contract's stable part), never by its message text (which is English
// and may change). The UI calls a guild a "server", so the words follow the UI.
import { ApiError } from "./api";
import { getLang, t, type Lang } from "./i18n";
import { permissionWords } from "./i18n-gov";

type Table = Partial<Record<string, string>>;

const en: Table = {
  NETWORK_ERROR: "The server cannot be reached.",
  AUTH_REQUIRED: "Please log in again.",
  INVALID_CREDENTIALS: "Wrong username or password.",
  INVALID_CSRF_TOKEN: "Your session expired: reload the page.",
  USER_NOT_FOUND: "No such user.",
  USER_ALREADY_EXISTS: "This username or email is taken.",
  INVALID_EMAIL: "This email address is not valid.",
  WEAK_PASSWORD: "The password must be 8 to 128 characters and differ from the username.",
  FILE_TOO_LARGE: "The file is too large.",
  INVALID_FILE_TYPE: "This kind of file is not allowed.",
  INSUFFICIENT_PERMISSIONS: "You are not allowed to do that.",
  NOT_GUILD_OWNER: "Only the server owner can do that.",
  NOT_CHANNEL_MEMBER: "You are not a member of this server.",
  GUILD_NOT_FOUND: "Server not found.",
  CHANNEL_NOT_FOUND: "Channel not found.",
  MESSAGE_NOT_FOUND: "Message not found (it may have been deleted).",
  POLL_NOT_FOUND: "Poll not found.",
  EMOJI_NOT_FOUND: "Emoji not found.",
  STICKER_NOT_FOUND: "Sticker not found.",
  INVITE_NOT_FOUND: "This invite is invalid or has expired.",
  INVITE_EXPIRED: "This invite is invalid or has expired.",
  POLL_EXPIRED: "This poll has ended.",
  CHANNEL_READ_ONLY: "This channel is read-only.",
  RATE_LIMIT_EXCEEDED: "Too many requests: wait a moment.",
  TOO_MANY_MESSAGES: "You are sending messages too fast.",
  TOO_MANY_FRIEND_REQUESTS: "Too many friend requests: wait a while.",
  INTERNAL_ERROR: "Something went wrong on the server.",
  HTTP_ERROR: "The request failed.",
  ROLE_NOT_FOUND: "Role not found (it may have been deleted).",
  BAN_NOT_FOUND: "This user is not banned.",
  USER_BANNED: "You are banned from this server.",
  MEMBER_TIMED_OUT: "You are timed out: you cannot do that until the time out ends.",
};

const ru: Table = {
  NETWORK_ERROR: "Сервер недоступен.",
  AUTH_REQUIRED: "Войдите снова.",
  INVALID_CREDENTIALS: "Неверное имя пользователя или пароль.",
  INVALID_CSRF_TOKEN: "Сессия устарела: обновите страницу.",
  USER_NOT_FOUND: "Такого пользователя нет.",
  USER_ALREADY_EXISTS: "Это имя пользователя или email уже заняты.",
  INVALID_EMAIL: "Некорректный адрес email.",
  WEAK_PASSWORD: "Пароль должен быть от 8 до 128 символов и не совпадать с именем.",
  INVALID_INPUT: "Недопустимое значение.",
  MISSING_REQUIRED_FIELD: "Заполните обязательное поле.",
  FILE_TOO_LARGE: "Файл слишком большой.",
  INVALID_FILE_TYPE: "Такой тип файла не разрешён.",
  INSUFFICIENT_PERMISSIONS: "У вас нет прав на это действие.",
  NOT_GUILD_OWNER: "Это может сделать только владелец сервера.",
  NOT_CHANNEL_MEMBER: "Вы не состоите в этом сервере.",
  GUILD_NOT_FOUND: "Сервер не найден.",
  CHANNEL_NOT_FOUND: "Канал не найден.",
  MESSAGE_NOT_FOUND: "Сообщение не найдено (возможно, оно удалено).",
  POLL_NOT_FOUND: "Опрос не найден.",
  EMOJI_NOT_FOUND: "Эмодзи не найден.",
  STICKER_NOT_FOUND: "Стикер не найден.",
  INVITE_NOT_FOUND: "Приглашение недействительно или истекло.",
  INVITE_EXPIRED: "Приглашение недействительно или истекло.",
  POLL_EXPIRED: "Опрос завершён.",
  CONFLICT: "Такое уже существует.",
  LIMIT_REACHED: "Достигнут предел.",
  CHANNEL_READ_ONLY: "Канал только для чтения.",
  RATE_LIMIT_EXCEEDED: "Слишком много запросов: подождите немного.",
  TOO_MANY_MESSAGES: "Вы отправляете сообщения слишком часто.",
  TOO_MANY_FRIEND_REQUESTS: "Слишком много заявок в друзья: подождите.",
  INTERNAL_ERROR: "На сервере что-то пошло не так.",
  HTTP_ERROR: "Запрос не удался.",
  ROLE_NOT_FOUND: "Роль не найдена (возможно, она удалена).",
  BAN_NOT_FOUND: "Этот пользователь не забанен.",
  USER_BANNED: "Вы забанены на этом сервере.",
  MEMBER_TIMED_OUT: "Вы в тайм-ауте: это нельзя сделать, пока он не закончится.",
};

/** INSUFFICIENT_PERMISSIONS names the permission (and "hierarchy" when a role rank refused). */
const missing: Record<Lang, { perm: string; hierarchy: string }> = {
  en: { perm: "You need the “{p}” permission to do that.",
    hierarchy: "You can only do that to members and roles below your highest role." },
  ru: { perm: "Для этого нужно право «{p}».",
    hierarchy: "Это можно делать только с участниками и ролями ниже вашей высшей роли." },
};

const tables: Record<Lang, Table> = { en, ru };

/**
 * The text for an error. Codes whose server message carries the specifics (which
 * field, which limit: INVALID_INPUT, MISSING_REQUIRED_FIELD, CONFLICT, LIMIT_REACHED)
 * keep that message in English, which it is written in; every other language gets
 * the code's own sentence. An unknown code falls back to a generic sentence naming it.
 */
export function errorText(e: unknown, lang: Lang = getLang()): string {
  if (!(e instanceof ApiError)) return String(e);
  if (e.code === "INSUFFICIENT_PERMISSIONS") {
    if (e.details.reason === "hierarchy") return missing[lang].hierarchy;
    const p = permissionWords(e.details.permission, lang);
    if (p) return missing[lang].perm.replace("{p}", p);
  }
  const own = tables[lang][e.code];
  if (lang === "en" && !own && e.message) return e.message;
  return own ?? `${t("error")} (${e.code})`;
}
