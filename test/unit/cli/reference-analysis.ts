// The dev receiver's analysis as it was before it was made linear (commit cfe2597): recursive, O(n²) in the worst
// case, and the definition of the right answer. The bounds tests check that the current code gives exactly these
// results on ordinary traces; never use it on large ones.
import type { TraceNode, TraceTree } from '../../../src/cli/dev/build-trace-tree.js';
import type { DevSpan } from '../../../src/cli/dev/dev-span.js';

const byStart = (a: TraceNode, b: TraceNode): number => a.start - b.start || a.end - b.end || (a.span.spanId < b.span.spanId ? -1 : 1);

function shift(node: TraceNode, delta: number): void {
  const stack = [node];
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    n.start += delta;
    n.end += delta;
    for (const c of n.children) stack.push(c);
  }
}

export function referenceTraceTree(spans: readonly DevSpan[]): TraceTree {
  const byId = new Map<string, TraceNode>();
  let min: bigint | undefined;
  for (const s of spans) if (min === undefined || s.startNs < min) min = s.startNs;
  const origin = min ?? 0n;
  for (const span of spans) {
    if (byId.has(span.spanId)) continue;
    const start = Number(span.startNs - origin);
    const end = Math.max(start, Number(span.endNs - origin));
    byId.set(span.spanId, { span, children: [], parent: undefined, depth: 0, start, end, skew: 0, parentMissing: false });
  }
  const all = [...byId.values()];
  for (const node of all) {
    const parentId = node.span.parentSpanId;
    if (parentId === '') continue;
    const parent = byId.get(parentId);
    if (parent === undefined || parent === node) node.parentMissing = true;
    else {
      node.parent = parent;
      parent.children.push(node);
    }
  }
  const roots = all.filter((n) => n.parent === undefined);
  const reached = new Set<TraceNode>();
  const mark = (root: TraceNode): void => {
    const stack = [root];
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      if (reached.has(n)) continue;
      reached.add(n);
      for (const c of n.children) stack.push(c);
    }
  };
  for (const r of roots) mark(r);
  for (const node of all.sort(byStart)) {
    if (reached.has(node)) continue;
    const parent = node.parent!;
    parent.children.splice(parent.children.indexOf(node), 1);
    node.parent = undefined;
    node.parentMissing = true;
    roots.push(node);
    mark(node);
  }
  const nodes: TraceNode[] = [];
  roots.sort((a, b) => Number(a.parentMissing) - Number(b.parentMissing) || byStart(a, b));
  const fitIntoParent = (node: TraceNode, parent: TraceNode): void => {
    if (parent.span.service === node.span.service || (node.start >= parent.start && node.end <= parent.end)) return;
    const length = node.end - node.start;
    const parentLength = parent.end - parent.start;
    const target = length <= parentLength ? parent.start + (parentLength - length) / 2 : parent.start;
    node.skew = target - node.start;
    shift(node, node.skew);
  };
  const visit = (node: TraceNode, depth: number): void => {
    node.depth = depth;
    nodes.push(node);
    for (const child of node.children) fitIntoParent(child, node);
    node.children.sort(byStart);
    for (const child of node.children) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  let first = Infinity;
  let last = 0;
  for (const n of nodes) first = Math.min(first, n.start);
  if (!Number.isFinite(first)) first = 0;
  const services: string[] = [];
  for (const n of nodes) {
    n.start -= first;
    n.end -= first;
    last = Math.max(last, n.end);
    if (!services.includes(n.span.service)) services.push(n.span.service);
  }
  return { traceId: spans[0]?.traceId ?? '', roots, nodes, services, duration: last };
}

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

export function referenceCriticalPath(tree: TraceTree): {
  nodes: Set<TraceNode>;
  selfTime: Map<TraceNode, number>;
  bottleneck: TraceNode | undefined;
} {
  const onPath = new Set<TraceNode>();
  const selfTime = new Map<TraceNode, number>();
  let root = tree.roots.find((r) => !r.parentMissing);
  if (root === undefined) for (const r of tree.roots) if (root === undefined || r.end - r.start > root.end - root.start) root = r;
  if (root === undefined) return { nodes: onPath, selfTime, bottleneck: undefined };
  walk(root, root.end, onPath, selfTime);
  let bottleneck: TraceNode | undefined;
  for (const node of onPath) if (bottleneck === undefined || selfTime.get(node)! > selfTime.get(bottleneck)!) bottleneck = node;
  return { nodes: onPath, selfTime, bottleneck };
}
