import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CHUNKED } from '../../src/instrumentations/chunked-instrumentations.js';
import { beforeAll, describe, expect, it } from 'vitest';

// What `tracewire/register` loads before the app's first export decides most of its startup cost
// (bench/startup.mjs measures it). These are the rules for the default path.
const run = (flags: string[], script: string): string[] =>
  JSON.parse(
    execFileSync(process.execPath, [...flags, script], {
      encoding: 'utf8',
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_SERVICE_NAME: 'startup-loads' },
    }),
  ) as string[];

describe.each([
  { kind: 'ESM', flags: ['--import', 'tracewire/register'], script: 'test/fixtures/loaded-packages.mjs' },
  { kind: 'CommonJS', flags: ['--require', 'tracewire/register'], script: 'test/fixtures/loaded-packages.cjs' },
])('$kind app started with $flags', ({ flags, script }) => {
  let loaded: string[] = [];
  beforeAll(() => {
    loaded = run(flags, script);
  });

  it("loads @opentelemetry/api from node_modules (the copy the app shares) and the app's express", () => {
    expect(loaded).toContain('@opentelemetry/api');
    expect(loaded).toContain('express');
  });

  it('loads neither @opentelemetry/sdk-node nor the auto-instrumentations meta-package', () => {
    expect(loaded).not.toContain('@opentelemetry/sdk-node');
    expect(loaded).not.toContain('@opentelemetry/auto-instrumentations-node');
  });

  it('loads no exporter before the first export, and no b3/jaeger propagator unless configured', () => {
    expect(loaded.filter((p) => /exporter|otlp-transformer|propagator-(b3|jaeger)/.test(p))).toEqual([]);
  });

  it('takes the SDK and the instrumentations from its bundle, not from node_modules', () => {
    expect(loaded.filter((p) => p.startsWith('@opentelemetry/') && p !== '@opentelemetry/api')).toEqual([]);
  });
});

it('ships one file per library instrumentation the register bundle loads on demand (tsup.config.ts builds them)', () => {
  expect(CHUNKED.filter((name) => !existsSync(`dist/instrumentations/${name}.cjs`))).toEqual([]);
});
