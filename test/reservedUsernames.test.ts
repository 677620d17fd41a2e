/**
 * `here` and `everyone` are nobody's username: `@here` / `@everyone` notify many, and an account
 * so named would be "mentioned" by every such message. Registration refuses them with their own
 * code; accounts that had one before are renamed by migration 0028.
 */
import { expect, test } from "bun:test";
import { nodeForSuite, registerUser } from "./support/parley";
import { json } from "./support/spaces";
import { up as renameReserved } from "../src/server/store/migrations/0028_reserved_usernames";
import type { KyselyStore } from "../src/server/store/store";

const suite = nodeForSuite();

const register = (username: string) =>
  suite.node.req("/api/auth/register", { method: "POST", json: { email: `${crypto.randomUUID()}@example.com`, username, password: "correct horse battery" } });

test("registering as here or everyone, in any case, is refused with 409 USERNAME_RESERVED on the username field", async () => {
  for (const name of ["here", "everyone", "HERE", " Everyone "]) {
    const res = await register(name);
    expect(res.status).toBe(409);
    expect((await json(res)).error).toEqual({ code: "USERNAME_RESERVED", message: "That name is kept for @everyone and @here", details: { field: "username" } });
  }
});

test("names that only start like a reserved one are anyone's", async () => {
  for (const name of ["heres", "here_1", "everyone2"]) expect((await register(name)).status).toBe(201);
});

test("accounts already named here or everyone are renamed to the first free name_<n>, and nobody else is touched", async () => {
  const db = (suite.node.store as KyselyStore).db;
  const [here, everyone, bystander] = await Promise.all([registerUser(suite.node), registerUser(suite.node), registerUser(suite.node)]);
  const rename = (u: typeof here, name: string) => db.updateTable("users").set({ username: name }).where("id", "=", u.user.id).execute();
  // As they were before the names were reserved; here_1 is taken by the test above.
  await rename(here, "here");
  await rename(everyone, "everyone");
  await renameReserved(db as never);
  const username = async (u: typeof here) => (await json(await suite.node.req("/api/users/me", {}, u.jar))).user.username;
  expect(await username(here)).toBe("here_2");
  expect(await username(everyone)).toBe("everyone_1");
  expect(await username(bystander)).toBe(bystander.user.username);
});
