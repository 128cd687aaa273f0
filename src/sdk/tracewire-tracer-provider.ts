import type { Context, ContextManager, Tracer, TracerOptions } from '@opentelemetry/api';
import { defaultResource } from '@opentelemetry/resources';
import {
  TracerProvider,
  type ReadableSpan,
  type Span,
  type SpanLimits,
  type SpanProcessor,
  type TracerProviderOptions,
} from '@opentelemetry/sdk-trace';
import { compileSamplingPlan, type SamplingPlan } from '../samplers/sampling-plan.js';
import type { SpanShared } from './recording-span.js';
import { TracewireTracer } from './tracewire-tracer.js';

/** The span processors in order, as one (the SDK's MultiSpanProcessor, for onStart/onEnding/onEnd). */
class ProcessorChain implements SpanProcessor {
  private readonly ending: SpanProcessor[];
  constructor(private readonly processors: readonly SpanProcessor[]) {
    this.ending = processors.filter((p) => typeof p.onEnding === 'function');
  }
  onStart(span: Span, parentContext: Context): void {
    for (let i = 0; i < this.processors.length; i++) this.processors[i]!.onStart(span, parentContext);
  }
  onEnding(span: Span): void {
    for (let i = 0; i < this.ending.length; i++) this.ending[i]!.onEnding!(span);
  }
  onEnd(span: ReadableSpan): void {
    for (let i = 0; i < this.processors.length; i++) this.processors[i]!.onEnd(span);
  }
  // The provider flushes and shuts down the processors themselves.
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The SDK provider's span limit defaults. */
function limitsOf(limits: SpanLimits | undefined): Required<SpanLimits> {
  return Object.freeze({
    attributeCountLimit: limits?.attributeCountLimit ?? 128,
    attributeValueLengthLimit: limits?.attributeValueLengthLimit ?? Infinity,
    eventCountLimit: limits?.eventCountLimit ?? 128,
    linkCountLimit: limits?.linkCountLimit ?? 128,
    attributePerEventCountLimit: limits?.attributePerEventCountLimit ?? 128,
    attributePerLinkCountLimit: limits?.attributePerLinkCountLimit ?? 128,
  });
}

/**
 * tracewire's tracer provider: the SDK's TracerProvider (resource, processors, flush and shutdown) with tracers
 * that build leaner spans ({@link TracewireTracer}), ids from a pooled crypto buffer (or the `idGenerator` given),
 * and, when the sampler's decisions can be predicted, dropped spans that cost next to nothing. Every OpenTelemetry
 * span processor and exporter works unchanged: the spans implement the API Span and the SDK ReadableSpan.
 * @internal
 */
export class TracewireTracerProvider extends TracerProvider {
  private readonly tracers = new Map<string, Tracer>();
  private readonly sampler: NonNullable<TracerProviderOptions['sampler']>;
  private readonly plan: SamplingPlan | null;
  private readonly idGenerator: TracerProviderOptions['idGenerator'];
  private readonly contextManager: ContextManager | undefined;
  private readonly chain: ProcessorChain;
  private readonly limits: Required<SpanLimits>;
  private readonly resourceValue: NonNullable<TracerProviderOptions['resource']>;

  /**
   * `contextManager`: the global context manager, when tracewire registered it, so its tracers can ask it for the
   * active context directly (the API's lookup of the global costs as much again).
   */
  constructor(
    options: TracerProviderOptions & { sampler: NonNullable<TracerProviderOptions['sampler']>; contextManager?: ContextManager },
  ) {
    const { contextManager, ...sdkOptions } = options;
    const resource = options.resource ?? defaultResource();
    // The SDK's own tracers are never built (getTracer is tracewire's): an idGenerator given is used by tracewire's.
    super({ ...sdkOptions, resource });
    this.resourceValue = resource;
    this.sampler = options.sampler;
    // A plan draws trace ids from tracewire's pool: with the user's idGenerator every span asks the sampler.
    this.plan = options.idGenerator === undefined ? compileSamplingPlan(options.sampler) : null;
    this.idGenerator = options.idGenerator;
    this.contextManager = contextManager;
    this.chain = new ProcessorChain(options.spanProcessors ?? []);
    this.limits = limitsOf(options.spanLimits);
  }

  override getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const key = `${name}@${version ?? ''}:${options?.schemaUrl ?? ''}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      const shared: SpanShared = {
        resource: this.resourceValue,
        scope: { name, version, schemaUrl: options?.schemaUrl },
        limits: this.limits,
        processor: this.chain,
      };
      tracer = new TracewireTracer(shared, this.sampler, this.plan, this.contextManager, this.idGenerator);
      this.tracers.set(key, tracer);
    }
    return tracer;
  }
}
