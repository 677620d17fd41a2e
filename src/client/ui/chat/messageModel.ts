/** Messages (and the outbox) → what the list draws: day separators, author groups, system lines. */
import { MENTION_EVERYONE, type Message } from "../../../shared/protocol";
import type { Outgoing } from "../../state/chat";

export interface Row {
  key: string;
  /** Set once the server has the message. */
  message?: Message;
  outgoing?: Outgoing;
  content: string;
  createdAt: string;
}

export type Block =
  | { kind: "day"; key: string; label: string }
  | { kind: "group"; key: string; authorId: string; rows: Row[] }
  | { kind: "system"; key: string; message: Message };

/** Consecutive messages by one author within this window share a header. */
const GROUP_WINDOW_MS = 7 * 60 * 1000;

function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function dayLabel(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKey(iso) === dayKey(now.toISOString())) return "Today";
  if (dayKey(iso) === dayKey(yesterday.toISOString())) return "Yesterday";
  return d.toLocaleDateString(undefined, { weekday: "long", year: "numeric", month: "long", day: "numeric" });
}

export function timeOf(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" });
}

/** "Today at 14:03", "Yesterday at 09:12", "12/03/2026 18:40". */
export function stampOf(iso: string, now = new Date()): string {
  const label = dayLabel(iso, now);
  if (label === "Today" || label === "Yesterday") return `${label} at ${timeOf(iso)}`;
  return `${new Date(iso).toLocaleDateString()} ${timeOf(iso)}`;
}

export function buildBlocks(messages: readonly Message[], outbox: readonly Outgoing[], meId: string | null): Block[] {
  const rows: Array<Row & { authorId: string | null; system: boolean }> = [
    ...messages.map((m) => ({ key: m.id, message: m, content: m.content, createdAt: m.createdAt, authorId: m.authorId, system: m.kind === "system" })),
    ...outbox.map((o) => ({ key: `out:${o.clientId}`, outgoing: o, content: o.content, createdAt: o.createdAt, authorId: meId, system: false })),
  ];
  const blocks: Block[] = [];
  let lastDay = "";
  let group: Extract<Block, { kind: "group" }> | null = null;
  let groupAt = 0;
  for (const r of rows) {
    const day = dayKey(r.createdAt);
    if (day !== lastDay) {
      blocks.push({ kind: "day", key: `day:${day}`, label: dayLabel(r.createdAt) });
      lastDay = day;
      group = null;
    }
    if (r.system || !r.authorId) {
      blocks.push({ kind: "system", key: r.key, message: r.message! });
      group = null;
      continue;
    }
    const at = Date.parse(r.createdAt);
    if (group && group.authorId === r.authorId && at - groupAt < GROUP_WINDOW_MS) {
      group.rows.push(r);
    } else {
      group = { kind: "group", key: `g:${r.key}`, authorId: r.authorId, rows: [r] };
      blocks.push(group);
    }
    groupAt = at;
  }
  return blocks;
}

const URL_RE = /(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]])/g;

const EVERYONE_RE = new RegExp(MENTION_EVERYONE, "g");

type Part = { text: string; href?: string; mention?: true };

/** Plain text, with `@everyone` marked when it notified everyone. */
function plain(text: string, everyone: boolean): Part[] {
  if (!everyone) return [{ text }];
  const out: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(EVERYONE_RE)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index) });
    out.push({ text: m[0], mention: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

/** Split text into plain parts, links and (when it notified everyone) `@everyone`. */
export function linkify(text: string, everyone = false): Part[] {
  const out: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    if (m.index > last) out.push(...plain(text.slice(last, m.index), everyone));
    out.push({ text: m[0], href: m[0] });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(...plain(text.slice(last), everyone));
  return out;
}
