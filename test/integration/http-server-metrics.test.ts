// http.server.request.duration from tracewire's own HTTP server instrumentation, against the stock
// @opentelemetry/instrumentation-http (TRACEWIRE_HTTP_SERVER=stock): the same histogram (name, unit, description,
// bucket boundaries) with the same data points (attributes and counts), under a real NodeSDK (tracewire/node-sdk) and
// under initTracing() when the app registered a global MeterProvider first. Fixture: test/fixtures/http-server-metrics.cjs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cleanEnv, ROOT } from '../support/spawn-app.js';

interface Point {
  attributes: Record<string, unknown>;
  count: number;
  boundaries: number[];
  positive: boolean;
}
interface Collected {
  scope: string;
  descriptor: { name: string; unit: string; description: string; valueType: number };
  points: Point[];
}

async function collect(env: Record<string, string>): Promise<Collected[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['test/fixtures/http-server-metrics.cjs'], {
    cwd: ROOT,
    env: cleanEnv({ OTEL_TRACES_SAMPLER: 'parentbased_always_on', ...env }),
  });
  return (JSON.parse(/\{"metric":.*\}/.exec(stdout)![0]) as { metric: Collected[] }).metric;
}
/**
 * The data points in a stable order, for comparing two processes. The point of the request whose listener threw is
 * compared without http.response.status_code: instrumentation-http records it with method, scheme, protocol version
 * and error.type only, then its 'close' handler adds the status code to the same attributes object, which the SDK
 * keeps for the exported point (an artefact of sharing the object; tracewire records what was intended, no status).
 */
const sorted = (points: Point[]): Point[] =>
  points
    .map((p) => {
      if (p.attributes['error.type'] !== 'TypeError') return p;
      const { 'http.response.status_code': _status, ...attributes } = p.attributes;
      return { ...p, attributes };
    })
    .sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes)));

describe('http.server.request.duration', () => {
  it('tracewire/node-sdk records the same histogram and data points as the stock instrumentation-http, sampled or not', async () => {
    const [stock, tracewire] = await Promise.all([
      collect({ SETUP: 'node-sdk', TRACEWIRE_HTTP_SERVER: 'stock' }),
      collect({ SETUP: 'node-sdk', TRACEWIRE_HTTP_SERVER: 'tracewire' }),
    ]);
    expect(stock.map((m) => m.descriptor)).toEqual([
      { name: 'http.server.request.duration', unit: 's', description: 'Duration of HTTP server requests.', valueType: 1 },
    ]);
    expect(stock[0]!.points).toHaveLength(5);
    expect(tracewire.map((m) => m.descriptor)).toEqual(stock.map((m) => m.descriptor));
    expect(sorted(tracewire[0]!.points)).toEqual(sorted(stock[0]!.points));
    const summary = tracewire[0]!.points.map((p) => [
      p.attributes['http.route'],
      p.attributes['http.response.status_code'],
      p.attributes['error.type'],
      p.count,
    ]);
    expect(summary).toHaveLength(5);
    expect(summary).toEqual(
      expect.arrayContaining([
        ['/items/:id', 200, undefined, 2], // one sampled, one unsampled request
        ['/api/users/:id', 200, undefined, 1],
        ['/fail', 500, '500', 1],
        [undefined, 404, undefined, 1],
        [undefined, undefined, 'TypeError', 1], // the request listener threw
      ]),
    );
  });

  it('initTracing() records it too when the app registered a global MeterProvider before calling it', async () => {
    const [stock, tracewire] = await Promise.all([
      collect({ SETUP: 'init-tracing', TRACEWIRE_HTTP_SERVER: 'stock' }),
      collect({ SETUP: 'init-tracing', TRACEWIRE_HTTP_SERVER: 'tracewire' }),
    ]);
    expect(stock[0]!.points).toHaveLength(5);
    expect(tracewire.map((m) => m.descriptor)).toEqual(stock.map((m) => m.descriptor));
    expect(sorted(tracewire[0]!.points)).toEqual(sorted(stock[0]!.points));
  });
});
