import { describe, expect, it } from "vitest";
import { Api, ApiError, readCookie, retryAfterMs, type Transport } from "../src/api";

function transport(responses: Response[], cookie = "") {
  const calls: { url: string; init: RequestInit }[] = [];
  const sleeps: number[] = [];
  const t: Transport = {
    fetch: (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      const r = responses.shift();
      if (!r) throw new TypeError("Failed to fetch");
      return r;
    }) as typeof fetch,
    sleep: async (ms) => { sleeps.push(ms); },
    cookie: () => cookie,
  };
  return { t, calls, sleeps };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

describe("Api", () => {
  it("sends the CSRF token from the cookie on unsafe calls only", async () => {
    const { t, calls } = transport([json(200, []), json(201, { id: 1 })], "a=1; csrf_token=tok%3D");
    const api = new Api(t);
    await api.guilds();
    await api.createGuild("x");
    const h0 = calls[0].init.headers as Record<string, string>;
    const h1 = calls[1].init.headers as Record<string, string>;
    expect(h0["X-CSRF-Token"]).toBeUndefined();
    expect(h1["X-CSRF-Token"]).toBe("tok=");
    expect(calls[1].init.body).toBe(JSON.stringify({ name: "x" }));
  });

  it("falls back to the token from the login answer when the cookie is not readable", async () => {
    const { t, calls } = transport([json(200, { id: 1, username: "a", csrf_token: "abc" }), json(200, {})]);
    const api = new Api(t);
    await api.login("a", "pw");
    await api.logout();
    expect((calls[1].init.headers as Record<string, string>)["X-CSRF-Token"]).toBe("abc");
  });

  it("turns the contract's error body into an ApiError with its field", async () => {
    const { t } = transport([json(400, { error: "Bad email", code: "INVALID_EMAIL", details: {} })]);
    const err = await new Api(t).register("a", "b", "c").catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe("INVALID_EMAIL");
    expect(err.message).toBe("Bad email");
    expect(err.field).toBe("email");
  });

  it("prefers details.field over the code's default field", async () => {
    const { t } = transport([json(400, { error: "taken", code: "USER_ALREADY_EXISTS", details: { field: "email" } })]);
    const err = await new Api(t).register("a", "b", "c").catch((e) => e);
    expect(err.field).toBe("email");
  });

  it("survives a non-JSON error body", async () => {
    const { t } = transport([new Response("<html>bad gateway</html>", { status: 502 })]);
    const err = await new Api(t).guilds().catch((e) => e);
    expect(err.status).toBe(502);
    expect(err.code).toBe("INTERNAL_ERROR");
  });

  it("reports a network failure as NETWORK_ERROR", async () => {
    const { t } = transport([]);
    const err = await new Api(t).guilds().catch((e) => e);
    expect(err.code).toBe("NETWORK_ERROR");
  });

  it("waits Retry-After seconds on 429 and tries again", async () => {
    const { t, calls, sleeps } = transport([
      json(429, { error: "slow", code: "RATE_LIMIT_EXCEEDED", details: {} }, { "Retry-After": "3" }),
      json(200, [{ id: 1 }]),
    ]);
    const api = new Api(t);
    const waits: number[] = [];
    api.onRetry = (ms) => waits.push(ms);
    expect(await api.guilds()).toEqual([{ id: 1 }]);
    expect(sleeps).toEqual([3000]);
    expect(waits).toEqual([3000]);
    expect(calls).toHaveLength(2);
  });

  it("gives up after a few 429s and reports the error", async () => {
    const r429 = () => json(429, { error: "slow", code: "TOO_MANY_MESSAGES", details: {} }, { "Retry-After": "1" });
    const { t, calls } = transport([r429(), r429(), r429(), r429()]);
    const err = await new Api(t).send(1, "x", [], "n").catch((e) => e);
    expect(err.code).toBe("TOO_MANY_MESSAGES");
    expect(calls).toHaveLength(4);
  });

  it("tells the app when the session is gone", async () => {
    const { t } = transport([json(401, { error: "no", code: "AUTH_REQUIRED", details: {} })]);
    const api = new Api(t);
    let told = false;
    api.onUnauthorized = () => { told = true; };
    await api.guilds().catch(() => {});
    expect(told).toBe(true);
  });

  it("does not treat a wrong password as a lost session", async () => {
    const { t } = transport([json(401, { error: "no", code: "INVALID_CREDENTIALS", details: {} })]);
    const api = new Api(t);
    let told = false;
    api.onUnauthorized = () => { told = true; };
    const err = await api.login("a", "b").catch((e) => e);
    expect(told).toBe(false);
    expect(err.field).toBe("password");
  });
});

describe("helpers", () => {
  it("reads Retry-After as seconds or an HTTP date", () => {
    expect(retryAfterMs("2")).toBe(2000);
    expect(retryAfterMs(null)).toBe(1000);
    const now = Date.parse("2024-01-01T00:00:00Z");
    expect(retryAfterMs("Mon, 01 Jan 2024 00:00:05 GMT", now)).toBe(5000);
  });

  it("reads a cookie by name", () => {
    expect(readCookie("a=1; csrf_token=x%20y; b=2", "csrf_token")).toBe("x y");
    expect(readCookie("a=1", "csrf_token")).toBeUndefined();
  });
});
