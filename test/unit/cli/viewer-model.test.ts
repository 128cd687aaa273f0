// The data model of the tracewire dev viewer: list filters, the waterfall's layout, the service map's numbers and
// the bounded store. The page only draws what these return.
import { describe, expect, it } from 'vitest';
import { buildTraceTree } from '../../../src/cli/dev/build-trace-tree.js';
import type { DevSpan } from '../../../src/cli/dev/dev-span.js';
import { findCriticalPath } from '../../../src/cli/dev/find-critical-path.js';
import { RedSummary } from '../../../src/cli/dev/red-summary.js';
import { parseTraceFilter } from '../../../src/cli/dev/viewer/trace-filter.js';
import { TraceStore } from '../../../src/cli/dev/viewer/trace-store.js';
import { traceView } from '../../../src/cli/dev/viewer/trace-view.js';
import { visibleRows, windowOf } from '../../../src/cli/dev/viewer/page/visible-rows.js';
import { shopTrace, sid, span } from './hand-built.js';

/** The seed trace under another trace id, its start moved by `shiftMs`, optionally slower or failing. */
function variant(
  i: number,
  options: { shiftMs?: number; dbMs?: number; error?: boolean; attributes?: Record<string, string> } = {},
): DevSpan[] {
  const shift = BigInt(Math.round((options.shiftMs ?? i * 1000) * 1e6));
  return shopTrace().map((s, index) => {
    let out: DevSpan = { ...s, traceId: `${i + 1}`.padStart(32, '0'), startNs: s.startNs + shift, endNs: s.endNs + shift };
    if (index === 4 && options.dbMs !== undefined) out = { ...out, endNs: out.startNs + BigInt(options.dbMs * 1e6) };
    if (index === 3 && options.error === true) out = { ...out, statusCode: 2 };
    if (index === 4 && options.attributes !== undefined) out = { ...out, attributes: options.attributes };
    return out;
  });
}

function storeOf(traces: DevSpan[][], maxTraces = 100): TraceStore {
  const store = new TraceStore(maxTraces, 64 * 1024 * 1024);
  for (const spans of traces) store.add(buildTraceTree(spans));
  return store;
}

const list = (store: TraceStore, query: string): string[] =>
  store.list(parseTraceFilter(new URLSearchParams(query))).traces.map((t) => t.traceId.slice(-1));

describe('tracewire dev viewer: trace list', () => {
  const store = storeOf([
    variant(0),
    variant(1, { dbMs: 400 }),
    variant(2, { error: true }),
    variant(3, { attributes: { 'db.system': 'postgresql', 'db.rows': '3' } }),
  ]);

  it('lists traces newest first with root service, operation, duration, span count, services and errors', () => {
    const { traces, total } = store.list(parseTraceFilter(new URLSearchParams()));
    expect(total).toBe(4);
    expect(traces.map((t) => t.traceId.slice(-1))).toEqual(['4', '3', '2', '1']);
    expect(traces[3]).toMatchObject({
      rootService: 'frontend',
      rootName: 'GET /api/users',
      durationNs: 212e6,
      spanCount: 5,
      errorCount: 0,
    });
    expect(traces[3]!.services).toEqual(['frontend', 'api-gateway', 'auth-service', 'user-service', 'database']);
    expect(traces[1]!.errorCount).toBe(1);
  });

  it('filters by minimum and maximum duration, errors, service, operation, attribute and text in span names', () => {
    expect(list(store, 'minDuration=300')).toEqual(['2']);
    expect(list(store, 'maxDuration=250')).toEqual(['4', '3', '1']);
    expect(list(store, 'errors=1')).toEqual(['3']);
    expect(list(store, 'service=database')).toEqual(['4', '3', '2', '1']);
    expect(list(store, 'service=billing')).toEqual([]);
    expect(list(store, 'operation=verify')).toEqual(['4', '3', '2', '1']);
    expect(list(store, 'service=frontend&operation=verify')).toEqual([]);
    expect(list(store, 'attr=db.system%3Dpostgresql')).toEqual(['4']);
    expect(list(store, 'attr=db.system%3Dmysql')).toEqual([]);
    expect(list(store, 'q=select')).toEqual(['4', '3', '2', '1']);
    expect(list(store, 'q=insert')).toEqual([]);
    expect(list(store, 'minDuration=300&errors=1')).toEqual([]);
    expect(list(store, 'limit=2')).toEqual(['4', '3']);
  });

  it('ignores filter values that do not parse instead of failing', () => {
    expect(parseTraceFilter(new URLSearchParams('minDuration=abc&maxDuration=-5&attr=novalue&limit=x'))).toEqual({
      errorsOnly: false,
      limit: 500,
    });
  });
});

