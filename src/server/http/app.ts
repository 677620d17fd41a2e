/**
 * The Hono app: middleware (metrics, logs, secure headers, body limit, Origin check,
 * error mapping) and the route modules. Thin: parse, call a service, map errors.
 */
import { Hono } from "hono";
import { routePath } from "hono/route";
import { AppError, HTTP_STATUS } from "../../shared/errors";
import type { AuthService } from "../auth/service";
import type { WindowLimiter } from "../auth/limiter";
import type { Config } from "../config";
import type { Logger } from "../obs/log";
import type { Metrics } from "../obs/metrics";
import { metricsResponse } from "../obs/metrics-endpoint";
import type { UserService } from "../social/users";
import type { Store } from "../store/store";
import type { OidcService } from "../auth/oidc";
import type { FriendService } from "../social/friends";
import type { ConversationService } from "../chat/conversations";
import type { MessageService } from "../chat/messages";
import type { Bus } from "../bus/bus";
import type { IceService } from "../calls/ice";
import type { SpaceService } from "../spaces/service";
import type { InviteService } from "../spaces/invites";
import { clientOf, type Env } from "./context";
import type { Limits } from "../limits/limits";
import { headers, limitBody, sameOrigin, storablePath } from "./security";
import { originOf } from "./origin";
import { authRoutes } from "./routes/auth";
import { oidcRoutes } from "./routes/oidc";
import { userRoutes } from "./routes/users";
import { avatarRoutes } from "./routes/avatars";
import { blockRoutes, friendRoutes } from "./routes/social";
import { conversationRoutes } from "./routes/chat";
import { rtcRoutes } from "./routes/rtc";
import { roomRoutes } from "./routes/rooms";
import type { RoomService } from "../rooms/service";
import { channelRoutes, inviteRoutes, spaceRoutes } from "./routes/spaces";
import { messageRoutes } from "./routes/chat";
import { staticRoutes } from "./routes/static";
import { searchRoutes } from "./routes/search";
import type { SearchService } from "../search/service";
import type { AttachmentService } from "../chat/attachments";
import { attachmentRoutes } from "./routes/attachments";
import { totpRoutes } from "./routes/totp";
import type { TotpService } from "../auth/totp";
import type { GuestTokens } from "../auth/guest-tokens";
import { accountMailRoutes } from "./routes/account-mail";
import type { AccountMailService } from "../auth/account-mail";
import type { Mailer } from "../mail/mailer";
import type { AuditLog } from "../audit/audit-log";
import type { AdminService } from "../admin/service";
import { accountRoutes } from "./routes/account";
import type { AccountDeletionService } from "../auth/deletion";
import { adminRoutes, reportRoutes } from "./routes/admin";
import type { ReportService } from "../admin/reports";
import type { ExportService } from "../account/export";

export interface AppDeps {
  config: Readonly<Config>;
  store: Store;
  bus: Bus;
  /** Everything else that lives in Redis with REDIS_URL (presence, calls); /readyz counts it as the bus. */
  busPeers: Array<{ ping(): Promise<void> }>;
  auth: AuthService;
  users: UserService;
  friends: FriendService;
  conversations: ConversationService;
  messages: MessageService;
  ice: IceService;
  spaces: SpaceService;
  invites: InviteService;
  rooms: RoomService;
  search: SearchService;
  attachments: AttachmentService;
  /** Room guests' tokens: /api/attachments is the one REST surface besides the room preview that reads them. */
  guestTokens: GuestTokens;
  oidc: OidcService;
  totp: TotpService;
  accountMail: AccountMailService;
  accountDeletion: AccountDeletionService;
  accountExport: ExportService;
  mailer: Mailer;
  audit: AuditLog;
  admin: AdminService;
  reports: ReportService;
  ipLimiter: WindowLimiter;
  limits: Limits;
  metrics: Metrics;
  log: Logger;
  /** Directory of the built client; absent in tests and in dev mode. */
  staticDir?: string;
}

