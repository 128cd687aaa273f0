// `tracewire dev` as a user runs it: the built bin, a real app started with --import tracewire/register sending to it.
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { runCli, startDev, waitForOutput, type CliRun } from '../support/run-cli.js';
import { ROOT, spawnApp, stopApp, type App } from '../support/spawn-app.js';

const ANSI = /\u001b\[/;
let dir: string;
const running: Array<CliRun | App> = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tracewire-dev-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const r of running.splice(0)) {
    if (r.child.exitCode === null && r.child.signalCode === null) {
      r.child.kill('SIGTERM');
      await r.exited;
    }
  }
});

function jsonSpans(service: string, names: string[]): Buffer {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  for (const name of names) provider.getTracer('t').startSpan(name).end();
  return Buffer.from(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())!);
}

describe('tracewire dev', () => {
  it('prints the trace of a real app as a tree with the error message, and the summary on SIGINT', async () => {
    const jsonl = join(dir, 'spans.jsonl');
    const backend = await new OtlpReceiver().start();
    try {
      const dev = await startDev(['--quiet', '200', '--jsonl', jsonl, '--forward', backend.url]);
      running.push(dev);
      const app = await spawnApp({
        flags: ['--import', 'tracewire/register'],
        script: 'test/fixtures/service.mjs',
        env: { OTEL_SERVICE_NAME: 'shop', OTEL_EXPORTER_OTLP_ENDPOINT: dev.url, OTEL_BSP_SCHEDULE_DELAY: '100' },
      });
      running.push(app);
      expect((await fetch(`${app.url}/hello`)).status).toBe(200);
      expect((await fetch(`${app.url}/fail`)).status).toBe(500);
      await waitForOutput(dev, (out) => (out.match(/^Trace [0-9a-f]{32}/gm) ?? []).length >= 2);
      const out = dev.stdout();
      expect(out).toMatch(/^Trace [0-9a-f]{32} {2}shop GET \/hello/m);
      expect(out).toMatch(/^shop +GET \/fail .*✖ HTTP 500/m);
      expect(out).toMatch(/validate order .*✖ Error: order 42 is invalid/);
      expect(out).toContain('◀ bottleneck');
      expect(out).not.toMatch(ANSI); // stdout is a pipe here: no colour

      await stopApp(app);
      dev.child.kill('SIGINT');
      expect((await dev.exited).code).toBe(0);
      const final = dev.stdout();
      expect(final).toMatch(/Summary: 2 traces/);
      expect(final).toMatch(/^shop +GET \/fail +1 +1 +100\.0%/m);
      expect(dev.stderr()).toMatch(/received \d+ spans in \d+ requests?/);

      // --jsonl: one OTLP/JSON request per span, each re-importable.
      const lines = readFileSync(jsonl, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const spanCount = Number(/received (\d+) spans/.exec(dev.stderr())![1]);
      expect(lines).toHaveLength(spanCount);
      for (const l of lines) expect(l.resourceSpans[0].scopeSpans[0].spans).toHaveLength(1);
      expect(lines.map((l) => l.resourceSpans[0].scopeSpans[0].spans[0].name)).toContain('validate order');

      // --forward: the backend got every span, as sent.
      await backend.waitFor((spans) => spans.length === spanCount);
      expect(backend.spans.map((s) => s.name)).toContain('validate order');
    } finally {
      await backend.stop();
    }
  });

  it('answers malformed payloads with 400 and a one-line message, and keeps receiving', async () => {
    const dev = await startDev(['--quiet', '100']);
    running.push(dev);
    const post = (body: string | Buffer, headers: Record<string, string>) =>
      fetch(`${dev.url}/v1/traces`, { method: 'POST', body, headers });

    const garbage = await post('definitely not protobuf', { 'content-type': 'application/x-protobuf' });
    expect(garbage.status).toBe(400);
    const message = await garbage.text();
    expect(message).toMatch(/^malformed protobuf: .+\n$/);
    expect(message.trim()).not.toContain('\n');

    const badJson = await post('{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(badJson.status).toBe(400);
    expect(await badJson.text()).toMatch(/^malformed OTLP\/JSON: /);

    const badGzip = await post('not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(badGzip.status).toBe(400);
    expect(await badGzip.text()).toMatch(/^malformed gzip body/);

    const badType = await post('x', { 'content-type': 'text/plain' });
    expect(badType.status).toBe(415);
    expect((await fetch(`${dev.url}/v1/metrics`, { method: 'POST', body: '{}' })).status).toBe(404);

    // Still alive: a gzip'd OTLP/JSON request is accepted and printed.
    const ok = await post(gzipSync(jsonSpans('after-garbage', ['still here'])), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({});
    await waitForOutput(dev, (out) => out.includes('after-garbage still here'));
    expect(dev.stderr().match(/rejected POST \/v1\/traces with 4\d\d/g)).toHaveLength(4);
  });

  it('exits 1 with a message when the port asked for is in use', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    try {
      const { code, stderr } = await runCli(['dev', '--port', String((busy.address() as AddressInfo).port)]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+: .*in use/);
    } finally {
      busy.close();
    }
  });

  it('is never loaded by the library entries: `tracewire` and `tracewire/register` import no CLI code', () => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      // Only files of dist/: a message quoting `import('./app.mjs')` names no chunk.
      if (seen.has(file) || !existsSync(join(ROOT, 'dist', file))) return;
      seen.add(file);
      const text = readFileSync(join(ROOT, 'dist', file), 'utf8');
      for (const m of text.matchAll(/(?:from\s*|import\s*\(?\s*|require\()\s*["']\.\/([^"']+)["']/g)) visit(m[1]!);
    };
    for (const entry of ['index.js', 'index.cjs', 'register.js', 'register.cjs', 'node-sdk.js', 'node-sdk.cjs']) visit(entry);
    expect(seen.size).toBeGreaterThan(6);
    for (const file of seen) {
      const text = readFileSync(join(ROOT, 'dist', file), 'utf8');
      expect(file).not.toMatch(/^(cli|run-dev|run-doctor)/);
      expect(text, file).not.toContain('startDevServer');
      expect(text, file).not.toContain('tracewire doctor');
    }
  });

  it('rejects bad arguments with exit code 2 and the usage', async () => {
    const { code, stderr } = await runCli(['dev', '--port', 'x', '--forward', 'nope', '--max-memory', '8', '--allow-host', 'a b']);
    expect(code).toBe(2);
    expect(stderr).toContain('--max-memory 8: expected a number of MiB, at least 16');
    expect(stderr).toContain('--allow-host "a b": expected a host name');
    expect(stderr).toContain('--port x: expected an integer');
    expect(stderr).toContain('--forward nope: expected an http(s) URL');
    expect(stderr).toContain('Usage: tracewire dev');
  });
});
