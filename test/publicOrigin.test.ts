/**
 * Absolute links (invites) use PUBLIC_URL when it is set, and otherwise the origin the user is
 * on — the request's Host when it names the port we listen on, or X-Forwarded-Host/-Proto behind
 * a trusted proxy. The Origin check accepts that origin, so a LAN address works without config.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { freePort, registerUser, startNode, type TestNode } from "./support/parley";
import { json } from "./support/spaces";

const nodes: TestNode[] = [];
afterAll(async () => {
  for (const n of nodes) await n.dispose();
});

async function setup(env: Record<string, string>) {
  const node = await startNode(env);
  nodes.push(node);
  const owner = await registerUser(node);
  const { space } = await json(await node.req("/api/spaces", { method: "POST", json: { name: "Links" } }, owner.jar));
  /** The invite link made for a request carrying these headers (and the same link as listed). */
  const link = async (headers: Record<string, string>) => {
    const made = await node.req(`/api/spaces/${space.id}/invites`, { method: "POST", json: {}, headers }, owner.jar);
    expect(made.status).toBe(201);
    const { invite } = await json(made);
    const { invites } = await json(await node.req(`/api/spaces/${space.id}/invites`, { headers }, owner.jar));
    expect(invites.find((i: { code: string }) => i.code === invite.code).url).toBe(invite.url);
    return (invite.url as string).replace(/\/invite\/[^/]+$/, "");
  };
  return { node, owner, link };
}

describe("links without PUBLIC_URL", () => {
  test("an invite link uses the address the user opened Parley at", async () => {
    const port = freePort();
    const { link } = await setup({ PORT: String(port), HOST: "0.0.0.0" });
    expect(await link({ host: `192.168.1.20:${port}` })).toBe(`http://192.168.1.20:${port}`);
    expect(await link({ host: `parley.lan:${port}` })).toBe(`http://parley.lan:${port}`);
  });

  test("a Host that does not name our port or address falls back to http://localhost:PORT", async () => {
    const port = freePort();
    const { link } = await setup({ PORT: String(port), HOST: "127.0.0.1" });
    expect(await link({ host: `localhost:${port}` })).toBe(`http://localhost:${port}`);
    expect(await link({ host: `127.0.0.1:${port}` })).toBe(`http://127.0.0.1:${port}`);
    expect(await link({ host: `192.168.1.20:${port}` })).toBe(`http://localhost:${port}`);
    expect(await link({ host: `127.0.0.1:${port + 1}` })).toBe(`http://localhost:${port}`);
    expect(await link({ host: "evil.example" })).toBe(`http://localhost:${port}`);
    expect(await link({ host: "evil.example/x?" })).toBe(`http://localhost:${port}`);
  });

  test("behind a trusted proxy, X-Forwarded-Host and -Proto name the origin", async () => {
    const { link } = await setup({ TRUST_PROXY: "true" });
    expect(await link({ host: "parley:3000", "x-forwarded-host": "chat.example.org", "x-forwarded-proto": "https" })).toBe("https://chat.example.org");
    // Without TRUST_PROXY the same headers mean nothing.
    const port = freePort();
    const direct = await setup({ PORT: String(port), HOST: "0.0.0.0" });
    expect(await direct.link({ host: `10.0.0.5:${port}`, "x-forwarded-host": "chat.example.org", "x-forwarded-proto": "https" })).toBe(`http://10.0.0.5:${port}`);
  });

  test("the Origin check accepts the user's LAN origin and the proxied one, and still refuses others", async () => {
    const port = freePort();
    const { node, owner } = await setup({ PORT: String(port), HOST: "0.0.0.0" });
    const post = (headers: Record<string, string>) => node.req("/api/spaces", { method: "POST", json: { name: "Via LAN" }, headers }, owner.jar);
    expect((await post({ host: `192.168.1.20:${port}`, origin: `http://192.168.1.20:${port}` })).status).toBe(201);
    expect((await post({ host: `192.168.1.20:${port}`, origin: "http://evil.example" })).status).toBe(403);
    const proxied = await setup({ TRUST_PROXY: "true" });
    const viaProxy = (origin: string) =>
      proxied.node.req("/api/spaces", { method: "POST", json: { name: "Via proxy" }, headers: { host: "parley:3000", "x-forwarded-host": "chat.example.org", "x-forwarded-proto": "https", origin } }, proxied.owner.jar);
    expect((await viaProxy("https://chat.example.org")).status).toBe(201);
    expect((await viaProxy("https://evil.example")).status).toBe(403);
  });
});

describe("links with PUBLIC_URL", () => {
  test("PUBLIC_URL wins over Host and forwarded headers", async () => {
    const { link } = await setup({ PUBLIC_URL: "https://chat.example.com/", TRUST_PROXY: "true" });
    expect(await link({ host: "192.168.1.20:3000" })).toBe("https://chat.example.com");
    expect(await link({ "x-forwarded-host": "other.example", "x-forwarded-proto": "http" })).toBe("https://chat.example.com");
  });
});
