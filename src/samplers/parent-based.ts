import { ParentBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';

/** Samplers for spans that have a parent; each defaults to following the parent's sampled flag. */
export interface ParentBasedOptions {
  /** For a parent from another service that was sampled. Default: always on. */
  remoteParentSampled?: Sampler;
  /** For a parent from another service that was not sampled. Default: always off. */
  remoteParentNotSampled?: Sampler;
  /** For a parent in this process that was sampled. Default: always on. */
  localParentSampled?: Sampler;
  /** For a parent in this process that was not sampled. Default: always off. */
  localParentNotSampled?: Sampler;
}

/**
 * Wraps a root sampler so that spans with a parent follow the parent's decision (the W3C `sampled` flag
 * of an incoming traceparent, or the local parent span), and only new traces ask `root`. This keeps
 * traces whole across services. The `parentbased_*` sampler names build exactly this.
 *
 * @example
 * ```ts
 * import { initTracing, parentBased, ratioSampler } from 'tracewire';
 * initTracing({ sampler: parentBased(ratioSampler(0.1)) });
 * ```
 */
export function parentBased(root: Sampler, options: ParentBasedOptions = {}): Sampler {
  return new ParentBasedSampler({ root, ...options });
}
