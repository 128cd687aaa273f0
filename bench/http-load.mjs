// Issue #8 bar 5 and issue 21: requests per second of an express endpoint under load, traced vs untraced, with the
// stock OpenTelemetry setup and dd-trace measured beside tracewire in the same run.
// Apps (bench/fixtures/, GET /api/users: express.json(), a router, an async step, JSON of 10 users), each on
// express 5 and express 4:
//   users  users-app.cjs, the async step is a setImmediate
//   lean   lean-users-app.cjs, the async step is a microtask (a request costs less, so the tracer's share is larger)
// Variants, each in a fresh child process per sample, driven by autocannon (programmatic API, from this process) on
// 127.0.0.1, at 1%, 10% and 100% sampling:
//   bare node | tracewire: --import tracewire/register (parentbased_traceidratio / parentbased_always_on) |
//   stock: --require @opentelemetry/auto-instrumentations-node/register (the same samplers) |
//   dd-trace: --require dd-trace/init (DD_TRACE_SAMPLE_RATE=1 at 100%; below, a sampling rule with "discard": true,
//   so that dropped traces are not encoded and sent either, as with the OpenTelemetry samplers)
// tracewire and stock export over OTLP http/protobuf to a local receiver (bench/lib/otlp-receiver.mjs), dd-trace sends
// to a local Datadog agent stand-in (bench/lib/datadog-agent-sink.mjs); each is its own process and counts the spans
// it gets, and every row prints spans delivered per response, so a variant that drops spans cannot look fast. With
// 2 cores, the app is pinned to CPU 1 and autocannon + receivers to CPU 0 (taskset).
// Each sample warms up 8 s by default, past the batch processor's first scheduled export (5 s after the first span),
// whose one-off costs (tracewire loads the exporter then; the export path is compiled) are not steady state.
// Usage: node bench/http-load.mjs [repeats=3] [durationS=5] [connections=32] [--apps users-5,lean-4,...]
//                                 [--variants bare,tracewire-10,...] [--warmup S]
//   --apps      among users-5, users-4, lean-5, lean-4 (default: all)
//   --variants  variant names (see VARIANTS; default: all)
//   BENCH_DD_AGENT_PORT  the sink's port (default: any free port; the real agent's is 8126)
// `run({ repeats, durationS, warmupS, connections, pin, apps, variants })` returns rows for bench/run.mjs; `measure()`
// also the samples.
import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readlinkSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDatadogSinkProcess } from './lib/datadog-agent-sink.mjs';
import { startReceiverProcess } from './lib/otlp-receiver.mjs';
import { interleave, row, summarize } from './lib/stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PATH = '/api/users';

/** Where http-load.mjs links express 4 as `node_modules/express` (see bench/fixtures/serve-bench-app.cjs). */
const EXPRESS4_LINK = join(root, 'bench', '.express4', 'node_modules', 'express');

/**
 * A `node_modules/express` symlink to the `express4` alias inside the repository (so express 4's hoisted dependencies
 * resolve from it), made once; returns its path.
 */
function express4Link() {
  const target = realpathSync(join(root, 'node_modules', 'express4'));
  let current = null;
  try {
    current = readlinkSync(EXPRESS4_LINK);
  } catch {
    // not made yet
  }
  if (current !== target) {
    rmSync(EXPRESS4_LINK, { force: true });
    mkdirSync(dirname(EXPRESS4_LINK), { recursive: true });
    symlinkSync(target, EXPRESS4_LINK, 'dir');
  }
  return EXPRESS4_LINK;
}

/** The apps: fixture file and express major. */
export const APPS = {
  'users-5': { label: 'users app, express 5', file: 'bench/fixtures/users-app.cjs', express: 5 },
  'users-4': { label: 'users app, express 4', file: 'bench/fixtures/users-app.cjs', express: 4 },
  'lean-5': { label: 'lean app, express 5', file: 'bench/fixtures/lean-users-app.cjs', express: 5 },
  'lean-4': { label: 'lean app, express 4', file: 'bench/fixtures/lean-users-app.cjs', express: 4 },
};

/** How the app process loads express `major`: extra node flags and environment. */
function expressSetup(major) {
  if (major !== 4) return { flags: [], env: {} };
  return { flags: ['--preserve-symlinks'], env: { BENCH_EXPRESS: express4Link() } };
}

