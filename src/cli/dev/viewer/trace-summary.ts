import type { TraceTree } from '../build-trace-tree.js';
import { STATUS_CODE } from '../dev-span.js';

/** One row of the viewer's trace list. @internal */
export interface TraceSummary {
  readonly traceId: string;
  /** Service and operation of the root span (or of the earliest span when the root was not received). */
  readonly rootService: string;
  readonly rootName: string;
  /** Start of the trace, ms since the epoch. */
  readonly startMs: number;
  /** End-to-end duration after skew correction, ns. */
  readonly durationNs: number;
  readonly spanCount: number;
  readonly services: readonly string[];
  /** Spans with status ERROR. */
  readonly errorCount: number;
  readonly rootMissing: boolean;
}

/**
 * The list row of a trace: root service and operation, start, duration, span count, services, errors. Pure. @internal
 *
 * @example
 * ```ts
 * summarizeTrace(buildTraceTree(spans)).durationNs;
 * ```
 */
export function summarizeTrace(tree: TraceTree): TraceSummary {
  const root = tree.roots[0];
  let startNs: bigint | undefined;
  let errorCount = 0;
  for (const node of tree.nodes) {
    if (startNs === undefined || node.span.startNs < startNs) startNs = node.span.startNs;
    if (node.span.statusCode === STATUS_CODE.ERROR) errorCount++;
  }
  return {
    traceId: tree.traceId,
    rootService: root?.span.service ?? '',
    rootName: root?.span.name ?? '',
    startMs: Number((startNs ?? 0n) / 1_000_000n),
    durationNs: tree.duration,
    spanCount: tree.nodes.length,
    services: tree.services,
    errorCount,
    rootMissing: root === undefined || root.parentMissing,
  };
}
