/**
 * Look-alike names: where two people in one conversation or space have names that look the
 * same (Unicode TR39 skeletons over the confusables table that `unhomoglyph` ships), the
 * client shows both with their @username. Skeletons are memoized per name, so comparing a
 * member list costs a few Map lookups per member.
 */
import unhomoglyph from "unhomoglyph";
import type { PublicUser } from "../../../shared/protocol";

const IGNORED = /[\s\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;
const MEMO_LIMIT = 5000;
const memo = new Map<string, string>();

/** TR39 skeleton: NFD, each character to its prototype, NFD again (after NFKC and dropping spaces and invisibles). */
export function skeleton(text: string): string {
  let s = memo.get(text);
  if (s === undefined) {
    s = unhomoglyph(text.normalize("NFKC").replace(IGNORED, "").normalize("NFD")).normalize("NFD");
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, s);
  }
  return s;
}

/**
 * Case-blind keys of a name: the skeleton lowercased ("Ian" ~ "lan": I and l share a
 * prototype) and the skeleton of the lowercased name ("Mike" ~ "rnike" ~ "mike").
 */
function keys(name: string): string[] {
  return [skeleton(name).toLowerCase(), skeleton(name.toLowerCase())];
}

type Person = Pick<PublicUser, "id" | "username" | "displayName">;

/** Ids of the people whose display name looks like another person's display name or username. */
export function lookalikes(people: readonly Person[]): Set<string> {
  const holders = new Map<string, Set<string>>();
  for (const p of people) {
    for (const key of [...keys(p.displayName), ...keys(p.username)]) {
      const ids = holders.get(key) ?? new Set<string>();
      ids.add(p.id);
      holders.set(key, ids);
    }
  }
  const out = new Set<string>();
  for (const ids of holders.values()) if (ids.size > 1) for (const id of ids) out.add(id);
  return out;
}
