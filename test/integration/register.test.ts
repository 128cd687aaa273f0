import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { descendsFrom } from '../support/span-tree.js';
import { spawnApp, stopApp, type App } from '../support/spawn-app.js';

const receiver = new OtlpReceiver();
beforeAll(async () => {
  await receiver.start();
});
afterAll(() => receiver.stop());

const otelEnv = (service: string, extra: Record<string, string> = {}) => ({
  OTEL_SERVICE_NAME: service,
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_BSP_SCHEDULE_DELAY: '100',
  ...extra,
});

const byTrace = (spans: ReceivedSpan[], traceId: string) => spans.filter((s) => s.traceId === traceId);

describe.each([
  { kind: 'ESM', flags: ['--import', 'tracewire/register'], script: 'test/fixtures/service.mjs' },
  { kind: 'CommonJS', flags: ['--require', 'tracewire/register'], script: 'test/fixtures/service.cjs' },
])('$kind app started with $flags', ({ kind, flags, script }) => {
  let front: App;
  let back: App;
  const frontName = `front-${kind}`;
  const backName = `back-${kind}`;

  beforeAll(async () => {
    [front, back] = await Promise.all([
      spawnApp({ flags, script, env: otelEnv(frontName) }),
      spawnApp({ flags, script, env: otelEnv(backName) }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([stopApp(front), stopApp(back)]);
  });

  it('gets http and express server spans', async () => {
    const res = await fetch(`${back.url}/hello`);
    expect(await res.text()).toBe('hello');
    const spans = await receiver.waitFor((all) =>
      all.some((s) => s.service === backName && s.kind === SpanKind.SERVER + 1 && s.attributes['http.route'] === '/hello'),
    );
    const server = spans.find((s) => s.service === backName && s.kind === SpanKind.SERVER + 1 && s.attributes['http.route'] === '/hello')!;
    expect(server.name).toBe('GET /hello');
    expect(server.attributes['http.response.status_code'] ?? server.attributes['http.status_code']).toBe(200);
    const express = byTrace(spans, server.traceId).filter((s) => s.scope.includes('express'));
    expect(express.length).toBeGreaterThan(0);
    expect(express.every((s) => s.parentSpanId !== '')).toBe(true);
  });

  it('links two services into one trace across HTTP (fetch and http.get), with service names and kinds', async () => {
    const res = await fetch(`${front.url}/chain?to=${encodeURIComponent(back.url)}`);
    expect(await res.text()).toBe('hello+hello');
    const isFrontRoot = (s: ReceivedSpan) =>
      s.service === frontName && s.kind === SpanKind.SERVER + 1 && s.attributes['http.route'] === '/chain';
    const spans = await receiver.waitFor((all) => {
      const root = all.find(isFrontRoot);
      return (
        root !== undefined && byTrace(all, root.traceId).filter((s) => s.service === backName && s.kind === SpanKind.SERVER + 1).length >= 2
      );
    });
    const root = spans.find(isFrontRoot)!;
    const trace = byTrace(spans, root.traceId);
    const call = trace.find((s) => s.name === 'call downstream')!;
    // Between them sit express's request-handler spans.
    expect(descendsFrom(trace, call, root)).toBe(true);
    expect(root.parentSpanId).toBe('');
    expect(call.attributes['app.target']).toBe(back.url);
    const clients = trace.filter((s) => s.service === frontName && s.kind === SpanKind.CLIENT + 1);
    expect(clients).toHaveLength(2); // one from fetch (undici), one from http.get
    expect(new Set(clients.map((c) => c.scope))).toEqual(
      new Set(['@opentelemetry/instrumentation-undici', '@opentelemetry/instrumentation-http']),
    );
    for (const client of clients) {
      expect(client.parentSpanId).toBe(call.spanId);
      const server = trace.find((s) => s.service === backName && s.parentSpanId === client.spanId);
      expect(server?.kind).toBe(SpanKind.SERVER + 1);
    }
  });

  it('shows a withSpan error as ERROR with an exception event, under a 500 server span', async () => {
    const res = await fetch(`${front.url}/fail`);
    expect(res.status).toBe(500);
    const spans = await receiver.waitFor((all) => all.some((s) => s.service === frontName && s.name === 'validate order'));
    const failed = spans.find((s) => s.service === frontName && s.name === 'validate order')!;
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: 'order 42 is invalid' });
    expect(failed.events[0]).toMatchObject({
      name: 'exception',
      attributes: { 'exception.message': 'order 42 is invalid', 'exception.type': 'Error' },
    });
    const server = await receiver.waitFor((all) => all.some((s) => s.traceId === failed.traceId && s.kind === SpanKind.SERVER + 1));
    const serverSpan = server.find((s) => s.traceId === failed.traceId && s.kind === SpanKind.SERVER + 1)!;
    expect(serverSpan.attributes['http.response.status_code'] ?? serverSpan.attributes['http.status_code']).toBe(500);
    expect(serverSpan.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('carries the resource: service name, sdk and runtime', async () => {
    const span = receiver.spans.find((s) => s.service === backName)!;
    expect(span.resource).toMatchObject({
      'service.name': backName,
      'telemetry.sdk.language': 'nodejs',
      'process.runtime.name': 'nodejs',
    });
  });
});
