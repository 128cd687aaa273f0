// Issue 21: where the CPU that tracewire adds to an HTTP request goes, by part. Each variant runs the express app of
// bench/http-load.mjs in a fresh process at the same fixed request rate (so every variant does the same work per
// second and the server is never saturated: no variant gets cheaper requests from fuller batches), and the app's
// own CPU time over the measured window is divided by the responses (user + system, all threads). Variants,
// interleaved, `repeats` fresh processes each, medians:
//   bare                       no tracer
//   context only               bench/fixtures/context-only.cjs: one AsyncLocalStorage.run() per request, no tracer
//   dropped, http              tracewire, OTEL_TRACES_SAMPLER=always_off, only the http instrumentation
//   dropped                    tracewire, always_off, every instrumentation (express layers included)
//   100%, http, no export      tracewire, always_on, only http, OTEL_TRACES_EXPORTER=none (spans made, not sent)
//   100%, no export            tracewire, always_on, every instrumentation, not sent
//   100%                       tracewire, always_on, sent over OTLP http/protobuf to bench/lib/otlp-receiver.mjs
//   100%, all layers (...)     the same two with TRACEWIRE_EXPRESS_LAYERS=all (middleware and router spans too)
//   1%, 10%                    tracewire, parentbased_traceidratio, sent
// The parts are differences of those medians:
//   request context (floor)        context only − bare
//   http server, dropped request   dropped, http − bare   (sampling decision, context, patched emits)
//   express layers, dropped        dropped − dropped, http
//   server span, recorded          100%, http, no export − dropped, http
//   express handler spans, recorded (100%, no export − 100%, http, no export) − (dropped − dropped, http)
//   middleware and router spans    100%, all layers, no export − 100%, no export   (TRACEWIRE_EXPRESS_LAYERS=all)
//     and their export             (100%, all layers − 100%, all layers, no export) − (100% − 100%, no export)
//   export: encoding               spans per request × µs per span of tracewire's OTLP encoder, timed in this process
//   export: transport and batching 100% − 100%, no export − encoding
// Usage: node bench/http-cost-breakdown.mjs [repeats=3] [durationS=5] [--app users-5|lean-5|users-4|lean-4] [--rate 4000]
//                                           [--warmup 8]   (--warmup 2 puts the first scheduled export in the window)
// Not run by `npm run bench` (about 9 minutes per app); the closing note of issue 21 quotes its output.
import autocannon from 'autocannon';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReceiverProcess } from './lib/otlp-receiver.mjs';
import { interleave, median } from './lib/stats.mjs';
import { APPS, pinLoadGenerator, startApp, VARIANTS } from './http-load.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tracewire = VARIANTS['tracewire 100%'];
const withEnv = (env) => ({ ...tracewire, env: { ...tracewire.env, ...env } });
const OFF = { OTEL_TRACES_SAMPLER: 'always_off' };
const HTTP_ONLY = { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http' };
const NO_EXPORT = { OTEL_TRACES_EXPORTER: 'none' };
const ALL_LAYERS = { TRACEWIRE_EXPRESS_LAYERS: 'all' };

export const BREAKDOWN_VARIANTS = {
  bare: VARIANTS.bare,
  'context only': { peer: null, flags: ['--require', join(root, 'bench', 'fixtures', 'context-only.cjs')], env: {} },
  'dropped, http': withEnv({ ...OFF, ...HTTP_ONLY }),
  dropped: withEnv(OFF),
  '100%, http, no export': withEnv({ ...HTTP_ONLY, ...NO_EXPORT }),
  '100%, no export': withEnv(NO_EXPORT),
  '100%': tracewire,
  '100%, all layers, no export': withEnv({ ...ALL_LAYERS, ...NO_EXPORT }),
  '100%, all layers': withEnv(ALL_LAYERS),
  '1%': VARIANTS['tracewire 1%'],
  '10%': VARIANTS['tracewire 10%'],
};

/**
 * One sample: fresh app, `warmupS` of warm-up and `durationS` measured, both at `rate` requests per second. The
 * warm-up outlasts the batch processor's first scheduled export (5 s): before it, the first export loads the exporter
 * and the export path is compiled, one-off costs that would otherwise be charged to every request of the window.
 */
async function sample(variant, app, receiver, { durationS, warmupS, rate, appCpus }) {
  const started = await startApp(variant, { endpoint: receiver.url, app, cpus: appCpus });
  const load = (duration) => autocannon({ url: `${started.url}/api/users`, connections: 32, duration, overallRate: rate });
  const warm = await load(warmupS);
  started.child.kill('SIGUSR2');
  const result = await load(durationS);
  started.child.kill('SIGUSR2');
  const { exit } = await started.stop();
  const counts = await receiver.reset();
  const cpuUs = exit?.window?.cpuMs ? (exit.window.cpuMs * 1000) / result['2xx'] : NaN;
  // Every span of the run reaches the receiver (the app flushes at exit), so spans are counted per response of the run.
  return { cpuUs, rps: result['2xx'] / result.duration, spans: counts.spans, responses: warm['2xx'] + result['2xx'] };
}

/**
 * CPU µs per span of tracewire's OTLP/protobuf encoder (dist/bench-internals.js), on bench/otlp-encoding.mjs's spans
 * (3-8 attributes each, some events: at least as rich as the express app's).
 */
async function encodingUsPerSpan() {
  const { encodingSample } = await import('./otlp-encoding.mjs');
  return encodingSample();
}

export async function breakdown({ repeats = 3, durationS = 5, warmupS = 8, app = 'users-5', rate = 4000 } = {}) {
  if (!APPS[app]) throw new Error(`unknown app ${app}; known: ${Object.keys(APPS).join(', ')}`);
  const pinning = pinLoadGenerator();
  const receiver = await startReceiverProcess({ cpus: pinning.receiverCpus });
  let raw;
  try {
    await receiver.reset();
    const opts = { durationS, warmupS, rate, appCpus: pinning.appCpus };
    raw = await interleave(
      Object.fromEntries(Object.entries(BREAKDOWN_VARIANTS).map(([name, v]) => [name, () => sample(v, app, receiver, opts)])),
      { repeats, warmup: 0 },
    );
  } finally {
    receiver.close();
    pinning.restore();
  }
  const cpu = Object.fromEntries(Object.entries(raw).map(([name, xs]) => [name, median(xs.map((x) => x.cpuUs))]));
  const spansPerResponse = raw['100%'].reduce((n, x) => n + x.spans, 0) / raw['100%'].reduce((n, x) => n + x.responses, 0);
  const encoding = spansPerResponse * (await encodingUsPerSpan());
  const parts = [
    ['request context (floor: one AsyncLocalStorage.run, no tracer)', cpu['context only'] - cpu.bare],
    ['http server, dropped request (sampling, context, patched emits)', cpu['dropped, http'] - cpu.bare],
    ['express layers, dropped request', cpu.dropped - cpu['dropped, http']],
    ['server span, recorded (no export)', cpu['100%, http, no export'] - cpu['dropped, http']],
    [
      'express layer spans (route handlers), recorded (no export)',
      cpu['100%, no export'] - cpu['100%, http, no export'] - (cpu.dropped - cpu['dropped, http']),
    ],
    [`export: encoding (${spansPerResponse.toFixed(2)} spans/request)`, encoding],
    ['export: transport and batching', cpu['100%'] - cpu['100%, no export'] - encoding],
    ['middleware and router spans (TRACEWIRE_EXPRESS_LAYERS=all), recorded', cpu['100%, all layers, no export'] - cpu['100%, no export']],
    [
      'middleware and router spans (TRACEWIRE_EXPRESS_LAYERS=all), their export',
      cpu['100%, all layers'] - cpu['100%, all layers, no export'] - (cpu['100%'] - cpu['100%, no export']),
    ],
  ];
  return {
    raw,
    cpu,
    parts,
    setup: `${APPS[app].label}, ${rate} req/s fixed, ${durationS} s after ${warmupS} s warm-up, ${repeats} fresh processes per variant`,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = argv.indexOf(name);
    if (i < 0) return fallback;
    const [value] = argv.splice(i, 2).slice(1);
    return value;
  };
  const app = option('--app', 'users-5');
  const rate = Number(option('--rate', '4000'));
  const warmupS = Number(option('--warmup', '8'));
  const [repeats = '3', durationS = '5'] = argv;
  const { raw, cpu, parts, setup } = await breakdown({ repeats: Number(repeats), durationS: Number(durationS), warmupS, app, rate });
  console.log(`Server CPU per request (${setup}, Node.js ${process.versions.node})`);
  for (const [name, xs] of Object.entries(raw))
    console.log(
      `  ${name.padEnd(24)} ${cpu[name].toFixed(1).padStart(7)} µs  (samples ${xs.map((x) => x.cpuUs.toFixed(1)).join(', ')}; ${xs[0].rps.toFixed(0)} req/s)`,
    );
  console.log('Parts (differences of the medians above):');
  for (const [name, us] of parts) console.log(`  ${name.padEnd(66)} ${us.toFixed(1).padStart(7)} µs`);
}
