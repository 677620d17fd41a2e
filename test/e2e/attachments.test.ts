/**
 * Attachments end to end, in Chromium, two users: Ada picks a large image (uploads throttled, so
 * its progress bar is seen moving), cancels a second file mid-way, sends; Bea sees the image
 * inline in a box sized before it loaded and opens the lightbox. Ada drops a PDF and pastes a
 * picture (one message, two files) after a failed upload is retried; Bea sees the PDF as a card
 * and downloads it as an attachment. A portrait MP4 and a landscape WebM, recorded in the page by
 * MediaRecorder as a browser would make them, show in frames of their own shape before a byte of
 * them loaded.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import type { Page } from "playwright-core";
import { befriend } from "../support/social";
import { WAIT, artifactPath, browserAvailable, settled, until } from "../support/browser";
import { browserStage } from "../support/stage";

const enabled = browserAvailable("attachments e2e");

/** Puts files on the page as a drop (drag-and-drop) or a paste: a DataTransfer made in the page. */
async function deliver(page: Page, how: "drop" | "paste", files: Array<{ name: string; type: string; base64: string }>): Promise<void> {
  await page.evaluate(
    ({ how, files }) => {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      if (how === "paste") {
        document.querySelector('[data-testid="composer"]')!.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
      } else {
        const form = document.querySelector('[data-testid="composer"]')!.closest("form")!;
        form.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
        form.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
    },
    { how, files },
  );
}

/** A second-long clip of a moving square, `width`×`height`, recorded by the page's MediaRecorder from a canvas. */
async function recordClip(page: Page, width: number, height: number, mimeType: string): Promise<Buffer> {
  const base64 = await page.evaluate(
    async ({ width, height, mimeType }) => {
      const canvas = Object.assign(document.createElement("canvas"), { width, height });
      const g = canvas.getContext("2d")!;
      let frame = 0;
      const draw = () => {
        g.fillStyle = "#1e3a8a";
        g.fillRect(0, 0, width, height);
        g.fillStyle = "#fbbf24";
        g.fillRect((frame++ * 7) % width, height / 3, height / 4, height / 4);
      };
      draw();
      const timer = setInterval(draw, 33);
      const recorder = new MediaRecorder(canvas.captureStream(30), { mimeType });
      const chunks: Blob[] = [];
      recorder.ondataavailable = (e) => chunks.push(e.data);
      const stopped = new Promise((r) => (recorder.onstop = r));
      recorder.start();
      await new Promise((r) => setTimeout(r, 1000));
      recorder.stop();
      await stopped;
      clearInterval(timer);
      const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
      let text = "";
      for (const b of bytes) text += String.fromCharCode(b);
      return btoa(text);
    },
    { width, height, mimeType },
  );
  return Buffer.from(base64, "base64");
}

describe.skipIf(!enabled)("attachments in Chromium", () => {
  const stage = browserStage();

  test("an image uploads with progress and shows inline with a lightbox on the other side; a PDF is a card that downloads as an attachment", async () => {
    const ada = await stage.signedIn("ada");
    const bea = await stage.signedIn("bea", { colorScheme: "dark" });
    const dm = await befriend(stage.node, ada, bea);
    const dir = mkdtempSync(join(tmpdir(), "parley-files-"));
    const photo = join(dir, "sunset.png");
    writeFileSync(photo, await sharp({ create: { width: 1200, height: 800, channels: 3, background: "#000", noise: { type: "gaussian", mean: 128, sigma: 40 } } }).png().toBuffer());
    const extra = join(dir, "notes.txt");
    writeFileSync(extra, "x".repeat(2_000_000));
    for (const { page } of [ada, bea]) {
      await page.goto(`${stage.base}/c/${dm}`);
      await page.getByTestId("composer").waitFor({ timeout: WAIT });
    }

    // Throttled to ~1 MB/s up, so both uploads are seen under way.
    const cdp = await ada.ctx.newCDPSession(ada.page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 1_000_000 });
    await ada.page.getByTestId("file-input").setInputFiles([photo, extra]);
    const bar = ada.page.getByRole("progressbar", { name: "Uploading sunset.png" });
    await until("the photo's progress moved", async () => {
      const now = Number(await bar.getAttribute("aria-valuenow", { timeout: 1000 }));
      expect(now).toBeGreaterThan(0);
      expect(now).toBeLessThan(100);
    });
    await ada.page.screenshot({ path: artifactPath("attachments-progress-desktop.png") });
    await ada.page.getByRole("button", { name: "Cancel notes.txt" }).click();
    expect(await ada.page.getByTestId("upload").count()).toBe(1);
    expect(await ada.page.getByRole("button", { name: "Send message" }).isDisabled()).toBe(true);
    await ada.page.locator('[data-testid="upload"][data-status="done"]').waitFor({ timeout: WAIT });
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await ada.page.getByTestId("composer").fill("From the ridge");
    await ada.page.getByTestId("composer").press("Enter");

    const image = bea.page.getByTestId("attachment-image");
    await image.waitFor({ timeout: WAIT });
    // The box is reserved from the server's measurements: 1200×800 fits 320 wide.
    expect([await image.getAttribute("width"), await image.getAttribute("height")]).toEqual(["320", "213"]);
    await until("the thumbnail loaded", async () => expect(await image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(400));
    expect((await image.boundingBox())!.height).toBeCloseTo(213, -1);
    await bea.page.screenshot({ path: artifactPath("attachments-inline-dark.png") });
    await image.click();
    const lightbox = bea.page.getByTestId("lightbox");
    await lightbox.waitFor({ timeout: WAIT });
    await until("the full image loaded", async () => expect(await lightbox.locator("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1200));
    await bea.page.screenshot({ path: artifactPath("attachments-lightbox-dark.png") });
    await bea.page.keyboard.press("Escape");
    expect(await lightbox.count()).toBe(0);

    // A dropped connection fails an upload; Retry sends it again.
    await ada.page.route("**/api/attachments?**", (route) => route.abort("connectionreset"));
    const pdf = { name: "report.pdf", type: "application/pdf", base64: Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n").toString("base64") };
    await deliver(ada.page, "drop", [pdf]);
    await ada.page.locator('[data-testid="upload"][data-status="failed"]').waitFor({ timeout: WAIT });
    await ada.page.unroute("**/api/attachments?**");
    await ada.page.getByRole("button", { name: "Retry report.pdf" }).click();
    const small = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#e33" } }).png().toBuffer();
    await deliver(ada.page, "paste", [{ name: "image.png", type: "image/png", base64: small.toString("base64") }]);
    await until("both uploaded", async () => expect(await ada.page.locator('[data-testid="upload"][data-status="done"]').count()).toBe(2));
    await ada.page.getByRole("button", { name: "Send message" }).click();

    const card = bea.page.getByTestId("attachment-card");
    await card.waitFor({ timeout: WAIT });
    expect(await card.textContent()).toContain("report.pdf");
    expect(await card.textContent()).toContain("PDF");
    const row = bea.page.locator('[data-testid="message"]', { has: card });
    expect(await row.getByTestId("attachment-image").getAttribute("width")).toBe("64");
    const href = (await card.getAttribute("href"))!;
    const headers = await bea.page.evaluate(async (url) => {
      const res = await fetch(url.replace("?download", ""));
      return [res.headers.get("content-disposition"), res.headers.get("x-content-type-options"), res.headers.get("content-security-policy")];
    }, href);
    expect(headers[0]).toStartWith("attachment;");
    expect(headers[1]).toBe("nosniff");
    expect(headers[2]).toContain("sandbox");
    const [download] = await Promise.all([bea.page.waitForEvent("download"), card.click()]);
    expect(download.suggestedFilename()).toBe("report.pdf");
    await bea.page.setViewportSize({ width: 390, height: 780 });
    await bea.page.screenshot({ path: artifactPath("attachments-card-phone-dark.png") });
    await ada.page.screenshot({ path: artifactPath("attachments-sent-desktop.png") });
    expect(stage.errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_RESET/.test(e))).toEqual([]);
  }, 180_000);

  test("videos show in a frame of their own shape, reserved from the server's measurements before they load", async () => {
    const ada = await stage.signedIn("vic");
    const bea = await stage.signedIn("val");
    const dm = await befriend(stage.node, ada, bea);
    // Bea's page holds the videos' bytes back, so the frames are seen before anything loaded.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await bea.page.route("**/api/attachments/**", async (route) => {
      await held;
      await route.continue();
    });
    for (const { page } of [ada, bea]) {
      await page.goto(`${stage.base}/c/${dm}`);
      await page.getByTestId("composer").waitFor({ timeout: WAIT });
    }
    // The clips a browser makes: a fragmented MP4 (H.264) and a WebM (VP8) with no duration or cues.
    const portrait = await recordClip(ada.page, 360, 640, "video/mp4;codecs=avc1");
    const landscape = await recordClip(ada.page, 640, 360, "video/webm;codecs=vp8");
    await ada.page.getByTestId("file-input").setInputFiles([
      { name: "portrait.mp4", mimeType: "video/mp4", buffer: portrait },
      { name: "landscape.webm", mimeType: "video/webm", buffer: landscape },
    ]);
    await until("both uploaded", async () => expect(await ada.page.locator('[data-testid="upload"][data-status="done"]').count()).toBe(2));
    await ada.page.getByRole("button", { name: "Send message" }).click();

    const videos = bea.page.getByTestId("attachment-video");
    await until("both videos shown", async () => expect(await videos.count()).toBe(2));
    const boxes = async () => Promise.all([0, 1].map(async (i) => (({ width, height }) => [Math.round(width), Math.round(height)])((await videos.nth(i).boundingBox())!)));
    expect(await videos.nth(0).evaluate((v: HTMLVideoElement) => v.readyState)).toBe(0);
    // Longer side 320: the portrait clip is 180×320, the landscape one 320×180.
    expect(await boxes()).toEqual([[180, 320], [320, 180]]);
    for (const scheme of ["light", "dark"] as const) {
      await bea.page.emulateMedia({ colorScheme: scheme });
      await settled(bea.page);
      await bea.page.screenshot({ path: artifactPath(`attachments-video-frames-${scheme}.png`) });
    }
    release();
    for (const i of [0, 1]) await until("each video's metadata loaded", async () => expect(await videos.nth(i).evaluate((v: HTMLVideoElement) => v.readyState)).toBeGreaterThan(0));
    expect(await videos.evaluateAll((vs: HTMLVideoElement[]) => vs.map((v) => [v.videoWidth, v.videoHeight]))).toEqual([[360, 640], [640, 360]]);
    expect(await boxes()).toEqual([[180, 320], [320, 180]]);
    await bea.page.screenshot({ path: artifactPath("attachments-video-loaded-dark.png") });
  }, 120_000);
});
