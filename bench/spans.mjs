// The span hot path, tracewire next to the stock OpenTelemetry setup, interleaved in the same process:
//  1. pipeline: 200,000 sampled spans with 3 attributes, created in chunks of 250 with an event-loop turn between
//     chunks, exported over OTLP http/protobuf to a local receiver (its own process), then flushed. µs per span for
//     the whole run per span the receiver got (so a run that drops spans cannot look fast), the creation-only part
//     (the synchronous chunk loops: spans ended, export not yet run), and the bytes and spans delivered per span offered.
//     Stock: the sdk-trace TracerProvider + BatchSpanProcessor + OTLPTraceExporter (exporter-trace-otlp-proto), as the OTel
//     docs configure them. tracewire: initTracing() defaults (redaction on, its batch processor and encoder).
//  2. unsampled: a span the ratio sampler drops (parentBased(ratioSampler(0.0001)): 1 in 10,000 kept), start+end,
//     against a span of the no-op API (a ProxyTracerProvider with no SDK behind it), and the stock SDK's
//     unsampled span (TraceIdRatioBasedSampler) for information.
//  3. withSpan: withSpan(name, fn) against the hand-written startActiveSpan + try/catch/finally, sync and async,
//     same tracer (sampled, exporter none, so the difference is withSpan's own code).
//  4. serverSpan (information): an HTTP server span with the request's attributes (a query included) and the
//     status and route set later, no exporter behind either; tracewire with its default redaction processor.
// Each case runs in its own child process (JIT feedback and the global provider stay per case).
//
// Usage: node bench/spans.mjs [repeats]        (needs `npm run build`)
// Harness use: `import { run } from './spans.mjs'; const rows = await run({ repeats: 7 });`
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { interleave, row, summarize } from './lib/stats.mjs';
import { startReceiverProcess } from './lib/otlp-receiver.mjs';

const here = fileURLToPath(import.meta.url);
let sink = 0;

const PIPELINE_SPANS = 200_000;
const CHUNK = 250;
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Creates `total` spans with 3 attributes in chunks with a turn between; returns the ns spent creating them. */
async function createSpans(tracer, total) {
  let creatingNs = 0n;
  for (let done = 0; done < total; done += CHUNK) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < CHUNK; i++) {
      const span = tracer.startSpan('GET /api/users');
      span.setAttribute('http.request.method', 'GET');
      span.setAttribute('http.response.status_code', 200);
      span.setAttribute('user.id', 'u-4821');
      span.end();
    }
    creatingNs += process.hrtime.bigint() - t0;
    await turn();
  }
  return Number(creatingNs);
}

async function pipelineCase(repeats) {
  const { initTracing } = await import('tracewire');
  const { TracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const receiver = await startReceiverProcess({ names: false });
  try {
    const endpoint = `${receiver.url}/v1/traces`;
    const tracing = initTracing({ serviceName: 'bench', tracesEndpoint: endpoint, instrumentations: false, shutdownSignals: false });
    const stockProvider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'bench' }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: endpoint }) })],
    });
    const variants = {};
    const detail = { tracewire: { create: [], bytes: [], spans: [] }, stock: { create: [], bytes: [], spans: [] } };
    for (const [name, tracer, flush] of [
      ['tracewire', tracing.tracer, () => tracing.forceFlush()],
      ['stock', stockProvider.getTracer('bench'), () => stockProvider.forceFlush()],
    ]) {
      variants[name] = async () => {
        await receiver.reset();
        const t0 = process.hrtime.bigint();
        const creatingNs = await createSpans(tracer, PIPELINE_SPANS);
        await flush();
        const totalNs = Number(process.hrtime.bigint() - t0);
        const got = await receiver.counts();
        detail[name].create.push(creatingNs / PIPELINE_SPANS / 1000);
        detail[name].bytes.push(got.bytes / PIPELINE_SPANS);
        detail[name].spans.push(got.spans / PIPELINE_SPANS);
        // Per span delivered, so a run that drops spans cannot look fast.
        return totalNs / Math.max(got.spans, 1) / 1000;
      };
    }
    const samples = await interleave(variants, { repeats, warmup: 1 });
    const med = (xs) => summarize(xs).median;
    const note = (v) =>
      `creation ${med(detail[v].create).toFixed(2)} µs/span, ${med(detail[v].bytes).toFixed(0)} B/span delivered, ${(100 * med(detail[v].spans)).toFixed(1)}% of spans delivered`;
    const rows = [
      row(
        'pipeline: sampled span + export + flush, per span delivered',
        'µs/span',
        samples.tracewire,
        samples.stock,
        { op: '<=', limit: 0.5 },
        `tracewire ${note('tracewire')}; stock ${note('stock')}`,
      ),
      row(
        'pipeline: creation only (spans ended, export not run), per span offered',
        'µs/span',
        detail.tracewire.create,
        detail.stock.create,
      ),
      row(
        'pipeline: spans delivered per span offered (info; the default 2048-span queue drops a few under this burst)',
        'share',
        detail.tracewire.spans,
        detail.stock.spans,
      ),
    ];
    await tracing.shutdown();
    await stockProvider.shutdown();
    return rows;
  } finally {
    receiver.close();
  }
}

