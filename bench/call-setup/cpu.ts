/** CPU used over a window, per process tree (/proc). */
import { readdirSync, readFileSync } from "node:fs";
import { machineBusySeconds, procCpuSeconds } from "../lib/harness";

/** CPU seconds of a process and all its descendants (the browser: Chromium's many processes). */
export function treeCpuSeconds(rootPid: number): number {
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone
    }
  }
  let total = 0;
  for (const pid of parent.keys()) {
    for (let p: number | undefined = pid, hops = 0; p && hops < 64; p = parent.get(p), hops++) {
      if (p === rootPid) {
        total += procCpuSeconds(pid) || 0;
        break;
      }
    }
  }
  return total;
}

/** CPU % of one core over the window: server, browser (+ this process), everything else. */
export function cpuWindow(serverPid: number): () => { server: number; browser: number; other: number } {
  const t0 = performance.now();
  const s0 = procCpuSeconds(serverPid);
  const b0 = treeCpuSeconds(process.pid) - s0; // Chromium and coturn are our children, as is the server
  const a0 = machineBusySeconds();
  return () => {
    const wall = (performance.now() - t0) / 1000;
    const s = procCpuSeconds(serverPid) - s0;
    const b = treeCpuSeconds(process.pid) - procCpuSeconds(serverPid) - b0;
    const a = machineBusySeconds() - a0;
    const p = (x: number) => (x / wall) * 100;
    return { server: p(s), browser: p(b), other: Math.max(0, p(a - s - b)) };
  };
}
