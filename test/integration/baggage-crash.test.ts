// A fetch (or an http request) after extractContext from a hostile carrier never kills the process: what tracewire
// injects is always a valid header value (W3C Baggage percent-encoding; entries that cannot be made valid left out).
// Before, `fetch` threw `invalid baggage header` from the undici instrumentation's diagnostics-channel subscriber,
// uncaught, and the process exited 1.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnApp } from '../support/spawn-app.js';

const received: IncomingHttpHeaders[] = [];
const server = createServer((req, res) => {
  received.push(req.headers);
  res.end('ok');
});
let url = '';
beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe.each(['tracecontext,baggage', 'jaeger'])('OTEL_PROPAGATORS=%s', (propagators) => {
  it('answers every fetch and http call made in a context extracted from Buffers, non-ASCII and control characters', async () => {
    received.length = 0;
    const app = await spawnApp({
      flags: ['--import', 'tracewire/register'],
      script: 'test/fixtures/baggage-fetch.mjs',
      waitForPort: false,
      env: { TARGET_URL: url, OTEL_PROPAGATORS: propagators, OTEL_TRACES_EXPORTER: 'none', OTEL_SERVICE_NAME: 'baggage-crash' },
    });
    const { code } = await app.exited;
    expect(code, app.stderr()).toBe(0);
    const lines = app
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { via?: string; status?: number; error?: string; done?: boolean });
    expect(lines.at(-1)).toEqual({ done: true });
    const calls = lines.slice(0, -1);
    expect(calls).toHaveLength(10);
    expect(
      calls.filter((c) => c.status !== 200),
      JSON.stringify(calls),
    ).toEqual([]);
    // Every header that arrived is printable ASCII (what node:http accepted), and the valid parts of the baggage survived.
    for (const headers of received) {
      for (const name of ['baggage', 'uberctx-ok']) {
        const value = headers[name];
        if (typeof value === 'string') expect(value).toMatch(/^[\x20-\x7e]*$/);
      }
    }
    if (propagators === 'jaeger') {
      expect(received.some((h) => h['uberctx-ok'] === 'caf%C3%A9')).toBe(true);
      expect(received.every((h) => Object.keys(h).every((k) => !k.includes('bad')))).toBe(true);
    } else {
      expect(received.filter((h) => String(h.baggage ?? '').startsWith('tenant=acme'))).not.toHaveLength(0);
      expect(received.some((h) => h.baggage === 'tenant=acme;note=caf%C3%A9%20%E2%82%AC')).toBe(true);
    }
  });
});
