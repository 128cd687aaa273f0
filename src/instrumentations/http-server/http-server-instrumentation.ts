import {
  createNoopMeter,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  ValueType,
  type Attributes,
  type Context,
  type Histogram,
  type MetricOptions,
  type Span,
  type SpanOptions,
} from '@opentelemetry/api';
import { RPCType, setRPCMetadata, type RPCMetadata } from '@opentelemetry/core';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, type InstrumentationConfig } from '@opentelemetry/instrumentation';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_URL_SCHEME,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
} from '@opentelemetry/semantic-conventions';
import { instrumentationHttpUtils, type InstrumentationHttpUtils } from '../upstream/instrumentation-http-utils.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { activeContextManager as manager, applyArguments } from '../../internal/context-manager.js';
import { VERSION } from '../../internal/version.js';
import { warn } from '../../internal/log.js';
import { kStartSpanWithAttributesOf, type CapableTracer } from '../../internal/tracer-capabilities.js';

/** The context of the request a message belongs to (set on both the IncomingMessage and the ServerResponse). */
const kContext = Symbol('tracewire.http-server.context');
/** The ServerCall of a ServerResponse (recorded span and/or measured duration), while it is open. */
const kServerSpan = Symbol('tracewire.http-server.span');
/** Spans of a ServerResponse that end when it closes (express layers that answered without calling next). */
const kEndAtClose = Symbol('tracewire.http-server.end-at-close');

const SERVER_SPAN: SpanOptions = Object.freeze({ kind: SpanKind.SERVER });

/**
 * http.server.request.duration as @opentelemetry/instrumentation-http 0.301 creates it (stable HTTP semantic
 * conventions; that version has no OTEL_SEMCONV_STABILITY_OPT_IN and no old `http.server.duration`).
 */
const DURATION_OPTIONS: MetricOptions = Object.freeze({
  description: 'Duration of HTTP server requests.',
  unit: 's',
  valueType: ValueType.DOUBLE,
  advice: Object.freeze({ explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] }),
});
/** What the API's meter gives without a MeterProvider (one shared no-op instance): nothing to record. */
const NOOP_HISTOGRAM: Histogram = createNoopMeter().createHistogram(METRIC_HTTP_SERVER_REQUEST_DURATION, DURATION_OPTIONS);
/** Request methods kept as they are in http.request.method; any other is `_OTHER` (HTTP semantic conventions). */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'QUERY',
]);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Emit = (this: any, event: string | symbol, ...args: unknown[]) => boolean;
interface Ending {
  end(): void;
}
interface Traced {
  [kContext]?: Context;
  [kServerSpan]?: ServerCall;
  [kEndAtClose]?: Ending[];
}
type Request = IncomingMessage & Traced;
type Response = ServerResponse & Traced;

/**
 * A request whose server span is recorded, or whose duration is measured (a MeterProvider is registered), and what
 * ends it: the response's 'close' or 'error', or a throw from the handler.
 */
class ServerCall {
  constructor(
    readonly span: Span,
    readonly recording: boolean,
    readonly rpc: RPCMetadata,
    readonly method: string,
    readonly scheme: 'http' | 'https',
    readonly httpVersion: string,
    /** Where the duration is recorded, or undefined without a MeterProvider. */
    readonly durations: Histogram | undefined,
    /** performance.now() when the request arrived (0 without durations). */
    readonly start: number,
  ) {}

  /** As instrumentation-http on the response's 'close': status code, route and name, status from the code. */
  finish(response: ServerResponse): void {
    const route = this.rpc.type === RPCType.HTTP ? this.rpc.route : undefined;
    if (this.recording) {
      const span = this.span;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
      if (route) {
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.updateName(`${this.method} ${route}`);
      }
      if (!(response.statusCode >= 100 && response.statusCode < 500)) span.setStatus({ code: SpanStatusCode.ERROR });
      // error.type for a 5xx, as instrumentation-http's parseErrorType sets it on the server span.
      if (response.statusCode >= 500 && response.statusCode < 600) span.setAttribute(ATTR_ERROR_TYPE, String(response.statusCode));
      span.end();
    }
    if (this.durations !== undefined) {
      const attributes = this.metricAttributes();
      if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route;
      const status = response.statusCode;
      if (status) {
        attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = status;
        if (typeof status === 'number' && status >= 500 && status < 600) attributes[ATTR_ERROR_TYPE] = String(status);
      }
      recordDuration(this.durations, this.start, attributes);
    }
  }

