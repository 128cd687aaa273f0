// End to end against a real Jaeger v2 (plus PostgreSQL and Redis): the seed's five-process trace (frontend ->
// api-gateway -> auth-service + user-service -> database), each process started with
// `node --import tracewire/register`, exported once to Jaeger directly (http/protobuf) and once through the
// Collector hop that stands in for Grafana Tempo's OTLP ingest (http/json + gzip, tenant header from
// OTEL_EXPORTER_OTLP_HEADERS), then checked through Jaeger's query API.
//
// Grafana Tempo is AGPL-licensed and never run here. Its distributor receives OTLP through the OpenTelemetry
// Collector's OTLP receiver with client metadata on (grafana/tempo modules/distributor/receiver/shim.go); the hop
// runs that receiver the same way in a second Jaeger v2 process and copies X-Scope-OrgID into each span
// (backends/tempo-ingest.yaml). What this proves: the encodings and the tenant header a Tempo user configures
// reach that receiver intact. What it does not: Tempo's storage and TraceQL.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flatten, type ReceivedSpan } from '../support/otlp-receiver.js';
import { callerOf, descendsFrom } from '../support/span-tree.js';
import { spawnApp, stopApp, type App } from '../support/spawn-app.js';
import { Backends, DATABASE_URL, JAEGER_URL, PORTS, REDIS_URL, TEMPO_TENANT, TENANT_ATTRIBUTE } from './backends/backends.js';

const SERVER = SpanKind.SERVER + 1; // OTLP numbering
const CLIENT = SpanKind.CLIENT + 1;
const register = ['--import', 'tracewire/register'];
const backends = new Backends();

beforeAll(async () => {
  try {
    await backends.startAll();
  } catch (error) {
    await backends.stopAll();
    throw error;
  }
});
afterAll(() => backends.stopAll());

interface Requests {
  ok: string;
  error: string;
  slow: string;
}

/** Starts the four Node processes of the shop, drives three requests, stops them (SIGTERM flushes), returns trace ids. */
async function runShop(otel: Record<string, string>): Promise<Requests> {
  const apps: App[] = [];
  const start = async (role: string, extra: Record<string, string> = {}) => {
    const app = await spawnApp({
      flags: register,
      script: 'test/e2e/fixtures/shop.mjs',
      env: { ...otel, ROLE: role, OTEL_SERVICE_NAME: role, OTEL_BSP_SCHEDULE_DELAY: '200', ...extra },
    });
    apps.push(app);
    return app;
  };
  try {
    const [auth, users] = await Promise.all([start('auth-service', { REDIS_URL }), start('user-service', { DATABASE_URL })]);
    const gateway = await start('api-gateway', { AUTH_URL: auth.url, USERS_URL: users.url });
    const frontend = await start('frontend', { GATEWAY_URL: gateway.url });
    const get = async (id: string, status: number) => {
      const res = await fetch(`${frontend.url}/api/users/${id}`);
      expect(res.status).toBe(status);
      return res.headers.get('x-trace-id')!;
    };
    const ids = { ok: await get('1', 200), error: await get('13', 502), slow: await get('slow', 200) };
    return ids;
  } finally {
    for (const app of apps) await stopApp(app);
    for (const app of apps) expect((await app.exited).signal, app.stderr()).toBe('SIGTERM');
  }
}

function poll<T>(what: string, check: () => Promise<T | undefined>, timeoutMs?: number): Promise<T> {
  return backends.until(what, check, { timeoutMs, detail: () => `last seen: ${lastSeen}` });
}

