import type { DevSpan } from './dev-span.js';

/** A trace ready to print. @internal */
export interface AssembledTrace {
  readonly traceId: string;
  readonly spans: readonly DevSpan[];
  /** Spans that arrived after the trace was already printed (0 the first time). */
  readonly late: number;
  /** True when the trace is released without its root span (waited `maxWaitMs`, or drained). */
  readonly rootMissing: boolean;
}

/** @internal */
export interface AssemblerOptions {
  /** A trace is complete once its root has arrived and no span came for this long, ms. Default 1000. */
  readonly quietMs?: number;
  /** A trace whose root never arrives is released this long after its first span, ms. Default 30000. */
  readonly maxWaitMs?: number;
  /** Printed traces remembered so late spans can be grouped with them. Default 500. */
  readonly rememberTraces?: number;
  /** Spans held in traces not yet printed; more are dropped and counted. Default 100000. */
  readonly maxPendingSpans?: number;
}

interface Pending {
  spans: DevSpan[];
  ids: Set<string>;
  firstSeen: number;
  lastSeen: number;
  hasRoot: boolean;
  /** Spans already printed before this entry was opened again by late spans. */
  printedBefore: number;
}

/**
 * Groups incoming spans by trace and decides when a trace is complete: its root span has arrived and a quiet
 * period has passed with no new span for it. Spans arriving after their trace was printed are grouped with the
 * trace's earlier spans and released again as an update. Time is passed in, so it is deterministic and testable.
 * Bounded: at most `maxPendingSpans` spans wait, the rest are counted in `dropped`. @internal
 *
 * @example
 * ```ts
 * const assembler = new TraceAssembler({ quietMs: 500 });
 * assembler.add(spans, Date.now());
 * for (const trace of assembler.due(Date.now())) print(trace);
 * ```
 */
export class TraceAssembler {
  /** Spans dropped because `maxPendingSpans` was reached. */
  dropped = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly printed = new Map<string, DevSpan[]>();
  private pendingSpans = 0;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private readonly rememberTraces: number;
  private readonly maxPendingSpans: number;

  constructor(options: AssemblerOptions = {}) {
    this.quietMs = options.quietMs ?? 1000;
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
    this.rememberTraces = options.rememberTraces ?? 500;
    this.maxPendingSpans = options.maxPendingSpans ?? 100_000;
  }

  /** Number of traces waiting to be released. */
  get size(): number {
    return this.pending.size;
  }

  add(spans: readonly DevSpan[], now: number): void {
    for (const span of spans) {
      let entry = this.pending.get(span.traceId);
      if (entry === undefined) {
        const earlier = this.printed.get(span.traceId);
        if (earlier?.some((s) => s.spanId === span.spanId)) continue; // a retried export of a printed span
        if (this.pendingSpans >= this.maxPendingSpans) {
          this.dropped++;
          continue;
        }
        entry = { spans: [], ids: new Set(), firstSeen: now, lastSeen: now, hasRoot: false, printedBefore: 0 };
        if (earlier !== undefined) {
          this.printed.delete(span.traceId);
          for (const s of earlier) {
            entry.spans.push(s);
            entry.ids.add(s.spanId);
            if (s.parentSpanId === '') entry.hasRoot = true;
          }
          this.pendingSpans += earlier.length;
          entry.printedBefore = earlier.length;
        }
        this.pending.set(span.traceId, entry);
      }
      if (entry.ids.has(span.spanId)) continue;
      if (this.pendingSpans >= this.maxPendingSpans) {
        this.dropped++;
        continue;
      }
      entry.ids.add(span.spanId);
      entry.spans.push(span);
      entry.lastSeen = now;
      if (span.parentSpanId === '') entry.hasRoot = true;
      this.pendingSpans++;
    }
  }

  /** Traces complete at `now`: root received and quiet for `quietMs`, or waiting longer than `maxWaitMs`. */
  due(now: number): AssembledTrace[] {
    const out: AssembledTrace[] = [];
    for (const [traceId, entry] of this.pending) {
      const quiet = now - entry.lastSeen >= this.quietMs;
      if ((entry.hasRoot && quiet) || (quiet && now - entry.firstSeen >= this.maxWaitMs)) out.push(this.release(traceId, entry));
    }
    return out;
  }

  /** Every waiting trace, complete or not (at shutdown). */
  drain(): AssembledTrace[] {
    const out: AssembledTrace[] = [];
    for (const [traceId, entry] of this.pending) out.push(this.release(traceId, entry));
    return out;
  }

  private release(traceId: string, entry: Pending): AssembledTrace {
    this.pending.delete(traceId);
    this.pendingSpans -= entry.spans.length;
    this.printed.set(traceId, entry.spans);
    if (this.printed.size > this.rememberTraces) this.printed.delete(this.printed.keys().next().value!);
    return { traceId, spans: entry.spans, late: entry.printedBefore > 0 ? entry.spans.length - entry.printedBefore : 0, rootMissing: !entry.hasRoot };
  }
}
