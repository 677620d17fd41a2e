/**
 * Reading a client frame. Frames that are only a type and an id (a heartbeat every few seconds,
 * hello on every connect) are answered without zod, which for them cost more than the rest of
 * reading the frame; whatever else a frame holds goes through ClientFrame, so the result is the same.
 */
import { ClientFrame } from "../../shared/protocol";
import { UNSTORABLE } from "../../shared/wire";

/** Frame types for which `{type}` alone (and an optional id) is the whole frame: hello, presence:heartbeat, call:resume. */
const BARE_TYPES: ReadonlySet<string> = new Set(ClientFrame.options.map((o) => o.shape.type.value).filter((type) => ClientFrame.safeParse({ type }).success));

export function parseClientFrame(json: unknown): ReturnType<typeof ClientFrame.safeParse> {
  if (typeof json === "object" && json !== null && !Array.isArray(json)) {
    const { type, id } = json as { type?: unknown; id?: unknown };
    // As Str().max(64).optional() reads `id`.
    let bare = typeof type === "string" && BARE_TYPES.has(type) && (id === undefined || (typeof id === "string" && id.length <= 64 && !UNSTORABLE.test(id)));
    for (const key in json) if (key !== "type" && key !== "id") bare = false;
    if (bare) return { success: true, data: json as ClientFrame };
  }
  return ClientFrame.safeParse(json);
}
