// Hand-built spans for the unit tests of the dev receiver's analysis: times in ms from a fixed epoch.
import type { DevSpan } from '../../../src/cli/dev/dev-span.js';

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const EPOCH_NS = 1_700_000_000_000_000_000n;

export interface SpanSpec {
  id: string;
  parent?: string;
  service: string;
  name?: string;
  start: number;
  end: number;
  kind?: number;
  error?: string;
}

/** Span ids are the given short names padded to 16 hex chars, so tests can refer to them by name. */
export const sid = (name: string): string => Buffer.from(name).toString('hex').padEnd(16, '0').slice(0, 16);

export function span(spec: SpanSpec): DevSpan {
  return {
    traceId: TRACE_ID,
    spanId: sid(spec.id),
    parentSpanId: spec.parent === undefined ? '' : sid(spec.parent),
    name: spec.name ?? spec.id,
    kind: spec.kind ?? (spec.parent === undefined ? 2 : 1),
    startNs: EPOCH_NS + BigInt(Math.round(spec.start * 1e6)),
    endNs: EPOCH_NS + BigInt(Math.round(spec.end * 1e6)),
    statusCode: spec.error === undefined ? 0 : 2,
    statusMessage: '',
    service: spec.service,
    attributes: {},
    events:
      spec.error === undefined ? [] : [{ name: 'exception', attributes: { 'exception.type': 'Error', 'exception.message': spec.error } }],
  };
}

/** The seed's five-service trace: frontend -> api-gateway -> auth-service, user-service -> database. */
export function shopTrace(): DevSpan[] {
  return [
    span({ id: 'front', service: 'frontend', name: 'GET /api/users', start: 0, end: 212 }),
    span({ id: 'gw', parent: 'front', service: 'api-gateway', name: 'GET /users', start: 16, end: 196, kind: 2 }),
    span({ id: 'auth', parent: 'gw', service: 'auth-service', name: 'verify', start: 20, end: 32, kind: 2 }),
    span({ id: 'users', parent: 'gw', service: 'user-service', name: 'GET /users/:id', start: 40, end: 190, kind: 2 }),
    span({ id: 'db', parent: 'users', service: 'database', name: 'SELECT users', start: 45, end: 185, kind: 2 }),
  ];
}
