/**
 * One node loses Redis while the others keep it (a network blip between that node and Redis).
 * The others' clients never lost anything, so they never catch up by themselves: the messages
 * the cut-off node stored and acknowledged meanwhile must still reach them, announced once its
 * publisher is back. What is only true for a moment (typing) is not announced late.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
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

  test("announces the messages it could not announce once it reaches Redis again, in order and once each, and not the typing", async () => {
    const channel = "parley:test:replay";
    const cutOff = await RedisBus.connect(`redis://127.0.0.1:${proxy.port}`, channel);
    const other = await RedisBus.connect(redis.url, channel);
    const heard: string[] = [];
    other.subscribe((e) => void (e.type === "deliver" && heard.push(`${e.event.type} ${(e.event as { message?: { id: string } }).message?.id ?? ""}`)));
    const deliver = (event: Record<string, unknown>): BusEvent => ({ type: "deliver", to: { conversation: "c1" }, event: event as unknown as ServerEvent });
    const message = (id: string) => deliver({ type: "message:new", message: { id, conversationId: "c1", content: id } });

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
});
