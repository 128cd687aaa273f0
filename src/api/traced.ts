import { context } from '@opentelemetry/api';
import { applyTracedCall, openSpan, runInSpan, type TracedCall, type WithSpanOptions } from './with-span.js';

/**
 * Wraps `fn` so that every call runs inside a new span named `name` (see {@link withSpan} for the rules).
 * `this` and the arguments pass through unchanged; the wrapper returns what fn returns.
 *
 * @example
 * ```ts
 * const chargeCard = traced('charge card', async (orderId: string, cents: number) => payments.charge(orderId, cents));
 * await chargeCard('o-1', 1999);
 * ```
 */
export function traced<A extends unknown[], R>(name: string, fn: (...args: A) => R, options: WithSpanOptions = {}): (...args: A) => R {
  if (typeof fn !== 'function') throw new TypeError('traced(name, fn, options?): fn must be a function');
  return function tracedFunction(this: unknown, ...args: A): R {
    const ctx = options.context ?? context.active();
    const call: TracedCall = { fn: fn as TracedCall['fn'], self: this, args };
    return runInSpan(openSpan(name, options, ctx), ctx, applyTracedCall, call) as R;
  };
}
