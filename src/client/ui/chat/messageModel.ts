/** Messages (and the outbox) → what the list draws: day separators, author groups, system lines. */
import type { Message } from "../../../shared/protocol";
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
  | { kind: "system"; key: string; message: Message }
  | { kind: "unread"; key: string };

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

/** `unreadId`: the "New messages" divider goes above this message (which starts a new group). */
export function buildBlocks(messages: readonly Message[], outbox: readonly Outgoing[], meId: string | null, unreadId?: string | null): Block[] {
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
    if (unreadId && r.key === unreadId) {
      blocks.push({ kind: "unread", key: "unread" });
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
