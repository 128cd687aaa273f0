// skipUnsampledLayers: the express instrumentation's layer wrapper is skipped for requests whose span was dropped,
// and only then. A stand-in for ExpressInstrumentation with the same contract (_applyPatch wraps layer.handle,
// shimmer-style, keeping the original as __original) records which of the two ran.
import { context, ROOT_CONTEXT, trace, type Span, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOnSampler, type Sampler } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parentBased, ratioSampler } from '../../src/index.js';
import { skipUnsampledLayers } from '../../src/instrumentations/skip-unsampled-layers.js';
import { TracewireTracerProvider } from '../../src/sdk/tracewire-tracer-provider.js';

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => context.disable());

type Handle = ((...args: unknown[]) => string) & { __original?: Handle; stack?: string[] };
interface Layer {
  handle: Handle;
}

/** The contract skipUnsampledLayers relies on, as @opentelemetry/instrumentation-express 0.71 implements it. */
function standIn(tracer: Tracer) {
  return class StandIn {
    instrumentationName = 'stand-in';
    instrumentationVersion = '0';
    get tracer(): Tracer {
      return tracer;
    }
    _applyPatch(layer: Layer): void {
      const original = layer.handle;
      const traced = ((...args: unknown[]) => `traced:${original(...args)}`) as Handle;
      traced.__original = original;
      layer.handle = traced;
    }
    enable(): void {}
    disable(): void {}
    setTracerProvider(): void {}
    setMeterProvider(): void {}
    setConfig(): void {}
    getConfig(): object {
      return {};
    }
  };
}

function patchedLayer(sampler: Sampler): { layer: Layer; tracer: Tracer } {
  const tracer = new TracewireTracerProvider({ sampler }).getTracer('express');
  const Wrapped = skipUnsampledLayers(standIn(tracer) as never) as unknown as new () => { _applyPatch(layer: Layer): void };
  const handle = ((req: unknown) => `ran ${String(req)}`) as Handle;
  handle.stack = ['router state'];
  const layer: Layer = { handle };
  new Wrapped()._applyPatch(layer);
  return { layer, tracer };
}

const inSpan = (span: Span, layer: Layer): string => context.with(trace.setSpan(ROOT_CONTEXT, span), () => layer.handle('req'));

describe('skipUnsampledLayers', () => {
  it('runs the layer without the instrumentation for a request whose span was dropped (parent-based)', () => {
    const { layer, tracer } = patchedLayer(parentBased(ratioSampler(0)));
    expect(inSpan(tracer.startSpan('GET'), layer)).toBe('ran req');
  });

  it('runs the instrumentation for a recorded request, and outside any span', () => {
    const { layer, tracer } = patchedLayer(new AlwaysOnSampler());
    expect(inSpan(tracer.startSpan('GET'), layer)).toBe('traced:ran req');
    expect(layer.handle('req')).toBe('traced:ran req');
  });

  it('keeps the instrumentation when the sampler may keep a child of a dropped span', () => {
    const sampler = parentBased(ratioSampler(0), { localParentNotSampled: new AlwaysOnSampler() });
    const { layer, tracer } = patchedLayer(sampler);
    expect(inSpan(tracer.startSpan('GET'), layer)).toBe('traced:ran req');
  });

  it('lets express read the state of a router handle through the layer', () => {
    const { layer } = patchedLayer(new AlwaysOnSampler());
    expect(layer.handle.stack).toEqual(['router state']);
  });
});
