// tracewire's instrumentation of incoming HTTP requests (TRACEWIRE_HTTP_SERVER=tracewire, the default) against the
// server side of @opentelemetry/instrumentation-http (TRACEWIRE_HTTP_SERVER=stock): the same server spans, and the
// request's context where apps and libraries read it (handlers, body listeners, 'finish' listeners, keep-alive
// connections), with the real register flags and an OTLP receiver.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { spawnApp, stopApp, type App } from '../support/spawn-app.js';

const receiver = new OtlpReceiver();
const MODES = ['tracewire', 'stock'] as const;
type Mode = (typeof MODES)[number];
interface Ids {
  traceId: string;
  spanId: string;
  sampled: boolean;
}
interface Running {
  app: App;
  express: string;
  plain: string;
  https: string;
}
const apps = {} as Record<Mode, Running>;
/** The same two modes with the default TRACEWIRE_EXPRESS_LAYERS (handlers); `apps` run with `all`. */
const handlerApps = {} as Record<Mode, Running>;
/** A self-signed key and certificate for the fixture's https server. */
const tls = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-https-'));
  const key = join(dir, 'server.key');
  const cert = join(dir, 'server.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'],
    { stdio: 'ignore' },
  );
  return { key, cert };
})();

async function start(mode: Mode, sampler = 'parentbased_always_on', expressLayers: 'all' | 'default' = 'all'): Promise<Running> {
  const app = await spawnApp({
    flags: ['--require', 'tracewire/register'],
    script: 'test/fixtures/http-server-app.cjs',
    env: {
      OTEL_SERVICE_NAME: `http-server-${mode}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_TRACES_SAMPLER: sampler,
      TRACEWIRE_HTTP_SERVER: mode,
      ...(expressLayers === 'default' ? {} : { TRACEWIRE_EXPRESS_LAYERS: expressLayers }),
      TLS_KEY: tls.key,
      TLS_CERT: tls.cert,
    },
  });
  const { ports } = JSON.parse(/\{"ports":.*\}/.exec(app.stdout())![0]) as { ports: { express: number; plain: number; https: number } };
  return {
    app,
    express: `http://127.0.0.1:${ports.express}`,
    plain: `http://127.0.0.1:${ports.plain}`,
    https: `https://127.0.0.1:${ports.https}`,
  };
}

beforeAll(async () => {
  await receiver.start();
  [apps.tracewire, apps.stock, handlerApps.tracewire, handlerApps.stock] = await Promise.all([
    ...MODES.map((mode) => start(mode)),
    ...MODES.map((mode) => start(mode, undefined, 'default')),
  ]);
});
afterAll(async () => {
  await Promise.all(MODES.flatMap((mode) => [stopApp(apps[mode]?.app), stopApp(handlerApps[mode]?.app)]));
  await receiver.stop();
});

const newTraceId = (): string => randomBytes(16).toString('hex');
const traceparent = (traceId: string, sampled = true): string => `00-${traceId}-${randomBytes(8).toString('hex')}-${sampled ? '01' : '00'}`;
const serverSpansOf = (spans: ReceivedSpan[], traceId: string): ReceivedSpan[] =>
  spans.filter((s) => s.traceId === traceId && s.kind === SpanKind.SERVER + 1);
async function serverSpan(traceId: string): Promise<ReceivedSpan> {
  const spans = await receiver.waitFor((all) => serverSpansOf(all, traceId).length > 0);
  return serverSpansOf(spans, traceId)[0]!;
}

/** What must match between the two modes: ports and the peer port differ by nature (another process, another socket). */
function comparable(span: ReceivedSpan): object {
  const { 'server.port': serverPort, 'network.peer.port': peerPort, ...attributes } = span.attributes;
  return {
    name: span.name,
    kind: span.kind,
    status: span.status,
    events: span.events.map((e) => ({ name: e.name, keys: Object.keys(e.attributes).sort() })),
    attributes,
    serverPort: typeof serverPort,
    peerPort: typeof peerPort,
  };
}

describe('the server span, TRACEWIRE_HTTP_SERVER=tracewire against stock', () => {
  it.each([
    {
      what: 'an express route with a query (redacted parameter) and a remote parent',
      send: (base: Running, headers: Record<string, string>) => fetch(`${base.express}/items/42?q=shoes&sig=secret`, { headers }),
    },
    {
      what: 'a JSON body through express.json()',
      send: (base: Running, headers: Record<string, string>) =>
        fetch(`${base.express}/echo`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"a":1}' }),
    },
    {
      what: 'a 500 from an express error handler (ERROR status, error.type "500")',
      send: (base: Running, headers: Record<string, string>) => fetch(`${base.express}/broken`, { headers }),
    },
    {
      what: 'a 404 of a plain http server',
      send: (base: Running, headers: Record<string, string>) => fetch(`${base.plain}/nothing-here`, { headers }),
    },
    {
      what: 'a forwarded request',
      send: (base: Running, headers: Record<string, string>) =>
        fetch(`${base.plain}/finish`, {
          headers: {
            ...headers,
            'x-forwarded-for': '203.0.113.7, 10.0.0.1',
            'x-forwarded-host': 'shop.example:8443',
            'x-forwarded-proto': 'https',
          },
        }),
    },
    {
      what: 'an https server',
      send: (base: Running, headers: Record<string, string>) =>
        new Promise<Response>((resolve, reject) => {
          httpsGet(`${base.https}/secure`, { headers, rejectUnauthorized: false }, (res) => {
            res.resume();
            res.on('end', () => resolve(new Response('done')));
          }).on('error', reject);
        }),
    },
  ])('is the same for $what', async ({ send }) => {
    const got: Partial<Record<Mode, ReceivedSpan>> = {};
    for (const mode of MODES) {
      const traceId = newTraceId();
      const parent = traceparent(traceId);
      const res = await send(apps[mode], { traceparent: parent, 'user-agent': 'parity-test/1.0' });
      await res.arrayBuffer();
      const span = await serverSpan(traceId);
      expect(span.parentSpanId).toBe(parent.split('-')[2]);
      expect(span.scope).toBe(mode === 'stock' ? '@opentelemetry/instrumentation-http' : 'tracewire/http-server');
      got[mode] = span;
    }
    expect(comparable(got.tracewire!)).toEqual(comparable(got.stock!));
  });

  const REQUESTS = [
    { what: 'a route behind express.json()', method: 'POST', path: '/echo', body: '{"a":1}' },
    { what: 'a route with a parameter', method: 'GET', path: '/items/5', body: undefined },
    { what: 'a router on /api with an async handler', method: 'GET', path: '/api/users/3', body: undefined },
    { what: 'a handler passing an error to next()', method: 'GET', path: '/broken', body: undefined },
    { what: 'a path no route matches', method: 'GET', path: '/nowhere', body: undefined },
  ];
  it.each([...REQUESTS.map((r) => ({ ...r, layers: 'all' as const })), ...REQUESTS.map((r) => ({ ...r, layers: 'handlers' as const }))])(
    'makes the same express layer spans, names, attributes and parents for $what (expressLayers $layers)',
    async ({ method, path, body, layers }) => {
      const trees: Partial<Record<Mode, Array<{ name: string; attributes: Record<string, unknown> }>>> = {};
      const servers: Partial<Record<Mode, string>> = {};
      for (const mode of MODES) {
        const running = layers === 'all' ? apps[mode] : handlerApps[mode];
        const traceId = newTraceId();
        const res = await fetch(`${running.express}${path}`, {
          method,
          body,
          headers: { traceparent: traceparent(traceId), ...(body ? { 'content-type': 'application/json' } : {}) },
        });
        await res.arrayBuffer();
        const spans = await receiver.waitFor((all) => {
          const server = serverSpansOf(all, traceId)[0];
          // The server span and, unless no layer gets a span (no route matched, handlers only), an express one.
          const expected = layers === 'handlers' && path === '/nowhere' ? 1 : 2;
          return server !== undefined && all.filter((s) => s.traceId === traceId).length >= expected;
        });
        // The express spans of a request end before or with its server span, but may travel in another export (up to 4
        // run at once): the app's flush resolves once every span it ended so far has been received.
        expect(await (await fetch(`${running.plain}/flush`)).text()).toBe('flushed');
        const mine = receiver.spans.filter((s) => s.traceId === traceId);
        servers[mode] = serverSpansOf(mine, traceId)[0]!.name;
        const nameOf = (id: string) => mine.find((s) => s.spanId === id)?.name ?? (id === '' ? null : 'remote parent');
        trees[mode] = mine
          .filter((s) => s.scope.includes('express'))
          .map((s) => ({
            name: s.name,
            kind: s.kind,
            parent: nameOf(s.parentSpanId),
            attributes: s.attributes,
            status: s.status,
            events: s.events.length,
          }))
          .sort((a, b) => a.name.localeCompare(b.name));
        void spans;
      }
      expect(trees.tracewire).toEqual(trees.stock);
      expect(servers.tracewire).toEqual(servers.stock);
      const types = new Set(trees.tracewire!.map((s) => s.attributes['express.type']));
      if (layers === 'all') expect(types).toContain('middleware');
      // With the default, only route handlers have spans (a path no route matches has none).
      else expect([...types]).toEqual(path === '/nowhere' ? [] : ['request_handler']);
      if (path !== '/nowhere') expect(trees.tracewire!.length).toBeGreaterThan(0);
    },
  );

  it('names the span after the express route and keeps the express layer spans as its children', async () => {
    const traceId = newTraceId();
    await (await fetch(`${apps.tracewire.express}/items/7`, { headers: { traceparent: traceparent(traceId) } })).arrayBuffer();
    const spans = await receiver.waitFor((all) => all.filter((s) => s.traceId === traceId).length >= 2);
    const server = serverSpansOf(spans, traceId)[0]!;
    expect(server.name).toBe('GET /items/:id');
    expect(server.attributes['http.route']).toBe('/items/:id');
    const handler = spans.find((s) => s.traceId === traceId && s.scope.includes('express'));
    expect(handler?.parentSpanId).toBe(server.spanId);
  });

  it('records a throw from the request listener, as instrumentation-http does', async () => {
    for (const mode of MODES) {
      const traceId = newTraceId();
      await fetch(`${apps[mode].plain}/throw`, { headers: { traceparent: traceparent(traceId) }, signal: AbortSignal.timeout(500) }).catch(
        () => undefined,
      );
      const span = await serverSpan(traceId);
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.status.message).toBe('listener failed');
      expect(span.attributes['error.type']).toBe('Error');
      expect(span.events.map((e) => e.name)).toEqual(['exception']);
    }
  });
});

describe('the request context', () => {
  it('is active in the handler after express.json() read the body', async () => {
    const traceId = newTraceId();
    const res = await fetch(`${apps.tracewire.express}/echo`, {
      method: 'POST',
      headers: { traceparent: traceparent(traceId), 'content-type': 'application/json' },
      body: JSON.stringify({ order: 42 }),
    });
    const body = (await res.json()) as { body: unknown; handler: Ids };
    expect(body.body).toEqual({ order: 42 });
    // The express request-handler span is active in the handler; it belongs to the request's trace.
    expect(body.handler.traceId).toBe(traceId);
  });

  it("is active in the app's own 'data' and 'end' listeners of a request with a body", async () => {
    const traceId = newTraceId();
    const res = await fetch(`${apps.tracewire.plain}/raw`, {
      method: 'POST',
      headers: { traceparent: traceparent(traceId) },
      body: 'x'.repeat(100_000),
    });
    const body = (await res.json()) as { data: Ids; end: Ids; length: number };
    const server = await serverSpan(traceId);
    expect(body.length).toBe(100_000);
    expect(body.data.spanId).toBe(server.spanId);
    expect(body.end.spanId).toBe(server.spanId);
  });

  it("is active in a response 'finish' listener", async () => {
    const traceId = newTraceId();
    await (await fetch(`${apps.tracewire.plain}/finish`, { headers: { traceparent: traceparent(traceId), 'x-tag': traceId } })).text();
    const server = await serverSpan(traceId);
    const line = apps.tracewire.app
      .stdout()
      .split('\n')
      .find((l) => l.includes(`"tag":"${traceId}"`));
    expect(JSON.parse(line!).finish.spanId).toBe(server.spanId);
  });

  it('is the right one for each request of a keep-alive connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = (traceId: string): Promise<{ end: Ids; socketReused: boolean }> =>
      new Promise((resolve, reject) => {
        const req = httpRequest(
          `${apps.tracewire.plain}/raw`,
          { method: 'POST', agent, headers: { traceparent: traceparent(traceId) } },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ end: (JSON.parse(text) as { end: Ids }).end, socketReused: req.reusedSocket }));
          },
        );
        req.on('error', reject);
        req.end('body');
      });
    const traceIds = [newTraceId(), newTraceId(), newTraceId()];
    const answers = [];
    for (const traceId of traceIds) answers.push(await post(traceId));
    agent.destroy();
    expect(answers.map((a) => a.socketReused)).toEqual([false, true, true]);
    for (const [i, traceId] of traceIds.entries()) {
      const server = await serverSpan(traceId);
      expect(answers[i]!.end).toEqual({ traceId, spanId: server.spanId, sampled: true });
    }
  });
});

