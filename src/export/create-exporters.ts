import { ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { ResolvedConfig } from '../config/types.js';
import { createRequire } from 'node:module';
import { BatchProcessor, MAX_EXPORTS_IN_FLIGHT } from './batch-processor.js';
import { createOtlpProtoExporter, TRACEWIRE_OTLP_PROTO_EXPORTER_NAME } from './otlp-proto/otlp-proto-exporter.js';
import { LazyExporter } from './lazy-exporter.js';
import { boundedStockExporter } from './otlp-proto/bounded-stock-exporter.js';
import { readTlsFiles } from './read-tls-files.js';
import { maskUrlCredentials } from '../internal/mask-url.js';

const localRequire = createRequire(import.meta.url);

/**
 * Builds the OTLP/HTTP exporter for the resolved config. The protobuf and JSON exporters are
 * loaded on demand so a process only pays for the one it uses. @internal
 */
export function createOtlpExporter(config: ResolvedConfig, tls: ReturnType<typeof readTlsFiles> = readTlsFiles(config)): SpanExporter {
  const exporterOptions = {
    url: config.tracesEndpoint,
    headers: { ...config.headers },
    compression: config.compression as never,
    timeoutMillis: config.timeoutMs,
    httpAgentOptions: tls,
  };
  if (config.protocol === 'http/json') {
    const { OTLPTraceExporter } = localRequire(
      '@opentelemetry/exporter-trace-otlp-http',
    ) as typeof import('@opentelemetry/exporter-trace-otlp-http');
    return boundedStockExporter((httpAgentOptions) => new OTLPTraceExporter({ ...exporterOptions, httpAgentOptions }), tls);
  }
  // http/protobuf: tracewire's encoder on the stock transport, unless the stock exporter is asked for.
  if (config.otlpEncoder !== 'stock') return createOtlpProtoExporter(exporterOptions);
  const { OTLPTraceExporter } = localRequire(
    '@opentelemetry/exporter-trace-otlp-proto',
  ) as typeof import('@opentelemetry/exporter-trace-otlp-proto');
  return boundedStockExporter((httpAgentOptions) => new OTLPTraceExporter({ ...exporterOptions, httpAgentOptions }), tls);
}

/** Exporter instances for every entry of `config.exporters`, in order, with their position (1-based) there. */
function createExporters(config: ResolvedConfig): Array<[SpanExporter, number]> {
  const exporters: Array<[SpanExporter, number]> = [];
  for (const [index, entry] of config.exporters.entries()) {
    const position = index + 1;
    // Built on the first export, off the startup path (see LazyExporter). The TLS files are read now, so a
    // missing or unreadable one is reported at startup, with the configuration's other problems.
    if (entry === 'otlp') {
      const tls = readTlsFiles(config);
      exporters.push([new LazyExporter(() => createOtlpExporter(config, tls), 'OTLPTraceExporter'), position]);
    } else if (entry === 'console') exporters.push([new ConsoleSpanExporter(), position]);
    else if (typeof entry !== 'string') exporters.push([entry, position]);
  }
  return exporters;
}

/**
 * The name reports give an exporter: its class's name, or undefined for a plain object (whose constructor is
 * `Object`) or an anonymous class, which the caller names by position instead. Never throws. @internal
 */
export function exporterName(exporter: SpanExporter): string | undefined {
  if (exporter instanceof LazyExporter) return exporter.targetName;
  try {
    const name: unknown = (exporter as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' && name !== 'Object' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** One bounded batch processor per configured exporter, each naming its destination in its reports. @internal */
export function createBatchProcessors(config: ResolvedConfig): BatchProcessor[] {
  return createExporters(config).map(([exporter, position]) => {
    const name = exporterName(exporter);
    const isOtlp = name === 'OTLPTraceExporter' || name === TRACEWIRE_OTLP_PROTO_EXPORTER_NAME;
    const destination = isOtlp
      ? maskUrlCredentials(config.tracesEndpoint)
      : name !== undefined
        ? `the ${name} exporter`
        : `the exporter at position ${position} of \`exporters\``;
    // Only tracewire's OTLP exporters take concurrent exports; any other exporter is never called concurrently.
    return new BatchProcessor(exporter, { ...config.batch, destination, maxExportsInFlight: isOtlp ? MAX_EXPORTS_IN_FLIGHT : 1 });
  });
}
