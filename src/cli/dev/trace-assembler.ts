import type { DevSpan } from './dev-span.js';
import { estimateSpanBytes } from './estimate-span-bytes.js';

/** A trace ready to print. @internal */
export interface AssembledTrace {
  readonly traceId: string;
  readonly spans: readonly DevSpan[];
  /** Spans that arrived after the trace was already printed (0 the first time). */
  readonly late: number;
  /** True when the trace is released without its root span (waited `maxWaitMs`, or drained). */
  readonly rootMissing: boolean;
  /** True when the trace was released before it was complete, to make room for other traces. */
  readonly evicted: boolean;
}

/** Which limit of the assembler was reached. @internal */
export type AssemblerLimit =
  /** One trace reached `maxTraceSpans` or `maxTraceBytes`: its further spans are dropped. */
  | 'trace'
  /** The waiting traces reached `maxPendingSpans` or `maxPendingBytes`: the oldest was released early. */
  | 'evicted'
  /** A span could not be kept at all (nothing else to release). */
  | 'pending';

/** @internal */
export interface AssemblerOptions {
  /** A trace is complete once its root has arrived and no span came for this long, ms. Default 1000. */
  readonly quietMs?: number;
  /** A trace whose root never arrives is released this long after its first span, ms. Default 30000. */
  readonly maxWaitMs?: number;
  /** Printed traces remembered so late spans can be grouped with them. Default 500. */
  readonly rememberTraces?: number;
  /** Estimated bytes of the printed traces remembered; the oldest are forgotten beyond it. Default 32 MiB. */
  readonly maxRememberedBytes?: number;
  /** Spans held in traces not yet printed; beyond it the oldest trace is released early. Default 100000. */
  readonly maxPendingSpans?: number;
  /** Estimated bytes held in traces not yet printed; beyond it the oldest trace is released early. Default 128 MiB. */
  readonly maxPendingBytes?: number;
  /** Spans one trace may hold: its fair share; more are dropped and counted. Default 10000. */
  readonly maxTraceSpans?: number;
  /** Estimated bytes one trace may hold; more are dropped and counted. Default 32 MiB. */
  readonly maxTraceBytes?: number;
  /** Told when a limit is reached, with the trace concerned (not called for every span). */
  readonly onLimit?: (limit: AssemblerLimit, traceId: string) => void;
}

interface Pending {
  spans: DevSpan[];
  ids: Set<string>;
  bytes: number;
  firstSeen: number;
  lastSeen: number;
  hasRoot: boolean;
  /** Spans already printed before this entry was opened again by late spans. */
  printedBefore: number;
  /** The trace reached its own limit (reported once). */
  capped: boolean;
}

const MiB = 1024 * 1024;
const noLimitListener = (): void => undefined;

/**
 * Groups incoming spans by trace and decides when a trace is complete: its root span has arrived and a quiet
 * period has passed with no new span for it. Spans arriving after their trace was printed are grouped with the
 * trace's earlier spans and released again as an update. Time is passed in, so it is deterministic and testable.
 *
 * Bounded in spans and in (estimated) bytes, and fair: one trace holds at most `maxTraceSpans` spans and
 * `maxTraceBytes` bytes (the rest are dropped and counted in `dropped`), so a trace that never ends cannot fill the
 * waiting room; when the waiting traces together reach `maxPendingSpans` or `maxPendingBytes`, the oldest is
 * released early, marked `evicted` (counted in `evicted`), so that new traces are still printed. Printed traces are
 * remembered up to `rememberTraces` and `maxRememberedBytes`. @internal
 *
 * @example
 * ```ts
 * const assembler = new TraceAssembler({ quietMs: 500 });
 * assembler.add(spans, Date.now());
 * for (const trace of assembler.due(Date.now())) print(trace);
 * ```
 */
export class TraceAssembler {
  /** Spans dropped because their trace, or the waiting room, was full. */
  dropped = 0;
  /** Traces released early to make room for others. */
  evicted = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly printed = new Map<string, Pending>();
  private readonly released: AssembledTrace[] = [];
  private pendingSpans = 0;
  private pendingBytes = 0;
  private rememberedBytes = 0;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private readonly rememberTraces: number;
  private readonly maxRememberedBytes: number;
  private readonly maxPendingSpans: number;
  private readonly maxPendingBytes: number;
  private readonly maxTraceSpans: number;
  private readonly maxTraceBytes: number;
  private readonly onLimit: (limit: AssemblerLimit, traceId: string) => void;

  constructor(options: AssemblerOptions = {}) {
    this.quietMs = options.quietMs ?? 1000;
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
    this.rememberTraces = options.rememberTraces ?? 500;
    this.maxRememberedBytes = options.maxRememberedBytes ?? 32 * MiB;
    this.maxPendingSpans = options.maxPendingSpans ?? 100_000;
    this.maxPendingBytes = options.maxPendingBytes ?? 128 * MiB;
    this.maxTraceSpans = options.maxTraceSpans ?? 10_000;
    this.maxTraceBytes = options.maxTraceBytes ?? 32 * MiB;
    this.onLimit = options.onLimit ?? noLimitListener;
  }

