/**
 * What the failure suites (a node killed or stopped, the database cut) share: the web client's
 * own socket, a reader that keeps its timeline as the web client does (live events, and `sync`
 * after every reconnect), and a stream of sends whose acknowledgements are kept.
 */
import { ParleySocket } from "../../src/client/socket";
import type { ServerEvent } from "../../src/shared/protocol";
import { idFloor, idTime } from "../../src/shared/ids";
import { until } from "./browser";
import { registerUser, type CookieJar, type TestNode } from "./parley";
import { befriend } from "./social";

export type Message = { id: string; clientId: string | null; content: string; conversationId: string };

type Request = (frame: Record<string, unknown>) => Promise<Record<string, any>>;

/** Every message of a conversation after `after`, through `sync` pages. */
export async function syncAll(request: Request, conversationId: string, after?: string): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const page = await request({ type: "sync", conversationId, ...(after ? { after } : {}), limit: 100 });
    out.push(...(page.messages as Message[]));
    if (!page.hasMore || page.messages.length === 0) return out;
    after = page.messages.at(-1).id;
  }
}

/** The web client's socket at `base` (a node or a balancer); the close code of each of its sockets goes to `closes`. */
export function clientSocket(base: string, jar: CookieJar, on: { event?: (ev: ServerEvent) => void; hello?: () => void } = {}, closes: number[] = []): ParleySocket {
  return new ParleySocket({
    url: base.replace(/^http/, "ws") + "/ws",
    connect: (url) => {
      const ws = new WebSocket(url, { headers: { cookie: jar.header() } } as never);
      ws.addEventListener("close", (e) => closes.push(e.code));
      return ws;
    },
    refresh: async () => {},
    onEvent: on.event ?? (() => {}),
    onHello: on.hello ?? (() => {}),
    onState: () => {},
    onAuthLost: () => {},
  });
}

export interface Reader {
  socket: ParleySocket;
  /** By id: what the reader shows of the conversation. */
  timeline: Map<string, Message>;
  /** Ids of the message:new events heard, repeats included. */
  liveIds: string[];
  hellos(): number;
  /** Waits for the catch-ups started so far. */
  caughtUp(): Promise<void>;
}

/** A device reading `conversationId`, started: live events, and after each reconnect a `sync` from a little before the newest id held. */
export function startReader(base: string, jar: CookieJar, conversationId: string, closes?: number[]): Reader {
  const timeline = new Map<string, Message>();
  const liveIds: string[] = [];
  const catchUps: Promise<void>[] = [];
  let hellos = 0;
  const socket: ParleySocket = clientSocket(
    base,
    jar,
    {
      event: (ev) => {
        if (ev.type !== "message:new" || ev.message.conversationId !== conversationId) return;
        liveIds.push(ev.message.id);
        timeline.set(ev.message.id, ev.message as Message);
      },
      hello: () => {
        if (hellos++ === 0) return;
        // As the web client does (chatHistory.ts): a message minted earlier may have committed later — or been announced by nobody.
        const newest = [...timeline.keys()].sort().at(-1);
        const after = newest && idFloor(idTime(newest) - 10_000);
        catchUps.push(syncAll((frame) => socket.request(frame as never), conversationId, after).then((ms) => ms.forEach((m) => timeline.set(m.id, m))));
      },
    },
    closes,
  );
  socket.start();
  return { socket, timeline, liveIds, hellos: () => hellos, caughtUp: async () => void (await Promise.all(catchUps)) };
}

/**
 * Sends `count` messages (clientIds `${tag}0`…), `inFlight` at a time, each waiting for its
 * acknowledgement (the socket sends it again after a reconnect or a refusal it retries).
 */
export function streamSends(sender: ParleySocket, conversationId: string, tag: string, count: number, inFlight: number): { acked: Map<string, string>; done: Promise<void> } {
  const acked = new Map<string, string>();
  let next = 0;
  const send = async () => {
    while (next < count) {
      const i = next++;
      const r = await sender.request<{ message: Message }>({ type: "message:send", conversationId, clientId: `${tag}${i}`, content: `stream ${i}` });
      acked.set(`${tag}${i}`, r.message.id);
    }
  };
  return { acked, done: Promise.all(Array.from({ length: inFlight }, send)).then(() => {}) };
}

/** The messages of a stream (streamSends, clientIds starting `tag`) stored in the conversation, and how they compare with what was acknowledged. */
export async function storedOfStream(reader: Reader, conversationId: string, tag: string, acked: Map<string, string>) {
  const stored = (await syncAll((frame) => reader.socket.request(frame as never), conversationId)).filter((m) => m.clientId?.startsWith(tag));
  const counts = {
    acknowledged: acked.size,
    stored: stored.length,
    storedOnce: new Set(stored.map((m) => m.clientId)).size,
    ackedIdsStored: stored.filter((m) => acked.get(m.clientId!) === m.id).length,
  };
  return { stored, counts };
}

/**
 * A sender's socket (at `senderBase`) and a reader of `conversationId` (at `readerBase`), both
 * connected; `closes` gets both sockets' close codes, `senderHello` runs on each of the sender's hellos.
 */
export async function senderAndReader(senderBase: string, senderJar: CookieJar, readerBase: string, readerJar: CookieJar, conversationId: string, closes?: number[], senderHello?: () => void): Promise<{ sender: ParleySocket; reader: Reader }> {
  const sender = clientSocket(senderBase, senderJar, { hello: senderHello }, closes);
  sender.start();
  const reader = startReader(readerBase, readerJar, conversationId, closes);
  await until("both clients to be connected", () => sender.state === "open" && reader.socket.state === "open");
  return { sender, reader };
}

/**
 * Two new friends on `node` (reached at `base`): `a` streams `count` messages into their
 * conversation (streamSends, clientIds starting `tag`) while `b` reads it.
 */
export async function streamBetweenFriends(node: TestNode, base: string, tag: string, count: number, inFlight: number) {
  const a = await registerUser(node);
  const b = await registerUser(node);
  const conversationId = await befriend(node, a, b);
  const { sender, reader } = await senderAndReader(base, a.jar, base, b.jar, conversationId);
  return { a, conversationId, sender, reader, ...streamSends(sender, conversationId, tag, count, inFlight) };
}