  /** As instrumentation-http on an error of the response or a throw from the request listener. */
  fail(error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    if (this.recording) {
      upstream.setSpanWithError(this.span, failure);
      this.span.end();
    }
    if (this.durations !== undefined) {
      const attributes = this.metricAttributes();
      attributes[ATTR_ERROR_TYPE] = failure.name;
      recordDuration(this.durations, this.start, attributes);
    }
  }

  /** The attributes of the request that instrumentation-http puts on its duration (built only to record it). */
  private metricAttributes(): Attributes {
    const upper = this.method.toUpperCase();
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: KNOWN_METHODS.has(upper) ? upper : '_OTHER',
      [ATTR_URL_SCHEME]: this.scheme,
    };
    if (this.httpVersion) attributes[ATTR_NETWORK_PROTOCOL_VERSION] = this.httpVersion;
    return attributes;
  }
}

let reportedRecordFailure = false;
/** Records the seconds since `start`; a MeterProvider that throws is reported once, never thrown into the response. */
function recordDuration(durations: Histogram, start: number, attributes: Attributes): void {
  try {
    durations.record((performance.now() - start) / 1000, attributes);
  } catch (error) {
    if (reportedRecordFailure) return;
    reportedRecordFailure = true;
    warn(
      `could not record http.server.request.duration: ${(error as Error)?.message ?? String(error)}; the MeterProvider's histogram threw (reported once)`,
    );
  }
}

const attributeLog = { verbose: (): void => undefined };
/** instrumentation-http's own functions (loaded by the first HttpServerInstrumentation, before any request). */
let upstream: InstrumentationHttpUtils;
/**
 * Attributes of a request to an http server, as instrumentation-http computes them (stable HTTP semantic
 * conventions; its default query parameters redacted in url.query: sig, Signature, AWSAccessKeyId, X-Goog-Signature).
 */
function httpRequestAttributes(this: void, request: IncomingMessage): Attributes {
  return upstream.getIncomingRequestAttributes(request, { component: 'http', enableSyntheticSourceDetection: false }, attributeLog);
}
/** The same for an https server. */
function httpsRequestAttributes(this: void, request: IncomingMessage): Attributes {
  return upstream.getIncomingRequestAttributes(request, { component: 'https', enableSyntheticSourceDetection: false }, attributeLog);
}

/**
 * tracewire's instrumentation of incoming HTTP requests (`http` and `https` servers), used in place of the server
 * side of @opentelemetry/instrumentation-http, with the same span: kind SERVER, named after the method and, once a
 * framework instrumentation (express, koa, ...) sets the route, `METHOD route`; the same attributes (stable HTTP
 * semantic conventions), the same status and error rules, context extracted from the request headers with the
 * global propagator, and the same RPC metadata in the context for framework instrumentations.
 *
 * What it does differently, for speed:
 * - the request attributes are computed only for a span that is recorded (or when a custom sampler asks), and a
 *   request the sampler drops costs one context and no span work;
 * - the request's context reaches the listeners of the request and response objects (body parsers' 'data' and
 *   'end', loggers' 'finish') through the emit of IncomingMessage and ServerResponse, patched once, instead of
 *   binding each request's and response's listener methods.
 *
 * With a MeterProvider (the one NodeSDK sets through setMeterProvider, or a global one registered before this
 * instrumentation is created), it records http.server.request.duration for every request, sampled or not, as
 * instrumentation-http does (same name, unit, bucket boundaries and attributes); a request the sampler dropped then
 * also carries RPC metadata, so that framework instrumentations set its route. With the API's no-op meter (no
 * MeterProvider) nothing is measured and no attribute is built.
 *
 * The outgoing side stays with @opentelemetry/instrumentation-http. Hooks of instrumentation-http (requestHook,
 * header capture, ignoreIncomingRequestHook) are not supported here: pass your own HttpInstrumentation instance
 * in `instrumentations` to use them, or set TRACEWIRE_HTTP_SERVER=stock.
 * @internal
 */
