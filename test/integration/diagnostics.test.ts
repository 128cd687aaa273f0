import { describe, expect, it } from 'vitest';
import { spawnApp } from '../support/spawn-app.js';

async function startupOutput(env: Record<string, string>, script = 'test/fixtures/idle.mjs', flags = ['--import', 'tracewire/register']) {
  const app = await spawnApp({ flags, script, env: { OTEL_TRACES_EXPORTER: 'otlp', ...env }, waitForPort: false });
  const { code } = await app.exited;
  expect(code).toBe(0);
  return app.stderr();
}

describe('diagnostics', () => {
  it('OTEL_LOG_LEVEL=debug prints the resolved config once, with header values redacted', async () => {
    const stderr = await startupOutput({
      OTEL_LOG_LEVEL: 'debug',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20s3cr3t-t0ken',
      OTEL_SERVICE_NAME: 'dbg',
    });
    expect(stderr.match(/resolved configuration/g)).toHaveLength(1);
    expect(stderr).toContain('"authorization": "[REDACTED]"');
    expect(stderr).toContain('"serviceName": "dbg"');
    expect(stderr).not.toContain('s3cr3t');
  });

  it('warns when the http exporter points at the gRPC port 4317', async () => {
    const stderr = await startupOutput({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317' });
    expect(stderr).toContain('uses port 4317, the OTLP/gRPC port');
  });

  it.each([
    ['14268', "Jaeger's legacy Thrift"],
    ['16686', "Jaeger's query UI"],
    ['3200', "Tempo's query HTTP API"],
  ])('warns when the endpoint is on port %s', async (port, why) => {
    const stderr = await startupOutput({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(stderr).toContain(why);
  });

  it('warns when OTEL_EXPORTER_OTLP_ENDPOINT already ends in /v1/traces', async () => {
    const stderr = await startupOutput({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' });
    expect(stderr).toContain('ends in /v1/traces/v1/traces');
    expect(stderr).toContain('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  });

  it('warns when express was loaded before tracing started, with the CommonJS remedy', async () => {
    const stderr = await startupOutput({}, 'test/fixtures/early-express.cjs', []);
    expect(stderr).toContain('express was loaded before tracing started');
    expect(stderr).toContain(
      '`node --require tracewire/register test/fixtures/early-express.cjs`, or require the file that calls initTracing() before anything else',
    );
  });

  it('a bad environment value gives one warning naming the variable, the value and the fallback', async () => {
    const stderr = await startupOutput({ OTEL_BSP_SCHEDULE_DELAY: 'soon' });
    expect(stderr.trim().split('\n')).toEqual([
      'tracewire: OTEL_BSP_SCHEDULE_DELAY="soon" is not an integer between 0 and 2147483647; using 5000.',
    ]);
  });

  it('OTEL_SDK_DISABLED=true starts nothing and prints nothing', async () => {
    const stderr = await startupOutput({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317' });
    expect(stderr).toBe('');
  });
});
