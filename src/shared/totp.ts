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
