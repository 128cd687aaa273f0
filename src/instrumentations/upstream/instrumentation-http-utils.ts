import type { Attributes, Span } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';
import { loadUpstreamUtils } from './load-upstream-utils.js';

/**
 * The adapter that owns tracewire's dependency on @opentelemetry/instrumentation-http's internal `utils` module
 * (not in the package's `exports`): tracewire's own HTTP server instrumentation takes the stock span attributes
 * and error recording from it, so that both instrumentations produce the same spans. It is loaded by
 * loadUpstreamUtils (load-upstream-utils.ts). Its contract (the names and the
 * shape of what they return) is checked against the installed package by test/unit/upstream-adapters.test.ts.
 * @internal
 */
export interface InstrumentationHttpUtils {
  getIncomingRequestAttributes(
    request: IncomingMessage,
    options: { component: 'http' | 'https'; enableSyntheticSourceDetection: boolean; redactedQueryParams?: string[] },
    logger: { verbose(...args: unknown[]): void },
  ): Attributes;
  setSpanWithError(span: Span, error: Error): void;
}

let loaded: InstrumentationHttpUtils | undefined;

/** The upstream module, loaded on first use. Throws (at startup, from the instrumentation's construction) if it moved. @internal */
export function instrumentationHttpUtils(): InstrumentationHttpUtils {
  if (loaded === undefined) {
    loaded = loadUpstreamUtils<InstrumentationHttpUtils>(
      '@opentelemetry/instrumentation-http',
      ['getIncomingRequestAttributes', 'setSpanWithError'],
      () => require('@opentelemetry/instrumentation-http/dist/utils.cjs'),
    );
  }
  return loaded;
}
