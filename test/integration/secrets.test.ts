// Promise 4: secrets never leave the building. A real app (`node --import tracewire/register`, debug logging on)
// exports spans holding secrets; none of them is in the bytes the collector receives, and the OTLP header token
// is in no line the process prints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { spawnApp } from '../support/spawn-app.js';

const receiver = new OtlpReceiver();
beforeAll(async () => {
  await receiver.start();
});
afterAll(() => receiver.stop());

const HEADER_TOKEN = 'OTLP-HEADER-TOKEN-5e3cbd';

describe('secrets are redacted before export and never logged', () => {
  it('no configured secret reaches the receiver: raw request bodies searched, http/protobuf and http/json', async () => {
    for (const protocol of ['http/protobuf', 'http/json']) {
      receiver.clear();
      const app = await spawnApp({
        flags: ['--import', 'tracewire/register'],
        script: 'test/fixtures/secrets.mjs',
        waitForPort: false,
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
          OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${HEADER_TOKEN}`,
          OTEL_SERVICE_NAME: 'secrets',
          TRACEWIRE_REDACT_KEYS: 'card',
          TRACEWIRE_REDACT_PATTERNS: 'bearer,email',
        },
      });
      expect((await app.exited).code, app.stderr()).toBe(0);
      const spans = await receiver.waitFor((s) => s.some((x) => x.name === 'checkout') && s.filter((x) => x.kind === 2).length >= 1);
      const bodies = Buffer.concat(receiver.requests.map((r) => r.rawBody));
      expect(bodies.toString('latin1').match(/SECRET[-.A-Z0-9]*/g) ?? []).toEqual([]);
      // What is left is still useful: the span names, the non-secret query parameter and the redaction marks.
      const client = spans.find((s) => s.kind === 3)!;
      expect(String(client.attributes['url.full'] ?? client.attributes['http.url'])).toMatch(/\?access_token=\[REDACTED\]&page=2$/);
      expect(spans.find((s) => s.name === 'checkout')!.attributes).toMatchObject({
        'db.password': '[REDACTED]',
        'payment.card': '[REDACTED]',
        'user.note': 'contact [REDACTED]',
      });
      // The export itself carried the OTLP header to the collector.
      expect(receiver.requests[0]!.headers.authorization).toBe(`Bearer ${HEADER_TOKEN}`);
    }
  });

  it('no secret query parameter of the README list reaches the receiver through express, fastify, koa or plain http (server and client spans)', async () => {
    receiver.clear();
    const app = await spawnApp({
      flags: ['--import', 'tracewire/register'],
      script: 'test/fixtures/secrets-frameworks.mjs',
      waitForPort: false,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'secrets-frameworks' },
    });
    expect((await app.exited).code, app.stderr()).toBe(0);
    const spans = await receiver.waitFor((s) => s.filter((x) => x.kind === 2).length >= 4 && s.filter((x) => x.kind === 3).length >= 4);
    expect(
      Buffer.concat(receiver.requests.map((r) => r.rawBody))
        .toString('latin1')
        .match(/SECRET-[A-Za-z_]*/g) ?? [],
    ).toEqual([]);
    // The servers' spans are there, named by route where a framework knows it, and the harmless parameter survives.
    expect(
      spans
        .filter((s) => s.kind === 2)
        .map((s) => s.name)
        .sort(),
    ).toEqual(['GET', 'GET /users/:id', 'GET /users/:id', 'GET /users/:id']);
    // koa's own spans are there too (its instrumentation ran), and carry the route, not the URL.
    const koaRouter = spans.find((s) => s.attributes['koa.type'] === 'router')!;
    expect(koaRouter.attributes['http.route']).toBe('/users/:id');
    for (const server of spans.filter((s) => s.kind === 2)) expect(String(server.attributes['url.query'])).toMatch(/&page=2$/);
  });

  it('the OTLP header token is in no log line, with OTEL_LOG_LEVEL=all, a malformed header entry and a failing collector', async () => {
    const app = await spawnApp({
      flags: ['--import', 'tracewire/register'],
      script: 'test/fixtures/secrets.mjs',
      waitForPort: false,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
        OTEL_EXPORTER_OTLP_TIMEOUT: '500',
        OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${HEADER_TOKEN},x-bad=%E0%A4%A${HEADER_TOKEN}`,
        OTEL_LOG_LEVEL: 'all',
      },
    });
    expect((await app.exited).code, app.stderr()).toBe(0);
    const output = app.stdout() + app.stderr();
    expect(output).toContain('[REDACTED]'); // the debug print of the configuration ran
    expect(output).toContain('could not export'); // and so did the failure report
    expect(output).not.toContain(HEADER_TOKEN);
  });
});
