// tracewire's fastify instrumentation (fastify 5's tracing channel), with a real fastify app started as a user
// does: the server span is named after the route as with express, the handler has a span that is the parent of
// what the handler does, errors are recorded, and a handler that replies later ends its span with the response.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { spawnApp, stopApp, type App } from '../support/spawn-app.js';

const SERVER = 2;
const receiver = new OtlpReceiver();
let app: App;
beforeAll(async () => {
  await receiver.start();
  app = await spawnApp({
    flags: ['--import', 'tracewire/register'],
    script: 'test/fixtures/fastify-app.mjs',
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'fastify-app', OTEL_BSP_SCHEDULE_DELAY: '100' },
  });
});
afterAll(async () => {
  await stopApp(app);
  await receiver.stop();
});

async function traceOf(path: string, status: number): Promise<{ body: any; spans: ReceivedSpan[] }> {
  const res = await fetch(`${app.url}${path}`);
  expect(res.status).toBe(status);
  const body = await res.json();
  const server = await receiver.waitFor((s) => s.some((x) => x.kind === SERVER && x.attributes['url.path'] === path));
  const traceId = server.find((x) => x.kind === SERVER && x.attributes['url.path'] === path)!.traceId;
  const spans = await receiver.waitFor((s) => s.filter((x) => x.traceId === traceId).length >= 2);
  return { body, spans: spans.filter((x) => x.traceId === traceId) };
}

describe('fastify (tracewire/register, fastify 5 tracing channel)', () => {
  it('names the server span after the route, and the handler span is the parent of the spans the handler makes', async () => {
    const { body, spans } = await traceOf('/users/7', 200);
    const server = spans.find((s) => s.kind === SERVER)!;
    expect(server.name).toBe('GET /users/:id');
    expect(server.attributes['http.route']).toBe('/users/:id');
    const handler = spans.find((s) => s.name === 'request handler')!;
    expect(handler.parentSpanId).toBe(server.spanId);
    expect(handler.attributes).toMatchObject({
      'http.route': '/users/:id',
      'fastify.name': '/users/:id',
      'fastify.type': 'request_handler',
    });
    expect(body.handler.spanId).toBe(handler.spanId);
    const load = await receiver.waitFor((s) => s.some((x) => x.name === 'load user' && x.traceId === server.traceId));
    expect(load.find((x) => x.name === 'load user' && x.traceId === server.traceId)!.parentSpanId).toBe(handler.spanId);
    expect(handler.endNs).toBeLessThanOrEqual(server.endNs);
  });

  it('records a thrown error on the handler span, and the server span answers 500', async () => {
    const { spans } = await traceOf('/fail', 500);
    const handler = spans.find((s) => s.name === 'request handler' && s.attributes['http.route'] === '/fail')!;
    expect(handler.status).toEqual({ code: 2, message: 'fastify handler failed' });
    expect(handler.events.map((e) => e.name)).toEqual(['exception']);
    const server = spans.find((s) => s.kind === SERVER)!;
    expect(server.name).toBe('GET /fail');
    expect(server.attributes['http.response.status_code']).toBe(500);
  });

  it('ends the span of a handler that replies later with the response', async () => {
    const { body, spans } = await traceOf('/later/3', 200);
    const handler = spans.find((s) => s.name === 'request handler' && s.attributes['http.route'] === '/later/:id')!;
    expect(body.handler.spanId).toBe(handler.spanId);
    const server = spans.find((s) => s.kind === SERVER)!;
    expect(server.name).toBe('GET /later/:id');
    expect(handler.endNs).toBeGreaterThan(handler.startNs);
  });
});

describe('fastify and express side by side (tracewire/register)', () => {
  let both: App;
  beforeAll(async () => {
    // test/fixtures/init-tracing/app.mjs serves GET /users/:id with express (on {"port"}), koa and fastify.
    both = await spawnApp({
      flags: ['--import', 'tracewire/register'],
      script: 'test/fixtures/init-tracing/app.mjs',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'side-by-side', OTEL_BSP_SCHEDULE_DELAY: '100' },
    });
  });
  afterAll(() => stopApp(both));

  /** The server span and the request handler span (express.type / fastify.type request_handler) of one GET /users/7. */
  async function namesOf(base: string, type: 'express.type' | 'fastify.type'): Promise<{ server: string; handler: string }> {
    await (await fetch(`${base}/users/7`)).text();
    const port = new URL(base).port;
    const isServer = (x: ReceivedSpan) => x.service === 'side-by-side' && x.kind === SERVER && String(x.attributes['server.port']) === port;
    const spans = await receiver.waitFor((s) => {
      const server = s.find(isServer);
      return server !== undefined && s.some((x) => x.traceId === server.traceId && x.attributes[type] === 'request_handler');
    });
    const server = spans.find(isServer)!;
    return {
      server: server.name,
      handler: spans.find((x) => x.traceId === server.traceId && x.attributes[type] === 'request_handler')!.name,
    };
  }

  it("names the server span and the handler span of a fastify route as tracewire names express's: GET /users/:id, request handler", async () => {
    const ports = JSON.parse(/\{"koa":\d+,"fastify":\d+\}/.exec(both.stdout())![0]) as { fastify: number };
    const express = await namesOf(both.url, 'express.type');
    const fastify = await namesOf(`http://127.0.0.1:${ports.fastify}`, 'fastify.type');
    expect(express).toEqual({ server: 'GET /users/:id', handler: 'request handler' });
    expect(fastify).toEqual(express);
  });
});
