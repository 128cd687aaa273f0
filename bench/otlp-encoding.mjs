// Issue #8 bar 6: OTLP encoding throughput, spans/s turned into http/protobuf request bytes.
// tracewire's serializer (src/export/otlp-proto/serialize-spans.ts, imported from dist/bench-internals.js, a build
// entry that is not part of the package's exports) against the stock ProtobufTraceSerializer.serializeRequest of
// @opentelemetry/otlp-transformer, the one the stock OTLPTraceExporter (exporter-trace-otlp-proto) uses.
// Both encode the same spans: 16 batches of 512 spans made by a real BasicTracerProvider, each span with 3-8
// attributes (strings, ints, doubles, a bool, sometimes an array), a quarter with an event, one in twenty an error
// with an exception event (message + stack); one resource with 8 attributes. Samples alternate between the two
// (bench/lib/stats.mjs interleave); a sink keeps the encoded sizes so nothing is optimised away. Bytes per span
// are printed for both: they must be equal (the encoders write the same bytes).
// A sample is spans encoded per second of this process's CPU time (process.cpuUsage: user + system, the GC's
// helper threads included), not of wall time: encoding is synchronous CPU work, and on a shared 2-core machine
// other processes' bursts would otherwise decide the ratio.
// Usage: npm run build && node bench/otlp-encoding.mjs [repeats=9]
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider as BasicTracerProvider } from '@opentelemetry/sdk-trace';
import { serializeSpans } from '../dist/bench-internals.js';
import { interleave, row } from './lib/stats.mjs';

const BATCH = 512;
const ROUTES = ['/api/users', '/api/users/:id', '/api/orders', '/api/orders/:id/items', '/health', '/api/search'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const STACK = `Error: connect ECONNREFUSED 10.0.3.17:5432\n${'    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1595:16)\n'.repeat(6)}`;
let sink = 0;

/** Finished spans, `batches` arrays of BATCH, from a real provider with one 8-attribute resource. */
export function makeBatches(batches) {
  const spans = [];
  const resource = resourceFromAttributes({
    'service.name': 'checkout',
    'service.version': '1.4.2',
    'service.instance.id': '6f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
    'deployment.environment.name': 'production',
    'host.name': 'ip-10-0-3-17.eu-west-1.compute.internal',
    'process.pid': 4242,
    'process.runtime.name': 'nodejs',
    'telemetry.sdk.language': 'nodejs',
  });
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [{ onStart() {}, onEnd: (s) => spans.push(s), forceFlush: async () => {}, shutdown: async () => {} }],
  });
  const tracer = provider.getTracer('@opentelemetry/instrumentation-http', '0.223.0');
  for (let i = 0; i < batches * BATCH; i++) {
    const method = METHODS[i % METHODS.length];
    const route = ROUTES[i % ROUTES.length];
    const span = tracer.startSpan(`${method} ${route}`, { kind: i % 3 === 0 ? SpanKind.CLIENT : SpanKind.SERVER });
    span.setAttribute('http.request.method', method);
    span.setAttribute('http.route', route);
    span.setAttribute('http.response.status_code', i % 20 === 0 ? 500 : 200);
    if (i % 2 === 0) span.setAttribute('url.path', route.replace(':id', String(1000 + i)));
    if (i % 3 === 0) span.setAttribute('server.address', 'users.internal.example.com');
    if (i % 4 === 0) span.setAttribute('http.server.duration_ms', 3.25 + (i % 50) / 7);
    if (i % 5 === 0) span.setAttribute('cache.hit', i % 10 === 0);
    if (i % 7 === 0) span.setAttribute('user.roles', ['reader', 'editor']);
    if (i % 4 === 1) span.addEvent('cache miss', { 'cache.key': `user:${i}`, 'cache.ttl_s': 60 });
    if (i % 20 === 0) {
      span.recordException({ name: 'Error', message: 'connect ECONNREFUSED 10.0.3.17:5432', stack: STACK });
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'connect ECONNREFUSED 10.0.3.17:5432' });
    }
    span.end();
  }
  const out = [];
  for (let b = 0; b < batches; b++) out.push(spans.slice(b * BATCH, (b + 1) * BATCH));
  return out;
}

