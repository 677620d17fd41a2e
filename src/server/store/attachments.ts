/** Attachments: uploads, their messages, who may read them, and the sweeps that free their bytes. */
import { sql, type Kysely, type Selectable } from "kysely";
import type { AttachmentsTable, Database } from "./schema";
import type { MessageRow, NewMessage } from "./chat";
import { insertOne } from "./message-batcher";
import { guarded, NOT_APPLIED } from "./sql";

export type AttachmentRow = Selectable<AttachmentsTable>;
export type NewAttachment = Omit<AttachmentRow, "message_id" | "position">;
/** Who uploaded a file: a user, or a room guest (the guest id of their token). */
export type Uploader = { userId: string } | { guestId: string };
/** Who asks for a file: a user, or a guest, who sees only their room's conversation. */
export type Reader = { userId: string } | { guestId: string; conversationId: string };

const uploaderColumn = (u: Uploader) => ("userId" in u ? (["uploader_id", u.userId] as const) : (["uploader_guest_id", u.guestId] as const));

/** The stored bytes a removed row pointed at (its file and thumbnail). */
export type FileKeys = Array<{ sha256: string; thumb_sha256: string | null }>;

export interface AttachmentStore {
  create(a: NewAttachment): Promise<void>;
  byIds(ids: string[]): Promise<AttachmentRow[]>;
  /** The attachments of these messages in their order: one query per page. */
  forMessages(messageIds: string[]): Promise<AttachmentRow[]>;
  /**
   * The attachment if the reader may read it now: their own upload not yet attached, or one on
   * a live message of a conversation they are a member of (a guest: their room's conversation).
   */
  readable(id: string, reader: Reader): Promise<AttachmentRow | undefined>;
  /** Bytes of the uploader's uploads (attached or not), for the quota. */
  usage(uploader: Uploader): Promise<number>;
  /**
   * Inserts the message and attaches the author's (user or guest) unattached uploads `ids` to
   * it, in that order, in one transaction; null (nothing written) when one is not theirs or is
   * attached already. A retry (same author and clientId) returns the original untouched.
   */
  insertWithAttachments(m: NewMessage, ids: string[]): Promise<{ message: MessageRow; created: boolean } | null>;
  /** Drops the message's attachments and returns what they pointed at. */
  removeForMessage(messageId: string): Promise<FileKeys>;
  /** Drops up to `limit` uploads never attached and created before `cutoff`. */
  removeUnattached(cutoff: string, limit: number): Promise<FileKeys>;
  /** Which of these keys some attachment still points at (as its file or its thumbnail). */
  referenced(keys: string[]): Promise<Set<string>>;
}

export class KyselyAttachmentStore implements AttachmentStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(a: NewAttachment) {
    await this.db.insertInto("attachments").values(a).execute();
  }

  byIds(ids: string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom("attachments").selectAll().where("id", "in", ids).execute();
  }

  forMessages(messageIds: string[]) {
    if (messageIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom("attachments").selectAll().where("message_id", "in", messageIds).orderBy("message_id").orderBy("position").execute();
  }

  readable(id: string, reader: Reader) {
    const own = uploaderColumn(reader);
    return this.db
      .selectFrom("attachments as a")
      .leftJoin("messages as m", "m.id", "a.message_id")
      .leftJoin("conversation_members as cm", (j) =>
        "userId" in reader ? j.onRef("cm.conversation_id", "=", "m.conversation_id").on("cm.user_id", "=", reader.userId) : j.on(sql.lit(false)),
      )
      .selectAll("a")
      .where("a.id", "=", id)
      .where((eb) =>
        eb.or([
          eb.and([eb("a.message_id", "is", null), eb(`a.${own[0]}`, "=", own[1])]),
          eb.and([
            "userId" in reader ? eb("cm.user_id", "is not", null) : eb("m.conversation_id", "=", reader.conversationId),
            eb("m.deleted_at", "is", null),
          ]),
        ]),
      )
      .executeTakeFirst();
  }

  async usage(uploader: Uploader) {
    const [column, id] = uploaderColumn(uploader);
    const row = await this.db.selectFrom("attachments").select(sql<number | string | null>`sum(size)`.as("bytes")).where(column, "=", id).executeTakeFirst();
    return Number(row?.bytes ?? 0);
  }

  insertWithAttachments(m: NewMessage, ids: string[]) {
    const [column, uploader] = uploaderColumn(m.guest ? { guestId: m.guest.id } : { userId: m.authorId! });
    return guarded(
      this.db,
      async (tx) => {
        const result = await insertOne(tx, m);
        if (!result.created) return result;
        for (const [position, id] of ids.entries()) {
          const res = await tx
            .updateTable("attachments")
            .set({ message_id: result.message.id, position })
            .where("id", "=", id)
            .where(column, "=", uploader)
            .where("message_id", "is", null)
            .executeTakeFirst();
          if (Number(res.numUpdatedRows) !== 1) throw NOT_APPLIED;
        }
        return result;
      },
      null,
    );
  }

  removeForMessage(messageId: string) {
    return this.db.deleteFrom("attachments").where("message_id", "=", messageId).returning(["sha256", "thumb_sha256"]).execute();
  }

  async removeUnattached(cutoff: string, limit: number) {
    const ids = this.db.selectFrom("attachments").select("id").where("message_id", "is", null).where("created_at", "<", cutoff).limit(limit);
    return this.db.deleteFrom("attachments").where("id", "in", ids).where("message_id", "is", null).returning(["sha256", "thumb_sha256"]).execute();
  }

  async referenced(keys: string[]) {
    if (keys.length === 0) return new Set<string>();
    const rows = await this.db
      .selectFrom("attachments")
      .select(["sha256", "thumb_sha256"])
      .where((eb) => eb.or([eb("sha256", "in", keys), eb("thumb_sha256", "in", keys)]))
      .execute();
    const wanted = new Set(keys);
    return new Set(rows.flatMap((r) => [r.sha256, r.thumb_sha256]).filter((k): k is string => k !== null && wanted.has(k)));
  }
}
