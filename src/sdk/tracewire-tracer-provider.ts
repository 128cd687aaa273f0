import type { ContextManager, Tracer, TracerOptions } from '@opentelemetry/api';
import { TracerProvider, type TracerProviderOptions } from '@opentelemetry/sdk-trace';
import { compileSamplingPlan, type SamplingPlan } from '../samplers/sampling-plan.js';
import { PooledIdGenerator } from './pooled-id-generator.js';
import { TracewireTracer } from './tracewire-tracer.js';

/**
 * The SDK's TracerProvider with tracewire's id generator and, when the sampler's decisions can be predicted,
 * tracers that skip building dropped spans ({@link TracewireTracer}). Sampled spans are the SDK's own spans, fed
 * to the same span processors, so every OpenTelemetry processor and exporter works unchanged.
 * @internal
 */
export class TracewireTracerProvider extends TracerProvider {
  private readonly ids: PooledIdGenerator;
  private readonly plan: SamplingPlan | null;
  private readonly fastTracers = new Map<string, Tracer>();

  private readonly contextManager: ContextManager | undefined;

  /**
   * `contextManager`: the global context manager, when tracewire registered it, so its tracers can ask it for the
   * active context directly (the API's lookup of the global costs as much again).
   */
  constructor(options: TracerProviderOptions & { sampler: NonNullable<TracerProviderOptions['sampler']>; contextManager?: ContextManager }) {
    const { contextManager, ...sdkOptions } = options;
    const ids = new PooledIdGenerator();
    super({ ...sdkOptions, idGenerator: ids });
    this.ids = ids;
    this.plan = compileSamplingPlan(options.sampler);
    this.contextManager = contextManager;
  }

  override getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const sdkTracer = super.getTracer(name, version, options);
    if (this.plan === null) return sdkTracer;
    const key = `${name}@${version ?? ''}:${options?.schemaUrl ?? ''}`;
    let tracer = this.fastTracers.get(key);
    if (tracer === undefined) {
      tracer = new TracewireTracer(sdkTracer, this.plan, this.ids, this.contextManager);
      this.fastTracers.set(key, tracer);
    }
    return tracer;
  }
}
