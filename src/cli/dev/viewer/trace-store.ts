import type { TraceTree } from '../build-trace-tree.js';
import { estimateSpanBytes } from '../estimate-span-bytes.js';
import { findCriticalPath } from '../find-critical-path.js';
import { matchesTraceFilter, type TraceFilter } from './trace-filter.js';
import { summarizeTrace, type TraceSummary } from './trace-summary.js';
import { traceView, type TraceView } from './trace-view.js';

/** Traces the viewer keeps by default (`--max-traces`). @internal */
export const DEFAULT_MAX_TRACES = 1000;

interface Stored {
  readonly tree: TraceTree;
  readonly summary: TraceSummary;
  readonly bytes: number;
}

/**
 * The viewer's traces: the last `maxTraces` completed traces and at most `maxBytes` of their spans (estimated), least
 * recently stored or viewed first out (LRU). A trace printed again with late spans replaces its earlier version.
 * Listeners hear each trace stored. @internal
 *
 * @example
 * ```ts
 * const store = new TraceStore(1000, 64 * 1024 * 1024);
 * store.add(buildTraceTree(spans));
 * store.list(parseTraceFilter(new URLSearchParams('errors=1')));
 * ```
 */
export class TraceStore {
  private readonly traces = new Map<string, Stored>();
  private bytes = 0;
  private readonly listeners = new Set<(summary: TraceSummary) => void>();
  /** Traces let go to stay within the bounds. */
  evicted = 0;

  constructor(
    readonly maxTraces: number,
    readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.traces.size;
  }

  /** Stores (or replaces) a completed trace, evicting the least recently used beyond the bounds, and tells the listeners. */
  add(tree: TraceTree): TraceSummary {
    this.remove(tree.traceId);
    const summary = summarizeTrace(tree);
    let bytes = 0;
    for (const b of estimateSpanBytes(tree.nodes.map((n) => n.span))) bytes += b;
    this.traces.set(tree.traceId, { tree, summary, bytes });
    this.bytes += bytes;
    while (this.traces.size > 1 && (this.traces.size > this.maxTraces || this.bytes > this.maxBytes)) {
      this.remove(this.traces.keys().next().value!);
      this.evicted++;
    }
    for (const listener of this.listeners) listener(summary);
    return summary;
  }

  /** The rows that pass `filter`, newest first (by start time), at most `filter.limit`; and how many passed in all. */
  list(filter: TraceFilter): { traces: TraceSummary[]; total: number } {
    const rows: TraceSummary[] = [];
    for (const { tree, summary } of this.traces.values()) if (matchesTraceFilter(summary, tree, filter)) rows.push(summary);
    rows.sort((a, b) => b.startMs - a.startMs || (a.traceId < b.traceId ? -1 : 1));
    return { traces: rows.slice(0, filter.limit), total: rows.length };
  }

  /** One trace's view (and marks it recently used); undefined when it is not (or no longer) held. */
  view(traceId: string): TraceView | undefined {
    const stored = this.traces.get(traceId);
    if (stored === undefined) return undefined;
    this.traces.delete(traceId);
    this.traces.set(traceId, stored);
    return traceView(stored.tree, findCriticalPath(stored.tree), stored.summary.startMs);
  }

  /** Calls `listener` with each trace stored from now on; returns the function that stops it. */
  subscribe(listener: (summary: TraceSummary) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private remove(traceId: string): void {
    const stored = this.traces.get(traceId);
    if (stored === undefined) return;
    this.traces.delete(traceId);
    this.bytes -= stored.bytes;
  }
}
