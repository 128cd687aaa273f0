import type { Instrumentation } from '@opentelemetry/instrumentation';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ExpressLayersName, HttpServerInstrumentationName, InstrumentationName } from '../config/types.js';
import { HttpServerInstrumentation } from './http-server/http-server-instrumentation.js';
import { leanExpressLayers } from './lean-express-layers.js';
import { debug, warn } from '../internal/log.js';
import { INSTRUMENTATION_TABLE } from './table.js';
import { FastifyInstrumentation } from './fastify/fastify-instrumentation.js';

const localRequire = createRequire(import.meta.url);
let bundled: Readonly<Record<string, () => unknown>> = {};
/** The express instrumentation's own config for `expressLayers: 'handlers'` (its layer types, ExpressLayerType). */
const HANDLERS_ONLY = Object.freeze({ ignoreLayersType: Object.freeze(['middleware', 'router']) });

/**
 * Makes loadInstrumentations() take these packages from the bundle instead of node_modules (called once by the
 * CommonJS register entry; see bundled-instrumentations.ts). @internal
 */
export function useBundledInstrumentations(packages: Readonly<Record<string, () => unknown>>): void {
  bundled = packages;
}

/** True when `moduleName` can be resolved from the application's directory. @internal */
export function isInstalled(moduleName: string, appRoot: string): boolean {
  try {
    createRequire(join(appRoot, 'noop.js')).resolve(moduleName);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the named instrumentations whose target library the app has installed (resolved from `appRoot`).
 * An instrumentation package is only required when it will be used, which keeps startup fast.
 * `configs` holds constructor options per name (tracewire's own hooks). Instances passed by the user are returned as they are. Never throws: a package that fails to load is reported and skipped.
 * Unless `httpServer` is 'stock': `http` is two instrumentations, instrumentation-http for outgoing requests and
 * tracewire's {@link HttpServerInstrumentation} for incoming ones, and express layers are traced through
 * {@link leanExpressLayers}. With `expressLayers` 'handlers', express middleware and routers get no span (through
 * leanExpressLayers, or the instrumentation's own `ignoreLayersType` when `httpServer` is 'stock').
 * @internal
 */
export function loadInstrumentations(
  wanted: ReadonlyArray<InstrumentationName | Instrumentation>,
  appRoot: string,
  configs: Readonly<Partial<Record<InstrumentationName, object>>> = {},
  httpServer: HttpServerInstrumentationName = 'tracewire',
  expressLayers: ExpressLayersName = 'handlers',
): Instrumentation[] {
  const result: Instrumentation[] = [];
  for (const entry of wanted) {
    if (typeof entry !== 'string') {
      result.push(entry);
      continue;
    }
    const row = INSTRUMENTATION_TABLE.find((r) => r.name === entry);
    if (row === undefined) continue;
    if (row.targets !== null && !row.targets.some((t) => isInstalled(t, appRoot))) {
      debug(`instrumentation ${row.name}: ${row.targets.join('/')} not installed in ${appRoot}, not loaded`);
      continue;
    }
    if (row.name === 'fastify') {
      result.push(new FastifyInstrumentation(configs.fastify ?? {}));
      debug('instrumentation fastify: enabled (tracing:fastify.request.handler)');
      continue;
    }
    try {
      const mod = (bundled[row.packageName]?.() ?? localRequire(row.packageName)) as Record<
        string,
        new (config?: object) => Instrumentation
      >;
      let Ctor = mod[row.exportName];
      if (typeof Ctor !== 'function') throw new Error(`${row.packageName} has no export ${row.exportName}`);
      if (row.name === 'express' && httpServer === 'tracewire') Ctor = leanExpressLayers(Ctor, expressLayers);
      if (row.name === 'http' && httpServer === 'tracewire') {
        result.push(new Ctor({ ...configs.http, disableIncomingRequestInstrumentation: true }), new HttpServerInstrumentation());
        debug('instrumentation http: enabled (incoming requests: tracewire/http-server; outgoing: instrumentation-http)');
        continue;
      }
      const config = row.name === 'express' && httpServer === 'stock' && expressLayers === 'handlers' ? HANDLERS_ONLY : {};
      result.push(new Ctor({ ...config, ...configs[row.name] }));
      debug(`instrumentation ${row.name}: enabled`);
    } catch (error) {
      warn(
        `could not load the ${row.name} instrumentation (${row.packageName}): ${(error as Error).message}; ${row.name} calls will not be traced.`,
      );
    }
  }
  return result;
}
