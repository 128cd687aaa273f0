import { context as contextApi, trace, type ContextManager, type Tracer } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { globalState } from '../internal/global-state.js';
import { debug } from '../internal/log.js';
import { TracewireTracer } from '../sdk/tracewire-tracer.js';

/** Marks a layer handle that already got the unsampled bypass. */
const kBypass = Symbol('tracewire.express.unsampled-bypass');

type Handle = ((this: unknown, ...args: unknown[]) => unknown) & { __original?: Handle; [kBypass]?: true };
interface Layer {
  handle?: Handle;
}
interface ExpressInstrumentationLike extends Instrumentation {
  readonly tracer: Tracer;
  _applyPatch(layer: Layer, layerPath?: unknown): void;
}
type ExpressInstrumentationClass = new (config?: object) => Instrumentation;

const state = globalState();

/**
 * The ExpressInstrumentation class with one change: a layer (middleware, router or route handler) called for a
 * request whose span the sampler dropped runs as express's own, without the instrumentation's work (layer paths,
 * route, a dropped span and its context, listener binding per layer). Sampled requests get the same spans, names
 * and route as before. Only when tracewire's tracer knows that every child of a dropped span is dropped too
 * (parent-based sampling, the default); otherwise, and when the instrumentation's internals differ from what this
 * expects, the class is returned unchanged.
 * @internal
 */
export function skipUnsampledLayers(Base: ExpressInstrumentationClass): ExpressInstrumentationClass {
  const proto = Base.prototype as Partial<ExpressInstrumentationLike>;
  if (typeof proto._applyPatch !== 'function') {
    debug('express instrumentation: no _applyPatch to wrap; layers of unsampled requests keep the instrumentation’s work');
    return Base;
  }
  return class ExpressSkippingUnsampled extends (Base as new (config?: object) => ExpressInstrumentationLike) {
    override _applyPatch(layer: Layer, layerPath?: unknown): void {
      super._applyPatch(layer, layerPath);
      const traced = layer.handle;
      const untraced = traced?.__original;
      if (traced === undefined || typeof untraced !== 'function' || traced[kBypass] === true) return;
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const instrumentation = this;
      const handle = function layerHandle(this: unknown): unknown {
        const manager = (state.contextManager as ContextManager | undefined) ?? contextApi;
        const span = trace.getSpan(manager.active());
        const tracer = instrumentation.tracer;
        const skip = span !== undefined && tracer instanceof TracewireTracer && tracer.dropsChildrenOf(span);
        return Reflect.apply(skip ? untraced : traced, this, arguments);
      } as Handle;
      // Router handles carry state (stack, params) that express and the instrumentation read through the layer.
      for (const key in untraced) {
        Object.defineProperty(handle, key, {
          get: () => (untraced as unknown as Record<string, unknown>)[key],
          set: (value: unknown) => {
            (untraced as unknown as Record<string, unknown>)[key] = value;
          },
        });
      }
      handle[kBypass] = true;
      layer.handle = handle;
    }
  };
}
