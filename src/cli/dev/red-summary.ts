import type { TraceNode, TraceTree } from './build-trace-tree.js';
import { SPAN_KIND, STATUS_CODE } from './dev-span.js';
import { terminalText } from '../terminal/terminal-text.js';

/** Request count, errors and latency percentiles of one service or operation. @internal */
export interface RedRow {
  readonly service: string;
  /** The operation (span name); empty in per-service rows. */
  readonly operation: string;
  readonly requests: number;
  readonly errors: number;
  /** Latency percentiles, ns (nearest rank). */
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** One edge of the service dependency graph. @internal */
export interface DependencyEdge {
  readonly caller: string;
  readonly callee: string;
  readonly calls: number;
  /** Calls whose span (the callee's) has status ERROR. */
  readonly errors: number;
}

/** @internal */
export interface RedReport {
  readonly traces: number;
  readonly spans: number;
  readonly services: readonly RedRow[];
  readonly operations: readonly RedRow[];
  readonly dependencies: readonly DependencyEdge[];
}

const MAX_SAMPLES = 10_000;
const REMEMBERED_TRACES = 1000;
/** Services and operations are kept as printed and at most this long, so a huge name costs bounded memory. */
const MAX_NAME = 256;
/** What String#localeCompare does without arguments, without building a collator per comparison. */
const collator = new Intl.Collator();
/** Span ids remembered over all remembered traces (so a trace printed again counts only its new spans). */
const REMEMBERED_SPANS = 200_000;
/** Rows kept; beyond them, new services, operations and edges are counted together in one "(other …)" row. */
const MAX_SERVICES = 100;
const MAX_OPERATIONS = 1000;
const MAX_EDGES = 1000;
/** The row where what is beyond the limits above is counted. */
const OTHER_SERVICES = '(other services)';
const OTHER_OPERATIONS = '(other operations)';
const OTHER_EDGE = `${OTHER_SERVICES}\u0000${OTHER_SERVICES}\u0000`;

class Series {
  requests = 0;
  errors = 0;
  readonly samples: number[] = [];
  constructor(
    readonly service: string,
    readonly operation: string,
  ) {}

  add(durationNs: number, error: boolean): void {
    this.requests++;
    if (error) this.errors++;
    // Reservoir sampling keeps the percentiles' memory bounded on long sessions; counts stay exact.
    if (this.samples.length < MAX_SAMPLES) this.samples.push(durationNs);
    else {
      const slot = Math.floor(Math.random() * this.requests);
      if (slot < MAX_SAMPLES) this.samples[slot] = durationNs;
    }
  }

  row(): RedRow {
    const sorted = this.samples.slice().sort((a, b) => a - b);
    const rank = (p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
    return {
      service: this.service,
      operation: this.operation,
      requests: this.requests,
      errors: this.errors,
      p50: rank(50),
      p95: rank(95),
      p99: rank(99),
    };
  }
}

/** A request in RED terms: where a service is entered (server/consumer spans, roots, calls from another service). */
/** The series of `key`, created while the map has room; beyond `max` entries, the series of (otherService, otherOperation). */
function seriesOf(
  map: Map<string, Series>,
  key: string,
  max: number,
  service: string,
  operation: string,
  otherService: string,
  otherOperation: string,
): Series {
  let s = map.get(key);
  if (s !== undefined) return s;
  if (map.size >= max) {
    const otherKey = `${otherService}\u0000${otherOperation}\u0000`;
    s = map.get(otherKey);
    if (s === undefined) map.set(otherKey, (s = new Series(otherService, otherOperation)));
    return s;
  }
  map.set(key, (s = new Series(service, operation)));
  return s;
}

function isEntry(node: TraceNode): boolean {
  const kind = node.span.kind;
  return (
    node.parent === undefined || kind === SPAN_KIND.SERVER || kind === SPAN_KIND.CONSUMER || node.parent.span.service !== node.span.service
  );
}

/**
 * RED metrics from spans, per service and per operation (requests, error rate, p50/p95/p99 latency), and the
 * service dependency graph with call counts. Traces are added as they complete; a trace added again with late
 * spans only counts its new spans (while it is among the last 1000 traces and 200000 span ids remembered). Bounded
 * memory, whatever the senders: names are kept as printed (control characters escaped, at most 256 characters), at
 * most 100 services, 1000 operations and 1000 edges get rows of their own, the rest are counted in
 * "(other services)" / "(other operations)" rows, and percentiles come from a reservoir of samples. @internal
 *
 * @example
 * ```ts
 * const red = new RedSummary();
 * red.addTrace(buildTraceTree(spans));
 * console.log(renderSummary(red.report(), { paint }));
 * ```
 */
export class RedSummary {
  private readonly services = new Map<string, Series>();
  private readonly operations = new Map<string, Series>();
  private readonly edges = new Map<string, { caller: string; callee: string; calls: number; errors: number }>();
  private readonly counted = new Map<string, Set<string>>();
  private countedSpans = 0;
  private traces = 0;
  private spans = 0;

