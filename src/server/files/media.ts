/**
 * Images are decoded once at upload (sharp, libvips): the decode proves the bytes are the image
 * their signature claims (a polyglot that is not fails and becomes a plain download), gives the
 * pixel size clients reserve, and makes a small WebP thumbnail. Video (MP4, WebM) is not decoded:
 * its container's headers are read (music-metadata) for the frame size clients reserve.
 */
import { parseBuffer } from "music-metadata";
import sharp from "sharp";
import { THUMB_SIZE } from "../../shared/attachments";

export interface ImageFacts {
  width: number;
  height: number;
  thumbnail: Uint8Array;
}

/** Larger images are not decoded (a decompression bomb costs memory in proportion to pixels). */
const MAX_PIXELS = 50_000_000;

export async function probeImage(bytes: Uint8Array): Promise<ImageFacts | null> {
  try {
    const image = sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: "error" });
    const meta = await image.metadata();
    if (!meta.width || !meta.height) return null;
    // EXIF orientation 5–8 turns the picture a quarter: the shown width is the stored height.
    const turned = (meta.orientation ?? 1) >= 5;
    const thumbnail = await sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: "error", animated: false })
      .rotate()
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: "inside", withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    return { width: turned ? meta.height : meta.width, height: turned ? meta.width : meta.height, thumbnail: new Uint8Array(thumbnail) };
  } catch {
    return null;
  }
}

/** The coded frame size of a video's first video track, or null when the container says none. */
export async function probeVideo(bytes: Uint8Array, mime: string): Promise<{ width: number; height: number } | null> {
  try {
    const { format } = await parseBuffer(bytes, { mimeType: mime, size: bytes.length }, { skipCovers: true, duration: false });
    const video = format.trackInfo.find((t) => t.video?.pixelWidth && t.video.pixelHeight)?.video;
    return video ? { width: video.pixelWidth!, height: video.pixelHeight! } : null;
  } catch {
    return null;
  }
}
