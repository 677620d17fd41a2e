/** Rooms joined by link, each with its chat conversation (kind "room"). */
import type { Kysely, Selectable } from "kysely";
import { AppError } from "../../shared/errors";
import type { Database, RoomsTable } from "./schema";

export type RoomRow = Selectable<RoomsTable>;

export interface RoomStore {
  /** Creates the room and its conversation (the host its first member); LIMIT_REACHED past `max` rooms per host. */
  create(r: { id: string; slug: string; name: string; hostId: string; allowGuests: boolean; conversationId: string; now: string; max: number }): Promise<RoomRow>;
  bySlug(slug: string): Promise<RoomRow | undefined>;
  byConversation(conversationId: string): Promise<RoomRow | undefined>;
  ofHost(hostId: string): Promise<RoomRow[]>;
  /** The room goes; its conversation (the chat history) stays. */
  remove(id: string): Promise<void>;
  setLocked(id: string, locked: boolean): Promise<void>;
  /** The host's settings; returns the room as it now is. */
  update(id: string, patch: { allowGuests?: boolean; locked?: boolean }): Promise<RoomRow>;
  /** Makes a signed-in visitor a member of the room's chat (idempotent). */
  addMember(conversationId: string, userId: string, now: string): Promise<void>;
}

export class KyselyRoomStore implements RoomStore {
  constructor(private readonly db: Kysely<Database>) {}

  create(r: Parameters<RoomStore["create"]>[0]) {
    return this.db.transaction().execute(async (tx) => {
      // A no-op write locks the host's row, so concurrent creates count one after another.
      await tx.updateTable("users").set((eb) => ({ id: eb.ref("id") })).where("id", "=", r.hostId).execute();
      const { n } = await tx.selectFrom("rooms").select((eb) => eb.fn.countAll<number>().as("n")).where("host_id", "=", r.hostId).executeTakeFirstOrThrow();
      if (Number(n) >= r.max) throw new AppError("LIMIT_REACHED", `You can have at most ${r.max} rooms`);
      await tx.insertInto("conversations").values({ id: r.conversationId, kind: "room", name: r.name, owner_id: r.hostId, dm_key: null, created_at: r.now }).execute();
      await tx.insertInto("conversation_members").values({ conversation_id: r.conversationId, user_id: r.hostId, joined_at: r.now, last_read_id: null }).execute();
      return tx
        .insertInto("rooms")
        .values({ id: r.id, slug: r.slug, name: r.name, host_id: r.hostId, allow_guests: r.allowGuests ? 1 : 0, locked: 0, conversation_id: r.conversationId, created_at: r.now })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  }

  bySlug(slug: string) {
    return this.db.selectFrom("rooms").selectAll().where("slug", "=", slug).executeTakeFirst();
  }

  byConversation(conversationId: string) {
    return this.db.selectFrom("rooms").selectAll().where("conversation_id", "=", conversationId).executeTakeFirst();
  }

  ofHost(hostId: string) {
    return this.db.selectFrom("rooms").selectAll().where("host_id", "=", hostId).orderBy("created_at", "desc").execute();
  }

  async remove(id: string) {
    await this.db.deleteFrom("rooms").where("id", "=", id).execute();
  }

  async setLocked(id: string, locked: boolean) {
    await this.db.updateTable("rooms").set({ locked: locked ? 1 : 0 }).where("id", "=", id).execute();
  }

  update(id: string, patch: { allowGuests?: boolean; locked?: boolean }) {
    const set = {
      ...(patch.allowGuests === undefined ? {} : { allow_guests: patch.allowGuests ? 1 : 0 }),
      ...(patch.locked === undefined ? {} : { locked: patch.locked ? 1 : 0 }),
    };
    return this.db.updateTable("rooms").set(set).where("id", "=", id).returningAll().executeTakeFirstOrThrow();
  }

  async addMember(conversationId: string, userId: string, now: string) {
    await this.db
      .insertInto("conversation_members")
      .values({ conversation_id: conversationId, user_id: userId, joined_at: now, last_read_id: null })
      .onConflict((oc) => oc.columns(["conversation_id", "user_id"]).doNothing())
      .execute();
  }
}