  addTrace(tree: TraceTree): void {
    let seen = this.counted.get(tree.traceId);
    if (seen === undefined) {
      seen = new Set();
      this.counted.set(tree.traceId, seen);
      this.traces++;
    }
    for (const node of tree.nodes) {
      if (seen.has(node.span.spanId)) continue;
      seen.add(node.span.spanId);
      this.countedSpans++;
      this.spans++;
      const service = terminalText(node.span.service, MAX_NAME);
      const name = terminalText(node.span.name, MAX_NAME);
      if (node.parent !== undefined && node.parent.span.service !== node.span.service) {
        const caller = terminalText(node.parent.span.service, MAX_NAME);
        const key = `${caller}\u0000${service}`;
        let edge = this.edges.get(key);
        if (edge === undefined) {
          const room = this.edges.size < MAX_EDGES;
          edge =
            this.edges.get(room ? key : OTHER_EDGE) ??
            (room
              ? { caller, callee: service, calls: 0, errors: 0 }
              : { caller: OTHER_SERVICES, callee: OTHER_SERVICES, calls: 0, errors: 0 });
          this.edges.set(room ? key : OTHER_EDGE, edge);
        }
        edge.calls++;
        if (node.span.statusCode === STATUS_CODE.ERROR) edge.errors++;
      }
      if (!isEntry(node)) continue;
      const duration = node.end - node.start;
      const error = node.span.statusCode === STATUS_CODE.ERROR;
      const s = seriesOf(this.services, service, MAX_SERVICES, service, '', OTHER_SERVICES, '');
      s.add(duration, error);
      seriesOf(this.operations, `${service}\u0000${name}`, MAX_OPERATIONS, service, name, s.service, OTHER_OPERATIONS).add(duration, error);
    }
    this.forgetOldTraces();
  }

  /** Bounded: the oldest traces are forgotten beyond REMEMBERED_TRACES traces or REMEMBERED_SPANS span ids. */
  private forgetOldTraces(): void {
    while (this.counted.size > 1 && (this.counted.size > REMEMBERED_TRACES || this.countedSpans > REMEMBERED_SPANS)) {
      const [oldest, ids] = this.counted.entries().next().value!;
      this.counted.delete(oldest);
      this.countedSpans -= ids.size;
    }
  }

  report(): RedReport {
    const byName = (a: RedRow, b: RedRow): number => collator.compare(a.service, b.service) || collator.compare(a.operation, b.operation);
    return {
      traces: this.traces,
      spans: this.spans,
      services: [...this.services.values()].map((s) => s.row()).sort(byName),
      operations: [...this.operations.values()].map((s) => s.row()).sort(byName),
      dependencies: [...this.edges.values()]
        .map((e) => ({ ...e }))
        .sort((a, b) => collator.compare(a.caller, b.caller) || collator.compare(a.callee, b.callee)),
    };
  }
}
