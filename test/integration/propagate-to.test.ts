// Promise 5: no context leaks to third parties. A real app (`node --import tracewire/register`) calls two loopback
// servers with http.get and fetch (undici); only the one listed in TRACEWIRE_PROPAGATE_TO receives trace context.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { spawnApp } from '../support/spawn-app.js';

interface Recorder {
  server: Server;
  url: string;
  seen: Map<string, IncomingHttpHeaders>;
}

async function recorder(): Promise<Recorder> {
  const seen = new Map<string, IncomingHttpHeaders>();
  const server = createServer((req, res) => {
    seen.set(req.url ?? '', req.headers);
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const FIELDS = ['traceparent', 'tracestate', 'baggage', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'uber-trace-id'];
const receiver = new OtlpReceiver();
let allowed: Recorder;
let denied: Recorder;
beforeAll(async () => {
  await receiver.start();
  [allowed, denied] = await Promise.all([recorder(), recorder()]);
});
afterAll(async () => {
  await receiver.stop();
  allowed.server.close();
  denied.server.close();
});

async function run(env: Record<string, string>): Promise<string> {
  allowed.seen.clear();
  denied.seen.clear();
  receiver.clear();
  const app = await spawnApp({
    flags: ['--import', 'tracewire/register'],
    script: 'test/fixtures/call-out.mjs',
    waitForPort: false,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      TARGETS: `${allowed.url},${denied.url}`,
      OTEL_PROPAGATORS: 'tracecontext,baggage,b3multi,jaeger',
      ...env,
    },
  });
  expect((await app.exited).code, app.stderr()).toBe(0);
  return (JSON.parse(app.stdout()) as { traceId: string }).traceId;
}

describe('propagateTo: trace context goes only to allowed destinations', () => {
  it('TRACEWIRE_PROPAGATE_TO: the allowed server gets traceparent, b3, uber-trace-id and baggage over http and fetch; the other gets no propagation header at all', async () => {
    const traceId = await run({ TRACEWIRE_PROPAGATE_TO: allowed.url });
    for (const path of ['/via-http', '/via-fetch']) {
      const got = allowed.seen.get(path)!;
      // 03: sampled, and the random-trace-id flag of a trace tracewire started (W3C Trace Context Level 2).
      expect(got.traceparent, path).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-03$`));
      expect(got.baggage, path).toBe('user.tier=gold');
      expect(got['x-b3-traceid'], path).toBe(traceId);
      expect(got['uber-trace-id'], path).toContain(traceId);
      const leaked = FIELDS.filter((f) => denied.seen.get(path)![f] !== undefined);
      expect(leaked, path).toEqual([]);
    }
    // The calls to the other server are still traced: four client spans in the app's trace.
    const spans = await receiver.waitFor((s) => s.filter((x) => x.kind === 3).length >= 4);
    expect(spans.filter((s) => s.kind === 3 && s.traceId === traceId)).toHaveLength(4);
  });

  it('without propagateTo, every destination gets trace context (the default)', async () => {
    const traceId = await run({});
    for (const path of ['/via-http', '/via-fetch']) {
      expect(denied.seen.get(path)!.traceparent, path).toContain(traceId);
      expect(allowed.seen.get(path)!.traceparent, path).toContain(traceId);
    }
  });

  it('a host-name entry that matches neither server: nobody gets trace context', async () => {
    await run({ TRACEWIRE_PROPAGATE_TO: '*.internal.example' });
    for (const path of ['/via-http', '/via-fetch']) {
      expect(allowed.seen.get(path)!.traceparent, path).toBeUndefined();
      expect(denied.seen.get(path)!.traceparent, path).toBeUndefined();
    }
  });
});
