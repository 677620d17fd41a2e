/**
 * End-to-end OIDC sign-in: a real OpenID provider in its own process, a real Parley node
 * listening on a port, and a scripted "browser" (fetch, manual redirects, cookies per host)
 * that walks authorize → login form → callback exactly as a user agent would.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startOidcProvider, type OidcProviderHandle } from "./support/oidc-provider";
import { CookieJar, freePort, startNode, type TestNode } from "./support/parley";
import type { KyselyStore } from "../src/server/store/store";
import { connectWs } from "./support/ws";
import { Secret, TOTP } from "otpauth";

const TIMEOUT = 30_000;

let provider: OidcProviderHandle;
let node: TestNode;
let parleyUrl: string;
let callbackUrl: string;

beforeAll(async () => {
  const port = freePort();
  parleyUrl = `http://127.0.0.1:${port}`;
  callbackUrl = `${parleyUrl}/api/auth/oidc/oidc/callback`;
  provider = await startOidcProvider({
    redirectUri: callbackUrl,
    // Unverified emails: dave can only get back in through his (provider, sub) link, not by
    // email; frank must not be linked to the password account holding his address.
    accounts: { dave: { email_verified: false }, frank: { email_verified: false } },
  });
  node = await startNode({
    PORT: String(port),
    PUBLIC_URL: parleyUrl,
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: provider.clientId,
    OIDC_CLIENT_SECRET: provider.clientSecret,
    OIDC_NAME: "Test SSO",
    ...(process.env.DEBUG ? { LOG_LEVEL: "debug" } : {}),
  });
  node.listen();
}, TIMEOUT);

afterAll(async () => {
  await node?.dispose();
  await provider?.stop();
});

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

interface Hop {
  url: string;
  status: number;
  location: string | null;
}

/** Just enough of a browser: cookies per host (path-scoped, as browsers do) and redirects. */
class Browser {
  readonly #jars = new Map<string, Map<string, StoredCookie>>();

  cookie(url: string, name: string): string | undefined {
    return this.#jar(url).get(name)?.value;
  }

  dropCookie(url: string, name: string): void {
    this.#jar(url).delete(name);
  }

