/** Failed sign-ins are throttled per account and address, so lockout cannot be used against an account's owner. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { CookieJar, registerUser, startNode, type TestNode } from "./support/parley";

let node: TestNode;
let offsetMs = 0;
beforeAll(async () => {
  node = await startNode({ TRUST_PROXY: "true", LOCKOUT_THRESHOLD: "5", LOCKOUT_SECONDS: "900", LOCKOUT_ADDRESSES: "3" }, { clock: () => Date.now() + offsetMs });
});
afterAll(() => node.dispose());

const later = (seconds: number) => (offsetMs += seconds * 1000);

/** A sign-in through our proxy from `address` (the proxy appends it to X-Forwarded-For). */
async function signIn(login: string, password: string, address: string, jar = new CookieJar()) {
  const res = await node.req("/api/auth/login", { method: "POST", json: { login, password }, headers: { "x-forwarded-for": `6.6.6.6, ${address}` } }, jar);
  const body = (await res.json()) as { error?: { code: string }; recentFailures?: { count: number; lastAt: string } | null };
  return { status: res.status, code: body.error?.code, retry: Number(res.headers.get("retry-after")) || 0, recentFailures: body.recentFailures };
}

describe("sign-in throttling", () => {
  test("failures from one address delay only that address, progressively; the right password from another address still signs in and hears of the failures", async () => {
    const { user, password } = await registerUser(node);
    for (let i = 0; i < 4; i++) expect((await signIn(user.username, "wrong password", "203.0.113.1")).status).toBe(401);
    expect(await signIn(user.username, "wrong password", "203.0.113.1")).toMatchObject({ status: 423, code: "ACCOUNT_LOCKED", retry: 30 });
    // The attacker's address waits, even with the right password…
    expect(await signIn(user.username, password, "203.0.113.1")).toMatchObject({ status: 423, code: "ACCOUNT_LOCKED" });
    // …the owner elsewhere does not, and learns of the five failures.
    const owner = await signIn(user.username, password, "198.51.100.7");
    expect(owner.status).toBe(200);
    expect(owner.recentFailures).toMatchObject({ count: 5 });
    expect((await signIn(user.username, password, "198.51.100.7")).recentFailures).toBeNull();
    // The attacker's next failure after the wait doubles it.
    later(31);
    expect(await signIn(user.username, "wrong password", "203.0.113.1")).toMatchObject({ status: 423, retry: 60 });
  }, 60_000);

  test("an identifier with no account is throttled exactly like a real one, whatever its case", async () => {
    const { user } = await registerUser(node);
    const sequence = async (login: (i: number) => string) => {
      const out: Array<{ status: number; code?: string; retry: number }> = [];
      for (let i = 0; i < 7; i++) {
        const { status, code, retry } = await signIn(login(i), "wrong password", "203.0.113.2");
        out.push({ status, code, retry });
      }
      return out;
    };
    const real = await sequence(() => user.username);
    const unknown = await sequence((i) => (i % 2 ? "Ghost_User_" : " ghost_user_"));
    expect(real.map((r) => r.status)).toEqual([401, 401, 401, 401, 423, 423, 423]);
    expect(unknown).toEqual(real);
  }, 60_000);

  test("only failures from many addresses slow the whole account, briefly", async () => {
    const { user, password } = await registerUser(node);
    for (const address of ["192.0.2.1", "192.0.2.2"]) expect((await signIn(user.username, "wrong password", address)).status).toBe(401);
    expect((await signIn(user.username, password, "198.51.100.9")).status).toBe(200);
    // A third address within LOCKOUT_SECONDS: now everyone waits a second, the owner too.
    expect((await signIn(user.username, "wrong password", "192.0.2.3")).status).toBe(401);
    expect(await signIn(user.username, password, "198.51.100.9")).toMatchObject({ status: 423, code: "ACCOUNT_LOCKED", retry: 1 });
    expect(await signIn(user.username, "wrong password", "192.0.2.4")).toMatchObject({ status: 423, retry: 1 });
    later(2);
    expect(await signIn(user.username, password, "198.51.100.9")).toMatchObject({ status: 200, recentFailures: { count: 1 } });
  }, 60_000);
});
