// The Datadog agent stand-in of the HTTP load benchmark (bench/lib/datadog-agent-sink.mjs) counts what dd-trace
// really sends: a real dd-trace process (bench/http-load.mjs's dd-trace variant on the lean express app) sends a few
// requests' spans over each agent API version, and the sink's counts must match the requests made.
import { encode } from '@msgpack/msgpack';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

interface Counts {
  requests: number;
  traces: number;
  spans: number;
  other: number;
  names: Record<string, number>;
}
interface Sink {
  url: string;
  port: number;
  counts(): Promise<Counts>;
  reset(): Promise<Counts>;
  close(): void;
}
interface SinkModule {
  countAgentSpans(body: Uint8Array, version: '0.4' | '0.5', names?: Record<string, number>): { traces: number; spans: number };
  startDatadogSinkProcess(options?: { port?: number }): Promise<Sink>;
}
interface App {
  url: string;
  stop(): Promise<{ exit: unknown; stderr: string }>;
}
interface HttpLoadModule {
  VARIANTS: Record<string, unknown>;
  startApp(variant: unknown, options: { agentPort: number; app: string; extraEnv?: Record<string, string> }): Promise<App>;
}

const sinkModule = fileURLToPath(new URL('../../bench/lib/datadog-agent-sink.mjs', import.meta.url));
const httpLoad = fileURLToPath(new URL('../../bench/http-load.mjs', import.meta.url));
const REQUESTS = 5;

let sink: Sink | undefined;
afterEach(() => {
  sink?.close();
  sink = undefined;
});

/** The sink's counts once the spans of `requests` express requests have arrived (bounded wait). */
async function countsWhenArrived(s: Sink, requests: number): Promise<Counts> {
  let counts = await s.counts();
  for (let i = 0; i < 100 && (counts.names['express.request'] ?? 0) < requests; i++) {
    await new Promise((r) => setTimeout(r, 50));
    counts = await s.counts();
  }
  return counts;
}

describe('datadog agent sink of the HTTP load benchmark', () => {
  it.each(['0.4', '0.5'])(
    'counts every span a real dd-trace process sends over the v%s agent API',
    async (version) => {
      const { startDatadogSinkProcess } = (await import(sinkModule)) as SinkModule;
      const { VARIANTS, startApp } = (await import(httpLoad)) as HttpLoadModule;
      sink = await startDatadogSinkProcess();
      const app = await startApp(VARIANTS['dd-trace 100%'], {
        agentPort: sink.port,
        app: 'lean-5',
        extraEnv: { DD_TRACE_AGENT_PROTOCOL_VERSION: version },
      });
      for (let i = 0; i < REQUESTS; i++) expect((await fetch(`${app.url}/api/users`)).status).toBe(200);
      const { stderr } = await app.stop();
      expect(stderr).toBe('');
      const counts = await countsWhenArrived(sink, REQUESTS);
      // One server span per request and one per express layer (express.json(), the router and the route's handler
      // and layer: 4); anything else dd-trace traces on its own (a dns.lookup at startup) counts too.
      expect(counts.names['express.request']).toBe(REQUESTS);
      expect(counts.names['router.middleware']).toBe(4 * REQUESTS);
      expect(counts.spans).toBe(Object.values(counts.names).reduce((a, b) => a + b, 0));
      expect(counts.traces).toBeGreaterThanOrEqual(REQUESTS);
      expect(counts.other).toBe(0);
    },
    30_000,
  );

  it('reads span names through the v0.5 string table and rejects a payload of neither shape', async () => {
    const { countAgentSpans } = (await import(sinkModule)) as SinkModule;
    const strings = ['svc', 'web.request', 'GET /', 'db.query', 'SELECT', ''];
    const span = (name: number, id: number) => [0, name, 2, 1n, BigInt(id), 0n, 0n, 10n, 0, {}, {}, 5];
    const v05 = encode([strings, [[span(1, 1), span(3, 2)], [span(1, 3)]]], { useBigInt64: true });
    const names: Record<string, number> = {};
    expect(countAgentSpans(v05, '0.5', names)).toEqual({ traces: 2, spans: 3 });
    expect(names).toEqual({ 'web.request': 2, 'db.query': 1 });
    expect(() => countAgentSpans(encode({ traces: [] }), '0.4')).toThrow();
    expect(() => countAgentSpans(encode([[{ name: 'x' }]]), '0.5')).toThrow();
  });
});
