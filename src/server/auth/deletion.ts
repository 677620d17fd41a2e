/**
 * Account deletion: the user schedules it (password, or their username for an account without
 * one, plus a two-factor code when that is on), every session ends, and signing in again during
 * the grace period lets them cancel. Once due, a sweeper on any node claims it and erases the
 * personal data; messages stay, their author shown as "Deleted user". Knows nothing of HTTP.
 */
import { AppError } from "../../shared/errors";
import type { DeleteAccountBody } from "../../shared/protocol";
import type { Bus } from "../bus/bus";
import type { ConversationService } from "../chat/conversations";
import type { ImageStore } from "../files/images";
import type { Logger } from "../obs/log";
import type { RoomService } from "../rooms/service";
import { avatarName, type UserService } from "../social/users";
import type { SpaceService } from "../spaces/service";
import type { Store } from "../store/store";
import type { PasswordHasher } from "./passwords";
import type { AuditLog } from "../audit/audit-log";
import type { ExportService } from "../account/export";
import type { Actor, Client } from "./service";
import type { TotpService } from "./totp";

export interface AccountDeletionOptions {
  graceHours: number;
}

export interface AccountDeletionDeps {
  users: UserService;
  spaces: SpaceService;
  rooms: RoomService;
  conversations: ConversationService;
  images: ImageStore;
  audit: AuditLog;
  exports: ExportService;
}

/** A sweeper that claimed a deletion and went quiet this long (a node died) loses its claim. */
export const DELETION_CLAIM_LEASE_MS = 10 * 60_000;
/** Accounts one sweep erases at most; the next sweep takes the rest. */
const SWEEP_BATCH = 20;

const iso = (ms: number) => new Date(ms).toISOString();

export class AccountDeletionService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly hasher: PasswordHasher,
    private readonly totp: TotpService,
    private readonly deps: AccountDeletionDeps,
    private readonly opts: AccountDeletionOptions,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Schedules the deletion after the grace period and signs out every device; answers when it falls due. */
  async schedule(actor: Actor, input: DeleteAccountBody, client: Client): Promise<{ deletionScheduledFor: string }> {
    const user = await this.store.accounts.userById(actor.userId);
    if (!user || user.deleted_at) throw new AppError("UNAUTHORIZED", "Account no longer exists");
    if (user.password_hash !== null) {
      if (!(await this.hasher.verify(input.password ?? "", user.password_hash))) throw new AppError("INVALID_CREDENTIALS", "Wrong password");
    } else if (input.confirm !== user.username) {
      throw new AppError("VALIDATION_ERROR", "Type your username to confirm", { fields: { confirm: "Does not match your username" } });
    }
    await this.totp.confirmIfEnabled(user.id, input.code, client);
    const now = this.clock();
    const due = iso(now + this.opts.graceHours * 3600_000);
    if (!(await this.store.deletion.schedule(user.id, due, iso(now)))) throw new AppError("UNAUTHORIZED", "Account no longer exists");
    await this.deps.audit.record({ kind: "account.deletion_scheduled", actorId: user.id, targetId: user.id, client, details: { dueAt: due } });
    await this.bus.publish({ type: "sessions:ended", userId: user.id, sessionIds: "all" });
    return { deletionScheduledFor: due };
  }

  /** Keeps the account: only while no sweeper has begun erasing it. */
  async cancel(actor: Actor, client: Client): Promise<void> {
    if (await this.store.deletion.cancel(actor.userId, iso(this.clock() - DELETION_CLAIM_LEASE_MS))) {
      await this.deps.audit.record({ kind: "account.deletion_cancelled", actorId: actor.userId, targetId: actor.userId, client });
      await this.bus.publish({ type: "hello:stale", userIds: [actor.userId] });
      return;
    }
    const user = await this.store.accounts.userById(actor.userId);
    if (!user?.deletion_due_at) throw new AppError("NOT_FOUND", "No deletion is scheduled");
    throw new AppError("CONFLICT", "The account is being deleted");
  }

  /** Erases every due account this caller claims; safe to run on every node at once. Answers the ids erased. */
  async sweep(): Promise<string[]> {
    const now = this.clock();
    const claimed = await this.store.deletion.claimDue(iso(now), iso(now - DELETION_CLAIM_LEASE_MS), SWEEP_BATCH);
    const erased: string[] = [];
    for (const userId of claimed) {
      try {
        await this.#erase(userId);
        erased.push(userId);
      } catch (err) {
        // The claim lapses and a later sweep (here or on another node) tries again; every step is idempotent.
        this.log.error("account erasure failed", { userId, error: String(err) });
      }
    }
    return erased;
  }

  async #erase(userId: string): Promise<void> {
    const before = await this.store.accounts.userById(userId);
    if (!before) return;
    const actor: Actor = { userId, sessionId: "" };
    const [audience, friends, requests] = await Promise.all([this.deps.users.audience(userId), this.store.social.friendIds(userId), this.store.hello.requests(userId)]);
    await this.deps.spaces.accountErased(userId);
    for (const room of await this.store.rooms.ofHost(userId)) await this.deps.rooms.remove(actor, room.slug);
    await this.store.deletion.erase(userId, iso(this.clock()));
    await this.bus.publish({ type: "sessions:ended", userId, sessionIds: "all" });
    await this.deps.images.remove(avatarName(before));
    await this.deps.exports.forget(userId);
    // After the erase, so the group hears that "Deleted user" left.
    for (const id of await this.store.deletion.conversationIds(userId, "group")) await this.deps.conversations.leave(actor, id);
    for (const friend of friends) await this.#send([friend], { type: "friend:removed", userId });
    for (const r of [...requests.incoming, ...requests.outgoing]) await this.#send([r.id], { type: "friend:request-removed", requestId: r.r_id });
    const after = await this.store.accounts.userById(userId);
    if (after) await this.deps.users.announceTo(audience.filter((id) => id !== userId), after);
    await this.store.deletion.finish(userId, iso(this.clock()));
    // Marked deleted now: each DM's other side hears it turned read-only (the composer gives way to a notice).
    for (const id of await this.store.deletion.conversationIds(userId, "dm")) {
      const others = (await this.store.chat.memberIds(id)).filter((m) => m !== userId);
      await this.deps.conversations.announce(id, "conversation:updated", others);
    }
    await this.deps.audit.record({ kind: "account.erased", targetId: userId });
  }

  #send(users: string[], event: { type: "friend:removed"; userId: string } | { type: "friend:request-removed"; requestId: string }) {
    return this.bus.publish({ type: "deliver", to: { users }, event });
  }
}
