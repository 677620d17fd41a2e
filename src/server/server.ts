/**
 * Builds a whole Parley node from a Config: store → services → HTTP app → Bun.serve.
 * main.ts runs it; tests build it on port 0 or use `app.request()` in-process.
 */
import type { HTMLBundle, Server } from "bun";
import type { KyselyPlugin } from "kysely";
import { existsSync } from "node:fs";
import { AuthService } from "./auth/service";
import { PasswordHasher } from "./auth/passwords";
import { TokenService } from "./auth/tokens";
import { GuestTokens } from "./auth/guest-tokens";
import { WindowLimiter } from "./auth/limiter";
import { OidcService } from "./auth/oidc";
import { SecretBox } from "./auth/secret-box";
import { TotpService, totpKeyOpens } from "./auth/totp";
import { AccountMailService } from "./auth/account-mail";
import { AuditLog } from "./audit/audit-log";
import { AdminService } from "./admin/service";
import { AccountDeletionService } from "./auth/deletion";
import { ReportService } from "./admin/reports";
import { LiveMetrics } from "./obs/live";
import { ExportService } from "./account/export";
import { LinkTokens } from "./auth/mail-tokens";
import { VerifiedEmailGate } from "./auth/email-gate";
import { createMailer } from "./mail/mailer";
import type { Config } from "./config";
import { createApp, type App } from "./http/app";
import { createLogger, type Logger } from "./obs/log";
import { Metrics } from "./obs/metrics";
import { serveMetrics } from "./obs/metrics-endpoint";
import { UserService } from "./social/users";
import { openStore } from "./store/open";
import { reaching, StartupError } from "./startup";
import type { Store } from "./store/store";
import type { Bus } from "./bus/bus";
import { LocalBus } from "./bus/local";
import { RedisBus } from "./bus/redis";
import { PresenceService } from "./social/presence";
import { MemoryPresenceRegistry, RedisPresenceRegistry } from "./social/presence-registry";
import { FriendService } from "./social/friends";
import { ConversationService } from "./chat/conversations";
import { MessageService } from "./chat/messages";
import { Gateway } from "./gateway/gateway";
import { CallService } from "./calls/service";
import { MemoryCallRegistry } from "./calls/registry";
import { RedisCallRegistry } from "./calls/redis-call-registry";
import { IceService } from "./calls/ice";
import { SignalingRelay } from "./calls/signaling";
import { SfuBridge } from "./sfu/bridge";
import type { Sfu } from "./sfu/sfu";
import { SfuPlacement } from "./sfu/placement";
import { JanusSfu } from "./sfu/janus";
import { WeriftSfu } from "./sfu/werift";
import { RoomService } from "./rooms/service";
import { HelloService } from "./hello/service";
import { SearchService } from "./search/service";
import { HelloCache } from "./hello/cache";
import { SpaceService } from "./spaces/service";
import { InviteService } from "./spaces/invites";
import { ImageStore } from "./files/images";
import { DiskFileStore, type FileStore } from "./files/file-store";
import { AttachmentService } from "./chat/attachments";
import type { SocketData } from "./gateway/connection";
import { Limits } from "./limits/limits";
import { LocalMembership, type Membership } from "./cluster/membership";
import { RedisMembership } from "./cluster/redis-membership";
import { takeOver } from "./cluster/takeover";
import { newId } from "../shared/ids";
import { SessionCache } from "./auth/session-cache";

export interface Parley {
  config: Readonly<Config>;
  app: App;
  store: Store;
  bus: Bus;
  /** Sessions and sign-in (tests start sessions through it without a second password hash). */
  auth: AuthService;
  gateway: Gateway;
  attachments: AttachmentService;
  /** Security events (tests prune it on demand). */
  audit: AuditLog;
  /** Scheduled deletions (tests run its sweep on a moved clock). */
  accountDeletion: AccountDeletionService;
  /** Data exports (tests wait for their builds). */
  accountExport: ExportService;
  /** This node's SFU (tests drop a participant's links on it, as a dead transport would). */
  sfu: Sfu;
  log: Logger;
  /**
   * Starts listening (port 0 picks a free port). With `devClient`, Bun serves the client from
   * source with hot reload and everything else goes to the app.
   */
  listen(devClient?: HTMLBundle): Server<SocketData>;
  /** The METRICS_PORT listener once listening, if one is configured. */
  metricsServer(): Server<undefined> | undefined;
  /**
   * Graceful stop (SIGTERM): stop accepting, finish and answer in-flight requests and frames,
   * close sockets with 1012, then close(); bounded by SHUTDOWN_TIMEOUT_MS, after which close()
   * runs anyway. Resolves false when the bound cut the drain short.
   */
  shutdown(): Promise<boolean>;
  close(): Promise<void>;
}

