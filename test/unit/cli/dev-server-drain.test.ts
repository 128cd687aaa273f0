// Issue 20 item 10: the Ctrl-C drain path is guarded. A trace that cannot be printed costs one line on stderr,
// not the summary, the other traces and a stack trace with exit code 1.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createPainter, type Painter } from '../../../src/cli/terminal/create-painter.js';
import { startDevServer } from '../../../src/cli/dev/dev-server.js';

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

function otlpJson(traceId: string, name: string): string {
  const span = {
    traceId,
    spanId: '00f067aa0ba902b7',
    name,
    kind: 2,
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000005000000',
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

describe('tracewire dev at Ctrl-C', () => {
  it('still prints the other traces and the summary when one trace cannot be printed, and reports it in one line', async () => {
    // A painter that fails on one trace's header stands for any bug the renderer may have with some input.
    const plain = createPainter(false);
    const paint: Painter = {
      ...plain,
      bold: (text) => {
        if (text.includes('poison')) throw new RangeError('Invalid string length');
        return text;
      },
    };
    const out = collect();
    const err = collect();
    const server = await startDevServer({
      host: '127.0.0.1',
      port: 0,
      portIsExplicit: true,
      quietMs: 3_600_000,
      summary: false,
      out: out.stream,
      err: err.stream,
      paint,
      barWidth: 20,
    });
    for (const [traceId, name] of [
      ['4bf92f3577b34da6a3ce929d0e0e4736', 'poison'],
      ['5bf92f3577b34da6a3ce929d0e0e4736', 'GET /fine'],
    ]) {
      const res = await fetch(`${server.url}/v1/traces`, {
        method: 'POST',
        body: otlpJson(traceId, name),
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(200);
    }
    await expect(server.close()).resolves.toBeUndefined();
    expect(out.text()).toMatch(/^Trace 5bf92f3577b34da6a3ce929d0e0e4736 {2}shop GET \/fine/m);
    expect(out.text()).toMatch(/^Summary: 2 traces, 2 spans$/m);
    expect(err.text()).toContain('tracewire dev: could not print trace 4bf92f3577b34da6a3ce929d0e0e4736: Invalid string length\n');
    expect(err.text()).toMatch(/received 2 spans in 2 requests\.\n$/);
    expect(err.text()).not.toMatch(/^\s+at /m);
  });
});
