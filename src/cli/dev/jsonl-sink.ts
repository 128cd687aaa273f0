import { createWriteStream, type WriteStream } from 'node:fs';
import type { DevSpan } from './dev-span.js';

const MiB = 1024 * 1024;

/**
 * `--jsonl FILE`: appends every received span to FILE as one OTLP/JSON request per line. A disk slower than the
 * senders must not fill memory: beyond `maxBytes` waiting, lines are left out and counted (said once). A write
 * error is said once and ends the writing. Never throws. @internal
 *
 * @example
 * ```ts
 * const sink = new JsonlSink('spans.jsonl', 16 * 1024 * 1024, process.stderr, reportOnce);
 * sink.write(spans);
 * await sink.end();
 * ```
 */
export class JsonlSink {
  dropped = 0;
  private stream: WriteStream | undefined;

  constructor(
    readonly path: string,
    private readonly maxBytes: number,
    err: NodeJS.WritableStream,
    private readonly reportOnce: (kind: string, line: string) => void,
  ) {
    this.stream = createWriteStream(path, { flags: 'a' });
    this.stream.on('error', (error) => {
      err.write(`tracewire dev: cannot write ${path}: ${error.message}; spans are no longer written there.\n`);
      this.stream = undefined;
    });
  }

  /** Appends the spans that carry their OTLP source, one line each. */
  write(spans: readonly DevSpan[]): void {
    const stream = this.stream;
    if (stream === undefined) return;
    let text = '';
    for (const s of spans) {
      if (s.source === undefined) continue;
      text += `${JSON.stringify({ resourceSpans: [{ resource: s.source.resource, scopeSpans: [{ scope: s.source.scope, spans: [s.source.span] }] }] })}\n`;
    }
    if (text === '') return;
    if (stream.writableLength + text.length > this.maxBytes) {
      this.dropped += spans.length;
      this.reportOnce(
        'jsonl',
        `${this.path} is written slower than spans arrive; spans beyond ${this.maxBytes / MiB} MiB waiting are left out of it`,
      );
      return;
    }
    stream.write(text);
  }

  /** Flushes and closes the file; true when it was still being written. */
  async end(): Promise<boolean> {
    const stream = this.stream;
    if (stream === undefined) return false;
    await new Promise<void>((resolve) => stream.end(resolve));
    return true;
  }
}
