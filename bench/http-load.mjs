// Issue #8 bar 5: requests per second of an express endpoint under load, traced vs untraced.
// bench/fixtures/users-app.cjs (GET /api/users: express.json(), a router, a tiny async step, JSON of 10 users) runs
// in a fresh child process per sample, driven by autocannon (programmatic API, from this process) on 127.0.0.1:
//   bare node | --import tracewire/register at 100% | the same at 10% (parentbased_traceidratio 0.1) |
//   stock: --require @opentelemetry/auto-instrumentations-node/register
// The traced variants export over OTLP http/protobuf to a local receiver (bench/lib/otlp-receiver.mjs, its own
// process) that counts the spans it gets; every sample prints spans delivered per response, so a variant that
// drops spans cannot look fast. With 2 cores, the app is pinned to CPU 1 and autocannon + receiver to CPU 0
// (taskset), so the load generator does not steal the server's core.
// Usage: node bench/http-load.mjs [repeats=3] [durationS=5] [connections=32]
// `run({ repeats, durationS, warmupS, connections, pin })` returns rows for bench/run.mjs; `measure()` also the samples.
import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReceiverProcess } from './lib/otlp-receiver.mjs';
import { interleave, row, summarize } from './lib/stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const APP = 'bench/fixtures/users-app.cjs';
const PATH = '/api/users';

export const VARIANTS = {
  bare: { flags: [], env: {} },
  'tracewire 100%': { flags: ['--import', 'tracewire/register'], env: { OTEL_TRACES_SAMPLER: 'parentbased_always_on' } },
  'tracewire 10%': {
    flags: ['--import', 'tracewire/register'],
    env: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' },
  },
  // As the OTel docs show it, exporting traces only; cloud resource detectors off (they wait on network timeouts).
  stock: {
    flags: ['--require', '@opentelemetry/auto-instrumentations-node/register'],
    env: {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    },
  },
};

/** The environment without the caller's OTEL_* / TRACEWIRE_* settings. */
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OTEL_') && !k.startsWith('TRACEWIRE_')) env[k] = v;
  return env;
}

/** Whether `taskset` works here and the machine has at least 2 CPUs we may use; returns the current CPU list. */
function currentAffinity() {
  const out = spawnSync('taskset', ['-pc', String(process.pid)], { encoding: 'utf8' });
  if (out.status !== 0) return null;
  const list = /:\s*(\S+)\s*$/.exec(out.stdout.trim())?.[1];
  return list ?? null;
}
const setAffinity = (cpus) => spawnSync('taskset', ['-pc', cpus, String(process.pid)], { stdio: 'ignore' });

/**
 * With 2 CPUs of our own and `taskset`: pins this process (the load generator) to CPU 0 and returns the CPU lists for
 * the receiver (CPU 0) and the app (CPU 1), and `restore()` for this process's previous affinity. Otherwise nothing is
 * pinned and both lists are undefined.
 */
export function pinLoadGenerator(pin = true) {
  const affinity = pin ? currentAffinity() : null;
  const canPin = affinity !== null && /^0[-,]1/.test(affinity);
  if (canPin) setAffinity('0');
  return {
    receiverCpus: canPin ? '0' : undefined,
    appCpus: canPin ? '1' : undefined,
    restore() {
      if (canPin) setAffinity(affinity);
    },
  };
}

/** Starts the app with `variant`'s flags; resolves with its URL once it prints its port. */
export async function startApp(variant, { endpoint, cpus, extraFlags = [], extraEnv = {} }) {
  const nodeArgs = [...extraFlags, ...variant.flags, APP];
  const [cmd, args] = cpus ? ['taskset', ['-c', cpus, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child = spawn(cmd, args, {
    cwd: root,
    env: { ...cleanEnv(), OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'bench-users', ...variant.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c) => (err += c));
  const exited = once(child, 'exit');
  while (!/\{"port":\d+\}/.test(out)) {
    const winner = await Promise.race([once(child.stdout, 'data').then(() => 'data'), exited.then(() => 'exit')]);
    if (winner === 'exit') throw new Error(`the app exited before listening:\n${err}`);
  }
  const url = `http://127.0.0.1:${JSON.parse(/\{"port":\d+\}/.exec(out)[0]).port}`;
  return {
    url,
    child,
    /** SIGTERM, wait for the exit (the SDKs flush on the way out); returns what the app printed at exit. */
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('{"exit"'));
      return { exit: line ? JSON.parse(line).exit : null, stderr: err };
    },
  };
}

const load = (url, seconds, connections) => autocannon({ url: `${url}${PATH}`, connections, duration: seconds, pipelining: 1 });

/** Waits until the receiver's span count stops changing (the last export may still be on the wire). */
async function settledCounts(receiver) {
  let last = await receiver.counts();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await receiver.counts();
    if (now.spans === last.spans && now.requests === last.requests) return now;
    last = now;
  }
  return last;
}

