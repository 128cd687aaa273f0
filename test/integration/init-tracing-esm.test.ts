// An ES module app that sets up tracing in code (`initTracing()` in a file it imports first, no --import flag), as
// README "Set up tracing in code" describes: what is instrumented, what is not, and that the warning says which is
// which with a remedy that works. Each app serves GET /users/:id with express, koa (@koa/router) and fastify.
// Run once with Node.js 24 and once with Node.js 22 (both have module.registerHooks for import-in-the-middle).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { spawnApp, stopApp, type App } from '../support/spawn-app.js';

const SERVER = 2;
const receiver = new OtlpReceiver();
beforeAll(async () => {
  await receiver.start();
});
afterAll(() => receiver.stop());

interface Apps {
  app: App;
  urls: { express: string; koa: string; fastify: string };
}

async function start(script: string, service: string): Promise<Apps> {
  const app = await spawnApp({
    flags: [],
    script: `test/fixtures/init-tracing/${script}`,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: service, OTEL_BSP_SCHEDULE_DELAY: '100' },
  });
  const ports = JSON.parse(/\{"koa":\d+,"fastify":\d+\}/.exec(app.stdout())![0]) as { koa: number; fastify: number };
  return { app, urls: { express: app.url, koa: `http://127.0.0.1:${ports.koa}`, fastify: `http://127.0.0.1:${ports.fastify}` } };
}

/** The spans of the trace of one GET /users/7 to `base`, once its server span and `minSpans` spans arrived. */
async function traceOf(service: string, base: string, minSpans: number): Promise<{ server: ReceivedSpan; spans: ReceivedSpan[] }> {
  const res = await fetch(`${base}/users/7`);
  expect(res.status).toBe(200);
  await res.text();
  const port = new URL(base).port;
  const isServer = (s: ReceivedSpan) => s.service === service && s.kind === SERVER && String(s.attributes['server.port'] ?? '') === port;
  const all = await receiver.waitFor((s) => {
    const server = s.find(isServer);
    return server !== undefined && s.filter((x) => x.traceId === server.traceId).length >= minSpans;
  });
  const server = all.find(isServer)!;
  return { server, spans: all.filter((s) => s.traceId === server.traceId) };
}

/** express, koa and fastify each give a routed server span and spans of their own under it. */
async function expectAllInstrumented(service: string, urls: Apps['urls']): Promise<void> {
  const express = await traceOf(service, urls.express, 2);
  expect(express.server.name).toBe('GET /users/:id');
  expect(
    express.spans.some(
      (s) =>
        s.scope.includes('express') && s.attributes['express.type'] === 'request_handler' && s.attributes['http.route'] === '/users/:id',
    ),
  ).toBe(true);
  const koa = await traceOf(service, urls.koa, 2);
  expect(koa.server.name).toBe('GET /users/:id');
  expect(koa.spans.some((s) => s.scope.includes('koa') && s.attributes['http.route'] === '/users/:id')).toBe(true);
  const fastify = await traceOf(service, urls.fastify, 2);
  expect(fastify.server.name).toBe('GET /users/:id');
  expect(fastify.spans.some((s) => s.attributes['fastify.type'] === 'request_handler' && s.attributes['http.route'] === '/users/:id')).toBe(
    true,
  );
}

describe('ES module app, initTracing() in the file it imports first, no --import flag', () => {
  describe('frameworks loaded with await import() after initTracing()', () => {
    let apps: Apps;
    beforeAll(async () => {
      apps = await start('dynamic-app.mjs', 'init-dynamic');
    });
    afterAll(() => stopApp(apps.app));

    it("instruments express, koa and fastify: routed server spans and the frameworks' own spans", async () => {
      await expectAllInstrumented('init-dynamic', apps.urls);
      expect(apps.app.stderr()).not.toContain('loaded before tracing started');
    });
  });

  describe('frameworks imported statically next to the tracing file', () => {
    let apps: Apps;
    beforeAll(async () => {
      apps = await start('static-app.mjs', 'init-static');
    });
    afterAll(() => stopApp(apps.app));

    it('warns that express and koa were loaded before tracing started, with the remedies that work (--import, or await import() of the app)', () => {
      const stderr = apps.app.stderr();
      expect(stderr).toContain('express, koa were loaded before tracing started');
      expect(stderr).toContain('node --import tracewire/register test/fixtures/init-tracing/static-app.mjs');
      expect(stderr).toContain("await import('./app.mjs')");
      expect(stderr).not.toContain('in a file imported before anything else');
    });

    it('traces fastify anyway, and does not name it in the warning', async () => {
      const fastify = await traceOf('init-static', apps.urls.fastify, 2);
      expect(fastify.server.name).toBe('GET /users/:id');
      expect(
        fastify.spans.some((s) => s.attributes['fastify.type'] === 'request_handler' && s.attributes['http.route'] === '/users/:id'),
      ).toBe(true);
      expect(apps.app.stderr()).not.toMatch(/fastify[^\n]*loaded before tracing started/);
    });
  });

  describe('the documented remedy: initTracing(), then the app loaded with await import()', () => {
    let apps: Apps;
    beforeAll(async () => {
      apps = await start('main.mjs', 'init-remedy');
    });
    afterAll(() => stopApp(apps.app));

    it('instruments the statically imported express, koa and fastify of the app, without a warning', async () => {
      await expectAllInstrumented('init-remedy', apps.urls);
      expect(apps.app.stderr()).not.toContain('loaded before tracing started');
    });
  });
});
