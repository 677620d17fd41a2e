/**
 * Account deletion (with a grace period) and data export. See docs/PROTOCOL.md "Deleting an
 * account" and "Exporting your data".
 */
import { z } from "zod";
import { Str } from "./wire";

/** An erased account's username: "-" is outside what registration accepts, so nobody else ever holds it. */
export const erasedUsername = (userId: string) => `deleted-${userId}`;
/** Whether this is an erased account (its row stays, so its messages keep an author). */
export const isErased = (u: { id: string; username: string }) => u.username === erasedUsername(u.id);

/**
 * Schedules the account's deletion. `password` for an account with one; otherwise `confirm`, the
 * username typed out. `code` (authenticator or recovery code) when two-factor sign-in is on.
 */
export const DeleteAccountBody = z
  .object({
    password: Str().max(256).optional(),
    confirm: Str().trim().max(64).optional(),
    code: Str().trim().max(64).optional(),
  })
  .strict();
export type DeleteAccountBody = z.infer<typeof DeleteAccountBody>;

export interface DeletionScheduled {
  /** When the account will be erased unless the user signs in and cancels first. */
  deletionScheduledFor: string;
}

/** GET /api/account: what the account page needs to know of the instance's rules. */
export interface AccountSettings {
  /** How long a scheduled deletion waits before the account is erased. */
  deletionGraceHours: number;
}

/**
 * A data export: pending (waiting for a worker), running (progress of total items: messages,
 * then files), ready (downloadable from downloadUrl until expiresAt), failed or expired.
 */
export interface AccountExport {
  id: string;
  status: "pending" | "running" | "ready" | "failed" | "expired";
  progress: number;
  total: number;
  createdAt: string;
  size?: number;
  expiresAt?: string;
  downloadUrl?: string;
}