/** One sample: fresh app process, warm-up, measured window, stop, and what reached the receiver. */
async function sample(variant, receiver, { warmupS, durationS, connections, appCpus }) {
  await receiver.reset();
  let app;
  for (let attempt = 1; app === undefined; attempt++) {
    try {
      app = await startApp(variant, { endpoint: receiver.url, cpus: appCpus });
    } catch (error) {
      // A shared working tree: a concurrent `npm run build` removes dist/ for a few seconds.
      if (attempt >= 5 || !/Cannot find (module|package)/.test(error.message)) throw error;
      await new Promise((r) => setTimeout(r, 5000));
    }
  }
  const warm = await load(app.url, warmupS, connections);
  app.child.kill('SIGUSR2');
  const result = await load(app.url, durationS, connections);
  app.child.kill('SIGUSR2');
  const { exit, stderr } = await app.stop();
  const counts = await settledCounts(receiver);
  const responses = warm['2xx'] + result['2xx'];
  return {
    rps: result['2xx'] / result.duration,
    p99Ms: result.latency.p99,
    // Server CPU time per response in the measured window (user + system, all threads): less sensitive than
    // req/s to what else runs on the machine.
    cpuUsPerReq: exit?.window?.cpuMs ? (exit.window.cpuMs * 1000) / result['2xx'] : NaN,
    serverCpuShare: exit?.window?.cpuMs ? exit.window.cpuMs / exit.window.wallMs : NaN,
    errors: result.errors + result.non2xx + result.timeouts + warm.errors + warm.non2xx + warm.timeouts,
    responses,
    spans: counts.spans,
    exports: counts.requests,
    bytes: counts.bytes,
    names: counts.names,
    stats: exit?.stats ?? null,
    maxRssMiB: exit ? exit.maxRssKiB / 1024 : NaN,
    warnings: stderr.trim(),
  };
}

/** Runs every variant `repeats` times, interleaved; returns the rows plus the raw samples. */
export async function measure({ repeats = 3, durationS = 5, warmupS = 2, connections = 32, pin = true, variants = VARIANTS } = {}) {
  const pinning = pinLoadGenerator(pin);
  const receiver = await startReceiverProcess({ cpus: pinning.receiverCpus });
  const opts = { warmupS, durationS, connections, appCpus: pinning.appCpus };
  let raw;
  try {
    raw = await interleave(Object.fromEntries(Object.entries(variants).map(([name, v]) => [name, () => sample(v, receiver, opts)])), {
      repeats,
      warmup: 0,
    });
  } finally {
    receiver.close();
    pinning.restore();
  }
  const rps = (name) => raw[name]?.map((s) => s.rps);
  const delivered = (name) => {
    const xs = raw[name];
    if (!xs) return '';
    const responses = xs.reduce((n, s) => n + s.responses, 0);
    const spans = xs.reduce((n, s) => n + s.spans, 0);
    const bytes = xs.reduce((n, s) => n + s.bytes, 0);
    return `${spans} spans (${(spans / responses).toFixed(3)} per response, ${(bytes / Math.max(spans, 1)).toFixed(0)} B/span) for ${responses} responses`;
  };
  const setup = `${connections} connections, ${durationS} s after ${warmupS} s warm-up, ${repeats} fresh processes per variant, ${pinning.appCpus !== undefined ? 'app pinned to CPU 1, load generator + receiver to CPU 0' : 'not pinned'}`;
  const rows = [];
  if (raw['tracewire 100%'])
    rows.push(
      row(
        'HTTP load, traced/bare, 100% sampled',
        'req/s',
        rps('tracewire 100%'),
        rps('bare'),
        { op: '>=', limit: 0.8 },
        `${setup}; delivered ${delivered('tracewire 100%')}`,
      ),
    );
  if (raw['tracewire 10%'])
    rows.push(
      row(
        'HTTP load, traced/bare, 10% sampled',
        'req/s',
        rps('tracewire 10%'),
        rps('bare'),
        { op: '>=', limit: 0.95 },
        `delivered ${delivered('tracewire 10%')}`,
      ),
    );
  if (raw.stock)
    rows.push(
      row(
        'HTTP load, stock auto-instrumentations/bare, 100% (info)',
        'req/s',
        rps('stock'),
        rps('bare'),
        undefined,
        `delivered ${delivered('stock')}`,
      ),
    );
  // The same comparison in server CPU time per request (user + system of the app process over the measured window):
  // less sensitive to the other work on a shared machine than req/s. Traced/bare here is the inverse of the req/s ratio
  // when the server is saturated.
  const cpu = (name) => raw[name]?.map((s) => s.cpuUsPerReq);
  for (const name of ['tracewire 100%', 'tracewire 10%', 'stock']) {
    if (raw[name] && raw.bare) rows.push(row(`HTTP load, server CPU per request, ${name}/bare (info)`, 'µs/req', cpu(name), cpu('bare')));
  }
  return { rows, raw, setup };
}

