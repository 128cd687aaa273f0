import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { hostname } from 'node:os';
import type { ResolvedConfig } from '../config/types.js';

/**
 * The resource every span carries: telemetry.sdk.*, process and host facts, then the resolved
 * attributes (OTEL_RESOURCE_ATTRIBUTES < OTEL_SERVICE_NAME < options). Synchronous: no detector I/O at startup.
 * @internal
 */
export function createResource(config: ResolvedConfig): Resource {
  const detected = resourceFromAttributes({
    'process.pid': process.pid,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
    'process.executable.name': process.title,
    'host.name': hostname(),
  });
  return defaultResource()
    .merge(detected)
    .merge(resourceFromAttributes({ ...config.resourceAttributes }));
}
