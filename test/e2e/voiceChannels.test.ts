/**
 * Voice channels in Chromium: a click joins, the sidebar list of who is in it (with muted and
 * speaking marks) is live for a space member outside the call, and someone outside the space
 * neither sees the channel nor gets in. Media proven on the receiving side (getStats).
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { artifactPath, until } from "../support/browser";
import { button, callStage, expectDecoding, expectHearing, openAs, rawFrame, type TestUser } from "../support/calls";
import { buildWorld } from "../support/spaces";

const T = 30_000;
const stage = callStage("voice channels e2e");

describe.skipIf(!stage.enabled)("voice channels in Chromium", () => {
  test("a voice channel: click to join; the participant list updates live for a space member outside the call (with muted/speaking indicators); a non-member of the space cannot join or see it", async () => {
    const w = await buildWorld(stage.node);
    const watcherUser = await w.newMember();
    const path = `/s/${w.spaceId}/${w.textChannelId}`;
    const open = async (u: TestUser) => stage.pages.track(await openAs(stage.browser, stage.base, u, path)).page;
    const [owner, member, watcher] = [await open(w.users.owner), await open(w.users.member), await open(watcherUser)];
    const voiceItem = (P: Page) => P.locator(`[data-testid="voice-channel-item"][data-channel-id="${w.voiceChannelId}"]`);
    const listed = (id: string) => watcher.locator(`[data-testid="voice-member"][data-user-id="${id}"]`);
    const ownerId = w.users.owner.user.id;
    const memberId = w.users.member.user.id;

    await voiceItem(owner).click({ timeout: T });
    await button(owner, "Hang up").waitFor({ timeout: T });
    await listed(ownerId).waitFor({ timeout: T });
    await voiceItem(member).click({ timeout: T });
    await listed(memberId).waitFor({ timeout: T });
    expect(await watcher.getByTestId("voice-member").count()).toBe(2);
    // Voice first: each hears the other; a camera turned on is seen too.
    await expectHearing(owner, "the owner hears the member", memberId, T);
    await expectHearing(member, "the member hears the owner", ownerId, T);
    await button(member, "Turn on camera").click();
    await expectDecoding(owner, "the owner sees the member's camera", "main", T, 10, memberId);

    // Marks, from outside the call: the owner mutes, the member's fake microphone speaks.
    await button(owner, "Mute microphone").click();
    await listed(ownerId).getByRole("img", { name: `${w.users.owner.user.username} is muted` }).waitFor({ timeout: T });
    await watcher.locator(`[data-testid="voice-member"][data-user-id="${memberId}"][data-speaking]`).waitFor({ timeout: T });
    expect(await listed(memberId).getByRole("img", { name: /is muted$/ }).count()).toBe(0);
    await watcher.screenshot({ path: artifactPath("voice-channel-watcher.png") });
    // Each face in the sidebar is a small 20 px avatar (it once got the default 40 px, with a tiny letter).
    for (const id of [ownerId, memberId]) expect((await listed(id).locator(".rounded-full").first().boundingBox())!.height).toBe(20);

    // Someone outside the space: no such channel on their screen, and the server refuses them.
    const outsider = stage.pages.track(await openAs(stage.browser, stage.base, w.users.outsider, path)).page;
    await outsider.getByTestId("conversation-title").or(outsider.locator("main")).first().waitFor({ timeout: T });
    expect(await voiceItem(outsider).count()).toBe(0);
    expect(await rawFrame(outsider, { type: "call:join", conversationId: w.voiceChannelId, media: { audio: true, video: false } })).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });

    await button(member, "Hang up").click();
    await listed(memberId).waitFor({ state: "detached", timeout: T });
    expect(await watcher.getByTestId("voice-member").count()).toBe(1);
    await button(owner, "Hang up").click();
    await listed(ownerId).waitFor({ state: "detached", timeout: T });
  }, 240_000);
});
