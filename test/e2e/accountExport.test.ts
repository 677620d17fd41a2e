/**
 * A data export in Chromium, with the real server building it in the background: the user asks
 * from the Account page, watches the progress bar move through intermediate values, and
 * downloads a zip whose profile, friends, messages and uploaded files are checked by unzipping
 * it. Attachments live in a real S3 server (s3rver) reached through a proxy that slows what it
 * sends back, so that reading each file takes seconds and the build can be watched.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { strFromU8, unzipSync } from "fflate";
import { WAIT, artifactPath, browserAvailable, until } from "../support/browser";
import { registerUser, type CookieJar } from "../support/parley";
import { startS3, type TestS3 } from "../support/s3";
import { befriend } from "../support/social";
import { HOOK, browserStage } from "../support/stage";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";

const enabled = browserAvailable("account export e2e");
const FILE_BYTES = 1024 * 1024;
/** Each file takes two seconds or more to read back, so a poll each second sees every step. */
const SLOW = FILE_BYTES / 2;

describe.skipIf(!enabled)("data export in Chromium", () => {
  let s3: TestS3;
  let proxy: TcpProxy;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    s3 = await startS3();
    const real = new URL(s3.env.S3_ENDPOINT!);
    proxy = startTcpProxy({ host: real.hostname, port: Number(real.port) });
    Object.assign(env, s3.env, { S3_ENDPOINT: `http://127.0.0.1:${proxy.port}` });
  }, HOOK);
  const stage = browserStage(env);
  afterAll(async () => {
    proxy?.close();
    await s3?.stop();
  }, HOOK);

  test("the export's progress moves while it is built, and the zip holds the profile, friends, messages and files", async () => {
    const alice = await stage.signedIn("exporter", { acceptDownloads: true });
    const bob = await registerUser(stage.node, "exported_friend");
    const dm = await befriend(stage.node, alice, bob);
    const files = [1, 2, 3].map((n) => ({ name: `part-${n}.bin`, bytes: new Uint8Array(FILE_BYTES) }));
    const ids: string[] = [];
    for (const f of files) {
      // getRandomValues fills at most 64 KiB at once.
      for (let at = 0; at < f.bytes.length; at += 65536) crypto.getRandomValues(f.bytes.subarray(at, at + 65536));
      const up = await stage.node.req(`/api/attachments?name=${f.name}`, { method: "POST", body: f.bytes }, alice.jar);
      expect(up.status).toBe(201);
      ids.push(((await up.json()) as { attachment: { id: string } }).attachment.id);
    }
    const say = async (jar: CookieJar, content: string, attachmentIds: string[] = []) =>
      expect((await stage.node.req(`/api/conversations/${dm}/messages`, { method: "POST", json: { clientId: crypto.randomUUID(), content, attachmentIds } }, jar)).status).toBe(201);
    await say(alice.jar, "here are the parts", ids);
    await say(bob.jar, "thanks, not mine to export");
    await say(alice.jar, "that is all");

    const page = alice.page;
    await page.goto(`${stage.base}/settings/account`);
    const bar = page.getByRole("progressbar", { name: "Export progress" });
    // Every value the bar shows, as the page renders it, not as often as the test happens to look.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { exportProgress: number[] }).exportProgress = seen;
      const note = () => {
        const now = document.querySelector('[role="progressbar"][aria-label="Export progress"]')?.getAttribute("aria-valuenow");
        if (now != null && seen.at(-1) !== Number(now)) seen.push(Number(now));
      };
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-valuenow"] });
    });
    proxy.throttle(SLOW);
    await page.getByRole("button", { name: "Export my data" }).click();

    // Two messages and three files: the messages are in once the first file is being read.
    await until("the progress bar to stand between start and end", async () => {
      const now = Number(await bar.getAttribute("aria-valuenow", { timeout: 1000 }));
      expect(now).toBeGreaterThan(0);
      expect(now).toBeLessThan(100);
    });
    await page.getByTestId("export-progress").getByText(/^\d+%$/).waitFor({ timeout: WAIT });
    await page.screenshot({ path: artifactPath("account-export-progress.png") });

    const link = page.getByTestId("export-ready").getByRole("link", { name: /Download/ });
    await link.waitFor({ timeout: 60_000 });
    proxy.throttle(null);
    const seen = await page.evaluate(() => (window as unknown as { exportProgress: number[] }).exportProgress);
    const between = seen.filter((p) => p > 0 && p < 100);
    expect(new Set(between).size, `progress seen: ${seen.join(", ")}`).toBeGreaterThanOrEqual(2);
    expect(seen, "progress only goes forward").toEqual([...seen].sort((a, b) => a - b));
    await page.screenshot({ path: artifactPath("account-export-ready.png") });
    // Three files of a megabyte each, stored as they are, and a little JSON.
    expect(await link.innerText()).toBe("Download (3.0 MB)");

    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^parley-export-\d{4}-\d{2}-\d{2}\.zip$/);
    const saved = artifactPath("account-export.zip");
    await download.saveAs(saved);
    const zip = unzipSync(new Uint8Array(readFileSync(saved)));
    expect(JSON.parse(strFromU8(zip["profile.json"]!))).toMatchObject({ id: alice.user.id, username: alice.user.username, email: alice.user.email });
    const friends = JSON.parse(strFromU8(zip["friends.json"]!)) as Array<{ id: string; username: string; conversationId: string }>;
    expect(friends.map((f) => [f.id, f.username, f.conversationId])).toEqual([[bob.user.id, bob.user.username, dm]]);
    const messages = JSON.parse(strFromU8(zip["messages.json"]!)) as Array<{ content: string; conversation: { id: string }; attachments: Array<{ name: string; file: string }> }>;
    expect(messages.map((m) => [m.content, m.conversation.id])).toEqual([
      ["here are the parts", dm],
      ["that is all", dm],
    ]);
    expect(messages[0]!.attachments.map((a) => a.name)).toEqual(files.map((f) => f.name));
    for (const [i, a] of messages[0]!.attachments.entries()) expect(zip[a.file], a.file).toEqual(files[i]!.bytes);
    expect(Object.keys(zip).filter((k) => k.startsWith("files/"))).toHaveLength(3);
  }, 180_000);
});
