// Issue 20 items 10 and 12 through the built `tracewire dev`, as a user runs it: hostile requests cost bounded work
// and output, Ctrl-C always ends in the summary, and nothing a client sends drives the developer's terminal.
import { connect } from 'node:net';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startDev, waitForOutput, type CliRun } from '../support/run-cli.js';

const running: CliRun[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    if (r.child.exitCode === null && r.child.signalCode === null) {
      r.child.kill('SIGTERM');
      await r.exited;
    }
  }
});

/** Control characters a terminal acts on, except the line feeds of our own lines. */
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

// A minimal OTLP/protobuf encoder (ExportTraceServiceRequest), enough for large hostile requests.
const varint = (n: number): number[] => {
  const out: number[] = [];
  for (; n > 127; n = Math.floor(n / 128)) out.push((n % 128) | 128);
  out.push(n);
  return out;
};
const field = (number: number, bytes: Buffer): Buffer =>
  Buffer.concat([Buffer.from([...varint((number << 3) | 2), ...varint(bytes.length)]), bytes]);
const fixed64 = (number: number, value: bigint): Buffer => {
  const b = Buffer.alloc(9);
  b[0] = (number << 3) | 1;
  b.writeBigUInt64LE(value, 1);
  return b;
};
const TRACE_ID = Buffer.from('abababababababababababababababab', 'hex');
const EPOCH = 1_700_000_000_000_000_000n;
const spanId = (i: number): Buffer => Buffer.from((i + 1).toString(16).padStart(16, '0'), 'hex');

function protoSpan(i: number, parent: number | undefined, start: number, end: number): Buffer {
  const parts = [field(1, TRACE_ID), field(2, spanId(i))];
  if (parent !== undefined) parts.push(field(4, spanId(parent)));
  parts.push(
    field(5, Buffer.from(parent === undefined ? 'root' : 'op')),
    fixed64(7, EPOCH + BigInt(start)),
    fixed64(8, EPOCH + BigInt(end)),
  );
  return field(2, Buffer.concat(parts)); // ScopeSpans.spans
}

function protoRequest(spans: Buffer[]): Buffer {
  const serviceName = field(1, Buffer.concat([field(1, Buffer.from('service.name')), field(2, field(1, Buffer.from('hostile')))]));
  const resourceSpans = Buffer.concat([field(1, serviceName), field(2, Buffer.concat(spans))]);
  return field(1, resourceSpans);
}

const post = (url: string, body: Buffer | string, headers: Record<string, string>): Promise<Response> =>
  fetch(`${url}/v1/traces`, { method: 'POST', body, headers });

describe('tracewire dev under hostile input', () => {
  // 49,999 children: the most one request may carry is 50,000 spans (413 beyond), and a trace keeps 10,000 (see
  // cli-dev-hostile-senders.test.ts); the analysis of a 100,000-span trace is test/unit/cli/receiver-bounds.test.ts.
  it('prints one request holding a root with 49,999 sibling children in under 200 KB, and keeps receiving', async () => {
    const spans = [protoSpan(0, undefined, 0, 10 * 50_000)];
    for (let i = 1; i <= 49_999; i++) spans.push(protoSpan(i, 0, 10 * i, 10 * i + 5));
    const body = gzipSync(protoRequest(spans));
    const dev = await startDev(['--quiet', '100']);
    running.push(dev);
    const res = await post(dev.url, body, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    await waitForOutput(dev, (out) => /critical path \(\d+ spans\)/.test(out), 60_000);
    const printed = Buffer.byteLength(dev.stdout());
    expect(printed).toBeLessThan(200_000);
    expect(dev.stdout()).toMatch(/… \d+ more spans not shown/);
    expect(dev.stdout()).toMatch(/^hostile +root .*◀ bottleneck/m);
    // Still receiving.
    const next = await post(dev.url, protoRequest([protoSpan(0, undefined, 0, 5)]), { 'content-type': 'application/x-protobuf' });
    expect(next.status).toBe(200);
  });

  it('Ctrl-C with a 10,000-level chain waiting prints it, then the summary, and exits 0', async () => {
    const depth = 10_000;
    const spans: Buffer[] = [];
    for (let i = 0; i < depth; i++) spans.push(protoSpan(i, i === 0 ? undefined : i - 1, i, 2 * depth - i));
    const dev = await startDev(['--quiet', '3600000']);
    running.push(dev);
    expect((await post(dev.url, protoRequest(spans), { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    dev.child.kill('SIGINT');
    const { code } = await dev.exited;
    expect(dev.stderr()).not.toMatch(/^\s+at /m);
    expect(code, dev.stderr()).toBe(0);
    expect(dev.stdout()).toMatch(/critical path \(10000 spans\)/);
    expect(dev.stdout()).toMatch(/^Summary: 1 trace, 10000 spans$/m);
    expect(Buffer.byteLength(dev.stdout())).toBeLessThan(200_000);
  });

  it('shows escape sequences, C1 controls and newlines from spans and from rejected requests escaped, on stdout and stderr', async () => {
    const evil =
      'GET /\u001b[2J\u001b]0;pwned\u0007\u001b]8;;https://evil.example/\u001b\\x\u001b]8;;\u001b\\\u009b31m\r\nbank POST /transfer ✔ approved';
    const span = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      name: evil,
      kind: 2,
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000000005000000',
      status: { code: 2, message: `declined${evil}` },
      events: [{ name: 'exception', attributes: [{ key: 'exception.message', value: { stringValue: evil } }] }],
    };
    const request = (s: object) =>
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: `shop${evil}` } }] },
            scopeSpans: [{ scope: { name: 't' }, spans: [s] }],
          },
        ],
      });
    const dev = await startDev(['--quiet', '100']);
    running.push(dev);
    expect((await post(dev.url, request(span), { 'content-type': 'application/json' })).status).toBe(200);
    // Rejected: an id that is not hex (the message quotes the span's name), and a content-type holding a raw 0x9b
    // byte (HTTP allows it in a header value; the message quotes it): an 8-bit CSI that would turn the terminal red.
    const rejected = await post(dev.url, request({ ...span, traceId: 'not hex' }), { 'content-type': 'application/json' });
    expect(rejected.status).toBe(400);
    const socket = connect(Number(new URL(dev.url).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.end(
      Buffer.concat([
        Buffer.from('POST /v1/traces HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: text/'),
        Buffer.from([0x9b]),
        Buffer.from('31m\r\ncontent-length: 1\r\n\r\nx'),
      ]),
    );
    socket.resume();
    await once(socket, 'close');
    await waitForOutput(dev, (out, err) => out.includes('Trace 4bf92f35') && (err.match(/rejected/g) ?? []).length === 2);
    dev.child.kill('SIGINT');
    expect((await dev.exited).code).toBe(0);

    const stdout = dev.stdout();
    const stderr = dev.stderr();
    for (const text of [stdout, stderr]) {
      expect(text).not.toMatch(CONTROLS);
      expect(text).not.toMatch(/^\s*bank POST/m);
    }
    expect(stdout).toContain('shopGET /\\x1b[2J\\x1b]0;pwned\\x07');
    expect(stdout).toContain('✖ GET /\\x1b[2J');
    expect(stdout).toMatch(/^Summary: 1 trace/m);
    expect(stderr).toMatch(/rejected POST \/v1\/traces with 400: malformed OTLP\/JSON: .*GET \/\\x1b\[2J/);
    expect(stderr).toContain('rejected POST /v1/traces with 415: unsupported content-type "text/\\x9b31m"');
  });
});
