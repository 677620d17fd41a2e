/**
 * Configuration: parsed once from the environment through zod into a frozen object.
 * Nothing else in the server reads process.env.
 */
import { z } from "zod";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";

const Bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const Int = (def: number) => z.coerce.number().int().positive().default(def);

/** DATABASE_TIMEOUT_MS when unset; also what the store uses for a `database` config built without `timeoutMs` (tests). */
export const DEFAULT_DATABASE_TIMEOUT_MS = 5000;

/** Exported for the deployment test, which checks docker-compose.yml against it. */
export const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, "must start with sqlite: or postgres://")
    .optional(),
  DATABASE_POOL_SIZE: Int(10),
  DATABASE_TIMEOUT_MS: Int(DEFAULT_DATABASE_TIMEOUT_MS),
  PUBLIC_URL: z.url().optional(),
  JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  TOTP_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  TRUST_PROXY: Bool.default(false),
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_NAME: z.string().min(1).optional(),
  ACCESS_TTL_SECONDS: Int(15 * 60),
  REFRESH_TTL_SECONDS: Int(7 * 24 * 3600),
  AUTH_RATE_LIMIT: Int(30),
  AUTH_RATE_WINDOW_SECONDS: Int(60),
  LOCKOUT_THRESHOLD: Int(5),
  LOCKOUT_SECONDS: Int(15 * 60),
  LOCKOUT_ADDRESSES: Int(10),
  HASH_CONCURRENCY: Int(2),
  HASH_QUEUE: Int(64),
  BODY_LIMIT_BYTES: Int(1024 * 1024),
  MAX_CONNECTIONS: z.coerce.number().int().positive().optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must start with redis://").optional(),
  REDIS_CHANNEL: z.string().min(1).default("parley:bus"),
  NODE_HEARTBEAT_MS: Int(1000),
  NODE_DEAD_MS: Int(5000),
  WS_MAX_FRAME_BYTES: Int(64 * 1024),
  WS_RATE_PER_SECOND: Int(20),
  WS_BURST: Int(60),
  WS_STALE_SECONDS: Int(45),
  WS_MAX_PER_USER: Int(20),
  WS_MAX_PER_SESSION: Int(12),
  // A floor against typos: far below a few MiB, ordinary bursts on a slow link (a hello, a sync page) would close sockets.
  WS_BACKPRESSURE_LIMIT_BYTES: z.coerce.number().int().min(64 * 1024).default(8 * 1024 * 1024),
  WRITE_RATE_PER_SECOND: z.coerce.number().positive().default(2),
  WRITE_BURST: Int(60),
  READ_RATE_PER_SECOND: z.coerce.number().positive().default(1),
  READ_BURST: Int(30),
  FRIEND_REQUESTS_PER_TARGET: Int(3),
  MAX_SPACES_PER_USER: Int(100),
  HELLO_CACHE_MB: z.coerce.number().min(0).default(64),
  CALL_RING_SECONDS: Int(30),
  CALL_GRACE_SECONDS: Int(10),
  MESH_MAX: Int(4),
  SFU: z.enum(["embedded", "janus"]).default("embedded"),
  JANUS_URL: z.string().regex(/^https?:\/\//, "must start with http:// or https://").optional(),
  SFU_STEP_TIMEOUT_MS: Int(10_000),
  SFU_ANNOUNCED_IP: z.ipv4().optional(),
  SFU_PORT_RANGE: z
    .string()
    .regex(/^\d{1,5}-\d{1,5}$/, "must be two ports, low-high (e.g. 40000-40199)")
    .transform((v) => v.split("-").map(Number) as [number, number])
    .refine(([lo, hi]) => lo >= 1024 && lo <= hi && hi <= 65535, "must be low-high with 1024 ≤ low ≤ high ≤ 65535")
    .optional(),
  GUEST_TTL_SECONDS: Int(4 * 3600),
  GUEST_MAX_PER_ROOM: Int(20),
  STUN_URLS: z.string().optional(),
  TURN_URLS: z.string().optional(),
  TURN_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  TURN_TTL_SECONDS: Int(24 * 3600),
  RTC_FORCE_RELAY: Bool.default(false),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SHUTDOWN_TIMEOUT_MS: Int(8000),
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  ATTACHMENT_MAX_BYTES: Int(25 * 1024 * 1024),
  ATTACHMENT_QUOTA_BYTES: Int(1024 * 1024 * 1024),
  ATTACHMENT_ORPHAN_SECONDS: Int(3600),
  S3_BUCKET: z.string().min(1).optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "must start with smtp:// or smtps://").optional(),
  MAIL_FROM: z.string().min(3).optional(),
  REQUIRE_EMAIL_VERIFICATION: Bool.default(false),
  HIDE_REGISTERED_EMAILS: Bool.default(false),
  EMAIL_VERIFY_TTL_SECONDS: Int(48 * 3600),
  PASSWORD_RESET_TTL_SECONDS: Int(3600),
  MAIL_PER_ACCOUNT_PER_HOUR: Int(5),
  MAIL_PER_ADDRESS_PER_HOUR: Int(20),
  AUDIT_RETENTION_DAYS: Int(90),
  ACCOUNT_DELETION_GRACE_HOURS: Int(72),
  ACCOUNT_EXPORT_TTL_HOURS: Int(48),
});

