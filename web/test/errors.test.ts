import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../src/api";
import { errorText } from "../src/errors";
import { setLang } from "../src/i18n";
import { getState, resetState, toast } from "../src/store";

afterEach(() => setLang("en"));

describe("errorText", () => {
  const err = (code: string, message = "Guild not found") => new ApiError(404, code, message);

  it("speaks of a server, as the UI does, whatever the message says", () => {
    expect(errorText(err("GUILD_NOT_FOUND"), "en")).toBe("Server not found.");
    expect(errorText(err("GUILD_NOT_FOUND"), "ru")).toBe("Сервер не найден.");
  });

  it("chooses by code, never by the message text", () => {
    expect(errorText(err("CHANNEL_NOT_FOUND", "Guild not found"), "ru")).toBe("Канал не найден.");
    expect(errorText(err("TOO_MANY_MESSAGES", "anything"), "en")).toBe("You are sending messages too fast.");
  });

  it("keeps the server's specifics in English for detail codes, translates them otherwise", () => {
    const e = new ApiError(400, "INVALID_INPUT", "name must be 1-100 characters");
    expect(errorText(e, "en")).toBe("name must be 1-100 characters");
    expect(errorText(e, "ru")).toBe("Недопустимое значение.");
  });

  it("an unknown code: the server's words in English, a generic sentence in Russian", () => {
    setLang("ru");
    expect(errorText(new ApiError(418, "TEAPOT", "I am a teapot"), "ru")).toBe("Ошибка (TEAPOT)");
    expect(errorText(new ApiError(418, "TEAPOT", "I am a teapot"), "en")).toBe("I am a teapot");
  });

  it("a network failure is translated too", () => {
    expect(errorText(new ApiError(0, "NETWORK_ERROR", "Network error"), "ru")).toBe("Сервер недоступен.");
  });
});

describe("toasts", () => {
  it("the same words are shown once while on screen", () => {
    resetState();
    toast("Server not found.");
    toast("Server not found.");
    toast("Something else");
    expect(getState().toasts.map((x) => x.text)).toEqual(["Server not found.", "Something else"]);
  });
});

describe("permission refusals name what is missing", () => {
  it("names the permission from details.permission, or the hierarchy", () => {
    const e = new ApiError(403, "INSUFFICIENT_PERMISSIONS", "Missing permission",
      { permission: "MANAGE_ROLES" });
    expect(errorText(e, "en")).toBe("You need the “Manage roles” permission to do that.");
    expect(errorText(e, "ru")).toBe("Для этого нужно право «Управлять ролями».");
    const h = new ApiError(403, "INSUFFICIENT_PERMISSIONS", "x", { permission: "KICK_MEMBERS", reason: "hierarchy" });
    expect(errorText(h, "en")).toContain("below your highest role");
    expect(errorText(new ApiError(403, "INSUFFICIENT_PERMISSIONS", "x"), "en")).toBe("You are not allowed to do that.");
    expect(errorText(new ApiError(403, "MEMBER_TIMED_OUT", "x"), "en")).toContain("timed out");
  });
});
