// Promise 6: https OTLP endpoints. Certificates are generated with openssl at test time: a CA, a collector
// certificate for 127.0.0.1 signed by it, a client certificate signed by it, and an unrelated CA.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { runCli } from '../support/run-cli.js';
import { spawnApp } from '../support/spawn-app.js';

const dir = mkdtempSync(join(tmpdir(), 'tracewire-tls-'));
const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

function makeCa(name: string): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
  );
}
function makeSigned(name: string, ca: string, extensions: string): void {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  writeFileSync(file(`${name}.ext`), extensions);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '1',
    '-extfile',
    `${name}.ext`,
  );
}

let mtls: OtlpReceiver;
beforeAll(async () => {
  makeCa('test-ca');
  makeCa('other-ca');
  makeSigned('collector', 'test-ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  makeSigned('tracewire-client', 'test-ca', 'extendedKeyUsage=clientAuth\n');
  mtls = await new OtlpReceiver({
    key: readFileSync(file('collector.key')),
    cert: readFileSync(file('collector.pem')),
    ca: readFileSync(file('test-ca.pem')),
    requestCert: true,
    rejectUnauthorized: true,
  }).start();
});
afterAll(async () => {
  await mtls.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function send(env: Record<string, string>) {
  mtls.clear();
  const app = await spawnApp({
    flags: [],
    script: 'test/fixtures/burst.mjs',
    waitForPort: false,
    env: {
      MODE: 'shutdown',
      SPANS: '20',
      OTEL_SERVICE_NAME: 'tls',
      OTEL_EXPORTER_OTLP_ENDPOINT: mtls.url,
      OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
      ...env,
    },
  });
  const { code } = await app.exited;
  return { code, stdout: app.stdout(), stderr: app.stderr() };
}

describe('TLS to the collector', () => {
  it('OTEL_EXPORTER_OTLP_CERTIFICATE + client certificate and key: every span arrives over mutual TLS', async () => {
    const run = await send({
      OTEL_EXPORTER_OTLP_CERTIFICATE: file('test-ca.pem'),
      OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: file('tracewire-client.pem'),
      OTEL_EXPORTER_OTLP_CLIENT_KEY: file('tracewire-client.key'),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('"exported":20,"dropped":0,"failed":0');
    expect(mtls.spans).toHaveLength(20);
    expect(mtls.requests[0]!.clientCertificateCN).toBe('tracewire-client');
  });

  it('the traces-specific variables work too and win over the general ones', async () => {
    const run = await send({
      OTEL_EXPORTER_OTLP_CERTIFICATE: file('other-ca.pem'),
      OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: file('test-ca.pem'),
      OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE: file('tracewire-client.pem'),
      OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY: file('tracewire-client.key'),
    });
    expect(run.stdout).toContain('"exported":20,"dropped":0,"failed":0');
    expect(mtls.spans).toHaveLength(20);
  });

  it('a wrong CA: no crash, the app exits normally, one clear TLS error naming the variable to set', async () => {
    const run = await send({
      OTEL_EXPORTER_OTLP_CERTIFICATE: file('other-ca.pem'),
      OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: file('tracewire-client.pem'),
      OTEL_EXPORTER_OTLP_CLIENT_KEY: file('tracewire-client.key'),
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '5',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('"exported":0,"dropped":0,"failed":20');
    expect(mtls.spans).toHaveLength(0);
    const reports = run.stderr.split('\n').filter((l) => l.includes('could not export'));
    expect(reports).toHaveLength(1); // four failed batches, one report
    expect(reports[0]).toMatch(/TLS.*not signed by a trusted CA.*OTEL_EXPORTER_OTLP_CERTIFICATE/);
  });

  it('an unreadable CA file is reported once, naming the variable, and the app still runs', async () => {
    const run = await send({ OTEL_EXPORTER_OTLP_CERTIFICATE: file('missing.pem') });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      `OTEL_EXPORTER_OTLP_CERTIFICATE="${file('missing.pem')}": could not read the CA certificate file (ENOENT)`,
    );
    expect(run.stderr.split('\n').filter((l) => l.includes('could not export'))).toHaveLength(1);
  });
});

describe('tracewire doctor over TLS: the probe uses the TLS files the app uses', () => {
  const appEnv = () => ({
    OTEL_SERVICE_NAME: 'tls',
    OTEL_EXPORTER_OTLP_ENDPOINT: mtls.url,
    OTEL_EXPORTER_OTLP_CERTIFICATE: file('test-ca.pem'),
    OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: file('tracewire-client.pem'),
    OTEL_EXPORTER_OTLP_CLIENT_KEY: file('tracewire-client.key'),
  });
  const failures = (stdout: string) => stdout.split('\n').filter((l) => l.trimStart().startsWith('✖'));

  it('with the env the app uses (custom CA, client certificate required): the probe span arrives over mutual TLS, exit 0', async () => {
    mtls.clear();
    const { code, stdout } = await runCli(['doctor'], appEnv());
    expect(code, stdout).toBe(0);
    expect(stdout).toContain('✔ TLS files read as the app reads them');
    expect(stdout).toContain(`CA: OTEL_EXPORTER_OTLP_CERTIFICATE (${file('test-ca.pem')})`);
    expect(stdout).toContain(`✔ POST ${mtls.url}/v1/traces (http/protobuf) → HTTP 200: the probe span was accepted`);
    expect(mtls.spans.map((s) => [s.service, s.name])).toEqual([['tls', 'tracewire doctor probe']]);
    expect(mtls.requests[0]!.clientCertificateCN).toBe('tracewire-client');
  });

  it('a wrong CA: exit 1 with one clear report naming the CA used and the variable to set', async () => {
    const { code, stdout } = await runCli(['doctor'], { ...appEnv(), OTEL_EXPORTER_OTLP_CERTIFICATE: file('other-ca.pem') });
    expect(code).toBe(1);
    expect(failures(stdout)).toHaveLength(1);
    expect(failures(stdout)[0]).toMatch(
      new RegExp(
        `✖ POST ${mtls.url}/v1/traces \\(http/protobuf\\) → TLS: the certificate of 127\\.0\\.0\\.1:\\d+ is not signed by a CA trusted here \\(.+\\); trusted: the CA in OTEL_EXPORTER_OTLP_CERTIFICATE \\(.+other-ca\\.pem\\)`,
      ),
    );
    expect(stdout).toMatch(/remedy: set OTEL_EXPORTER_OTLP_CERTIFICATE .* the CA that signed the collector's certificate/);
    expect(stdout).toContain('1 problem found.');
  });

  it('no client certificate for a receiver that requires one: exit 1, one report saying so', async () => {
    const { OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: _cert, OTEL_EXPORTER_OTLP_CLIENT_KEY: _key, ...env } = appEnv();
    const { code, stdout } = await runCli(['doctor'], env);
    expect(code).toBe(1);
    expect(failures(stdout)).toHaveLength(1);
    expect(failures(stdout)[0]).toMatch(/→ TLS: 127\.0\.0\.1:\d+ did not accept the client certificate \(.+; none was sent\)/);
    expect(stdout).toMatch(/remedy: set OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY/);
  });

  it('an unreadable CA file: reported as a failed check naming the variable, not as a warning on stderr', async () => {
    const { code, stdout, stderr } = await runCli(['doctor'], { ...appEnv(), OTEL_EXPORTER_OTLP_CERTIFICATE: file('missing.pem') });
    expect(code).toBe(1);
    expect(stdout).toContain(
      `✖ TLS files: OTEL_EXPORTER_OTLP_CERTIFICATE="${file('missing.pem')}": could not read the CA certificate file (ENOENT)`,
    );
    expect(stderr).toBe('');
  });
});
