/** Live metrics: sockets, messages per second and calls, read every 2 s while the tab is open. */
import { useEffect, useState } from "react";
import type { AdminMetrics } from "../../../shared/admin";
import { api, describeError } from "../../api";
import { Alert } from "../common/Alert";
import { Spinner } from "../common/icons";
import { Card } from "./parts";

const POLL_MS = 2000;

export function MetricsTab() {
  const [m, setM] = useState<AdminMetrics | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const read = () => api.get<AdminMetrics>("/api/admin/metrics").then((r) => live && (setM(r), setError(null)), (err) => live && setError(describeError(err)));
    void read();
    const t = setInterval(read, POLL_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, []);
  if (!m) return error ? <Alert>{error}</Alert> : <Spinner className="size-5 text-zinc-400" />;
  const tiles: Array<[string, string, string]> = [
    ["Connections", String(m.connections), "sockets open on this node"],
    ["Messages / s", m.messagesPerSecond.toFixed(1), `instance-wide, last ${m.windowSeconds} s`],
    ["Active calls", String(m.activeCalls), "instance-wide"],
    ["Memory", `${Math.round(m.memoryBytes / 1024 / 1024)} MiB`, "this node"],
  ];
  return (
    <>
      {error ? <Alert className="mb-4">{error}</Alert> : null}
      <div className="grid grid-cols-2 gap-4 lg:grid-cols-4" data-testid="admin-metrics">
        {tiles.map(([label, value, hint]) => (
          <Card key={label} className="p-4">
            <div className="text-xs font-medium text-zinc-500">{label}</div>
            <div className="mt-1 text-2xl font-semibold tabular-nums text-zinc-900 dark:text-zinc-100" data-testid={`metric-${label}`}>
              {value}
            </div>
            <div className="mt-1 text-xs text-zinc-500">{hint}</div>
          </Card>
        ))}
      </div>
      <p className="mt-4 text-xs text-zinc-500">Up {Math.round(m.uptimeSeconds / 60)} min. Updated every 2 s. Prometheus figures are at /metrics when METRICS_PORT or METRICS_TOKEN is set.</p>
    </>
  );
}
