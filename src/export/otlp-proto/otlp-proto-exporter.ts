import type { OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base/node-http';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { createRequire } from 'node:module';
import { debug } from '../../internal/log.js';
import { kExportControl, RUNNING, type ExportControl } from '../../internal/export-control.js';
import { BoundedRetryTransport, type ExportControlState } from './bounded-retry-transport.js';
import { releasableAgentFactory } from './releasable-agent.js';
import { wrapStockHttpTransport } from './stock-transport-adapter.js';
import { tracewireTraceSerializer } from './tracewire-trace-serializer.js';

const localRequire = createRequire(import.meta.url);

/** Component type of the exporter's self-observability metrics: the one the stock OTLP/HTTP span exporter uses. */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

/** The class name reports use to recognise an OTLP exporter (see createBatchProcessors). @internal */
export const TRACEWIRE_OTLP_PROTO_EXPORTER_NAME = 'TracewireOtlpProtoExporter';

type ExporterClass = new (config?: OTLPExporterNodeConfigBase) => SpanExporter;
let exporterClass: ExporterClass | undefined;

/**
 * Defines the exporter class on first use, so `@opentelemetry/otlp-exporter-base` is loaded only by processes
 * that export OTLP http/protobuf (the class must extend a class from that package).
 */
function loadExporterClass(): ExporterClass {
  if (exporterClass) return exporterClass;
  const { OTLPExporterBase } = localRequire('@opentelemetry/otlp-exporter-base') as typeof import('@opentelemetry/otlp-exporter-base');
  const { convertLegacyHttpOptions, createOtlpHttpExportDelegate } = localRequire(
    '@opentelemetry/otlp-exporter-base/node-http',
  ) as typeof import('@opentelemetry/otlp-exporter-base/node-http');
  const { TraceExporterMetricsHelper } = localRequire(
    '@opentelemetry/otlp-transformer',
  ) as typeof import('@opentelemetry/otlp-transformer');

  // The stock OTLPTraceExporter of @opentelemetry/exporter-trace-otlp-proto with tracewire's serializer: the HTTP
  // transport (compression, headers, agent/TLS options, timeouts, concurrency limit) is the stock one, built from the
  // same options the same way. The retries around it are tracewire's (BoundedRetryTransport: the stock policy while
  // running, bounded by the shutdown deadline at exit), and its sockets and timers can let the process exit.
  class TracewireOtlpProtoExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
    private readonly state: ExportControlState;
    private readonly transport: BoundedRetryTransport | undefined;

    constructor(config: OTLPExporterNodeConfigBase = {}) {
      const state: ExportControlState = { control: RUNNING };
      const options = convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' });
      options.agentFactory = releasableAgentFactory(options.agentFactory, state);
      const delegate = createOtlpHttpExportDelegate(
        options,
        tracewireTraceSerializer,
        COMPONENT_TYPE,
        TraceExporterMetricsHelper,
        config.selfObsMeterProvider,
      );
      let transport: BoundedRetryTransport | undefined;
      const wrapped = wrapStockHttpTransport(delegate, (http) => (transport = new BoundedRetryTransport(http, state)));
      if (!wrapped)
        debug('the OTLP export delegate has an unexpected shape: exports keep the stock retries, unbounded by the shutdown timeout');
      super(delegate);
      this.state = state;
      this.transport = transport;
    }

    /** Takes tracewire's shutdown state (see ExportControl). */
    [kExportControl](control: ExportControl): void {
      if (this.transport !== undefined) this.transport.setControl(control);
      else this.state.control = control;
    }
  }
  exporterClass = TracewireOtlpProtoExporter;
  return exporterClass;
}

/**
 * Creates tracewire's OTLP/HTTP protobuf span exporter (class `TracewireOtlpProtoExporter`): the stock exporter's
 * transport and options (`url`, `headers`, `compression`, `timeoutMillis`, `httpAgentOptions`, ...; the `OTEL_*`
 * environment fills what the options leave out, as for the stock exporter) with tracewire's faster encoder.
 * Chosen by `otlpEncoder: 'tracewire'` (the default; env TRACEWIRE_OTLP_ENCODER); `'stock'` selects the stock
 * `OTLPTraceExporter` instead.
 * @example
 * const exporter = createOtlpProtoExporter({ url: 'http://localhost:4318/v1/traces', compression: 'gzip' });
 * @internal
 */
export function createOtlpProtoExporter(config: OTLPExporterNodeConfigBase = {}): SpanExporter {
  const Exporter = loadExporterClass();
  return new Exporter(config);
}
