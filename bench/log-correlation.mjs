// Cost per log line of trace correlation: pino with `mixin: pinoMixin()` versus the same pino without it, in the
// same process, interleaved, inside an active span and outside any span; the same for winston with and without
// `traceFormat()`. Lines go to a sink whose write() only adds the line length to a counter (so writing does not
// dominate; it is the cheapest destination pino accepts). Prints ns per line min/median/max over the repeats
// and the ratio of the medians. Needs the build (`npm run build`).
// Usage: node bench/log-correlation.mjs [repeats]
// Harness use: `import { run } from './log-correlation.mjs'; const rows = await run({ repeats: 15 });`
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import winston from 'winston';
import { initTracing, withSpan } from 'tracewire';
import { pinoMixin } from 'tracewire/pino';
import { traceFormat } from 'tracewire/winston';

// The sink keeps a running total so V8 cannot drop the serialization as dead work.
let sink = 0;
const destination = {
  write(line) {
    sink += line.length;
    return true;
  },
};

/** Logs `lines` lines and returns the ns per line. */
function timeLines(log, lines) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < lines; i++) log(i);
  return Number(process.hrtime.bigint() - start) / lines;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stats = (xs) => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs) });

/**
 * Measures every case and returns one row per case: ns per line (min/median/max over `repeats`) with and
 * without tracewire's hook, and `ratio` = median with / median without.
 * @param {{ repeats?: number, lines?: number }} [options]
 * @returns {Promise<Array<{ name: string, tracewire: {min:number,median:number,max:number}, stock: {min:number,median:number,max:number}, ratio: number }>>}
 */
export async function run({ repeats = 15, lines = 20_000 } = {}) {
  // A real SDK, so a span is active inside withSpan; nothing is exported.
  const tracing = initTracing({ serviceName: 'bench', exporters: ['none'], instrumentations: false, shutdownSignals: false });
  try {
    const pinoWith = pino({ mixin: pinoMixin() }, destination);
    const pinoWithout = pino({}, destination);
    const winstonWith = winston.createLogger({ format: winston.format.combine(traceFormat(), winston.format.json()), transports: [new winston.transports.Stream({ stream: writableSink() })] });
    const winstonWithout = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Stream({ stream: writableSink() })] });

    const pinoLine = (logger) => (i) => logger.info({ orderId: i }, 'order paid');
    const winstonLine = (logger) => (i) => logger.info('order paid', { orderId: i });
    const inSpan = (fn) => () => withSpan('request', fn);
    const cases = [
      { name: 'pino, inside an active span', wrap: inSpan, with: pinoLine(pinoWith), without: pinoLine(pinoWithout), lines },
      { name: 'pino, no active span', wrap: (fn) => fn, with: pinoLine(pinoWith), without: pinoLine(pinoWithout), lines },
      { name: 'winston, inside an active span', wrap: inSpan, with: winstonLine(winstonWith), without: winstonLine(winstonWithout), lines: lines / 10 },
      { name: 'winston, no active span', wrap: (fn) => fn, with: winstonLine(winstonWith), without: winstonLine(winstonWithout), lines: lines / 10 },
    ];
    const rows = [];
    for (const c of cases) {
      const times = { with: [], without: [] };
      const measure = (variant) => c.wrap(() => timeLines(c[variant], c.lines))();
      // Warm-up (JIT) of both variants, then interleaved repeats, alternating which variant goes first.
      for (let i = 0; i < 3; i++) measure('with'), measure('without');
      for (let r = 0; r < repeats; r++) {
        const order = r % 2 === 0 ? ['with', 'without'] : ['without', 'with'];
        for (const variant of order) times[variant].push(measure(variant));
        await new Promise((resolve) => setImmediate(resolve)); // let winston's stream drain
      }
      const tracewire = stats(times.with);
      const stock = stats(times.without);
      rows.push({ name: c.name, tracewire, stock, ratio: tracewire.median / stock.median });
    }
    return rows;
  } finally {
    await tracing.shutdown();
  }
}

/** A stream.Writable that discards what winston writes (winston's Stream transport needs a real stream). */
function writableSink() {
  return new Writable({
    write(chunk, _encoding, callback) {
      sink += chunk.length;
      callback();
    },
  });
}

function format(row) {
  const f = (s) => `${s.min.toFixed(0)}/${s.median.toFixed(0)}/${s.max.toFixed(0)}`;
  return `${row.name.padEnd(32)} with hook ${f(row.tracewire).padEnd(14)} without ${f(row.stock).padEnd(14)} ratio ${row.ratio.toFixed(3)}x`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const repeats = Number(process.argv[2] ?? 15);
  const rows = await run({ repeats });
  console.log(`log correlation cost per line, ns min/median/max over ${repeats} interleaved repeats (node ${process.version})`);
  for (const row of rows) console.log(format(row));
  if (sink === 0) console.log('(nothing was written)');
}
