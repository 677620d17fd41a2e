/** In-call chat over the main peer connection's data channel: peer to peer, never stored anywhere. */
import { Emitter } from "./emitter";
import type { ChatLine } from "./types";

export const MAX_CHAT_LENGTH = 2000;

export class CallChat {
  readonly events = new Emitter<{ open: boolean; line: ChatLine }>();
  #channel: RTCDataChannel | null = null;
  #seq = 0;

  /** Negotiated with a fixed id on both sides, so neither has to wait for the other to announce it. */
  attach(pc: RTCPeerConnection): void {
    const dc = pc.createDataChannel("chat", { negotiated: true, id: 0 });
    this.#channel = dc;
    this.events.emit("open", false);
    dc.onopen = () => this.#channel === dc && this.events.emit("open", true);
    dc.onclose = () => this.#channel === dc && this.events.emit("open", false);
    dc.onmessage = (m) => {
      let text: unknown;
      try {
        text = (JSON.parse(String(m.data)) as { text?: unknown }).text;
      } catch {
        return;
      }
      if (typeof text === "string" && text.trim()) this.#line("peer", text.slice(0, MAX_CHAT_LENGTH));
    };
  }

  /** False when the channel is not open (still connecting, or reconnecting). */
  send(text: string): boolean {
    const body = text.trim().slice(0, MAX_CHAT_LENGTH);
    if (!body || this.#channel?.readyState !== "open") return false;
    this.#channel.send(JSON.stringify({ text: body }));
    this.#line("self", body);
    return true;
  }

  #line(from: ChatLine["from"], text: string): void {
    this.events.emit("line", { id: `${from}-${++this.#seq}`, from, text, at: Date.now() });
  }

  close(): void {
    this.#channel?.close();
    this.#channel = null;
    this.events.clear();
  }
}
