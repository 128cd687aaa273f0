import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger';
import type { PropagatorName } from '../config/types.js';
import { ValidContextPropagator } from './valid-context-propagator.js';

/**
 * Builds one propagator from names and instances, in order (extraction: later ones win). Extraction never yields
 * an invalid remote parent (see ValidContextPropagator). @internal
 */
export function createPropagator(list: ReadonlyArray<PropagatorName | TextMapPropagator>): TextMapPropagator {
  const propagators: TextMapPropagator[] = [];
  for (const item of list) {
    if (typeof item !== 'string') propagators.push(item);
    else if (item === 'tracecontext') propagators.push(new W3CTraceContextPropagator());
    else if (item === 'baggage') propagators.push(new W3CBaggagePropagator());
    else if (item === 'b3') propagators.push(new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER }));
    else if (item === 'b3multi') propagators.push(new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }));
    else if (item === 'jaeger') propagators.push(new JaegerPropagator());
  }
  return new ValidContextPropagator(new CompositePropagator({ propagators }));
}
