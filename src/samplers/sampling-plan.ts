import { AlwaysOffSampler, AlwaysOnSampler, type Sampler } from '@opentelemetry/sdk-trace';
import { ParentBased } from './parent-based.js';
import { RatioSampler } from './ratio-sampler.js';

/** A rule that keeps every trace: above any 32-bit accumulation. @internal */
export const KEEP_ALL = 0x100000000;
/** A rule that keeps no trace. @internal */
export const KEEP_NONE = 0;
/** A sampler whose decision tracewire cannot predict: the tracer calls it, as the SDK's tracer does. @internal */
export const ASK_SAMPLER = -1;

/**
 * What a sampler decides, as numbers the tracer can apply without calling it: for each case (new trace, and the
 * four kinds of parent) the bound below which the trace id's accumulation (the stock ratio rule) means "sampled",
 * or {@link ASK_SAMPLER}. Only samplers whose decision is a pure function of the parent and the trace id are
 * compiled: always_on, always_off, tracewire's ratio sampler and parent-based combinations of them.
 * @internal
 */
export interface SamplingPlan {
  readonly root: number;
  readonly remoteParentSampled: number;
  readonly remoteParentNotSampled: number;
  readonly localParentSampled: number;
  readonly localParentNotSampled: number;
}

function ruleOf(sampler: Sampler): number {
  // Exact classes only: a subclass may override shouldSample.
  const ctor = (sampler as { constructor?: unknown }).constructor;
  if (ctor === AlwaysOnSampler) return KEEP_ALL;
  if (ctor === AlwaysOffSampler) return KEEP_NONE;
  if (ctor === RatioSampler) return (sampler as RatioSampler).upperBound;
  return ASK_SAMPLER;
}

/**
 * The plan of `sampler`, or null when no case can be decided without calling it.
 * @internal
 */
export function compileSamplingPlan(sampler: Sampler): SamplingPlan | null {
  let plan: SamplingPlan;
  if ((sampler as { constructor?: unknown }).constructor === ParentBased) {
    const p = sampler as ParentBased;
    plan = {
      root: ruleOf(p.root),
      remoteParentSampled: ruleOf(p.remoteParentSampled),
      remoteParentNotSampled: ruleOf(p.remoteParentNotSampled),
      localParentSampled: ruleOf(p.localParentSampled),
      localParentNotSampled: ruleOf(p.localParentNotSampled),
    };
  } else {
    const rule = ruleOf(sampler);
    plan = { root: rule, remoteParentSampled: rule, remoteParentNotSampled: rule, localParentSampled: rule, localParentNotSampled: rule };
  }
  // A KEEP_ALL rule is worth compiling too: the tracer then builds the span without calling the sampler.
  return Object.values(plan).every((r) => r === ASK_SAMPLER) ? null : Object.freeze(plan);
}

/**
 * The stock ratio sampler's accumulation of a 32-hex-digit trace id: the XOR of its four 32-bit words,
 * each read big-endian. @internal
 */
export function accumulateTraceId(traceId: string): number {
  let accumulation = 0;
  for (let i = 0; i < 32; i += 8) {
    let part = 0;
    for (let j = 0; j < 8; j++) {
      const c = traceId.charCodeAt(i + j);
      part = (part << 4) | (c < 58 ? c - 48 : c < 71 ? c - 55 : c - 87);
    }
    accumulation = (accumulation ^ part) >>> 0;
  }
  return accumulation;
}
