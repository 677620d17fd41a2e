/** Stable error codes: they reach the client and show in the UI. */
export const ERROR_CODES = [
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "VALIDATION_ERROR",
  "CONFLICT",
  "RATE_LIMITED",
  "TOO_MANY_CONNECTIONS",
  "LIMIT_REACHED",
  "ACCOUNT_LOCKED",
  "INVALID_CREDENTIALS",
  "TOKEN_REUSED",
  "TOKEN_EXPIRED",
  "PAYLOAD_TOO_LARGE",
  "BUSY",
  "OIDC_ERROR",
  "INVITE_EXPIRED",
  "INVITE_EXHAUSTED",
  "INVITE_REVOKED",
  "BANNED",
  "UNSUPPORTED_MEDIA_TYPE",
  "UNAVAILABLE",
  "STORE_UNAVAILABLE",
  "TOO_MANY_REACTIONS",
  "QUOTA_EXCEEDED",
  "TOTP_REQUIRED",
  "TOTP_INVALID",
  "LINK_INVALID",
  "LINK_EXPIRED",
  "EMAIL_NOT_VERIFIED",
  "EXPORT_IN_PROGRESS",
  "EXPORT_EXPIRED",
  "ADMIN_REQUIRED",
  "ACCOUNT_DISABLED",
  "REAUTH_REQUIRED",
  "PEER_DELETED",
  "USERNAME_RESERVED",
  "INTERNAL",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** Thrown by services; adapters (http, gateway) map it to the wire shape. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Seconds the caller should wait before retrying (Retry-After). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "AppError";
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VALIDATION_ERROR: 400,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  TOO_MANY_CONNECTIONS: 429,
  LIMIT_REACHED: 409,
  ACCOUNT_LOCKED: 423,
  INVALID_CREDENTIALS: 401,
  TOKEN_REUSED: 401,
  TOKEN_EXPIRED: 401,
  PAYLOAD_TOO_LARGE: 413,
  BUSY: 409,
  OIDC_ERROR: 400,
  INVITE_EXPIRED: 410,
  INVITE_EXHAUSTED: 410,
  INVITE_REVOKED: 410,
  BANNED: 403,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  TOO_MANY_REACTIONS: 409,
  QUOTA_EXCEEDED: 413,
  TOTP_REQUIRED: 401,
  TOTP_INVALID: 403,
  LINK_INVALID: 400,
  LINK_EXPIRED: 410,
  EMAIL_NOT_VERIFIED: 403,
  EXPORT_IN_PROGRESS: 409,
  EXPORT_EXPIRED: 410,
  ADMIN_REQUIRED: 403,
  ACCOUNT_DISABLED: 403,
  REAUTH_REQUIRED: 403,
  PEER_DELETED: 403,
  USERNAME_RESERVED: 409,
  INTERNAL: 500,
};
