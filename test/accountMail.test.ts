/**
 * Account mail in process (app.request()), with mail through a real SMTP server (smtp-server):
 * verification and reset links are single-use and expire, a reset ends every session, and no
 * answer tells whether an address has an account.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { until } from "./support/browser";
import { befriend } from "./support/social";
import { CookieJar, registerUser, startNode, type TestNode } from "./support/parley";
import { startSmtpSink, type SmtpSink } from "./support/smtp-sink";

let sink: SmtpSink;
let node: TestNode;
/** The node's clock: tests move it past a link's lifetime. */
let skew = 0;

beforeAll(async () => {
  sink = await startSmtpSink();
  node = await startNode(
    { SMTP_URL: sink.url, PUBLIC_URL: "http://parley.test", MAIL_FROM: "Parley <noreply@parley.test>", MAIL_PER_ACCOUNT_PER_HOUR: "3", MAIL_PER_ADDRESS_PER_HOUR: "1000" },
    { clock: () => Date.now() + skew },
  );
}, 60_000);
afterAll(async () => {
  await node.dispose();
  await sink.close();
}, 60_000);

const post = (path: string, json?: unknown, jar?: CookieJar, ip?: string) => node.req(path, { method: "POST", json, ip }, jar);
const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
const tokenOf = (link: string) => new URL(link).searchParams.get("token")!;
const me = async (jar: CookieJar) => ((await (await node.req("/api/users/me", {}, jar)).json()) as { user: { email: string; emailVerified: boolean } }).user;

async function verificationLink(email: string, seen = 0): Promise<string> {
  return sink.link(await sink.next(email, seen), "/verify-email");
}

