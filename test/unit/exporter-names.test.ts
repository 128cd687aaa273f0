// Reports name the exporter they are about usefully: the class name, or the position in `exporters` for a plain
// object; an OTLP endpoint with credentials is shown with them masked.
import { ExportResultCode } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { createBatchProcessors, exporterName } from '../../src/export/create-exporters.js';
import { maskUrl, maskUrlCredentials, maskUrlList } from '../../src/internal/mask-url.js';

const plain: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.FAILED, error: new Error('nope') }),
  shutdown: async () => undefined,
};

describe('exporter names in reports', () => {
  it('is the class name, or undefined for a plain object or an anonymous class', () => {
    expect(exporterName(new InMemorySpanExporter())).toBe('InMemorySpanExporter');
    expect(exporterName(plain)).toBeUndefined();
    expect(exporterName(new (class {} as new () => SpanExporter)())).toBeUndefined();
    expect(exporterName(Object.create(null) as SpanExporter)).toBeUndefined();
  });

  it('names a plain-object exporter by its position in `exporters` in the failure report', async () => {
    const { config } = resolveConfig({ serviceName: 'names', exporters: [new InMemorySpanExporter(), plain], instrumentations: false }, {});
    const processors = createBatchProcessors(config);
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      const span = { spanContext: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 }) } as unknown as ReadableSpan;
      processors[1]!.onEnd(span);
      await processors[1]!.forceFlush();
    } finally {
      process.stderr.write = write;
    }
    expect(lines.join('')).toContain('could not export 1 spans to the exporter at position 2 of `exporters`');
    expect(lines.join('')).not.toContain('Object exporter');
  });
});

describe('maskUrlCredentials', () => {
  it.each([
    ['http://user:PASSWORD@host:4318/v1/traces', 'http://***@host:4318/v1/traces'],
    ['endpoint https://token@collector.example/v1 failed', 'endpoint https://***@collector.example/v1 failed'],
    ['http://host:4318 (no credentials)', 'http://host:4318 (no credentials)'],
    ['two: http://a:b@x and http://c@y', 'two: http://***@x and http://***@y'],
  ])('%s', (input, masked) => {
    expect(maskUrlCredentials(input)).toBe(masked);
  });

  it('takes linear time on adversarial input', () => {
    const input = `${'http://'.repeat(20_000)}${'a'.repeat(50_000)}`;
    const t0 = performance.now();
    maskUrlCredentials(input);
    // A guard against catastrophic backtracking, not a benchmark: generous on purpose.
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('maskUrl: one URL-valued setting, valid or not', () => {
  it.each([
    ['http://user:PASSWORD@host:4318/v1/traces', 'http://***@host:4318/v1/traces'],
    ['https://:PASSWORD@host', 'https://***@host'],
    ['http://user:p%40ss@host/a@b', 'http://***@host/a@b'],
    ['http://user:p@ss@host', 'http://***@host'],
    ['http://host:4318/v1/traces?tenant=a@b', 'http://host:4318/v1/traces?tenant=a@b'],
    ['http://host:4318', 'http://host:4318'],
    // Not URLs (what the warnings about invalid values print): everything before the last @ goes.
    ['user:PASSWORD@host:4318', '***@host:4318'],
    ['http//user:PASSWORD@host', '***@host'],
    ['ftp://user:PASSWORD@host', 'ftp://***@host'],
    ['http://user:PASS/WORD@host', 'http://***@host'],
    ['http://user:PASS WORD@host', 'http://***@host'],
  ])('%s', (input, masked) => {
    expect(maskUrl(input)).toBe(masked);
    expect(maskUrl(input)).not.toMatch(/PASS|p%40ss|p@ss/);
  });

  it('masks each URL of a list of URLs or key=URL settings', () => {
    expect(maskUrlList('endpoint=http://u:PASSWORD@jaeger:5778,pollingIntervalMs=5000')).toBe(
      'endpoint=http://***@jaeger:5778,pollingIntervalMs=5000',
    );
    expect(maskUrlList('endpoint=u:PASSWORD@jaeger:5778')).toBe('endpoint=***@jaeger:5778');
    expect(maskUrlList('https://u:PASSWORD@api.internal, *.svc.local,u:PASS=WORD@x')).toBe('https://***@api.internal, *.svc.local,***@x');
    expect(maskUrlList('0.5')).toBe('0.5');
  });
});