const tracewire = (env) => ({ peer: 'tracewire', flags: ['--import', 'tracewire/register'], env });
const ratioSampler = (rate) => ({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(rate) });
// As the OTel docs show it, exporting traces only; cloud resource detectors off (they wait on network timeouts).
const stock = (env) => ({
  peer: 'stock',
  flags: ['--require', '@opentelemetry/auto-instrumentations-node/register'],
  env: {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    ...env,
  },
});
// dd-trace 6 with what it would do besides tracing switched off (docs/design/http-diagnostics-channels.md §4.2), and
// no rate limit (its default keeps 100 traces/s). No OTEL_* variable reaches it (it maps some of them).
const ddTrace = (env) => ({
  peer: 'dd-trace',
  agent: 'datadog',
  flags: ['--require', 'dd-trace/init'],
  env: {
    DD_SERVICE: 'bench-users',
    DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
    DD_REMOTE_CONFIGURATION_ENABLED: 'false',
    DD_RUNTIME_METRICS_ENABLED: 'false',
    DD_PROFILING_ENABLED: 'false',
    DD_APPSEC_ENABLED: 'false',
    DD_IAST_ENABLED: 'false',
    DD_CRASHTRACKING_ENABLED: 'false',
    DD_TRACE_STARTUP_LOGS: 'false',
    DD_CODE_ORIGIN_FOR_SPANS_ENABLED: 'false',
    DD_LOGS_INJECTION: 'false',
    DD_DATA_STREAMS_ENABLED: 'false',
    DD_DYNAMIC_INSTRUMENTATION_ENABLED: 'false',
    DD_TRACE_STATS_COMPUTATION_ENABLED: 'false',
    DD_TRACE_RATE_LIMIT: '-1',
    ...env,
  },
});
const ddDiscard = (rate) => ({ DD_TRACE_SAMPLING_RULES: JSON.stringify([{ sample_rate: rate, discard: true }]) });

/** The variants by name; `peer` is who traces (none for bare), `agent` where it sends (OTLP unless 'datadog'). */
export const VARIANTS = {
  bare: { peer: null, flags: [], env: {} },
  'tracewire 100%': tracewire({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }),
  'tracewire 10%': tracewire(ratioSampler(0.1)),
  'tracewire 1%': tracewire(ratioSampler(0.01)),
  'stock 100%': stock({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }),
  'stock 10%': stock(ratioSampler(0.1)),
  'stock 1%': stock(ratioSampler(0.01)),
  'dd-trace 100%': ddTrace({ DD_TRACE_SAMPLE_RATE: '1' }),
  'dd-trace 10%': ddTrace(ddDiscard(0.1)),
  'dd-trace 1%': ddTrace(ddDiscard(0.01)),
};
// The name bench/profile-http-load.mjs has always accepted for the stock setup.
Object.defineProperty(VARIANTS, 'stock', { value: VARIANTS['stock 100%'], enumerable: false });

const RATES = ['1%', '10%', '100%'];
/** The issue's bars on traced/bare req/s per sampling rate. */
const RATE_BARS = { '1%': 0.98, '10%': 0.95, '100%': 0.8 };
const PEERS = ['stock', 'dd-trace'];

/** The environment without the caller's OTEL_* / TRACEWIRE_* / DD_* settings. */
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(OTEL|TRACEWIRE|DD)_/.test(k)) env[k] = v;
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

/**
 * Starts `app` (a key of APPS, default users-5) with `variant`'s flags; resolves with its URL once it prints its port.
 * OTLP variants export to `endpoint`; dd-trace variants send to the agent sink on 127.0.0.1:`agentPort`.
 */
