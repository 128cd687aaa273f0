import { resolveConfig } from '../config/resolve-config.js';
import type { ResolvedConfig } from '../config/types.js';
import { globalState } from '../internal/global-state.js';

// The name is re-derived only when the running handle changes (initTracing, shutdown), so a log line pays one
// property read and one identity check.
let cachedHandle: unknown = null;
let cachedName = '';

/**
 * The `service.name` for log lines: the running tracewire's, or, before initTracing (or under another SDK),
 * the one initTracing would resolve from OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES (default
 * `unknown_service:node`). Never throws. @internal
 */
export function currentServiceName(): string {
  const handle = globalState().handle as { config?: ResolvedConfig } | undefined;
  if (handle !== cachedHandle) {
    cachedHandle = handle;
    try {
      cachedName = handle?.config?.serviceName ?? resolveConfig({}, process.env).config.serviceName;
    } catch {
      cachedName = 'unknown_service:node';
    }
  }
  return cachedName;
}
