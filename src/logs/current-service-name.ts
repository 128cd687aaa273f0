import { OptionReader } from '../config/option-reader.js';
import { resourceSection, UNKNOWN_SERVICE } from '../config/resolve-resource.js';
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
      // Only the resource section: the log entry points do not load the rest of the configuration.
      cachedName = handle?.config?.serviceName ?? resourceSection.resolve(new OptionReader({}, process.env)).serviceName;
    } catch {
      cachedName = UNKNOWN_SERVICE;
    }
  }
  return cachedName;
}
