// A new user's install, as npm does it today: an express app that already depends on @opentelemetry/api (whatever
// version npm picks) adds the packed tracewire tarball, and runs with `--require tracewire/register` and with
// `--import tracewire/register`. The install prints no peer-dependency warning, the app and tracewire share one
// copy of the API, and the app's own span (made through its own copy of the API) arrives under the server span.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { descendsFrom } from '../support/span-tree.js';
import { ROOT, spawnApp, stopApp } from '../support/spawn-app.js';

const dir = mkdtempSync(join(tmpdir(), 'tracewire-packed-'));
const appDir = join(dir, 'app');
let tarball = '';
let installOutput = '';

/** npm with the user's defaults (no audit or funding noise) in `cwd`; returns stdout. */
function npm(args: string[], cwd = appDir): string {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund'], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_loglevel: 'warn' },
  });
}

/** The same, with stderr and the exit status. */
function npmWithStderr(args: string[], cwd = appDir): { status: number; output: string } {
  const result = spawnSync('npm', [...args, '--no-audit', '--no-fund'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'warn' },
  });
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

const APP = (
  esm: boolean,
) => `${esm ? "import express from 'express';\nimport { trace } from '@opentelemetry/api';" : "const express = require('express');\nconst { trace } = require('@opentelemetry/api');"}
const app = express();
app.get('/api/users', (req, res) => {
  const span = trace.getTracer('my-service').startSpan('get_users');
  const traceId = span.spanContext().traceId;
  span.end();
  res.json({ traceId });
});
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
`;

beforeAll(() => {
  mkdirSync(appDir);
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'users-app', version: '1.0.0', private: true }));
  writeFileSync(join(appDir, 'app.cjs'), APP(false));
  writeFileSync(join(appDir, 'app.mjs'), APP(true));
  // The app as it was before tracewire: express and the API, at the versions npm picks today.
  npm(['install', 'express', '@opentelemetry/api']);
  execFileSync('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  tarball = join(
    dir,
    readdirSync(dir).find((f) => f.endsWith('.tgz'))!,
  );
  const install = npmWithStderr(['install', tarball]);
  expect(install.status, install.output).toBe(0);
  installOutput = install.output;
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the packed tarball and an app pinned to an older @opentelemetry/api', () => {
  it('refuses the install with an error naming the API, and installs after the remedy', () => {
    const pinned = join(dir, 'pinned');
    mkdirSync(pinned);
    writeFileSync(
      join(pinned, 'package.json'),
      JSON.stringify({ name: 'pinned-app', version: '1.0.0', private: true, dependencies: { '@opentelemetry/api': '1.9.0' } }),
    );
    npm(['install'], pinned);
    const refused = npmWithStderr(['install', tarball], pinned);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toMatch(/ERESOLVE/);
    expect(refused.output).toMatch(/peer @opentelemetry\/api@">=1\.10\.0 <1\.11\.0" from tracewire/);
    // The remedy tracewire's README and startup warning give.
    const fixed = npmWithStderr(['install', '@opentelemetry/api@>=1.10.0 <1.11.0', tarball], pinned);
    expect(fixed.status, fixed.output).toBe(0);
    expect(npm(['ls', '@opentelemetry/api', '--all', '--parseable'], pinned).split('\n').filter(Boolean)).toHaveLength(1);
  });
});

describe('the packed tarball installed into an express app that already has @opentelemetry/api', () => {
  it('installs without any peer-dependency warning', () => {
    expect(installOutput).not.toMatch(/ERESOLVE|peer dep|conflicting peer|Could not resolve dependency/i);
  });

  it('leaves exactly one copy of @opentelemetry/api, shared by the app and tracewire', () => {
    const paths = npm(['ls', '@opentelemetry/api', '--all', '--parseable']).split('\n').filter(Boolean);
    expect(new Set(paths)).toEqual(new Set([join(appDir, 'node_modules/@opentelemetry/api')]));
  });

  it('leaves one copy of import-in-the-middle, whose ESM hooks see only the Hook() calls of their own copy', () => {
    const paths = npm(['ls', 'import-in-the-middle', '--all', '--parseable']).split('\n').filter(Boolean);
    expect(new Set(paths)).toEqual(new Set([join(appDir, 'node_modules/import-in-the-middle')]));
  });

  it.each([
    ['--require', 'app.cjs'],
    ['--import', 'app.mjs'],
  ])("started with %s tracewire/register: the app's own span arrives under the server span", async (flag, script) => {
    const receiver = new OtlpReceiver();
    await receiver.start();
    const app = await spawnApp({
      flags: [flag, 'tracewire/register'],
      script: join(appDir, script),
      cwd: appDir,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'users-app' },
    });
    try {
      const { traceId } = (await (await fetch(`${app.url}/api/users`)).json()) as { traceId: string };
      expect(traceId).not.toBe('0'.repeat(32));
      const spans = await receiver.waitFor((s) => s.some((x) => x.name === 'get_users') && s.some((x) => x.kind === 2));
      const own = spans.find((s) => s.name === 'get_users')!;
      const server = spans.find((s) => s.kind === 2)!;
      expect(server.name).toBe('GET /api/users');
      expect(own.traceId).toBe(traceId);
      expect(own.scope).toBe('my-service');
      expect(descendsFrom(spans, own, server), JSON.stringify(spans.map((s) => [s.name, s.spanId, s.parentSpanId]))).toBe(true);
      expect(app.stderr()).not.toMatch(/tracewire: .*(@opentelemetry\/api|copies|dedupe)/);
    } finally {
      await stopApp(app);
      await receiver.stop();
    }
  });
});
