import { describe, expect, it } from 'vitest';
import { buildTraceTree, type TraceTree } from '../../../src/cli/dev/build-trace-tree.js';
import { shopTrace, sid, span } from './hand-built.js';

const shape = (tree: TraceTree): string[] => tree.nodes.map((n) => `${'  '.repeat(n.depth)}${n.span.service}/${n.span.name}`);
const ms = (ns: number): number => Math.round(ns / 1e4) / 100;

describe('buildTraceTree', () => {
  it('links children to parents whatever order the spans arrive in', () => {
    const inOrder = buildTraceTree(shopTrace());
    const reversed = buildTraceTree(shopTrace().reverse());
    const shuffled = buildTraceTree([3, 0, 4, 1, 2].map((i) => shopTrace()[i]!));
    const expected = [
      'frontend/GET /api/users',
      '  api-gateway/GET /users',
      '    auth-service/verify',
      '    user-service/GET /users/:id',
      '      database/SELECT users',
    ];
    expect(shape(inOrder)).toEqual(expected);
    expect(shape(reversed)).toEqual(expected);
    expect(shape(shuffled)).toEqual(expected);
    expect(inOrder.services).toEqual(['frontend', 'api-gateway', 'auth-service', 'user-service', 'database']);
    expect(ms(inOrder.duration)).toBe(212);
  });

  it('orders siblings by start time, and concurrent children both stay under their parent', () => {
    const tree = buildTraceTree([
      span({ id: 'root', service: 'a', start: 0, end: 100 }),
      span({ id: 'late', parent: 'root', service: 'a', start: 30, end: 90 }),
      span({ id: 'early', parent: 'root', service: 'a', start: 10, end: 80 }),
    ]);
    expect(shape(tree)).toEqual(['a/root', '  a/early', '  a/late']);
  });

  it('keeps a span whose parent never arrived as an extra root marked parentMissing, after the real root', () => {
    const tree = buildTraceTree([
      span({ id: 'orphan', parent: 'lost', service: 'b', start: 5, end: 20 }),
      span({ id: 'child', parent: 'orphan', service: 'b', start: 6, end: 10 }),
      span({ id: 'root', service: 'a', start: 0, end: 50 }),
    ]);
    expect(shape(tree)).toEqual(['a/root', 'b/orphan', '  b/child']);
    expect(tree.roots.map((r) => r.parentMissing)).toEqual([false, true]);
    expect(tree.roots[1]!.span.parentSpanId).toBe(sid('lost'));
  });

  it('keeps a duplicated span (an export retried) once', () => {
    const spans = shopTrace();
    const tree = buildTraceTree([...spans, spans[2]!, spans[4]!]);
    expect(tree.nodes).toHaveLength(5);
  });

  it('breaks a parent cycle instead of losing or looping over its spans', () => {
    const tree = buildTraceTree([
      span({ id: 'x', parent: 'y', service: 'a', start: 0, end: 10 }),
      span({ id: 'y', parent: 'x', service: 'a', start: 1, end: 5 }),
    ]);
    expect(shape(tree)).toEqual(['a/x', '  a/y']);
    expect(tree.roots[0]!.parentMissing).toBe(true);
  });

  it('moves a span of another service whose clock runs ahead back inside its caller, with its subtree', () => {
    // user-service's clock is 100 ms ahead: its spans claim to start after the gateway's call ended.
    const tree = buildTraceTree([
      span({ id: 'gw', service: 'api-gateway', start: 0, end: 60 }),
      span({ id: 'call', parent: 'gw', service: 'api-gateway', start: 10, end: 50, kind: 3 }),
      span({ id: 'srv', parent: 'call', service: 'user-service', start: 115, end: 145, kind: 2 }),
      span({ id: 'query', parent: 'srv', service: 'user-service', start: 120, end: 140 }),
    ]);
    const [, call, srv, query] = tree.nodes;
    expect(srv!.start).toBeGreaterThanOrEqual(call!.start);
    expect(srv!.end).toBeLessThanOrEqual(call!.end);
    // Centred in the 40 ms call: 5 ms of network each way.
    expect(ms(srv!.start)).toBe(15);
    expect(ms(srv!.skew)).toBe(-100);
    // The subtree moved by the same amount: the query still starts 5 ms into the server span.
    expect(ms(query!.start - srv!.start)).toBe(5);
    expect(query!.skew).toBe(0);
    expect(ms(tree.duration)).toBe(60);
  });

  it('moves a span whose clock runs behind, and re-anchors the trace at 0', () => {
    const tree = buildTraceTree([
      span({ id: 'call', service: 'a', start: 1000, end: 1040, kind: 3 }),
      span({ id: 'srv', parent: 'call', service: 'b', start: 0, end: 20, kind: 2 }),
    ]);
    expect(ms(tree.nodes[0]!.start)).toBe(0);
    expect(ms(tree.nodes[1]!.start)).toBe(10);
    expect(ms(tree.nodes[1]!.skew)).toBe(1010);
  });

  it('leaves spans of the same service alone even when a child outlives its parent (fire and forget)', () => {
    const tree = buildTraceTree([
      span({ id: 'req', service: 'a', start: 0, end: 10 }),
      span({ id: 'bg', parent: 'req', service: 'a', start: 5, end: 30 }),
    ]);
    expect(tree.nodes[1]!.skew).toBe(0);
    expect(ms(tree.nodes[1]!.end)).toBe(30);
    expect(ms(tree.duration)).toBe(30);
  });
});
