/**
 * The effective configuration as the admin console shows it: what each setting came to, with
 * every secret left out (keys, tokens, passwords) and URLs that may carry credentials reduced
 * to whether they are set. A new Config field shows here only once added on purpose.
 */
import type { AdminSettings } from "../../shared/admin";
import type { Config } from "../config";

export function safeSettings(c: Readonly<Config>): AdminSettings {
  return {
    instance: { environment: c.env, publicUrl: c.publicUrl, publicUrlSet: c.publicUrlSet, secureCookies: c.secureCookies, trustProxy: c.trustProxy, logLevel: c.logLevel },
    storage: {
      database: c.database.kind,
      databasePoolSize: c.database.kind === "postgres" ? c.database.poolSize : null,
      redis: c.redis !== null,
      files: c.files.kind,
      s3Bucket: c.files.kind === "s3" ? c.files.bucket : null,
      s3Endpoint: c.files.kind === "s3" ? c.files.endpoint : null,
    },
    signIn: {
      oidcProviders: c.oidc.map((p) => `${p.name} (${p.issuer})`),
      accessTtlSeconds: c.accessTtlSeconds,
      refreshTtlSeconds: c.refreshTtlSeconds,
      lockoutThreshold: c.lockout.threshold,
      lockoutSeconds: c.lockout.seconds,
      lockoutAddresses: c.lockout.addresses,
      authRateLimit: c.authRateLimit.max,
      authRateWindowSeconds: c.authRateLimit.windowSeconds,
      auditRetentionDays: c.audit.retentionDays,
    },
    mail: {
      transport: c.mail.smtpUrl ? "smtp" : "outbox",
      from: c.mail.from,
      requireVerification: c.mail.requireVerification,
      hideRegisteredEmails: c.mail.hideRegisteredEmails,
      verifyTtlSeconds: c.mail.verifyTtlSeconds,
      resetTtlSeconds: c.mail.resetTtlSeconds,
      perAccountPerHour: c.mail.perAccountPerHour,
      perAddressPerHour: c.mail.perAddressPerHour,
    },
    limits: {
      maxConnections: c.maxConnections,
      bodyLimitBytes: c.bodyLimitBytes,
      writeRatePerSecond: c.limits.write.ratePerSecond,
      writeBurst: c.limits.write.burst,
      readRatePerSecond: c.limits.read.ratePerSecond,
      readBurst: c.limits.read.burst,
      maxSpacesPerUser: c.limits.maxSpacesPerUser,
      wsMaxPerUser: c.ws.maxPerUser,
      wsRatePerSecond: c.ws.ratePerSecond,
      attachmentMaxBytes: c.attachments.maxBytes,
      attachmentQuotaBytes: c.attachments.quotaBytes,
    },
    calls: {
      sfu: c.calls.sfu.kind,
      meshMax: c.calls.meshMax,
      ringSeconds: c.calls.ringSeconds,
      guestsPerRoom: c.guests.maxPerRoom,
      stunUrls: c.rtc.stunUrls,
      turnUrls: c.rtc.turnUrls,
      forceRelay: c.rtc.forceRelay,
    },
    metrics: { port: c.metrics.port, publicEndpoint: c.metrics.token !== null },
  };
}
