/**
 * The emoji picker's model over the real data set (@emoji-mart/data): what the picker's category
 * tabs and sections are drawn from, and what its search box shows. The browser side (skin tones,
 * recents across a reload) is test/e2e/emojiPicker.test.ts.
 */
import { expect, test } from "bun:test";
import { loadEmoji } from "../src/client/state/emoji";
import { CATEGORY_ICON, CATEGORY_LABEL, sections } from "../src/client/ui/chat/emoji/pickerModel";

test("recents come first, then every category of the data set, each with its label, its tab's icon and its emoji", async () => {
  const index = await loadEmoji();
  const list = sections(index, "", ["tada", "+1", "no_such_emoji"]);
  expect(list[0]).toMatchObject({ id: "recent", label: "Frequently used" });
  expect(list[0]!.emojis.map((e) => e.id)).toEqual(["tada", "+1"]);
  const categories = list.slice(1);
  expect(categories.map((s) => s.id)).toEqual(index.data.categories.map((c) => c.id));
  expect(categories.length).toBeGreaterThanOrEqual(8);
  for (const s of categories) {
    expect(s.label).toBe(CATEGORY_LABEL[s.id]!);
    expect(CATEGORY_ICON[s.id]).toBeDefined();
    expect(s.emojis.length).toBeGreaterThan(0);
  }
  expect(sections(index, "", [])[0]!.id).not.toBe("recent");
});

test("a search is one section of matches: names starting with the query first, then keywords; colons are ignored", async () => {
  const index = await loadEmoji();
  const [pizza, ...rest] = sections(index, "pizz", []);
  expect(rest).toEqual([]);
  expect(pizza!.id).toBe("search");
  expect(pizza!.emojis[0]!.id).toBe("pizza");
  expect(sections(index, ":tada:", [])[0]!.emojis[0]!.id).toBe("tada");
  // "celebration" is a keyword of 🎉, not its name.
  expect(sections(index, "celebration", [])[0]!.emojis.map((e) => e.id)).toContain("tada");
  expect(sections(index, "zzzzqqq", [])[0]!.emojis).toEqual([]);
});