/** `files`: where attachment bytes go — main.ts chooses by config; DATA_DIR/files when left out. */
export async function createParley(config: Readonly<Config>, opts: { staticDir?: string; clock?: () => number; log?: Logger; storePlugins?: KyselyPlugin[]; files?: FileStore } = {}): Promise<Parley> {
  if (config.files.kind !== "disk" && !opts.files) throw new Error(`createParley: config.files is ${config.files.kind} but no FileStore was given`);
  const log = opts.log ?? createLogger(config.logLevel);
  const dbUrl = config.database.kind === "sqlite" ? `sqlite:${config.database.path}` : config.database.url;
  const store = await reaching("DATABASE_URL", dbUrl, () =>
    openStore(config.database, opts.storePlugins, {
      onChange: (down, cause) => (down ? log.warn("PostgreSQL marked down: requests fail with STORE_UNAVAILABLE until a probe gets an answer", { error: String(cause) }) : log.info("PostgreSQL answers again")),
      onHung: (text) => log.warn("PostgreSQL connection hung: its query failed with STORE_UNAVAILABLE and the connection was dropped", { query: text.slice(0, 200) }),
    }),
  );
  const totpBox = new SecretBox(config.totpKey);
  if (!(await totpKeyOpens(store, totpBox))) {
    await store.close();
    throw new StartupError(`TOTP_KEY: does not open the two-factor secrets in the database, sealed under another key. Give every node the same TOTP_KEY (or one shared DATA_DIR holding totp-key); if the key is lost for good, two-factor can only be reset: DELETE FROM totp_factors`);
  }
  const helloCache = new HelloCache(config.helloCacheBytes);
  // Services publish through the cache, so what they change is dropped from it as they announce it.
  const sessions = new SessionCache(opts.clock);
  let busResumed = () => {};
  const bus: Bus = sessions.watch(helloCache.watch(config.redis ? await reaching("REDIS_URL", config.redis.url, () => RedisBus.connect(config.redis!.url, config.redis!.channel, (err) => log.warn("bus event dropped", { error: String(err) }), () => busResumed())) : new LocalBus()));
  const clock = opts.clock ?? Date.now;
  const hasher = new PasswordHasher(config.hashing.concurrency, config.hashing.queue);
  const tokens = new TokenService(config.jwtSecret, config.accessTtlSeconds);
  const audit = new AuditLog(store, config.audit.retentionDays, clock);
  const totp = new TotpService(store, totpBox, hasher, { issuer: `Parley (${new URL(config.publicUrl).host})`, lockout: config.lockout }, audit, clock);
  const auth = new AuthService(store, hasher, tokens, { refreshTtlSeconds: config.refreshTtlSeconds, lockout: config.lockout }, bus, totp, audit, clock, sessions);
  const presenceRegistry = config.redis
    ? await RedisPresenceRegistry.connect(config.redis.url, `${config.redis.channel}:presence`, config.ws.staleSeconds * 1000 * 2)
    : new MemoryPresenceRegistry();
  const presence = new PresenceService(store, bus, presenceRegistry);
  const files = opts.files ?? new DiskFileStore(config.dataDir);
  const images = new ImageStore(files, config.dataDir);
  // Images this node kept on its own disk before they went to the FileStore: every node can serve them from now on.
  void images.migrateLegacy().then(
    (moved) => moved && log.info("moved images from the data directory to the file store", { images: moved }),
    (err) => log.error("moving images to the file store failed", { error: String(err) }),
  );
  const users = new UserService(store, bus, presence, images, clock);
  const conversations = new ConversationService(store, bus, clock);
  const attachments = new AttachmentService(store, files, config.attachments, clock);
  const self = { id: newId(), startedAt: clock(), sfu: config.calls.sfu.kind };
  const membership: Membership = config.redis
    ? await RedisMembership.connect(config.redis.url, `${config.redis.channel}:cluster`, config.cluster, self, (err) => log.warn("membership heartbeat failed", { error: String(err) }))
    : new LocalMembership(self);
  const messages = new MessageService(store, bus, conversations, attachments, clock, config.mail.requireVerification ? new VerifiedEmailGate(store) : undefined, membership);
  const limits = new Limits(config.limits, clock);
  const friends = new FriendService(store, bus, presence, conversations, limits, clock);
  const callRegistry = config.redis ? await RedisCallRegistry.connect(config.redis.url, `${config.redis.channel}:calls`) : new MemoryCallRegistry();
  const calls = new CallService(store, bus, callRegistry, conversations, messages, {
    ringMs: config.calls.ringSeconds * 1000,
    graceMs: config.calls.graceSeconds * 1000,
    meshMax: config.calls.meshMax,
    guestsPerRoom: config.guests.maxPerRoom,
  }, clock, (err) => log.error("call timer failed", { error: String(err) }));
  const ice = new IceService(config.rtc, clock);
  const spaces = new SpaceService(store, bus, presence, images, config.limits.maxSpacesPerUser, clock, calls);
  const invites = new InviteService(store, bus, spaces, presence, clock);
  const sfuEngine: Sfu = config.calls.sfu.kind === "janus" ? new JanusSfu(config.calls.sfu.url) : new WeriftSfu(config.calls.sfu.network);
  const bridge = new SfuBridge(sfuEngine, bus, log, { stepTimeoutMs: config.calls.sfuStepTimeoutMs });
  const sfu = new SfuPlacement(bridge, callRegistry, bus, () => membership.self.id, log);
  // The SFU room follows the call, on the node it is placed on: opened past MESH_MAX, participants in and out, closed at its end.
  calls.watch((change) => void sfu.changed(change).catch((err) => log.error("sfu sync failed", { error: String(err) })));
  const guestTokens = new GuestTokens(config.jwtSecret, config.guests.ttlSeconds);
  const rooms = new RoomService(store, bus, calls, guestTokens, clock);
  const hello = new HelloService(store, presence, spaces, calls, helloCache);
  const search = new SearchService(store);
  const gateway = new Gateway(config, auth, guestTokens, bus, { hello, presence, messages, calls, signaling: new SignalingRelay(callRegistry, bus), sfu, membership }, limits, log);
  // Back from a Redis outage: the events this node missed never reached its sockets nor dropped
  // what they made stale in the hello cache, and a restarted Redis forgot who is online. Every
  // client reconnects (hello registers its presence again, sync brings what it missed).
  busResumed = () => {
    helloCache.invalidate("all");
    log.warn("bus back after an outage; clients reconnect to catch up", { sockets: gateway.connectionCount });
    gateway.restartAll("bus reconnected");
  };
  const oidc = new OidcService(config.oidc, config.publicUrl, config.jwtSecret, store, auth, clock);
  const mailer = createMailer(config, store, log, clock);
  const accountMail = new AccountMailService(store, mailer, new LinkTokens(config.jwtSecret, store, clock), hasher, bus, { publicUrl: config.publicUrl, ...config.mail }, log, audit, clock);
  const accountExport = new ExportService(store, files, images, { ttlHours: config.accounts.exportTtlHours, dataDir: config.dataDir }, log, clock);
  const accountDeletion = new AccountDeletionService(store, bus, hasher, totp, { users, spaces, rooms, conversations, images, audit, exports: accountExport }, { graceHours: config.accounts.deletionGraceHours }, log, clock);
  const ipLimiter = new WindowLimiter(config.authRateLimit.max, config.authRateLimit.windowSeconds * 1000, clock);
  const metrics = new Metrics();
  const live = new LiveMetrics(bus, { connections: () => gateway.connectionCount, activeCalls: () => callRegistry.count() }, metrics, clock);
  const admin = new AdminService({ config, store, bus, audit, mailer, spaces, live, clock });
  const reports = new ReportService(store, conversations, clock);
  const staticDir = opts.staticDir && existsSync(opts.staticDir) ? opts.staticDir : undefined;
  const app = createApp({ config, store, bus, busPeers: [presenceRegistry, callRegistry], auth, users, friends, conversations, messages, ice, spaces, invites, rooms, search, attachments, guestTokens, oidc, totp, accountMail, accountDeletion, accountExport, mailer, audit, admin, reports, ipLimiter, limits, metrics, log, staticDir });
  // Every node sweeps; two sweeping at once delete disjoint rows or nothing.
  const sweeper = setInterval(
    () => void attachments.sweep().catch((err) => log.error("attachment sweep failed", { error: String(err) })),
    Math.min(config.attachments.orphanSeconds * 1000, 10 * 60_000) / 2,
  );
  sweeper.unref();
  const prune = () => void audit.prune().catch((err) => log.error("audit log prune failed", { error: String(err) }));
  const pruner = setInterval(prune, 3600_000);
  pruner.unref();
  prune();
  // Due deletions: every node sweeps, and each account is claimed by exactly one of them.
  const deletionSweeper = setInterval(() => void accountDeletion.sweep().catch((err) => log.error("account deletion sweep failed", { error: String(err) })), 60_000);
  deletionSweeper.unref();
  // Exports a dead node left half-built are taken over here; expired zips are removed.
  const exportSweeper = setInterval(() => void accountExport.sweep().catch((err) => log.error("export sweep failed", { error: String(err) })), 30_000);
  exportSweeper.unref();
  // Grace periods whose timer died with its node (stopped or killed): any node ends them, each call claimed by one.
  const awayEvery = Math.min(Math.max(config.calls.graceSeconds * 500, 500), 5000);
  const awaySweeper = setInterval(() => void calls.sweepAway(awayEvery).catch((err) => log.error("call grace sweep failed", { error: String(err) })), awayEvery);
  awaySweeper.unref();
  // Likewise rings whose timer died with the node that rang, when nobody resumed elsewhere to re-arm them.
  const ringEvery = Math.min(Math.max(config.calls.ringSeconds * 500, 500), 5000);
  const ringSweeper = setInterval(() => void calls.sweepRings(ringEvery).catch((err) => log.error("call ring sweep failed", { error: String(err) })), ringEvery);
  ringSweeper.unref();
  metrics.gauge("parley_ws_connections", () => gateway.connectionCount);

  let server: Server<SocketData> | undefined;
  let metricsServer: Server<undefined> | undefined;
  let closed = false;
  const node: Parley = {
    config,
    app,
    store,
    bus,
    auth,
    gateway,
    attachments,
    audit,
    accountDeletion,
    accountExport,
    sfu: sfuEngine,
    log,
    metricsServer: () => metricsServer,
    listen(devClient) {
      const overloaded = () =>
        new Response(JSON.stringify({ error: { code: "UNAVAILABLE", message: "Server at connection capacity" } }), {
          status: 503,
          headers: { "Content-Type": "application/json", Connection: "close", "Retry-After": "1" },
        });
      const fetch = (req: Request, srv: Server<SocketData>) => {
        const path = new URL(req.url).pathname;
        // Refusing early keeps us clear of the fd limit, where accept() would spin. Health
        // checks are always answered, so a full node is not restarted as a dead one.
        if (path !== "/healthz" && srv.pendingRequests + srv.pendingWebSockets > config.maxConnections) return overloaded();
        if (path === "/ws") return gateway.upgrade(req, srv);
        return app.fetch(req, { ip: srv.requestIP(req)?.address, port: srv.port });
      };
      const routes = devClient
        ? { "/*": devClient, "/api/*": fetch, "/ws": fetch, "/healthz": fetch, "/readyz": fetch, "/metrics": fetch }
        : undefined;
      server = Bun.serve<SocketData>({
        port: config.port,
        hostname: config.host,
        // The app's body limit refuses oversize bodies (declared or streamed) with a JSON error;
        // a cap here would answer first, with a bare 413 and no body. Infinity, not a number:
        // even MAX_SAFE_INTEGER is a cap that a declared 2^53 + 1 passes.
        maxRequestBodySize: Infinity,
        idleTimeout: 30,
        development: devClient ? { hmr: true, console: true } : false,
        routes,
        fetch,
        websocket: gateway.websocket,
      });
      gateway.attach(server);
      void membership.start(`${config.host}:${server.port}`, {
        lost: (lost) => takeOver(lost, { presence, calls, messages, sfu }, log),
        evicted: () => {
          sfu.evicted();
          log.warn("this node was declared dead by the others; its clients reconnect", { node: membership.self.id });
          gateway.restartAll("node evicted");
        },
      });
      metricsServer = serveMetrics(metrics, config.metrics, config.host);
      metrics.gauge("parley_http_pending_requests", () => server?.pendingRequests ?? 0);
      return server;
    },
    async shutdown() {
      const drained = (async () => {
        const stopped = server?.stop(false);
        await gateway.drain();
        await stopped;
        return true;
      })();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const bound = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), config.shutdownTimeoutMs)));
      const complete = await Promise.race([drained, bound]);
      clearTimeout(timer);
      if (!complete) log.warn("shutdown timeout reached; closing with work in flight", { timeoutMs: config.shutdownTimeoutMs });
      await node.close();
      return complete;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      clearInterval(pruner);
      clearInterval(deletionSweeper);
      live.close();
      clearInterval(exportSweeper);
      clearInterval(awaySweeper);
      clearInterval(ringSweeper);
      gateway.close();
      calls.close();
      await sfu.close();
      await membership.close();
      await accountMail.drain();
      await accountExport.drain();
      await mailer.close();
      await server?.stop(true);
      await metricsServer?.stop(true);
      await bus.close();
      await presenceRegistry.close();
      await callRegistry.close();
      await store.close();
    },
  };
  return node;
}
