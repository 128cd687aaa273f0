import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initTracing, withSpan, type TracingHandle } from '../../src/index.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';

const receiver = new OtlpReceiver();
let handle: TracingHandle | undefined;
beforeAll(async () => {
  await receiver.start();
});
afterAll(() => receiver.stop());
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  receiver.clear();
});

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl';

async function exported(options: Parameters<typeof initTracing>[0], attributes: Record<string, string | number | string[]>) {
  handle = initTracing({ endpoint: receiver.url, instrumentations: false, shutdownSignals: false, ...options });
  withSpan('op', (span) => {
    span.setAttributes(attributes);
    span.addEvent('retry', { 'http.request.header.cookie': 'sid=abc', note: `sent ${JWT}` });
  });
  await handle.forceFlush();
  return receiver.spans[0]!;
}

describe('secrets are redacted before export', () => {
  it('by default: values of authorization, cookie, set-cookie, proxy-authorization, x-api-key, password, secret and token keys', async () => {
    const span = await exported(
      {},
      {
        'http.request.header.authorization': 'Bearer abc',
        'http.request.header.proxy-authorization': 'Basic eA==',
        'http.response.header.set-cookie': ['a=1', 'b=2'],
        'http.request.header.x-api-key': 'k-123',
        'db.password': 'hunter2',
        client_secret: 's',
        accessToken: 't',
        'app.user': 'ada',
        'gen_ai.usage.input_tokens': 42,
      },
    );
    expect(span.attributes).toEqual({
      'http.request.header.authorization': '[REDACTED]',
      'http.request.header.proxy-authorization': '[REDACTED]',
      'http.response.header.set-cookie': '[REDACTED]',
      'http.request.header.x-api-key': '[REDACTED]',
      'db.password': '[REDACTED]',
      client_secret: '[REDACTED]',
      accessToken: '[REDACTED]',
      'app.user': 'ada',
      'gen_ai.usage.input_tokens': 42,
    });
    expect(span.events[0]!.attributes).toEqual({ 'http.request.header.cookie': '[REDACTED]', note: `sent ${JWT}` });
  });

  it('redacts secret query parameters inside url.full, http.url, url.query and http.target, and nothing else of the URL', async () => {
    const span = await exported(
      {},
      {
        'url.full': 'https://api.example.com/x?access_token=abc&page=2&api_password=p#frag',
        'http.url': 'http://h/p?Token=1',
        'url.query': 'secret=s&q=ok',
        'http.target': '/search?q=shoes&session_token=zz',
        'url.path': '/token=visible-because-not-a-query',
      },
    );
    expect(span.attributes).toEqual({
      'url.full': 'https://api.example.com/x?access_token=[REDACTED]&page=2&api_password=[REDACTED]#frag',
      'http.url': 'http://h/p?Token=[REDACTED]',
      'url.query': 'secret=[REDACTED]&q=ok',
      'http.target': '/search?q=shoes&session_token=[REDACTED]',
      'url.path': '/token=visible-because-not-a-query',
    });
  });

  it('redacts the common credential parameter names (Sentry, Datadog, OAuth, OWASP) in queries, also one put in url.path, without touching attributes named like them', async () => {
    const names = [
      'api_key',
      'apiKey',
      'key',
      'code',
      'session',
      'sid',
      'pass',
      'pwd',
      'jwt',
      'signature',
      'client_secret',
      'refresh_token',
      'JSESSIONID',
    ];
    const query = names.map((n) => `${n}=v`).join('&');
    const span = await exported(
      {},
      {
        'url.query': `${query}&page=2`,
        'url.path': `/users/1?password=hunter2&access_token=s3cr3t&q=ok`,
        'http.response.status_code': 200,
        'messaging.kafka.message.key': 'order-7',
      },
    );
    expect(span.attributes).toEqual({
      'url.query': `${names.map((n) => `${n}=[REDACTED]`).join('&')}&page=2`,
      'url.path': '/users/1?password=[REDACTED]&access_token=[REDACTED]&q=ok',
      'http.response.status_code': 200,
      'messaging.kafka.message.key': 'order-7',
    });
  });

  it("redacts secret query parameters in any instrumentation's route or path attribute (http.route, express.name, koa.name, fastify.name, *.route, *.path, *.url, *.uri, *.target), only after a '?'", async () => {
    const span = await exported(
      {},
      {
        'http.route': '/users/:id?api_key=k1',
        'express.name': '/users?access_token=k2&page=2',
        'koa.name': '/login?password=k3',
        'fastify.name': '/f?api_key=k9',
        'nestjs.route': '/a?token=k4',
        'app.request.path': '/b?session=k5',
        'graphql.source.url': 'https://h/c?client_secret=k6',
        'rpc.uri': '/d?sid=k7',
        'proxy.target': 'http://up/e?jwt=k8',
        'koa.type': 'router',
        'db.name': 'key=not-a-query',
        'app.route': 'key=not-a-query-either',
      },
    );
    expect(span.attributes).toEqual({
      'http.route': '/users/:id?api_key=[REDACTED]',
      'express.name': '/users?access_token=[REDACTED]&page=2',
      'koa.name': '/login?password=[REDACTED]',
      'fastify.name': '/f?api_key=[REDACTED]',
      'nestjs.route': '/a?token=[REDACTED]',
      'app.request.path': '/b?session=[REDACTED]',
      'graphql.source.url': 'https://h/c?client_secret=[REDACTED]',
      'rpc.uri': '/d?sid=[REDACTED]',
      'proxy.target': 'http://up/e?jwt=[REDACTED]',
      'koa.type': 'router',
      'db.name': 'key=not-a-query',
      'app.route': 'key=not-a-query-either',
    });
  });

  it('redact.keys adds keys; redact.patterns replaces bearer tokens, JWTs, emails and custom patterns in any string value', async () => {
    const span = await exported(
      { redact: { keys: ['iban'], patterns: ['bearer', 'jwt', 'email', /\b\d{4}-\d{4}-\d{4}-\d{4}\b/] } },
      {
        'payment.iban': 'DE89370400440532013000',
        'log.message': `user ada@example.com sent Authorization: Bearer abc.DEF-123 and card 4111-1111-1111-1111`,
        list: ['ok', `jwt ${JWT}`],
      },
    );
    expect(span.attributes).toEqual({
      'payment.iban': '[REDACTED]',
      'log.message': 'user [REDACTED] sent Authorization: [REDACTED] and card [REDACTED]',
      list: ['ok', 'jwt [REDACTED]'],
    });
    expect(span.events[0]!.attributes.note).toBe('sent [REDACTED]');
  });

  it('redact: false exports values as they are', async () => {
    const span = await exported({ redact: false }, { 'http.request.header.authorization': 'Bearer abc' });
    expect(span.attributes['http.request.header.authorization']).toBe('Bearer abc');
  });

  it('the secret never reaches the receiver: not in any request body, protobuf or JSON', async () => {
    for (const protocol of ['http/protobuf', 'http/json'] as const) {
      await exported(
        { protocol, redact: { patterns: ['email'] } },
        { 'db.password': 'P4ssw0rd-UNIQUE', 'user.note': 'mail P4ssw0rd-UNIQUE@corp.example' },
      );
      const bodies = Buffer.concat(receiver.requests.map((r) => r.rawBody));
      expect(bodies.length).toBeGreaterThan(0);
      expect(bodies.includes('P4ssw0rd-UNIQUE')).toBe(false);
      expect(bodies.includes('[REDACTED]')).toBe(true);
      await handle!.shutdown();
      handle = undefined;
      receiver.clear();
    }
  });
});