/** The rows for bench/run.mjs (see `measure` for the raw samples). */
export async function run(options) {
  return (await measure(options)).rows;
}

function printTable({ rows, raw, setup }) {
  console.log(`express GET ${PATH} under autocannon (node ${process.version}): ${setup}`);
  console.log(
    `${'variant'.padEnd(16)} ${'req/s min/median/max'.padEnd(24)} ${'CPU µs/req'.padEnd(11)} ${'p99 ms'.padEnd(8)} ${'RSS MiB'.padEnd(8)} spans/resp  B/span  exports  tracewire stats`,
  );
  for (const [name, xs] of Object.entries(raw)) {
    const r = summarize(xs.map((s) => s.rps));
    const p99 = summarize(xs.map((s) => s.p99Ms)).median;
    const cpu = summarize(xs.map((s) => s.cpuUsPerReq)).median;
    const rss = summarize(xs.map((s) => s.maxRssMiB)).median;
    const responses = xs.reduce((n, s) => n + s.responses, 0);
    const spans = xs.reduce((n, s) => n + s.spans, 0);
    const bytes = xs.reduce((n, s) => n + s.bytes, 0);
    const exports = xs.reduce((n, s) => n + s.exports, 0);
    const stats = xs.map((s) => s.stats).filter(Boolean);
    const st = stats.length
      ? stats.reduce((a, s) => ({
          exported: a.exported + s.exported,
          dropped: a.dropped + s.dropped,
          failed: a.failed + s.failed,
          queued: a.queued + s.queued,
        }))
      : null;
    const errors = xs.reduce((n, s) => n + s.errors, 0);
    console.log(
      `${name.padEnd(16)} ${`${r.min.toFixed(0)}/${r.median.toFixed(0)}/${r.max.toFixed(0)}`.padEnd(24)} ${cpu.toFixed(0).padEnd(11)} ${p99.toFixed(1).padEnd(8)} ${rss.toFixed(1).padEnd(8)} ` +
        `${(spans / responses).toFixed(3).padEnd(11)} ${(spans ? bytes / spans : 0).toFixed(0).padEnd(7)} ${String(exports).padEnd(8)} ` +
        `${st ? JSON.stringify(st) : '-'}${errors ? `  ERRORS: ${errors}` : ''}`,
    );
    const names = {};
    for (const s of xs) for (const [n, c] of Object.entries(s.names)) names[n] = (names[n] ?? 0) + c;
    if (spans)
      console.log(
        `${''.padEnd(16)} span names: ${Object.entries(names)
          .map(([n, c]) => `${n} x${c}`)
          .join(', ')}`,
      );
    const warnings = [...new Set(xs.map((s) => s.warnings).filter(Boolean))];
    for (const w of warnings) console.log(`${''.padEnd(16)} stderr: ${w.split('\n')[0]}`);
  }
  for (const r of rows) {
    const bar = r.bar
      ? ` (bar ${r.bar.op} ${r.bar.limit}: ${(r.bar.op === '>=' ? r.ratio >= r.bar.limit : r.ratio <= r.bar.limit) ? 'met' : 'NOT met'})`
      : '';
    console.log(`${r.name}: ${r.ratio.toFixed(3)}${bar}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await measure({
    repeats: Number(process.argv[2] ?? 3),
    durationS: Number(process.argv[3] ?? 5),
    connections: Number(process.argv[4] ?? 32),
  });
  printTable(result);
}
