import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';

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
  return new ParentBased(root, options);
}

/**
 * The stock parent-based sampler with its delegates made readable, so tracewire's tracer can decide for an
 * unsampled span without building it (see `compileSamplingPlan`). Decisions are the stock ones.
 * @internal
 */
export class ParentBased extends ParentBasedSampler {
  readonly root: Sampler;
  readonly remoteParentSampled: Sampler;
  readonly remoteParentNotSampled: Sampler;
  readonly localParentSampled: Sampler;
  readonly localParentNotSampled: Sampler;

  constructor(root: Sampler, options: ParentBasedOptions = {}) {
    const delegates = {
      root,
      remoteParentSampled: options.remoteParentSampled ?? new AlwaysOnSampler(),
      remoteParentNotSampled: options.remoteParentNotSampled ?? new AlwaysOffSampler(),
      localParentSampled: options.localParentSampled ?? new AlwaysOnSampler(),
      localParentNotSampled: options.localParentNotSampled ?? new AlwaysOffSampler(),
    };
    super(delegates);
    this.root = root;
    this.remoteParentSampled = delegates.remoteParentSampled;
    this.remoteParentNotSampled = delegates.remoteParentNotSampled;
    this.localParentSampled = delegates.localParentSampled;
    this.localParentNotSampled = delegates.localParentNotSampled;
  }
}
