import type { TextMapPropagator } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import type { InstrumentationName, ResolvedConfig } from '../config/types.js';
import { createPropagator } from '../propagation/create-propagator.js';
import { DestinationLimitedPropagator } from '../propagation/limit-propagation.js';
import { RedactionProcessor } from '../redaction/redaction-processor.js';

/** The parts initTracing and createNodeSDK build the same way from a resolved config. @internal */
export interface PipelineParts {
  /** The global propagator: the configured ones, limited to `propagateTo` destinations when set. */
  readonly propagator: TextMapPropagator;
  /** Constructor options for built-in instrumentations (the propagateTo hooks). */
  readonly instrumentationConfigs: Readonly<Partial<Record<InstrumentationName, object>>>;
  /** Span processors that run before the user's and the exporting ones (redaction). */
  readonly firstProcessors: readonly SpanProcessor[];
}

/** Builds the propagator, the instrumentation hooks and the redaction processor of `config`. @internal */
export function createPipeline(config: ResolvedConfig): PipelineParts {
  const configured = createPropagator(config.propagators);
  let propagator: TextMapPropagator = configured;
  let instrumentationConfigs: PipelineParts['instrumentationConfigs'] = {};
  if (config.propagateTo !== null) {
    const limited = new DestinationLimitedPropagator(configured, config.propagateTo);
    propagator = limited;
    instrumentationConfigs = limited.hooks;
  }
  const firstProcessors = config.redaction === false ? [] : [new RedactionProcessor(config.redaction)];
  return { propagator, instrumentationConfigs, firstProcessors };
}
