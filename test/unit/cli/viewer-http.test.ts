// The viewer's HTTP side of tracewire dev: served on the receiver's port, behind its Host check, with a strict
// Content-Security-Policy, nosniff and no CORS header; live updates by server-sent events.
import { request } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../../src/cli/dev/dev-server.js';
import { createPainter } from '../../../src/cli/terminal/create-painter.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const HOSTILE = '<img src=x onerror=alert(1)>';

function otlpJson(): string {
  const span = {
    traceId: TRACE_ID,
    spanId: '00f067aa0ba902b7',
    name: HOSTILE,
    kind: 2,
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000005000000',
    attributes: [{ key: 'note', value: { stringValue: HOSTILE } }],
    status: {},
  };
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
        scopeSpans: [{ scope: { name: 't' }, spans: [span] }],
      },
    ],
  });
}

/** GET with an explicit Host header (fetch does not let a test choose it). */
function get(
  port: number,
  path: string,
  host = `127.0.0.1:${port}`,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('tracewire dev viewer over HTTP', () => {
  let server: DevServer;
  let port: number;
  beforeAll(async () => {
    server = await startDevServer({
      host: '127.0.0.1',
      port: 0,
      portIsExplicit: true,
      quietMs: 0,
      summary: false,
      out: new PassThrough().resume(),
      err: new PassThrough().resume(),
      paint: createPainter(false),
      barWidth: 20,
      ui: true,
    });
    port = server.port;
  });
  afterAll(() => server.close());

  it('streams each completed trace as a server-sent event and serves it, its tree and the RED report as JSON', async () => {
    const events = await fetch(`${server.url}/api/events`);
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = events.body!.getReader();
    const posted = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: otlpJson(),
    });
    expect(posted.status).toBe(200);
    let text = '';
    while (!text.includes('event: trace')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain(TRACE_ID);
    const list = (await (await fetch(`${server.url}/api/traces`)).json()) as { traces: Array<{ traceId: string; rootName: string }> };
    expect(list.traces).toEqual([expect.objectContaining({ traceId: TRACE_ID, rootName: HOSTILE })]);
    const view = (await (await fetch(`${server.url}/api/traces/${TRACE_ID}`)).json()) as { spans: Array<{ attributes: object }> };
    expect(view.spans[0]!.attributes).toEqual({ note: HOSTILE });
    const red = (await (await fetch(`${server.url}/api/summary`)).json()) as { services: Array<{ service: string; requests: number }> };
    expect(red.services).toEqual([expect.objectContaining({ service: 'shop', requests: 1 })]);
  });

  it('answers the page and its data with a strict Content-Security-Policy, nosniff and no CORS header', async () => {
    for (const path of ['/', '/api/traces', '/api/summary', `/api/traces/${'0'.repeat(32)}`]) {
      const res = await get(port, path);
      expect(res.headers['content-security-policy'], path).toMatch(/default-src 'none'; script-src 'self';/);
      expect(res.headers['content-security-policy'], path).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(
        Object.keys(res.headers).filter((h) => h.startsWith('access-control-')),
        path,
      ).toEqual([]);
    }
    const page = await get(port, '/');
    expect(page.body).toContain('<script type="module" src="/assets/viewer.js"></script>');
    expect(page.body).not.toMatch(/<script>|<style>| on[a-z]+=/);
  });

  it('refuses a request for the page or its data whose Host is not the bound address (DNS rebinding)', async () => {
    for (const path of ['/', '/api/traces', '/api/events']) {
      const res = await get(port, path, `rebind.example:${port}`);
      expect(res.status, path).toBe(403);
      expect(res.body, path).not.toContain(TRACE_ID);
    }
  });

  it('answers only GET', async () => {
    const res = await fetch(`${server.url}/api/traces`, { method: 'DELETE' });
    expect(res.status).toBe(405);
  });

  it('closes with a page still listening: the event streams end and close() resolves', async () => {
    const other = await startDevServer({
      host: '127.0.0.1',
      port: 0,
      portIsExplicit: true,
      quietMs: 0,
      summary: false,
      out: new PassThrough().resume(),
      err: new PassThrough().resume(),
      paint: createPainter(false),
      barWidth: 20,
      ui: true,
    });
    const events = await fetch(`${other.url}/api/events`);
    const reader = events.body!.getReader();
    await reader.read();
    await other.close();
    let done = false;
    while (!done) ({ done } = await reader.read());
    expect(done).toBe(true);
  });
});
