/** What every route handler can reach: the request's client facts and the caller. */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { z } from "zod";
import { AppError } from "../../shared/errors";
import type { Actor, AuthService, Client } from "../auth/service";
import type { Limits } from "../limits/limits";

/** Bindings passed by main.ts from Bun.serve (the socket's peer address). */
export interface Bindings {
  ip?: string;
  /** The port the server is bound to (PORT may be 0). */
  port?: number;
}

export interface Env {
  Bindings: Bindings;
  Variables: { actor: Actor; client: Client; accessExpiresAt: string; limits: Limits; publicOrigin: string };
}

export type Ctx = Context<Env>;

/**
 * Behind a trusted proxy the client is the rightmost X-Forwarded-For entry, the one our proxy
 * appended; entries to its left come from the client and can say anything.
 */
export function clientOf(c: Ctx, trustProxy: boolean): Client {
  const forwarded = trustProxy ? c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim() : undefined;
  return {
    ip: forwarded || c.env?.ip || "unknown",
    userAgent: c.req.header("user-agent") ?? "unknown",
  };
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The signed-in caller; every write (any method but GET/HEAD) spends one of their write tokens. */
export async function requireActor(c: Ctx, auth: AuthService): Promise<Actor> {
  const { actor, exp } = await auth.authenticateWithExpiry(getCookie(c, "access_token"));
  c.set("actor", actor);
  c.set("accessExpiresAt", new Date(exp * 1000).toISOString());
  if (!READS.has(c.req.method)) c.get("limits").write(actor.userId);
  return actor;
}

/** As requireActor, for a list whose cost grows with the caller's data: spends a read token. */
export async function listingActor(c: Ctx, auth: AuthService): Promise<Actor> {
  const actor = await requireActor(c, auth);
  c.get("limits").read(actor.userId);
  return actor;
}

/** For routes open to visitors: spends a token of the client address's bucket. */
export function anonymousRequest(c: Ctx): void {
  c.get("limits").anonymous(c.get("client").ip);
}

/** Parses a JSON body with a zod schema; failures become VALIDATION_ERROR with field messages. */
export async function parseJson<S extends z.ZodType>(c: Ctx, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("VALIDATION_ERROR", "Body must be JSON");
  }
  return parseWith(schema, raw);
}

export function parseWith<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const fields: Record<string, string> = {};
    for (const issue of r.error.issues) {
      const key = issue.path.join(".") || "_";
      fields[key] ??= issue.message;
    }
    throw new AppError("VALIDATION_ERROR", "Some fields are invalid", { fields });
  }
  return r.data;
}
