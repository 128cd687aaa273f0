// Samplers end to end against the real Jaeger v2:
// - Jaeger remote sampling: Jaeger serves a strategy file that this test writes (per-operation: "keep-me" always,
//   everything else never) on its sampling port; a process started with OTEL_TRACES_SAMPLER=jaeger_remote fetches
//   it, samples accordingly, and only the kept spans reach Jaeger.
// - In-process tail sampling: only the failing and the slow traces reach Jaeger, whole and linked.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnApp } from '../support/spawn-app.js';
import { Backends, JAEGER_URL, PORTS } from './backends/backends.js';

const backends = new Backends();
const SERVICE = 'remote-sampled';
const SAMPLING_URL = `http://127.0.0.1:${PORTS.jaegerSampling}`;

beforeAll(async () => {
  try {
    await backends.startJaeger();
  } catch (error) {
    await backends.stopAll();
    throw error;
  }
});
afterAll(() => backends.stopAll());

const until = <T>(what: string, check: () => Promise<T | undefined>) => backends.until(what, check, { intervalMs: 250 });

it('jaeger_remote applies the per-operation strategy served by the real Jaeger: only "keep-me" spans arrive', async () => {
  backends.writeSamplingStrategies({
    service_strategies: [
      {
        service: SERVICE,
        type: 'probabilistic',
        param: 0,
        operation_strategies: [{ operation: 'keep-me', type: 'probabilistic', param: 1 }],
      },
    ],
    default_strategy: { type: 'probabilistic', param: 1 },
  });
  // Jaeger re-reads the file every second: wait until it serves the new strategy for the service.
  const served = await until('Jaeger serves the written strategy', async () => {
    const body = (await (await fetch(`${SAMPLING_URL}/sampling?service=${SERVICE}`)).json()) as any;
    return body?.operationSampling?.perOperationStrategies?.length > 0 ? body : undefined;
  });
  expect(served.operationSampling.perOperationStrategies[0]).toMatchObject({
    operation: 'keep-me',
    probabilisticSampling: { samplingRate: 1 },
  });

  const app = await spawnApp({
    flags: ['--import', 'tracewire/register'],
    script: 'test/e2e/fixtures/remote-sampled.mjs',
    waitForPort: false,
    env: {
      OTEL_SERVICE_NAME: SERVICE,
      OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: `endpoint=${SAMPLING_URL},pollingIntervalMs=500,initialSamplingRate=0`,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${PORTS.jaegerOtlpHttp}`,
      KEEP: '20',
      DROP: '20',
    },
  });
  const { code } = await app.exited;
  expect(code, app.stderr()).toBe(0);
  expect(app.stderr()).toBe('');
  const counts = JSON.parse(app.stdout().trim()) as { keep: number; drop: number };
  expect(counts).toMatchObject({ keep: 20, drop: 0 });

  // In Jaeger: the 20 kept traces plus the probe that saw the strategy arrive, and no "drop-me" span at all.
  const operations = await until('21 keep-me traces in Jaeger', async () => {
    const body = (await (await fetch(`${JAEGER_URL}/api/traces?service=${SERVICE}&limit=1000&lookback=1h`)).json()) as any;
    const names: string[] = (body.data ?? []).flatMap((t: any) => t.spans.map((s: any) => s.operationName));
    return names.filter((n) => n === 'keep-me').length >= 21 ? names : undefined;
  });
  expect(operations.filter((n) => n === 'keep-me')).toHaveLength(21);
  expect(operations.filter((n) => n === 'drop-me')).toHaveLength(0);
  // The sampler's own polling is not traced.
  expect(operations.filter((n) => n !== 'keep-me')).toEqual([]);
});

it('tailSampling in-process: Jaeger receives the whole failing and slow traces, linked, and not the healthy one', async () => {
  const service = 'tail-sampled';
  const app = await spawnApp({
    flags: [],
    script: 'test/e2e/fixtures/tail-sampled.mjs',
    waitForPort: false,
    env: { OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${PORTS.jaegerOtlpHttp}` },
  });
  const { code } = await app.exited;
  expect(code, app.stderr()).toBe(0);
  const { ids, stats } = JSON.parse(app.stdout().trim()) as {
    ids: Record<'healthy' | 'failing' | 'slow', string>;
    stats: Record<string, number>;
  };
  expect(stats).toMatchObject({ keptTraces: 2, droppedTraces: 1, droppedSpans: 3, pendingTraces: 0, heldSpans: 0 });

  for (const kept of [ids.failing, ids.slow]) {
    const spans = await until(`trace ${kept} in Jaeger`, async () => {
      const res = await fetch(`${JAEGER_URL}/api/traces/${kept}`);
      if (!res.ok) return undefined;
      const found = ((await res.json()) as any).data?.[0]?.spans;
      return found?.length === 3 ? found : undefined;
    });
    const root = spans.find((s: any) => s.references.length === 0);
    expect(spans.filter((s: any) => s.references[0]?.spanID === root.spanID)).toHaveLength(2);
  }
  const healthy = await fetch(`${JAEGER_URL}/api/traces/${ids.healthy}`);
  expect(healthy.status).toBe(404);
});
