// What the stock OTLP/HTTP transport (@opentelemetry/otlp-exporter-base) does for tracewire when the collector is
// overloaded: it retries 429/503 with exponential backoff, honours Retry-After, and gives up within the export
// timeout. These tests prove it end to end; tracewire adds the counting and the one-time report.
import type { ExportResponse, IExporterTransport } from '@opentelemetry/otlp-exporter-base';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BoundedRetryTransport } from '../../src/export/otlp-proto/bounded-retry-transport.js';
import { retryDelay, retryDelayAtShutdown } from '../../src/export/otlp-proto/retry-delay.js';
import { initTracing, withSpan, type TracingHandle } from '../../src/index.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';

const receiver = new OtlpReceiver();
let handle: TracingHandle | undefined;
let stderr: string[] = [];
beforeAll(async () => {
  await receiver.start();
});
afterAll(() => receiver.stop());
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  receiver.clear();
  receiver.status = 200;
  receiver.retryAfter = undefined;
  vi.restoreAllMocks();
});

function start(timeoutMs: number): TracingHandle {
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  handle = initTracing({
    endpoint: receiver.url,
    instrumentations: false,
    shutdownSignals: false,
    timeoutMs,
    batch: { scheduleDelayMs: 60_000 },
  });
  return handle;
}

