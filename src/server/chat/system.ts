/**
 * System lines: messages with no author that say what happened in a conversation — the call
 * log, group changes (added, left, renamed), space joins. Stored and delivered like any message
 * (`message:new`, history, sync), so every device and every later reader sees the same timeline.
 */
import type { Message } from "../../shared/protocol";
import { newId } from "../../shared/ids";
import type { Bus } from "../bus/bus";
import type { Store, UserRow } from "../store/store";
import { toMessage } from "./wire";

export class SystemMessages {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly clock: () => number = Date.now,
  ) {}

  async post(conversationId: string, content: string): Promise<Message> {
    const { message } = await this.store.chat.insertMessage({
      id: newId(this.clock()),
      conversationId,
      authorId: null,
      clientId: null,
      kind: "system",
      content,
      replyToId: null,
      now: new Date(this.clock()).toISOString(),
    });
    const wire = toMessage(message);
    await this.bus.publish({ type: "deliver", to: { conversation: conversationId }, event: { type: "message:new", message: wire } });
    return wire;
  }

  /** Display names by id, read in one query; "Someone" for an account that is gone. */
  async names(ids: string[]): Promise<(id: string) => string> {
    const rows = await this.store.accounts.usersByIds([...new Set(ids)]);
    const byId = new Map(rows.map((u: UserRow) => [u.id, u.display_name]));
    return (id) => byId.get(id) ?? "Someone";
  }
}

/** "Ann", "Ann and Bob", "Ann, Bob and Cy". */
export function listOf(names: string[]): string {
  return names.length < 2 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}
