/**
 * docker-compose.yml, read as YAML (no container engine runs here): the services a deployment
 * needs are there, every Parley node's environment is one the config schema knows and accepts,
 * and the nodes agree on what they must share; docs/DEPLOY.md names only settings that exist and
 * gives commands that work as written.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EnvSchema, loadConfig, type Config } from "../src/server/config";
import { ERROR_CODES } from "../src/shared/errors";

const root = join(import.meta.dir, "..");
const compose = Bun.YAML.parse(await Bun.file(join(root, "docker-compose.yml")).text()) as {
  services: Record<string, { image?: string; build?: unknown; environment?: Record<string, string>; depends_on?: unknown; stop_grace_period?: string; healthcheck?: { test: string[] }; ports?: string[]; command?: string[] }>;
};
const example = Object.fromEntries(
  (await Bun.file(join(root, "deploy/example.env")).text())
    .split("\n")
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
);
/** Compose's ${VAR}, ${VAR:-default} and ${VAR:?error}, filled from deploy/example.env. */
const interpolate = (v: string) =>
  v.replace(/\$\{([A-Z_]+)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, rest?: string) => example[name] ?? (op === "-" ? rest! : ""));
const nodes = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

/** A node's config as loadConfig reads its compose environment. */
function configOf(service: { environment?: Record<string, string> }): Config {
  const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
  const dir = mkdtempSync(join(tmpdir(), "parley-compose-"));
  try {
    return loadConfig({ ...env, DATA_DIR: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("docker-compose.yml", () => {
  test("has two Parley nodes, Caddy, PostgreSQL, Redis and coturn", () => {
    expect(nodes.map(([name]) => name).sort()).toEqual(["parley1", "parley2"]);
    const images = Object.values(compose.services).map((s) => s.image?.split(":")[0]);
    expect(images).toEqual(expect.arrayContaining(["caddy", "postgres", "redis", "coturn/coturn"]));
  });

  test("every node's environment names only variables of the config schema, and loadConfig accepts it", () => {
    const known = new Set(Object.keys(EnvSchema.shape));
    for (const [, service] of nodes) {
      expect(Object.keys(service.environment ?? {}).filter((k) => !known.has(k))).toEqual([]);
      const config = configOf(service);
      expect(config.database.kind).toBe("postgres");
      expect(config.redis?.url).toBe("redis://redis:6379");
      expect(config.trustProxy).toBe(true);
      expect(config.publicUrl).toBe(`https://${example.PARLEY_DOMAIN}`);
      expect(config.rtc.turnSecret).toBe(example.TURN_SECRET!);
      // Docker must wait out the drain before it kills a node.
      expect(Number.parseInt(service.stop_grace_period ?? "10s") * 1000).toBeGreaterThan(config.shutdownTimeoutMs);
      expect(service.healthcheck?.test.join(" ")).toContain("/readyz");
    }
  });

  test("the nodes share database, Redis channel, signing key and upload storage, and Caddy balances over both with WebSocket upgrades passed through", async () => {
    const [[, a], [, b]] = nodes as [[string, { environment: Record<string, string> }], [string, { environment: Record<string, string> }]];
    for (const key of ["DATABASE_URL", "REDIS_URL", "REDIS_CHANNEL", "JWT_SECRET", "PUBLIC_URL", "TURN_SECRET", "DATA_DIR"]) expect(a.environment[key]).toBe(b.environment[key]!);
    // Uploads written through one node are served by the other.
    expect((a as { volumes?: string[] }).volumes).toEqual((b as { volumes?: string[] }).volumes!);
    const caddyfile = await Bun.file(join(root, "deploy/Caddyfile")).text();
    // reverse_proxy passes Upgrade: websocket through by itself; no extra directive is needed.
    expect(caddyfile).toMatch(/reverse_proxy parley1:3000 parley2:3000/);
    expect(caddyfile).toContain("health_uri /readyz");
  });

  test("each node publishes its own embedded-SFU UDP range on the host unchanged, apart from the other's and coturn's, and announces the host's address", () => {
    const ranges = nodes.map(([, service]) => {
      const sfu = configOf(service).calls.sfu;
      if (sfu.kind !== "embedded") throw new Error("the compose file's default SFU is the embedded one");
      expect(sfu.network.announcedIp).toBe(example.PUBLIC_IP!);
      const [lo, hi] = sfu.network.portRange!;
      // werift offers the port it bound: the host port must be the same one.
      expect(service.ports).toContain(`${lo}-${hi}:${lo}-${hi}/udp`);
      return [lo, hi] as const;
    });
    const flag = (name: string) => Number(compose.services.coturn!.command!.find((c) => c.startsWith(`--${name}=`))!.split("=")[1]);
    const all = [...ranges, [flag("min-port"), flag("max-port")] as const].sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < all.length; i++) expect(all[i]![0]).toBeGreaterThan(all[i - 1]![1]);
  });
});

describe("docs/DEPLOY.md", () => {
  const deploy = Bun.file(join(root, "docs/DEPLOY.md")).text();

  test("every setting it names is one the config schema reads, or one of .env's for the compose file (or an error code the API answers)", async () => {
    const named = new Set([...(await deploy).matchAll(/`([A-Z][A-Z0-9_]{2,})(?:`|=)/g)].map((m) => m[1]!));
    const known = new Set<string>([...Object.keys(EnvSchema.shape), ...Object.keys(example), ...ERROR_CODES]);
    expect(named.size).toBeGreaterThan(20);
    expect([...named].filter((name) => !known.has(name))).toEqual([]);
  });

  test("every docker compose exec whose output or input is redirected runs without a terminal (-T), which would mangle a binary dump", async () => {
    const execs = [...(await deploy).matchAll(/docker compose exec [^`]*/g)].map((m) => m[0]);
    expect(execs.length).toBeGreaterThan(0);
    for (const cmd of execs.filter((c) => /[<>|]/.test(c))) expect(cmd).toMatch(/^docker compose exec -T /);
  });

  test("the upgrade procedure names every migration that removes or renames a column or table, which a rolling upgrade cannot pass", async () => {
    const dir = join(root, "src/server/store/migrations");
    const breaking: string[] = [];
    for (const name of readdirSync(dir).filter((f) => /^\d{4}_/.test(f)).sort()) {
      const text = await Bun.file(join(dir, name)).text();
      const down = text.indexOf("export async function down");
      const up = text.slice(text.indexOf("export async function up"), down < 0 ? undefined : down);
      if (/\.(dropColumn|renameColumn|dropTable|renameTo)\(/.test(up)) breaking.push(name.slice(0, 4));
    }
    const named = (await deploy).match(/removes or renames a column or a table\s+\(([^)]*) did\)/)?.[1];
    expect([...(named?.match(/\d{4}/g) ?? [])]).toEqual(breaking);
  });
});
