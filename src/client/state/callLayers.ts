/**
 * Which simulcast layer of each camera to receive in an SFU call, from the size its tile is
 * drawn at: the smallest layer that still fills it, and none for a tile not on screen (another
 * grid page). A mesh sends everything, so there this does nothing. A weak downlink is the SFU's
 * call (it drops a lossy subscriber to the lowest layer whatever is asked here).
 */
import type { SfuLayer } from "../../shared/sfu";
import { SIMULCAST_HEIGHT } from "../rtc/local-media";
import { chooseLayer } from "./callController";

/** Layer heights of a camera captured for simulcast: l = ¼, m = ½, h = full (sfu-links.ts). */
const CAMERA_HEIGHT = SIMULCAST_HEIGHT;

/** The layer a tile `height` device pixels high needs (null: not drawn). */
export function layerForTile(height: number | null): SfuLayer {
  if (height === null || height <= 0) return "off";
  if (height > CAMERA_HEIGHT / 2) return "high";
  if (height > CAMERA_HEIGHT / 4) return "mid";
  return "low";
}

/** A participant's tile is drawn `cssHeight` CSS pixels high, or (null) no longer drawn. */
export function tileDrawn(id: string, cssHeight: number | null): void {
  const ratio = typeof devicePixelRatio === "number" ? devicePixelRatio : 1;
  chooseLayer(id, "camera", layerForTile(cssHeight === null ? null : cssHeight * ratio));
}
