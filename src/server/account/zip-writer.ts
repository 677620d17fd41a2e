/**
 * A zip written to a local file as it is built (fflate's streaming Zip), so an export of many
 * messages and large files never sits in memory whole. JSON is deflated; files, mostly
 * compressed already, are stored.
 */
import { Zip, ZipDeflate, ZipPassThrough } from "fflate";

export class ZipWriter {
  readonly #sink: ReturnType<ReturnType<typeof Bun.file>["writer"]>;
  readonly #zip: Zip;
  #error: Error | null = null;
  readonly #done: Promise<void>;
  #size = 0;

  constructor(readonly path: string) {
    this.#sink = Bun.file(path).writer();
    let finished!: () => void;
    let failed!: (err: Error) => void;
    this.#done = new Promise((resolve, reject) => ((finished = resolve), (failed = reject)));
    this.#zip = new Zip((err, chunk, final) => {
      if (err) return failed((this.#error = err));
      this.#sink.write(chunk);
      this.#size += chunk.length;
      if (final) finished();
    });
  }

  /** An entry whose content comes in parts (a long JSON array). */
  deflated(name: string): { push(text: string): Promise<void>; end(): void } {
    const entry = new ZipDeflate(name, { level: 6 });
    this.#zip.add(entry);
    const encoder = new TextEncoder();
    return {
      push: async (text) => {
        this.#check();
        entry.push(encoder.encode(text));
        await this.#sink.flush();
      },
      end: () => entry.push(new Uint8Array(0), true),
    };
  }

  async text(name: string, text: string): Promise<void> {
    const entry = this.deflated(name);
    await entry.push(text);
    entry.end();
  }

  /** A stored file, streamed from `body`. */
  async file(name: string, body: Blob | ReadableStream<Uint8Array>): Promise<void> {
    this.#check();
    const entry = new ZipPassThrough(name);
    this.#zip.add(entry);
    const reader = (body instanceof Blob ? body.stream() : body).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      entry.push(r.value);
      await this.#sink.flush();
    }
    entry.push(new Uint8Array(0), true);
  }

  /** Writes the central directory and closes the file; answers its size. */
  async close(): Promise<number> {
    this.#zip.end();
    await this.#done;
    // Counted here: the sink's end() answers only what its last flush wrote.
    await this.#sink.end();
    return this.#size;
  }

  #check(): void {
    if (this.#error) throw this.#error;
  }
}
