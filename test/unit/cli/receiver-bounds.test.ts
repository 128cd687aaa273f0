// Issue 20 item 10: hostile traces cost the dev receiver linear (or n log n) work, no stack depth, and bounded output.
import { describe, expect, it } from 'vitest';
import { buildTraceTree, type TraceTree } from '../../../src/cli/dev/build-trace-tree.js';
import { createPainter } from '../../../src/cli/terminal/create-painter.js';
import type { DevSpan } from '../../../src/cli/dev/dev-span.js';
import { findCriticalPath, type CriticalPath } from '../../../src/cli/dev/find-critical-path.js';
import { RedSummary } from '../../../src/cli/dev/red-summary.js';
import { renderSummary } from '../../../src/cli/dev/render-summary.js';
import { renderTrace } from '../../../src/cli/dev/render-trace.js';
import { chain, nid, nsSpan, siblings, skewedChain } from './hostile-traces.js';
import { referenceCriticalPath, referenceTraceTree } from './reference-analysis.js';

const paint = createPainter(false);
const bytes = (text: string): number => Buffer.byteLength(text);

function analyse(spans: DevSpan[]): { tree: TraceTree; path: CriticalPath; text: string; summary: string } {
  const tree = buildTraceTree(spans);
  const path = findCriticalPath(tree);
  const red = new RedSummary();
  red.addTrace(tree);
  return { tree, path, text: renderTrace(tree, path, { paint, barWidth: 30 }), summary: renderSummary(red.report(), { paint }) };
}

