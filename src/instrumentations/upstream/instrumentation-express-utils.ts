import { loadUpstreamUtils } from './load-upstream-utils.js';

/**
 * The adapter that owns tracewire's dependency on @opentelemetry/instrumentation-express's internal `utils` module
 * (not in the package's `exports`): tracewire's lean layer wrapper names spans and routes with the
 * instrumentation's own functions, so that both produce the same spans. Loaded by loadUpstreamUtils
 * (load-upstream-utils.ts). Its contract is checked against the installed package by
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
    loaded = loadUpstreamUtils<InstrumentationExpressUtils>('@opentelemetry/instrumentation-express', NAMES, () =>
      require('@opentelemetry/instrumentation-express/dist/utils.cjs'),
    );
  }
  return loaded;
}
