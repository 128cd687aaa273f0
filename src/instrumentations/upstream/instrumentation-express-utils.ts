import { createRequire } from 'node:module';

/** True in the CommonJS register bundle, where tsup's esbuild plugin bundles the upstream file (see tsup.config.ts). */
declare const __TRACEWIRE_BUNDLES_UPSTREAM_UTILS__: boolean;

/**
 * The adapter that owns tracewire's dependency on @opentelemetry/instrumentation-express's internal `utils` module
 * (not in the package's `exports`): tracewire's lean layer wrapper names spans and routes with the
 * instrumentation's own functions, so that both produce the same spans. Loaded by a relative require from the
 * package's entry file (not subject to its `exports` map). Its contract is checked against the installed package by
 * test/unit/upstream-adapters.test.ts.
 * @internal
 */
export interface InstrumentationExpressUtils {
  asErrorAndMessage(error: unknown): [Error | string, string];
  storeLayerPath(request: object, value?: string): { isLayerPathStored: boolean };
  getConstructedRoute(request: object): string;
  getActualMatchedRoute(request: object): string | undefined;
  getLayerMetadata(route: string, layer: object, layerPath?: string): { attributes: Record<string, string>; name: string };
}

const NAMES = ['asErrorAndMessage', 'storeLayerPath', 'getConstructedRoute', 'getActualMatchedRoute', 'getLayerMetadata'] as const;
let loaded: InstrumentationExpressUtils | undefined;

/** The upstream module, loaded on first use. Throws if it moved or lost one of the functions. @internal */
export function instrumentationExpressUtils(): InstrumentationExpressUtils {
  if (loaded === undefined) {
    let entry = 'the register bundle';
    let utils: unknown;
    if (typeof __TRACEWIRE_BUNDLES_UPSTREAM_UTILS__ === 'boolean' && __TRACEWIRE_BUNDLES_UPSTREAM_UTILS__) {
      // Bundled with the package's other modules, so that a traced process reads no extra file at startup.
      utils = require('@opentelemetry/instrumentation-express/dist/utils.cjs');
    } else {
      entry = createRequire(import.meta.url).resolve('@opentelemetry/instrumentation-express');
      utils = createRequire(entry)('./utils.cjs');
    }
    const upstream = utils as Record<string, unknown>;
    const missing = NAMES.filter((name) => typeof upstream[name] !== 'function');
    if (missing.length > 0) throw new Error(`@opentelemetry/instrumentation-express's utils module (beside ${entry}) no longer exports ${missing.join(', ')}`);
    loaded = upstream as unknown as InstrumentationExpressUtils;
  }
  return loaded;
}
