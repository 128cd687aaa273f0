import { context, ROOT_CONTEXT, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace';
import type { JaegerRemoteOptions } from '../config/types.js';
import { JAEGER_REMOTE_DEFAULTS } from '../config/resolve-sampler.js';
import { debug, warn } from '../internal/log.js';
import { maskUrlCredentials } from '../internal/mask-url.js';
import { ParentBased } from './parent-based.js';
import { RateLimitingSampler } from './rate-limiting-sampler.js';
import { RatioSampler } from './ratio-sampler.js';

/**
 * The JSON a Jaeger server (or a Collector's jaegerremotesampling extension) serves on `GET /sampling?service=NAME`:
 * the protobuf `SamplingStrategyResponse` of Jaeger's sampling API mapped to JSON. Enums arrive as names or numbers.
 * @internal
 */
export interface SamplingStrategyResponse {
  strategyType?: 'PROBABILISTIC' | 'RATE_LIMITING' | 0 | 1;
  probabilisticSampling?: { samplingRate?: number };
  rateLimitingSampling?: { maxTracesPerSecond?: number };
  operationSampling?: {
    defaultSamplingProbability?: number;
    defaultLowerBoundTracesPerSecond?: number;
    perOperationStrategies?: Array<{ operation?: string; probabilisticSampling?: { samplingRate?: number } }>;
  };
}

const isRate = (value: unknown): value is number => typeof value === 'number' && value >= 0 && value <= 1;

/**
 * Samples by span name: the ratio of the operation's strategy, or the default ratio for any other name.
 * @internal
 */
export class PerOperationSampler implements Sampler {
  constructor(
    private readonly byOperation: ReadonlyMap<string, Sampler>,
    private readonly fallback: Sampler,
  ) {}

  shouldSample(ctx: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    return (this.byOperation.get(spanName) ?? this.fallback).shouldSample(ctx, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `PerOperationSampler{default=${String(this.fallback)}, operations=${this.byOperation.size}}`;
  }
}

/**
 * The sampler a strategy response asks for, or an error message saying why it cannot be used. As in the other
 * OpenTelemetry SDKs: per-operation probabilities when the response lists operations, else the probabilistic or
 * rate-limiting strategy; each as the root sampler of a parent-based one (a child follows its parent's decision).
 * @internal
 */
export function samplerFromStrategy(response: unknown): Sampler | string {
  if (typeof response !== 'object' || response === null) return 'the answer is not a JSON object';
  const strategy = response as SamplingStrategyResponse;
  const operations = strategy.operationSampling?.perOperationStrategies;
  if (Array.isArray(operations) && operations.length > 0) {
    const fallbackRate = strategy.operationSampling?.defaultSamplingProbability ?? 0;
    if (!isRate(fallbackRate)) return `operationSampling.defaultSamplingProbability ${String(fallbackRate)} is not between 0 and 1`;
    const byOperation = new Map<string, Sampler>();
    for (const op of operations) {
      const rate = op?.probabilisticSampling?.samplingRate ?? 0;
      if (typeof op?.operation !== 'string' || !isRate(rate))
        return `the per-operation strategy ${JSON.stringify(op)} is not an operation name with a samplingRate between 0 and 1`;
      byOperation.set(op.operation, new RatioSampler(rate));
    }
    return new ParentBased(new PerOperationSampler(byOperation, new RatioSampler(fallbackRate)));
  }
  const type = strategy.strategyType ?? 'PROBABILISTIC';
  if (type === 'PROBABILISTIC' || type === 0) {
    const rate = strategy.probabilisticSampling?.samplingRate ?? 0;
    if (!isRate(rate)) return `probabilisticSampling.samplingRate ${String(rate)} is not between 0 and 1`;
    return new ParentBased(new RatioSampler(rate));
  }
  if (type === 'RATE_LIMITING' || type === 1) {
    const perSecond = strategy.rateLimitingSampling?.maxTracesPerSecond ?? 0;
    if (!(typeof perSecond === 'number' && perSecond >= 0 && Number.isFinite(perSecond)))
      return `rateLimitingSampling.maxTracesPerSecond ${String(perSecond)} is not a number >= 0`;
    return new ParentBased(perSecond === 0 ? new RatioSampler(0) : new RateLimitingSampler(perSecond));
  }
  return `the strategy type ${JSON.stringify(type)} is not PROBABILISTIC or RATE_LIMITING`;
}

/**
 * The `jaeger_remote` sampler, tracewire's implementation of Jaeger remote sampling (the OpenTelemetry package
 * for it has no release for OpenTelemetry JS 3.x). It fetches the strategy at start and every
 * `pollingIntervalMs`, samples `initialSamplingRate` of new traces until the first answer, and keeps the last good
 * strategy when a poll fails. Its polling timer never keeps the process alive, its requests are not traced, and a
 * failing endpoint is reported once (then again only after it recovered and failed anew).
 * Create one with {@link jaegerRemoteSampler}.
 *
 * @example
 * ```ts
 * const remote = jaegerRemoteSampler({ serviceName: 'checkout' });
 * remote.shutdown(); // stop polling
 * ```
 */
export class JaegerRemote implements Sampler {
  private current: Sampler;
  private readonly timer: NodeJS.Timeout;
  private readonly url: string;
  /** The URL fetch() is given (credentials moved into an Authorization header: fetch refuses them in URLs). */
  private readonly fetchUrl: string;
  private readonly headers: Record<string, string> = {};
  private readonly timeoutMs: number;
  private polling = false;
  private failing = false;
  private stopped = false;
  /** Settles when the poll in flight (if any) settles; for tests and shutdown. @internal */
  lastPoll: Promise<void> = Promise.resolve();

  constructor(
    private readonly settings: Readonly<Required<JaegerRemoteOptions>>,
    serviceName: string,
  ) {
    this.url = `${settings.endpoint}/sampling?service=${encodeURIComponent(serviceName)}`;
    this.fetchUrl = this.url;
    try {
      const parsed = new URL(this.url);
      if (parsed.username !== '' || parsed.password !== '') {
        const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
        this.headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
        parsed.username = '';
        parsed.password = '';
        this.fetchUrl = parsed.href;
      }
    } catch {
      // Not a URL: the first poll fails and says so.
    }
    this.current = new RatioSampler(settings.initialSamplingRate);
    this.timeoutMs = Math.max(1000, Math.min(settings.pollingIntervalMs, 10_000));
    this.timer = setInterval(pollFrom, settings.pollingIntervalMs, this);
    this.timer.unref();
    pollFrom(this);
  }

  /** One poll, unless one is in flight or the sampler was shut down. @internal */
  poll(): void {
    if (this.polling || this.stopped) return;
    this.polling = true;
    // With tracing suppressed, the fetch makes no span (and no span of the app's instrumentations).
    this.lastPoll = context.with(suppressTracing(ROOT_CONTEXT), fetchStrategy, undefined, this.fetchUrl, this.headers, this.timeoutMs).then(
      (answer) => this.apply(answer),
      (error: unknown) => this.fail(describeFetchError(error)),
    );
  }

  private apply(answer: unknown): void {
    this.polling = false;
    if (this.stopped) return;
    const next = samplerFromStrategy(answer);
    if (typeof next === 'string') return this.fail(`unusable strategy: ${next}`);
    this.current = next;
    if (this.failing) debug(`Jaeger remote sampling: ${maskUrlCredentials(this.url)} answers again`);
    this.failing = false;
  }

  private fail(reason: string): void {
    this.polling = false;
    if (this.stopped) return;
    if (this.failing) {
      debug(`Jaeger remote sampling: ${maskUrlCredentials(this.url)} failed again (${reason})`);
      return;
    }
    this.failing = true;
    warn(
      `Jaeger remote sampling: ${maskUrlCredentials(this.url)} failed (${reason}); keeping the current sampler (${String(this.current)}) ` +
        `and retrying every ${this.settings.pollingIntervalMs} ms. Check the endpoint in OTEL_TRACES_SAMPLER_ARG (Jaeger serves it on port 5778).`,
    );
  }

  shouldSample(ctx: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    return this.current.shouldSample(ctx, traceId, spanName, spanKind, attributes, links);
  }

  /** Stops polling. */
  shutdown(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  toString(): string {
    return `JaegerRemote{${maskUrlCredentials(this.url)}}`;
  }
}

/** The timer's callback (a module-level function: no closure per sampler). */
function pollFrom(sampler: JaegerRemote): void {
  sampler.poll();
}

async function fetchStrategy(url: string, headers: Record<string, string>, timeoutMs: number): Promise<unknown> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status}`);
  }
  return response.json();
}

function describeFetchError(error: unknown): string {
  const { name, message, cause } = error as Error & { cause?: { code?: string; message?: string } };
  if (name === 'TimeoutError') return 'no answer in time';
  if (name === 'SyntaxError') return 'the answer is not JSON';
  // fetch() says "fetch failed"; the reason is in its cause (ECONNREFUSED, ENOTFOUND, "bad port", ...).
  return cause?.code ?? (cause?.message ? `${message}: ${cause.message}` : message);
}

/**
 * A sampler that follows the sampling strategy a Jaeger server (or an OpenTelemetry Collector with the
 * jaegerremotesampling extension) serves for `serviceName`: probabilistic, rate-limiting or per-operation
 * probabilities, fetched at start and every `pollingIntervalMs`, with `initialSamplingRate` until the first answer.
 * Same as `OTEL_TRACES_SAMPLER=jaeger_remote` (defaults: endpoint `http://localhost:5778`, `pollingIntervalMs`
 * 60000, `initialSamplingRate` 0.001; env `OTEL_TRACES_SAMPLER_ARG`); use the name there, or this in code to wrap it
 * yourself. Its polling never keeps the process alive; initTracing stops it at shutdown when it is the configured
 * sampler (call `shutdown()` yourself if you wrap it in another sampler).
 *
 * @example
 * ```ts
 * import { initTracing, jaegerRemoteSampler } from 'tracewire';
 * const remote = jaegerRemoteSampler({ serviceName: 'checkout', endpoint: 'http://jaeger:5778' });
 * initTracing({ serviceName: 'checkout', sampler: remote });
 * ```
 */
export function jaegerRemoteSampler(options: JaegerRemoteOptions & { serviceName: string }): JaegerRemote {
  const { serviceName, ...settings } = options;
  return new JaegerRemote({ ...JAEGER_REMOTE_DEFAULTS, ...settings }, serviceName);
}
