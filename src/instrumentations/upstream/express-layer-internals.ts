import type { Instrumentation } from '@opentelemetry/instrumentation';
import { debug } from '../../internal/log.js';

/**
 * The adapter that owns tracewire's dependency on the private parts of @opentelemetry/instrumentation-express's
 * `ExpressInstrumentation` (0.72) that tracewire's lean layer wrapper (lean-express-layers.ts) builds on. It relies on
 * exactly three things, each checked against the real instrumentation and a real express 5 app by
 * test/unit/upstream-adapters.test.ts:
 *
 * 1. `ExpressInstrumentation.prototype._applyPatch(layer, layerPath)`: called by the instrumentation's patches of
 *    `Router.route`, `Router.use` and `application.use` for each layer express adds, with the path it was mounted on;
 *    it replaces `layer.handle` with the instrumentation's wrapper ({@link afterApplyPatch} hooks in after it).
 * 2. `__original` on that wrapper: the handle express had before (set by the instrumentation's shimmer `_wrap`);
 *    an error handler (four parameters) is left unwrapped and becomes its own `__original` ({@link untracedHandleOf}).
 * 3. `request.__ot_middlewares` (its `_LAYERS_STORE_PROPERTY`): the array of layer paths its `storeLayerPath` pushes
 *    to and its wrapper pops from when a layer calls `next` ({@link popLayerPath}).
 *
 * When the upstream shape changes, tracewire degrades and never throws into the app: without `_applyPatch` the
 * instrumentation's own wrapper runs for every layer (one debug message at startup); a wrapper without a function
 * `__original` keeps the instrumentation's wrapper for that layer (one debug message); a request without the layer
 * path array is left as it is (one debug message), so routes may be incomplete but requests are served.
 * @internal
 */
export const EXPRESS_LAYER_INTERNALS = Object.freeze({
  applyPatch: '_applyPatch',
  original: '__original',
  layerPaths: '__ot_middlewares',
} as const);

/** An express layer's handle, and the mark shimmer leaves on a wrapper. @internal */
export type LayerHandle = ((this: unknown, ...args: unknown[]) => unknown) & { [EXPRESS_LAYER_INTERNALS.original]?: LayerHandle };
/** What tracewire reads of an express layer. @internal */
export interface ExpressLayer {
  handle?: LayerHandle;
  name?: string;
  path?: string;
}
type InstrumentationClass = new (config?: object) => Instrumentation;
type WithApplyPatch = Instrumentation & { _applyPatch(layer: ExpressLayer, layerPath?: unknown): void };
/** Called right after the instrumentation patched `layer`, with the instrumentation. @internal */
export type AfterApplyPatch = (instrumentation: Instrumentation, layer: ExpressLayer, layerPath: unknown) => void;

let reportedOriginal = false;
let reportedPaths = false;

/**
 * A subclass of the express instrumentation class `Base` whose `_applyPatch` runs `after` once the instrumentation
 * patched a layer (a throw from `after` is written to the debug log, not to the app); undefined (with a debug
 * message) when `Base` has no `_applyPatch`.
 * @internal
 */
export function afterApplyPatch(Base: InstrumentationClass, after: AfterApplyPatch): InstrumentationClass | undefined {
  const proto = Base.prototype as Partial<WithApplyPatch>;
  if (typeof proto[EXPRESS_LAYER_INTERNALS.applyPatch] !== 'function') {
    debug(`express instrumentation: no ${EXPRESS_LAYER_INTERNALS.applyPatch} to hook into; its own layer wrapper runs for every request`);
    return undefined;
  }
  return class AfterApplyPatch extends (Base as new (config?: object) => WithApplyPatch) {
    override _applyPatch(layer: ExpressLayer, layerPath?: unknown): void {
      super._applyPatch(layer, layerPath);
      // Runs inside the app's app.use()/router.route(): a failure leaves the instrumentation's wrapper in place.
      try {
        after(this, layer, layerPath);
      } catch (error) {
        debug(
          `express instrumentation: ${(error as Error)?.message ?? String(error)}; the instrumentation's own wrapper runs for this layer`,
        );
      }
    }
  };
}

/**
 * The handle express had before the instrumentation wrapped `handle` (its `__original`), or undefined (with one debug
 * message per process) when the wrapper carries none.
 * @internal
 */
export function untracedHandleOf(handle: LayerHandle): LayerHandle | undefined {
  const original = handle[EXPRESS_LAYER_INTERNALS.original];
  if (typeof original === 'function') return original;
  if (!reportedOriginal) {
    reportedOriginal = true;
    debug(
      `express instrumentation: a layer wrapper has no ${EXPRESS_LAYER_INTERNALS.original}; the instrumentation's own wrapper runs for such layers`,
    );
  }
  return undefined;
}

/** The layer paths the instrumentation stored on `request` (mounted path of each layer entered), or undefined. @internal */
export function layerPathsOf(request: object): unknown[] | undefined {
  const paths = (request as Record<string, unknown>)[EXPRESS_LAYER_INTERNALS.layerPaths];
  return Array.isArray(paths) ? paths : undefined;
}

/**
 * Removes the last layer path stored on `request`, as the instrumentation's wrapper does when a layer calls `next`.
 * Without the array (the instrumentation stores it elsewhere), nothing is removed and one debug message is written.
 * @internal
 */
export function popLayerPath(request: object): void {
  const paths = layerPathsOf(request);
  if (paths !== undefined) {
    paths.pop();
  } else if (!reportedPaths) {
    reportedPaths = true;
    debug(`express instrumentation: no ${EXPRESS_LAYER_INTERNALS.layerPaths} array on the request; layer paths are not popped`);
  }
}
