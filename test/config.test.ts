import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../src/server/config";

const withDir = <T>(fn: (dir: string) => T): T => {
  const dir = mkdtempSync(join(tmpdir(), "parley-config-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

describe("config", () => {
  test("no configuration at all gives SQLite under the data dir on port 3000", () =>
    withDir((dir) => {
      const c = loadConfig({ DATA_DIR: dir });
      expect(c.port).toBe(3000);
      expect(c.database).toEqual({ kind: "sqlite", path: join(dir, "parley.db") });
      expect(c.publicUrl).toBe("http://localhost:3000");
      expect(c.secureCookies).toBe(false);
      expect(c.oidc).toEqual([]);
      expect(Object.isFrozen(c)).toBe(true);
    }));

  test("the signing secret is generated once and kept in the data directory", () =>
    withDir((dir) => {
      const first = loadConfig({ DATA_DIR: dir }).jwtSecret;
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(readFileSync(join(dir, "jwt-secret"), "utf8").trim()).toBe(first);
      expect(loadConfig({ DATA_DIR: dir }).jwtSecret).toBe(first);
    }));

  test("a bad value fails fast with a message naming the variable", () =>
    withDir((dir) => {
      expect(() => loadConfig({ DATA_DIR: dir, PORT: "eighty" })).toThrow(/PORT/);
      expect(() => loadConfig({ DATA_DIR: dir, DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
      expect(() => loadConfig({ DATA_DIR: dir, JWT_SECRET: "short" })).toThrow(/JWT_SECRET/);
      expect(() => loadConfig({ DATA_DIR: dir, LOG_LEVEL: "loud" })).toThrow(ConfigError);
    }));

  test("OIDC settings must come together; Google is recognised by its issuer", () =>
    withDir((dir) => {
      expect(() => loadConfig({ DATA_DIR: dir, OIDC_ISSUER: "https://accounts.google.com" })).toThrow(/OIDC_CLIENT_ID/);
      const c = loadConfig({ DATA_DIR: dir, OIDC_ISSUER: "https://accounts.google.com", OIDC_CLIENT_ID: "id", OIDC_CLIENT_SECRET: "s" });
      expect(c.oidc[0]).toMatchObject({ id: "google", name: "Google" });
    }));

  test("a node is declared dead after 5 s without its 1 s heartbeat; the bound must leave room for a late heartbeat", () =>
    withDir((dir) => {
      expect(loadConfig({ DATA_DIR: dir }).cluster).toEqual({ heartbeatMs: 1000, deadMs: 5000 });
      expect(loadConfig({ DATA_DIR: dir, NODE_HEARTBEAT_MS: "250", NODE_DEAD_MS: "1500" }).cluster).toEqual({ heartbeatMs: 250, deadMs: 1500 });
      expect(() => loadConfig({ DATA_DIR: dir, NODE_HEARTBEAT_MS: "1000", NODE_DEAD_MS: "1500" })).toThrow(/NODE_DEAD_MS/);
    }));

  test("a socket may fall 8 MiB behind by default (WS_BACKPRESSURE_LIMIT_BYTES, at least 64 KiB) before it is closed", () =>
    withDir((dir) => {
      expect(loadConfig({ DATA_DIR: dir }).ws.backpressureLimitBytes).toBe(8 * 1024 * 1024);
      expect(loadConfig({ DATA_DIR: dir, WS_BACKPRESSURE_LIMIT_BYTES: "65536" }).ws.backpressureLimitBytes).toBe(65536);
      expect(() => loadConfig({ DATA_DIR: dir, WS_BACKPRESSURE_LIMIT_BYTES: "4096" })).toThrow(/WS_BACKPRESSURE_LIMIT_BYTES/);
    }));

  test("the embedded SFU is the default; SFU=janus needs JANUS_URL", () =>
    withDir((dir) => {
      expect(loadConfig({ DATA_DIR: dir }).calls.sfu).toEqual({ kind: "embedded", network: {} });
      expect(() => loadConfig({ DATA_DIR: dir, SFU: "janus" })).toThrow(/JANUS_URL/);
      expect(() => loadConfig({ DATA_DIR: dir, SFU: "mediasoup" })).toThrow(/SFU/);
      const c = loadConfig({ DATA_DIR: dir, SFU: "janus", JANUS_URL: "http://10.0.0.5:8088/janus" });
      expect(c.calls.sfu).toEqual({ kind: "janus", url: "http://10.0.0.5:8088/janus" });
    }));

  test("the embedded SFU announces SFU_ANNOUNCED_IP (an IPv4 address) and binds SFU_PORT_RANGE (low-high within 1024–65535)", () =>
    withDir((dir) => {
      expect(loadConfig({ DATA_DIR: dir, SFU_ANNOUNCED_IP: "203.0.113.7", SFU_PORT_RANGE: "40000-40199" }).calls.sfu).toEqual({ kind: "embedded", network: { announcedIp: "203.0.113.7", portRange: [40000, 40199] } });
      expect(() => loadConfig({ DATA_DIR: dir, SFU_ANNOUNCED_IP: "node-a.example" })).toThrow(/SFU_ANNOUNCED_IP/);
      expect(() => loadConfig({ DATA_DIR: dir, SFU_PORT_RANGE: "40199-40000" })).toThrow(/SFU_PORT_RANGE/);
      expect(() => loadConfig({ DATA_DIR: dir, SFU_PORT_RANGE: "80-90" })).toThrow(/SFU_PORT_RANGE/);
    }));

  test("attachments live on disk by default; S3_BUCKET with both keys selects a bucket, and a partial set fails fast", () =>
    withDir((dir) => {
      expect(loadConfig({ DATA_DIR: dir }).files).toEqual({ kind: "disk" });
      const keys = { S3_ACCESS_KEY_ID: "id", S3_SECRET_ACCESS_KEY: "secret" };
      expect(() => loadConfig({ DATA_DIR: dir, S3_BUCKET: "b" })).toThrow(/S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY/);
      expect(() => loadConfig({ DATA_DIR: dir, S3_ENDPOINT: "http://127.0.0.1:9000" })).toThrow(/S3_ENDPOINT/);
      expect(loadConfig({ DATA_DIR: dir, S3_BUCKET: "b", ...keys }).files).toEqual({ kind: "s3", bucket: "b", endpoint: null, region: null, accessKeyId: "id", secretAccessKey: "secret" });
      const c = loadConfig({ DATA_DIR: dir, S3_BUCKET: "b", S3_ENDPOINT: "http://127.0.0.1:9000", S3_REGION: "eu-west-1", ...keys });
      expect(c.files).toMatchObject({ endpoint: "http://127.0.0.1:9000", region: "eu-west-1" });
    }));

  test("an https PUBLIC_URL makes cookies Secure; postgres URLs select PostgreSQL with a pool of DATABASE_POOL_SIZE (10 by default) and DATABASE_TIMEOUT_MS (5000 by default)", () =>
    withDir((dir) => {
      const c = loadConfig({ DATA_DIR: dir, PUBLIC_URL: "https://chat.example.com/", DATABASE_URL: "postgres://u@h/db" });
      expect(c.secureCookies).toBe(true);
      expect(c.publicUrl).toBe("https://chat.example.com");
      expect(c.database).toEqual({ kind: "postgres", url: "postgres://u@h/db", poolSize: 10, timeoutMs: 5000 });
      expect(loadConfig({ DATA_DIR: dir, DATABASE_URL: "postgres://u@h/db", DATABASE_POOL_SIZE: "8", DATABASE_TIMEOUT_MS: "2000" }).database).toEqual({ kind: "postgres", url: "postgres://u@h/db", poolSize: 8, timeoutMs: 2000 });
    }));

  test("the connection cap stays below the open-file limit", () =>
    withDir((dir) => {
      const c = loadConfig({ DATA_DIR: dir });
      const limits = readFileSync("/proc/self/limits", "utf8");
      const soft = Number(limits.split("\n").find((l) => l.startsWith("Max open files"))!.split(/\s{2,}/)[1]);
      expect(c.maxConnections).toBeLessThan(soft);
    }));
});
