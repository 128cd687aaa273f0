/**
 * Process-wide state shared by every copy of tracewire in the process (the ESM and the CommonJS build can
 * both be loaded, e.g. `--import tracewire/register` plus `require('tracewire')` in the app).
 * @internal
 */
const KEY = Symbol.for('tracewire.global-state.v1');

interface GlobalState {
  handle?: unknown;
}

export function globalState(): GlobalState {
  const g = globalThis as { [KEY]?: GlobalState };
  g[KEY] ??= {};
  return g[KEY];
}
