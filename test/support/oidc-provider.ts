/**
 * A real OpenID provider (the `oidc-provider` package) for end-to-end sign-in tests.
 *
 * Run as a script it serves one provider on 127.0.0.1 (a free port), configured from the
 * OIDC_TEST_PROVIDER env var (JSON), and prints `OIDC_PROVIDER_READY <issuer>` when it is
 * listening. Imported, `startOidcProvider()` spawns that script in its own process (so the
 * provider's Koa stack and key material never share a runtime with the Parley node under
 * test) and waits for discovery to answer.
 *
 * Sign-in uses oidc-provider's development login form, which accepts any login name and
 * password: the login typed picks the identity (`carol` → sub "carol", carol@example.org;
 * a login containing "@" is used as the email itself). Consent is granted automatically.
 */
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";

/** Claims released for an account; `accounts` in the options override them per login. */
export interface TestAccountClaims {
  sub: string;
  email: string;
  email_verified: boolean;
  name: string;
  preferred_username: string;
}

export interface OidcProviderOptions {
  /** The relying party's callback, registered as the client's only redirect URI. */
  redirectUri: string;
  /** Per-login overrides of the derived claims, keyed by the login name typed in the form. */
  accounts?: Record<string, Partial<TestAccountClaims>>;
  clientId?: string;
  clientSecret?: string;
}

export interface OidcProviderHandle {
  issuer: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

const READY = "OIDC_PROVIDER_READY ";
const CONFIG_ENV = "OIDC_TEST_PROVIDER";
const debug = Boolean(process.env.DEBUG);

/** The claims for a login name: the login is the subject, the email is derived from it. */
export function claimsForLogin(login: string, accounts: OidcProviderOptions["accounts"] = {}): TestAccountClaims {
  const local = login.includes("@") ? login.split("@")[0]! : login;
  return {
    sub: login,
    email: login.includes("@") ? login : `${login}@example.org`,
    email_verified: true,
    name: local.charAt(0).toUpperCase() + local.slice(1),
    preferred_username: local,
    ...accounts[login],
  };
}

export async function startOidcProvider(opts: OidcProviderOptions): Promise<OidcProviderHandle> {
  const config: Required<OidcProviderOptions> = {
    redirectUri: opts.redirectUri,
    accounts: opts.accounts ?? {},
    clientId: opts.clientId ?? "parley-test",
    clientSecret: opts.clientSecret ?? randomBytes(24).toString("hex"),
  };
  // The caller runs under Bun (bun test), whose binary runs this TypeScript file directly.
  const child = Bun.spawn([process.execPath, import.meta.path], {
    env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) },
    // stdin stays open: the child exits when it closes, so a crashed test run leaves no orphan.
    stdin: "pipe",
    stdout: "pipe",
    stderr: debug ? "inherit" : "pipe",
  });
  const stderr = debug ? Promise.resolve("") : new Response(child.stderr as ReadableStream).text();

  const stop = async () => {
    child.kill();
    await child.exited;
  };
  try {
    const issuer = await readReadyLine(child.stdout, child.exited);
    await waitForDiscovery(issuer);
    return { issuer, clientId: config.clientId, clientSecret: config.clientSecret, stop };
  } catch (err) {
    await stop();
    const detail = await Promise.race([stderr, Bun.sleep(500).then(() => "")]);
    throw new Error(`OIDC provider did not start: ${(err as Error).message}${detail ? `\n${detail}` : ""}`);
  }
}

/** Reads the child's stdout until the ready line; keeps draining it afterwards. */
async function readReadyLine(stdout: ReadableStream<Uint8Array>, exited: Promise<number>): Promise<string> {
  const reader = stdout.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out waiting for the ready line")), 15_000);
  });
  const died = exited.then((code): never => {
    throw new Error(`exited with code ${code}`);
  });
  try {
    for (;;) {
      const { value, done } = await Promise.race([reader.read(), deadline, died]);
      if (done) throw new Error("closed its stdout before it was ready");
      buffered += decoder.decode(value, { stream: true });
      const line = buffered.split("\n").find((l) => l.startsWith(READY));
      if (line) {
        // Drain the rest so a chatty child never blocks on a full pipe.
        void (async () => {
          while (!(await reader.read().catch(() => ({ done: true }))).done);
        })();
        return line.slice(READY.length).trim();
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

async function waitForDiscovery(issuer: string): Promise<void> {
  const url = `${issuer}/.well-known/openid-configuration`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await Bun.sleep(100);
  }
  throw new Error(`${url} never answered`);
}

/** Minimal shape of the parts of oidc-provider used here (the package ships no types). */
interface ProviderLike {
  callback(): (req: unknown, res: unknown) => void;
  use(fn: (ctx: { type: string; body: unknown }, next: () => Promise<void>) => Promise<void>): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
}
type ProviderClass = new (issuer: string, configuration: object) => ProviderLike;

interface GrantLike {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
interface InteractionCtx {
  oidc: {
    result?: { consent?: { grantId?: string } };
    session: { accountId: string; grantIdFor(clientId: string): string | undefined };
    client: { clientId: string };
    provider: { Grant: { find(id: string): Promise<GrantLike | undefined> } & (new (init: object) => GrantLike) };
  };
}

async function serve(config: Required<OidcProviderOptions>): Promise<void> {
  if (!debug) {
    // oidc-provider prints development-mode warnings through console; keep test output clean.
    for (const m of ["log", "info", "warn", "error", "debug"] as const) console[m] = () => {};
  }
  // A bare specifier in a variable: the package has no type declarations to resolve.
  const pkg = "oidc-provider";
  const { default: Provider } = (await import(pkg)) as { default: ProviderClass };

  // Listen first: the issuer URL must carry the port the OS picked.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: config.clientId,
        client_secret: config.clientSecret,
        redirect_uris: [config.redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        // openid-client's default when a secret is given.
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    pkce: { required: () => true },
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "preferred_username"],
    },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    async findAccount(_ctx: unknown, id: string) {
      const claims = claimsForLogin(id, config.accounts);
      return { accountId: id, claims: async () => claims };
    },
    // First-party client: grant the requested scopes without a consent screen.
    async loadExistingGrant(ctx: InteractionCtx) {
      const { Grant } = ctx.oidc.provider;
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return Grant.find(grantId);
      const grant = new Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
  });

  // The dev login page @imports a web font; tests (and browsers in CI) may be offline.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.type === "text/html" && typeof ctx.body === "string") ctx.body = ctx.body.replace(/@import url\([^)]*\);?/g, "");
  });
  if (debug) {
    for (const ev of ["server_error", "authorization.error", "grant.error", "userinfo.error", "end_session.error"]) {
      provider.on(ev, (...args) => process.stderr.write(`oidc-provider ${ev}: ${String(args.at(-1))}\n`));
    }
  }
  server.on("request", provider.callback());

  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
  process.stdout.write(`${READY}${issuer}\n`);
}

if (import.meta.main) {
  const raw = process.env[CONFIG_ENV];
  if (!raw) {
    process.stderr.write(`${CONFIG_ENV} (JSON options) is required\n`);
    process.exit(2);
  }
  await serve(JSON.parse(raw) as Required<OidcProviderOptions>);
}
