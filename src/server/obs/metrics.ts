/** Prometheus text exposition: request counts and latency histograms per route, process memory. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export class Metrics {
  readonly #requests = new Map<string, number>();
  readonly #latency = new Map<string, Histogram>();
  readonly #gauges = new Map<string, () => number>();

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${method}",route="${escape(route)}",status="${status}"`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    const hkey = `method="${method}",route="${escape(route)}"`;
    let h = this.#latency.get(hkey);
    if (!h) this.#latency.set(hkey, (h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) h.counts[i]!++;
    h.sum += seconds;
    h.count++;
  }

  /** A gauge read at scrape time. */
  gauge(name: string, read: () => number): void {
    this.#gauges.set(name, read);
  }

  render(): string {
    const out: string[] = [];
    out.push("# HELP parley_http_requests_total HTTP requests by route and status.");
    out.push("# TYPE parley_http_requests_total counter");
    for (const [k, v] of this.#requests) out.push(`parley_http_requests_total{${k}} ${v}`);
    out.push("# HELP parley_http_request_duration_seconds HTTP request latency by route.");
    out.push("# TYPE parley_http_request_duration_seconds histogram");
    for (const [k, h] of this.#latency) {
      BUCKETS.forEach((b, i) => out.push(`parley_http_request_duration_seconds_bucket{${k},le="${b}"} ${h.counts[i]}`));
      out.push(`parley_http_request_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`);
      out.push(`parley_http_request_duration_seconds_sum{${k}} ${h.sum}`);
      out.push(`parley_http_request_duration_seconds_count{${k}} ${h.count}`);
    }
    const mem = process.memoryUsage();
    out.push("# TYPE process_resident_memory_bytes gauge", `process_resident_memory_bytes ${mem.rss}`);
    out.push("# TYPE process_heap_used_bytes gauge", `process_heap_used_bytes ${mem.heapUsed}`);
    for (const [name, read] of this.#gauges) out.push(`# TYPE ${name} gauge`, `${name} ${read()}`);
    return out.join("\n") + "\n";
  }
}

function escape(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}
