// A real Writable that collects the JSON lines a logger writes, for tests with the real pino and winston.
import { Writable } from 'node:stream';

export type LogLine = Record<string, unknown>;

export class JsonLines extends Writable {
  readonly raw: string[] = [];
  readonly lines: LogLine[] = [];
  #waiters: Array<{ count: number; resolve: () => void }> = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    for (const text of chunk.toString().split('\n')) {
      if (text === '') continue;
      this.raw.push(text);
      this.lines.push(JSON.parse(text) as LogLine);
    }
    this.#waiters = this.#waiters.filter((w) => (this.lines.length >= w.count ? (w.resolve(), false) : true));
    callback();
  }

  /** Resolves once `count` lines in total have been written (winston writes through async streams). */
  waitFor(count: number): Promise<LogLine[]> {
    if (this.lines.length >= count) return Promise.resolve(this.lines);
    return new Promise((resolve) => this.#waiters.push({ count, resolve: () => resolve(this.lines) }));
  }
}