  #jar(url: string) {
    const host = new URL(url).host;
    let jar = this.#jars.get(host);
    if (!jar) this.#jars.set(host, (jar = new Map()));
    return jar;
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const { pathname } = new URL(url);
    const jar = this.#jar(url);
    const sent = [...jar.values()].filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`));
    const headers = new Headers(init.headers);
    if (sent.length) headers.set("cookie", sent.map((c) => `${c.name}=${c.value}`).join("; "));
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";").map((s) => s.trim());
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) || "/";
      const expired = value === "" || attrs.some((a) => /^max-age=(0|-)/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()));
      if (expired) jar.delete(name);
      else jar.set(name, { name, value, path });
    }
    return res;
  }

  /**
   * Follows redirects from `url` until a non-redirect answer, or until the next hop would be
   * a URL for which `stopBefore` is true (that URL is returned unvisited in `next`).
   */
  async navigate(url: string, init: RequestInit = {}, stopBefore?: (next: string) => boolean) {
    const hops: Hop[] = [];
    let res = await this.fetch(url, init);
    let current = url;
    for (let i = 0; i < 20; i++) {
      const location = res.headers.get("location");
      hops.push({ url: current, status: res.status, location });
      if (res.status < 300 || res.status >= 400 || !location) return { res, url: current, hops, next: undefined };
      const next = new URL(location, current).href;
      if (stopBefore?.(next)) return { res, url: current, hops, next };
      current = next;
      res = await this.fetch(current);
    }
    throw new Error(`redirect loop: ${hops.map((h) => h.url).join(" → ")}`);
  }
}

/** Parses the provider's login form and submits `login` with any password. */
async function submitLogin(browser: Browser, page: { res: Response; url: string }, login: string, stopBefore?: (next: string) => boolean) {
  expect(page.res.status).toBe(200);
  const html = await page.res.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, "&");
  if (!action) throw new Error(`no login form on ${page.url}:\n${html.slice(0, 500)}`);
  const fields = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) {
    fields.set(name!, value!);
  }
  expect(fields.get("prompt")).toBe("login");
  expect(html).toContain('name="login"');
  expect(html).toContain('name="password"');
  // The page must render offline (browser e2e): the provider strips its web-font import.
  expect(html).not.toContain("fonts.googleapis.com");
  fields.set("login", login);
  fields.set("password", "any password");
  return browser.navigate(new URL(action, page.url).href, { method: "POST", body: fields, headers: { "content-type": "application/x-www-form-urlencoded" } }, stopBefore);
}

/** Starts at Parley's sign-in link (`start`: its path and query) and stops just before the provider redirects back. */
async function loginUntilCallback(browser: Browser, login: string, start = "/api/auth/oidc/oidc"): Promise<string> {
  const page = await browser.navigate(`${parleyUrl}${start}`);
  expect(new URL(page.url).origin).toBe(provider.issuer);
  const done = await submitLogin(browser, page, login, (next) => next.startsWith(callbackUrl));
  if (!done.next) throw new Error(`the provider never redirected back: ${JSON.stringify(done.hops)}`);
  return done.next;
}

/** The whole flow; returns the callback's answer and the browser holding Parley's cookies. */
async function signIn(login: string, start?: string) {
  const browser = new Browser();
  const callback = await loginUntilCallback(browser, login, start);
  const res = await browser.fetch(callback);
  return { browser, res };
}

async function me(browser: Browser) {
  const res = await browser.fetch(`${parleyUrl}/api/users/me`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { user: { id: string; username: string; email: string; displayName: string } }).user;
}

async function registerWithPassword(email: string, username: string) {
  const jar = new CookieJar();
  expect((await node.req("/api/auth/register", { method: "POST", json: { email, username, password: "correct horse battery" } })).status).toBe(201);
  const res = await node.req("/api/auth/login", { method: "POST", json: { login: email, password: "correct horse battery" } }, jar);
  expect(res.status).toBe(200);
  return { jar, user: ((await res.json()) as { user: { id: string } }).user };
}

async function passwordLogin(login: string) {
  const res = await node.req("/api/auth/login", { method: "POST", json: { login, password: "correct horse battery" } });
  return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code };
}

function expectRefused(browser: Browser, res: Response) {
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe("/login?error=OIDC_ERROR");
  expect(res.headers.getSetCookie().some((c) => /^(access|refresh)_token=[^;]/.test(c))).toBe(false);
  expect(browser.cookie(parleyUrl, "access_token")).toBeUndefined();
}

/** Turns two-factor on for the browser's account (`password`: the account has one); answers the secret. */
async function enrolTotp(browser: Browser, password?: string): Promise<string> {
  const post = (path: string, json?: unknown) =>
    browser.fetch(`${parleyUrl}/api/auth/totp/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(json ?? {}) });
  const { secret } = (await (await post("enrol", { password })).json()) as { secret: string };
  expect((await post("confirm", { code: totpCode(secret) })).status).toBe(200);
  return secret;
}

/** The code of the current time step, or of one ahead (still accepted: ±1 step) to follow one already used. */
const totpCode = (secret: string, stepsAhead = 0) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + stepsAhead * 30_000 });

