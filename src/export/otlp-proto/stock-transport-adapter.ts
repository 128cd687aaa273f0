import type { IExporterTransport } from '@opentelemetry/otlp-exporter-base';

/**
 * The one place that knows the inside of a stock OTLP export delegate (`@opentelemetry/otlp-exporter-base` 0.301,
 * `createOtlpHttpExportDelegate`): its `_transport` is a retrying transport whose `_transport` sends one HTTP request
 * and classifies the answer (success, retryable with Retry-After, failure). No public API builds that HTTP
 * transport, so tracewire takes it from the delegate and puts its own retry loop around it.
 * Contract test: test/unit/otlp-proto-exporter.test.ts "the stock delegate's HTTP transport can be wrapped".
 * @internal
 */
interface StockDelegateShape {
  _transport?: unknown;
}

const isTransport = (value: unknown): value is IExporterTransport =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as IExporterTransport).send === 'function' &&
  typeof (value as IExporterTransport).shutdown === 'function';

/**
 * Replaces the retrying transport of a stock delegate with `wrap(http)`, where `http` is the stock single-request
 * HTTP transport. Returns false (and changes nothing) when the delegate does not have the expected shape, so an
 * upstream change keeps the stock behaviour instead of breaking export. @internal
 */
export function wrapStockHttpTransport(delegate: object, wrap: (http: IExporterTransport) => IExporterTransport): boolean {
  const retrying = (delegate as StockDelegateShape)._transport;
  if (!isTransport(retrying)) return false;
  const http = (retrying as StockDelegateShape)._transport;
  if (!isTransport(http)) return false;
  (delegate as StockDelegateShape)._transport = wrap(http);
  return true;
}