export class HttpServerInstrumentation extends InstrumentationBase {
  /** The server prototypes patched (both `require('http')` and `import 'http'` reach the patch function). */
  private readonly patched = new Set<object>();
  /**
   * http.server.request.duration, or undefined while the meter is the API's no-op one (no MeterProvider). Declared
   * without an initializer: InstrumentationBase's constructor sets it (through _updateMetricInstruments) before this
   * class's field initializers would run.
   */
  declare private durations: Histogram | undefined;

  constructor(config: InstrumentationConfig = {}) {
    super('tracewire/http-server', VERSION, config);
    upstream ??= instrumentationHttpUtils();
  }

  /**
   * Called by InstrumentationBase with its meter: at construction (the global MeterProvider then, else the no-op
   * one) and from setMeterProvider (NodeSDK calls it with the MeterProvider it registers).
   */
  protected override _updateMetricInstruments(): void {
    const histogram = this.meter.createHistogram(METRIC_HTTP_SERVER_REQUEST_DURATION, DURATION_OPTIONS);
    this.durations = histogram === NOOP_HISTOGRAM ? undefined : histogram;
  }

  protected override init(): InstrumentationNodeModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition(
        'http',
        ['*'],
        (exports: typeof import('node:http')) => this.patchHttp(exports),
        (exports: typeof import('node:http')) => this.unpatchHttp(exports),
      ),
      new InstrumentationNodeModuleDefinition(
        'https',
        ['*'],
        (exports: typeof import('node:https')) => this.patchServer(exports, 'https'),
        (exports: typeof import('node:https')) => this.unpatchServer(exports),
      ),
    ];
  }

  private patchHttp(exports: typeof import('node:http')): typeof import('node:http') {
    if (this.patched.has(exports.Server.prototype)) return exports;
    this.patchServer(exports, 'http');
    this._wrap(exports.IncomingMessage.prototype, 'emit', (original) => patchMessageEmit(original as Emit));
    this._wrap(exports.ServerResponse.prototype, 'emit', (original) => patchResponseEmit(original as Emit));
    return exports;
  }

  private unpatchHttp(exports: typeof import('node:http')): void {
    if (!this.patched.has(exports.Server.prototype)) return;
    this.unpatchServer(exports);
    this._unwrap(exports.IncomingMessage.prototype, 'emit');
    this._unwrap(exports.ServerResponse.prototype, 'emit');
  }

  private patchServer<T extends { Server: { prototype: { emit: unknown } } }>(exports: T, scheme: 'http' | 'https'): T {
    if (this.patched.has(exports.Server.prototype)) return exports;
    this.patched.add(exports.Server.prototype);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const instrumentation = this;
    this._wrap(exports.Server.prototype, 'emit', (original) => {
      const emit = original as Emit;
      return function emitWithRequestContext(this: unknown, event: string | symbol): boolean {
        if (event !== 'request') return Reflect.apply(emit, this, arguments) as boolean;
        return instrumentation.onRequest(emit, this, arguments, scheme);
      };
    });
    return exports;
  }

  private unpatchServer(exports: { Server: { prototype: { emit: unknown } } }): void {
    if (!this.patched.delete(exports.Server.prototype)) return;
    this._unwrap(exports.Server.prototype as { emit: Emit }, 'emit');
  }

  /** The server's 'request' event: the span, the request's context, and the listeners run in it. */
  private onRequest(emit: Emit, server: unknown, args: IArguments, scheme: 'http' | 'https'): boolean {
    const request = args[1] as Request;
    const response = args[2] as Response;
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const method = request.method || 'GET';
    const span = this.startServerSpan(method, parent, request, scheme);
    let ctx = trace.setSpan(parent, span);
    let open: ServerCall | undefined;
    const recording = span.isRecording();
    const durations = this.durations;
    if (recording || durations !== undefined) {
      // With durations, also for a request the sampler dropped: the route of its measurement comes from the framework.
      const rpc: RPCMetadata = { type: RPCType.HTTP, span };
      ctx = setRPCMetadata(ctx, rpc);
      open =
        durations === undefined
          ? new ServerCall(span, true, rpc, method, scheme, '', undefined, 0)
          : new ServerCall(span, recording, rpc, method, scheme, request.httpVersion, durations, performance.now());
    }
    // The same properties, in the same order, whether the request is sampled or not, so requests and responses keep
    // one object shape for the code of express and Node.js's http module.
    request[kContext] = ctx;
    response[kContext] = ctx;
    response[kServerSpan] = open;
    response[kEndAtClose] = undefined;
    try {
      return manager().with(ctx, applyArguments, undefined, emit, server, args) as boolean;
    } catch (error) {
      if (open !== undefined && response[kServerSpan] === open) {
        response[kServerSpan] = undefined;
        open.fail(error);
      }
      throw error;
    }
  }

  private startServerSpan(method: string, parent: Context, request: IncomingMessage, scheme: 'http' | 'https'): Span {
    const tracer = this.tracer;
    const attributesOf = scheme === 'http' ? httpRequestAttributes : httpsRequestAttributes;
    const startWithAttributesOf = (tracer as CapableTracer)[kStartSpanWithAttributesOf];
    if (startWithAttributesOf !== undefined)
      return startWithAttributesOf.call(
        tracer,
        method,
        SERVER_SPAN,
        parent,
        attributesOf as (source: unknown) => Attributes,
        request as unknown,
      );
    return tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: attributesOf(request) }, parent);
  }
}

