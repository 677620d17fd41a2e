/**
 * Files attached to messages: uploaded first (POST /api/attachments, the body is the file),
 * then named by id in message:send. See docs/PROTOCOL.md "Attachments".
 */
import { z } from "zod";
import { Id } from "./wire";

/** Files one message may carry. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;
export const AttachmentIds = z.array(Id).max(MAX_ATTACHMENTS_PER_MESSAGE, `At most ${MAX_ATTACHMENTS_PER_MESSAGE} files per message`);

/** How a client shows it: images and video inline, audio as a player, anything else as a card. */
export type AttachmentKind = "image" | "video" | "audio" | "file";

export interface Attachment {
  /** Unguessable (128 random bits); the only handle on the file. */
  id: string;
  /** The name it was uploaded under (display and download name only; the type never comes from it). */
  name: string;
  size: number;
  /** Sniffed from the bytes. */
  mime: string;
  kind: AttachmentKind;
  /** Images, and video whose container names it: pixel size, so clients reserve the space before the bytes arrive. */
  width?: number;
  height?: number;
  /** The file itself; `?download` asks for it as a download whatever its type. */
  url: string;
  /** Images: a small WebP at most THUMB_SIZE px on its longer side. */
  thumbUrl?: string;
}

/** Longest side of a thumbnail, in pixels. */
export const THUMB_SIZE = 400;
