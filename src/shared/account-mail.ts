/** Bodies and answers of account mail: verification, password reset, email change, the outbox. */
import { z } from "zod";
import { Email, Password } from "./protocol";

/** A mailed link's token, as the page it opens posts it. */
const LinkToken = z.string().min(1, "Missing link token").max(2048);

export const VerifyEmailBody = z.object({ token: LinkToken }).strict();
export type VerifyEmailBody = z.infer<typeof VerifyEmailBody>;

export const PasswordResetRequestBody = z.object({ email: Email }).strict();
export type PasswordResetRequestBody = z.infer<typeof PasswordResetRequestBody>;

export const PasswordResetBody = z.object({ token: LinkToken, password: Password }).strict();
export type PasswordResetBody = z.infer<typeof PasswordResetBody>;

/** `password` is required for accounts that have one. */
export const ChangeEmailBody = z.object({ email: Email, password: z.string().max(256).optional() }).strict();
export type ChangeEmailBody = z.infer<typeof ChangeEmailBody>;

/** What registration answers, whether or not the address already had an account. */
export interface RegisterResult {
  status: "verification-sent";
  email: string;
}

export interface OutboxMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  createdAt: string;
}

/** GET /api/admin/outbox. `transport` is "smtp" when mail leaves through SMTP_URL (the outbox then stays empty). */
export interface OutboxResult {
  transport: "smtp" | "outbox";
  messages: OutboxMessage[];
}