describe("OIDC sign-in against a real provider", () => {
  test("GET /api/auth/providers lists the configured provider", async () => {
    const res = await fetch(`${parleyUrl}/api/auth/providers`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ password: true, oidc: [{ id: "oidc", name: "Test SSO" }] });
  });

  test(
    "signing in through the OIDC provider creates an account and a session",
    async () => {
      const browser = new Browser();
      const start = await browser.fetch(`${parleyUrl}/api/auth/oidc/oidc`);
      expect(start.status).toBe(302);
      const authorize = new URL(start.headers.get("location")!);
      expect(authorize.origin).toBe(provider.issuer);
      expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
      expect(authorize.searchParams.get("redirect_uri")).toBe(callbackUrl);
      for (const p of ["state", "nonce", "code_challenge"]) expect(authorize.searchParams.get(p)).toBeTruthy();
      expect(browser.cookie(parleyUrl, "oidc_flow")).toBeTruthy();

      const page = await browser.navigate(authorize.href);
      const back = await submitLogin(browser, page, "carol");
      const callbackHop = back.hops.find((h) => h.url.startsWith(callbackUrl));
      expect(callbackHop).toMatchObject({ status: 302, location: "/" });
      expect(browser.cookie(parleyUrl, "access_token")).toBeTruthy();
      expect(browser.cookie(parleyUrl, "oidc_flow")).toBeUndefined();

      const user = await me(browser);
      expect(user).toMatchObject({ email: "carol@example.org", username: "carol", displayName: "Carol" });
    },
    TIMEOUT,
  );

  test(
    "a provider's preferred_username of here is reserved: the account gets a suffixed one",
    async () => {
      const { browser, res } = await signIn("here");
      expect(res.headers.get("location")).toBe("/");
      expect((await me(browser)).username).toMatch(/^here_\d+$/);
      expect(await node.store.accounts.usernameTaken("here")).toBe(false);
    },
    TIMEOUT,
  );

  test(
    "a second sign-in with the same provider identity reaches the same account",
    async () => {
      const first = await signIn("dave");
      expect(first.res.headers.get("location")).toBe("/");
      const second = await signIn("dave");
      expect(second.res.headers.get("location")).toBe("/");
      const [a, b] = [await me(first.browser), await me(second.browser)];
      expect(b.id).toBe(a.id);
      expect(b.username).toBe("dave");
      expect(await node.store.accounts.usernameTaken("dave_1")).toBe(false);
    },
    TIMEOUT,
  );

  test(
    "an existing password account with the same verified email is linked, and the provider's proof ends its password",
    async () => {
      const registered = await registerWithPassword("erin@example.org", "erin_pw");
      const { browser, res } = await signIn("erin");
      expect(res.headers.get("location")).toBe("/");
      const user = await me(browser);
      expect(user.id).toBe(registered.user.id);
      expect(user.username).toBe("erin_pw");
      expect(await node.store.accounts.usernameTaken("erin")).toBe(false);
      expect((await node.store.accounts.userById(registered.user.id))?.email_verified).toBe(1);

      // Nobody had proven the address before: whoever registered it is shut out.
      expect(await passwordLogin("erin@example.org")).toMatchObject({ status: 401, code: "INVALID_CREDENTIALS" });
      expect((await node.req("/api/users/me", {}, registered.jar)).status).toBe(401);
    },
    TIMEOUT,
  );

  test(
    "a pre-registered squatter loses the account when its owner signs in: sessions, socket and password",
    async () => {
      const attacker = await registerWithPassword("victor@example.org", "victor_squat");
      const socket = await connectWs(parleyUrl, attacker.jar);
      expect((await socket.request({ type: "hello" })).ok).toBe(true);
      expect((await node.req("/api/users/me", {}, attacker.jar)).status).toBe(200);

      const victim = await signIn("victor");
      expect(victim.res.headers.get("location")).toBe("/");
      expect((await me(victim.browser)).id).toBe(attacker.user.id);

      expect((await node.req("/api/users/me", {}, attacker.jar)).status).toBe(401);
      expect((await node.req("/api/auth/refresh", { method: "POST" }, attacker.jar)).status).toBe(401);
      expect((await socket.closed).code).toBe(4401);
      expect(await passwordLogin("victor_squat")).toMatchObject({ status: 401, code: "INVALID_CREDENTIALS" });
      // An account with no password fails exactly as a wrong password does.
      expect(await passwordLogin("victor_squat")).toEqual(await passwordLogin("nobody_at_all_here"));

      // The email is proven now: another identity with it links without ending the owner's session.
      const again = await signIn("victor@example.org");
      expect((await me(again.browser)).id).toBe(attacker.user.id);
      expect((await me(victim.browser)).id).toBe(attacker.user.id);
    },
    TIMEOUT,
  );

  test(
    "with two-factor on, the provider is only the first step: the callback leads to the code, and only the code to a session",
    async () => {
      const first = await signIn("tess");
      const secret = await enrolTotp(first.browser);

      const { browser, res } = await signIn("tess");
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("/login?step=totp");
      expect(browser.cookie(parleyUrl, "access_token")).toBeUndefined();
      expect(browser.cookie(parleyUrl, "totp_pending")).toBeTruthy();
      expect((await browser.fetch(`${parleyUrl}/api/users/me`)).status).toBe(401);

      const verify = (code: string) =>
        browser.fetch(`${parleyUrl}/api/auth/totp/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code }) });
      expect((await verify("000000")).status).toBe(403);
      const done = await verify(totpCode(secret, 1));
      expect(done.status).toBe(200);
      expect((await me(browser)).id).toBe((await me(first.browser)).id);
    },
    TIMEOUT,
  );

  test(
    "a squatter's two-factor set-up goes with the password when the email's owner signs in through the provider",
    async () => {
      const squatter = await registerWithPassword("uma@example.org", "uma_squat");
      const jarBrowser = new Browser();
      const login = await jarBrowser.fetch(`${parleyUrl}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ login: "uma_squat", password: "correct horse battery" }),
      });
      expect(login.status).toBe(200);
      await enrolTotp(jarBrowser, "correct horse battery");
      expect((await node.store.totp.factor(squatter.user.id))?.enabled_at).toBeTruthy();

      const owner = await signIn("uma");
      expect(owner.res.headers.get("location")).toBe("/");
      expect((await me(owner.browser)).id).toBe(squatter.user.id);
      expect(await node.store.totp.factor(squatter.user.id)).toBeUndefined();
    },
    TIMEOUT,
  );

  test(
    "setting up two-factor without a password takes a recent sign-in; signing in again through the provider lands back on the page",
    async () => {
      const old = await signIn("rita");
      const user = await me(old.browser);
      // The session is older than RECENT_SIGN_IN_SECONDS, as a stolen one kept for a while would be.
      const longAgo = new Date(Date.now() - 11 * 60_000).toISOString();
      await (node.store as KyselyStore).db.updateTable("sessions").set({ created_at: longAgo }).where("user_id", "=", user.id).execute();
      const enrol = (browser: Browser) => browser.fetch(`${parleyUrl}/api/auth/totp/enrol`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      const refused = await enrol(old.browser);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("REAUTH_REQUIRED");
      expect(await node.store.totp.factor(user.id)).toBeUndefined();

      // Signing in again asks the provider to ask again, not to wave through a browser it remembers.
      const prompt = async (query: string) => new URL((await new Browser().fetch(`${parleyUrl}/api/auth/oidc/oidc${query}`)).headers.get("location")!).searchParams.get("prompt");
      expect(await prompt("?reauth=1")).toBe("login");
      expect(await prompt("")).toBeNull();
      const again = await signIn("rita", "/api/auth/oidc/oidc?reauth=1&next=%2Fsettings%2Fsecurity");
      expect(again.res.status).toBe(302);
      expect(again.res.headers.get("location")).toBe("/settings/security");
      expect((await enrol(again.browser)).status).toBe(200);

      // Only a path of this app: anything else lands on "/".
      for (const next of ["//evil.example/x", "https://evil.example/", "/\\evil.example"]) {
        const other = await signIn("rita", `/api/auth/oidc/oidc?next=${encodeURIComponent(next)}`);
        expect(other.res.headers.get("location")).toBe("/");
      }
    },
    TIMEOUT * 3,
  );

  test(
    "an unverified email matching an existing account is refused, not linked",
    async () => {
      await registerWithPassword("frank@example.org", "frank_pw");
      const { browser, res } = await signIn("frank");
      expectRefused(browser, res);
      expect(await node.store.accounts.usernameTaken("frank")).toBe(false);
    },
    TIMEOUT,
  );

  test(
    "a callback with a forged state is refused",
    async () => {
      const browser = new Browser();
      const callback = new URL(await loginUntilCallback(browser, "mallory"));
      expect(callback.searchParams.get("code")).toBeTruthy();
      callback.searchParams.set("state", `${callback.searchParams.get("state")}x`);
      const res = await browser.fetch(callback.href);
      expectRefused(browser, res);
      expect(await node.store.accounts.usernameTaken("mallory")).toBe(false);
    },
    TIMEOUT,
  );

  test(
    "a callback without the flow cookie is refused",
    async () => {
      const browser = new Browser();
      const callback = await loginUntilCallback(browser, "oscar");
      expect(browser.cookie(parleyUrl, "oidc_flow")).toBeTruthy();
      browser.dropCookie(parleyUrl, "oidc_flow");
      const res = await browser.fetch(callback);
      expectRefused(browser, res);
      expect(await node.store.accounts.usernameTaken("oscar")).toBe(false);
    },
    TIMEOUT,
  );
});
