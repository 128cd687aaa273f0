import type { TraceNode, TraceTree } from './build-trace-tree.js';

/** @internal */
export interface CriticalPath {
  /** Spans on the critical path, from the root down, in the order they were found. */
  readonly nodes: ReadonlySet<TraceNode>;
  /** For each span on the path: the ns during which it was itself the critical work (no critical child running). */
  readonly selfTime: ReadonlyMap<TraceNode, number>;
  /** The span on the path with the largest self time; undefined for an empty trace. */
  readonly bottleneck: TraceNode | undefined;
}

/**
 * Walks one span's window `[node.start, windowEnd]` backwards from its end: the child that finished last before the
 * cursor is on the critical path (concurrent siblings that finished earlier are not), the cursor then moves to that
 * child's start, and the gaps between are the span's own critical time.
 */
function walk(node: TraceNode, windowEnd: number, onPath: Set<TraceNode>, selfTime: Map<TraceNode, number>): void {
  onPath.add(node);
  let cursor = Math.min(node.end, windowEnd);
  let self = 0;
  const pending = node.children.slice();
  for (;;) {
    let best: TraceNode | undefined;
    let bestEnd = -Infinity;
    let bestIndex = -1;
    for (let i = 0; i < pending.length; i++) {
      const c = pending[i]!;
      if (c.start >= cursor) continue;
      const end = Math.min(c.end, cursor);
      if (end > bestEnd || (end === bestEnd && best !== undefined && c.start < best.start)) {
        best = c;
        bestEnd = end;
        bestIndex = i;
      }
    }
    if (best === undefined) break;
    pending.splice(bestIndex, 1);
    self += cursor - bestEnd;
    walk(best, bestEnd, onPath, selfTime);
    cursor = Math.max(best.start, node.start);
    if (cursor <= node.start) break;
  }
  self += Math.max(0, cursor - node.start);
  selfTime.set(node, self);
}

/**
 * The critical path of a trace: the chain of spans that determined its end-to-end latency, found by walking back
 * from the end of the root through the last-finishing child at each step. The bottleneck is the span on that path
 * with the largest self time, i.e. the one whose own work (not its children's) cost the most. Pure. @internal
 *
 * @example
 * ```ts
 * const { bottleneck } = findCriticalPath(buildTraceTree(spans));
 * console.log(bottleneck?.span.name);
 * ```
 */
export function findCriticalPath(tree: TraceTree): CriticalPath {
  const onPath = new Set<TraceNode>();
  const selfTime = new Map<TraceNode, number>();
  // The real root when there is one; otherwise the orphan subtree that lasts longest.
  let root = tree.roots.find((r) => !r.parentMissing);
  if (root === undefined) for (const r of tree.roots) if (root === undefined || r.end - r.start > root.end - root.start) root = r;
  if (root === undefined) return { nodes: onPath, selfTime, bottleneck: undefined };
  walk(root, root.end, onPath, selfTime);
  let bottleneck: TraceNode | undefined;
  for (const node of onPath) if (bottleneck === undefined || selfTime.get(node)! > selfTime.get(bottleneck)!) bottleneck = node;
  return { nodes: onPath, selfTime, bottleneck };
}
