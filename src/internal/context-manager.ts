import { context, type ContextManager } from '@opentelemetry/api';
import { globalState } from './global-state.js';

const state = globalState();

/**
 * The context manager initTracing registered, while it is the global one; otherwise the API's `context`, which looks
 * the global one up on every call. For hot paths (withSpan, the HTTP server and express layer instrumentations).
 * @internal
 */
export function activeContextManager(): Pick<ContextManager, 'active' | 'with'> {
  return (state.contextManager as ContextManager | undefined) ?? context;
}

/**
 * Calls `fn` on `self` with `args` (an arguments object): a callback for ContextManager.with that runs a function
 * with its original `this` and arguments, without a closure or a bound function per call.
 * @internal
 */
export function applyArguments(fn: (this: never, ...args: never[]) => unknown, self: unknown, args: IArguments): unknown {
  return Reflect.apply(fn, self, args);
}
