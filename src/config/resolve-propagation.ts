import { maskUrl, maskUrlList } from '../internal/mask-url.js';
import { isDestinationEntry } from '../propagation/destination-filter.js';
import { defineSection } from './option-reader.js';
import type { PropagatorName, ResolvedConfig } from './types.js';
import { hasMethods } from './validators.js';

/** @internal */
export const PROPAGATOR_NAMES: readonly PropagatorName[] = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger', 'none'];
const DEFAULT_PROPAGATORS: readonly PropagatorName[] = ['tracecontext', 'baggage'];

/**
 * Context propagation: the propagators (`propagators` > OTEL_PROPAGATORS > tracecontext,baggage; `none` for none) and
 * the destinations that get trace context (`propagateTo` > TRACEWIRE_PROPAGATE_TO > every destination).
 * @internal
 */
export const propagationSection = defineSection(['propagators', 'propagateTo'], (r) => {
  const e = r.env;
  const isPropagator = (v: unknown) => hasMethods(v, 'inject', 'extract', 'fields');
  let propagators = r.get<ResolvedConfig['propagators']>(
    'propagators',
    (v) => Array.isArray(v) && v.every((x) => PROPAGATOR_NAMES.includes(x as PropagatorName) || isPropagator(x)),
    `an array of ${PROPAGATOR_NAMES.join(', ')} or TextMapPropagator instances`,
  );
  if (propagators === undefined && !r.given('propagators')) {
    const names = e.names('OTEL_PROPAGATORS', PROPAGATOR_NAMES, 'propagator(s)', (known) =>
      (known.length > 0 ? known : DEFAULT_PROPAGATORS).join(','),
    );
    if (names !== undefined) propagators = names.length > 0 ? names : DEFAULT_PROPAGATORS;
  }
  propagators ??= DEFAULT_PROPAGATORS;
  if (propagators.includes('none')) propagators = [];

  let propagateTo: ReadonlyArray<string | RegExp> | null = null;
  const codeDestinations = r.get<ReadonlyArray<string | RegExp>>(
    'propagateTo',
    (v) => Array.isArray(v) && v.every((x) => x instanceof RegExp || (typeof x === 'string' && isDestinationEntry(x.trim()))),
    'an array of http(s) URL prefixes, host names (*.example.com) or RegExps',
  );
  if (codeDestinations !== undefined) {
    propagateTo = codeDestinations.map((x) => (typeof x === 'string' ? x.trim() : x));
  } else if (!r.given('propagateTo')) {
    const list = e.list('TRACEWIRE_PROPAGATE_TO');
    if (list !== undefined) {
      const bad = list.filter((x) => !isDestinationEntry(x));
      const good = list.filter((x) => isDestinationEntry(x));
      propagateTo = good;
      if (bad.length > 0) {
        e.warn(
          'TRACEWIRE_PROPAGATE_TO',
          maskUrlList(e.raw('TRACEWIRE_PROPAGATE_TO') ?? ''),
          `has entries that are neither http(s) URL prefixes nor host names (${bad.map(maskUrl).join(', ')})`,
          `only ${good.map(maskUrl).join(', ') || 'no destination'}`,
        );
      }
    }
  }
  return {
    propagators: Object.freeze([...propagators]),
    propagateTo: propagateTo === null ? null : Object.freeze([...propagateTo]),
  };
});
