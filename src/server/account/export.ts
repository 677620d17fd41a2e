/**
 * Data export: the user asks, a worker builds a zip in the background — profile.json,
 * friends.json, messages.json (every message they sent that is not deleted, with its
 * conversation) and files/ (every file they uploaded) — and the owner downloads it until it
 * expires. Any node's worker may build it: each export is claimed by a conditional update, and
 * a claim its worker stopped renewing (the node died) is taken over. Knows nothing of HTTP.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { AppError } from "../../shared/errors";
import { newId } from "../../shared/ids";
import type { AccountExport } from "../../shared/protocol";
import type { FileStore, StoredFile } from "../files/file-store";
import type { ImageStore } from "../files/images";
import type { Logger } from "../obs/log";
import { avatarName, toMe, toPublic } from "../social/users";
import type { ExportRow, Store } from "../store/store";
import type { Actor } from "../auth/service";
import { ZipWriter } from "./zip-writer";

export interface ExportOptions {
  /** How long a finished export may be downloaded. */
  ttlHours: number;
  /** Local scratch space for zips being built. */
  dataDir: string;
}

/** A worker that has not renewed its claim this long is taken for dead. */
export const EXPORT_CLAIM_LEASE_MS = 2 * 60_000;
const MESSAGE_BATCH = 500;

const iso = (ms: number) => new Date(ms).toISOString();

export function toExport(r: ExportRow): AccountExport {
  return {
    id: r.id,
    status: r.status,
    progress: Number(r.progress),
    total: Number(r.total),
    createdAt: r.created_at,
    ...(r.status === "ready" ? { size: Number(r.size), expiresAt: r.expires_at!, downloadUrl: `/api/account/export/${r.id}/download` } : {}),
  };
}

export class ExportService {
  readonly #scratch: string;
  readonly #running = new Set<Promise<unknown>>();

