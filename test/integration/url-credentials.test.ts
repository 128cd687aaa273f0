// A password in a URL-valued setting is in no line tracewire prints. Real processes with the flags a user types:
// an app (debug logging on, so the resolved configuration is printed too), `tracewire doctor` and `tracewire dev
// --forward`, each given `user:PASSWORD@` in every URL-valued variable, valid or not, against a collector that refuses
// the credentials with a body that echoes them (as some do). The URL is still shown, with the credentials masked.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startDev, waitForOutput } from '../support/run-cli.js';
import { spawnApp, stopApp } from '../support/spawn-app.js';

const PASSWORD = 'Pa55-w0rd-7c1e';
const CREDENTIALS = `user:${PASSWORD}`;
/** Every form the password could be printed in: as typed, percent-encoded, and inside a Basic authorization value. */
const FORMS = [PASSWORD, encodeURIComponent(PASSWORD), Buffer.from(CREDENTIALS).toString('base64')];

/** A collector that takes traces only with the right Basic credentials, refuses everything else with a body
 * echoing what it was sent, and refuses `/reject/...` and Jaeger's `/sampling` always. */
let server: Server;
let port = 0;
const authorizations: string[] = [];
beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      const auth = String(req.headers.authorization ?? '');
      authorizations.push(auth);
      if (req.method === 'POST' && req.url === '/v1/traces' && auth === `Basic ${Buffer.from(CREDENTIALS).toString('base64')}`) {
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        return;
      }
      const echoed = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString();
      res.writeHead(401, { 'content-type': 'text/plain' }).end(`invalid credentials ${echoed} (${auth})`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const at = () => `http://${CREDENTIALS}@127.0.0.1:${port}`;
const masked = () => `http://***@127.0.0.1:${port}`;

function expectNoPassword(output: string): void {
  for (const form of FORMS) expect(output, `printed the password (${form}):\n${output}`).not.toContain(form);
}

/** The app as a user starts it, with debug logging; it exports a few spans and shuts down. */
async function runApp(env: Record<string, string>): Promise<string> {
  const app = await spawnApp({
    flags: ['--import', 'tracewire/register'],
    script: 'test/fixtures/burst.mjs',
    waitForPort: false,
    env: { MODE: 'exitcode', SPANS: '3', OTEL_SERVICE_NAME: 'creds', OTEL_LOG_LEVEL: 'debug', OTEL_BSP_SCHEDULE_DELAY: '10', ...env },
  });
  await app.exited;
  return `${app.stdout()}\n${app.stderr()}`;
}

async function runDoctor(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const { code, stdout, stderr } = await runCli(['doctor'], env);
  return { code, output: `${stdout}\n${stderr}` };
}

describe('credentials in URLs are never printed', () => {
  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: `${at()}/reject` }), () => `${masked()}/reject/v1/traces`],
    [
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      () => ({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${at()}/reject/v1/traces` }),
      () => `${masked()}/reject/v1/traces`,
    ],
  ])("%s: not in the app's export-failure report and debug printout, nor in doctor's report", async (_name, env, shown) => {
    const app = await runApp(env());
    expectNoPassword(app);
    expect(app).toContain(`could not export 3 spans to ${shown()}`);
    expect(app).toContain('resolved configuration');

    const doctor = await runDoctor(env());
    expectNoPassword(doctor.output);
    expect(doctor.code).toBe(1);
    expect(doctor.output).toContain(`✖ POST ${shown()} (http/protobuf) → HTTP 401`);
  });

  it("the Jaeger sampler endpoint: not in its failure report, the debug printout, nor doctor's report", async () => {
    const env = {
      OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: `endpoint=${at()},pollingIntervalMs=60000`,
      OTEL_TRACES_EXPORTER: 'none',
    };
    const app = await spawnApp({
      flags: ['--import', 'tracewire/register'],
      script: 'test/fixtures/burst.mjs',
      env: { MODE: 'wait', SPANS: '1', OTEL_SERVICE_NAME: 'creds', OTEL_LOG_LEVEL: 'debug', ...env },
    });
    try {
      await waitForOutput(app, (_out, err) => err.includes('Jaeger remote sampling: '));
    } finally {
      await stopApp(app);
    }
    const output = `${app.stdout()}\n${app.stderr()}`;
    expectNoPassword(output);
    expect(output).toContain(`Jaeger remote sampling: ${masked()}/sampling?service=creds failed (HTTP 401)`);

    const doctor = await runDoctor(env);
    expectNoPassword(doctor.output);
    expect(doctor.output).toContain(`"endpoint": "${masked()}"`);
  });

  it("invalid URLs that still hold user:password@: not in the warnings, the debug printout, nor doctor's report", async () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: `ftp://${CREDENTIALS}@127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${CREDENTIALS}@127.0.0.1:${port}/v1/traces`,
      OTEL_TRACES_SAMPLER: 'jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: `endpoint=http//${CREDENTIALS}@127.0.0.1:${port}`,
      TRACEWIRE_PROPAGATE_TO: `https://${CREDENTIALS}@api.internal,ftp://${CREDENTIALS}@files.internal`,
      // Nothing is exported: the fallback endpoint (localhost:4318) may be someone's receiver.
      OTEL_TRACES_EXPORTER: 'none',
    };
    const app = await runApp(env);
    expectNoPassword(app);
    expect(app).toContain('OTEL_EXPORTER_OTLP_ENDPOINT="ftp://***@127.0.0.1');
    expect(app).toContain('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="***@127.0.0.1');
    expect(app).toContain('OTEL_TRACES_SAMPLER_ARG=');

    const doctor = await runDoctor(env);
    expectNoPassword(doctor.output);
    expect(doctor.output).toContain('✖ environment: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="***@127.0.0.1');
  });

  it('valid credentials: doctor sends them as the app does (Basic authorization) and passes', async () => {
    const basic = `Basic ${Buffer.from(CREDENTIALS).toString('base64')}`;
    authorizations.length = 0;
    const app = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: at() });
    expectNoPassword(app);
    expect(app).not.toContain('could not export');
    expect(authorizations).toEqual([basic]);

    authorizations.length = 0;
    const doctor = await runDoctor({ OTEL_EXPORTER_OTLP_ENDPOINT: at() });
    expectNoPassword(doctor.output);
    expect(doctor.output).toContain(`✔ POST ${masked()}/v1/traces (http/protobuf) → HTTP 200: the probe span was accepted`);
    expect(doctor.code, doctor.output).toBe(0);
    expect(authorizations).toEqual([basic]);
  });

  it('tracewire dev --forward: not in the forwarding failure nor in the exit summary; a bad --forward is masked too', async () => {
    const dev = await startDev(['--quiet', '100', '--forward', `${at()}/reject`]);
    let output: string;
    try {
      const app = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: dev.url, OTEL_LOG_LEVEL: 'warn' });
      expect(app).not.toContain('could not export');
      await waitForOutput(dev, (_out, err) => err.includes('forwarding to'));
    } finally {
      dev.child.kill('SIGINT');
      await dev.exited;
      output = `${dev.stdout()}\n${dev.stderr()}`;
    }
    expectNoPassword(output);
    expect(output).toContain(`forwarding to ${masked()}/reject failed`);
    expect(output).toMatch(/forwarded 0 requests to http:\/\/\*\*\*@127\.0\.0\.1/);

    // Credentials in --forward are sent as Basic authorization (fetch refuses them in the URL itself).
    authorizations.length = 0;
    const forwarding = await startDev(['--quiet', '100', '--forward', at()]);
    let forwarded: string;
    try {
      await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: forwarding.url, OTEL_LOG_LEVEL: 'warn' });
      // The forward goes out when tracewire dev receives the app's export; the collector records its authorization.
      for (let i = 0; i < 200 && authorizations.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      forwarding.child.kill('SIGINT');
      await forwarding.exited;
      forwarded = `${forwarding.stdout()}\n${forwarding.stderr()}`;
    }
    expectNoPassword(forwarded);
    expect(authorizations[0]).toBe(`Basic ${Buffer.from(CREDENTIALS).toString('base64')}`);
    expect(forwarded).not.toContain('failed');
    expect(forwarded).toMatch(/forwarded [1-9]\d* requests? to http:\/\/\*\*\*@127\.0\.0\.1/);

    const bad = await runCli(['dev', '--forward', `${CREDENTIALS}@127.0.0.1:${port}`]);
    expect(bad.code).toBe(2);
    expectNoPassword(`${bad.stdout}\n${bad.stderr}`);
    expect(bad.stderr).toContain('--forward ***@127.0.0.1');
  });
});
