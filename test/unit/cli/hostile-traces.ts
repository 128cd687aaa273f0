// Hostile traces for the dev receiver's bounds tests: shapes a buggy or malicious exporter can send. Times in ns.
import type { DevSpan } from '../../../src/cli/dev/dev-span.js';

export const HOSTILE_TRACE_ID = 'abababababababababababababababab';
const EPOCH_NS = 1_700_000_000_000_000_000n;

/** Span ids are the index + 1 as 16 hex digits. */
export const nid = (i: number): string => (i + 1).toString(16).padStart(16, '0');

export function nsSpan(i: number, parent: number | undefined, start: number, end: number, service = 'svc', name = `op ${i}`): DevSpan {
  return {
    traceId: HOSTILE_TRACE_ID,
    spanId: nid(i),
    parentSpanId: parent === undefined ? '' : nid(parent),
    name,
    kind: parent === undefined ? 2 : 1,
    startNs: EPOCH_NS + BigInt(start),
    endNs: EPOCH_NS + BigInt(end),
    statusCode: 0,
    statusMessage: '',
    service,
    attributes: {},
    events: [],
  };
}

/**
 * A root of 1 ms with `n` sequential children of 5 ns each, 5 ns apart: every child is on the critical path, so
 * the walk picks `n` times (the shape that took the old walk 19.8 s for n = 99,999).
 */
export function siblings(n: number, service: (i: number) => string = () => 'svc'): DevSpan[] {
  const spans = [nsSpan(0, undefined, 0, 10 * (n + 1), service(0), 'root')];
  for (let i = 1; i <= n; i++) spans.push(nsSpan(i, 0, 10 * i, 10 * i + 5, service(i)));
  return spans;
}

/** `depth` spans, each the only child of the one before and nested 1 ns inside it at both ends. */
export function chain(depth: number, service: (i: number) => string = () => 'svc'): DevSpan[] {
  const spans: DevSpan[] = [];
  for (let i = 0; i < depth; i++) spans.push(nsSpan(i, i === 0 ? undefined : i - 1, i, 2 * depth - i, service(i)));
  return spans;
}

/** A chain alternating between two services whose clocks are a second apart: every level needs a skew correction. */
export function skewedChain(depth: number): DevSpan[] {
  const spans: DevSpan[] = [];
  for (let i = 0; i < depth; i++) {
    const clock = (i % 2) * 1e9;
    spans.push(nsSpan(i, i === 0 ? undefined : i - 1, clock + i, clock + 2 * depth - i, `service-${i % 2}`));
  }
  return spans;
}
