/**
 * Files being attached in a composer: each uploads at once (XMLHttpRequest, for its upload
 * progress), can be cancelled while it goes, retried when it failed, removed once done. The
 * send takes the finished ones; until then they wait here, per conversation.
 */
import { create } from "zustand";
import { MAX_ATTACHMENTS_PER_MESSAGE, type Attachment } from "../../shared/attachments";
import { ApiError, describeError, refreshSession } from "../api";

export interface Upload {
  key: string;
  conversationId: string;
  file: File;
  /** 0..1 of the bytes sent. */
  progress: number;
  status: "uploading" | "done" | "failed";
  attachment?: Attachment;
  error?: string;
}

export const useUploads = create<Record<string, Upload[]>>()(() => ({}));

const requests = new Map<string, XMLHttpRequest>();
let counter = 0;

function patch(key: string, conversationId: string, change: Partial<Upload>): void {
  useUploads.setState((s) => ({ [conversationId]: (s[conversationId] ?? []).map((u) => (u.key === key ? { ...u, ...change } : u)) }));
}

function errorOf(xhr: XMLHttpRequest): ApiError {
  try {
    const { error } = JSON.parse(xhr.responseText) as { error: { code: ApiError["code"]; message: string; details?: unknown } };
    return new ApiError(xhr.status, error.code, error.message, error.details, Number(xhr.getResponseHeader("retry-after")) || undefined);
  } catch {
    return new ApiError(xhr.status, "NETWORK_ERROR", xhr.status ? `Upload failed (${xhr.status})` : "The connection dropped");
  }
}

/** One POST of the file's bytes; resolves with the attachment, rejects with an ApiError (or on cancel, with null). */
function post(u: Upload): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    requests.set(u.key, xhr);
    xhr.open("POST", `/api/attachments?name=${encodeURIComponent(u.file.name)}`);
    xhr.setRequestHeader("accept", "application/json");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) patch(u.key, u.conversationId, { progress: e.loaded / e.total });
    };
    xhr.onload = () => (xhr.status === 201 ? resolve((JSON.parse(xhr.responseText) as { attachment: Attachment }).attachment) : reject(errorOf(xhr)));
    xhr.onerror = () => reject(errorOf(xhr));
    xhr.onabort = () => reject(null);
    xhr.send(u.file);
  });
}

async function start(u: Upload): Promise<void> {
  try {
    let attachment: Attachment;
    try {
      attachment = await post(u);
    } catch (err) {
      // An access token that ran out mid-way: refresh once and send the file again.
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
      await refreshSession();
      attachment = await post(u);
    }
    patch(u.key, u.conversationId, { status: "done", progress: 1, attachment });
  } catch (err) {
    if (err !== null) patch(u.key, u.conversationId, { status: "failed", error: describeError(err) });
  } finally {
    requests.delete(u.key);
  }
}

/** Adds files to the conversation's composer (up to the per-message cap) and starts them. */
export function addFiles(conversationId: string, files: Iterable<File>): void {
  const held = useUploads.getState()[conversationId]?.length ?? 0;
  const fresh = [...files].slice(0, Math.max(0, MAX_ATTACHMENTS_PER_MESSAGE - held)).map((file): Upload => ({ key: `u${++counter}`, conversationId, file, progress: 0, status: "uploading" }));
  if (fresh.length === 0) return;
  useUploads.setState((s) => ({ [conversationId]: [...(s[conversationId] ?? []), ...fresh] }));
  for (const u of fresh) void start(u);
}

/** Cancels an upload under way, or drops a finished or failed one from the message. */
export function removeUpload(conversationId: string, key: string): void {
  requests.get(key)?.abort();
  useUploads.setState((s) => ({ [conversationId]: (s[conversationId] ?? []).filter((u) => u.key !== key) }));
}

export function retryUpload(conversationId: string, key: string): void {
  const u = useUploads.getState()[conversationId]?.find((x) => x.key === key);
  if (!u || u.status !== "failed") return;
  const again = { ...u, status: "uploading" as const, progress: 0, error: undefined };
  patch(key, conversationId, again);
  void start(again);
}

/** The finished uploads, taken out of the composer for a send. */
export function takeAttachments(conversationId: string): Attachment[] {
  const list = useUploads.getState()[conversationId] ?? [];
  useUploads.setState({ [conversationId]: list.filter((u) => u.status !== "done") });
  return list.flatMap((u) => (u.status === "done" && u.attachment ? [u.attachment] : []));
}
