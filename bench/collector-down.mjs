// Issue #8 bar 7: the collector is down while 1,000,000 spans are offered. Each run is a fresh process
// (`node --expose-gc bench/collector-down.mjs --child <variant> <endpoint>`) that starts tracing, then offers the
// spans in chunks of 250 (3 attributes each) with an event-loop turn (setImmediate) between chunks, like a busy
// service, while it samples RSS and monitors the event-loop delay (perf_hooks.monitorEventLoopDelay).
//   tracewire: initTracing() with the default batch settings (queue 2048, batch 512, 5 s delay)
//   stock: the sdk-trace TracerProvider, registered (bench/lib/stock-sdk.mjs) + BatchSpanProcessor (defaults) + OTLPTraceExporter of exporter-trace-otlp-proto
// each once with the collector down (a closed loopback port) and once up (bench/lib/otlp-receiver.mjs, its own
// process), interleaved. Reported: RSS growth (peak during the run minus the baseline after start-up, warm-up and
// a GC), event-loop delay p99 down vs up, and whether tracewire accounts for every span
// (exported + dropped + failed + queued = offered, read after the last export attempt settled).
// Usage: node bench/collector-down.mjs [repeats=3] [spans=1000000]
// `run({ repeats, spans, quick })` returns rows for bench/run.mjs; `measure()` also returns the samples.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startReceiverProcess } from './lib/otlp-receiver.mjs';
import { interleave, row, summarize } from './lib/stats.mjs';

const here = fileURLToPath(import.meta.url);
const root = resolve(dirname(here), '..');
const CHUNK = 250;
const MiB = 2 ** 20;

/** A loopback port nothing listens on (bound, then closed): connections are refused at once. */
async function closedPort() {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  s.close();
  await once(s, 'close');
  return `http://127.0.0.1:${port}`;
}

// ---------------------------------------------------------------------------------------------- child process side

async function setUp(variant, endpoint) {
  if (variant === 'tracewire') {
    const { initTracing } = await import('tracewire');
    const handle = initTracing({ serviceName: 'bench-collector-down', endpoint, instrumentations: false, shutdownSignals: false });
    return { tracer: handle.tracer, stats: () => handle.stats(), shutdown: () => handle.shutdown() };
  }
  const { BatchSpanProcessor } = await import('@opentelemetry/sdk-trace');
  const { registerStockProvider } = await import('./lib/stock-sdk.mjs');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const provider = registerStockProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-collector-down' }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }) })],
  });
  return { tracer: provider.getTracer('bench'), stats: () => null, shutdown: () => provider.shutdown() };
}

const rss = () => process.memoryUsage.rss();
const turn = () => new Promise((r) => setImmediate(r));

/** Offers `count` spans in chunks with an event-loop turn between chunks; `onChunk` runs after each chunk. */
async function offer(tracer, count, onChunk) {
  let sink = 0;
  for (let i = 0; i < count; i += CHUNK) {
    const n = Math.min(CHUNK, count - i);
    for (let j = 0; j < n; j++) {
      const span = tracer.startSpan('order.process', { attributes: { 'order.id': i + j, 'order.items': 3, 'customer.tier': 'gold' } });
      span.end();
      sink ^= i + j;
    }
    onChunk();
    await turn();
  }
  return sink;
}

