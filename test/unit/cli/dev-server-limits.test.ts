// The dev receiver's bounds on uploads, against an in-process server and raw sockets (a client that stalls or lies
// about its size is exactly what a well-behaved HTTP client cannot be made to do).
import { connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createPainter } from '../../../src/cli/terminal/create-painter.js';
import { startDevServer, type DevServer, type DevServerOptions } from '../../../src/cli/dev/dev-server.js';

const MiB = 1024 * 1024;
const servers: DevServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.close();
});

async function start(options: Partial<DevServerOptions> = {}): Promise<{ server: DevServer; out: () => string; err: () => string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let outText = '';
  let errText = '';
  out.on('data', (c: Buffer) => (outText += c.toString()));
  err.on('data', (c: Buffer) => (errText += c.toString()));
  const server = await startDevServer({
    host: '127.0.0.1',
    port: 0,
    portIsExplicit: true,
    quietMs: 50,
    summary: false,
    out,
    err,
    paint: createPainter(false),
    barWidth: 20,
    ...options,
  });
  servers.push(server);
  return { server, out: () => outText, err: () => errText };
}

/** Opens a connection, sends the request head and `body` (part of the body declared), and resolves with the first answer line. */
function stalledUpload(port: number, declared: number, body: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let answer = '';
    socket.on('data', (c: Buffer) => {
      answer += c.toString('latin1');
      if (answer.includes('\r\n')) resolve(answer.slice(0, answer.indexOf('\r\n')));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.write(
      `POST /v1/traces HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n\r\n`,
    );
    if (body.length > 0) socket.write(body);
  });
}

const normalTrace = JSON.stringify({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'normal' } }] },
      scopeSpans: [
        {
          scope: { name: 't' },
          spans: [
            {
              traceId: '0af7651916cd43dd8448eb211c80319c',
              spanId: 'b7ad6b7169203331',
              name: 'still served',
              startTimeUnixNano: '1',
              endTimeUnixNano: '2',
            },
          ],
        },
      ],
    },
  ],
});

async function postNormal(server: DevServer, { retries = 0 } = {}): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      body: normalTrace,
      headers: { 'content-type': 'application/json' },
    });
    await res.arrayBuffer();
    if (res.status !== 503 || attempt >= retries) return res.status;
    await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after')) * 1000));
  }
}

describe('tracewire dev upload limits', () => {
  it('times out a stalled upload with 408, and keeps serving', async () => {
    const { server, err } = await start({ requestTimeoutMs: 400, headersTimeoutMs: 400 });
    expect(await stalledUpload(server.port, 1 * MiB, Buffer.alloc(64 * 1024, 0x20))).toBe('HTTP/1.1 408 Request Timeout');
    expect(await postNormal(server)).toBe(200);
    expect(err()).toMatch(/did not send its request within 400 ms .* with 408/);
  });

  it('answers a body announced larger than the limit with 413 at once, without reading it', async () => {
    const { server } = await start();
    expect(await stalledUpload(server.port, 40 * MiB, Buffer.alloc(0))).toBe('HTTP/1.1 413 Payload Too Large');
    expect(await postNormal(server)).toBe(200);
  });

  it('answers a request of more than 50,000 spans with 413 (one such request took the receiver to 2 GiB), and keeps serving', async () => {
    const { server, err } = await start();
    // Minimal protobuf spans (trace id and span id only): 30 bytes each, 1,000,000 in 29 MiB.
    const varint = (n: number): number[] => {
      const out: number[] = [];
      for (; n > 127; n = Math.floor(n / 128)) out.push((n & 127) | 128);
      out.push(n);
      return out;
    };
    const field = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([tag, ...varint(body.length)]), body]);
    const one = field(0x12, Buffer.concat([field(0x0a, Buffer.alloc(16, 1)), field(0x12, Buffer.alloc(8, 2))]));
    const body = field(0x0a, field(0x12, Buffer.concat(Array.from({ length: 1_000_000 }, () => one))));
    const res = await fetch(`${server.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/^more than 50000 spans in one request: send smaller batches/);
    expect(await postNormal(server)).toBe(200);
    expect(err()).toMatch(/with 413: more than 50000 spans/);
  });

  it('bounds the uploads in flight: thirty stalled 32 MiB uploads are answered 503 (or 408 when their time is up), never held, and a normal request is served', async () => {
    // The default --max-memory 256 gives 64 MiB to uploads in flight; each stalled upload sends 4 MiB of its 32 MiB and waits.
    const { server, err, out } = await start({ requestTimeoutMs: 1500, headersTimeoutMs: 1500 });
    const part = Buffer.alloc(4 * MiB, 0x20);
    const answers = await Promise.all(Array.from({ length: 30 }, () => stalledUpload(server.port, 32 * MiB - 1, part)));
    const busy = answers.filter((a) => a === 'HTTP/1.1 503 Service Unavailable').length;
    const timedOut = answers.filter((a) => a === 'HTTP/1.1 408 Request Timeout').length;
    expect(busy + timedOut).toBe(30);
    expect(timedOut).toBeLessThanOrEqual(16); // at most 64 MiB of them held
    expect(err().match(/with 503: receiver busy/g)).toHaveLength(1); // said once
    // As an OTLP exporter does: 503 is retried after Retry-After (the server may not have seen every close yet).
    expect(await postNormal(server, { retries: 3 })).toBe(200);
    await server.close();
    expect(out()).toContain('normal still served');
    expect(err()).toMatch(/refused \d+ requests over a limit/);
  });
});
