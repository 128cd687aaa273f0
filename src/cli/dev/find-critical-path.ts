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

/** One span being walked: its children by start time, how far the walk got, and the self time counted so far. */
interface Frame {
  readonly node: TraceNode;
  readonly children: readonly TraceNode[];
  /** `reach[i]`: the latest end among `children[0..i]`. */
  readonly reach: readonly number[];
  /** Children before this index start before the cursor. */
  limit: number;
  cursor: number;
  self: number;
  done: boolean;
}

const byStartOnly = (a: TraceNode, b: TraceNode): number => a.start - b.start;

function frame(node: TraceNode, windowEnd: number): Frame {
  let children: readonly TraceNode[] = node.children;
  for (let i = 1; i < children.length; i++) {
    // buildTraceTree sorts children by start; a stable sort keeps the tie order of any other caller's array.
    if (children[i]!.start < children[i - 1]!.start) {
      children = children.slice().sort(byStartOnly);
      break;
    }
  }
  const reach = new Array<number>(children.length);
  let latest = -Infinity;
  for (let i = 0; i < children.length; i++) reach[i] = latest = Math.max(latest, children[i]!.end);
  return { node, children, reach, limit: children.length, cursor: Math.min(node.end, windowEnd), self: 0, done: false };
}

/**
 * The next child of `f` on the critical path, moving the cursor to its start; undefined when the walk of `f` is over.
 * Walking back from the cursor, it is the child that finished last before it (a child still running at the cursor
 * counts as finishing there; among equals the one that started first). Children are sorted by start, so the ones
 * starting before the cursor are a prefix, which only shrinks, and the first with `reach >= target` is found by
 * binary search: O(log n) per step instead of a scan of every child.
 */
function nextOnPath(f: Frame): { child: TraceNode; end: number } | undefined {
  if (f.done) return undefined;
  const { children, reach } = f;
  while (f.limit > 0 && children[f.limit - 1]!.start >= f.cursor) f.limit--;
  if (f.limit === 0) return undefined;
  const target = Math.min(reach[f.limit - 1]!, f.cursor);
  let low = 0;
  let high = f.limit - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (reach[mid]! >= target) high = mid;
    else low = mid + 1;
  }
  const child = children[low]!;
  f.self += f.cursor - target;
  f.cursor = Math.max(child.start, f.node.start);
  if (f.cursor <= f.node.start) f.done = true;
  return { child, end: target };
}

/**
 * Walks from `root` down the critical path: each span's window `[node.start, windowEnd]` is walked backwards from
 * its end, the child that finished last before the cursor is on the path (concurrent siblings that finished earlier
 * are not), the cursor moves to that child's start, and the gaps between are the span's own critical time. An
 * explicit stack instead of recursion, so a chain thousands of spans deep cannot overflow the call stack.
 */
function walk(root: TraceNode, onPath: Set<TraceNode>, selfTime: Map<TraceNode, number>): void {
  onPath.add(root);
  const stack = [frame(root, root.end)];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const next = nextOnPath(top);
    if (next === undefined) {
      top.self += Math.max(0, top.cursor - top.node.start);
      selfTime.set(top.node, top.self);
      stack.pop();
      continue;
    }
    onPath.add(next.child);
    stack.push(frame(next.child, next.end));
  }
}

/**
 * The critical path of a trace: the chain of spans that determined its end-to-end latency, found by walking back
 * from the end of the root through the last-finishing child at each step. The bottleneck is the span on that path
 * with the largest self time, i.e. the one whose own work (not its children's) cost the most. O(n log n) for n
 * spans, whatever the shape of the trace; no recursion. Pure. @internal
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
  walk(root, onPath, selfTime);
  let bottleneck: TraceNode | undefined;
  for (const node of onPath) if (bottleneck === undefined || selfTime.get(node)! > selfTime.get(bottleneck)!) bottleneck = node;
  return { nodes: onPath, selfTime, bottleneck };
}
