// leanExpressLayers: what runs when an express layer is called, on top of the express instrumentation's own patching.
// A stand-in for ExpressInstrumentation with the same contract (_applyPatch wraps layer.handle shimmer-style, keeping
// the original as __original; getConfig; tracer) shows which path ran; the spans come from tracewire's provider.
// test/integration/http-server.test.ts and register.test.ts check the same spans from a real express app, and
// test/unit/upstream-adapters.test.ts checks that contract against the real instrumentation with express 5.
import { context, ROOT_CONTEXT, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { RPCType, setRPCMetadata, type RPCMetadata } from '@opentelemetry/core';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOnSampler, InMemorySpanExporter, SimpleSpanProcessor, type Sampler } from '@opentelemetry/sdk-trace';
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parentBased, ratioSampler } from '../../src/index.js';
import { leanExpressLayers } from '../../src/instrumentations/lean-express-layers.js';
import { TracewireTracerProvider } from '../../src/sdk/tracewire-tracer-provider.js';
import type { ExpressLayersName } from '../../src/config/types.js';

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => context.disable());

type Handle = ((...args: unknown[]) => unknown) & { __original?: Handle; stack?: string[] };
interface Layer {
  handle: Handle;
  name: string;
}

/** The contract leanExpressLayers relies on, as @opentelemetry/instrumentation-express 0.71 implements it. */
function standIn(tracer: Tracer, config: object) {
  return class StandIn {
    instrumentationName = 'stand-in';
    instrumentationVersion = '0';
    get tracer(): Tracer {
      return tracer;
    }
    _applyPatch(layer: Layer): void {
      const original = layer.handle;
      if (original.length === 4) {
        // Error handlers: the instrumentation returns them unwrapped, and shimmer marks them as their own original.
        original.__original = original;
        return;
      }
      const traced = ((...args: unknown[]) => `instrumentation's wrapper: ${String(original(...args))}`) as Handle;
      traced.__original = original;
      layer.handle = traced;
    }
    enable(): void {}
    disable(): void {}
    setTracerProvider(): void {}
    setMeterProvider(): void {}
    setConfig(): void {}
    getConfig(): object {
      return config;
    }
  };
}

function patched(
  sampler: Sampler,
  handle: Handle,
  config: object = {},
  layerPath?: string,
  { layers = 'all', name = 'jsonParser' }: { layers?: ExpressLayersName; name?: string } = {},
) {
  const exporter = new InMemorySpanExporter();
  const tracer = new TracewireTracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer('express');
  const Lean = leanExpressLayers(standIn(tracer, config) as never, layers) as unknown as new () => {
    _applyPatch(layer: Layer, path?: string): void;
  };
  const layer: Layer = { handle, name };
  new Lean()._applyPatch(layer, layerPath);
  return { layer, tracer, exporter };
}

const request = () => ({ originalUrl: '/orders/7' });
/** The spans exported so far (the simple processor exports after a microtask). */
const finished = async (exporter: InMemorySpanExporter) => {
  await new Promise((resolve) => setImmediate(resolve));
  return exporter.getFinishedSpans();
};
const inSpan = <T>(span: Span, fn: () => T): T => context.with(trace.setSpan(ROOT_CONTEXT, span), fn);

