/** Profile changes reach, live, everyone who shows the profile — and no one else. */
import { expect, test } from "bun:test";
import { registerUser, nodeForSuite } from "./support/parley";
import { befriend } from "./support/social";
import { joinByInvite, json } from "./support/spaces";
import { connectWs, type WsClient } from "./support/ws";
import { cleanName } from "../src/shared/names";
import { up as cleanDisplayNames } from "../src/server/store/migrations/0010_clean_display_names";
import type { KyselyStore } from "../src/server/store/store";

type User = Awaited<ReturnType<typeof registerUser>>;
const suite = nodeForSuite();

test("a new name or avatar reaches friends, group partners and space members live, and no stranger", async () => {
  const [ann, friend, partner, spaceMate, stranger] = (await Promise.all([1, 2, 3, 4, 5].map(() => registerUser(suite.node)))) as [User, User, User, User, User];
  await befriend(suite.node, ann, friend);
  // The partner shares a group with Ann through a common friend, without being her friend.
  await befriend(suite.node, friend, partner);
  const group = await suite.node.req("/api/conversations", { method: "POST", json: { memberIds: [ann.user.id, partner.user.id], name: "trio" } }, friend.jar);
  expect(group.status).toBe(201);
  const { space } = await json(await suite.node.req("/api/spaces", { method: "POST", json: { name: "Club" } }, spaceMate.jar));
  await joinByInvite(suite.node, spaceMate.jar, space.id, ann.jar);

  const sockets: Record<string, WsClient> = {};
  for (const [name, u] of Object.entries({ friend, partner, spaceMate, stranger, ann })) {
    sockets[name] = await connectWs(suite.base, u.jar);
    await sockets[name]!.request({ type: "hello" });
  }
  const renamed = await suite.node.req("/api/users/me", { method: "PATCH", json: { displayName: "Ann Marie" } }, ann.jar);
  expect(renamed.status).toBe(200);
  for (const name of ["friend", "partner", "spaceMate", "ann"]) {
    const e = await sockets[name]!.waitFor((e) => e.type === "user:updated");
    expect(e.user).toEqual({ id: ann.user.id, username: ann.user.username, displayName: "Ann Marie", avatarUrl: null });
  }
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 7, 8, 9]);
  const { user } = await json(await suite.node.req("/api/users/me/avatar", { method: "PUT", body: png }, ann.jar));
  await sockets.friend!.waitFor((e) => e.type === "user:updated" && e.user.avatarUrl === user.avatarUrl);
  // A round trip on the stranger's socket flushes anything in flight: nothing came.
  await sockets.stranger!.request({ type: "presence:heartbeat" });
  expect(sockets.stranger!.events.filter((e) => e.type === "user:updated")).toEqual([]);
  // Setting the same name again announces nothing.
  await suite.node.req("/api/users/me", { method: "PATCH", json: { displayName: "Ann Marie" } }, ann.jar);
  await sockets.friend!.request({ type: "presence:heartbeat" });
  expect(sockets.friend!.events.filter((e) => e.type === "user:updated")).toHaveLength(2);
  for (const s of Object.values(sockets)) s.close();
});

test("display names refuse bidi controls, invisible characters and invisible-only names, and are stored NFKC-normalized", async () => {
  const u = await registerUser(suite.node);
  const rename = (displayName: string) => suite.node.req("/api/users/me", { method: "PATCH", json: { displayName } }, u.jar);
  const refused = [
    "\u202Egnp.exe", // right-to-left override
    "Ada\u2066 Admin\u2069", // isolates
    "Ad\u200Ba", // zero-width space
    "Ada\u200D", // a joiner outside an emoji
    "Ada\u2060", // word joiner
    "A\uFE0Fda", // a variation selector on a letter
    "\u200B\u200C", // only invisible characters
    "\u3164", // Hangul filler
    "\u2800\u2800", // blank braille cells
    "\u0301", // a lone combining mark
    "   ",
  ];
  for (const name of refused) {
    const res = await rename(name);
    expect(res.status, JSON.stringify(name)).toBe(400);
    const { error } = await json(res);
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.details.fields.displayName).toBeString();
  }
  // Nothing refused was stored.
  expect((await json(await suite.node.req("/api/users/me", {}, u.jar))).user.displayName).toBe(u.user.username);

  const stored = async (name: string) => (await json(await rename(name))).user.displayName;
  expect(await stored("ｆｕｌｌ  𝐖𝐢𝐝𝐭𝐡")).toBe("full Width");
  expect(await stored("Jose\u0301")).toBe("José");
  expect(await stored("👩‍💻 Dev ❤️")).toBe("👩‍💻 Dev ❤️");
  expect(await stored("李小龍")).toBe("李小龍");
});

test("a name from an identity provider loses what a typed name may not have, or is not used", () => {
  expect(cleanName("\u202EAda\u200B  Lovelace\u2069", 64)).toBe("Ada Lovelace");
  expect(cleanName("👩‍💻 Ｄｅｖ", 64)).toBe("👩‍💻 Dev");
  expect(cleanName("\u200B\u3164\u2800", 64)).toBeNull();
  expect(cleanName("x".repeat(63) + "😀", 64)).toBe("x".repeat(63));
});

test("names stored before the rules are brought under them by migration 0010, and good ones are left alone", async () => {
  const [bad, blank, good] = (await Promise.all([1, 2, 3].map(() => registerUser(suite.node)))) as [User, User, User];
  const db = (suite.node.store as KyselyStore).db;
  const set = (u: User, name: string) => db.updateTable("users").set({ display_name: name }).where("id", "=", u.user.id).execute();
  await set(bad, "\u202EAda\u200B  Ｌｏｖｅｌａｃｅ");
  await set(blank, "\u200B\u3164");
  await set(good, "José 👩‍💻");
  await cleanDisplayNames(db as never);
  const name = async (u: User) => (await json(await suite.node.req("/api/users/me", {}, u.jar))).user.displayName;
  expect(await name(bad)).toBe("Ada Lovelace");
  expect(await name(blank)).toBe(blank.user.username);
  expect(await name(good)).toBe("José 👩‍💻");
});