async function getJson(url: string, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

const SERVICES = ['frontend', 'api-gateway', 'auth-service', 'user-service'];
/** Waits until the trace holds server spans of all four services and the database span. */
let lastSeen = '';
const complete = (spans: ReceivedSpan[]) => {
  lastSeen = spans
    .map((s) => `${s.service}:${s.kind}:${s.name}:${JSON.stringify(s.attributes['db.system'] ?? s.attributes['db.system.name'] ?? '')}`)
    .join(', ');
  return (
    SERVICES.every((svc) => spans.some((s) => s.service === svc && s.kind === SERVER)) &&
    spans.some((s) => s.attributes['db.system'] === 'postgresql' || s.attributes['db.system.name'] === 'postgresql')
  );
};

function jaegerTrace(id: string): Promise<ReceivedSpan[]> {
  return poll(`Jaeger trace ${id}`, async () => {
    const body = await getJson(`${JAEGER_URL}/api/v3/traces/${id}`);
    const spans = flatten(body.result ?? body);
    return complete(spans) ? spans : undefined;
  });
}

const server = (spans: ReceivedSpan[], svc: string) => spans.find((s) => s.service === svc && s.kind === SERVER)!;
const ms = (s: ReceivedSpan) => Number(s.endNs - s.startNs) / 1e6;

/** The assertions both backends must pass for the same requests. */
function checkShopTraces(traces: Record<keyof Requests, ReceivedSpan[]>, ids: Requests): void {
  for (const [kind, spans] of Object.entries(traces)) {
    expect(new Set(spans.map((s) => s.traceId)), kind).toEqual(new Set([ids[kind as keyof Requests]]));
    const front = server(spans, 'frontend');
    expect(front.parentSpanId, 'frontend server span is the root').toBe('');
    expect(front.name).toBe('GET /api/users/:id');
    // frontend -> api-gateway -> auth-service and user-service: each server span's caller is a client span of the upstream service.
    for (const [svc, upstream] of [
      ['api-gateway', 'frontend'],
      ['auth-service', 'api-gateway'],
      ['user-service', 'api-gateway'],
    ] as const) {
      const caller = callerOf(spans, server(spans, svc));
      expect(caller?.service, `${svc} is called by ${upstream}`).toBe(upstream);
      expect(caller?.kind, `${upstream} -> ${svc} is a CLIENT span`).toBe(CLIENT);
      expect(caller?.attributes['server.port'] ?? caller?.attributes['net.peer.port']).toBeTypeOf('number');
    }
    const db = spans.filter((s) => s.attributes['db.system'] === 'postgresql' || s.attributes['db.system.name'] === 'postgresql');
    expect(db.length).toBeGreaterThan(0);
    for (const q of db) expect(q.service).toBe('user-service');
    const queries = db.filter((q) => q.name.startsWith('pg.query'));
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) {
      expect(q.kind).toBe(CLIENT);
      expect(String(q.attributes['db.statement'] ?? q.attributes['db.query.text'])).toMatch(/^SELECT/);
      expect(descendsFrom(spans, q, server(spans, 'user-service'))).toBe(true);
    }
    const redis = spans.filter(
      (s) => s.service === 'auth-service' && (s.attributes['db.system'] === 'redis' || s.attributes['db.system.name'] === 'redis'),
    );
    expect(redis.map((s) => s.name).sort()).toEqual(['get', 'set']);
    expect(spans.find((s) => s.service === 'user-service' && s.name === 'load user')?.attributes['app.user_id']).toBe(
      kind === 'ok' ? '1' : kind === 'error' ? '13' : 'slow',
    );
    expect(server(spans, 'api-gateway').attributes['http.route']).toBe('/users/:id');
  }
  const failed = traces.error.find((s) => s.name === 'load user')!;
  expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: 'user 13 is locked' });
  expect(failed.events).toContainEqual({
    name: 'exception',
    attributes: expect.objectContaining({ 'exception.message': 'user 13 is locked' }),
  });
  expect(server(traces.error, 'user-service').attributes['http.response.status_code']).toBe(500);
  expect(traces.ok.every((s) => s.status.code !== SpanStatusCode.ERROR)).toBe(true);
  // The slow path: the database sleep dominates every level, from the query up to the frontend.
  const sleep = traces.slow.find((s) => String(s.attributes['db.statement'] ?? s.attributes['db.query.text']).includes('pg_sleep'))!;
  expect(ms(sleep)).toBeGreaterThanOrEqual(1200);
  for (const svc of ['user-service', 'api-gateway', 'frontend']) expect(ms(server(traces.slow, svc))).toBeGreaterThanOrEqual(ms(sleep));
  expect(ms(server(traces.ok, 'frontend'))).toBeLessThan(1000);
}

