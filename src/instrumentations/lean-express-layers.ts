import { SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import { activeContextManager as manager, applyArguments } from '../internal/context-manager.js';
import { debug } from '../internal/log.js';
import { endAtResponseClose } from './http-server/http-server-instrumentation.js';
import {
  afterApplyPatch,
  popLayerPath,
  untracedHandleOf,
  type ExpressLayer,
  type LayerHandle,
} from './upstream/express-layer-internals.js';
import { instrumentationExpressUtils, type InstrumentationExpressUtils } from './upstream/instrumentation-express-utils.js';
import { dropsChildrenOf } from '../internal/tracer-capabilities.js';
import type { ExpressLayersName } from '../config/types.js';

/** Marks a layer handle that already got tracewire's wrapper. */
const kLean = Symbol('tracewire.express.lean-layer');
/** The express instrumentation's layer types that get no span with `expressLayers: 'handlers'` (ExpressLayerType). */
const NOT_HANDLERS: ReadonlySet<unknown> = new Set(['middleware', 'router']);
/** What express's `next` accepts without meaning an error. */
const NOT_ERRORS: readonly unknown[] = [undefined, null, 'route', 'router'];
/** The express instrumentation's own functions (set by leanExpressLayers before any layer is wrapped). */
let upstream: InstrumentationExpressUtils;

type Handle = LayerHandle & { [kLean]?: true };
type Layer = ExpressLayer;
interface ExpressConfig {
  enabled?: boolean;
  ignoreLayers?: unknown;
  ignoreLayersType?: unknown;
  spanNameHook?: unknown;
  requestHook?: unknown;
}
interface ExpressInstrumentationLike extends Instrumentation {
  readonly tracer: Tracer;
}
type ExpressInstrumentationClass = new (config?: object) => Instrumentation;
interface Request {
  res?: { removeListener(event: string, listener: () => void): unknown };
  route?: unknown;
}

/**
 * One call of a layer with its span: ends it when the layer calls `next` (recording an error passed to it) or when
 * the response closes, whichever comes first, exactly as the express instrumentation's wrapper does.
 */
class LayerCall {
  ended = false;
  callback: Handle | undefined = undefined;
  /** The response 'close' listener, when the response is not traced by tracewire's server instrumentation. */
  onClose: (() => void) | undefined = undefined;

  constructor(
    readonly span: Span,
    private readonly parentContext: Context,
    private readonly request: Request,
    private readonly layerPathStored: boolean,
  ) {}

  /** Ends the span once (on `next`, on the response's close, or at once for a router). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.onClose !== undefined) this.request.res?.removeListener('close', this.onClose);
    this.span.end();
  }

  /** The layer called `next(...)`: end the span, pop the layer path, continue in the parent span's context. */
  next(self: unknown, args: IArguments): unknown {
    const maybeError: unknown = args[0];
    const isError = !NOT_ERRORS.includes(maybeError);
    if (!this.ended && isError) {
      const [error, message] = upstream.asErrorAndMessage(maybeError);
      this.span.recordException(error);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message });
    }
    this.end();
    if (!(this.request.route && isError) && this.layerPathStored) popLayerPath(this.request);
    const contexts = manager();
    const active = contexts.active();
    const parentSpan = trace.getSpan(this.parentContext);
    // The active context (it may carry baggage set by a middleware) with the parent span, so siblings do not nest.
    const nextContext = parentSpan === undefined || trace.getSpan(active) === parentSpan ? active : trace.setSpan(active, parentSpan);
    return contexts.with(nextContext, applyArguments, undefined, this.callback!, self, args);
  }
}

/**
 * A layer call with its span, as the express instrumentation's per-layer wrapper makes it (same span name,
 * attributes, route in the RPC metadata, error recording, end on `next` or on the response's close, `next` in the
 * parent's context) with less work per call: no copy of the arguments, no bound functions (the context manager's
 * `with` instead), and, when tracewire's server instrumentation traces the request, no `close` listener per layer.
 * A layer whose type is in `skipped` gets no span, as the instrumentation treats a type in its `ignoreLayersType`
 * (the route still set, the layer path popped at once, except a router's, which its own layers build on).
 */