  constructor(
    private readonly store: Store,
    private readonly files: FileStore,
    private readonly images: ImageStore,
    private readonly opts: ExportOptions,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.#scratch = join(opts.dataDir, "exports-tmp");
    mkdirSync(this.#scratch, { recursive: true });
  }

  /** Starts a new export; EXPORT_IN_PROGRESS while one is being built. */
  async request(actor: Actor): Promise<AccountExport> {
    const requested = await this.store.exports.request(actor.userId, newId(), iso(this.clock()));
    if (!requested) throw new AppError("EXPORT_IN_PROGRESS", "Your previous export is still being prepared");
    if (requested.replacedKey) await this.files.remove(requested.replacedKey);
    this.#background(this.sweep());
    return toExport(requested.row);
  }

  async current(actor: Actor): Promise<AccountExport | null> {
    const row = await this.store.exports.ofUser(actor.userId);
    return row ? toExport(row) : null;
  }

  /** The zip, for its owner only: another user's id is NOT_FOUND like an unknown one. */
  async download(actor: Actor, id: string): Promise<{ file: StoredFile; row: ExportRow }> {
    const row = await this.store.exports.ofUser(actor.userId);
    if (!row || row.id !== id) throw new AppError("NOT_FOUND", "No such export");
    if (row.status === "expired" || (row.expires_at && Date.parse(row.expires_at) <= this.clock())) throw new AppError("EXPORT_EXPIRED", "This export has expired; request a new one");
    if (row.status !== "ready" || !row.file_key) throw new AppError("NOT_FOUND", "This export is not ready");
    const file = await this.files.get(row.file_key);
    if (!file) throw new AppError("NOT_FOUND", "No such export");
    return { file, row };
  }

  /** An erased account's export goes with it, zip included. */
  async forget(userId: string): Promise<void> {
    const key = await this.store.exports.remove(userId);
    if (key) await this.files.remove(key);
  }

  /** Builds every claimable export this node wins and removes expired zips; safe on every node at once. */
  async sweep(): Promise<void> {
    const now = this.clock();
    for (const key of await this.store.exports.expire(iso(now))) await this.files.remove(key);
    for (const id of await this.store.exports.claimable(iso(now - EXPORT_CLAIM_LEASE_MS), 5)) {
      const row = await this.store.exports.claim(id, iso(this.clock()), iso(this.clock() - EXPORT_CLAIM_LEASE_MS));
      if (row) await this.#build(row);
    }
  }

  /** Waits for background builds (close, and tests). */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  #background(p: Promise<unknown>): void {
    const tracked = p.catch((err) => this.log.error("export sweep failed", { error: String(err) })).finally(() => this.#running.delete(tracked));
    this.#running.add(tracked);
  }

  async #build(row: ExportRow): Promise<void> {
    const path = join(this.#scratch, randomBytes(12).toString("hex") + ".zip");
    try {
      const zip = new ZipWriter(path);
      const total = await this.#write(row, zip);
      const size = await zip.close();
      const staged = await this.files.put(Bun.file(path).stream(), Number.MAX_SAFE_INTEGER);
      await staged.commit();
      await staged.discard();
      const now = this.clock();
      await this.store.exports.progress(row.id, total, total, iso(now));
      await this.store.exports.finish(row.id, staged.key, size, iso(now), iso(now + this.opts.ttlHours * 3600_000));
    } catch (err) {
      this.log.error("export failed", { exportId: row.id, error: String(err) });
      await this.store.exports.fail(row.id, iso(this.clock()));
    } finally {
      await rm(path, { force: true });
    }
  }

  /** Writes the entries, recording progress (messages, then files) as it goes; answers the total. */
  async #write(row: ExportRow, zip: ZipWriter): Promise<number> {
    const userId = row.user_id;
    const user = await this.store.accounts.userById(userId);
    if (!user) throw new Error("the account is gone");
    const [friends, messageCount, uploads] = await Promise.all([this.store.hello.friends(userId), this.store.exports.countMessages(userId), this.store.exports.uploads(userId)]);
    const total = messageCount + uploads.length;
    let done = 0;
    const tick = () => this.store.exports.progress(row.id, done, total, iso(this.clock()));
    await tick();

    await zip.text("profile.json", JSON.stringify({ exportedAt: iso(this.clock()), ...toMe(user) }, null, 2));
    const avatarFile = avatarName(user);
    const avatar = avatarFile ? await this.images.file(avatarFile) : null;
    if (avatar) await zip.file(`avatar.${avatarFile!.split(".").pop()}`, avatar.file);
    await zip.text("friends.json", JSON.stringify(friends.map((f) => ({ ...toPublic(f), conversationId: f.conversation_id })), null, 2));

    const fileName = new Map(uploads.map((a) => [a.id, `files/${a.id}-${a.name.replace(/[\\/]/g, "_")}`]));
    const messages = zip.deflated("messages.json");
    await messages.push("[");
    let after: string | null = null;
    for (;;) {
      const batch = await this.store.exports.messages(userId, after, MESSAGE_BATCH);
      if (batch.length === 0) break;
      const attached = Map.groupBy(await this.store.attachments.forMessages(batch.map((m) => m.id)), (a) => a.message_id!);
      const lines = batch.map((m) =>
        JSON.stringify({
          id: m.id,
          conversation: { id: m.conversation_id, kind: m.c_kind, name: m.c_name },
          createdAt: m.created_at,
          editedAt: m.edited_at,
          content: m.content,
          replyToId: m.reply_to_id,
          threadId: m.thread_id,
          attachments: (attached.get(m.id) ?? []).map((a) => ({ id: a.id, name: a.name, mime: a.mime, size: Number(a.size), file: fileName.get(a.id) ?? null })),
        }),
      );
      await messages.push((done === 0 ? "\n" : ",\n") + lines.join(",\n"));
      done += batch.length;
      after = batch.at(-1)!.id;
      await tick();
    }
    await messages.push("\n]\n");
    messages.end();

    for (const a of uploads) {
      const stored = await this.files.get(a.sha256);
      if (stored) await zip.file(fileName.get(a.id)!, stored.body());
      done += 1;
      await tick();
    }
    return total;
  }
}