describe('a request the sampler drops', () => {
  let ratioApp: Running;
  beforeAll(async () => {
    ratioApp = await start('tracewire', 'parentbased_traceidratio');
  });
  afterAll(() => stopApp(ratioApp?.app));

  it('records nothing, yet its trace id and the sampled=0 flag reach the next service', async () => {
    const traceId = newTraceId();
    const res = await fetch(`${ratioApp.plain}/call?to=${encodeURIComponent(`${apps.tracewire.plain}/headers`)}`, {
      headers: { traceparent: traceparent(traceId, false) },
    });
    const { traceparent: forwarded } = (await res.json()) as { traceparent: string };
    expect(forwarded).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
    // A sampled request to the same app afterwards arrives; the dropped one never does.
    const keptId = newTraceId();
    await (await fetch(`${ratioApp.express}/items/1`, { headers: { traceparent: traceparent(keptId) } })).arrayBuffer();
    const spans = await receiver.waitFor((all) => all.some((s) => s.traceId === keptId && s.scope.includes('express')));
    expect(spans.filter((s) => s.traceId === traceId)).toEqual([]);
  });

  it('skips the express layers’ span work but still answers with the handler’s context', async () => {
    const traceId = newTraceId();
    const body = (await (await fetch(`${ratioApp.express}/items/9`, { headers: { traceparent: traceparent(traceId, false) } })).json()) as {
      handler: Ids;
    };
    expect(body.handler).toMatchObject({ traceId, sampled: false });
  });
});