export async function startApp(variant, { endpoint, agentPort, app = 'users-5', cpus, extraFlags = [], extraEnv = {} }) {
  const { file, express } = APPS[app];
  const setup = expressSetup(express);
  const nodeArgs = [...setup.flags, ...extraFlags, ...variant.flags, file];
  const [cmd, args] = cpus ? ['taskset', ['-c', cpus, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const target =
    variant.agent === 'datadog'
      ? { DD_AGENT_HOST: '127.0.0.1', DD_TRACE_AGENT_PORT: String(agentPort) }
      : { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'bench-users' };
  const child = spawn(cmd, args, {
    cwd: root,
    env: { ...cleanEnv(), ...setup.env, ...target, ...variant.env, ...extraEnv },
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

/** One sample: fresh app process, warm-up, measured window, stop, and what reached the receiver or the agent sink. */
async function sample(variant, app, sinks, { warmupS, durationS, connections, appCpus }) {
  const receiver = variant.agent === 'datadog' ? sinks.datadog : sinks.otlp;
  await receiver.reset();
  let started;
  for (let attempt = 1; started === undefined; attempt++) {
    try {
      started = await startApp(variant, { endpoint: sinks.otlp.url, agentPort: sinks.datadog.port, app, cpus: appCpus });
    } catch (error) {
      // A shared working tree: a concurrent `npm run build` removes dist/ for a few seconds.
      if (attempt >= 5 || !/Cannot find (module|package)/.test(error.message)) throw error;
      await new Promise((r) => setTimeout(r, 5000));
    }
  }
  const warm = await load(started.url, warmupS, connections);
  started.child.kill('SIGUSR2');
  const result = await load(started.url, durationS, connections);
  started.child.kill('SIGUSR2');
  const { exit, stderr } = await started.stop();
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

/** "N spans (x per response, y B/span) for M responses" over the samples `xs`. */
function delivered(xs) {
  const responses = xs.reduce((n, s) => n + s.responses, 0);
  const spans = xs.reduce((n, s) => n + s.spans, 0);
  const bytes = xs.reduce((n, s) => n + s.bytes, 0);
  return `${spans} spans (${(spans / responses).toFixed(3)} per response, ${(bytes / Math.max(spans, 1)).toFixed(0)} B/span) for ${responses} responses`;
}

/** `{ median, ratio }` of a peer's req/s beside bare's, for the row's `peers`. */
function peerFigure(samples, bareMedian) {
  const median = summarize(samples.map((s) => s.rps)).median;
  return { median, ratio: median / bareMedian };
}

/** The rows of one app: traced/bare req/s per sampling rate (peers beside tracewire), and the added-CPU bar. */
export function appRows(appKey, raw, setup) {
  const label = APPS[appKey].label;
  const rows = [];
  if (!raw.bare) return rows;
  const rps = (name) => raw[name].map((s) => s.rps);
  const bareRps = summarize(rps('bare')).median;
  for (const rate of RATES) {
    const own = raw[`tracewire ${rate}`];
    if (!own) continue;
    const peers = {};
    const notes = [`tracewire delivered ${delivered(own)}`];
    for (const peer of PEERS) {
      const xs = raw[`${peer} ${rate}`];
      if (!xs) continue;
      peers[peer] = peerFigure(xs, bareRps);
      notes.push(`${peer} delivered ${delivered(xs)}`);
    }
    const r = row(`HTTP load, ${label}, traced/bare, ${rate} sampled`, 'req/s', rps(`tracewire ${rate}`), rps('bare'), {
      op: '>=',
      limit: RATE_BARS[rate],
    });
    rows.push({ ...r, peers, note: `${rows.length === 0 ? `${setup}; ` : ''}${notes.join('; ')}` });
  }
  // CPU that tracewire adds per request over bare, against what the stock setup adds, both at 100% (issue 21 bar 2):
  // server CPU time per response of the app process over the measured window, the bare median subtracted.
  const cpu = (name) => raw[name].map((s) => s.cpuUsPerReq);
  if (raw['tracewire 100%'] && raw['stock 100%']) {
    const bareCpu = summarize(cpu('bare')).median;
    const added = (name) => cpu(name).map((x) => x - bareCpu);
    const r = row(
      `HTTP load, ${label}, server CPU added per request, tracewire/stock, 100% sampled`,
      'µs/req',
      added('tracewire 100%'),
      added('stock 100%'),
      {
        op: '<=',
        limit: 0.25,
      },
    );
    const peers = raw['dd-trace 100%'] ? { 'dd-trace': { median: summarize(added('dd-trace 100%')).median } } : {};
    if (peers['dd-trace']) peers['dd-trace'].ratio = peers['dd-trace'].median / r.stock.median;
    rows.push({ ...r, peers, note: `bare ${bareCpu.toFixed(1)} µs/req; the ratio is of the CPU each adds over bare` });
  }
  return rows;
}

/** Runs every variant `repeats` times per app, interleaved; returns the rows plus the raw samples per app. */
export async function measure({
  repeats = 3,
  durationS = 5,
  warmupS = 8,
  connections = 32,
  pin = true,
  apps = Object.keys(APPS),
  variants = Object.keys(VARIANTS),
} = {}) {
  for (const a of apps) if (!APPS[a]) throw new Error(`unknown app ${a}; known: ${Object.keys(APPS).join(', ')}`);
  for (const v of variants) if (!VARIANTS[v]) throw new Error(`unknown variant ${v}; known: ${Object.keys(VARIANTS).join(', ')}`);
  const pinning = pinLoadGenerator(pin);
  const otlp = await startReceiverProcess({ cpus: pinning.receiverCpus });
  let datadog;
  try {
    datadog = await startDatadogSinkProcess({ cpus: pinning.receiverCpus, port: Number(process.env.BENCH_DD_AGENT_PORT ?? 0) });
  } catch (error) {
    otlp.close();
    pinning.restore();
    throw error;
  }
  const sinks = { otlp, datadog };
  const opts = { warmupS, durationS, connections, appCpus: pinning.appCpus };
  const raw = {};
  try {
    for (const app of apps) {
      raw[app] = await interleave(Object.fromEntries(variants.map((name) => [name, () => sample(VARIANTS[name], app, sinks, opts)])), {
        repeats,
        warmup: 0,
      });
    }
  } finally {
    otlp.close();
    datadog.close();
    pinning.restore();
  }
  const setup = `${connections} connections, ${durationS} s after ${warmupS} s warm-up, ${repeats} fresh processes per variant, ${pinning.appCpus !== undefined ? 'app pinned to CPU 1, load generator + receivers to CPU 0' : 'not pinned'}`;
  const rows = apps.flatMap((app) => appRows(app, raw[app], setup));
  return { rows, raw, setup };
}

/** The rows for bench/run.mjs (see `measure` for the raw samples). */
export async function run(options) {
  return (await measure(options)).rows;
}

function printTable({ rows, raw, setup }) {
  console.log(`express GET ${PATH} under autocannon (node ${process.version}): ${setup}`);
  for (const [app, byVariant] of Object.entries(raw)) {
    console.log(`\n${APPS[app].label}`);
    console.log(
      `${'variant'.padEnd(16)} ${'req/s min/median/max'.padEnd(24)} ${'CPU µs/req'.padEnd(11)} ${'p99 ms'.padEnd(8)} ${'RSS MiB'.padEnd(8)} spans/resp  B/span  exports  tracewire stats`,
    );
    for (const [name, xs] of Object.entries(byVariant)) {
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
  }
  console.log('');
  for (const r of rows) {
    const bar = r.bar
      ? ` (bar ${r.bar.op} ${r.bar.limit}: ${(r.bar.op === '>=' ? r.ratio >= r.bar.limit : r.ratio <= r.bar.limit) ? 'met' : 'NOT met'})`
      : '';
    const peers = Object.entries(r.peers ?? {})
      .map(([p, f]) => `${p} ${f.ratio === undefined ? '-' : f.ratio.toFixed(3)}`)
      .join(', ');
    console.log(`${r.name}: tracewire ${r.ratio.toFixed(3)}${bar}${peers ? `; ${peers}` : ''}`);
  }
}

/** The value of `--name` in argv, split on commas, or undefined. */
function listOption(argv, name) {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1].split(',');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const positional = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
  const variants = listOption(argv, '--variants')?.map((v) => v.replace(/-(\d+)$/, ' $1%'));
  const warmup = listOption(argv, '--warmup');
  const t0 = performance.now();
  const result = await measure({
    repeats: Number(positional[0] ?? 3),
    durationS: Number(positional[1] ?? 5),
    connections: Number(positional[2] ?? 32),
    ...(warmup ? { warmupS: Number(warmup[0]) } : {}),
    apps: listOption(argv, '--apps'),
    variants,
  });
  printTable(result);
  console.log(`\nhttp-load took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
