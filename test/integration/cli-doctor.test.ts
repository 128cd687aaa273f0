// `tracewire doctor` as a user runs it, against the in-process receiver, a closed port, a wrong path, a wrong protocol.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createH2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { runCli } from '../support/run-cli.js';
import { ROOT } from '../support/spawn-app.js';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await new OtlpReceiver().start();
});
afterAll(() => receiver.stop());

const doctor = (env: Record<string, string>, args: string[] = [], cwd?: string) => runCli(['doctor', ...args], env, cwd);

/** A port that was free a moment ago: nothing listens there. */
async function closedPort(): Promise<number> {
  const server = createHttpServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('tracewire doctor', () => {
  it('exits 0 when the endpoint accepts the probe span, and prints the config with headers redacted', async () => {
    receiver.clear();
    const { code, stdout } = await doctor({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'checkout',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20s3cr3t',
    });
    expect(code, stdout).toBe(0);
    expect(stdout).toContain('"serviceName": "checkout"');
    expect(stdout).toContain('"authorization": "[REDACTED]"');
    expect(stdout).not.toContain('s3cr3t');
    expect(stdout).toContain(`✔ POST ${receiver.url}/v1/traces (http/protobuf) → HTTP 200: the probe span was accepted`);
    expect(stdout).toContain('find it as span "tracewire doctor probe" of service "checkout", attribute tracewire.doctor.probe=true');
    expect(stdout).toContain('No problems found.');
    // The probe was a real span of the configured service, sent with the configured headers.
    expect(receiver.spans.map((s) => [s.service, s.name, s.attributes['tracewire.doctor.probe']])).toEqual([
      ['checkout', 'tracewire doctor probe', true],
    ]);
    expect(receiver.requests[0]!.headers.authorization).toBe('Bearer s3cr3t');
  });

  it('sends the probe span as service tracewire-doctor when the app sets no service name (not unknown_service:node)', async () => {
    receiver.clear();
    const { code, stdout } = await doctor({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    expect(code, stdout).toBe(0);
    expect(receiver.spans.map((s) => [s.service, s.name])).toEqual([['tracewire-doctor', 'tracewire doctor probe']]);
    expect(stdout).toContain('find it as span "tracewire doctor probe" of service "tracewire-doctor"');
  });

  it('refuses a header value with a control character before sending, naming the header but never printing the value', async () => {
    receiver.clear();
    const { code, stdout, stderr } = await doctor({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20s3cr3t%0Aevil,x-tenant=t1',
    });
    expect(code).toBe(1);
    expect(`${stdout}${stderr}`).not.toContain('s3cr3t');
    expect(stdout).toContain(
      '✖ OTEL_EXPORTER_OTLP_HEADERS (or the headers option): the value of header "authorization" has a control character (\\n at position 14 of 18; value not shown)',
    );
    expect(stdout).toMatch(/remedy: remove the character from the value/);
    expect(receiver.requests).toHaveLength(0);
  });

  it('sends the probe as the app would: http/json with gzip', async () => {
    receiver.clear();
    const { code } = await doctor({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    });
    expect(code).toBe(0);
    expect(receiver.requests[0]).toMatchObject({ contentType: 'application/json', encoding: 'gzip' });
  });

  it('exits 1 on a closed port, naming it and the remedy', async () => {
    const port = await closedPort();
    const { code, stdout } = await doctor({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(code).toBe(1);
    expect(stdout).toContain(
      `✖ POST http://127.0.0.1:${port}/v1/traces (http/protobuf) → connection refused: nothing listens on 127.0.0.1:${port}`,
    );
    expect(stdout).toMatch(/remedy: start the backend there .*tracewire dev/);
  });

  it('exits 1 on a wrong path: the status, the effective URL, and the path given twice', async () => {
    const { code, stdout } = await doctor({ OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/v1/traces` });
    expect(code).toBe(1);
    expect(stdout).toContain(`✖ POST ${receiver.url}/v1/traces/v1/traces (http/protobuf) → HTTP 404: nothing receives traces at this path`);
    expect(stdout).toContain('✖ the traces endpoint ends in /v1/traces/v1/traces');
    expect(stdout).toMatch(/remedy: drop \/v1\/traces/);
  });

  it('exits 1 on a wrong protocol: an HTTP/2-only (gRPC-style) port', async () => {
    const h2 = createH2Server();
    h2.listen(0, '127.0.0.1');
    await new Promise((r) => h2.once('listening', r));
    try {
      const { port } = h2.address() as AddressInfo;
      const { code, stdout } = await doctor({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` });
      expect(code).toBe(1);
      expect(stdout).toMatch(/did not answer in HTTP\/1\.1 .*OTLP\/gRPC/);
      expect(stdout).toMatch(/remedy: point OTEL_EXPORTER_OTLP_ENDPOINT at the OTLP\/HTTP port/);
    } finally {
      h2.close();
    }
  });

  it.each([
    [200, 'text/html', '<!doctype html><title>UI</title>', 'HTTP 200 with an HTML page: this is a web UI, not an OTLP receiver'],
    [
      401,
      'text/plain',
      'token Bearer s3cr3t is invalid',
      'HTTP 401: the endpoint refused the probe span: not authorised (response body not shown: it may echo your credentials)',
    ],
    [
      404,
      'text/plain',
      'no route for Bearer s3cr3t\u0007\u001b[2J\u009b31m',
      'HTTP 404: nothing receives traces at this path ("no route for [REDACTED]\\x07\\x1b[2J\\x9b31m")',
    ],
    [503, 'text/plain', 'no org id', 'HTTP 503: the endpoint refused the probe span: no tenant (org id) given'],
    [415, 'text/plain', 'unsupported', 'HTTP 415: the endpoint does not accept application/x-protobuf'],
  ])('exits 1 when the endpoint answers %i %s', async (status, type, body, message) => {
    const server = createHttpServer((req, res) => req.resume().on('end', () => res.writeHead(status, { 'content-type': type }).end(body)));
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      // A collector may echo the token it refused: the answer is never printed with it, nor with control characters.
      const { code, stdout } = await doctor({
        OTEL_EXPORTER_OTLP_ENDPOINT: url,
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20s3cr3t',
      });
      expect(code).toBe(1);
      expect(stdout).toContain(`✖ POST ${url}/v1/traces (http/protobuf) → ${message}`);
      expect(stdout).not.toContain('s3cr3t');
      expect(stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    } finally {
      server.close();
    }
  });

  it('exits 1 on https to a plain-http receiver', async () => {
    const { code, stdout } = await doctor({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url.replace('http:', 'https:') });
    expect(code).toBe(1);
    expect(stdout).toMatch(/TLS failed .*does not speak HTTPS/);
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317' }, 'uses port 4317, the OTLP/gRPC port'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:14268' }, "Jaeger's legacy Thrift HTTP collector port"],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:14250' }, "Jaeger's legacy gRPC collector port"],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:16686' }, "Jaeger's query UI"],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:3200' }, "Tempo's query HTTP API"],
  ])('flags a port mismatch (%o)', async (env, message) => {
    const { code, stdout } = await doctor(env);
    expect(code).toBe(1);
    expect(stdout).toContain(message);
    expect(stdout).toMatch(/remedy: point OTEL_EXPORTER_OTLP_ENDPOINT at the OTLP\/HTTP port/);
  });

  it.each([
    [{ OTEL_TRACES_SAMPLER: 'always_off' }, 'sampler always_off: no trace is sampled'],
    [
      { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
      'sampler traceidratio with ratio 0 (OTEL_TRACES_SAMPLER_ARG=0)',
    ],
    [{ OTEL_SDK_DISABLED: 'true' }, 'OTEL_SDK_DISABLED=true: tracing is turned off'],
    [{ OTEL_TRACES_EXPORTER: 'console' }, 'OTEL_TRACES_EXPORTER does not include otlp'],
    [{ OTEL_BSP_SCHEDULE_DELAY: 'soon' }, 'environment: OTEL_BSP_SCHEDULE_DELAY="soon" is not an integer'],
  ])('exits 1 when the configuration sends nothing or is invalid (%o)', async (env, message) => {
    const { code, stdout } = await doctor({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env });
    expect(code).toBe(1);
    expect(stdout).toContain(`✖ ${message}`);
    expect(stdout).toMatch(/remedy: /);
  });

  describe('--app', () => {
    let app: string;
    beforeAll(() => {
      app = mkdtempSync(join(tmpdir(), 'tracewire-doctor-app-'));
      mkdirSync(join(app, 'node_modules'));
      // The app has tracewire and express installed (links to this checkout's copies).
      symlinkSync(ROOT, join(app, 'node_modules', 'tracewire'), 'dir');
      symlinkSync(join(ROOT, 'node_modules', 'express'), join(app, 'node_modules', 'express'), 'dir');
      writeFileSync(join(app, 'server.mjs'), "import express from 'express';\nexpress().listen(3000);\n");
    });
    afterAll(() => rmSync(app, { recursive: true, force: true }));
    const withScripts = (scripts: Record<string, string>) =>
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'shop', type: 'module', scripts }));

    it('passes when package.json starts the app with --import tracewire/register, and lists instrumented libraries', async () => {
      withScripts({ start: 'node --import tracewire/register server.mjs' });
      const { code, stdout } = await doctor({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, ['--app', 'server.mjs'], app);
      expect(code, stdout).toBe(0);
      expect(stdout).toContain('✔ server.mjs is started with the register hook');
      expect(stdout).toContain('package.json script "start": node --import tracewire/register server.mjs');
      expect(stdout).toMatch(
        /✔ instrumented libraries installed: express \(@opentelemetry\/instrumentation-express\); built-in: http, undici/,
      );
    });

    it('fails when nothing starts the app with the hook, with the exact command as remedy, and says where it looked', async () => {
      withScripts({ start: 'node server.mjs' });
      const { code, stdout } = await doctor({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, ['--app', 'server.mjs'], app);
      expect(code).toBe(1);
      expect(stdout).toContain(
        '✖ no start command found that loads tracewire/register for server.mjs in NODE_OPTIONS or the package.json scripts (scripts running it without the hook: start)',
      );
      expect(stdout).toContain('remedy: start it with `node --import tracewire/register server.mjs`');
      // Started from a shell, a Dockerfile or a process manager: doctor cannot see that, and says how to show it.
      expect(stdout).toContain(
        'if you start it from a shell, a Dockerfile or a process manager, pass that command after --: `tracewire doctor -- node --import tracewire/register server.mjs`',
      );
    });

    it('checks the command the app is started with, given after -- (no NODE_OPTIONS, no npm script)', async () => {
      withScripts({});
      const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
      const started = await doctor(env, ['--', 'node', '--import', 'tracewire/register', 'server.mjs'], app);
      expect(started.code, started.stdout).toBe(0);
      expect(started.stdout).toContain('App server.mjs');
      expect(started.stdout).toContain('✔ server.mjs is started with the register hook');
      expect(started.stdout).toContain('command: node --import tracewire/register server.mjs');
      expect(started.stdout).toMatch(/✔ instrumented libraries installed: express/);

      const withApp = await doctor(
        env,
        [
          '--app',
          'server.mjs',
          '--',
          process.execPath,
          '--enable-source-maps',
          '--import=tracewire/register',
          'server.mjs',
          '--port',
          '3000',
        ],
        app,
      );
      expect(withApp.code, withApp.stdout).toBe(0);

      const plain = await doctor(env, ['--', 'node', '--env-file', '.env', 'server.mjs'], app);
      expect(plain.code).toBe(1);
      expect(plain.stdout).toContain('✖ the command `node --env-file .env server.mjs` does not load tracewire/register');
      expect(plain.stdout).toContain('remedy: start it with `node --import tracewire/register server.mjs`');

      const required = await doctor(env, ['--', 'node', '-r', 'tracewire/register', 'server.mjs'], app);
      expect(required.code).toBe(1);
      expect(required.stdout).toContain('is an ES module but is started with --require tracewire/register');
    });

    it('refuses a command that runs no script file, and a command running another file than --app', async () => {
      withScripts({});
      const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
      const inline = await doctor(env, ['--', 'node', '-e', 'console.log(1)'], app);
      expect(inline.code).toBe(2);
      expect(inline.stderr).toContain('no script file in the command after --');
      const other = await doctor(env, ['--app', 'server.mjs', '--', 'node', '--import', 'tracewire/register', 'worker.mjs'], app);
      expect(other.code).toBe(2);
      expect(other.stderr).toContain('--app server.mjs, but the command after -- runs worker.mjs');
    });

    it('accepts the hook from NODE_OPTIONS, and rejects --require for an ES module', async () => {
      withScripts({});
      const viaEnv = await doctor(
        { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, NODE_OPTIONS: '--import tracewire/register' },
        ['--app', 'server.mjs'],
        app,
      );
      expect(viaEnv.code, viaEnv.stdout).toBe(0);
      withScripts({ start: 'node --require tracewire/register server.mjs' });
      const wrongFlag = await doctor({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, ['--app', 'server.mjs'], app);
      expect(wrongFlag.code).toBe(1);
      expect(wrongFlag.stdout).toContain('is an ES module but is started with --require tracewire/register');
    });
  });
});
