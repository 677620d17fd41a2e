/** The call grid's layout rules: shape by count, and paging past nine tiles. */
import { describe, expect, test } from "bun:test";
import { layerForBoth, layerForPip, layerForTile } from "../src/client/state/callLayers";
import { PAGE_SIZE, gridShape, pageCount, pageSlice } from "../src/client/ui/call/gridLayout";

describe("call grid layout", () => {
  test("the grid adapts to the count: 1, 2, 3–4, 5–6 and 7–9 tiles", () => {
    const shapes = [1, 2, 3, 4, 5, 6, 7, 9].map((n) => [n, gridShape(n)] as const);
    expect(shapes).toEqual([
      [1, { cols: 1, rows: 1 }],
      [2, { cols: 2, rows: 1 }],
      [3, { cols: 2, rows: 2 }],
      [4, { cols: 2, rows: 2 }],
      [5, { cols: 3, rows: 2 }],
      [6, { cols: 3, rows: 2 }],
      [7, { cols: 3, rows: 3 }],
      [9, { cols: 3, rows: 3 }],
    ]);
  });

  test("a phone stacks two tiles and shows more two abreast", () => {
    expect(gridShape(2, true)).toEqual({ cols: 1, rows: 2 });
    expect(gridShape(5, true)).toEqual({ cols: 2, rows: 3 });
  });

  test("past nine tiles the grid pages, and a page out of range is clamped", () => {
    const ids = Array.from({ length: 12 }, (_, i) => `u${i}`);
    expect(PAGE_SIZE).toBe(9);
    expect(pageCount(12)).toBe(2);
    expect(pageSlice(ids, 0).items).toHaveLength(9);
    expect(pageSlice(ids, 1)).toEqual({ items: ["u9", "u10", "u11"], page: 1 });
    expect(pageSlice(ids, 5).page).toBe(1);
    expect(pageSlice([], 3)).toEqual({ items: [], page: 0 });
  });
});

describe("camera layer per tile (SFU calls)", () => {
  test("a tile receives the smallest simulcast layer that fills its height, and none when not drawn", () => {
    const heights = [null, 0, 120, 180, 181, 360, 361, 1080] as const;
    expect(heights.map((h) => layerForTile(h))).toEqual(["off", "off", "low", "low", "mid", "mid", "high", "high"]);
  });

  test("a camera in the picture-in-picture window is received at least at the lowest layer, and at the larger of what its tile and the window need", () => {
    expect([0, 60, 200, 400].map((h) => layerForPip(h))).toEqual(["low", "low", "mid", "high"]);
    expect(layerForBoth("off", "low")).toBe("low");
    expect(layerForBoth("high", "low")).toBe("high");
    expect(layerForBoth("mid", "off")).toBe("mid");
  });
});