export function createApp(d: AppDeps) {
  const app = new Hono<Env>();

  app.use(async (c, next) => {
    const start = performance.now();
    await next();
    const seconds = (performance.now() - start) / 1000;
    const route = routePath(c);
    d.metrics.observeRequest(c.req.method, route, c.res.status, seconds);
    d.log.debug("request", { method: c.req.method, path: c.req.path, status: c.res.status, ms: +(seconds * 1000).toFixed(2) });
  });
  app.use(headers(d.config.secureCookies));
  const limit = limitBody(d.config.bodyLimitBytes);
  // Uploads stream to storage under ATTACHMENT_MAX_BYTES instead (chat/attachments.ts).
  app.use((c, next) => (c.req.method === "POST" && c.req.path === "/api/attachments" ? next() : limit(c, next)));
  app.use(originOf(d.config));
  app.use("/api/*", sameOrigin(d.config.publicUrl));
  app.use(storablePath());
  app.use("/api/*", async (c, next) => {
    c.set("limits", d.limits);
    c.set("client", clientOf(c, d.config.trustProxy));
    await next();
  });

  app.onError((err, c) => {
    if (err instanceof AppError) {
      if (err.retryAfter !== undefined) c.header("Retry-After", String(err.retryAfter));
      return c.json({ error: err.toBody() }, HTTP_STATUS[err.code] as never);
    }
    d.log.error("unhandled error", { path: c.req.path, error: String((err as Error)?.stack ?? err) });
    return c.json({ error: { code: "INTERNAL", message: "Something went wrong" } }, 500);
  });
  app.notFound((c) => c.json({ error: { code: "NOT_FOUND", message: "No such route" } }, 404));

  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/readyz", async (c) => {
    const check = async (name: string, ping: () => Promise<void>) =>
      ping().then(
        () => null,
        (err) => {
          d.log.warn("readiness check failed", { name, error: String(err) });
          return name;
        },
      );
    const down = (await Promise.all([check("store", () => d.store.ping()), check("bus", async () => void (await Promise.all([d.bus.ping(), ...d.busPeers.map((p) => p.ping())])))])).filter(Boolean);
    const parts = { store: down.includes("store") ? "down" : "up", bus: down.includes("bus") ? "down" : "up" };
    if (down.length === 0) return c.json({ ok: true, ...parts });
    return c.json({ error: { code: "UNAVAILABLE", message: `Unreachable: ${down.join(", ")}` }, ...parts }, 503);
  });
  app.get("/metrics", (c) => (d.config.metrics.token ? metricsResponse(d.metrics, d.config.metrics.token, c.req.header("authorization")) : c.notFound()));

  app.route("/api/auth", authRoutes(d));
  app.route("/api", accountMailRoutes(d));
  app.route("/api/account", accountRoutes(d));
  app.route("/api/auth/oidc", oidcRoutes(d));
  app.route("/api/auth/totp", totpRoutes(d));
  app.route("/api/admin", adminRoutes(d));
  app.route("/api/users", avatarRoutes(d.auth, d.users));
  app.route("/api/users", userRoutes(d.auth, d.users));
  app.route("/api/friends", friendRoutes(d.auth, d.friends));
  app.route("/api/blocks", blockRoutes(d.auth, d.friends));
  app.route("/api/conversations", conversationRoutes(d.auth, d.conversations, d.messages));
  app.route("/api/rtc", rtcRoutes(d.auth, d.ice));
  app.route("/api/search", searchRoutes(d.auth, d.search));
  app.route("/api/attachments", attachmentRoutes(d.auth, d.guestTokens, d.attachments));
  app.route("/api/spaces", spaceRoutes(d.auth, d.spaces, d.invites));
  app.route("/api/channels", channelRoutes(d.auth, d.spaces));
  app.route("/api/invites", inviteRoutes(d.auth, d.invites));
  app.route("/api/messages", messageRoutes(d.auth, d.messages));
  app.route("/api/messages", reportRoutes(d.auth, d.reports));
  app.route("/api/rooms", roomRoutes(d.config, d.auth, d.rooms, d.ice));
  if (d.staticDir) app.route("/", staticRoutes(d.staticDir));
  return app;
}

export type App = ReturnType<typeof createApp>;
