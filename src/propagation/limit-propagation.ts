import { trace, type Context, type Span, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { ClientRequest } from 'node:http';
import { DestinationFilter } from './destination-filter.js';

/** The parts of an undici request the undici instrumentation passes to its requestHook. */
interface UndiciRequest {
  origin?: unknown;
  path?: unknown;
}

/** Instrumentation configs that make the http and undici instrumentations honour `propagateTo`. @internal */
export interface PropagationHooks {
  readonly http: { requestHook(span: Span, request: unknown): void };
  readonly undici: { requestHook(span: Span, request: unknown): void };
}

/**
 * A propagator that injects nothing for the client spans of requests whose destination `propagateTo` does not allow.
 * The undici instrumentation calls its requestHook before injecting, so the hook marks such spans (in a WeakSet:
 * nothing is kept alive) and inject skips them. The http instrumentation injects before its requestHook runs, so
 * there the hook removes the propagation headers from the ClientRequest, which has not sent its headers yet.
 * Extraction is unchanged. Never throws.
 * @internal
 */
export class DestinationLimitedPropagator implements TextMapPropagator {
  private readonly denied = new WeakSet<Span>();
  private readonly filter: DestinationFilter;
  readonly hooks: PropagationHooks;

  constructor(
    private readonly inner: TextMapPropagator,
    propagateTo: ReadonlyArray<string | RegExp>,
  ) {
    this.filter = new DestinationFilter(propagateTo);
    this.hooks = Object.freeze({
      http: { requestHook: (span: Span, request: unknown): void => this.onHttpRequest(span, request) },
      undici: { requestHook: (span: Span, request: unknown): void => this.onUndiciRequest(span, request) },
    });
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const span = trace.getSpan(context);
    if (span !== undefined && this.denied.has(span)) return;
    this.inner.inject(context, carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.inner.extract(context, carrier, getter);
  }

  fields(): string[] {
    return this.inner.fields();
  }

  private onUndiciRequest(span: Span, request: unknown): void {
    const { origin, path } = (request ?? {}) as UndiciRequest;
    if (!this.filter.allows(`${String(origin)}${typeof path === 'string' ? path : ''}`)) this.denied.add(span);
  }

  private onHttpRequest(span: Span, request: unknown): void {
    // The hook also runs for incoming requests (IncomingMessage); only outgoing ones carry injected headers.
    if (!(request instanceof ClientRequest)) return;
    if (this.filter.allows(clientRequestUrl(request))) return;
    this.denied.add(span);
    if (request.headersSent) return;
    for (const field of this.inner.fields()) request.removeHeader(field);
  }
}

/** The URL a ClientRequest goes to: the host it connects to, the port from its Host header (else the default). */
function clientRequestUrl(request: ClientRequest): string {
  const hostHeader = request.getHeader('host');
  const host =
    typeof hostHeader === 'string' && hostHeader.split(':')[0]?.toLowerCase() === request.host.toLowerCase() ? hostHeader : request.host;
  return `${request.protocol}//${host}${request.path}`;
}