/** ns per start+end of `count` spans of `tracer` (a sink keeps the span contexts' flags). */
function timeStartEnd(tracer, count) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const span = tracer.startSpan('op');
    span.end();
    sink += span.isRecording() ? 1 : 0;
  }
  return Number(process.hrtime.bigint() - t0) / count;
}

async function unsampledCase(repeats) {
  const { initTracing, parentBased, ratioSampler } = await import('tracewire');
  const { ProxyTracerProvider } = await import('@opentelemetry/api');
  const { TracerProvider: BasicTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler } = await import('@opentelemetry/sdk-trace');
  const tracing = initTracing({
    serviceName: 'bench',
    sampler: parentBased(ratioSampler(0.0001)),
    exporters: ['none'],
    instrumentations: false,
    shutdownSignals: false,
  });
  const noop = new ProxyTracerProvider().getTracer('bench');
  const stock = new BasicTracerProvider({ sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.0001) }) }).getTracer(
    'bench',
  );
  const count = 1_000_000;
  const samples = await interleave(
    {
      tracewire: () => timeStartEnd(tracing.tracer, count),
      noop: () => timeStartEnd(noop, count),
      stock: () => timeStartEnd(stock, count),
    },
    { repeats, warmup: 2 },
  );
  await tracing.shutdown();
  return [
    row('unsampled span start+end vs no-op API span', 'ns/span', samples.tracewire, samples.noop, { op: '<=', limit: 2.0 }),
    row('unsampled span start+end vs stock SDK unsampled span', 'ns/span', samples.tracewire, samples.stock),
  ];
}

function syncWork(span) {
  sink += span.spanContext().traceFlags;
  return sink;
}
async function asyncWork(span) {
  await null;
  sink += span.spanContext().traceFlags;
  return sink;
}

async function withSpanCase(repeats) {
  const { initTracing, withSpan } = await import('tracewire');
  const { SpanStatusCode } = await import('@opentelemetry/api');
  const tracing = initTracing({ serviceName: 'bench', exporters: ['none'], instrumentations: false, shutdownSignals: false });
  const tracer = tracing.tracer;
  const recordFailure = (span, error) => {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  };
  const handSync = (span) => {
    try {
      return syncWork(span);
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
  const handAsync = async (span) => {
    try {
      return await asyncWork(span);
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
  const count = 200_000;
  const timeSync = (call) => () => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < count; i++) call();
    return Number(process.hrtime.bigint() - t0) / count;
  };
  const timeAsync = (call) => async () => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < count; i++) await call();
    return Number(process.hrtime.bigint() - t0) / count;
  };
  const sync = await interleave(
    { withSpan: timeSync(() => withSpan('op', syncWork)), hand: timeSync(() => tracer.startActiveSpan('op', handSync)) },
    { repeats, warmup: 2 },
  );
  const asyncSamples = await interleave(
    { withSpan: timeAsync(() => withSpan('op', asyncWork)), hand: timeAsync(() => tracer.startActiveSpan('op', handAsync)) },
    { repeats, warmup: 2 },
  );
  await tracing.shutdown();
  return [
    row('withSpan sync vs startActiveSpan + try/catch/finally', 'ns/call', sync.withSpan, sync.hand, { op: '<=', limit: 1.05 }),
    row('withSpan async vs startActiveSpan + try/catch/finally', 'ns/call', asyncSamples.withSpan, asyncSamples.hand, {
      op: '<=',
      limit: 1.05,
    }),
  ];
}