describe('tracewire dev viewer: bounded store', () => {
  it('keeps the last maxTraces traces, dropping the least recently stored or viewed first', () => {
    const store = storeOf([variant(0), variant(1), variant(2)], 3);
    expect(store.view(`${1}`.padStart(32, '0'))).toBeDefined(); // trace 1 is now the most recently used
    store.add(buildTraceTree(variant(3)));
    expect(store.size).toBe(3);
    expect(store.evicted).toBe(1);
    expect(list(store, '')).toEqual(['4', '3', '1']);
  });

  it('keeps at most maxBytes of spans, and at least the newest trace', () => {
    const store = new TraceStore(1000, 1);
    store.add(buildTraceTree(variant(0)));
    store.add(buildTraceTree(variant(1)));
    expect(store.size).toBe(1);
    expect(list(store, '')).toEqual(['2']);
  });

  it('tells its listeners each trace stored', () => {
    const store = new TraceStore(10, 1e9);
    const heard: string[] = [];
    const stop = store.subscribe((summary) => heard.push(summary.traceId));
    store.add(buildTraceTree(variant(0)));
    stop();
    store.add(buildTraceTree(variant(1)));
    expect(heard).toEqual(['1'.padStart(32, '0')]);
  });
});

describe('tracewire dev viewer: waterfall', () => {
  it('places each bar in percent of the trace and marks the critical path and the bottleneck as the terminal does', () => {
    const tree = buildTraceTree(shopTrace());
    const view = traceView(tree, findCriticalPath(tree), 0);
    expect(view.spans.map((s) => [s.name, s.depth, +s.offsetPct.toFixed(3), +s.widthPct.toFixed(3)])).toEqual([
      ['GET /api/users', 0, 0, 100],
      ['GET /users', 1, +((16 / 212) * 100).toFixed(3), +((180 / 212) * 100).toFixed(3)],
      ['verify', 2, +((20 / 212) * 100).toFixed(3), +((12 / 212) * 100).toFixed(3)],
      ['GET /users/:id', 2, +((40 / 212) * 100).toFixed(3), +((150 / 212) * 100).toFixed(3)],
      ['SELECT users', 3, +((45 / 212) * 100).toFixed(3), +((140 / 212) * 100).toFixed(3)],
    ]);
    expect(view.spans.map((s) => s.parent)).toEqual([-1, 0, 1, 1, 3]);
    expect(view.spans.filter((s) => s.critical).map((s) => s.name)).toEqual([
      'GET /api/users',
      'GET /users',
      'verify',
      'GET /users/:id',
      'SELECT users',
    ]);
    expect(view.spans[view.bottleneck]!.name).toBe('SELECT users');
    expect(view.spans[4]).toMatchObject({ bottleneck: true, selfNs: 140e6 });
    expect(view.traceparent).toBe(`00-${tree.traceId}-${sid('front')}-01`);
  });

  it('shows the skew correction where it was applied, and a span of no length as a visible bar', () => {
    const tree = buildTraceTree([
      span({ id: 'root', service: 'a', start: 0, end: 100 }),
      span({ id: 'late', parent: 'root', service: 'b', start: 150, end: 170, kind: 2 }),
      span({ id: 'zero', parent: 'root', service: 'a', start: 10, end: 10 }),
    ]);
    const view = traceView(tree, findCriticalPath(tree), 0);
    const late = view.spans.find((s) => s.name === 'late')!;
    expect(late.skewNs).toBe(-110e6);
    expect(late.offsetPct).toBeCloseTo(40);
    expect(view.spans.find((s) => s.name === 'zero')!.widthPct).toBeCloseTo(0.2);
  });

  it('gives the exception message of a failed span', () => {
    const tree = buildTraceTree([span({ id: 'root', service: 'a', start: 0, end: 10, error: 'user 13 is locked' })]);
    const view = traceView(tree, findCriticalPath(tree), 0);
    expect(view.spans[0]).toMatchObject({ error: true, exception: { type: 'Error', message: 'user 13 is locked', stacktrace: '' } });
  });
});

describe('tracewire dev viewer: service map and RED', () => {
  it('counts calls and errors per edge, the numbers of --summary', () => {
    const red = new RedSummary();
    for (let i = 0; i < 4; i++) red.addTrace(buildTraceTree(variant(i, { error: i === 0 })));
    const report = red.report();
    expect(report.dependencies.find((d) => d.callee === 'user-service')).toEqual({
      caller: 'api-gateway',
      callee: 'user-service',
      calls: 4,
      errors: 1,
    });
    expect(report.services.find((s) => s.service === 'user-service')).toMatchObject({ requests: 4, errors: 1, p50: 150e6 });
  });
});

describe('tracewire dev viewer: waterfall rows', () => {
  it('hides the subtree of a collapsed span, and only it', () => {
    const tree = buildTraceTree(shopTrace());
    const { spans } = traceView(tree, findCriticalPath(tree), 0);
    expect(visibleRows(spans, new Set())).toEqual([0, 1, 2, 3, 4]);
    expect(visibleRows(spans, new Set([3]))).toEqual([0, 1, 2, 3]);
    expect(visibleRows(spans, new Set([1]))).toEqual([0, 1]);
    expect(visibleRows(spans, new Set([1, 3]))).toEqual([0, 1]);
  });

  it('draws only the rows in view of a 1,000-span trace, and the last ones when scrolled to the end', () => {
    expect(windowOf(1000, 0, 600, 26, 10)).toEqual({ first: 0, last: 34 });
    expect(windowOf(1000, 1000 * 26 - 600, 600, 26, 10)).toEqual({ first: 966, last: 1000 });
  });
});