describe('leanExpressLayers', () => {
  it('runs the layer as express’s own for a request whose span was dropped (parent-based)', () => {
    const { layer, tracer, exporter } = patched(
      parentBased(ratioSampler(0)),
      (req) => `ran for ${(req as { originalUrl: string }).originalUrl}`,
    );
    expect(inSpan(tracer.startSpan('GET'), () => layer.handle(request(), new EventEmitter(), () => undefined))).toBe('ran for /orders/7');
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('still sets the route of a dropped request whose RPC metadata asks for it (for http.server.request.duration), exporting no span', async () => {
    const { layer, tracer, exporter } = patched(
      parentBased(ratioSampler(0)),
      (_req, _res, next) => (next as () => void)(),
      {},
      '/orders/:id',
    );
    const dropped = tracer.startSpan('GET');
    const rpc: RPCMetadata = { type: RPCType.HTTP, span: dropped };
    let nextRan = false;
    context.with(setRPCMetadata(trace.setSpan(ROOT_CONTEXT, dropped), rpc), () =>
      layer.handle({ originalUrl: '/orders/7' }, new EventEmitter(), () => (nextRan = true)),
    );
    expect(nextRan).toBe(true);
    expect(rpc.route).toBe('/orders/:id');
    expect(await finished(exporter)).toEqual([]);
  });

  it('makes the instrumentation’s middleware span, ended by next(), which runs in the parent span’s context', async () => {
    let activeInNext: Span | undefined;
    const { layer, tracer, exporter } = patched(new AlwaysOnSampler(), (_req, _res, next) => (next as () => void)());
    const parent = tracer.startSpan('GET');
    inSpan(parent, () => layer.handle(request(), new EventEmitter(), () => (activeInNext = trace.getActiveSpan())));
    const [span] = await finished(exporter);
    expect(span!.name).toBe('middleware - jsonParser');
    expect(span!.attributes).toEqual({ 'express.name': 'jsonParser', 'express.type': 'middleware' });
    expect(span!.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(activeInNext).toBe(parent);
  });

  it('records an error passed to next() and a throw from the layer', async () => {
    const failing = patched(new AlwaysOnSampler(), (_req, _res, next) => (next as (e: Error) => void)(new Error('bad body')));
    inSpan(failing.tracer.startSpan('GET'), () => failing.layer.handle(request(), new EventEmitter(), () => undefined));
    const throwing = patched(new AlwaysOnSampler(), () => {
      throw new Error('boom');
    });
    expect(() =>
      inSpan(throwing.tracer.startSpan('GET'), () => throwing.layer.handle(request(), new EventEmitter(), () => undefined)),
    ).toThrow('boom');
    const response = new EventEmitter();
    inSpan(throwing.tracer.startSpan('GET'), () => {
      try {
        throwing.layer.handle(request(), response, () => undefined);
      } catch {
        // rethrown, as without tracing
      }
    });
    response.emit('close');
    const [nextError] = await finished(failing.exporter);
    expect(nextError!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad body' });
    expect(nextError!.events.map((e) => e.name)).toEqual(['exception']);
    const [thrown] = await finished(throwing.exporter);
    expect(thrown!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
  });

  it('ends the span of a layer that answers without next() when the response closes, and leaves no listener behind', async () => {
    const { layer, tracer, exporter } = patched(new AlwaysOnSampler(), () => 'answered');
    const response = new EventEmitter();
    inSpan(tracer.startSpan('GET'), () => layer.handle(request(), response, () => undefined));
    expect(await finished(exporter)).toHaveLength(0);
    expect(response.listenerCount('close')).toBe(1);
    response.emit('close');
    expect(await finished(exporter)).toHaveLength(1);
    expect(response.listenerCount('close')).toBe(0);
    // A layer that calls next later removes its close listener (as the instrumentation does): none piles up.
    const later = patched(new AlwaysOnSampler(), (_req, _res, next) => setImmediate(next as () => void));
    const res2 = new EventEmitter();
    const listenersInNext = await new Promise<number>((resolve) => {
      // express sets req.res (app.handle); the listener is removed through it, as the instrumentation does.
      inSpan(later.tracer.startSpan('GET'), () =>
        later.layer.handle({ ...request(), res: res2 }, res2, () => resolve(res2.listenerCount('close'))),
      );
    });
    expect(listenersInNext).toBe(0);
    expect(await finished(later.exporter)).toHaveLength(1);
  });

  it('leaves layers to the instrumentation’s own wrapper when its config has hooks or ignore lists', () => {
    const { layer, tracer } = patched(new AlwaysOnSampler(), () => 'ran', { ignoreLayersType: ['middleware'] });
    expect(inSpan(tracer.startSpan('GET'), () => layer.handle(request(), new EventEmitter(), () => undefined))).toBe(
      "instrumentation's wrapper: ran",
    );
  });

  it('never wraps an error handler: express recognizes it by its four parameters', () => {
    const errorHandler = ((_err: unknown, _req: unknown, _res: unknown, _next: unknown) => 'handled') as Handle;
    const { layer } = patched(new AlwaysOnSampler(), errorHandler);
    expect(layer.handle).toBe(errorHandler);
    expect(layer.handle.length).toBe(4);
  });

  describe("with expressLayers 'handlers'", () => {
    const handlers = { layers: 'handlers' } as const;
    /** express's request: the layer paths the instrumentation stores (`__ot_middlewares`). */
    const routed = (): { originalUrl: string; __ot_middlewares?: string[] } => ({ originalUrl: '/api/orders/7' });

    it('gives a middleware no span, pops its layer path at once and still sets the route', async () => {
      const rpc: RPCMetadata = { type: RPCType.HTTP, span: undefined as never };
      let pathsInLayer: string[] | undefined;
      const req = routed();
      const { layer, tracer, exporter } = patched(
        new AlwaysOnSampler(),
        (r, _res, next) => {
          pathsInLayer = [...((r as ReturnType<typeof routed>).__ot_middlewares ?? [])];
          (next as () => void)();
        },
        {},
        '/api',
        handlers,
      );
      const parent = tracer.startSpan('GET');
      rpc.span = parent;
      let nextRan = false;
      context.with(setRPCMetadata(trace.setSpan(ROOT_CONTEXT, parent), rpc), () =>
        layer.handle(req, new EventEmitter(), () => (nextRan = true)),
      );
      expect(nextRan).toBe(true);
      expect(pathsInLayer).toEqual([]);
      expect(req.__ot_middlewares).toEqual([]);
      expect(rpc.route).toBe('/api');
      expect(await finished(exporter)).toEqual([]);
    });

    it('gives a router no span and keeps its layer path for the routes inside it', async () => {
      const req = routed();
      const { layer, tracer, exporter } = patched(new AlwaysOnSampler(), (_r, _res, next) => (next as () => void)(), {}, '/api', {
        ...handlers,
        name: 'router',
      });
      inSpan(tracer.startSpan('GET'), () => layer.handle(req, new EventEmitter(), () => undefined));
      expect(req.__ot_middlewares).toEqual(['/api']);
      expect(await finished(exporter)).toEqual([]);
    });

    it('gives a route handler its span, named and parented as with every layer traced', async () => {
      const { layer, tracer, exporter } = patched(new AlwaysOnSampler(), () => 'answered', {}, '/orders/:id', {
        ...handlers,
        name: 'bound dispatch',
      });
      const parent = tracer.startSpan('GET');
      const response = new EventEmitter();
      inSpan(parent, () => layer.handle(routed(), response, () => undefined));
      response.emit('close');
      const [span] = await finished(exporter);
      expect(span!.name).toBe('request handler');
      expect(span!.attributes['express.type']).toBe('request_handler');
      expect(span!.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    });
  });

  it('lets express read the state of a router handle through the layer', () => {
    const handle = (() => undefined) as Handle;
    handle.stack = ['router state'];
    const { layer } = patched(new AlwaysOnSampler(), handle);
    expect(layer.handle.stack).toEqual(['router state']);
  });
});
