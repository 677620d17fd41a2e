/**
 * TOTP_KEY seals every two-factor secret. A node started on another key (TOTP_KEY unset on a node
 * whose DATA_DIR is not shared, or a lost totp-key file) would fail every two-factor sign-in it
 * takes, so it refuses to start and says why; on the right key it starts.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createParley } from "../src/server/server";
import { StartupError } from "../src/server/startup";
import { registerUser, startNode, testConfig } from "./support/parley";

const KEY = "the-totp-key-of-this-deployment-0001";
const OTHER = "a-totp-key-generated-somewhere-else-2";

describe("a node's TOTP_KEY against the two-factor secrets already stored", () => {
  const shared = mkdtempSync(join(tmpdir(), "parley-totpkey-"));
  const env = { DATABASE_URL: `sqlite:${join(shared, "parley.db")}`, TOTP_KEY: KEY };
  afterAll(() => rmSync(shared, { recursive: true, force: true }));

  test("any key starts a node while nobody has two-factor; once someone enrols, another key refuses to start with TOTP_KEY named, the same key starts", async () => {
    const first = await startNode(env);
    const other = testConfig({ ...env, TOTP_KEY: OTHER });
    const blank = await createParley(other.config);
    await blank.close();
    const a = await registerUser(first);
    expect((await first.req("/api/auth/totp/enrol", { method: "POST", json: { password: a.password } }, a.jar)).status).toBe(200);

    const refused = await createParley(other.config).then(() => null, (err: unknown) => err);
    expect(refused).toBeInstanceOf(StartupError);
    expect((refused as Error).message).toStartWith("TOTP_KEY: does not open the two-factor secrets in the database");

    const same = testConfig(env);
    const second = await createParley(same.config);
    await second.close();
    await first.dispose();
    for (const dir of [other.dir, same.dir]) rmSync(dir, { recursive: true, force: true });
  });
});
