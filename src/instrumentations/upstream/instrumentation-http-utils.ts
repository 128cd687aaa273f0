import type { Attributes, Span } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';

/** True in the CommonJS register bundle, where tsup's esbuild plugin bundles the upstream file (see tsup.config.ts). */
declare const __TRACEWIRE_BUNDLES_UPSTREAM_UTILS__: boolean;

/**
 * The adapter that owns tracewire's dependency on @opentelemetry/instrumentation-http's internal `utils` module
 * (not in the package's `exports`): tracewire's own HTTP server instrumentation takes the stock span attributes
 * and error recording from it, so that both instrumentations produce the same spans. The module is loaded by a
 * relative require from the package's own entry file (relative requires inside a package are not subject to its
 * `exports` map), so it resolves its dependencies from the package's location. Its contract (the names and the
 * shape of what they return) is checked against the installed package by test/unit/upstream-adapters.test.ts.
 * @internal
 */
export interface InstrumentationHttpUtils {
  getIncomingRequestAttributes(
    request: IncomingMessage,
    options: { component: 'http' | 'https'; enableSyntheticSourceDetection: boolean; redactedQueryParams?: string[] },
    logger: { verbose(...args: unknown[]): void },
  ): Attributes;
  setSpanWithError(span: Span, error: Error): void;
}

let loaded: InstrumentationHttpUtils | undefined;

/** The upstream module, loaded on first use. Throws (at startup, from the instrumentation's construction) if it moved. @internal */
export function instrumentationHttpUtils(): InstrumentationHttpUtils {
  if (loaded === undefined) {
    let entry = 'the register bundle';
    let utils: unknown;
    if (typeof __TRACEWIRE_BUNDLES_UPSTREAM_UTILS__ === 'boolean' && __TRACEWIRE_BUNDLES_UPSTREAM_UTILS__) {
      // Bundled with the package's other modules, so that a traced process reads no extra file at startup.
      utils = require('@opentelemetry/instrumentation-http/dist/utils.cjs');
    } else {
      entry = createRequire(import.meta.url).resolve('@opentelemetry/instrumentation-http');
      utils = createRequire(entry)('./utils.cjs');
    }
    const upstream = utils as Partial<InstrumentationHttpUtils>;
    if (typeof upstream.getIncomingRequestAttributes !== 'function' || typeof upstream.setSpanWithError !== 'function') {
      throw new Error(`@opentelemetry/instrumentation-http's utils module (beside ${entry}) no longer exports getIncomingRequestAttributes and setSpanWithError`);
    }
    loaded = upstream as InstrumentationHttpUtils;
  }
  return loaded;
}