/** Where clients reach a node's embedded SFU. */
export interface SfuNetwork {
  /** Offered to clients as a host candidate besides the node's own interface addresses (a public address behind 1:1 NAT). */
  announcedIp?: string;
  /** The UDP ports its media sockets bind, for a firewall or port forward; random when unset. */
  portRange?: [number, number];
}

export interface OidcProviderConfig {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
}

export interface Config {
  env: "development" | "production" | "test";
  port: number;
  host: string;
  dataDir: string;
  /**
   * PostgreSQL: `poolSize` connections per node (two hold the message batches in flight when there
   * are 3 or more, one when fewer); `timeoutMs` bounds a connect, and a query before the database
   * is probed (store/pg-breaker.ts; DEFAULT_DATABASE_TIMEOUT_MS when absent).
   */
  database: { kind: "sqlite"; path: string } | { kind: "postgres"; url: string; poolSize: number; timeoutMs?: number };
  publicUrl: string;
  /** False when PUBLIC_URL is unset: links then use the origin each request came in on (http/origin.ts). */
  publicUrlSet: boolean;
  secureCookies: boolean;
  jwtSecret: string;
  /** Seals TOTP secrets and keys recovery-code hashes (auth/secret-box.ts); apart from jwtSecret so rotating that one keeps two-factor working. */
  totpKey: string;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  trustProxy: boolean;
  oidc: readonly OidcProviderConfig[];
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  authRateLimit: { max: number; windowSeconds: number };
  /** Progressive delay per account + address; account-wide only once `addresses` distinct addresses fail. */
  lockout: { threshold: number; seconds: number; addresses: number };
  hashing: { concurrency: number; queue: number };
  bodyLimitBytes: number;
  maxConnections: number;
  redis: { url: string; channel: string } | null;
  /** With Redis: how often a node heartbeats, and after how long without one the others clean up after it. */
  cluster: { heartbeatMs: number; deadMs: number };
  /** backpressureLimitBytes: what a socket may have waiting to be written before it is closed (the gateway's websocket handler). */
  ws: { maxFrameBytes: number; ratePerSecond: number; burst: number; staleSeconds: number; maxPerUser: number; maxPerSession: number; backpressureLimitBytes: number };
  /** Token buckets per user (per address when anonymous), shared by REST and the gateway; per node. */
  limits: { write: { ratePerSecond: number; burst: number }; read: { ratePerSecond: number; burst: number }; friendRequestsPerTargetPerHour: number; maxSpacesPerUser: number };
  /** Budget of the per-node hello cache (hello/cache.ts); 0 turns it off. */
  helloCacheBytes: number;
  /**
   * sfuStepTimeoutMs: one SFU step (open, join, leave, close, a signal) that takes longer fails, so a hung one cannot stall other calls.
   * The embedded SFU's `network`: this node's address as clients reach it and the UDP ports it uses (sfu/werift-media.ts).
   */
  calls: { ringSeconds: number; graceSeconds: number; meshMax: number; sfu: { kind: "embedded"; network: SfuNetwork } | { kind: "janus"; url: string }; sfuStepTimeoutMs: number };
  /** Guest sessions in rooms: how long a guest token lasts, how many guests one room's call holds. */
  guests: { ttlSeconds: number; maxPerRoom: number };
  rtc: { stunUrls: string[]; turnUrls: string[]; turnSecret: string | null; turnTtlSeconds: number; forceRelay: boolean };
  /** `/metrics` is served on its own port and/or on the public one to bearers of the token; neither by default. */
  metrics: { port: number | null; token: string | null };
  /** Uploads: largest file, bytes one user may keep stored, how long an upload may wait for its message. */
  attachments: { maxBytes: number; quotaBytes: number; orphanSeconds: number };
  /** Where attachment bytes live: DATA_DIR/files, or an S3-compatible bucket when S3_BUCKET is set. */
  files: { kind: "disk" } | { kind: "s3"; bucket: string; endpoint: string | null; region: string | null; accessKeyId: string; secretAccessKey: string };
  /**
   * Account mail: SMTP when smtpUrl is set, else the log and the admin's outbox. Links in mail
   * always start with publicUrl. Limits count mails per account (each kind apart) and password
   * reset requests per client address, per hour and per node.
   */
  mail: {
    smtpUrl: string | null;
    from: string;
    requireVerification: boolean;
    /** Registration answers alike (202, no session) whether or not the email has an account. */
    hideRegisteredEmails: boolean;
    verifyTtlSeconds: number;
    resetTtlSeconds: number;
    perAccountPerHour: number;
    perAddressPerHour: number;
  };
  /** Security events are kept this many days, then pruned. */
  audit: { retentionDays: number };
  /** Account lifecycle: how long a scheduled deletion waits (signing in meanwhile may cancel it). */
  accounts: { deletionGraceHours: number; exportTtlHours: number };
  /** SIGTERM: how long in-flight work may take to finish before the node closes anyway and exits. */
  shutdownTimeoutMs: number;
}

