/**
 * One node loses Redis while the others keep it (a network blip between that node and Redis).
 * The others' clients never lost anything, so they never catch up by themselves: the messages
 * the cut-off node stored and acknowledged meanwhile must still reach them, announced once its
 * publisher is back, ahead of what it publishes meanwhile. What is only true for a moment
 * (typing) is not announced late, and what a second outage interrupts is announced after it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import type { BusEvent } from "../src/server/bus/bus";
import { RedisBus } from "../src/server/bus/redis";
import type { ServerEvent } from "../src/shared/protocol";
import { until } from "./support/browser";
import { ownRedis, REDIS_SERVER } from "./support/redis-server";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy";

if (!REDIS_SERVER) console.warn("busReplay: skipped — needs redis-server on PATH");

describe.skipIf(!REDIS_SERVER)("a node cut off from Redis while the others are not", () => {
  const redis = ownRedis();
  let proxy: TcpProxy;
  beforeAll(async () => {
    await redis.start();
    proxy = startTcpProxy({ host: "127.0.0.1", port: Number(new URL(redis.url).port) });
  }, 60_000);
  afterAll(async () => {
    proxy?.close();
    await redis.stop();
  });

  const deliver = (event: Record<string, unknown>): BusEvent => ({ type: "deliver", to: { conversation: "c1" }, event: event as unknown as ServerEvent });
  const message = (id: string) => deliver({ type: "message:new", message: { id, conversationId: "c1", content: id } });
  const heardBy = (bus: RedisBus, onEach: (heard: string[]) => void = () => {}): string[] => {
    const heard: string[] = [];
    bus.subscribe((e) => {
      if (e.type !== "deliver") return;
      heard.push(`${e.event.type} ${(e.event as { message?: { id: string } }).message?.id ?? ""}`);
      onEach(heard);
    });
    return heard;
  };

  test("announces the messages it could not announce once it reaches Redis again, in order and once each, and not the typing", async () => {
    const channel = "parley:test:replay";
    const cutOff = await RedisBus.connect(`redis://127.0.0.1:${proxy.port}`, channel);
    const other = await RedisBus.connect(redis.url, channel);
    const heard = heardBy(other);

    await cutOff.publish(message("m1"));
    await until("the other node to hear m1", () => heard.length === 1);
    proxy.cut();
    await until("the cut-off node to see Redis gone", () => cutOff.ping().then(() => false, () => true));
    for (const id of ["m2", "m3", "m4"]) await cutOff.publish(message(id));
    await cutOff.publish(deliver({ type: "typing", conversationId: "c1", userId: "u1", active: true }));
    await other.ping();
    proxy.restore();
    await until("the cut-off node to reach Redis again", () => cutOff.ping().then(() => true, () => false), 15_000);
    await until("the other node to hear what was sent while it was cut off", () => heard.length >= 4, 5_000);
    await cutOff.publish(message("m5"));
    await until("the other node to hear m5", () => heard.length >= 5);
    expect(heard).toEqual(["message:new m1", "message:new m2", "message:new m3", "message:new m4", "message:new m5"]);
    await cutOff.close();
    await other.close();
  }, 60_000);

  test("announces what it publishes during the announcement after what it could not announce, in order and once each", async () => {
    const channel = "parley:test:replay-live";
    const cutOff = await RedisBus.connect(`redis://127.0.0.1:${proxy.port}`, channel);
    const other = await RedisBus.connect(redis.url, channel);
    proxy.cut();
    await until("the cut-off node to see Redis gone", () => cutOff.ping().then(() => false, () => true));
    const ids = Array.from({ length: 2_000 }, (_, i) => `m${i}`);
    for (const id of ids) await cutOff.publish(message(id));
    const live = ["live1", "live2", "live3"];
    // New messages are published as soon as the other node hears the announcement begin.
    const heard = heardBy(other, (h) => void (h.length === 1 && live.forEach((id) => void cutOff.publish(message(id)))));
    proxy.restore();
    await until("the other node to hear every message", () => heard.length >= ids.length + live.length, 15_000);
    expect(heard).toEqual([...ids, ...live].map((id) => `message:new ${id}`));
    await cutOff.close();
    await other.close();
  }, 60_000);

  test("drops a message Redis refuses outright instead of holding up the ones after it", async () => {
    const channel = "parley:test:replay-refused";
    const admin = new RedisClient(redis.url);
    await admin.send("ACL", ["SETUSER", "limited", "reset", "on", "nopass", "~*", "&*", "+@all"]);
    const refused: unknown[] = [];
    const onDrop = (err: unknown) => void ((err as { code?: string }).code === "ERR_REDIS_SERVER_ERROR" && refused.push(err));
    const cutOff = await RedisBus.connect(`redis://limited:any@127.0.0.1:${proxy.port}`, channel, onDrop);
    const other = await RedisBus.connect(redis.url, channel);
    const heard = heardBy(other);
    proxy.cut();
    await until("the cut-off node to see Redis gone", () => cutOff.ping().then(() => false, () => true));
    for (const id of ["m1", "m2", "m3"]) await cutOff.publish(message(id));
    // Meanwhile the node lost the right to publish on the channel: Redis answers each with NOPERM.
    await admin.send("ACL", ["SETUSER", "limited", "resetchannels"]);
    proxy.restore();
    await until("Redis to refuse each queued message", () => refused.length >= 3, 15_000);
    await admin.send("ACL", ["SETUSER", "limited", "allchannels"]);
    await cutOff.publish(message("m4"));
    await until("the other node to hear m4", () => heard.length >= 1);
    expect(heard).toEqual(["message:new m4"]);
    expect(refused).toHaveLength(3);
    admin.close();
    await cutOff.close();
    await other.close();
  }, 60_000);

  test("keeps what a second outage interrupts of the announcement and announces it after, in order and once each", async () => {
    const channel = "parley:test:replay-interrupted";
    const other = await RedisBus.connect(redis.url, channel);
    const cutOff = await RedisBus.connect(`redis://127.0.0.1:${proxy.port}`, channel);
    proxy.cut();
    await until("the cut-off node to see Redis gone", () => cutOff.ping().then(() => false, () => true));
    const ids = Array.from({ length: 10_000 }, (_, i) => `m${i}`);
    for (const id of ids) await cutOff.publish(message(id));
    let stopped: Promise<void> | undefined;
    // Redis goes away once the announcement is under way (SIGTERM: an event Redis took reaches both its publisher and the other node, or neither).
    const heard = heardBy(other, (h) => void (h.length === 100 && (stopped = redis.stop())));
    proxy.restore();
    await until("Redis to stop during the announcement", () => stopped !== undefined, 15_000);
    await stopped;
    // The cut-off node comes back only after the other node's subscription, or what it announces would reach no one.
    proxy.cut();
    const heardDuringFirst = heard.length;
    expect(heardDuringFirst).toBeLessThan(ids.length);
    await redis.start();
    await until("the other node to reach the restarted Redis", () => other.ping().then(() => true, () => false), 15_000);
    proxy.restore();
    await until("the other node to hear every message", () => heard.length >= ids.length, 30_000);
    await cutOff.publish(message("last"));
    await until("the other node to hear the last message", () => heard.at(-1) === "message:new last");
    expect(heard).toEqual([...ids, "last"].map((id) => `message:new ${id}`));
    console.log(`busReplay: ${heardDuringFirst} of ${ids.length} announced before Redis stopped`);
    await cutOff.close();
    await other.close();
  }, 90_000);
});
