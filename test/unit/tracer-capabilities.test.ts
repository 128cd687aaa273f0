// tracewire's instrumentations recognise tracewire's tracer by symbol-keyed capabilities, not `instanceof`: the
// ESM and CommonJS builds hold two copies of every class. A tracer from the CommonJS build (dist/index.cjs) is
// recognised by the source (ESM) copy of the instrumentation helpers; a stock tracer is not.
import { trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  dropsChildrenOf,
  kDropsChildrenOf,
  kStartSpanWithAttributesOf,
  type CapableTracer,
} from '../../src/internal/tracer-capabilities.js';
import { ROOT } from '../support/spawn-app.js';

const require = createRequire(import.meta.url);

describe('tracer capabilities across copies of tracewire', () => {
  it('a tracer of the CommonJS build offers the capabilities the ESM copy looks for, and answers through them', async () => {
    const cjs = require(`${ROOT}/dist/index.cjs`) as typeof import('../../src/index.js');
    const handle = cjs.initTracing({
      serviceName: 'caps',
      exporters: ['none'],
      instrumentations: false,
      shutdownSignals: false,
      sampler: 'parentbased_traceidratio',
      samplerArg: 0,
    });
    try {
      const tracer = handle.tracer as CapableTracer;
      expect(typeof tracer[kDropsChildrenOf]).toBe('function');
      expect(typeof tracer[kStartSpanWithAttributesOf]).toBe('function');
      const dropped = tracer.startSpan('dropped root');
      expect(dropped.isRecording()).toBe(false);
      expect(dropsChildrenOf(tracer, dropped)).toBe(true);
      const span = tracer[kStartSpanWithAttributesOf]!(
        'with attributes of',
        {},
        trace.setSpan(trace.deleteSpan(require('@opentelemetry/api').context.active()), dropped),
        () => ({ computed: true }),
        undefined,
      );
      expect(span.isRecording()).toBe(false);
    } finally {
      await handle.shutdown();
    }
  });

  it('a stock tracer has none: instrumentations take the plain API path', () => {
    const stock = new TracerProvider().getTracer('stock');
    expect((stock as CapableTracer)[kDropsChildrenOf]).toBeUndefined();
    expect(dropsChildrenOf(stock, stock.startSpan('x'))).toBe(false);
  });
});
