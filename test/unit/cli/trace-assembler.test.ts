import { describe, expect, it } from 'vitest';
import type { DevSpan } from '../../../src/cli/dev/dev-span.js';
import { TraceAssembler, type AssemblerLimit } from '../../../src/cli/dev/trace-assembler.js';
import { shopTrace, span } from './hand-built.js';

const traceOf = (n: number): string => n.toString(16).padStart(32, '0');
/** `count` spans of trace `n`: a root, then children (ids c1, c2, …), each with `attributeChars` characters of attributes. */
function spansOf(n: number, count: number, { from = 0, root = true, attributeChars = 0 } = {}): DevSpan[] {
  return Array.from({ length: count }, (_, i): DevSpan => ({
    ...span(
      root && from + i === 0
        ? { id: 'root', service: 's', start: 0, end: 1 }
        : { id: `c${from + i}`, parent: 'root', service: 's', start: 0, end: 1 },
    ),
    traceId: traceOf(n),
    attributes: attributeChars > 0 ? { blob: 'x'.repeat(attributeChars) } : ({} as Record<string, string>),
  }));
}

describe('TraceAssembler', () => {
  it('releases a trace once its root arrived and no span came for the quiet period', () => {
    const a = new TraceAssembler({ quietMs: 500 });
    const spans = shopTrace();
    a.add(spans.slice(1), 0); // children first: no root yet
    expect(a.due(10_000)).toEqual([]);
    a.add([spans[0]!], 10_000);
    expect(a.due(10_400)).toEqual([]);
    const [trace] = a.due(10_500);
    expect(trace!.spans).toHaveLength(5);
    expect(trace!.late).toBe(0);
    expect(trace!.rootMissing).toBe(false);
  });

  it('waits while spans keep arriving, so late children are grouped into the same trace', () => {
    const a = new TraceAssembler({ quietMs: 500 });
    const spans = shopTrace();
    a.add([spans[0]!], 0);
    a.add([spans[1]!], 400);
    a.add([spans[2]!, spans[3]!], 800);
    expect(a.due(1000)).toEqual([]);
    a.add([spans[4]!], 1200);
    expect(a.due(1700)[0]!.spans).toHaveLength(5);
  });

  it('releases a span arriving after its trace was printed together with the earlier spans, as an update', () => {
    const a = new TraceAssembler({ quietMs: 100 });
    const spans = shopTrace();
    a.add(spans.slice(0, 4), 0);
    expect(a.due(100)[0]!.spans).toHaveLength(4);
    a.add([spans[4]!], 5000);
    const [update] = a.due(5100);
    expect(update!.spans).toHaveLength(5);
    expect(update!.late).toBe(1);
  });

  it('ignores a retried export of spans already printed', () => {
    const a = new TraceAssembler({ quietMs: 100 });
    a.add(shopTrace(), 0);
    a.due(100);
    a.add(shopTrace(), 200);
    expect(a.size).toBe(0);
  });

  it('releases a trace whose root never arrives after maxWaitMs, marked rootMissing', () => {
    const a = new TraceAssembler({ quietMs: 100, maxWaitMs: 3000 });
    a.add(shopTrace().slice(1), 0);
    expect(a.due(2000)).toEqual([]);
    expect(a.due(3000)[0]!.rootMissing).toBe(true);
  });

  it('drains every waiting trace at shutdown', () => {
    const a = new TraceAssembler();
    a.add(shopTrace().slice(1), 0);
    expect(a.drain()).toHaveLength(1);
    expect(a.size).toBe(0);
  });

  it('is bounded: spans beyond maxPendingSpans are dropped and counted', () => {
    const a = new TraceAssembler({ maxPendingSpans: 3 });
    a.add(shopTrace(), 0);
    expect(a.dropped).toBe(2);
    expect(a.drain()[0]!.spans).toHaveLength(3);
  });

  it('one trace cannot starve the others: beyond its fair share (maxTraceSpans) its spans are dropped, reported once, and a normal trace is still released', () => {
    const limits: Array<[AssemblerLimit, string]> = [];
    const a = new TraceAssembler({
      quietMs: 100,
      maxPendingSpans: 1000,
      maxTraceSpans: 100,
      onLimit: (limit, traceId) => limits.push([limit, traceId]),
    });
    a.add(spansOf(1, 1000), 0); // the hog: a root and 999 children, one more than the waiting room holds
    a.add(spansOf(2, 1), 50);
    expect(a.dropped).toBe(900);
    expect(limits).toEqual([['trace', traceOf(1)]]);
    a.add(spansOf(1, 1, { from: 5000, root: false }), 100); // dropped too: it neither counts nor keeps the hog open
    expect(a.dropped).toBe(901);
    const released = a.due(150);
    expect(released.map((t) => [t.traceId, t.spans.length])).toEqual([
      [traceOf(1), 100],
      [traceOf(2), 1],
    ]);
    a.add(spansOf(1, 1, { from: 6000, root: false }), 200); // a printed trace at its limit is not opened again
    expect(a.size).toBe(0);
    expect(limits).toHaveLength(1);
  });

  it('when waiting traces fill the room, the oldest is released early, marked evicted and reported, and the new trace is kept', () => {
    const limits: Array<[AssemblerLimit, string]> = [];
    const a = new TraceAssembler({
      quietMs: 100,
      maxPendingSpans: 10,
      maxTraceSpans: 5,
      onLimit: (limit, traceId) => limits.push([limit, traceId]),
    });
    a.add(spansOf(1, 5), 0);
    a.add(spansOf(2, 5), 10);
    a.add(spansOf(3, 1), 20);
    expect(a.evicted).toBe(1);
    expect(a.dropped).toBe(0);
    expect(limits).toEqual([['evicted', traceOf(1)]]);
    const [early] = a.due(30); // released at once, before its quiet period
    expect(early).toMatchObject({ traceId: traceOf(1), evicted: true });
    expect(early!.spans).toHaveLength(5);
    expect(a.due(120).map((t) => [t.traceId, t.evicted])).toEqual([
      [traceOf(2), false],
      [traceOf(3), false],
    ]);
  });

  it('is bounded in bytes: a trace holds at most maxTraceBytes, the waiting room maxPendingBytes, remembered traces maxRememberedBytes', () => {
    const KiB = 1024;
    const a = new TraceAssembler({ quietMs: 100, maxTraceBytes: 100 * KiB, maxPendingBytes: 300 * KiB, maxRememberedBytes: 200 * KiB });
    a.add(spansOf(1, 10, { attributeChars: 20 * KiB }), 0); // ~41 KiB each: two fit in 100 KiB
    expect(a.dropped).toBe(8);
    expect(a.bytes).toBeLessThanOrEqual(100 * KiB);
    for (let n = 2; n <= 6; n++) a.add(spansOf(n, 2, { attributeChars: 20 * KiB }), 0);
    expect(a.bytes).toBeLessThanOrEqual(300 * KiB);
    expect(a.evicted).toBeGreaterThanOrEqual(3);
    a.due(100);
    expect(a.size).toBe(0);
    expect(a.bytes).toBeLessThanOrEqual(200 * KiB);
    expect(a.bytes).toBeGreaterThan(0);
  });

  it('drops a late span that would take a printed trace over its share, without printing the trace again', () => {
    const KiB = 1024;
    const a = new TraceAssembler({ quietMs: 100, maxTraceBytes: 100 * KiB });
    a.add(spansOf(1, 2, { attributeChars: 20 * KiB }), 0);
    expect(a.due(100)[0]!.spans).toHaveLength(2);
    a.add(spansOf(1, 1, { from: 2, root: false, attributeChars: 20 * KiB }), 200);
    expect(a.dropped).toBe(1);
    expect(a.size).toBe(0);
    expect(a.due(1000)).toEqual([]);
  });
});
