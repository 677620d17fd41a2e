/** The signed-in session's one socket, shared by the chat modules (set by chatConnection.ts). */
import type { ParleySocket } from "../socket";

let current: ParleySocket | null = null;

export function currentSocket(): ParleySocket | null {
  return current;
}

export function setCurrentSocket(s: ParleySocket | null): void {
  current = s;
}
