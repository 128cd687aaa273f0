// Cost per log line of trace correlation: pino with `mixin: pinoMixin()` versus the same pino without it,
// interleaved in the same process, inside an active span and outside any span; the same for winston with and
// without `traceFormat()`. Each case runs in its own child process, so one case's JIT feedback (pino's write path
// is shared by every logger) does not bias the next.
//
// pino writes to a sink object whose write() only adds the line length to a counter: the cheapest destination pino
// accepts, so the ratio is not diluted by I/O. One case repeats the in-span measurement with a discarding
// stream.Writable for comparison. "vs constant mixin" compares pinoMixin with a mixin that returns a constant
// object with the same three fields: what pino itself charges to merge and serialize them (the floor).
// "vs empty mixin" compares pinoMixin outside spans with a mixin that only returns `{}`: the cost of one mixin call.
// Prints ns per line min/median/max over the repeats and the ratio of the medians. Needs the build (`npm run build`).
//
// Usage: node bench/log-correlation.mjs [repeats]
// Harness use: `import { run } from './log-correlation.mjs'; const rows = await run({ repeats: 15 });`
import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pino from 'pino';
import winston from 'winston';
import { initTracing, withSpan } from 'tracewire';
import { pinoMixin } from 'tracewire/pino';
import { traceFormat } from 'tracewire/winston';

// The sinks keep a running total so V8 cannot drop the serialization as dead work.
let sink = 0;
const destination = {
  write(line) {
    sink += line.length;
    return true;
  },
};
/** A stream.Writable that discards what it is given. */
function writableSink() {
  return new Writable({
    write(chunk, _encoding, callback) {
      sink += chunk.length;
      callback();
    },
  });
}

const pinoLine = (logger) => (i) => logger.info({ orderId: i }, 'order paid');
// A request log as apps write them: eight fields and a message.
const pinoRequestLine = (logger) => (i) =>
  logger.info(
    {
      method: 'POST',
      route: '/api/orders/:id',
      status: 201,
      durationMs: i % 97,
      userId: 'u-4821',
      orderId: i,
      items: 3,
      region: 'eu-west-1',
    },
    'request completed',
  );
const winstonLine = (logger) => (i) => logger.info('order paid', { orderId: i });
const winstonTo = (format) => winston.createLogger({ format, transports: [new winston.transports.Stream({ stream: writableSink() })] });
const emptyMixin = () => ({});
const constantMixin = () => ({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', trace_flags: '01' });

/** Each case: whether a span is active, and a factory of the two loggers ("with" tracewire's hook, "without"). */
const CASES = [
  {
    name: 'pino, in a span',
    span: true,
    make: () => ({ with: pinoLine(pino({ mixin: pinoMixin() }, destination)), without: pinoLine(pino({}, destination)) }),
  },
  {
    name: 'pino, no span',
    span: false,
    make: () => ({ with: pinoLine(pino({ mixin: pinoMixin() }, destination)), without: pinoLine(pino({}, destination)) }),
  },
  {
    name: 'pino, in a span, vs constant mixin',
    span: true,
    make: () => ({
      with: pinoLine(pino({ mixin: pinoMixin() }, destination)),
      without: pinoLine(pino({ mixin: constantMixin }, destination)),
    }),
  },
  {
    name: 'pino, no span, vs empty mixin',
    span: false,
    make: () => ({
      with: pinoLine(pino({ mixin: pinoMixin() }, destination)),
      without: pinoLine(pino({ mixin: emptyMixin }, destination)),
    }),
  },
  {
    name: 'pino, in a span, Writable sink',
    span: true,
    make: () => ({ with: pinoLine(pino({ mixin: pinoMixin() }, writableSink())), without: pinoLine(pino({}, writableSink())) }),
  },
  {
    name: 'pino, 8-field line, in a span',
    span: true,
    make: () => ({ with: pinoRequestLine(pino({ mixin: pinoMixin() }, destination)), without: pinoRequestLine(pino({}, destination)) }),
  },
  {
    name: 'winston, in a span',
    span: true,
    lineFactor: 0.1,
    make: () => ({
      with: winstonLine(winstonTo(winston.format.combine(traceFormat(), winston.format.json()))),
      without: winstonLine(winstonTo(winston.format.json())),
    }),
  },
  {
    name: 'winston, no span',
    span: false,
    lineFactor: 0.1,
    make: () => ({
      with: winstonLine(winstonTo(winston.format.combine(traceFormat(), winston.format.json()))),
      without: winstonLine(winstonTo(winston.format.json())),
    }),
  },
];

/** Logs `lines` lines and returns the ns per line. */
function timeLines(log, lines) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < lines; i++) log(i);
  return Number(process.hrtime.bigint() - start) / lines;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stats = (xs) => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs) });

/** Measures one case in this process: warm-up, then `repeats` interleaved rounds alternating which variant goes first. */
async function measureCase(index, repeats, lines) {
  const c = CASES[index];
  // A real SDK, so a span is active inside withSpan; nothing is exported.
  const tracing = initTracing({ serviceName: 'bench', exporters: ['none'], instrumentations: false, shutdownSignals: false });
  try {
    const loggers = c.make();
    const n = Math.round(lines * (c.lineFactor ?? 1));
    const measure = (variant) => (c.span ? withSpan('request', () => timeLines(loggers[variant], n)) : timeLines(loggers[variant], n));
    const times = { with: [], without: [] };
    for (let i = 0; i < 3; i++) (measure('with'), measure('without'));
    for (let r = 0; r < repeats; r++) {
      for (const variant of r % 2 === 0 ? ['with', 'without'] : ['without', 'with']) times[variant].push(measure(variant));
      await new Promise((resolve) => setImmediate(resolve)); // let winston's stream pipeline drain
    }
    const tracewire = stats(times.with);
    const stock = stats(times.without);
    return {
      name: `log correlation: ${c.name}, with the hook/without`,
      unit: 'ns/line',
      tracewire,
      stock,
      ratio: tracewire.median / stock.median,
    };
  } finally {
    await tracing.shutdown();
  }
}

/**
 * Measures every case, each in its own child process, and returns one row per case: ns per line
 * (min/median/max over `repeats`) with tracewire's hook and without it ("stock"), and `ratio` = median with / median without.
 * @param {{ repeats?: number, lines?: number }} [options]
 * @returns {Promise<Array<{ name: string, tracewire: {min:number,median:number,max:number}, stock: {min:number,median:number,max:number}, ratio: number }>>}
 */
export async function run({ repeats = 15, lines = 20_000 } = {}) {
  const self = fileURLToPath(import.meta.url);
  return CASES.map((_, index) =>
    JSON.parse(execFileSync(process.execPath, [self, '--case', String(index), String(repeats), String(lines)], { encoding: 'utf8' })),
  );
}

function format(row) {
  const f = (s) => `${s.min.toFixed(0)}/${s.median.toFixed(0)}/${s.max.toFixed(0)}`;
  return `${row.name.padEnd(70)} with hook ${f(row.tracewire).padEnd(15)} without ${f(row.stock).padEnd(15)} ratio ${row.ratio.toFixed(2)}x`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] === '--case') {
    const row = await measureCase(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]));
    if (sink === 0) throw new Error('nothing was written');
    process.stdout.write(`${JSON.stringify(row)}\n`);
  } else {
    const repeats = Number(process.argv[2] ?? 15);
    const rows = await run({ repeats });
    console.log(`log correlation, ns per line min/median/max over ${repeats} interleaved repeats (node ${process.version})`);
    for (const row of rows) console.log(format(row));
  }
}
