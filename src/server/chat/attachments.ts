/**
 * Attachments: uploads (streamed into the FileStore, typed by their bytes, images measured and
 * thumbnailed), who may read them (asked on every request), and freeing their bytes when the
 * last row pointing at them goes: a message's delete, or an upload never attached in time.
 */
import { randomBytes } from "node:crypto";
import { AppError } from "../../shared/errors";
import type { Attachment } from "../../shared/attachments";
import type { Message } from "../../shared/protocol";
import type { Config } from "../config";
import type { FileStore, StoredFile } from "../files/file-store";
import { probeImage, probeVideo } from "../files/media";
import { INLINE_TYPES, sniff } from "../files/sniff";
import type { AttachmentRow, FileKeys, Store } from "../store/store";
import type { Reader, Uploader } from "../store/attachments";

/** Rows one sweep removes at most (the next sweep takes the rest). */
const SWEEP_BATCH = 500;

/** A name for display and for the download: no path, no control or bidi characters, bounded. */
export function cleanFileName(raw: string | undefined): string {
  const base = (raw ?? "").split(/[\\/]/).pop() ?? "";
  const clean = base.normalize("NFC").replace(/[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, "").trim().slice(0, 200);
  return clean || "file";
}

export function toAttachment(a: AttachmentRow): Attachment {
  return {
    id: a.id,
    name: a.name,
    size: Number(a.size),
    mime: a.mime,
    kind: a.kind,
    ...(a.width !== null && a.height !== null ? { width: Number(a.width), height: Number(a.height) } : {}),
    url: `/api/attachments/${a.id}`,
    ...(a.thumb_sha256 ? { thumbUrl: `/api/attachments/${a.id}/thumb` } : {}),
  };
}

/** Gives each message of a page its attachments, from one query for the whole page. */
export async function withAttachments(store: Store, messages: Message[]): Promise<Message[]> {
  const rows = await store.attachments.forMessages(messages.filter((m) => m.kind === "text").map((m) => m.id));
  if (rows.length === 0) return messages;
  const byMessage = new Map<string, Attachment[]>();
  for (const r of rows) {
    let list = byMessage.get(r.message_id!);
    if (!list) byMessage.set(r.message_id!, (list = []));
    list.push(toAttachment(r));
  }
  return messages.map((m) => (byMessage.has(m.id) ? { ...m, attachments: byMessage.get(m.id) } : m));
}

export class AttachmentService {
  /** Per content key: storing and freeing the same bytes take turns on this node. */
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: Store,
    private readonly files: FileStore,
    private readonly limits: Config["attachments"],
    private readonly clock: () => number = Date.now,
  ) {}

  /** A user's upload, or a room guest's (`guest`: the room conversation their token names). */
  async upload(uploader: Uploader, input: { name?: string; body: ReadableStream<Uint8Array> | null; declaredBytes?: number }, guest?: { conversationId: string }): Promise<Attachment> {
    const { maxBytes, quotaBytes } = this.limits;
    if (input.declaredBytes !== undefined && input.declaredBytes > maxBytes) throw tooLarge(maxBytes);
    if (guest) await this.#guestRoom(guest.conversationId);
    const used = await this.store.attachments.usage(uploader);
    if (used + (input.declaredBytes ?? 0) > quotaBytes) throw overQuota(used, quotaBytes);
    if (!input.body) throw new AppError("VALIDATION_ERROR", "The file is empty", { fields: { file: "Empty file" } });
    const staged = await this.files.put(input.body, maxBytes);
    try {
      if (staged.size === 0) throw new AppError("VALIDATION_ERROR", "The file is empty", { fields: { file: "Empty file" } });
      if (used + staged.size > quotaBytes) throw overQuota(used, quotaBytes);
      let { mime, kind } = sniff(staged.head);
      const image = kind === "image" ? await probeImage(await staged.bytes()) : null;
      // Bytes that start like an image but do not decode as one are only offered as a download.
      if (kind === "image" && !image) kind = "file";
      const frame = image ?? (kind === "video" ? await probeVideo(await staged.bytes(), mime) : null);
      const thumb = image ? await this.files.putBytes(image.thumbnail) : null;
      const row: AttachmentRow = {
        id: randomBytes(16).toString("base64url"),
        uploader_id: "userId" in uploader ? uploader.userId : null,
        uploader_guest_id: "guestId" in uploader ? uploader.guestId : null,
        message_id: null,
        position: 0,
        sha256: staged.key,
        thumb_sha256: thumb,
        name: cleanFileName(input.name),
        size: staged.size,
        mime,
        kind,
        width: frame?.width ?? null,
        height: frame?.height ?? null,
        created_at: new Date(this.clock()).toISOString(),
      };
      await this.#locked(staged.key, async () => {
        await staged.commit();
        await this.store.attachments.create({ ...row });
      });
      return toAttachment(row);
    } finally {
      await staged.discard();
    }
  }

  /** The attachment's bytes (or its thumbnail) for this reader, or NOT_FOUND: non-members learn nothing. */
  async open(reader: Reader, id: string, thumb = false): Promise<{ row: AttachmentRow; file: StoredFile; key: string; inline: boolean }> {
    if ("guestId" in reader) await this.#guestRoom(reader.conversationId);
    const row = await this.store.attachments.readable(id, reader);
    const key = row && (thumb ? row.thumb_sha256 : row.sha256);
    const file = key ? await this.files.get(key) : null;
    if (!row || !key || !file) throw new AppError("NOT_FOUND", "No such file");
    return { row, file, key, inline: thumb || (INLINE_TYPES.has(row.mime) && row.kind !== "file") };
  }

  /** A deleted message's files go from storage unless another message holds the same bytes. */
  async removeForMessage(messageId: string): Promise<void> {
    await this.#release(await this.store.attachments.removeForMessage(messageId));
  }

  /** Uploads never attached within ATTACHMENT_ORPHAN_SECONDS; returns how many went. */
  async sweep(): Promise<number> {
    const cutoff = new Date(this.clock() - this.limits.orphanSeconds * 1000).toISOString();
    const removed = await this.store.attachments.removeUnattached(cutoff, SWEEP_BATCH);
    await this.#release(removed);
    return removed.length;
  }

  async #release(rows: FileKeys): Promise<void> {
    const keys = [...new Set(rows.flatMap((r) => (r.thumb_sha256 ? [r.sha256, r.thumb_sha256] : [r.sha256])))];
    for (const key of keys) {
      await this.#locked(key, async () => {
        if (!(await this.store.attachments.referenced([key])).has(key)) await this.files.remove(key);
      });
    }
  }

  /** A guest's token outlives their room's deletion: its chat is then closed to them. */
  async #guestRoom(conversationId: string): Promise<void> {
    if (!(await this.store.rooms.byConversation(conversationId))) throw new AppError("FORBIDDEN", "This room is gone");
  }

  async #locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => {});
    this.#locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.#locks.get(key) === tail) this.#locks.delete(key);
    }
  }
}

const tooLarge = (maxBytes: number) => new AppError("PAYLOAD_TOO_LARGE", `Files are limited to ${maxBytes} bytes`, { maxBytes });
const overQuota = (used: number, quotaBytes: number) =>
  new AppError("QUOTA_EXCEEDED", "Your storage for files is full: delete messages with files to make room", { usedBytes: used, quotaBytes });
