/** In-call chat over a peer connection's data channel: peer to peer, never stored anywhere. */
import { Emitter } from "./emitter";

export const MAX_CHAT_LENGTH = 2000;

export class CallChat {
  readonly events = new Emitter<{ open: boolean; text: string }>();
  #channel: RTCDataChannel | null = null;

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
      if (typeof text === "string" && text.trim()) this.events.emit("text", text.slice(0, MAX_CHAT_LENGTH));
    };
  }

  get open(): boolean {
    return this.#channel?.readyState === "open";
  }

  /** False when the channel is not open (still connecting, or reconnecting). */
  send(text: string): boolean {
    if (!text || this.#channel?.readyState !== "open") return false;
    this.#channel.send(JSON.stringify({ text }));
    return true;
  }

  close(): void {
    this.#channel?.close();
    this.#channel = null;
    this.events.clear();
  }
}
