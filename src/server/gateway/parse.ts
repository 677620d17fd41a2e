/**
 * Reading a client frame. Two kinds are checked here by hand, exactly as ClientFrame reads
 * them, because zod costs more than the rest of reading them: frames that are only a type and
 * an id (a heartbeat every few seconds, hello on every connect), and message:send with text
 * only (nearly every frame under load). A frame these checks do not accept as they stand goes
 * through ClientFrame, which accepts it or says why not, so the result is the same either way.
 */
import { ClientFrame, MAX_MESSAGE_LENGTH } from "../../shared/protocol";
import { UNSTORABLE } from "../../shared/wire";

/** Frame types for which `{type}` alone (and an optional id) is the whole frame: hello, presence:heartbeat, call:resume. */
const BARE_TYPES: ReadonlySet<string> = new Set(ClientFrame.options.map((o) => o.shape.type.value).filter((type) => ClientFrame.safeParse({ type }).success));

/** message:send's fields that are text, as its schema bounds them (attachmentIds are left to zod). */
const SEND_TEXT: ReadonlyMap<string, { min: number; max: number; optional: boolean }> = new Map([
  ["id", { min: 0, max: 64, optional: true }],
  ["type", { min: 0, max: 64, optional: false }],
  ["conversationId", { min: 1, max: 64, optional: false }],
  ["clientId", { min: 1, max: 64, optional: false }],
  ["content", { min: 0, max: MAX_MESSAGE_LENGTH, optional: false }],
  ["replyToId", { min: 1, max: 64, optional: true }],
  ["threadId", { min: 1, max: 64, optional: true }],
]);

/** As Str().min(min).max(max) reads a value. */
const storable = (v: unknown, min: number, max: number) => typeof v === "string" && v.length >= min && v.length <= max && !UNSTORABLE.test(v);

function isBare(json: object, type: unknown, id: unknown): boolean {
  if (typeof type !== "string" || !BARE_TYPES.has(type) || !(id === undefined || storable(id, 0, 64))) return false;
  for (const key in json) if (key !== "type" && key !== "id") return false;
  return true;
}

/** A text-only message:send whose every field its schema accepts as is (no default to fill in). */
function isPlainSend(json: Record<string, unknown>): boolean {
  for (const key in json) {
    const field = SEND_TEXT.get(key);
    if (!field || !storable(json[key], field.min, field.max)) return false;
  }
  for (const [key, field] of SEND_TEXT) if (!field.optional && !Object.hasOwn(json, key)) return false;
  return true;
}

export function parseClientFrame(json: unknown): ReturnType<typeof ClientFrame.safeParse> {
  if (typeof json === "object" && json !== null && !Array.isArray(json)) {
    const { type, id } = json as { type?: unknown; id?: unknown };
    if (isBare(json, type, id) || (type === "message:send" && isPlainSend(json as Record<string, unknown>))) return { success: true, data: json as ClientFrame };
  }
  return ClientFrame.safeParse(json);
}