/** Everything the analysis decides, as plain data, in the order it was decided. */
function decisions(
  tree: TraceTree,
  path: {
    nodes: ReadonlySet<TraceTree['nodes'][number]>;
    selfTime: ReadonlyMap<TraceTree['nodes'][number], number>;
    bottleneck?: TraceTree['nodes'][number];
  },
) {
  return {
    nodes: tree.nodes.map((n) => [
      n.span.spanId,
      n.depth,
      n.start,
      n.end,
      n.skew,
      n.parentMissing,
      n.parent?.span.spanId,
      n.children.map((c) => c.span.spanId),
    ]),
    roots: tree.roots.map((r) => r.span.spanId),
    services: tree.services,
    duration: tree.duration,
    path: [...path.nodes].map((n) => n.span.spanId),
    selfTime: [...path.selfTime].map(([n, t]) => [n.span.spanId, t]),
    bottleneck: path.bottleneck?.span.spanId,
  };
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Small traces with every awkward case: ties, zero-length spans, children outside parents, skew, orphans, cycles, duplicates. */
function randomTrace(next: () => number): DevSpan[] {
  const n = 1 + Math.floor(next() * 40);
  const int = (max: number): number => Math.floor(next() * max);
  const spans: DevSpan[] = [];
  for (let i = 0; i < n; i++) {
    const r = next();
    const parent = i === 0 ? undefined : r < 0.75 ? int(i) : r < 0.85 ? int(n) : r < 0.9 ? n + 5 : undefined;
    const start = int(30) * 1000;
    const end = start + int(4) * int(30) * 1000;
    spans.push(nsSpan(i, parent, start, end, ['a', 'b', 'c'][int(3)]!));
  }
  if (next() < 0.2) spans.push(spans[int(n)]!);
  for (let i = spans.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [spans[i], spans[j]] = [spans[j]!, spans[i]!];
  }
  return spans;
}

describe('the dev receiver does no quadratic work', () => {
  it('analyses and prints a root with 99,999 sibling children of distinct services, and a 1,000,000-character whitespace message, in linear time', () => {
    // The one timing in these tests, and a generous one: it guards against the catastrophic slowdowns of issue 20
    // (O(n²): 24 s for the walk alone over these siblings, 32 s more for their services, 13 s per 100,000 spaces of
    // message and 20 minutes for these 1,000,000), not against a slow or busy machine: the linear code needs about
    // 0.5 s here, and under 2 s on 2 cores shared with a dozen other processes.
    const spans = siblings(99_999, (i) => `service-${i}`);
    spans[0] = { ...spans[0]!, statusCode: 2, statusMessage: `${' '.repeat(1_000_000)}x` };
    const began = performance.now();
    const tree = buildTraceTree(spans);
    const path = findCriticalPath(tree);
    const text = renderTrace(tree, path, { paint, barWidth: 30 });
    const took = performance.now() - began;
    expect(took).toBeLessThan(15_000);
    expect(path.nodes.size).toBe(100_000);
    // Between the children the root works 5 ns each time, plus 10 ns before the first and 5 ns after the last.
    expect(path.selfTime.get(tree.nodes[0]!)).toBe(99_998 * 5 + 10 + 5);
    expect(path.bottleneck?.span.name).toBe('root');
    expect(text).toMatch(/^service-0 +root .*◀ bottleneck .*✖ {160}…$/m);
    const red = new RedSummary();
    red.addTrace(tree);
    // The summary keeps 100 services with rows of their own; the other 99,900 are counted in one row.
    const summary = renderSummary(red.report(), { paint });
    expect(summary).toMatch(/^service-1 +1 /m);
    expect(summary).toMatch(/^\(other services\) /m);
  });

  it('builds, walks and prints a 20,000-level chain without overflowing the stack', () => {
    const { tree, path, text } = analyse(chain(20_000));
    expect(tree.nodes).toHaveLength(20_000);
    expect(tree.nodes[19_999]!.depth).toBe(19_999);
    expect(path.nodes.size).toBe(20_000);
    expect(path.bottleneck?.span.spanId).toBe(nid(0)); // every span has 2 ns of its own; the first found wins
    expect(text).toMatch(/^Trace /);
  });

  it('corrects clock skew down a 20,000-level chain of two services without overflowing the stack', () => {
    const { tree } = analyse(skewedChain(20_000));
    for (const n of tree.nodes) {
      if (n.parent === undefined) continue;
      expect(n.start).toBeGreaterThanOrEqual(n.parent.start);
      expect(n.end).toBeLessThanOrEqual(n.parent.end);
    }
    expect(tree.nodes[1]!.skew).toBe(-1e9); // centred: 1 ns from each end of its parent
  });

  it('gives exactly the tree, critical path, self times and bottleneck of the reference analysis on 2,000 random traces', () => {
    const next = random(20);
    for (let i = 0; i < 2000; i++) {
      const spans = randomTrace(next);
      const tree = buildTraceTree(spans);
      const expected = referenceTraceTree(spans);
      expect(decisions(tree, findCriticalPath(tree)), `trace ${i}`).toEqual(decisions(expected, referenceCriticalPath(expected)));
    }
  });

  it('gives the reference answer for chains and skewed chains of ordinary depth', () => {
    for (const spans of [chain(300), skewedChain(300), siblings(300)]) {
      const tree = buildTraceTree(spans);
      const expected = referenceTraceTree(spans);
      expect(decisions(tree, findCriticalPath(tree))).toEqual(decisions(expected, referenceCriticalPath(expected)));
    }
  });
});

describe("the dev receiver's output is bounded relative to its input", () => {
  it('prints a 3,500-level chain in at most 1,000 rows of bounded width (under 200 KB)', () => {
    const { text } = analyse(chain(3500));
    expect(bytes(text)).toBeLessThan(200_000);
    const rows = text.split('\n');
    expect(Math.max(...rows.map((r) => r.length))).toBeLessThan(200);
    expect(text).toContain('… 2500 more spans not shown (2500 on the critical path)');
    expect(text).toMatch(/bottleneck: svc op 0, /);
  });

  it('prints a root with 99,999 siblings in at most 1,000 rows (under 200 KB) and says how many it left out', () => {
    const { text } = analyse(siblings(99_999));
    expect(bytes(text)).toBeLessThan(200_000);
    expect(text.split('\n')).toHaveLength(1 + 1000 + 1 + 1 + 1); // header, rows, what was left out, footer, final newline
    expect(text).toContain('… 99000 more spans not shown (99000 on the critical path)');
  });

  it('clips a 1 MB service and operation name in the trace and in the summary', () => {
    const huge = 'x'.repeat(1_000_000);
    const spans = [nsSpan(0, undefined, 0, 1000, huge, huge)];
    for (let i = 1; i < 100; i++) spans.push(nsSpan(i, 0, i, i + 5, huge, `${huge}${i}`));
    const { text, summary } = analyse(spans);
    expect(bytes(text)).toBeLessThan(100 * 200);
    expect(bytes(summary)).toBeLessThan(100 * 300);
  });
});
