import { describe, expect, it } from 'vitest';
import { buildTraceTree } from '../../../src/cli/dev/build-trace-tree.js';
import { createPainter, shouldUseColor } from '../../../src/cli/terminal/create-painter.js';
import { findCriticalPath } from '../../../src/cli/dev/find-critical-path.js';
import { RedSummary } from '../../../src/cli/dev/red-summary.js';
import { renderSummary } from '../../../src/cli/dev/render-summary.js';
import { renderTrace } from '../../../src/cli/dev/render-trace.js';
import type { DevSpan } from '../../../src/cli/dev/dev-span.js';
import { shopTrace, span } from './hand-built.js';

const plain = createPainter(false);
const draw = (spans: DevSpan[], note?: string): string => {
  const tree = buildTraceTree(spans);
  return renderTrace(tree, findCriticalPath(tree), { paint: plain, barWidth: 20, ...(note ? { note } : {}) });
};

describe('renderTrace without colour', () => {
  it('draws the seed trace as a tree with durations, bars, the critical path and the bottleneck', () => {
    expect(draw(shopTrace())).toMatchInlineSnapshot(`
      "Trace 4bf92f3577b34da6a3ce929d0e0e4736  frontend GET /api/users  212 ms  (5 services, 5 spans)
      frontend          GET /api/users  212 ms  ████████████████████
      └ api-gateway     GET /users      180 ms   █████████████████
        ├ auth-service  verify           12 ms   █
        └ user-service  GET /users/:id  150 ms     ██████████████
          └ database    SELECT users    140 ms      █████████████     ◀ bottleneck (140 ms self)
      █ critical path (5 spans)  ░ off the path  bottleneck: database SELECT users, 140 ms of 212 ms spent in its own work
      "
    `);
  });

  it('shows error spans with their exception message and counts them in the header', () => {
    const spans = [
      span({ id: 'front', service: 'frontend', name: 'GET /api/users/13', start: 0, end: 30, error: 'upstream failed' }),
      span({ id: 'users', parent: 'front', service: 'user-service', name: 'load user', start: 5, end: 25, error: 'user 13 is locked' }),
    ];
    expect(draw(spans)).toMatchInlineSnapshot(`
      "Trace 4bf92f3577b34da6a3ce929d0e0e4736  frontend GET /api/users/13  30 ms  (2 services, 2 spans, 2 errors)
      frontend        GET /api/users/13  30 ms  ████████████████████  ✖ Error: upstream failed
      └ user-service  load user          20 ms     █████████████      ◀ bottleneck (20 ms self)  ✖ Error: user 13 is locked
      █ critical path (2 spans)  ░ off the path  bottleneck: user-service load user, 20 ms of 30 ms spent in its own work
      "
    `);
  });

  it('notes a missing parent, a clock-skew correction and late spans', () => {
    const spans = [
      span({ id: 'call', service: 'gateway', name: 'GET', start: 0, end: 40, kind: 3 }),
      span({ id: 'srv', parent: 'call', service: 'users', name: 'GET /u', start: 500, end: 520, kind: 2 }),
      span({ id: 'orphan', parent: 'gone', service: 'worker', name: 'job', start: 10, end: 20 }),
    ];
    expect(draw(spans, 'updated: 1 late span')).toMatchInlineSnapshot(`
      "Trace 4bf92f3577b34da6a3ce929d0e0e4736  gateway GET  40 ms  (3 services, 3 spans)  [updated: 1 late span]
      gateway  GET     40 ms  ████████████████████  ◀ bottleneck (20 ms self)
      └ users  GET /u  20 ms       ██████████       (clock skew: moved 490 ms earlier)
      worker   job     10 ms       ░░░░░            (parent 676f6e65… not received)
      █ critical path (2 spans)  ░ off the path  bottleneck: gateway GET, 20 ms of 40 ms spent in its own work
      "
    `);
  });

  it('contains no ANSI escape codes', () => {
    expect(draw(shopTrace())).not.toMatch(/\u001b\[/);
  });
});

describe('colour', () => {
  it('is used on a terminal only, and never when NO_COLOR is set', () => {
    expect(shouldUseColor({ isTTY: true }, {})).toBe(true);
    expect(shouldUseColor({ isTTY: false }, {})).toBe(false);
    expect(shouldUseColor({}, {})).toBe(false);
    expect(shouldUseColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldUseColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
  });

  it('paints errors red and the bottleneck when enabled', () => {
    const tree = buildTraceTree([span({ id: 'r', service: 'a', start: 0, end: 10, error: 'boom' })]);
    const text = renderTrace(tree, findCriticalPath(tree), { paint: createPainter(true) });
    expect(text).toContain('\u001b[31m✖ Error: boom\u001b[39m');
    expect(text).toContain('\u001b[35m');
  });
});

describe('RED summary', () => {
  function summary(): RedSummary {
    const red = new RedSummary();
    // Ten requests of the seed trace, the tenth failing in user-service and 10x slower.
    for (let i = 0; i < 10; i++) {
      const spans = shopTrace().map((s) => ({ ...s, traceId: `${i}`.padStart(32, '0') }));
      if (i === 9) {
        spans[3] = { ...spans[3]!, statusCode: 2, endNs: spans[3]!.startNs + 1_500_000_000n };
      }
      red.addTrace(buildTraceTree(spans));
    }
    return red;
  }

  it('counts requests, errors and percentiles per service and per operation, and the dependency graph', () => {
    const report = summary().report();
    expect(report.traces).toBe(10);
    expect(report.spans).toBe(50);
    const users = report.services.find((s) => s.service === 'user-service')!;
    expect(users).toMatchObject({ requests: 10, errors: 1 });
    expect(users.p50 / 1e6).toBe(150);
    expect(users.p99 / 1e6).toBe(1500);
    expect(report.dependencies).toEqual([
      { caller: 'api-gateway', callee: 'auth-service', calls: 10, errors: 0 },
      { caller: 'api-gateway', callee: 'user-service', calls: 10, errors: 1 },
      { caller: 'frontend', callee: 'api-gateway', calls: 10, errors: 0 },
      { caller: 'user-service', callee: 'database', calls: 10, errors: 0 },
    ]);
  });

  it('counts a trace printed again with late spans only once', () => {
    const red = new RedSummary();
    const spans = shopTrace();
    red.addTrace(buildTraceTree(spans.slice(0, 3)));
    red.addTrace(buildTraceTree(spans));
    const report = red.report();
    expect(report.traces).toBe(1);
    expect(report.spans).toBe(5);
    expect(report.services.map((s) => [s.service, s.requests])).toEqual([
      ['api-gateway', 1],
      ['auth-service', 1],
      ['database', 1],
      ['frontend', 1],
      ['user-service', 1],
    ]);
  });

  it('renders as tables and a dependency list', () => {
    expect(renderSummary(summary().report(), { paint: plain })).toMatchInlineSnapshot(`
      "Summary: 10 traces, 50 spans

      Services
      service       requests  errors  error rate     p50     p95     p99
      api-gateway         10       0        0.0%  180 ms  180 ms  180 ms
      auth-service        10       0        0.0%   12 ms   12 ms   12 ms
      database            10       0        0.0%  140 ms  140 ms  140 ms
      frontend            10       0        0.0%  212 ms  212 ms  212 ms
      user-service        10       1       10.0%  150 ms  1.50 s  1.50 s

      Operations
      service       operation       requests  errors  error rate     p50     p95     p99
      api-gateway   GET /users            10       0        0.0%  180 ms  180 ms  180 ms
      auth-service  verify                10       0        0.0%   12 ms   12 ms   12 ms
      database      SELECT users          10       0        0.0%  140 ms  140 ms  140 ms
      frontend      GET /api/users        10       0        0.0%  212 ms  212 ms  212 ms
      user-service  GET /users/:id        10       1       10.0%  150 ms  1.50 s  1.50 s

      Dependencies
      api-gateway  → auth-service  10 calls
      api-gateway  → user-service  10 calls
      frontend     → api-gateway   10 calls
      user-service → database      10 calls
      "
    `);
  });
});
