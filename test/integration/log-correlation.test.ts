// Log correlation in real child processes: apps started with the register flag, logging with the real pino and
// winston through tracewire/pino and tracewire/winston resolved by package name (ESM import and CommonJS require).
import { SpanKind } from '@opentelemetry/api';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { cleanEnv, ROOT, spawnApp, stopApp, type App } from '../support/spawn-app.js';

const receiver = new OtlpReceiver();
beforeAll(async () => {
  await receiver.start();
});
afterAll(() => receiver.stop());

type Line = Record<string, unknown>;
const logLines = (app: App): Line[] =>
  app
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes('"logger"'))
    .map((l) => JSON.parse(l) as Line);

describe.each([
  { kind: 'ESM', flags: ['--import', 'tracewire/register'], script: 'test/fixtures/log-app.mjs' },
  { kind: 'CommonJS', flags: ['--require', 'tracewire/register'], script: 'test/fixtures/log-app.cjs' },
])('$kind app started with $flags, logging with pino and winston', ({ kind, flags, script }) => {
  let app: App;
  const service = `logs-${kind}`;

  beforeAll(async () => {
    app = await spawnApp({
      flags,
      script,
      env: { OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' },
    });
  });
  afterAll(() => stopApp(app));

  it('log lines in an instrumented request handler carry the server span’s ids, also after an await and inside withSpan', async () => {
    const res = await fetch(`${app.url}/order`);
    expect(await res.text()).toBe('ok');
    const spans = await receiver.waitFor((all) => all.some((s) => s.service === service && s.name === 'charge card'));
    const charge = spans.find((s) => s.service === service && s.name === 'charge card')!;
    const server = spans.find((s) => s.service === service && s.kind === SpanKind.SERVER + 1 && s.traceId === charge.traceId)!;
    expect(charge.parentSpanId).toBe(server.spanId);

    for (const logger of ['pino', 'winston']) {
      const lines = logLines(app).filter((l) => l.logger === logger);
      const step = (name: string) => lines.find((l) => l.step === name)!;
      expect(step('received'), logger).toMatchObject({ trace_id: server.traceId, span_id: server.spanId, trace_flags: '03' });
      expect(step('after-await'), logger).toMatchObject({ trace_id: server.traceId, span_id: server.spanId, trace_flags: '03' });
      expect(step('in-span'), logger).toMatchObject({ trace_id: charge.traceId, span_id: charge.spanId, trace_flags: '03' });
    }
  });

  it('log lines outside any span carry no ids', () => {
    const startup = logLines(app).filter((l) => l.step === 'startup');
    expect(startup.map((l) => l.logger).sort()).toEqual(['pino', 'winston']);
    for (const line of startup) {
      expect(line).not.toHaveProperty('trace_id');
      expect(line).not.toHaveProperty('span_id');
      expect(line).not.toHaveProperty('trace_flags');
    }
  });
});

/** Runs a script in a child process from the repository root, where `tracewire` resolves to this package by name. */
function runNode(args: string[], env: Record<string, string> = {}): string {
  const out = spawnSync(process.execPath, args, { cwd: ROOT, env: cleanEnv(env), encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${out.stderr}`);
  return out.stdout;
}

const LOADED = `Object.keys(require.cache).some((f) => /[\\\\/]node_modules[\\\\/](pino|winston)[\\\\/]/.test(f))`;

describe('pino and winston stay optional', () => {
  it('require("tracewire") and require("tracewire/pino") load neither pino nor winston', () => {
    const script = `
      require('tracewire'); require('tracewire/pino'); require('tracewire/winston');
      const before = ${LOADED};
      require('pino'); // control: the check does see pino once it is loaded
      console.log(JSON.stringify({ before, after: ${LOADED} }));`;
    expect(JSON.parse(runNode(['-e', script]))).toEqual({ before: false, after: true });
  });

  it('import "tracewire" and import "tracewire/winston" load neither pino nor winston', () => {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      await import('tracewire'); await import('tracewire/pino'); await import('tracewire/winston');
      const before = ${LOADED};
      await import('winston'); // control: CommonJS packages imported from ESM land in require.cache too
      console.log(JSON.stringify({ before, after: ${LOADED} }));`;
    expect(JSON.parse(runNode(['--input-type=module', '-e', script]))).toEqual({ before: false, after: true });
  });
});

describe('option errors of the log hooks', () => {
  it('are TracewireConfigError instances for the main entry’s class, in CommonJS (one bundle per entry) and ESM', () => {
    const check = (load: string) => `
      ${load}
      const results = [];
      for (const make of [() => pinoMixin({ colour: 1 }), () => traceFormat({ fields: 'kebab' })]) {
        try { make(); results.push('no error'); } catch (e) { results.push(e instanceof TracewireConfigError && e.code); }
      }
      results.push(new Error('x') instanceof TracewireConfigError);
      console.log(JSON.stringify(results));`;
    const cjs = check(
      `const { TracewireConfigError } = require('tracewire'); const { pinoMixin } = require('tracewire/pino'); const { traceFormat } = require('tracewire/winston');`,
    );
    const esm = check(
      `import { TracewireConfigError } from 'tracewire'; import { pinoMixin } from 'tracewire/pino'; import { traceFormat } from 'tracewire/winston';`,
    );
    const expected = ['TRACEWIRE_CONFIG', 'TRACEWIRE_CONFIG', false];
    expect(JSON.parse(runNode(['-e', cjs]))).toEqual(expected);
    expect(JSON.parse(runNode(['--input-type=module', '-e', esm]))).toEqual(expected);
  });
});

describe('service.name in log lines', () => {
  it('is OTEL_SERVICE_NAME before tracing starts, then the name of the running tracewire', () => {
    const script = `
      const { getLogContext, initTracing } = require('tracewire');
      const { pinoMixin } = require('tracewire/pino');
      const mixin = pinoMixin({ serviceName: true });
      const OPTS = { serviceName: true };
      const before = [getLogContext(undefined, OPTS)['service.name'], mixin()['service.name']];
      const tracing = initTracing({ serviceName: 'from-code', exporters: ['none'], instrumentations: false, shutdownSignals: false });
      const after = [getLogContext(undefined, OPTS)['service.name'], mixin()['service.name']];
      console.log(JSON.stringify({ before, after }));
      tracing.shutdown();`;
    expect(JSON.parse(runNode(['-e', script], { OTEL_SERVICE_NAME: 'from-env' }))).toEqual({
      before: ['from-env', 'from-env'],
      after: ['from-code', 'from-code'],
    });
  });

  it('is unknown_service:node when neither tracewire nor OTEL_SERVICE_NAME names the service', () => {
    const script = `console.log(require('tracewire').getLogContext(undefined, { serviceName: true })['service.name'])`;
    expect(runNode(['-e', script]).trim()).toBe('unknown_service:node');
  });
});
