/**
 * Schema primitives every wire module builds on (protocol.ts, calls.ts). Kept apart so those
 * modules can import them without importing each other.
 */
import { z } from "zod";
import { nameProblem, normalizeName } from "./names";

/** Text every store can hold: PostgreSQL refuses NUL and lone surrogates, so no input may carry them. */
export const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const Str = () => z.string().refine((s) => !UNSTORABLE.test(s), "Text contains characters that cannot be stored");
export const Id = Str().min(1).max(64);

/** A client frame: `type` plus its payload, and an optional `id` asking for one reply. */
export const frame = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ id: Str().max(64).optional(), type: z.literal(type), ...shape }).strict();

/** Stored normalized (NFKC, spaces collapsed); refused with bidi controls or invisible characters (shared/names.ts). */
export const DisplayName = Str()
  .transform(normalizeName)
  .pipe(z.string().min(1, "Enter a display name").max(64, "At most 64 characters"))
  .superRefine((name, ctx) => {
    const problem = nameProblem(name);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
