// Promise 1 against a real Jaeger v2: 10,000 spans created just before SIGTERM are all stored in Jaeger,
// and the process still ends by SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flatten } from '../support/otlp-receiver.js';
import { spawnApp } from '../support/spawn-app.js';
import { Backends, JAEGER_URL, PORTS } from './backends/backends.js';

const SPANS = 10_000;
const backends = new Backends();
beforeAll(async () => {
  try {
    await backends.startJaeger();
  } catch (error) {
    await backends.stopAll();
    throw error;
  }
});
afterAll(() => backends.stopAll());

describe('graceful shutdown: no span lost, counted in Jaeger', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s: all 10,000 spans are stored in Jaeger and the process ends by that signal',
    async (signal) => {
      const app = await spawnApp({
        flags: ['--import', 'tracewire/register'],
        script: 'test/fixtures/burst.mjs',
        env: {
          MODE: 'wait',
          TRACE_ROOT: '1',
          SPANS: String(SPANS),
          OTEL_SERVICE_NAME: `burst-${signal.toLowerCase()}`,
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${PORTS.jaegerOtlpHttp}`,
          OTEL_BSP_SCHEDULE_DELAY: '60000',
          OTEL_BSP_MAX_QUEUE_SIZE: String(SPANS + 1),
        },
      });
      const { traceId } = JSON.parse(app.stdout().split('\n')[0]!) as { traceId: string };
      app.child.kill(signal);
      expect((await app.exited).signal, app.stderr()).toBe(signal);
      // All spans are in one trace: one GET, no search limits. Jaeger may still be indexing right after the export.
      let count = 0;
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const res = await fetch(`${JAEGER_URL}/api/v3/traces/${traceId}`);
        if (res.ok) {
          const body = (await res.json()) as { result?: unknown };
          const spans = flatten(body.result ?? body).filter((s) => s.name === 'burst');
          count = new Set(spans.map((s) => s.attributes.i)).size;
          if (count >= SPANS) break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(count).toBe(SPANS);
    },
  );
});