/**
 * Ends `span` when `response` closes, right after the server span, if tracewire's server instrumentation traces
 * the response (no listener needed); returns false otherwise (the caller listens for 'close' itself).
 * @internal
 */
export function endAtResponseClose(response: unknown, span: Ending): boolean {
  const traced = response as Traced | null;
  if (traced === null || typeof traced !== 'object' || traced[kContext] === undefined) return false;
  (traced[kEndAtClose] ??= []).push(span);
  return true;
}

/** Calls `emit` on `target` with `args` in `ctx`, the request's context (directly when it is already active, or none). */
function emitInContext(ctx: Context | undefined, emit: Emit, target: unknown, args: IArguments): boolean {
  if (ctx === undefined) return Reflect.apply(emit, target, args) as boolean;
  const contexts = manager();
  if (contexts.active() === ctx) return Reflect.apply(emit, target, args) as boolean;
  return contexts.with(ctx, applyArguments, undefined, emit, target, args) as boolean;
}

/** Listeners of a traced request run in its context. */
function patchMessageEmit(emit: Emit): Emit {
  return function emitInRequestContext(this: Traced): boolean {
    return emitInContext(this[kContext], emit, this, arguments);
  };
}

/**
 * Listeners of a traced response run in its context; its 'close' or 'error' ends the server span first (where
 * instrumentation-http's listeners, added before the app's, end it).
 */
function patchResponseEmit(emit: Emit): Emit {
  return function emitInResponseContext(this: Response, event: string | symbol): boolean {
    const ctx = this[kContext];
    if (ctx !== undefined && (event === 'close' || event === 'error')) {
      const open = this[kServerSpan];
      if (open !== undefined) {
        this[kServerSpan] = undefined;
        if (event === 'close') open.finish(this);
        else open.fail(arguments[1]);
      }
      const ending = this[kEndAtClose];
      if (event === 'close' && ending !== undefined) {
        this[kEndAtClose] = undefined;
        for (let i = 0; i < ending.length; i++) ending[i]!.end();
      }
    }
    return emitInContext(ctx, emit, this, arguments);
  };
}
