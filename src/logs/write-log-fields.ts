import type { SpanContext } from '@opentelemetry/api';
import { currentServiceName } from './current-service-name.js';
import type { ResolvedLogOptions } from './resolve-log-options.js';
import { FLAGS_HEX } from './span-context-of.js';

/**
 * Writes the correlation fields into `target`: the ids and flags of `spanContext` when there is one, and the
 * service name when enabled. No allocation besides what `target` grows by. @internal
 */
export function writeLogFields(target: Record<string, unknown>, spanContext: SpanContext | undefined, options: ResolvedLogOptions): void {
  const fields = options.fields;
  if (spanContext !== undefined) {
    target[fields.traceId] = spanContext.traceId;
    target[fields.spanId] = spanContext.spanId;
    target[fields.traceFlags] = FLAGS_HEX[spanContext.traceFlags & 0xff];
  }
  if (options.serviceName) target[fields.serviceName] = currentServiceName();
}
