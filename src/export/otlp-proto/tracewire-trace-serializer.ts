import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { IExportTraceServiceResponse, ISerializer } from '@opentelemetry/otlp-transformer';
import { createRequire } from 'node:module';
import { serializeSpans } from './serialize-spans.js';

const localRequire = createRequire(import.meta.url);
let stockSerializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> | undefined;

/**
 * The OTLP/HTTP protobuf trace serializer tracewire's exporter uses: requests are encoded by
 * {@link serializeSpans} (same bytes as the stock `ProtobufTraceSerializer`, faster); responses (with
 * `partial_success`) are decoded by the stock serializer, loaded on first use.
 * Shape of `ISerializer` from `@opentelemetry/otlp-transformer`, so any OTLP export delegate accepts it.
 * @example
 * createOtlpHttpExportDelegate(options, tracewireTraceSerializer, ...);
 * @internal
 */
export const tracewireTraceSerializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest(spans: ReadableSpan[]): Uint8Array | undefined {
    return serializeSpans(spans);
  },
  deserializeResponse(data: Uint8Array): IExportTraceServiceResponse {
    stockSerializer ??= (localRequire('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer'))
      .ProtobufTraceSerializer;
    return stockSerializer.deserializeResponse(data);
  },
};
