/**
 * Process-wide state shared by every copy of tracewire in the process (the ESM and the CommonJS build can
 * both be loaded, e.g. `--import tracewire/register` plus `require('tracewire')` in the app).
 * @internal
 */
const KEY = Symbol.for('tracewire.global-state.v1');

interface GlobalState {
  handle?: unknown;
  /**
   * The tracer "tracewire" of the provider initTracing registered as the global one, while it is registered:
   * withSpan's default, without the API's global lookups on every call.
   */
  tracer?: unknown;
  /** The context manager initTracing registered as the global one, while it is registered (same purpose). */
  contextManager?: unknown;
}

export function globalState(): GlobalState {
  const g = globalThis as { [KEY]?: GlobalState };
  g[KEY] ??= {};
  return g[KEY];
}
