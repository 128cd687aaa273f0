import { describe, expect, it } from 'vitest';
import { TraceAssembler } from '../../../src/cli/trace-assembler.js';
import { shopTrace } from './hand-built.js';

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
});
