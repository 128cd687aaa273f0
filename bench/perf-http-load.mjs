// Where the CPU time of a request goes below JavaScript: the HTTP load of bench/http-load.mjs under Linux `perf`.
// `node --cpu-prof` (bench/profile-http-load.mjs) charges V8's inline-cache misses, megamorphic lookups and builtins
// to the JavaScript function that ran them and cannot see the kernel; `perf record` on the app process (all its
// threads, with `--perf-basic-prof` so JIT frames have names) does. Each variant runs in a fresh app process, pinned
// as in bench/http-load.mjs (pinLoadGenerator); samples of the measured window are grouped into categories and printed as CPU µs per
// request, side by side:
//   kernel            system calls and the loopback network stack (on loopback, the sender's CPU also runs the
//                     receiver's side and the wake-up of the load generator)
//   gc                V8's scavenger, marker and sweeper (main thread and helper threads)
//   v8 runtime        V8's C++ runtime: inline-cache misses, property lookups, map transitions, compilation
//   builtins          V8's builtins: megamorphic property loads, calls, promise and array built-ins
//   js: <package>     optimized or interpreted JavaScript, by file (tracewire's bundle, node:, express/router, ...)
//   native other      node's C++ and libc
// Usage: node bench/perf-http-load.mjs [durationS=5] [variant,variant,...]
// Variants: bare, dropped, 1%, 10%, 100%, 100%-no-export (the default is all six). Needs `perf` (Debian: linux-perf)
// and perf_event_paranoid <= 2; not run by `npm run bench`.
// The "js: <package>" rows rely on --perf-basic-prof's names, which can be stale where V8 reused code space (see
// bench/README.md "Profiling note"); the other categories do not depend on them.
import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReceiverProcess } from './lib/otlp-receiver.mjs';
import { pinLoadGenerator, startApp } from './http-load.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FREQUENCY = 4999;
const tracewire = (env) => ({ flags: ['--perf-basic-prof', '--import', 'tracewire/register'], env });
const VARIANTS = {
  bare: { flags: ['--perf-basic-prof'], env: {} },
  dropped: tracewire({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' }),
  '1%': tracewire({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' }),
  '10%': tracewire({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }),
  '100%-no-export': tracewire({ OTEL_TRACES_SAMPLER: 'parentbased_always_on', OTEL_TRACES_EXPORTER: 'none' }),
  '100%': tracewire({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }),
};

/** The category of one `perf report` line (its shared object and symbol). */
export function categoryOf(dso, symbol) {
  if (dso.includes('kernel')) return 'kernel';
  const js = /^JS:[*~^+]?\s*(.*)$/.exec(symbol);
  if (js) {
    const where = js[1];
    const nm = where.lastIndexOf('/node_modules/');
    if (nm >= 0) {
      const rest = where.slice(nm + '/node_modules/'.length).split('/');
      return `js: ${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
    }
    if (where.includes('/dist/')) return 'js: tracewire (dist/)';
    if (/(^|\s)node:/.test(where)) return 'js: node:';
    if (where.includes('/bench/fixtures/')) return 'js: app';
    return 'js: other';
  }
  if (/Scaveng|Marking|Mark[A-Z]|Sweep|Evacuat|GCTracer|Heap::Collect|ConcurrentMarking/.test(symbol)) return 'gc';
  if (symbol.startsWith('Builtins_')) return 'builtins';
  if (symbol.includes('v8::')) return 'v8 runtime';
  return 'native other';
}

/** Runs `variant` under load with `perf record` on the app for the measured window; µs per request by category. */
async function measure(variant, durationS, dataFile, pinning) {
  const receiver = await startReceiverProcess({ cpus: pinning.receiverCpus });
  const app = await startApp(variant, { endpoint: receiver.url, cpus: pinning.appCpus });
  try {
    await autocannon({ url: `${app.url}/api/users`, connections: 32, duration: 3 });
    const perf = spawn('perf', ['record', '-q', '-F', String(FREQUENCY), '-p', String(app.child.pid), '-o', dataFile], { stdio: 'ignore' });
    const result = await autocannon({ url: `${app.url}/api/users`, connections: 32, duration: durationS });
    perf.kill('SIGINT');
    await once(perf, 'exit');
    const requests = result['2xx'];
    const report = spawnSync('perf', ['report', '-i', dataFile, '--no-children', '--sort', 'dso,sym', '-n', '--stdio'], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    }).stdout;
    const categories = new Map();
    for (const line of report.split('\n')) {
      const m = /^\s+[\d.]+%\s+(\d+)\s+(.+?)\s+\[.\]\s+(.*)$/.exec(line);
      if (!m) continue;
      const us = ((Number(m[1]) / FREQUENCY) * 1e6) / requests;
      const category = categoryOf(m[2], m[3].trim());
      categories.set(category, (categories.get(category) ?? 0) + us);
    }
    return { categories, rps: requests / durationS };
  } finally {
    await app.stop();
    receiver.close();
    // --perf-basic-prof writes the JIT symbol map to /tmp and V8's log (isolate-*-<pid>-v8.log) to the app's folder.
    rmSync(`/tmp/perf-${app.child.pid}.map`, { force: true });
    for (const f of readdirSync(root))
      if (f.startsWith('isolate-') && f.endsWith(`-${app.child.pid}-v8.log`)) rmSync(join(root, f), { force: true });
    rmSync(dataFile, { force: true });
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  if (spawnSync('perf', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error('perf-http-load: `perf` is not installed (Debian: apt-get install linux-perf).');
    process.exit(2);
  }
  const durationS = Number(process.argv[2] ?? 5);
  const names = (process.argv[3] ?? Object.keys(VARIANTS).join(',')).split(',');
  for (const name of names) if (!VARIANTS[name]) throw new Error(`unknown variant ${name}; known: ${Object.keys(VARIANTS).join(', ')}`);
  const results = {};
  const pinning = pinLoadGenerator();
  try {
    for (const name of names)
      results[name] = await measure(VARIANTS[name], durationS, join(tmpdir(), `tracewire-perf-${process.pid}.data`), pinning);
  } finally {
    pinning.restore();
  }
  const categories = [...new Set(names.flatMap((n) => [...results[n].categories.keys()]))].sort();
  const cell = (s) => String(s).padStart(15);
  console.log(`CPU µs per request by category (perf record -F ${FREQUENCY}, ${durationS} s of autocannon, 32 connections)`);
  console.log('category'.padEnd(40) + names.map(cell).join(''));
  for (const c of categories) console.log(c.padEnd(40) + names.map((n) => cell((results[n].categories.get(c) ?? 0).toFixed(1))).join(''));
  const total = (n) => [...results[n].categories.values()].reduce((a, b) => a + b, 0);
  console.log('total'.padEnd(40) + names.map((n) => cell(total(n).toFixed(1))).join(''));
  console.log('req/s under perf'.padEnd(40) + names.map((n) => cell(results[n].rps.toFixed(0))).join(''));
}