async function child(variant, endpoint, spans) {
  const t = await setUp(variant, endpoint);
  const WARMUP = 20_000;
  await offer(t.tracer, WARMUP, () => {}); // JIT, first export attempts, the exporter's module graph
  await new Promise((r) => setTimeout(r, 200));
  globalThis.gc?.();
  const before = rss();
  const statsBefore = t.stats();
  let peak = before;
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  const t0 = performance.now();
  const sink = await offer(t.tracer, spans, () => {
    const r = rss();
    if (r > peak) peak = r;
  });
  const elapsedMs = performance.now() - t0;
  eld.disable();
  // Let the last export attempt settle (a refused connection fails fast; retries are bounded), then read the counters.
  let stats = t.stats();
  const offered = spans + WARMUP;
  for (let i = 0; i < 200 && stats !== null && stats.exported + stats.dropped + stats.failed + stats.queued !== offered; i++) {
    await new Promise((r) => setTimeout(r, 100));
    stats = t.stats();
  }
  globalThis.gc?.();
  const after = rss();
  if (rss() > peak) peak = rss();
  process.stdout.write(
    `${JSON.stringify({
      variant,
      offered,
      spans,
      elapsedMs,
      nsPerSpan: (elapsedMs * 1e6) / spans,
      rssBeforeMiB: before / MiB,
      rssPeakMiB: peak / MiB,
      rssAfterMiB: after / MiB,
      growthMiB: (peak - before) / MiB,
      eldP50Ms: eld.percentile(50) / 1e6,
      eldP99Ms: eld.percentile(99) / 1e6,
      eldMaxMs: eld.max / 1e6,
      statsBefore,
      stats,
      sink,
    })}\n`,
  );
  // Exit without a final flush: with the collector down it would only wait for timeouts.
  process.exit(0);
}

// --------------------------------------------------------------------------------------------- parent process side

async function runChild(variant, endpoint, spans) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runChildOnce(variant, endpoint, spans);
    } catch (error) {
      // A shared working tree: a concurrent `npm run build` removes dist/ for a few seconds.
      if (attempt >= 5 || !/Cannot find (module|package)/.test(error.message)) throw error;
      await new Promise((r) => setTimeout(r, 5000));
    }
  }
}

