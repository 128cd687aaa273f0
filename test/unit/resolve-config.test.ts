import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';

describe('resolveConfig: precedence and defaults', () => {
  it('uses the documented defaults with an empty environment', () => {
    const { config, errors, warnings } = resolveConfig({}, {});
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(config.tracesEndpoint).toBe('http://localhost:4318/v1/traces');
    expect(config.protocol).toBe('http/protobuf');
    expect(config.sampler).toBe('parentbased_always_on');
    expect(config.propagators).toEqual(['tracecontext', 'baggage']);
    expect(config.serviceName).toBe('unknown_service:node');
    expect(config.exporters).toEqual(['otlp']);
    expect(config.batch).toEqual({ scheduleDelayMs: 5000, maxQueueSize: 2048, maxExportBatchSize: 512, exportTimeoutMs: 30000 });
    expect(config.instrumentations).not.toContain('fs');
    expect(config.instrumentations).toContain('http');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lets code options win over the environment, and the environment over defaults', () => {
    const env = { OTEL_SERVICE_NAME: 'from-env', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100' };
    const fromEnv = resolveConfig({}, env).config;
    expect(fromEnv.serviceName).toBe('from-env');
    expect(fromEnv.protocol).toBe('http/json');
    expect(fromEnv.batch.scheduleDelayMs).toBe(100);
    const fromCode = resolveConfig({ serviceName: 'from-code', protocol: 'http/protobuf', batch: { scheduleDelayMs: 7 } }, env).config;
    expect(fromCode.serviceName).toBe('from-code');
    expect(fromCode.protocol).toBe('http/protobuf');
    expect(fromCode.batch.scheduleDelayMs).toBe(7);
  });

  it('treats empty variables as unset', () => {
    const { config, warnings } = resolveConfig({}, { OTEL_SERVICE_NAME: '', OTEL_EXPORTER_OTLP_ENDPOINT: '  ', OTEL_TRACES_SAMPLER: '' });
    expect(warnings).toEqual([]);
    expect(config.serviceName).toBe('unknown_service:node');
    expect(config.tracesEndpoint).toBe('http://localhost:4318/v1/traces');
  });
});

describe('resolveConfig: OTEL_SDK_DISABLED', () => {
  it.each([
    ['true', true, 0],
    ['TRUE', true, 0],
    ['True', true, 0],
    ['false', false, 0],
    ['1', false, 1],
    ['yes', false, 1],
  ])('OTEL_SDK_DISABLED=%s is %s (warnings: %i)', (value, disabled, warningCount) => {
    const { config, warnings } = resolveConfig({}, { OTEL_SDK_DISABLED: value });
    expect(config.disabled).toBe(disabled);
    expect(warnings).toHaveLength(warningCount);
    if (warningCount) expect(warnings[0]).toContain(`OTEL_SDK_DISABLED="${value}"`);
  });
});

describe('resolveConfig: endpoints', () => {
  it('appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT, with or without a trailing slash', () => {
    expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318' }).config.tracesEndpoint).toBe(
      'http://tempo:4318/v1/traces',
    );
    expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318/' }).config.tracesEndpoint).toBe(
      'http://tempo:4318/v1/traces',
    );
    expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://gw/otlp' }).config.tracesEndpoint).toBe('http://gw/otlp/v1/traces');
  });

  it('uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, and prefers it', () => {
    const { config } = resolveConfig(
      {},
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:9999/custom' },
    );
    expect(config.tracesEndpoint).toBe('http://b:9999/custom');
    expect(config.endpointSource).toBe('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  });

  it('warns on a non-URL endpoint and names the fallback', () => {
    const { config, warnings } = resolveConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' });
    expect(config.tracesEndpoint).toBe('http://localhost:4318/v1/traces');
    expect(warnings).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT="localhost:4318" is not an http(s) URL; using http://localhost:4318/v1/traces.',
    ]);
  });
});

