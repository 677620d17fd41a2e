/**
 * A delivered event is turned into JSON once per node: the Redis bus sends that text, and what
 * it hears back keeps the text it came in, so the gateway hands it to sockets as is and no node
 * parses an event unless something reads it (a node with no socket for it never does).
 *
 * On Redis a `deliver` goes as `D<event type>\n<target JSON>\n<event JSON>` (JSON.stringify
 * writes no raw newline, so the first two split it), every other bus event as its JSON.
 */
import type { ServerEvent } from "../../shared/protocol";
import type { BusEvent } from "./bus";

type Deliver = Extract<BusEvent, { type: "deliver" }>;

/** Event or message object → its JSON: published objects are never changed afterwards (bus.ts). */
const made = new WeakMap<object, string>();
/** A `deliver` heard from Redis → the text and type it came with (its `event` is parsed on first read). */
const heard = new WeakMap<Deliver, { json: string; type: ServerEvent["type"] }>();

function once(value: object, make: () => string): string {
  let json = made.get(value);
  if (json === undefined) made.set(value, (json = make()));
  return json;
}

/** A message's JSON, the same text in its `message:new` event and in the sender's ack. */
export function messageJson(message: object): string {
  return once(message, () => JSON.stringify(message));
}

/** The text a socket is sent for this delivery. */
export function deliveredJson(e: Deliver): string {
  const h = heard.get(e);
  if (h) return h.json;
  const event = e.event;
  return once(event, () => (event.type === "message:new" ? `{"type":"message:new","message":${messageJson(event.message)}}` : JSON.stringify(event)));
}

/** The delivered event's type, read without parsing an event heard from Redis. */
export function deliveredType(e: Deliver): ServerEvent["type"] {
  return heard.get(e)?.type ?? e.event.type;
}

export function encode(e: BusEvent): string {
  if (e.type !== "deliver") return JSON.stringify(e);
  return `D${e.event.type}\n${JSON.stringify(e.to)}\n${deliveredJson(e)}`;
}

/** Undefined for text that is not a bus event (it is dropped). */
export function decode(text: string): BusEvent | undefined {
  try {
    if (!text.startsWith("D")) return JSON.parse(text) as BusEvent;
    const a = text.indexOf("\n");
    const b = text.indexOf("\n", a + 1);
    if (a < 0 || b < 0) return undefined;
    const json = text.slice(b + 1);
    let event: ServerEvent | undefined;
    const e: Deliver = {
      type: "deliver",
      to: JSON.parse(text.slice(a + 1, b)) as Deliver["to"],
      get event(): ServerEvent {
        return (event ??= JSON.parse(json) as ServerEvent);
      },
    };
    heard.set(e, { json, type: text.slice(1, a) as ServerEvent["type"] });
    return e;
  } catch {
    return undefined;
  }
}