export class ConfigError extends Error {}

const list = (v: string | undefined) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);

/** The open-file limit of this process, so the server can keep its connections below it. */
function fileLimit(): number {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    if (Number.isFinite(soft) && soft > 0) return soft;
  } catch {
    // not Linux: fall through to a conservative default
  }
  return 1024;
}

/**
 * A secret generated on first start and kept in the data directory. Created exclusively: nodes
 * starting together on a shared DATA_DIR all end up with the first one written.
 */
function persistentSecret(dataDir: string, name: string): string {
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = randomBytes(48).toString("base64url");
  try {
    writeFileSync(file, secret + "\n", { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return readFileSync(file, "utf8").trim();
    throw err;
  }
  return secret;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });

  const oidcSet = [e.OIDC_ISSUER, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET].filter(Boolean).length;
  if (oidcSet !== 0 && oidcSet !== 3) {
    throw new ConfigError(
      "Invalid configuration:\n  OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together",
    );
  }
  const oidc: OidcProviderConfig[] = [];
  if (e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET) {
    const isGoogle = new URL(e.OIDC_ISSUER).hostname === "accounts.google.com";
    oidc.push({
      id: isGoogle ? "google" : "oidc",
      name: e.OIDC_NAME ?? (isGoogle ? "Google" : "Single sign-on"),
      issuer: e.OIDC_ISSUER,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
    });
  }

  if (e.SFU === "janus" && !e.JANUS_URL) {
    throw new ConfigError("Invalid configuration:\n  JANUS_URL must be set when SFU=janus (the Janus HTTP API, e.g. http://127.0.0.1:8088/janus)");
  }
  if (e.NODE_DEAD_MS < 2 * e.NODE_HEARTBEAT_MS) {
    throw new ConfigError("Invalid configuration:\n  NODE_DEAD_MS must be at least twice NODE_HEARTBEAT_MS, or one late heartbeat declares a live node dead");
  }
  if (list(e.TURN_URLS).length > 0 && !e.TURN_SECRET) {
    throw new ConfigError("Invalid configuration:\n  TURN_SECRET must be set when TURN_URLS is");
  }
  const s3Set = [e.S3_BUCKET, e.S3_ACCESS_KEY_ID, e.S3_SECRET_ACCESS_KEY].filter(Boolean).length;
  if (s3Set !== 0 && s3Set !== 3) {
    throw new ConfigError("Invalid configuration:\n  S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together");
  }
  if (s3Set === 0 && (e.S3_ENDPOINT || e.S3_REGION)) {
    throw new ConfigError("Invalid configuration:\n  S3_ENDPOINT and S3_REGION need S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY");
  }
  const dbUrl = e.DATABASE_URL ?? `sqlite:${join(dataDir, "parley.db")}`;
  const database = dbUrl.startsWith("sqlite:")
    ? ({ kind: "sqlite", path: dbUrl.slice("sqlite:".length) } as const)
    : ({ kind: "postgres", url: dbUrl, poolSize: e.DATABASE_POOL_SIZE, timeoutMs: e.DATABASE_TIMEOUT_MS } as const);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, "");

  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database,
    publicUrl,
    publicUrlSet: e.PUBLIC_URL !== undefined,
    secureCookies: publicUrl.startsWith("https:"),
    jwtSecret: e.JWT_SECRET ?? persistentSecret(dataDir, "jwt-secret"),
    totpKey: e.TOTP_KEY ?? persistentSecret(dataDir, "totp-key"),
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    oidc: Object.freeze(oidc),
    accessTtlSeconds: e.ACCESS_TTL_SECONDS,
    refreshTtlSeconds: e.REFRESH_TTL_SECONDS,
    authRateLimit: { max: e.AUTH_RATE_LIMIT, windowSeconds: e.AUTH_RATE_WINDOW_SECONDS },
    lockout: { threshold: e.LOCKOUT_THRESHOLD, seconds: e.LOCKOUT_SECONDS, addresses: e.LOCKOUT_ADDRESSES },
    hashing: { concurrency: e.HASH_CONCURRENCY, queue: e.HASH_QUEUE },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    // Keep a reserve of descriptors for the database, logs and outgoing connections.
    maxConnections: e.MAX_CONNECTIONS ?? Math.max(64, Math.floor(fileLimit() * 0.9) - 64),
    redis: e.REDIS_URL ? { url: e.REDIS_URL, channel: e.REDIS_CHANNEL } : null,
    cluster: { heartbeatMs: e.NODE_HEARTBEAT_MS, deadMs: e.NODE_DEAD_MS },
    ws: { maxFrameBytes: e.WS_MAX_FRAME_BYTES, ratePerSecond: e.WS_RATE_PER_SECOND, burst: e.WS_BURST, staleSeconds: e.WS_STALE_SECONDS, maxPerUser: e.WS_MAX_PER_USER, maxPerSession: e.WS_MAX_PER_SESSION, backpressureLimitBytes: e.WS_BACKPRESSURE_LIMIT_BYTES },
    limits: {
      write: { ratePerSecond: e.WRITE_RATE_PER_SECOND, burst: e.WRITE_BURST },
      read: { ratePerSecond: e.READ_RATE_PER_SECOND, burst: e.READ_BURST },
      friendRequestsPerTargetPerHour: e.FRIEND_REQUESTS_PER_TARGET,
      maxSpacesPerUser: e.MAX_SPACES_PER_USER,
    },
    helloCacheBytes: Math.floor(e.HELLO_CACHE_MB * 1024 * 1024),
    calls: { ringSeconds: e.CALL_RING_SECONDS, graceSeconds: e.CALL_GRACE_SECONDS, meshMax: e.MESH_MAX, sfu: e.SFU === "janus" ? { kind: "janus" as const, url: e.JANUS_URL! } : { kind: "embedded" as const, network: { announcedIp: e.SFU_ANNOUNCED_IP, portRange: e.SFU_PORT_RANGE } }, sfuStepTimeoutMs: e.SFU_STEP_TIMEOUT_MS },
    guests: { ttlSeconds: e.GUEST_TTL_SECONDS, maxPerRoom: e.GUEST_MAX_PER_ROOM },
    rtc: { stunUrls: list(e.STUN_URLS), turnUrls: list(e.TURN_URLS), turnSecret: e.TURN_SECRET ?? null, turnTtlSeconds: e.TURN_TTL_SECONDS, forceRelay: e.RTC_FORCE_RELAY },
    metrics: { port: e.METRICS_PORT ?? null, token: e.METRICS_TOKEN ?? null },
    attachments: { maxBytes: e.ATTACHMENT_MAX_BYTES, quotaBytes: e.ATTACHMENT_QUOTA_BYTES, orphanSeconds: e.ATTACHMENT_ORPHAN_SECONDS },
    files:
      e.S3_BUCKET && e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
        ? { kind: "s3" as const, bucket: e.S3_BUCKET, endpoint: e.S3_ENDPOINT ?? null, region: e.S3_REGION ?? null, accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
        : { kind: "disk" as const },
    mail: {
      smtpUrl: e.SMTP_URL ?? null,
      from: e.MAIL_FROM ?? `Parley <parley@${new URL(publicUrl).hostname}>`,
      requireVerification: e.REQUIRE_EMAIL_VERIFICATION,
      hideRegisteredEmails: e.HIDE_REGISTERED_EMAILS,
      verifyTtlSeconds: e.EMAIL_VERIFY_TTL_SECONDS,
      resetTtlSeconds: e.PASSWORD_RESET_TTL_SECONDS,
      perAccountPerHour: e.MAIL_PER_ACCOUNT_PER_HOUR,
      perAddressPerHour: e.MAIL_PER_ADDRESS_PER_HOUR,
    },
    audit: { retentionDays: e.AUDIT_RETENTION_DAYS },
    accounts: { deletionGraceHours: e.ACCOUNT_DELETION_GRACE_HOURS, exportTtlHours: e.ACCOUNT_EXPORT_TTL_HOURS },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  });
}
