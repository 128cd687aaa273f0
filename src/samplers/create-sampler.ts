import { AlwaysOffSampler, AlwaysOnSampler, type Sampler, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { JaegerRemoteOptions, ResolvedConfig } from '../config/types.js';
import { ParentBased } from './parent-based.js';
import { RatioSampler } from './ratio-sampler.js';
import { JaegerRemote } from './jaeger-remote-sampler.js';
import { RateLimitingSampler } from './rate-limiting-sampler.js';
import type { TailSampler } from './tail-sampling.js';

/** The provider's sampler and the span processors to give the provider. @internal */
export interface SamplingSetup {
  readonly sampler: Sampler;
  /** `exporting` as is, or behind the tail-sampling stage, plus a stage that stops Jaeger remote polling at shutdown. */
  readonly processors: SpanProcessor[];
}

interface StoppableSampler extends Sampler {
  shutdown(): void;
}

/** Stops a sampler's background work (Jaeger remote polling) when the provider shuts down. */
class StopSamplerOnShutdown implements SpanProcessor {
  constructor(private readonly sampler: StoppableSampler) {}
  onStart(): void {}
  onEnd(): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    this.sampler.shutdown();
    return Promise.resolve();
  }
}

function rootSampler(config: Pick<ResolvedConfig, 'sampler' | 'samplerArg' | 'serviceName'>): Sampler {
  const { sampler, samplerArg } = config;
  if (typeof sampler !== 'string') return sampler;
  const n = typeof samplerArg === 'number' ? samplerArg : 1;
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
    case 'parentbased_always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
    case 'parentbased_traceidratio':
      return new RatioSampler(n);
    case 'ratelimiting':
    case 'parentbased_ratelimiting':
      return new RateLimitingSampler(n);
    case 'jaeger_remote':
    case 'parentbased_jaeger_remote':
      return new JaegerRemote(samplerArg as Required<JaegerRemoteOptions>, config.serviceName);
    case 'parentbased_always_on':
    default:
      return new AlwaysOnSampler();
  }
}

function isTailSampler(sampler: Sampler): sampler is TailSampler {
  return (
    typeof (sampler as Partial<TailSampler>).createProcessor === 'function' && typeof (sampler as Partial<TailSampler>).stats === 'function'
  );
}

/**
 * Builds the sampler for the config's sampler name (with its argument) or instance, and puts a
 * {@link TailSampler}'s decision stage in front of `exporting`. @internal
 */
export function createSampler(
  config: Pick<ResolvedConfig, 'sampler' | 'samplerArg' | 'serviceName'>,
  exporting: SpanProcessor[],
): SamplingSetup {
  const root = rootSampler(config);
  const named = typeof config.sampler === 'string' ? config.sampler : '';
  const sampler = named.startsWith('parentbased_') ? new ParentBased(root) : root;
  // Duck-typed rather than instanceof: the ESM and CJS builds of tracewire each have their own TailSampler class.
  const processors = isTailSampler(root) ? [root.createProcessor(exporting)] : [...exporting];
  if (typeof (root as Partial<StoppableSampler>).shutdown === 'function')
    processors.push(new StopSamplerOnShutdown(root as StoppableSampler));
  return Object.freeze({ sampler, processors });
}
