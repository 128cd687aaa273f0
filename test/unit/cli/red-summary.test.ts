import { describe, expect, it } from 'vitest';
import { buildTraceTree } from '../../../src/cli/dev/build-trace-tree.js';
import type { DevSpan } from '../../../src/cli/dev/dev-span.js';
import { RedSummary } from '../../../src/cli/dev/red-summary.js';
import { span } from './hand-built.js';

const traceOf = (n: number): string => n.toString(16).padStart(32, '0');

describe('RedSummary against hostile senders', () => {
  it('stays bounded: beyond 100 services and 1000 operations, new ones are counted in "(other …)" rows, and every request is still counted', () => {
    const red = new RedSummary();
    for (let i = 0; i < 3000; i++) {
      const root: DevSpan = {
        ...span({ id: 'root', service: `svc-${i % 300}`, name: `GET /item/${i}`, start: 0, end: 1 }),
        traceId: traceOf(i + 1),
      };
      red.addTrace(buildTraceTree([root]));
    }
    const report = red.report();
    expect(report.services.length).toBeLessThanOrEqual(101);
    expect(report.operations.length).toBeLessThanOrEqual(1000 + 101);
    expect(report.services.reduce((n, r) => n + r.requests, 0)).toBe(3000);
    expect(report.operations.reduce((n, r) => n + r.requests, 0)).toBe(3000);
    expect(report.services.find((r) => r.service === '(other services)')!.requests).toBe(2000);
    expect(report.operations.some((r) => r.operation === '(other operations)')).toBe(true);
  });

  it('remembers at most 200,000 span ids of printed traces, however large the traces', () => {
    const red = new RedSummary();
    const children = (t: number, count: number): DevSpan[] => [
      { ...span({ id: 'root', service: 's', start: 0, end: 1 }), traceId: traceOf(t) },
      ...Array.from({ length: count }, (_, i): DevSpan => ({
        ...span({ id: 'root', parent: 'root', service: 's', start: 0, end: 1 }),
        spanId: (i + 1).toString(16).padStart(16, '0'),
        traceId: traceOf(t),
      })),
    ];
    for (let t = 1; t <= 30; t++) red.addTrace(buildTraceTree(children(t, 10_000)));
    const counted = (red as unknown as { counted: Map<string, Set<string>> }).counted;
    const remembered = [...counted.values()].reduce((n, ids) => n + ids.size, 0);
    expect(remembered).toBeLessThanOrEqual(200_000);
    expect(red.report().spans).toBe(30 * 10_001);
  });
});
