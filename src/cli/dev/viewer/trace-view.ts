import type { TraceNode, TraceTree } from '../build-trace-tree.js';
import type { AttrValue } from '../dev-span.js';
import { STATUS_CODE } from '../dev-span.js';
import type { CriticalPath } from '../find-critical-path.js';
import { flattenAttributes } from '../flatten-spans.js';

type Attributes = Readonly<Record<string, AttrValue>>;

/** An exception recorded on a span (its `exception` event), as the page shows it. @internal */
export interface ExceptionView {
  readonly type: string;
  readonly message: string;
  readonly stacktrace: string;
}

/** One row of the waterfall, with what the details panel shows. @internal */
export interface SpanView {
  readonly spanId: string;
  readonly parentSpanId: string;
  /** Index of the parent row, -1 for a root. */
  readonly parent: number;
  readonly depth: number;
  readonly childCount: number;
  readonly service: string;
  readonly name: string;
  readonly kind: number;
  /** Start after skew correction, ns since the trace started; duration ns. */
  readonly startNs: number;
  readonly durationNs: number;
  /** Where the bar is drawn, percent of the trace's duration (width at least 0.2 so that a 0-length span shows). */
  readonly offsetPct: number;
  readonly widthPct: number;
  /** How far skew correction moved the span, ns (0 when not moved). */
  readonly skewNs: number;
  readonly parentMissing: boolean;
  readonly critical: boolean;
  readonly bottleneck: boolean;
  /** Own time on the critical path, ns (0 off the path). */
  readonly selfNs: number;
  readonly error: boolean;
  readonly statusCode: number;
  readonly statusMessage: string;
  readonly attributes: Attributes;
  readonly resource: Attributes;
  readonly scope: string;
  readonly events: ReadonlyArray<{ readonly name: string; readonly offsetNs: number; readonly attributes: Attributes }>;
  readonly links: ReadonlyArray<{ readonly traceId: string; readonly spanId: string; readonly attributes: Attributes }>;
  readonly exception?: ExceptionView;
}

/** One trace as the page's trace view shows it. @internal */
export interface TraceView {
  readonly traceId: string;
  readonly durationNs: number;
  readonly startMs: number;
  /** `traceparent` of the root span (sampled), for copying. */
  readonly traceparent: string;
  readonly spans: readonly SpanView[];
  /** Row index of the bottleneck, -1 when none. */
  readonly bottleneck: number;
  readonly services: readonly string[];
}

const MIN_WIDTH_PCT = 0.2;

function exceptionOf(events: SpanView['events']): ExceptionView | undefined {
  const event = events.find((e) => e.name === 'exception');
  if (event === undefined) return undefined;
  const text = (key: string): string => {
    const value = event.attributes[key];
    return typeof value === 'string' ? value : '';
  };
  return { type: text('exception.type'), message: text('exception.message'), stacktrace: text('exception.stacktrace') };
}

/** Offset and width of a bar, percent of the trace: a 0-length trace fills the row; a bar never passes 100. */
function barOf(start: number, end: number, duration: number): { offsetPct: number; widthPct: number } {
  if (duration <= 0) return { offsetPct: 0, widthPct: 100 };
  const offsetPct = Math.min((start / duration) * 100, 100 - MIN_WIDTH_PCT);
  const widthPct = Math.min(Math.max(MIN_WIDTH_PCT, ((end - start) / duration) * 100), 100 - offsetPct);
  return { offsetPct, widthPct };
}

function spanView(node: TraceNode, index: Map<TraceNode, number>, path: CriticalPath, duration: number): SpanView {
  const span = node.span;
  const source = span.source;
  // Events with their time from the OTLP source; a span built without one (tests) has them without time.
  const events =
    source === undefined
      ? span.events.map((e) => ({ name: e.name, offsetNs: node.start, attributes: e.attributes }))
      : source.span.events.map((e) => ({
          name: e.name,
          offsetNs: Number(BigInt(e.timeUnixNano) - span.startNs) + node.start,
          attributes: flattenAttributes(e.attributes),
        }));
  const exception = exceptionOf(events);
  return {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    parent: node.parent === undefined ? -1 : index.get(node.parent)!,
    depth: node.depth,
    childCount: node.children.length,
    service: span.service,
    name: span.name,
    kind: span.kind,
    startNs: node.start,
    durationNs: node.end - node.start,
    ...barOf(node.start, node.end, duration),
    skewNs: node.skew,
    parentMissing: node.parentMissing,
    critical: path.nodes.has(node),
    bottleneck: path.bottleneck === node,
    selfNs: path.selfTime.get(node) ?? 0,
    error: span.statusCode === STATUS_CODE.ERROR,
    statusCode: span.statusCode,
    statusMessage: span.statusMessage,
    attributes: span.attributes,
    resource: source === undefined ? { 'service.name': span.service } : flattenAttributes(source.resource.attributes),
    scope: source?.scope.name ?? '',
    events,
    links: (source?.span.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: flattenAttributes(l.attributes) })),
    ...(exception !== undefined ? { exception } : {}),
  };
}

/**
 * The trace view of one trace: its spans in waterfall order (depth first, children by start) with the bar's offset
 * and width in percent of the trace, the skew correction applied, the critical path and the bottleneck from
 * {@link findCriticalPath} (the terminal's algorithm), and each span's details. Pure. @internal
 *
 * @example
 * ```ts
 * const tree = buildTraceTree(spans);
 * const view = traceView(tree, findCriticalPath(tree), 1733236800000);
 * ```
 */
export function traceView(tree: TraceTree, path: CriticalPath, startMs: number): TraceView {
  const index = new Map<TraceNode, number>();
  tree.nodes.forEach((node, i) => index.set(node, i));
  const root = tree.roots[0];
  return {
    traceId: tree.traceId,
    durationNs: tree.duration,
    startMs,
    traceparent: root === undefined ? '' : `00-${tree.traceId}-${root.span.spanId}-01`,
    spans: tree.nodes.map((node) => spanView(node, index, path, tree.duration)),
    bottleneck: path.bottleneck === undefined ? -1 : index.get(path.bottleneck)!,
    services: tree.services,
  };
}
