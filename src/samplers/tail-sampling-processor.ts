import { ROOT_CONTEXT, SpanStatusCode, type Context } from '@opentelemetry/api';
import { SamplingDecision, TraceIdRatioBasedSampler, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { debug, warn } from '../internal/log.js';
import type { MonotonicClock } from './rate-limiting-sampler.js';

/** The resolved settings of {@link tailSampling}. @internal */
export interface TailSamplingSettings {
  readonly keepErrors: boolean;
  readonly slowerThanMs: number;
  readonly otherwise: number;
  readonly maxTraces: number;
  readonly maxSpans: number;
  readonly maxAgeMs: number;
  readonly clock: MonotonicClock;
}

/** What the tail-sampling stage has done since start, from {@link TailSampler.stats}. */
export interface TailSamplingStats {
  /** Local traces kept and passed on to the exporters. */
  keptTraces: number;
  /** Local traces dropped by the decision (error-free, fast, and not picked by the `otherwise` ratio). */
  droppedTraces: number;
  /** Spans of the dropped traces, including spans that ended after their trace was decided. */
  droppedSpans: number;
  /** Traces decided before their root ended because `maxTraces` or `maxSpans` was reached. */
  overflowTraces: number;
  /** Traces decided before their root ended because they were held longer than `maxAgeMs`. */
  expiredTraces: number;
  /** Traces waiting for their local root span to end. */
  pendingTraces: number;
  /** Ended spans held in memory, waiting for their trace's decision. */
  heldSpans: number;
}

interface PendingTrace {
  readonly spans: ReadableSpan[];
  readonly bornAt: number;
  /** Spans of this trace started here and not yet ended. */
  open: number;
  /** Of those, the local roots: the trace is decided when the last one ends. */
  openRoots: number;
  error: boolean;
  slow: boolean;
}

const NANOS_PER_MS = 1e6;

/** A span whose parent is absent or in another process: where this service's part of a trace starts. */
function isLocalRoot(span: ReadableSpan): boolean {
  const parent = span.parentSpanContext;
  return parent === undefined || parent.isRemote === true;
}

function durationMs(span: ReadableSpan): number {
  return span.duration[0] * 1000 + span.duration[1] / NANOS_PER_MS;
}

/**
 * Holds the ended spans of each local trace until its local root span(s) end, then passes the whole
 * trace on to `next` (the exporting processors) or drops it. Memory is bounded by `maxTraces`, `maxSpans`
 * and `maxAgeMs`; a trace pushed out early is decided on what is known by then. @internal
 */
export class TailSamplingProcessor implements SpanProcessor {
  private readonly pending = new Map<string, PendingTrace>();
  /** Recent decisions, for spans that end after their trace was decided; the oldest is forgotten first. */
  private readonly decided = new Map<string, boolean>();
  private readonly decidedOrder: Array<string | undefined>;
  private decidedNext = 0;
  private readonly ratio: TraceIdRatioBasedSampler;
  private readonly sweepEveryMs: number;
  private readonly counts: Omit<TailSamplingStats, 'pendingTraces' | 'heldSpans'> = {
    keptTraces: 0,
    droppedTraces: 0,
    droppedSpans: 0,
    overflowTraces: 0,
    expiredTraces: 0,
  };
  private held = 0;
  private lastSweep: number;
  private timer: NodeJS.Timeout | undefined;
  private reportedOverflow = false;
  private stopped = false;

  constructor(
    private readonly settings: TailSamplingSettings,
    private readonly next: readonly SpanProcessor[],
  ) {
    this.ratio = new TraceIdRatioBasedSampler(settings.otherwise);
    this.decidedOrder = new Array<string | undefined>(settings.maxTraces).fill(undefined);
    this.sweepEveryMs = Math.min(1000, Math.max(1, settings.maxAgeMs / 4));
    this.lastSweep = settings.clock();
    this.onTimer = this.onTimer.bind(this);
  }

  onStart(span: Span, parentContext: Context): void {
    for (let i = 0; i < this.next.length; i++) this.next[i]!.onStart(span, parentContext);
    if (this.stopped) return;
    const traceId = span.spanContext().traceId;
    let entry = this.pending.get(traceId);
    if (entry === undefined) {
      // A span of a trace decided while some of its spans were open follows that decision.
      if (this.decided.has(traceId)) return;
      entry = this.entry(traceId);
    }
    entry.open++;
    if (isLocalRoot(span)) entry.openRoots++;
  }

  onEnd(span: ReadableSpan): void {
    if (this.stopped) return;
    const traceId = span.spanContext().traceId;
    let entry = this.pending.get(traceId);
    if (entry === undefined) {
      const decision = this.decided.get(traceId);
      if (decision !== undefined) {
        if (decision) this.forward(span);
        else this.counts.droppedSpans++;
        return;
      }
      // Started before this stage saw it (or its decision was forgotten): held like any other.
      entry = this.entry(traceId);
    }
    entry.spans.push(span);
    entry.open--;
    this.held++;
    if (span.status.code === SpanStatusCode.ERROR) entry.error = true;
    if (isLocalRoot(span)) {
      if (durationMs(span) > this.settings.slowerThanMs) entry.slow = true;
      entry.openRoots--;
      if (entry.openRoots <= 0) this.decide(traceId, entry);
    }
    while (this.held > this.settings.maxSpans) this.evictOldest();
    if (this.settings.clock() - this.lastSweep >= this.sweepEveryMs) this.sweep();
  }

  forceFlush(): Promise<void> {
    return Promise.all(this.next.map((p) => p.forceFlush())).then(() => undefined);
  }

  /** Decides every pending trace on what is known (its roots are still open), then shuts the exporters down. */
  shutdown(): Promise<void> {
    if (!this.stopped) {
      for (const [traceId, entry] of this.pending) this.decide(traceId, entry);
      this.stopped = true;
      this.decided.clear();
      this.decidedOrder.fill(undefined);
      if (this.timer !== undefined) clearInterval(this.timer);
      this.timer = undefined;
    }
    return Promise.all(this.next.map((p) => p.shutdown())).then(() => undefined);
  }

  stats(): TailSamplingStats {
    return { ...this.counts, pendingTraces: this.pending.size, heldSpans: this.held };
  }

  /** Decides traces held longer than maxAgeMs. */
  sweep(): void {
    const now = this.settings.clock();
    this.lastSweep = now;
    const oldest = now - this.settings.maxAgeMs;
    const expiredBefore = this.counts.expiredTraces;
    for (const [traceId, entry] of this.pending) {
      if (entry.bornAt > oldest) break;
      this.counts.expiredTraces++;
      this.decide(traceId, entry);
    }
    if (this.pending.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    const expired = this.counts.expiredTraces - expiredBefore;
    if (expired > 0) debug(`tail sampling: ${expired} trace(s) decided after ${this.settings.maxAgeMs} ms without their root span ending`);
  }

  private onTimer(): void {
    this.sweep();
  }

  private entry(traceId: string): PendingTrace {
    let entry = this.pending.get(traceId);
    if (entry === undefined) {
      if (this.pending.size >= this.settings.maxTraces) this.evictOldest();
      entry = { spans: [], bornAt: this.settings.clock(), open: 0, openRoots: 0, error: false, slow: false };
      this.pending.set(traceId, entry);
      if (this.timer === undefined) {
        this.timer = setInterval(this.onTimer, this.sweepEveryMs);
        this.timer.unref();
      }
    }
    return entry;
  }

  private evictOldest(): void {
    for (const [traceId, entry] of this.pending) {
      this.counts.overflowTraces++;
      this.decide(traceId, entry);
      if (!this.reportedOverflow) {
        this.reportedOverflow = true;
        warn(
          `tail sampling holds more than ${this.settings.maxTraces} traces or ${this.settings.maxSpans} spans; the oldest traces are decided before their root span ends ` +
            '(kept if they had an error so far, else by the `otherwise` ratio). Raise tailSampling({ maxTraces, maxSpans }) or sample in the Collector. ' +
            'Counts are in TailSampler.stats().',
        );
      }
      return;
    }
  }

  private decide(traceId: string, entry: PendingTrace): void {
    const s = this.settings;
    const keep =
      (s.keepErrors && entry.error) ||
      entry.slow ||
      this.ratio.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
    this.pending.delete(traceId);
    this.held -= entry.spans.length;
    if (keep) {
      this.counts.keptTraces++;
      for (let i = 0; i < entry.spans.length; i++) this.forward(entry.spans[i]!);
    } else {
      this.counts.droppedTraces++;
      this.counts.droppedSpans += entry.spans.length;
    }
    // Remembered only while spans of the trace are still open here: they follow the decision when they end.
    if (entry.open <= 0) return;
    const forgotten = this.decidedOrder[this.decidedNext];
    if (forgotten !== undefined) this.decided.delete(forgotten);
    this.decidedOrder[this.decidedNext] = traceId;
    this.decidedNext = (this.decidedNext + 1) % s.maxTraces;
    this.decided.set(traceId, keep);
  }

  private forward(span: ReadableSpan): void {
    for (let i = 0; i < this.next.length; i++) this.next[i]!.onEnd(span);
  }
}
