import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { AgentOptions } from 'node:https';
import type { Agent } from 'node:http';
import { createRequire } from 'node:module';
import { kExportControl, RUNNING, type ExportControl } from '../../internal/export-control.js';
import { debug } from '../../internal/log.js';
import { BoundedRetryTransport, type ExportControlState } from './bounded-retry-transport.js';
import { releasableAgentFactory } from './releasable-agent.js';
import { wrapStockHttpTransport } from './stock-transport-adapter.js';

const localRequire = createRequire(import.meta.url);

/** The agent factory option of the stock OTLP/HTTP exporters (`httpAgentOptions` as a function). */
type AgentFactory = (protocol: string) => Promise<Agent>;

/**
 * Builds a stock OTLP/HTTP span exporter (`OTLPTraceExporter` of exporter-trace-otlp-proto or -http) with what
 * tracewire's own exporter has: sockets that can let the process exit, and the retries of
 * {@link BoundedRetryTransport} (the stock policy while running, bounded by the shutdown deadline at exit).
 * `build` receives the agent factory to pass as `httpAgentOptions`; `agentOptions` are the agent options it replaces
 * (TLS files; keep-alive as the stock default). If the exporter does not have the expected inside
 * (`_delegate`, see stock-transport-adapter.ts), it keeps the stock retries. @internal
 *
 * @example
 * const exporter = boundedStockExporter((httpAgentOptions) => new OTLPTraceExporter({ url, httpAgentOptions }), tls);
 */
export function boundedStockExporter<T extends SpanExporter>(
  build: (httpAgentOptions: AgentFactory) => T,
  agentOptions: AgentOptions | undefined,
): T {
  const { httpAgentFactoryFromOptions } = localRequire(
    '@opentelemetry/otlp-exporter-base/node-http',
  ) as typeof import('@opentelemetry/otlp-exporter-base/node-http');
  const state: ExportControlState = { control: RUNNING };
  const exporter = build(releasableAgentFactory(httpAgentFactoryFromOptions(agentOptions ?? { keepAlive: true }), state));
  let transport: BoundedRetryTransport | undefined;
  const delegate = (exporter as { _delegate?: unknown })._delegate;
  const wrapped =
    typeof delegate === 'object' &&
    delegate !== null &&
    wrapStockHttpTransport(delegate, (http) => (transport = new BoundedRetryTransport(http, state)));
  if (wrapped && transport !== undefined) {
    const bounded = transport;
    Object.defineProperty(exporter, kExportControl, { value: (control: ExportControl) => bounded.setControl(control) });
  } else {
    debug('the stock OTLP exporter has an unexpected shape: its exports keep the stock retries, unbounded by the shutdown timeout');
  }
  return exporter;
}