/** CPU seconds (user + system, all threads of this process: GC helpers included) since `start`. */
const cpuSeconds = (start) => {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1e6;
};

// One measuring loop per encoder (not one shared loop taking the encoder as an argument): a shared loop gets
// optimised for whichever encoder ran first and deoptimised by the other, which skews the comparison.

/** spans/s encoding `rounds` passes over `batches` with tracewire's serializer; adds the bytes to the sink. */
function measureTracewire(batches, rounds) {
  let bytes = 0;
  const t0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) for (const batch of batches) bytes += serializeSpans(batch).length;
  sink += bytes;
  return (rounds * batches.length * BATCH) / cpuSeconds(t0);
}

/** spans/s encoding `rounds` passes over `batches` with the stock serializer; adds the bytes to the sink. */
function measureStock(batches, rounds) {
  let bytes = 0;
  const t0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) for (const batch of batches) bytes += ProtobufTraceSerializer.serializeRequest(batch).length;
  sink += bytes;
  return (rounds * batches.length * BATCH) / cpuSeconds(t0);
}

const tracewire = (batch) => serializeSpans(batch);
const stock = (batch) => ProtobufTraceSerializer.serializeRequest(batch);

/** Bytes per span of one encoding of every batch, and whether the two encoders wrote identical bytes. */
function sizes(batches) {
  let tw = 0;
  let st = 0;
  let identical = true;
  for (const batch of batches) {
    const a = tracewire(batch);
    const b = stock(batch);
    tw += a.length;
    st += b.length;
    if (identical && Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0) identical = false;
  }
  const spans = batches.length * BATCH;
  return { tracewire: tw / spans, stock: st / spans, identical };
}

/**
 * CPU µs per span of tracewire's encoder, median of `repeats` samples over the same batches (used by
 * bench/http-cost-breakdown.mjs for the encoding part of a request's export).
 */
export async function encodingSample({ repeats = 5, batches = 4, rounds = 4 } = {}) {
  const data = makeBatches(batches);
  const samples = await interleave({ tracewire: () => measureTracewire(data, rounds) }, { repeats, warmup: 2 });
  const sorted = samples.tracewire.sort((a, b) => a - b);
  return 1e6 / sorted[Math.floor(sorted.length / 2)];
}

/**
 * Runs the encoding benchmark; returns one row (spans/s, tracewire/stock, bar >= 3.0) whose note carries the
 * bytes per span of both encoders.
 */
export async function run({ repeats = 9, batches = 16, rounds = 4 } = {}) {
  const data = makeBatches(batches);
  const size = sizes(data);
  const samples = await interleave(
    { tracewire: () => measureTracewire(data, rounds), stock: () => measureStock(data, rounds) },
    { repeats, warmup: 3 },
  );
  const note =
    `${batches} batches of ${BATCH} spans x ${rounds} per sample; bytes/span tracewire ${size.tracewire.toFixed(1)}, ` +
    `stock ${size.stock.toFixed(1)}${size.identical ? ' (identical bytes)' : ' (BYTES DIFFER)'}`;
  return [row('OTLP http/protobuf encoding, tracewire/stock', 'spans/s', samples.tracewire, samples.stock, { op: '>=', limit: 3.0 }, note)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const repeats = Number(process.argv[2] ?? 9);
  const rows = await run({ repeats });
  console.log(`OTLP encoding throughput, ${repeats} interleaved repeats (node ${process.version})`);
  for (const r of rows) {
    const f = (s) => `${Math.round(s.min)}/${Math.round(s.median)}/${Math.round(s.max)}`;
    console.log(`${r.name}\n  tracewire ${f(r.tracewire)} ${r.unit} (min/median/max)\n  stock     ${f(r.stock)} ${r.unit}`);
    console.log(`  ratio ${r.ratio.toFixed(2)}x (bar ${r.bar.op} ${r.bar.limit})\n  ${r.note}`);
  }
  if (sink === 0) console.log('(empty sink)');
}
