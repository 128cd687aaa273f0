// Promise 7: bounded everything. Span limits from OTEL_SPAN_* / OTEL_*_ATTRIBUTE_* are applied to what is exported,
// and spans that are never ended are not kept alive by tracewire (its processors, propagator and queue).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { spawnApp } from '../support/spawn-app.js';

const receiver = new OtlpReceiver();
beforeAll(async () => {
  await receiver.start();
});
afterAll(() => receiver.stop());

describe('bounded everything', () => {
  it('a span that is never ended is garbage-collected: tracewire holds nothing for it', async () => {
    const app = await spawnApp({
      flags: ['--expose-gc', '--import', 'tracewire/register'],
      script: 'test/fixtures/unended-spans.mjs',
      waitForPort: false,
      // Redaction and propagateTo on too: neither may keep spans alive.
      env: {
        SPANS: '10000',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        TRACEWIRE_PROPAGATE_TO: 'localhost',
        TRACEWIRE_REDACT_PATTERNS: 'email',
      },
    });
    expect((await app.exited).code, app.stderr()).toBe(0);
    expect(JSON.parse(app.stdout())).toEqual({ created: 10_000, collected: 10_000 });
    expect(receiver.spans).toHaveLength(0);
  });

  it('OTEL_SPAN_* and OTEL_*_ATTRIBUTE_* limits are applied to attributes, events and links', async () => {
    receiver.clear();
    const app = await spawnApp({
      flags: [],
      script: 'test/fixtures/limits.mjs',
      waitForPort: false,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '3',
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '5',
        OTEL_SPAN_EVENT_COUNT_LIMIT: '2',
        OTEL_SPAN_LINK_COUNT_LIMIT: '1',
        OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '1',
        OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: '1',
      },
    });
    expect((await app.exited).code, app.stderr()).toBe(0);
    const span = receiver.spans.find((s) => s.name === 'limited')!;
    expect(span.attributes).toEqual({ a0: 'xxxxx', a1: 'xxxxx', a2: 'xxxxx' });
    expect(span.events.map((e) => e.name)).toEqual(['e8', 'e9']); // the newest ones are kept
    expect(span.events.every((e) => Object.keys(e.attributes).length === 1)).toBe(true);
    expect(span.links).toHaveLength(1);
  });
});
