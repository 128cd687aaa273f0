import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator } from '@opentelemetry/core';
import { TraceContextPropagator } from './trace-context-propagator.js';
import { BaggagePropagator } from './baggage-propagator.js';
import { createRequire } from 'node:module';
import type { PropagatorName } from '../config/types.js';
import { JaegerPropagator } from './jaeger-propagator.js';
import { ValidContextPropagator } from './valid-context-propagator.js';

// The B3 package is required only when configured: the default propagators (tracecontext, baggage) and the Jaeger
// format are tracewire's own (trace-context-propagator.ts, baggage-propagator.ts, jaeger-propagator.ts).
const localRequire = createRequire(import.meta.url);

function b3Propagator(single: boolean): TextMapPropagator {
  const { B3Propagator, B3InjectEncoding } = localRequire('@opentelemetry/propagator-b3') as typeof import('@opentelemetry/propagator-b3');
  return new B3Propagator({ injectEncoding: single ? B3InjectEncoding.SINGLE_HEADER : B3InjectEncoding.MULTI_HEADER });
}

/**
 * Builds one propagator from names and instances, in order (extraction: later ones win). Extraction never yields
 * an invalid remote parent (see ValidContextPropagator). @internal
 */
export function createPropagator(list: ReadonlyArray<PropagatorName | TextMapPropagator>): TextMapPropagator {
  const propagators: TextMapPropagator[] = [];
  for (const item of list) {
    if (typeof item !== 'string') propagators.push(item);
    else if (item === 'tracecontext') propagators.push(new TraceContextPropagator());
    else if (item === 'baggage') propagators.push(new BaggagePropagator());
    else if (item === 'b3' || item === 'b3multi') propagators.push(b3Propagator(item === 'b3'));
    else if (item === 'jaeger') propagators.push(new JaegerPropagator());
  }
  return new ValidContextPropagator(new CompositePropagator({ propagators }));
}
