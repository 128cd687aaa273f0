// tracewire's Jaeger remote sampler: strategy responses (the JSON Jaeger's sampling endpoint serves, enums as names
// or numbers) turned into samplers, and the polling around it, against an in-process HTTP server. The real Jaeger
// is in test/e2e/sampling.test.ts.
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { SamplingDecision, type Sampler } from '@opentelemetry/sdk-trace';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jaegerRemoteSampler, samplerFromStrategy, type JaegerRemote } from '../../src/samplers/jaeger-remote-sampler.js';

const decide = (sampler: Sampler, name: string, traceId = 'f'.repeat(32), ctx = ROOT_CONTEXT) =>
  sampler.shouldSample(ctx, traceId, name, SpanKind.INTERNAL, {}, []).decision;
const KEEP = SamplingDecision.RECORD_AND_SAMPLED;
const DROP = SamplingDecision.NOT_RECORD;

describe('samplerFromStrategy', () => {
  it('probabilistic, with the type as a name or a number', () => {
    for (const strategyType of ['PROBABILISTIC', 0] as const) {
      expect(decide(samplerFromStrategy({ strategyType, probabilisticSampling: { samplingRate: 1 } }) as Sampler, 'x')).toBe(KEEP);
      expect(decide(samplerFromStrategy({ strategyType, probabilisticSampling: { samplingRate: 0 } }) as Sampler, 'x')).toBe(DROP);
    }
  });

  it('per-operation probabilities with a default for other operations', () => {
    const sampler = samplerFromStrategy({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 1 },
      operationSampling: {
        defaultSamplingProbability: 0,
        perOperationStrategies: [{ operation: 'keep-me', probabilisticSampling: { samplingRate: 1 } }],
      },
    }) as Sampler;
    expect(decide(sampler, 'keep-me')).toBe(KEEP);
    expect(decide(sampler, 'anything else')).toBe(DROP);
  });

  it('rate limiting (which the OpenTelemetry package did not support): the first trace of a second is kept, then the budget', () => {
    const sampler = samplerFromStrategy({ strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: 2 } }) as Sampler;
    const decisions = Array.from({ length: 10 }, () => decide(sampler, 'x'));
    expect(decisions.filter((d) => d === KEEP).length).toBe(2);
    expect(decide(samplerFromStrategy({ strategyType: 1, rateLimitingSampling: { maxTracesPerSecond: 0 } }) as Sampler, 'x')).toBe(DROP);
  });

  it('follows the parent: a sampled parent keeps the child whatever the strategy', () => {
    const sampler = samplerFromStrategy({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 0 } }) as Sampler;
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(decide(sampler, 'x', 'a'.repeat(32), parent)).toBe(KEEP);
  });

  it.each([
    ['not an object', 'nope'],
    ['a rate above 1', { strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 2 } }],
    ['an unknown type', { strategyType: 'LOWER_BOUND' }],
    [
      'an operation without a name',
      { operationSampling: { defaultSamplingProbability: 0.5, perOperationStrategies: [{ probabilisticSampling: { samplingRate: 1 } }] } },
    ],
    ['a negative rate limit', { strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: -1 } }],
  ])('says why it cannot use %s', (_, response) => {
    expect(samplerFromStrategy(response)).toBeTypeOf('string');
  });
});

describe('JaegerRemote polling', () => {
  let server: Server;
  let answer: { status: number; body: string };
  let requests: string[];
  let authorizations: Array<string | undefined>;
  let stderr: string[];
  let sampler: JaegerRemote | undefined;
  let url: string;

  beforeEach(async () => {
    answer = { status: 200, body: JSON.stringify({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 1 } }) };
    requests = [];
    authorizations = [];
    stderr = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      authorizations.push(req.headers.authorization);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    sampler?.shutdown();
    sampler = undefined;
    server.close();
    vi.restoreAllMocks();
  });

  it('starts with initialSamplingRate, fetches the strategy for the service at once, and applies it', async () => {
    sampler = jaegerRemoteSampler({ serviceName: 'check out', endpoint: url, initialSamplingRate: 0, pollingIntervalMs: 60_000 });
    expect(decide(sampler, 'x')).toBe(DROP);
    await sampler.lastPoll;
    expect(requests).toEqual(['/sampling?service=check%20out']);
    expect(decide(sampler, 'x')).toBe(KEEP);
  });

  it('keeps the last good strategy when the endpoint fails, and reports the failure once, with the URL credentials masked', async () => {
    const withUser = url.replace('http://', 'http://user:hunter2@');
    sampler = jaegerRemoteSampler({ serviceName: 'svc', endpoint: withUser, initialSamplingRate: 0, pollingIntervalMs: 60_000 });
    await sampler.lastPoll;
    expect(decide(sampler, 'x')).toBe(KEEP);
    // fetch() refuses credentials in a URL: they travel as Basic authorization.
    expect(authorizations).toEqual([`Basic ${Buffer.from('user:hunter2').toString('base64')}`]);
    answer = { status: 500, body: 'boom' };
    sampler.poll();
    await sampler.lastPoll;
    answer = { status: 200, body: 'not json' };
    sampler.poll();
    await sampler.lastPoll;
    expect(decide(sampler, 'x')).toBe(KEEP);
    const reports = stderr.filter((l) => l.includes('Jaeger remote sampling'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain('HTTP 500');
    expect(reports[0]).not.toContain('hunter2');
  });

  it('never keeps the process alive and stops polling at shutdown', async () => {
    sampler = jaegerRemoteSampler({ serviceName: 'svc', endpoint: url, initialSamplingRate: 0, pollingIntervalMs: 20 });
    await sampler.lastPoll;
    sampler.shutdown();
    const seen = requests.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(requests.length).toBe(seen);
  });
});