describe('resolveConfig: exporter settings', () => {
  it('decodes percent-encoded OTEL_EXPORTER_OTLP_HEADERS and prefers the traces-specific variable', () => {
    expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc,X-Scope-OrgID=team-a' }).config.headers).toEqual({
      Authorization: 'Bearer abc',
      'X-Scope-OrgID': 'team-a',
    });
    expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_HEADERS: 'a=1', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=2' }).config.headers).toEqual({
      b: '2',
    });
  });

  it('skips a malformed header entry without printing its value', () => {
    const { config, warnings } = resolveConfig({}, { OTEL_EXPORTER_OTLP_HEADERS: 'token=%E0%A4%A,ok=1' });
    expect(config.headers).toEqual({ ok: '1' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('token=[REDACTED]');
    expect(warnings[0]).not.toContain('%E0');
  });

  it('reads protocol, compression and timeout, signal-specific first', () => {
    const { config } = resolveConfig(
      {},
      {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'HTTP/JSON',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
        OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      },
    );
    expect(config.protocol).toBe('http/json');
    expect(config.compression).toBe('gzip');
    expect(config.timeoutMs).toBe(2500);
  });

  it('warns that grpc is unsupported and falls back to http/protobuf', () => {
    const { config, warnings } = resolveConfig({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(config.protocol).toBe('http/protobuf');
    expect(warnings[0]).toMatch(/^OTEL_EXPORTER_OTLP_PROTOCOL="grpc" is not supported.*using http\/protobuf\.$/);
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_TIMEOUT', 'soon', '10000'],
    ['OTEL_BSP_MAX_QUEUE_SIZE', '-5', '2048'],
    ['OTEL_BSP_SCHEDULE_DELAY', '1.5', '5000'],
    ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'many', '128'],
  ])('%s=%s warns once and falls back to %s', (name, value, fallback) => {
    const { warnings } = resolveConfig({}, { [name]: value });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${name}="${value}"`);
    expect(warnings[0]).toContain(`using ${fallback}`);
  });

  it('parses OTEL_TRACES_EXPORTER lists, including none and console', () => {
    expect(resolveConfig({}, { OTEL_TRACES_EXPORTER: 'none' }).config.exporters).toEqual([]);
    expect(resolveConfig({}, { OTEL_TRACES_EXPORTER: 'otlp, console' }).config.exporters).toEqual(['otlp', 'console']);
    expect(resolveConfig({}, { OTEL_TRACES_EXPORTER: 'otlp,OTLP' }).config.exporters).toEqual(['otlp']);
    const bad = resolveConfig({}, { OTEL_TRACES_EXPORTER: 'zipkin' });
    expect(bad.config.exporters).toEqual(['otlp']);
    expect(bad.warnings[0]).toContain('OTEL_TRACES_EXPORTER="zipkin"');
  });
});

describe('resolveConfig: sampler, propagators, limits, instrumentations', () => {
  it('reads OTEL_TRACES_SAMPLER and its ratio argument', () => {
    const { config } = resolveConfig({}, { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05' });
    expect(config.sampler).toBe('parentbased_traceidratio');
    expect(config.samplerArg).toBe(0.05);
  });

  it('warns on an unknown sampler and falls back to parentbased_always_on', () => {
    const { config, warnings } = resolveConfig({}, { OTEL_TRACES_SAMPLER: 'sometimes' });
    expect(config.sampler).toBe('parentbased_always_on');
    expect(warnings).toEqual([expect.stringContaining('OTEL_TRACES_SAMPLER="sometimes" is not one of')]);
    expect(warnings[0]).toContain('using parentbased_always_on');
  });

  it('warns on a ratio outside [0, 1]', () => {
    const { config, warnings } = resolveConfig({}, { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '5' });
    expect(config.samplerArg).toBe(1);
    expect(warnings[0]).toContain('OTEL_TRACES_SAMPLER_ARG="5"');
  });

  it('reads OTEL_PROPAGATORS, dedupes, honours none, and warns on unknown names', () => {
    expect(resolveConfig({}, { OTEL_PROPAGATORS: 'b3multi, jaeger,b3multi' }).config.propagators).toEqual(['b3multi', 'jaeger']);
    expect(resolveConfig({}, { OTEL_PROPAGATORS: 'none' }).config.propagators).toEqual([]);
    const bad = resolveConfig({}, { OTEL_PROPAGATORS: 'tracecontext,xray' });
    expect(bad.config.propagators).toEqual(['tracecontext']);
    expect(bad.warnings[0]).toContain('xray');
  });

  it('reads span limits, the specific variable before the general one', () => {
    const { config } = resolveConfig(
      {},
      {
        OTEL_ATTRIBUTE_COUNT_LIMIT: '10',
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '20',
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '64',
        OTEL_SPAN_EVENT_COUNT_LIMIT: '3',
        OTEL_SPAN_LINK_COUNT_LIMIT: '4',
      },
    );
    expect(config.spanLimits.attributeCountLimit).toBe(20);
    expect(config.spanLimits.attributeValueLengthLimit).toBe(64);
    expect(config.spanLimits.eventCountLimit).toBe(3);
    expect(config.spanLimits.linkCountLimit).toBe(4);
  });

  it('caps the export batch at the queue size with a warning', () => {
    const { config, warnings } = resolveConfig({}, { OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500' });
    expect(config.batch.maxExportBatchSize).toBe(100);
    expect(warnings).toHaveLength(1);
  });

  it('selects instrumentations with OTEL_NODE_ENABLED/DISABLED_INSTRUMENTATIONS', () => {
    expect(resolveConfig({}, { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,fs' }).config.instrumentations).toEqual(['http', 'fs']);
    expect(resolveConfig({}, { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'express' }).config.instrumentations).not.toContain('express');
    expect(resolveConfig({ instrumentations: false }, {}).config.instrumentations).toEqual([]);
  });
});

describe('resolveConfig: bad options in code', () => {
  it('collects every problem instead of stopping at the first', () => {
    const { errors } = resolveConfig(
      { protocol: 'grpc', sampler: 'sometimes', timeoutMs: -1, endpoint: 'nope', batch: { maxQueueSize: 0 }, colour: 'blue' } as any,
      {},
    );
    expect(errors).toHaveLength(6);
    expect(errors.join('\n')).toMatch(/protocol.*grpc/);
    expect(errors.join('\n')).toMatch(/sampler.*sometimes/);
    expect(errors.join('\n')).toMatch(/timeoutMs/);
    expect(errors.join('\n')).toMatch(/endpoint/);
    expect(errors.join('\n')).toMatch(/batch.maxQueueSize/);
    expect(errors.join('\n')).toMatch(/colour: unknown option/);
  });

  it('never reads process.env: the environment is only what is passed', () => {
    process.env.OTEL_SERVICE_NAME = 'leaked-from-process-env';
    try {
      expect(resolveConfig({}, {}).config.serviceName).toBe('unknown_service:node');
    } finally {
      delete process.env.OTEL_SERVICE_NAME;
    }
  });
});
