/**
 * Display names nobody can hide behind (issue 15): NFKC-normalized, whitespace collapsed, no
 * bidi controls, no zero-width, format or other invisible characters, and something visible.
 * Pure functions, so the zod schema in protocol.ts, OIDC sign-up and the client share them.
 */

/** Bidi embeddings, overrides, isolates and marks: they reorder what follows them on screen. */
export const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/**
 * Characters that draw nothing: controls, format characters (zero-width space/joiners, word
 * joiner, invisible operators, tags), Unicode's default-ignorables (variation selectors, Hangul
 * fillers) and the blank braille cell.
 */
const INVISIBLE_CLASS = String.raw`\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800`;
const INVISIBLE = new RegExp(`[${INVISIBLE_CLASS}]`, "u");

/** The invisible characters emoji are made of, allowed only inside the emoji they build. */
const EMOJI_GLUE = [
  // ZWJ between pictographs (👩‍💻), optionally after a presentation selector or skin tone.
  String.raw`(?<=\p{Extended_Pictographic}[\u{FE0F}\u{1F3FB}-\u{1F3FF}]?)\u200D(?=\p{Extended_Pictographic})`,
  // Emoji presentation after a pictograph or keycap base (❤️, 1️⃣).
  String.raw`(?<=[\p{Extended_Pictographic}0-9#*])\u{FE0F}`,
  // Subdivision flags: 🏴 + tag letters + cancel tag.
  String.raw`(?<=\u{1F3F4}[\u{E0061}-\u{E007A}]*)[\u{E0061}-\u{E007A}\u{E007F}]`,
].join("|");
const GLUE = new RegExp(EMOJI_GLUE, "gu");
/** Every refused character, with emoji glue captured so that it can be kept. */
const REFUSED_OR_GLUE = new RegExp(`(${EMOJI_GLUE})|[${INVISIBLE_CLASS}\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]`, "gu");

const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** NFKC (ｆｕｌｌｗｉｄｔｈ and 𝐛𝐨𝐥𝐝 letters become plain ones), one space between words, trimmed. */
export function normalizeName(raw: string): string {
  return raw.normalize("NFKC").replace(/\s+/gu, " ").trim();
}

/** Why a normalized name is refused, or null when it is fine. */
export function nameProblem(name: string): string | null {
  if (BIDI_CONTROLS.test(name)) return "Names cannot contain text-direction control characters";
  const bare = name.replace(GLUE, "");
  if (INVISIBLE.test(bare)) return "Names cannot contain invisible characters";
  if (!VISIBLE.test(bare)) return "Names need at least one visible letter, digit or symbol";
  return null;
}

/** A name from elsewhere (an OIDC claim) made acceptable — refused characters dropped, at most `max` UTF-16 units — or null. */
export function cleanName(raw: string, max: number): string | null {
  const name = normalizeName(raw.normalize("NFKC").replace(REFUSED_OR_GLUE, (_m, glue?: string) => glue ?? ""));
  let out = "";
  for (const ch of name) {
    if (out.length + ch.length > max) break;
    out += ch;
  }
  out = out.trim();
  return nameProblem(out) ? null : out;
}
