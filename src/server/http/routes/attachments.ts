import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import type { GuestTokens } from "../../auth/guest-tokens";
import type { AuthService } from "../../auth/service";
import type { AttachmentService } from "../../chat/attachments";
import type { Reader } from "../../store/attachments";
import { anonymousRequest, requireActor, type Ctx, type Env } from "../context";

/**
 * Served files run nothing: no script, no plugin, no form, no frame of ours, even when opened
 * directly (an HTML or SVG upload would otherwise run on our origin).
 */
export const ATTACHMENT_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox";

/** `filename` for old agents (ASCII only), `filename*` with the real name (RFC 6266). */
function disposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** One byte range (`bytes=a-b`, `a-`, `-n`), as video players ask; anything else gets the whole file. */
function range(header: string | undefined, size: number): { start: number; end: number } | null | "unsatisfiable" {
  const m = header && /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null;
  const start = m[1] === "" ? Math.max(0, size - Number(m[2])) : Number(m[1]);
  const end = m[1] === "" || m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start > end || start >= size ? "unsatisfiable" : { start, end };
}

/**
 * Uploads (POST, the body is the file, `?name=` its name) and downloads, under /api/attachments:
 * for signed-in users, and for room guests (as the gateway does, the guest cookie is read only
 * without an access token) within their room's chat. A guest's upload spends their address's
 * budget (a user's spends their write budget); downloads spend nothing, as for users.
 */
export function attachmentRoutes(auth: AuthService, guests: GuestTokens, attachments: AttachmentService) {
  const r = new Hono<Env>();

  async function caller(c: Ctx): Promise<Reader> {
    const guestToken = getCookie(c, "guest_token");
    if (getCookie(c, "access_token") || !guestToken) return requireActor(c, auth);
    const guest = await guests.verify(guestToken);
    if (c.req.method === "POST") anonymousRequest(c);
    return { guestId: guest.id, conversationId: guest.conversationId };
  }

  r.post("/", async (c) => {
    const who = await caller(c);
    const length = c.req.header("content-length");
    const input = { name: c.req.query("name"), body: c.req.raw.body, declaredBytes: length ? Number(length) : undefined };
    const attachment = "guestId" in who ? await attachments.upload({ guestId: who.guestId }, input, who) : await attachments.upload(who, input);
    return c.json({ attachment }, 201);
  });

  // Membership is checked on every request: no caching by shared caches, revalidation by ETag.
  const serve = (thumb: boolean) => async (c: Ctx) => {
    const { row, file, key, inline } = await attachments.open(await caller(c), c.req.param("id")!, thumb);
    const asInline = inline && c.req.query("download") === undefined;
    const headers = new Headers({
      "Content-Type": thumb ? "image/webp" : row.mime,
      "Content-Disposition": disposition(asInline ? "inline" : "attachment", thumb ? `${row.name}.webp` : row.name),
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": ATTACHMENT_CSP,
      "Cross-Origin-Resource-Policy": "same-origin",
      "Cache-Control": "private, no-cache",
      ETag: `"${key}"`,
      "Accept-Ranges": "bytes",
    });
    if (c.req.header("if-none-match") === `"${key}"`) return new Response(null, { status: 304, headers });
    const want = range(c.req.header("range"), file.size);
    if (want === "unsatisfiable") {
      headers.set("Content-Range", `bytes */${file.size}`);
      return new Response(null, { status: 416, headers });
    }
    if (want) {
      headers.set("Content-Range", `bytes ${want.start}-${want.end}/${file.size}`);
      headers.set("Content-Length", String(want.end - want.start + 1));
      return new Response(file.body({ start: want.start, end: want.end + 1 }), { status: 206, headers });
    }
    headers.set("Content-Length", String(file.size));
    return new Response(file.body(), { headers });
  };
  r.get("/:id", serve(false));
  r.get("/:id/thumb", serve(true));
  return r;
}