describe('query parameters, redacted by the processor itself', () => {
  it('matches encoded names, keeps names without a value and empty segments, and answers the same from its cache and for long names', async () => {
    const { RedactionProcessor } = await import('../../src/redaction/redaction-processor.js');
    const { DEFAULT_REDACT_KEYS } = await import('../../src/redaction/redact-patterns.js');
    const processor = new RedactionProcessor({ keys: DEFAULT_REDACT_KEYS, patterns: [] });
    const cases: Array<[string, string]> = [
      ['/p?%74oken=a&x=1', '/p?%74oken=[REDACTED]&x=1'],
      ['/p?x=1&my+password=b', '/p?x=1&my+password=[REDACTED]'],
      ['/p?token&x=1', '/p?token&x=1'],
      ['/p?&&token=1&', '/p?&&token=[REDACTED]&'],
      ['/p?a=1&b=2#token=frag', '/p?a=1&b=2#token=frag'],
      ['/p?secret=1&secret=2', '/p?secret=[REDACTED]&secret=[REDACTED]'],
      ['/p?bad=%E0%A4%A&token=t', '/p?bad=%E0%A4%A&token=[REDACTED]'],
      ['/p?%E0%A4%A=1', '/p?%E0%A4%A=1'],
      ['/p', '/p'],
      // Longer than the cached names: matched each time.
      [`/p?${'x'.repeat(200)}_token=1&${'y'.repeat(200)}=2`, `/p?${'x'.repeat(200)}_token=[REDACTED]&${'y'.repeat(200)}=2`],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [input, expected] of cases) {
        const attributes: Record<string, string> = { 'http.target': input };
        processor.onEnd({ attributes, events: [], links: [] } as never);
        expect(attributes['http.target'], `${input} (round ${round})`).toBe(expected);
      }
    }
  });
});
