import { context, trace, type ContextManagementToken, type Span } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { InstrumentationBase, type InstrumentationConfig, type InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import diagnosticsChannel from 'node:diagnostics_channel';
import { failSpan } from '../../api/with-span.js';
import { activeContextManager as manager } from '../../internal/context-manager.js';
import { debug } from '../../internal/log.js';
import { VERSION } from '../../internal/version.js';
import { endAtResponseClose } from '../http-server/http-server-instrumentation.js';
import { dropsChildrenOf } from '../../internal/tracer-capabilities.js';

/** The tracing channel fastify (5.0 and later) publishes around every route handler. */
const CHANNEL = 'fastify.request.handler';

/** What fastify publishes on the channel (one object per handler call; tracewire adds its own symbol keys). */
interface HandlerMessage {
  request: { method?: string; routeOptions?: { url?: string } };
  reply: { raw?: unknown; sent?: boolean };
  route?: { url?: string; method?: string };
  async?: boolean;
  error?: unknown;
  [kCall]?: HandlerCall;
}

const kCall = Symbol('tracewire.fastify.call');
/** The handler span's name: the express instrumentation's for an express 5 route handler (the route is an attribute). */
const HANDLER_SPAN_NAME = 'request handler';

/** One handler call with its span. Ends once: when the handler returned and replied, when its promise settled, or when the response closes. */
class HandlerCall {
  ended = false;
  /** Restores the context that was active before the handler (`context.attach`, @opentelemetry/api 1.10). */
  token: ContextManagementToken | undefined;

  constructor(readonly span: Span) {}

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.span.end();
  }

  fail(error: unknown): void {
    if (!this.ended) failSpan(this.span, error);
  }
}

/**
 * tracewire's fastify instrumentation, through the tracing channel fastify 5 publishes around each route handler
 * (`tracing:fastify.request.handler`), instead of `@fastify/otel` (no release for OpenTelemetry JS 3.x) and
 * without patching fastify. Per traced request:
 * - the HTTP server span gets the route: `http.route` and the name `GET /users/:id`, as with express;
 * - the handler gets a span `request handler` (attributes `http.route` and `fastify.name` `/users/:id`,
 *   `fastify.type` `request_handler`), named as the express instrumentation names an express 5 route handler's span
 *   (`request handler`, `express.name`, `express.type`), which is the active span while the handler runs, so the
 *   spans the handler makes are its children; it ends when the handler has replied (or its promise settled), and records an error the handler threw.
 * Hooks (onRequest, preHandler, ...) get no spans of their own. Untraced requests (no active span, or a dropped one)
 * cost one check.
 * @internal
 */
export class FastifyInstrumentation extends InstrumentationBase {
  // Set by enable(), which InstrumentationBase's constructor calls before field initializers would run: `declare`d,
  // so that no initializer resets them afterwards.
  declare private subscribed: boolean | undefined;
  declare private handlers: diagnosticsChannel.TracingChannelSubscribers<object> | undefined;

  constructor(config: InstrumentationConfig = {}) {
    super('tracewire/fastify', VERSION, config);
  }

  protected override init(): InstrumentationNodeModuleDefinition[] {
    return [];
  }

  override enable(): void {
    if (this.subscribed === true) return;
    this.subscribed = true;
    this.handlers ??= {
      start: (message) => this.onStart(message as HandlerMessage),
      end: (message) => onEnd(message as HandlerMessage),
      asyncStart: () => undefined,
      asyncEnd: (message) => (message as HandlerMessage)[kCall]?.end(),
      error: (message) => onError(message as HandlerMessage),
    };
    diagnosticsChannel.tracingChannel(CHANNEL).subscribe(this.handlers);
  }

  override disable(): void {
    if (this.subscribed !== true || this.handlers === undefined) return;
    this.subscribed = false;
    diagnosticsChannel.tracingChannel(CHANNEL).unsubscribe(this.handlers);
  }

  private onStart(message: HandlerMessage): void {
    try {
      const parent = manager().active();
      const parentSpan = trace.getSpan(parent);
      if (parentSpan === undefined) return;
      const route = message.route?.url ?? message.request.routeOptions?.url;
      const rpc = getRPCMetadata(parent);
      if (route !== undefined && rpc?.type === RPCType.HTTP) rpc.route = route;
      const tracer = this.tracer;
      if (dropsChildrenOf(tracer, parentSpan)) return;
      const attributes =
        route === undefined
          ? { 'fastify.type': 'request_handler' }
          : { [ATTR_HTTP_ROUTE]: route, 'fastify.name': route, 'fastify.type': 'request_handler' };
      const span = tracer.startSpan(HANDLER_SPAN_NAME, { attributes }, parent);
      const call = new HandlerCall(span);
      message[kCall] = call;
      // The handler runs right after this subscriber, synchronously: attach the span's context for it (and the
      // asynchronous work it starts); `end` restores the previous context.
      call.token = context.attach(trace.setSpan(parent, span));
    } catch (error) {
      debug(`fastify instrumentation: ${(error as Error).message}`);
    }
  }
}

function onEnd(message: HandlerMessage): void {
  const call = message[kCall];
  if (call === undefined) return;
  call.token?.dispose();
  call.token = undefined;
  if (message.async === true) return; // asyncEnd ends it
  if (message.reply.sent === true) call.end();
  // The handler returned without replying (it replies later): end with the response.
  else if (!endAtResponseClose(message.reply.raw, call))
    (message.reply.raw as { once?(event: string, fn: () => void): void } | undefined)?.once?.('close', () => call.end());
}

function onError(message: HandlerMessage): void {
  message[kCall]?.fail(message.error);
}