async function runChildOnce(variant, endpoint, spans) {
  const proc = spawn(process.execPath, ['--expose-gc', here, '--child', variant, endpoint, String(spans)], {
    cwd: root,
    env: { ...process.env, OTEL_LOG_LEVEL: 'none', OTEL_SDK_DISABLED: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (c) => (out += c));
  proc.stderr.setEncoding('utf8').on('data', (c) => (err += c));
  const [code] = await once(proc, 'exit');
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`collector-down child (${variant}) failed with ${code}:\n${err}`);
  return { ...JSON.parse(line), stderr: err.trim() };
}

export async function measure({ repeats = 3, spans = 1_000_000, quick = false, only } = {}) {
  if (quick) {
    repeats = 1;
  }
  const receiver = await startReceiverProcess();
  const down = await closedPort();
  let raw;
  try {
    const sample = (variant, up) => async () => {
      if (up) await receiver.reset();
      const s = await runChild(variant, up ? receiver.url : down, spans);
      if (up) {
        await new Promise((r) => setTimeout(r, 100));
        s.received = (await receiver.counts()).spans;
      }
      return s;
    };
    const all = {
      'tracewire down': sample('tracewire', false),
      'tracewire up': sample('tracewire', true),
      'stock down': sample('stock', false),
      'stock up': sample('stock', true),
    };
    raw = await interleave(Object.fromEntries(Object.entries(all).filter(([name]) => only === undefined || only.includes(name))), {
      repeats,
      warmup: 0,
    });
  } finally {
    receiver.close();
  }
  if (only !== undefined) return { rows: [], raw };
  const pick = (name, key) => raw[name].map((s) => s[key]);
  const accounted = raw['tracewire down'].map((s) => s.stats.exported + s.stats.dropped + s.stats.failed + s.stats.queued);
  const offered = raw['tracewire down'].map((s) => s.offered);
  const last = raw['tracewire down'].at(-1).stats;
  const rows = [
    row(
      'collector down, 1M spans offered: tracewire RSS growth / 50 MiB budget',
      'MiB',
      pick('tracewire down', 'growthMiB'),
      [50],
      { op: '<=', limit: 1 },
      `peak RSS during the run minus RSS after start-up + 20k-span warm-up + GC; baseline ${summarize(pick('tracewire down', 'rssBeforeMiB')).median.toFixed(1)} MiB`,
    ),
    row(
      'collector down vs up: tracewire event-loop delay p99',
      'ms',
      pick('tracewire down', 'eldP99Ms'),
      pick('tracewire up', 'eldP99Ms'),
      { op: '<=', limit: 1.25 },
      `monitorEventLoopDelay while spans are offered in chunks of ${CHUNK} with a setImmediate between; "unchanged within noise" read as <= 1.25x`,
    ),
    row(
      'collector down: spans accounted (exported+dropped+failed+queued) / offered',
      'spans',
      accounted,
      offered,
      { op: '>=', limit: 1 },
      `last run: ${JSON.stringify(last)}`,
    ),
    row(
      'collector down, stock BatchSpanProcessor: RSS growth (info, MiB)',
      'MiB',
      pick('stock down', 'growthMiB'),
      pick('tracewire down', 'growthMiB'),
      undefined,
      'stock / tracewire; the stock processor counts no drops',
    ),
    row(
      'collector down vs up: stock event-loop delay p99 (info)',
      'ms',
      pick('stock down', 'eldP99Ms'),
      pick('stock up', 'eldP99Ms'),
      undefined,
      'stock down / stock up',
    ),
  ];
  return { rows, raw };
}

/** The rows for bench/run.mjs (see `measure` for the raw samples). */
export async function run(options) {
  return (await measure(options)).rows;
}

function printTable({ rows, raw }) {
  console.log(
    `collector down vs up, ${raw['tracewire down'][0].spans.toLocaleString('en-US')} spans offered in chunks of ${CHUNK} (node ${process.version}), medians of ${raw['tracewire down'].length} fresh processes`,
  );
  console.log(
    `${'variant'.padEnd(16)} ${'ns/span'.padEnd(8)} ${'RSS base'.padEnd(9)} ${'peak'.padEnd(7)} ${'after'.padEnd(7)} ${'growth'.padEnd(7)} ${'ELD p50'.padEnd(8)} ${'p99'.padEnd(7)} ${'max'.padEnd(7)} received  counters`,
  );
  const m = (xs) => summarize(xs).median;
  for (const [name, xs] of Object.entries(raw)) {
    const f = (k, d = 1) => m(xs.map((s) => s[k])).toFixed(d);
    const received = xs[0].received === undefined ? '-' : String(m(xs.map((s) => s.received)));
    console.log(
      `${name.padEnd(16)} ${f('nsPerSpan', 0).padEnd(8)} ${f('rssBeforeMiB').padEnd(9)} ${f('rssPeakMiB').padEnd(7)} ${f('rssAfterMiB').padEnd(7)} ${f('growthMiB').padEnd(7)} ` +
        `${f('eldP50Ms', 2).padEnd(8)} ${f('eldP99Ms', 2).padEnd(7)} ${f('eldMaxMs', 1).padEnd(7)} ${received.padEnd(9)} ${xs.at(-1).stats ? JSON.stringify(xs.at(-1).stats) : '-'}`,
    );
  }
  for (const s of raw['tracewire up'] ?? []) {
    console.log(`tracewire up, one run: receiver got ${s.received} spans; counters ${JSON.stringify(s.stats)}`);
  }
  for (const r of rows) {
    const met = r.bar ? ((r.bar.op === '>=' ? r.ratio >= r.bar.limit : r.ratio <= r.bar.limit) ? 'met' : 'NOT met') : 'info';
    console.log(
      `${r.name}: ${r.tracewire.median.toFixed(2)} vs ${r.stock.median.toFixed(2)} ${r.unit} = ${r.ratio.toFixed(3)}${r.bar ? ` (bar ${r.bar.op} ${r.bar.limit}: ${met})` : ''}`,
    );
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], Number(process.argv[5]));
} else if (process.argv[1] === here) {
  printTable(await measure({ repeats: Number(process.argv[2] ?? 3), spans: Number(process.argv[3] ?? 1_000_000) }));
}
