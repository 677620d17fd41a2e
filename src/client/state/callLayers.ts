/**
 * Which simulcast layer of each camera to receive in an SFU call, from the size it is drawn at:
 * the smallest layer that still fills its tile, and none for a tile not on screen (another grid
 * page) — unless the picture-in-picture window plays that camera, which then counts as drawn at
 * the window's size. A mesh sends everything, so there this does nothing. A weak downlink is the
 * SFU's call (it drops a lossy subscriber to the lowest layer whatever is asked here).
 */
import type { SfuLayer } from "../../shared/sfu";
import { SIMULCAST_HEIGHT } from "../rtc/local-media";
import { chooseLayer } from "./callController";

/** Layer heights of a camera captured for simulcast: l = ¼, m = ½, h = full (sfu-links.ts). */
const CAMERA_HEIGHT = SIMULCAST_HEIGHT;
const RANK: Record<SfuLayer, number> = { off: 0, low: 1, mid: 2, high: 3 };

/** participant → the layer their grid tile needs. */
const tiles = new Map<string, SfuLayer>();
/** Whose camera the open picture-in-picture window plays, and the layer its size needs. */
let pip: { id: string; layer: SfuLayer } | null = null;

/** The layer a tile `height` device pixels high needs (null: not drawn). */
export function layerForTile(height: number | null): SfuLayer {
  if (height === null || height <= 0) return "off";
  if (height > CAMERA_HEIGHT / 2) return "high";
  if (height > CAMERA_HEIGHT / 4) return "mid";
  return "low";
}

/** What a camera shown in a tile needing `tile` and a picture-in-picture window needing `window` needs: the larger. */
export function layerForBoth(tile: SfuLayer, window: SfuLayer): SfuLayer {
  return RANK[window] > RANK[tile] ? window : tile;
}

/** The layer an open picture-in-picture window `height` device pixels high needs: at least the lowest, whatever size it says it has. */
export function layerForPip(height: number): SfuLayer {
  return layerForBoth(layerForTile(height), "low");
}

const devicePixels = (css: number) => css * (typeof devicePixelRatio === "number" ? devicePixelRatio : 1);

function choose(id: string): void {
  chooseLayer(id, "camera", layerForBoth(tiles.get(id) ?? "off", pip?.id === id ? pip.layer : "off"));
}

/** A participant's tile is drawn `cssHeight` CSS pixels high, or (null) no longer drawn. */
export function tileDrawn(id: string, cssHeight: number | null): void {
  const layer = layerForTile(cssHeight === null ? null : devicePixels(cssHeight));
  if (layer === "off") tiles.delete(id);
  else tiles.set(id, layer);
  choose(id);
}

/** The open picture-in-picture window plays `id`'s camera `cssHeight` CSS pixels high, or (null) no camera: it closed or plays a screen. */
export function pipDrawn(id: string | null, cssHeight: number): void {
  const before = pip;
  pip = id === null ? null : { id, layer: layerForPip(devicePixels(cssHeight)) };
  if (before && before.id !== id) choose(before.id);
  if (id !== null && (before?.id !== id || before.layer !== pip!.layer)) choose(id);
}