function callLayer(
  tracer: Tracer,
  layer: Layer,
  layerPath: unknown,
  skipped: ReadonlySet<unknown> | undefined,
  untraced: Handle,
  self: unknown,
  args: IArguments,
): unknown {
  const request = args[0] as Request;
  const { isLayerPathStored } = upstream.storeLayerPath(request as never, layerPath as never);
  const constructedRoute = upstream.getConstructedRoute(request as never);
  const matchedRoute = upstream.getActualMatchedRoute(request as never);
  const metadata = upstream.getLayerMetadata(constructedRoute, layer as never, layerPath as never);
  const contexts = manager();
  const parentContext = contexts.active();
  const rpc = getRPCMetadata(parentContext);
  if (rpc?.type === RPCType.HTTP) rpc.route = matchedRoute;
  const type = metadata.attributes['express.type'];
  if (skipped !== undefined && skipped.has(type)) {
    if (type !== 'router' && isLayerPathStored) popLayerPath(request);
    return Reflect.apply(untraced, self, args);
  }
  if (trace.getSpan(parentContext) === undefined) return Reflect.apply(untraced, self, args);
  const span = tracer.startSpan(
    metadata.name,
    { attributes: Object.assign({ [ATTR_HTTP_ROUTE]: matchedRoute }, metadata.attributes) },
    parentContext,
  );
  const call = new LayerCall(span, parentContext, request, isLayerPathStored);
  let layerContext = trace.setSpan(parentContext, span);
  if (type === 'router') {
    // As the instrumentation does: router spans end at once and the router's layers run in the parent's context.
    call.end();
    layerContext = parentContext;
  }
  for (let i = 0; i < args.length; i++) {
    if (typeof args[i] === 'function') {
      call.callback = args[i] as Handle;
      args[i] = function nextOfLayer(this: unknown): unknown {
        return call.next(this, arguments);
      };
      break;
    }
  }
  try {
    return contexts.with(layerContext, applyArguments, undefined, untraced, self, args);
  } catch (thrown) {
    const [error, message] = upstream.asErrorAndMessage(thrown);
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    throw thrown;
  } finally {
    // The layer answered (or will) without calling next: its span ends with the response.
    if (!call.ended && !endAtResponseClose(args[1], call)) {
      call.onClose = () => call.end();
      (args[1] as { once(event: string, listener: () => void): unknown }).once('close', call.onClose);
    }
  }
}

/**
 * The ExpressInstrumentation class with two changes to what happens when a layer (middleware, router or route
 * handler) is called; which layers are patched, and when, is the instrumentation's own:
 * - for a request whose span the sampler dropped, the layer runs as express's own, without the instrumentation's
 *   work, when tracewire's tracer knows that every child of a dropped span is dropped too (parent-based sampling,
 *   the default), unless the request's RPC metadata wants its route (for http.server.request.duration);
 * - for other requests, the layer's span is made by {@link callLayer}: the instrumentation's spans (its own
 *   functions name them and compute the route), with less work per call; with `layers` 'handlers', only route
 *   handlers get a span. With `ignoreLayers`, `ignoreLayersType`, `spanNameHook` or `requestHook` in its config, the
 *   instrumentation's own wrapper runs instead.
 * The instrumentation's internals it builds on are owned by upstream/express-layer-internals.ts (and its utils by
 * upstream/instrumentation-express-utils.ts); if they differ from what those expect, the class is returned unchanged
 * or the instrumentation's own wrapper runs, with a debug message.
 * @internal
 */
export function leanExpressLayers(Base: ExpressInstrumentationClass, layers: ExpressLayersName = 'all'): ExpressInstrumentationClass {
  try {
    upstream = instrumentationExpressUtils();
  } catch (error) {
    debug(`express instrumentation: ${(error as Error).message}; its own layer wrapper runs for every request`);
    return layers === 'all' ? Base : withHandlersOnly(Base);
  }
  const skipped = layers === 'all' ? undefined : NOT_HANDLERS;
  const lean = afterApplyPatch(Base, (instrumentation, layer, layerPath) => leanLayer(instrumentation, layer, layerPath, skipped));
  return lean ?? (layers === 'all' ? Base : withHandlersOnly(Base));
}

/** `Base` constructed with the instrumentation's own `ignoreLayersType` for middleware and routers. */
function withHandlersOnly(Base: ExpressInstrumentationClass): ExpressInstrumentationClass {
  return class HandlersOnly extends Base {
    constructor(config: object = {}) {
      super({ ignoreLayersType: [...NOT_HANDLERS], ...config });
    }
  };
}

/** Replaces the instrumentation's wrapper of `layer` (just made by its `_applyPatch`) with tracewire's. */
function leanLayer(instrumentation: Instrumentation, layer: Layer, layerPath: unknown, skipped: ReadonlySet<unknown> | undefined): void {
  const traced = layer.handle as Handle | undefined;
  if (traced === undefined || traced[kLean] === true) return;
  const untraced = untracedHandleOf(traced);
  // Error handlers (four parameters) are left as they are by the instrumentation (shimmer then marks the
  // handler itself as its own original), and express tells them apart by their arity: never wrap them.
  if (untraced === undefined || traced === untraced || untraced.length > 3) return;
  const config = instrumentation.getConfig() as ExpressConfig;
  const own =
    config.ignoreLayers === undefined &&
    config.ignoreLayersType === undefined &&
    config.spanNameHook === undefined &&
    config.requestHook === undefined;
  const withTracer = instrumentation as ExpressInstrumentationLike;
  // Two parameters, as the instrumentation's wrapper has (express reads a handler's arity).
  const handle = function layerHandle(this: unknown, _request: unknown, _response: unknown): unknown {
    const tracer = withTracer.tracer;
    const active = manager().active();
    // A dropped request needs no layer work, unless its RPC metadata asks for the route (tracewire's server
    // instrumentation sets it for a dropped request only when it measures http.server.request.duration).
    if (dropsChildrenOf(tracer, trace.getSpan(active)) && getRPCMetadata(active) === undefined)
      return Reflect.apply(untraced, this, arguments);
    if (own) return callLayer(tracer, layer, layerPath, skipped, untraced, this, arguments);
    return Reflect.apply(traced, this, arguments);
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
  handle[kLean] = true;
  layer.handle = handle;
}