  /** Number of traces waiting to be released. */
  get size(): number {
    return this.pending.size;
  }

  /** Estimated bytes held: waiting traces and remembered printed ones. */
  get bytes(): number {
    return this.pendingBytes + this.rememberedBytes;
  }

  add(spans: readonly DevSpan[], now: number): void {
    const sizes = estimateSpanBytes(spans);
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      const size = sizes[i]!;
      const entry = this.pending.get(span.traceId) ?? this.open(span.traceId, span.spanId, size, now);
      if (entry === undefined || entry.ids.has(span.spanId)) continue;
      if (entry.spans.length >= this.maxTraceSpans || entry.bytes + size > this.maxTraceBytes) {
        this.dropped++;
        if (!entry.capped) {
          entry.capped = true;
          this.onLimit('trace', span.traceId);
        }
        if (entry.spans.length === 0) this.pending.delete(span.traceId);
        continue;
      }
      if (!this.makeRoom(size, entry)) {
        this.dropped++;
        this.onLimit('pending', span.traceId);
        if (entry.spans.length === 0) this.pending.delete(span.traceId);
        continue;
      }
      entry.ids.add(span.spanId);
      entry.spans.push(span);
      entry.bytes += size;
      entry.lastSeen = now;
      if (span.parentSpanId === '') entry.hasRoot = true;
      this.pendingSpans++;
      this.pendingBytes += size;
    }
  }

  /** Traces complete at `now` (root received and quiet for `quietMs`, or waiting longer than `maxWaitMs`), and those evicted. */
  due(now: number): AssembledTrace[] {
    const out = this.released.splice(0);
    for (const [traceId, entry] of this.pending) {
      const quiet = now - entry.lastSeen >= this.quietMs;
      if ((entry.hasRoot && quiet) || (quiet && now - entry.firstSeen >= this.maxWaitMs)) out.push(this.release(traceId, entry, false));
    }
    return out;
  }

  /** Every waiting trace, complete or not (at shutdown). */
  drain(): AssembledTrace[] {
    const out = this.released.splice(0);
    for (const [traceId, entry] of this.pending) out.push(this.release(traceId, entry, false));
    return out;
  }

  /**
   * The entry for a trace not waiting yet: new, or the printed trace opened again for a late span. Undefined when
   * the span is a retried export of a printed span, or the printed trace is already at its limit.
   */
  private open(traceId: string, spanId: string, size: number, now: number): Pending | undefined {
    const earlier = this.printed.get(traceId);
    if (earlier?.ids.has(spanId)) return undefined;
    if (earlier !== undefined && (earlier.spans.length >= this.maxTraceSpans || earlier.bytes + size > this.maxTraceBytes)) {
      this.dropped++;
      return undefined;
    }
    const entry: Pending = {
      spans: [],
      ids: new Set(),
      bytes: 0,
      firstSeen: now,
      lastSeen: now,
      hasRoot: false,
      printedBefore: 0,
      capped: false,
    };
    if (earlier !== undefined) {
      // Copied: the arrays of the trace already handed out must not change under whoever printed it.
      this.printed.delete(traceId);
      this.rememberedBytes -= earlier.bytes;
      entry.spans = earlier.spans.slice();
      entry.ids = new Set(earlier.ids);
      entry.bytes = earlier.bytes;
      entry.hasRoot = earlier.hasRoot;
      entry.printedBefore = earlier.spans.length;
      this.pendingSpans += earlier.spans.length;
      this.pendingBytes += earlier.bytes;
    }
    this.pending.set(traceId, entry);
    return entry;
  }

  /** Releases the oldest waiting traces (never `keep`) until one more span of `size` bytes fits. */
  private makeRoom(size: number, keep: Pending): boolean {
    while (this.pendingSpans + 1 > this.maxPendingSpans || this.pendingBytes + size > this.maxPendingBytes) {
      let victim: string | undefined;
      for (const [traceId, entry] of this.pending) {
        if (entry !== keep) {
          victim = traceId;
          break;
        }
      }
      if (victim === undefined) return false;
      this.evicted++;
      this.onLimit('evicted', victim);
      this.released.push(this.release(victim, this.pending.get(victim)!, true));
    }
    return true;
  }

  private release(traceId: string, entry: Pending, evicted: boolean): AssembledTrace {
    this.pending.delete(traceId);
    this.pendingSpans -= entry.spans.length;
    this.pendingBytes -= entry.bytes;
    // An evicted trace is not remembered: its later spans start a new entry instead of bringing it all back.
    if (!evicted) {
      this.printed.set(traceId, entry);
      this.rememberedBytes += entry.bytes;
      while (this.printed.size > this.rememberTraces || this.rememberedBytes > this.maxRememberedBytes) {
        const [oldest, forgotten] = this.printed.entries().next().value!;
        this.printed.delete(oldest);
        this.rememberedBytes -= forgotten.bytes;
      }
    }
    const late = entry.printedBefore > 0 ? entry.spans.length - entry.printedBefore : 0;
    return { traceId, spans: entry.spans, late, rootMissing: !entry.hasRoot, evicted };
  }
}