describe("email verification", () => {
  test("registering mails a link through SMTP, from MAIL_FROM, that starts with PUBLIC_URL and verifies the account once", async () => {
    const a = await registerUser(node);
    const mail = await sink.next(a.user.email);
    expect(mail.from).toContain("noreply@parley.test");
    expect(mail.subject).toBe("Verify your email for Parley");
    const link = sink.link(mail, "/verify-email");
    expect(link.startsWith("http://parley.test/verify-email?token=")).toBe(true);
    expect((await me(a.jar)).emailVerified).toBe(false);
    // The link works in any browser: no session needed.
    const res = await post("/api/auth/verify-email", { token: tokenOf(link) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { emailVerified: boolean } }).user.emailVerified).toBe(true);
    expect((await me(a.jar)).emailVerified).toBe(true);
    const again = await post("/api/auth/verify-email", { token: tokenOf(link) });
    expect(again.status).toBe(400);
    expect(await code(again)).toBe("LINK_INVALID");
  });

  test("a link past EMAIL_VERIFY_TTL_SECONDS is 410 LINK_EXPIRED and verifies nothing", async () => {
    const a = await registerUser(node);
    const link = await verificationLink(a.user.email);
    skew = 48 * 3600 * 1000 + 1000;
    try {
      const res = await post("/api/auth/verify-email", { token: tokenOf(link) });
      expect(res.status).toBe(410);
      expect(await code(res)).toBe("LINK_EXPIRED");
    } finally {
      skew = 0;
    }
    expect((await me(a.jar)).emailVerified).toBe(false);
  });

  test("a tampered token, a reset token and garbage are each LINK_INVALID", async () => {
    const a = await registerUser(node);
    const token = tokenOf(await verificationLink(a.user.email));
    const [h, p, s] = token.split(".");
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, em: "attacker@example.com" })).toString("base64url")}.${s}`;
    expect((await post("/api/auth/password-reset", { email: a.user.email })).status).toBe(202);
    const resetToken = tokenOf(sink.link(await sink.next(a.user.email, 1), "/reset-password"));
    for (const t of [forged, resetToken, "not-a-token"]) expect(await code(await post("/api/auth/verify-email", { token: t }))).toBe("LINK_INVALID");
    expect((await post("/api/auth/verify-email", { token })).status).toBe(200);
  });

  test("Resend mails a new link; past MAIL_PER_ACCOUNT_PER_HOUR it is 429 RATE_LIMITED", async () => {
    const a = await registerUser(node);
    await sink.next(a.user.email);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post("/api/auth/verify-email/resend", undefined, a.jar)).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    // The newest link works; following it retires the older ones.
    const newest = await verificationLink(a.user.email, 3);
    const older = await verificationLink(a.user.email, 1);
    expect((await post("/api/auth/verify-email", { token: tokenOf(newest) })).status).toBe(200);
    expect(await code(await post("/api/auth/verify-email", { token: tokenOf(older) }))).toBe("LINK_INVALID");
  });

  test("registering a taken address mails its owner too, and the owner's account is untouched", async () => {
    const a = await registerUser(node);
    await sink.next(a.user.email);
    const res = await post("/api/auth/register", { email: a.user.email, username: "not_the_owner", password: "another password" });
    expect(res.status).toBe(409);
    const note = await sink.next(a.user.email, 1);
    expect(note.subject).toBe("You already have a Parley account");
    expect(sink.link(note, "/forgot-password")).toBe("http://parley.test/forgot-password");
    expect(await me(a.jar)).toMatchObject({ email: a.user.email });
  });

  test("changing the email needs the password, takes effect only when the new address's link is followed, and tells the old address", async () => {
    const a = await registerUser(node);
    await sink.next(a.user.email);
    const wrong = await post("/api/users/me/email", { email: "moved@example.com", password: "not my password" }, a.jar);
    expect(await code(wrong)).toBe("INVALID_CREDENTIALS");
    expect((await post("/api/users/me/email", { email: "Moved@Example.com", password: a.password }, a.jar)).status).toBe(202);
    const link = await verificationLink("moved@example.com");
    expect(await me(a.jar)).toMatchObject({ email: a.user.email });
    expect((await post("/api/auth/verify-email", { token: tokenOf(link) })).status).toBe(200);
    expect(await me(a.jar)).toMatchObject({ email: "moved@example.com", emailVerified: true });
    expect((await sink.next(a.user.email, 1)).subject).toBe("Your Parley email address changed");
    expect((await post("/api/auth/login", { login: "moved@example.com", password: a.password })).status).toBe(200);
  });

  test("asking to move to an address another account holds is answered like any other, and its link, if followed, changes neither account", async () => {
    const [a, b] = [await registerUser(node), await registerUser(node)];
    await sink.next(a.user.email);
    await sink.next(b.user.email);
    const taken = await post("/api/users/me/email", { email: b.user.email, password: a.password }, a.jar);
    const free = await post("/api/users/me/email", { email: `free_${a.user.username}@example.com`, password: a.password }, a.jar);
    expect([taken.status, free.status]).toEqual([202, 202]);
    expect(await taken.text()).toBe(await free.text());
    const followed = await post("/api/auth/verify-email", { token: tokenOf(await verificationLink(b.user.email, 1)) });
    expect(await code(followed)).toBe("CONFLICT");
    expect(await me(a.jar)).toMatchObject({ email: a.user.email });
    expect(await me(b.jar)).toMatchObject({ email: b.user.email });
  });
});

describe("password reset", () => {
  test("an unknown and a known address get the same answer; only the known one gets a link", async () => {
    const a = await registerUser(node);
    await sink.next(a.user.email);
    const known = await post("/api/auth/password-reset", { email: a.user.email });
    const unknown = await post("/api/auth/password-reset", { email: "nobody_here@example.com" });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect([await known.text(), await unknown.text()]).toEqual(["", ""]);
    expect([...known.headers.keys()].sort()).toEqual([...unknown.headers.keys()].sort());
    expect((await sink.next(a.user.email, 1)).subject).toBe("Reset your Parley password");
    await Bun.sleep(300);
    expect(sink.count("nobody_here@example.com")).toBe(0);
  });

  test("a new password ends every session (all refresh-token families), works once, and proves the address", async () => {
    const a = await registerUser(node);
    await sink.next(a.user.email);
    const other = new CookieJar();
    expect((await post("/api/auth/login", { login: a.user.username, password: a.password }, other)).status).toBe(200);
    await post("/api/auth/password-reset", { email: a.user.email });
    const token = tokenOf(sink.link(await sink.next(a.user.email, 1), "/reset-password"));
    expect((await post("/api/auth/password-reset/confirm", { token, password: "a brand new password" })).status).toBe(204);
    for (const jar of [a.jar, other]) {
      expect((await node.req("/api/users/me", {}, jar)).status).toBe(401);
      expect(await code(await post("/api/auth/refresh", undefined, jar))).toBe("UNAUTHORIZED");
    }
    expect((await post("/api/auth/login", { login: a.user.username, password: a.password })).status).toBe(401);
    const fresh = new CookieJar();
    expect((await post("/api/auth/login", { login: a.user.username, password: "a brand new password" }, fresh)).status).toBe(200);
    expect((await me(fresh)).emailVerified).toBe(true);
    const again = await post("/api/auth/password-reset/confirm", { token, password: "yet another password" });
    expect(await code(again)).toBe("LINK_INVALID");
  });

  test("following the newest reset link retires the older ones", async () => {
    const a = await registerUser(node);
    await sink.next(a.user.email);
    await post("/api/auth/password-reset", { email: a.user.email });
    const older = tokenOf(sink.link(await sink.next(a.user.email, 1), "/reset-password"));
    await post("/api/auth/password-reset", { email: a.user.email });
    const newer = tokenOf(sink.link(await sink.next(a.user.email, 2), "/reset-password"));
    expect((await post("/api/auth/password-reset/confirm", { token: newer, password: "a brand new password" })).status).toBe(204);
    expect(await code(await post("/api/auth/password-reset/confirm", { token: older, password: "an older link's password" }))).toBe("LINK_INVALID");
    expect((await post("/api/auth/login", { login: a.user.username, password: "a brand new password" })).status).toBe(200);
  });

  test("a reset link past PASSWORD_RESET_TTL_SECONDS is LINK_EXPIRED and the password stays", async () => {
    const a = await registerUser(node);
    await sink.next(a.user.email);
    await post("/api/auth/password-reset", { email: a.user.email });
    const token = tokenOf(sink.link(await sink.next(a.user.email, 1), "/reset-password"));
    skew = 3600 * 1000 + 1000;
    try {
      expect(await code(await post("/api/auth/password-reset/confirm", { token, password: "a brand new password" }))).toBe("LINK_EXPIRED");
    } finally {
      skew = 0;
    }
    expect((await post("/api/auth/login", { login: a.user.username, password: a.password })).status).toBe(200);
  });

  test("past the account's hourly budget requests are still answered 202 but mail nothing more", async () => {
    const a = await registerUser(node);
    await sink.next(a.user.email);
    for (let i = 0; i < 5; i++) expect((await post("/api/auth/password-reset", { email: a.user.email })).status).toBe(202);
    await sink.next(a.user.email, 3);
    await Bun.sleep(300);
    expect(sink.count(a.user.email)).toBe(4);
  });
});

describe("limits and settings", () => {
  test("a reset request for a known address is answered at once while the mail server hangs, so its timing tells nothing", async () => {
    // Accepts connections and never greets: nodemailer would wait 30 s for it.
    const held: Socket[] = [];
    const silent = createServer((s) => void held.push(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const hung = await startNode({ SMTP_URL: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}` });
    try {
      const a = await registerUser(hung);
      await until("the verification mail is under way", () => expect(held.length).toBe(1));
      const started = performance.now();
      const res = await hung.req("/api/auth/password-reset", { method: "POST", json: { email: a.user.email } });
      expect(res.status).toBe(202);
      expect(performance.now() - started).toBeLessThan(5000);
      await until("the reset mail is under way", () => expect(held.length).toBe(2));
    } finally {
      // Hung up on, the mails fail at once and the node's close need not wait for them.
      for (const s of held) s.destroy();
      await hung.dispose();
      silent.close();
    }
  }, 60_000);

  test("password reset requests past MAIL_PER_ADDRESS_PER_HOUR from one address are 429, known address or not", async () => {
    const limited = await startNode({ MAIL_PER_ADDRESS_PER_HOUR: "2" });
    try {
      const ask = (email: string, ip: string) => limited.req("/api/auth/password-reset", { method: "POST", json: { email }, ip });
      expect((await ask("x@example.com", "10.9.0.1")).status).toBe(202);
      expect((await ask("y@example.com", "10.9.0.1")).status).toBe(202);
      const third = await ask("z@example.com", "10.9.0.1");
      expect(third.status).toBe(429);
      expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await ask("z@example.com", "10.9.0.2")).status).toBe(202);
    } finally {
      await limited.dispose();
    }
  }, 60_000);

  test("with REQUIRE_EMAIL_VERIFICATION an unverified account signs in and reads but sending is 403 EMAIL_NOT_VERIFIED until verified", async () => {
    const strict = await startNode({ REQUIRE_EMAIL_VERIFICATION: "true" });
    try {
      const a = await registerUser(strict);
      const b = await registerUser(strict);
      const dm = await befriend(strict, a, b);
      const send = () => strict.req(`/api/conversations/${dm}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content: "hi" } }, a.jar);
      const refused = await send();
      expect(refused.status).toBe(403);
      expect(await code(refused)).toBe("EMAIL_NOT_VERIFIED");
      expect((await strict.req(`/api/conversations/${dm}/messages`, {}, a.jar)).status).toBe(200);
      const outbox = (await (await strict.req("/api/admin/outbox", {}, a.jar)).json()) as { messages: Array<{ to: string; text: string }> };
      const link = outbox.messages.find((m) => m.to === a.user.email)!.text.match(/http\S+verify-email\S+/)![0];
      expect((await strict.req("/api/auth/verify-email", { method: "POST", json: { token: tokenOf(link) } })).status).toBe(200);
      expect((await send()).status).toBe(201);
    } finally {
      await strict.dispose();
    }
  }, 60_000);

  test("without SMTP_URL mail goes to the outbox, which only the first account (the instance admin) may read", async () => {
    const plain = await startNode();
    try {
      const admin = await registerUser(plain);
      const other = await registerUser(plain);
      expect((await (await plain.req("/api/users/me", {}, admin.jar)).json()) as unknown).toMatchObject({ user: { instanceAdmin: true } });
      expect((await (await plain.req("/api/users/me", {}, other.jar)).json()) as unknown).toMatchObject({ user: { instanceAdmin: false } });
      await plain.req("/api/auth/password-reset", { method: "POST", json: { email: other.user.email } });
      let box: { transport: string; messages: Array<{ to: string; subject: string }> } = { transport: "", messages: [] };
      for (let i = 0; i < 50 && box.messages.length < 3; i++) {
        box = (await (await plain.req("/api/admin/outbox", {}, admin.jar)).json()) as typeof box;
        await Bun.sleep(50);
      }
      expect(box.transport).toBe("outbox");
      expect(box.messages.map((m) => [m.to, m.subject])).toEqual([
        [other.user.email, "Reset your Parley password"],
        [other.user.email, "Verify your email for Parley"],
        [admin.user.email, "Verify your email for Parley"],
      ]);
      const refused = await plain.req("/api/admin/outbox", {}, other.jar);
      expect(refused.status).toBe(403);
      expect((await plain.req("/api/admin/outbox")).status).toBe(401);
    } finally {
      await plain.dispose();
    }
  }, 60_000);
});