/** The attributes instrumentation-http gives a server span (stable conventions), for a request with a query. */
const serverAttributes = (i) => ({
  'http.request.method': 'GET',
  'url.scheme': 'http',
  'url.path': '/api/users',
  'url.query': 'limit=10&page=2',
  'server.address': 'localhost',
  'server.port': 3000,
  'client.address': '127.0.0.1',
  'network.peer.address': '127.0.0.1',
  'network.peer.port': 50000 + (i & 255),
  'network.protocol.version': '1.1',
  'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64)',
});

/** ns per SERVER span with the request's attributes, its status code and route set later, then ended. */
function timeServerSpans(tracer, count, SpanKind) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const span = tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: serverAttributes(i) });
    span.setAttribute('http.response.status_code', 200);
    span.setAttribute('http.route', '/api/users');
    span.updateName('GET /api/users');
    span.end();
    sink += span.isRecording() ? 1 : 0;
  }
  return Number(process.hrtime.bigint() - t0) / count;
}

// 4. server span (information, no bar): the SERVER span of an HTTP request, with the 11 attributes
//    instrumentation-http sets from the request (a query string included) plus the status code and route, started
//    and ended; no exporter behind either (tracewire: exporters none, its redaction processor on, as by default;
//    stock: the sdk-trace TracerProvider with no processor), so this is the span's own cost and tracewire's redaction.
async function serverSpanCase(repeats) {
  const { initTracing } = await import('tracewire');
  const { SpanKind } = await import('@opentelemetry/api');
  const { TracerProvider: BasicTracerProvider } = await import('@opentelemetry/sdk-trace');
  const tracing = initTracing({ serviceName: 'bench', exporters: ['none'], instrumentations: false, shutdownSignals: false });
  const stock = new BasicTracerProvider().getTracer('bench');
  const count = 200_000;
  const samples = await interleave(
    { tracewire: () => timeServerSpans(tracing.tracer, count, SpanKind), stock: () => timeServerSpans(stock, count, SpanKind) },
    { repeats, warmup: 2 },
  );
  await tracing.shutdown();
  return [row('server span, 13 attributes with a query, redaction on (info)', 'ns/span', samples.tracewire, samples.stock)];
}

const CASES = { pipeline: pipelineCase, unsampled: unsampledCase, withSpan: withSpanCase, serverSpan: serverSpanCase };

/** Runs every case in its own child process and returns the rows. */
export async function run({ repeats = 7, cases = Object.keys(CASES) } = {}) {
  const rows = [];
  for (const name of cases) {
    const out = execFileSync(process.execPath, [here, '--case', name, String(repeats)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    rows.push(...JSON.parse(out.trim().split('\n').pop()));
  }
  return rows;
}

if (process.argv[1] === here) {
  const caseIndex = process.argv.indexOf('--case');
  if (caseIndex !== -1) {
    const rows = await CASES[process.argv[caseIndex + 1]](Number(process.argv[caseIndex + 2]));
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    if (sink === -1) console.error('unreachable');
    process.exit(0);
  } else {
    const { printRows } = await import('./lib/print-rows.mjs');
    printRows(await run({ repeats: Number(process.argv[2] ?? 7) }));
  }
}
