/**
 * Two-factor sign-in with TOTP (RFC 6238): enrolment, the second step of a sign-in, and
 * turning it off. See docs/PROTOCOL.md "Two-factor authentication".
 */
import { z } from "zod";
import { Str } from "./wire";

export const TOTP_DIGITS = 6;
export const RECOVERY_CODE_COUNT = 10;

/** A 6-digit code from the authenticator app, or a recovery code ("xxxx-xxxx-xxxx"); spaces and dashes are ignored. */
export const TotpCodeBody = z.object({ code: Str().trim().min(1, "Enter a code").max(64) });
export type TotpCodeBody = z.infer<typeof TotpCodeBody>;

/**
 * How recent a sign-in stands in for the password an account without one (single sign-on only)
 * cannot give: setting up two-factor on such an account needs a session at most this old.
 */
export const RECENT_SIGN_IN_SECONDS = 600;

const CurrentPassword = Str().max(256).optional();

/** POST /api/auth/totp/enrol: the current password, for an account that has one. */
export const TotpEnrolBody = z.object({ password: CurrentPassword });
export type TotpEnrolBody = z.infer<typeof TotpEnrolBody>;

/** POST /api/auth/totp/disable and /recovery-codes: a code, and the current password for an account that has one. */
export const TotpChangeBody = TotpCodeBody.extend({ password: CurrentPassword });
export type TotpChangeBody = z.infer<typeof TotpChangeBody>;

/** GET /api/auth/totp */
export interface TotpStatus {
  enabled: boolean;
  /** Unused recovery codes while enabled. */
  recoveryCodesLeft: number | null;
}

/** POST /api/auth/totp/enrol: the new secret, as text, as an otpauth:// URI and as a QR code of it. */
export interface TotpEnrolment {
  secret: string;
  otpauthUrl: string;
  /** data:image/svg+xml URL of the QR code of otpauthUrl. */
  qrCode: string;
}

/** POST /api/auth/totp/confirm and /recovery-codes: shown once; the server keeps only their hashes. */
export interface RecoveryCodes {
  recoveryCodes: string[];
}

/** details of TOTP_REQUIRED: the password (or provider) was right; the pending sign-in lasts until expiresAt. */
export interface TotpRequiredDetails {
  expiresAt: string;
  recentFailures: { count: number; lastAt: string } | null;
}

/** details of TOTP_INVALID: how many more codes this pending sign-in takes (absent outside a sign-in). */
export interface TotpInvalidDetails {
  attemptsLeft?: number;
}