/** Answers `status` (with Retry-After) to the first `times` attempts, then 200. */
function failFirst(times: number, status: number, retryAfter?: string): void {
  receiver.status = status;
  receiver.retryAfter = retryAfter;
  const onAttempt = setInterval(() => {
    if (receiver.attempts.length >= times) {
      receiver.status = 200;
      clearInterval(onAttempt);
    }
  }, 5);
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('collector overload: 429/503 with Retry-After', () => {
  it.each([429, 503])('%s with Retry-After: 2 is retried no sooner than 2 s later, and the spans then arrive', async (status) => {
    const h = start(10_000);
    receiver.status = status;
    receiver.retryAfter = '2';
    const onFirst = setInterval(() => {
      if (receiver.attempts.length >= 1) {
        receiver.status = 200;
        clearInterval(onFirst);
      }
    }, 1);
    withSpan('s', () => 1);
    await h.forceFlush();
    expect(receiver.attempts).toHaveLength(2);
    expect(gaps(receiver.attempts)[0]).toBeGreaterThanOrEqual(1990);
    expect(receiver.spans).toHaveLength(1);
    expect(h.stats()).toMatchObject({ exported: 1, failed: 0 });
  });

  it('without Retry-After, retries back off exponentially (about 1 s, then 1.5 s, ±20 % jitter)', async () => {
    const h = start(10_000);
    failFirst(3, 503);
    withSpan('s', () => 1);
    await h.forceFlush();
    expect(receiver.attempts).toHaveLength(4);
    const [first, second] = gaps(receiver.attempts);
    expect(first).toBeGreaterThanOrEqual(790);
    expect(second).toBeGreaterThanOrEqual(1190);
    expect(h.stats()).toMatchObject({ exported: 1, failed: 0 });
  });

  it('a Retry-After beyond the export timeout is capped: no waiting, the batch fails once, counted and reported once', async () => {
    const h = start(3000);
    receiver.status = 503;
    receiver.retryAfter = '3600';
    for (let i = 0; i < 3; i++) withSpan('s', () => i);
    // Without the cap, this flush would wait an hour and the test time out.
    await h.forceFlush();
    expect(receiver.attempts).toHaveLength(1);
    expect(h.stats()).toMatchObject({ exported: 0, failed: 3 });
    expect(stderr.filter((l) => l.includes('could not export'))).toHaveLength(1);
  });

  it('a collector that keeps answering 503 gets a bounded number of attempts within the export timeout', async () => {
    const h = start(3000);
    receiver.status = 503;
    withSpan('s', () => 1);
    await h.forceFlush();
    // 0 s, ~1 s, ~2.5 s: the next backoff would end after the 3 s timeout.
    expect(receiver.attempts.length).toBeGreaterThanOrEqual(2);
    expect(receiver.attempts.length).toBeLessThanOrEqual(4);
    expect(h.stats()).toMatchObject({ exported: 0, failed: 1 });
    expect(stderr.filter((l) => l.includes('could not export'))).toHaveLength(1);
  });
});

/** An HTTP transport whose attempts answer, one after the other, with `answers` (the last one repeats). */
function scriptedHttp(answers: ExportResponse[]): IExporterTransport & { attempts: number } {
  const http = {
    attempts: 0,
    send(): Promise<ExportResponse> {
      const answer = answers[Math.min(http.attempts, answers.length - 1)]!;
      http.attempts++;
      return Promise.resolve(answer);
    },
    shutdown() {},
  };
  return http;
}
const errno = (code: string, message: string) => Object.assign(new Error(message), { code });
const refused: ExportResponse = { status: 'retryable', error: errno('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:4318') };
const notFound: ExportResponse = { status: 'retryable', error: errno('ENOTFOUND', 'getaddrinfo ENOTFOUND collector.invalid') };
const timedOut: ExportResponse = { status: 'retryable', error: new Error('Request timed out') };
const reset: ExportResponse = { status: 'retryable', error: errno('ECONNRESET', 'socket hang up') };
const busy = (retryInMillis?: number): ExportResponse => ({ status: 'retryable', retryInMillis });
const ok: ExportResponse = { status: 'success' };

describe('at shutdown, only errors that can still succeed within the bound are retried', () => {
  const now = 1_000_000;
  const shutdownDeadline = now + 5000;
  const exportDeadline = now + 10_000;

  it('a refused connection, an unresolvable host and a 503 without Retry-After are not retried', () => {
    for (const result of [refused, notFound, busy(undefined)])
      expect(retryDelayAtShutdown(result, now, exportDeadline, shutdownDeadline)).toBeUndefined();
  });

  it('a timeout and a reset connection are retried at once; 429/503 with a Retry-After that ends before the deadline after it', () => {
    expect(retryDelayAtShutdown(timedOut, now, exportDeadline, shutdownDeadline)).toBe(0);
    expect(retryDelayAtShutdown(reset, now, exportDeadline, shutdownDeadline)).toBe(0);
    expect(retryDelayAtShutdown(busy(2000), now, exportDeadline, shutdownDeadline)).toBe(2000);
    expect(retryDelayAtShutdown(busy(5000), now, exportDeadline, shutdownDeadline)).toBeUndefined();
    expect(retryDelayAtShutdown(timedOut, shutdownDeadline, exportDeadline, shutdownDeadline)).toBeUndefined();
  });

  it('while running, a refused connection is a normal outage: retried with backoff within the export timeout', () => {
    expect(retryDelay(refused, 1000, now, exportDeadline)).toBe(1000);
    expect(retryDelay(busy(2000), 1000, now, exportDeadline)).toBe(2000);
    expect(retryDelay(busy(20_000), 1000, now, exportDeadline)).toBeUndefined();
    expect(retryDelay({ status: 'failure', error: new Error('400') }, 1000, now, exportDeadline)).toBeUndefined();
  });

  it('an export waiting to retry a refused connection gives up as soon as shutdown begins, after one attempt', async () => {
    const http = scriptedHttp([refused]);
    const transport = new BoundedRetryTransport(http);
    const sent = transport.send(new Uint8Array(1), 60_000);
    // The first attempt was refused: the transport now waits about 1 s (backoff) to retry, as while running.
    await vi.waitFor(() => expect(http.attempts).toBe(1));
    transport.setControl({ letProcessExit: true, shutdownDeadline: Date.now() + 5000 });
    expect(await sent).toBe(refused);
    expect(http.attempts).toBe(1);
  });

  it('an export waiting to retry a timeout retries at once when shutdown begins, and succeeds', async () => {
    const http = scriptedHttp([timedOut, ok]);
    const transport = new BoundedRetryTransport(http);
    const sent = transport.send(new Uint8Array(1), 60_000);
    await vi.waitFor(() => expect(http.attempts).toBe(1));
    transport.setControl({ letProcessExit: true, shutdownDeadline: Date.now() + 5000 });
    expect(await sent).toBe(ok);
    expect(http.attempts).toBe(2);
  });
});
