import { describe, expect, it } from 'vitest';
import { buildTraceTree } from '../../../src/cli/dev/build-trace-tree.js';
import { findCriticalPath } from '../../../src/cli/dev/find-critical-path.js';
import { shopTrace, span } from './hand-built.js';
import type { DevSpan } from '../../../src/cli/dev/dev-span.js';

function analyse(spans: DevSpan[]) {
  const tree = buildTraceTree(spans);
  const path = findCriticalPath(tree);
  const names = tree.nodes.filter((n) => path.nodes.has(n)).map((n) => n.span.name);
  const self = Object.fromEntries([...path.selfTime].map(([n, t]) => [n.span.name, Math.round(t / 1e4) / 100]));
  return { names, self, bottleneck: path.bottleneck?.span.name };
}

describe('findCriticalPath', () => {
  it('follows the seed trace to the database, which is the bottleneck by self time', () => {
    const { names, self, bottleneck } = analyse(shopTrace());
    expect(names).toEqual(['GET /api/users', 'GET /users', 'verify', 'GET /users/:id', 'SELECT users']);
    expect(self).toEqual({ 'GET /api/users': 32, 'GET /users': 18, verify: 12, 'GET /users/:id': 10, 'SELECT users': 140 });
    expect(bottleneck).toBe('SELECT users');
  });

  it('gives the same answer whatever order the spans arrive in', () => {
    expect(analyse(shopTrace().reverse())).toEqual(analyse(shopTrace()));
  });

  it('takes only the concurrent child that finished last; the one hidden behind it is off the path', () => {
    const { names, self, bottleneck } = analyse([
      span({ id: 'root', service: 'a', start: 0, end: 100 }),
      span({ id: 'fast', parent: 'root', service: 'a', start: 10, end: 40 }),
      span({ id: 'slow', parent: 'root', service: 'a', start: 10, end: 90 }),
    ]);
    expect(names).toEqual(['root', 'slow']);
    expect(self).toEqual({ root: 20, slow: 80 });
    expect(bottleneck).toBe('slow');
  });

  it("chains sequential children, and counts the gaps between them as the parent's own time", () => {
    const { names, self, bottleneck } = analyse([
      span({ id: 'root', service: 'a', start: 0, end: 100 }),
      span({ id: 'one', parent: 'root', service: 'a', start: 0, end: 20 }),
      span({ id: 'two', parent: 'root', service: 'a', start: 30, end: 45 }),
      span({ id: 'three', parent: 'root', service: 'a', start: 50, end: 60 }),
    ]);
    expect(names).toEqual(['root', 'one', 'two', 'three']);
    expect(self).toEqual({ root: 55, one: 20, two: 15, three: 10 });
    expect(bottleneck).toBe('root');
  });

  it('for overlapping children takes the last to finish, then the one that finished before it started', () => {
    const { names } = analyse([
      span({ id: 'root', service: 'a', start: 0, end: 100 }),
      span({ id: 'a', parent: 'root', service: 'a', start: 0, end: 50 }),
      span({ id: 'b', parent: 'root', service: 'a', start: 40, end: 70 }),
      span({ id: 'c', parent: 'root', service: 'a', start: 60, end: 95 }),
    ]);
    // c ends last; before c started (60) b was still running (clamped to 60); before b started (40) a was.
    expect(names).toEqual(['root', 'a', 'b', 'c']);
  });

  it("clamps a child that outlives its parent to the parent's end", () => {
    const { self } = analyse([
      span({ id: 'root', service: 'a', start: 0, end: 50 }),
      span({ id: 'bg', parent: 'root', service: 'a', start: 10, end: 200 }),
    ]);
    expect(self).toEqual({ root: 10, bg: 40 });
  });

  it('corrects clock skew before measuring, so a skewed service cannot fake a bottleneck', () => {
    const { names, bottleneck } = analyse([
      span({ id: 'call', service: 'gateway', start: 0, end: 100, kind: 3 }),
      span({ id: 'srv', parent: 'call', service: 'users', start: 5000, end: 5090, kind: 2 }),
    ]);
    expect(names).toEqual(['call', 'srv']);
    expect(bottleneck).toBe('srv');
  });

  it('walks the longest orphan subtree when the root span is missing', () => {
    const { names } = analyse([
      span({ id: 'short', parent: 'lost', service: 'a', start: 0, end: 10 }),
      span({ id: 'long', parent: 'lost', service: 'b', start: 0, end: 50 }),
      span({ id: 'inner', parent: 'long', service: 'b', start: 5, end: 45 }),
    ]);
    expect(names).toEqual(['long', 'inner']);
  });

  it('has no bottleneck for an empty trace', () => {
    expect(findCriticalPath(buildTraceTree([])).bottleneck).toBeUndefined();
  });
});
