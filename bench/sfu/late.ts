/**
 * Late joiners for bench/sfu.ts: two Chromium pages publish through an SFU, then `n` pages
 * join one at a time; each sample is one joiner's time from connect() (just before the SFU
 * joins it) to the first painted frame of one publisher.
 */
import type { Sfu } from "../../src/server/sfu/sfu";
import { until } from "../../test/support/browser";
import { received, startSfuPages } from "../../test/support/sfu-harness";

export async function lateJoins(n: number, create: () => Sfu): Promise<number[]> {
  const h = await startSfuPages();
  const sfu = create();
  h.attach(sfu);
  const samples: number[] = [];
  try {
    await sfu.open("late");
    for (const id of ["p1", "p2"]) await h.join(sfu, "late", id);
    for (let i = 0; i < n; i++) {
      const id = `late${i}`;
      const page = await h.join(sfu, "late", id, 0);
      await until(`${id} sees both publishers`, async () => {
        const r = await received(page);
        return r.p1?.firstFrameAt != null && r.p2?.firstFrameAt != null;
      });
      const r = await received(page);
      samples.push(r.p1!.firstFrameAt!, r.p2!.firstFrameAt!);
      await sfu.leave("late", id);
      await page.context().close();
      h.pages.delete(id);
    }
  } finally {
    await sfu.close();
    await h.close();
  }
  return samples;
}