describe('Jaeger v2', () => {
  let ids: Requests;
  let traces: Record<keyof Requests, ReceivedSpan[]>;

  beforeAll(async () => {
    ids = await runShop({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${PORTS.jaegerOtlpHttp}` });
    traces = { ok: await jaegerTrace(ids.ok), error: await jaegerTrace(ids.error), slow: await jaegerTrace(ids.slow) };
  });

  it('stores one trace per request with the exact cross-service tree, kinds, attributes, error and durations', () => {
    checkShopTraces(traces, ids);
  });

  it('lists the services and finds the slow trace by service + minDuration', async () => {
    const services = (await getJson(`${JAEGER_URL}/api/services`)).data as string[];
    expect(services).toEqual(expect.arrayContaining(SERVICES));
    const found = await getJson(`${JAEGER_URL}/api/traces?service=frontend&minDuration=1s&limit=20&lookback=1h`);
    expect(found.data.map((t: { traceID: string }) => t.traceID)).toEqual([ids.slow]);
    const all = await getJson(`${JAEGER_URL}/api/traces?service=frontend&limit=20&lookback=1h`);
    expect(all.data).toHaveLength(3);
  });

  it('derives the service dependencies with call counts', async () => {
    const deps = await poll('Jaeger dependencies', async () => {
      const body = await getJson(`${JAEGER_URL}/api/dependencies?endTs=${Date.now()}&lookback=3600000`);
      return body.data?.length >= 3 ? (body.data as Array<{ parent: string; child: string; callCount: number }>) : undefined;
    });
    const edge = (parent: string, child: string) => deps.find((d) => d.parent === parent && d.child === child)?.callCount;
    expect(edge('frontend', 'api-gateway')).toBeGreaterThanOrEqual(3);
    expect(edge('api-gateway', 'auth-service')).toBeGreaterThanOrEqual(3);
    expect(edge('api-gateway', 'user-service')).toBeGreaterThanOrEqual(3);
  });
});

/** Polls Jaeger for a trace until `done` holds for its spans. */
function jaegerSpans(id: string, done: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]> {
  return poll(
    `Jaeger trace ${id}`,
    async () => {
      const body = await getJson(`${JAEGER_URL}/api/v3/traces/${id}`).catch(() => ({}));
      const spans = flatten(body.result ?? {});
      return done(spans) ? spans : undefined;
    },
    timeoutMs,
  );
}

describe("Tempo's OTLP ingest: the shop through the Collector hop (http/json + gzip, X-Scope-OrgID)", () => {
  let ids: Requests;
  let traces: Record<keyof Requests, ReceivedSpan[]>;

  beforeAll(async () => {
    ids = await runShop({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${PORTS.tempoOtlpHttp}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_HEADERS: `X-Scope-OrgID=${TEMPO_TENANT}`,
    });
    traces = { ok: await jaegerTrace(ids.ok), error: await jaegerTrace(ids.error), slow: await jaegerTrace(ids.slow) };
  });

  it('arrives with the exact cross-service tree, kinds, attributes, error and durations', () => {
    checkShopTraces(traces, ids);
  });

  it('carries the tenant from X-Scope-OrgID on every span, as Tempo reads it', () => {
    for (const spans of Object.values(traces)) {
      expect(new Set(spans.map((s) => s.attributes[TENANT_ATTRIBUTE]))).toEqual(new Set([TEMPO_TENANT]));
    }
  });
});

describe("encodings and tenant header accepted by Jaeger's and Tempo's OTLP receivers", () => {
  it.each([
    ['Jaeger', 'http/json', 'gzip', true],
    ['Jaeger', 'http/protobuf', 'gzip', true],
    ['Tempo', 'http/json', 'gzip', true],
    ['Tempo', 'http/protobuf', 'none', true],
    ['Tempo', 'http/protobuf', 'gzip', true],
    ['Tempo', 'http/protobuf', 'gzip', false],
  ])('%s accepts %s with compression %s (tenant header sent: %s)', async (backend, protocol, compression, withTenant) => {
    const port = backend === 'Jaeger' ? PORTS.jaegerOtlpHttp : PORTS.tempoOtlpHttp;
    const app = await spawnApp({
      flags: [],
      script: 'test/e2e/fixtures/traces.mjs',
      waitForPort: false,
      env: {
        OTEL_SERVICE_NAME: `proto-${backend}-${protocol.replace('/', '-')}-${compression}-${withTenant ? 'tenant' : 'no-tenant'}`,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_COMPRESSION: compression,
        ...(withTenant ? { OTEL_EXPORTER_OTLP_HEADERS: `X-Scope-OrgID=${TEMPO_TENANT}` } : {}),
        OTEL_LOG_LEVEL: 'error',
      },
    });
    expect((await app.exited).code, app.stderr()).toBe(0);
    const sent = JSON.parse(app.stdout()) as { ok: string[]; stats: { exported: number; failed: number } };
    expect(sent.stats).toMatchObject({ exported: 4, failed: 0 }); // 2 spans of the fast trace, the failing one, the slow one
    const spans = await jaegerSpans(sent.ok[0]!, (s) => s.length === 2);
    const root = spans.find((s) => s.name === 'fast request')!;
    expect(spans.find((s) => s.name === 'work')!.parentSpanId).toBe(root.spanId);
    if (backend === 'Tempo') {
      // Through the hop: the receiver saw the header (or, when none was sent, no tenant at all).
      for (const span of spans) expect(span.attributes[TENANT_ATTRIBUTE]).toBe(withTenant ? TEMPO_TENANT : undefined);
    } else {
      for (const span of spans) expect(span.attributes[TENANT_ATTRIBUTE]).toBeUndefined();
    }
  });
});

describe('tail sampling Collector pipeline (examples/deploy/collector/tail-sampling.yaml) in front of the Tempo-like receiver', () => {
  it('keeps the error trace and the slow trace, and about 10% of the rest, with the tenant header it adds', async () => {
    const app = await spawnApp({
      flags: [],
      script: 'test/e2e/fixtures/traces.mjs',
      waitForPort: false,
      env: {
        OTEL_SERVICE_NAME: 'tail-sampled',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${PORTS.collectorOtlpHttp}`,
        OK_TRACES: '40',
      },
    });
    expect((await app.exited).code, app.stderr()).toBe(0);
    const sent = JSON.parse(app.stdout()) as { ok: string[]; error: string; slow: string };
    // decision_wait is 5 s, then two Collector hops.
    const error = await jaegerSpans(sent.error, (s) => s.length > 0, 45_000);
    const slow = await jaegerSpans(sent.slow, (s) => s.length > 0, 45_000);
    for (const span of [...error, ...slow]) expect(span.attributes[TENANT_ATTRIBUTE]).toBe(TEMPO_TENANT);
    const inJaeger = async (id: string) =>
      flatten((await getJson(`${JAEGER_URL}/api/v3/traces/${id}`).catch(() => ({}))).result ?? {}).length > 0;
    const kept = (await Promise.all(sent.ok.map(inJaeger))).filter(Boolean).length;
    // Binomial(40, 0.1): P(kept >= 15) < 1e-5.
    expect(kept).toBeLessThan(15);
  });
});
