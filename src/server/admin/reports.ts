/**
 * Message reports: a member of a conversation reports someone else's message to the instance
 * admins, who list and resolve them in the console (AdminService). The report keeps what the
 * message said at the time, since it may be edited or deleted after.
 */
import { AppError } from "../../shared/errors";
import { newId } from "../../shared/ids";
import type { AdminReport } from "../../shared/admin";
import type { Actor } from "../auth/service";
import type { ConversationService } from "../chat/conversations";
import type { AdminReportRow, Store } from "../store/store";

export class ReportService {
  constructor(
    private readonly store: Store,
    private readonly conversations: ConversationService,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Reporting the same message twice changes nothing. */
  async report(actor: Actor, messageId: string, reason: string): Promise<void> {
    const m = await this.store.chat.message(messageId);
    if (!m || m.deleted_at) throw new AppError("NOT_FOUND", "No such message");
    await this.conversations.requireMember(actor, m.conversation_id);
    if (m.author_id === actor.userId) throw new AppError("VALIDATION_ERROR", "You cannot report your own message");
    const now = this.clock();
    await this.store.admin.addReport({
      id: newId(now),
      message_id: m.id,
      conversation_id: m.conversation_id,
      reporter_id: actor.userId,
      author_id: m.author_id,
      guest_name: m.guest_name,
      content: m.content,
      reason,
      created_at: new Date(now).toISOString(),
      resolved_at: null,
      resolved_by: null,
    });
  }
}

export function toReport(r: AdminReportRow): AdminReport {
  return {
    id: r.id,
    messageId: r.message_id,
    conversationId: r.conversation_id,
    reporter: { id: r.reporter_id, username: r.reporter_username, state: r.reporter_state ?? "deleted" },
    author: r.author_id ? { id: r.author_id, username: r.author_username, state: r.author_state ?? "deleted" } : null,
    guestName: r.guest_name,
    content: r.content,
    reason: r.reason,
    createdAt: r.created_at,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
  };
}
