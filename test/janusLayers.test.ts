import { describe, expect, test } from "bun:test";
import { FALLBACK_US, JanusMember, JanusRoom, layerChanges } from "../src/server/sfu/janus-member";

/** A room where `cam` publishes a microphone (mid 0) and a camera (mid 1), and `me` subscribes to both. */
function room(): { r: JanusRoom; me: JanusMember } {
  const r = new JanusRoom("call", 1, setTimeout(() => {}, 0));
  const cam = new JanusMember("cam");
  cam.feed = 7;
  cam.published.set("0", "microphone").set("1", "camera");
  const me = new JanusMember("me");
  me.streams = [
    { mid: "a", type: "audio", feed_id: 7, feed_mid: "0" },
    { mid: "v", type: "video", feed_id: 7, feed_mid: "1" },
  ];
  r.members.set("cam", cam).set("me", me);
  return { r, me };
}

describe("simulcast substreams Janus is told to send a subscriber", () => {
  test("a weak downlink gets the lowest substream of every video, none of its audio, and the layer asked for once it is not weak", () => {
    const { r, me } = room();
    expect(layerChanges(r, me)).toEqual([]);
    me.weak = true;
    expect(layerChanges(r, me)).toEqual([{ mid: "v", substream: 0, fallback: FALLBACK_US }]);
    expect(layerChanges(r, me)).toEqual([]);
    me.layers.set("cam/camera", "mid");
    me.weak = false;
    expect(layerChanges(r, me)).toEqual([{ mid: "v", substream: 1, fallback: FALLBACK_US }]);
  });

  test("a camera asked off stays off on a weak downlink", () => {
    const { r, me } = room();
    me.layers.set("cam/camera", "off");
    me.weak = true;
    expect(layerChanges(r, me)).toEqual([{ mid: "v", send: false }]);
    me.weak = false;
    expect(layerChanges(r, me)).toEqual([]);
  });

  test("switching between layers leaves the stream's sending alone, and only coming back from off turns it on", () => {
    const { r, me } = room();
    for (const layer of ["mid", "high", "mid"] as const) {
      me.layers.set("cam/camera", layer);
      expect(layerChanges(r, me)).toEqual([{ mid: "v", substream: layer === "mid" ? 1 : 2, fallback: FALLBACK_US }]);
    }
    me.layers.set("cam/camera", "off");
    expect(layerChanges(r, me)).toEqual([{ mid: "v", send: false }]);
    me.layers.set("cam/camera", "low");
    expect(layerChanges(r, me)).toEqual([{ mid: "v", send: true, substream: 0, fallback: FALLBACK_US }]);
  });
});
