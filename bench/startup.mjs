// Startup cost of tracing an express hello-world: time from process start to "listening" and peak RSS,
// for bare node, `node --import tracewire/register` and the stock
// `node --require @opentelemetry/auto-instrumentations-node/register`, interleaved, paired per round.
//
// The app lives in a temporary directory whose node_modules holds only express, tracewire and the stock
// packages (symlinks into this repo), as a real hello-world would: run from the repo, tracewire would also
// find pg, ioredis and @grpc/grpc-js (dev dependencies here) and rightly load their instrumentations.
//
// Usage: npm run build && node bench/startup.mjs [runs]     (`run({ runs })` returns the rows for bench/run.mjs)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printRows } from './lib/print-rows.mjs';
import { median, row, summarize } from './lib/stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The absolute limits (bar 4), used as constant baselines of the rows that check them. */
const LIMIT_MS = 150;
const LIMIT_RSS_MIB = 20;

const STOCK_REGISTER = ['--require', '@opentelemetry/auto-instrumentations-node/register'];
// Cloud resource detectors off: the stricter comparison (the stock setup does less at startup), used for the bar.
const DETECTORS_OFF = { OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process' };
const VARIANTS = [
  { name: 'bare node', flags: [] },
  { name: 'tracewire: --import tracewire/register', flags: ['--import', 'tracewire/register'] },
  // The ESM hooks on a loader thread (module.register), as before Node.js 22.22.3/24.11.1 or with this variable.
  {
    name: 'tracewire, ESM hooks on a loader thread (TRACEWIRE_ESM_HOOKS=thread)',
    flags: ['--import', 'tracewire/register'],
    env: { TRACEWIRE_ESM_HOOKS: 'thread' },
  },
  { name: 'stock: --require .../register, detectors env,host,os,process', flags: STOCK_REGISTER, env: DETECTORS_OFF },
  // As the OTel getting-started docs show it (all detectors; the cloud ones wait on metadata endpoints, which
  // delays exit by about 8 s here, not the listening time: the bench stops each app once it printed its line).
  { name: 'stock: --require .../register, default detectors (docs)', flags: STOCK_REGISTER },
  // The stock setup that also instruments ES modules, as tracewire does (the docs' ESM section).
  {
    name: 'stock, ESM-capable: + --experimental-loader=@opentelemetry/instrumentation/hook.mjs',
    flags: ['--experimental-loader=@opentelemetry/instrumentation/hook.mjs', ...STOCK_REGISTER],
    env: DETECTORS_OFF,
  },
];
const [BARE, TRACEWIRE, TRACEWIRE_THREAD, STOCK, STOCK_DOCS, STOCK_ESM] = VARIANTS.map((v) => v.name);

/** A hello-world app directory: app.mjs plus node_modules symlinks to express, tracewire and the stock packages. */
function createApp() {
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-startup-'));
  const link = (name, target) => {
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(target, join(dir, 'node_modules', name), 'dir');
  };
  link('express', join(root, 'node_modules/express'));
  link('tracewire', root);
  link('@opentelemetry/auto-instrumentations-node', join(root, 'node_modules/@opentelemetry/auto-instrumentations-node'));
  link('@opentelemetry/instrumentation', join(root, 'node_modules/@opentelemetry/instrumentation'));
  writeFileSync(join(dir, 'package.json'), '{ "name": "hello", "private": true }\n');
  writeFileSync(
    join(dir, 'app.mjs'),
    `import express from 'express';\n\nconst app = express();\napp.get('/', (_req, res) => res.send('hello'));\n` +
      `const server = app.listen(0, '127.0.0.1', () => {\n` +
      `  process.stdout.write(\`\${JSON.stringify({ ready: performance.now(), maxRssKiB: process.resourceUsage().maxRSS })}\\n\`);\n` +
      `  server.close();\n});\n`,
  );
  return dir;
}

// Exporting goes nowhere reachable: a closed loopback port; nothing is exported before the app is stopped anyway.
const ENV = {
  ...process.env,
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
  OTEL_SERVICE_NAME: 'bench',
  OTEL_LOG_LEVEL: 'none',
  OTEL_TRACES_EXPORTER: 'otlp',
};

/** Starts the app once; resolves `{ ms, rssMiB }` from its line (time from process start to listening, peak RSS). */
function startOnce(dir, variant) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...variant.flags, 'app.mjs'], { cwd: dir, env: { ...ENV, ...variant.env } });
    let out = '';
    let err = '';
    let done = false;
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{') && l.endsWith('}'));
      if (line === undefined || done) return;
      done = true;
      const { ready, maxRssKiB } = JSON.parse(line);
      child.kill('SIGKILL'); // the stock setup with cloud detectors would otherwise take seconds to exit
      child.once('exit', () => resolvePromise({ ms: ready, rssMiB: maxRssKiB / 1024 }));
    });
    child.stderr.on('data', (chunk) => (err += chunk));
    child.once('exit', (code) => {
      if (!done) reject(new Error(`${variant.name} exited with ${code} before listening:\n${err}`));
    });
  });
}

/**
 * Runs every variant `runs` times after one warm-up round (file system cache), interleaved and in alternating
 * order, and returns the samples per variant: absolute ms/MiB and, paired with bare node of the same round,
 * added ms/MiB.
 */
export async function measure({ runs = 9 } = {}) {
  const dir = createApp();
  try {
    const samples = Object.fromEntries(VARIANTS.map((v) => [v.name, { ms: [], rss: [], addedMs: [], addedRss: [] }]));
    for (let round = 0; round <= runs; round++) {
      const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
      const results = {};
      for (const v of order) results[v.name] = await startOnce(dir, v);
      if (round === 0) continue;
      for (const v of VARIANTS) {
        const s = samples[v.name];
        s.ms.push(results[v.name].ms);
        s.rss.push(results[v.name].rssMiB);
        s.addedMs.push(results[v.name].ms - results[BARE].ms);
        s.addedRss.push(results[v.name].rssMiB - results[BARE].rssMiB);
      }
    }
    return samples;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The rows of bar 4 (see bench/run.mjs); `samples` from {@link measure}, measured when omitted. */
export async function run({ runs = 9, samples } = {}) {
  const s = samples ?? (await measure({ runs }));
  const constant = (value) => s[TRACEWIRE].addedMs.map(() => value);
  const tw = s[TRACEWIRE];
  return [
    row(
      'startup: added ms to listening, tracewire/stock (stock with detectors env,host,os,process)',
      'ms',
      tw.addedMs,
      s[STOCK].addedMs,
      { op: '<=', limit: 0.2 },
      'added = ms to listening minus bare node in the same round; the stricter stock variant (cloud detectors off) is the bar',
    ),
    row(
      `startup: added ms to listening, tracewire/${LIMIT_MS} ms limit`,
      'ms',
      tw.addedMs,
      constant(LIMIT_MS),
      { op: '<=', limit: 1 },
      `baseline is the constant limit of ${LIMIT_MS} ms, so the ratio is the share of the limit used`,
    ),
    row(
      `startup: added peak RSS, tracewire/${LIMIT_RSS_MIB} MiB limit`,
      'MiB',
      tw.addedRss,
      constant(LIMIT_RSS_MIB),
      { op: '<=', limit: 1 },
      `baseline is the constant limit of ${LIMIT_RSS_MIB} MiB; peak RSS is process.resourceUsage().maxRSS when listening`,
    ),
    row(
      'startup: added ms, tracewire/stock with default detectors (as the OTel docs show it)',
      'ms',
      tw.addedMs,
      s[STOCK_DOCS].addedMs,
      undefined,
      'information',
    ),
    row(
      'startup: added ms, tracewire/stock ESM-capable (--experimental-loader hook.mjs, detectors off)',
      'ms',
      tw.addedMs,
      s[STOCK_ESM].addedMs,
      undefined,
      'information: the stock --require setup does not instrument ES module imports; tracewire does',
    ),
    row(
      'startup: added ms, tracewire in-thread ESM hooks (module.registerHooks)/loader thread (module.register)',
      'ms',
      tw.addedMs,
      s[TRACEWIRE_THREAD].addedMs,
      undefined,
      'information',
    ),
    row(
      'startup: added peak RSS, tracewire in-thread ESM hooks/loader thread',
      'MiB',
      tw.addedRss,
      s[TRACEWIRE_THREAD].addedRss,
      undefined,
      'information',
    ),
    row('startup: added peak RSS, tracewire/stock (detectors off)', 'MiB', tw.addedRss, s[STOCK].addedRss, undefined, 'information'),
    row('startup: ms to listening, tracewire/bare node', 'ms', tw.ms, s[BARE].ms, undefined, 'information'),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.argv[2] ?? 9);
  const samples = await measure({ runs });
  const fmt = (xs) => {
    const t = summarize(xs);
    return `${t.min.toFixed(0)} / ${t.median.toFixed(0)} / ${t.max.toFixed(0)}`;
  };
  console.log(`startup of an express hello-world, ${runs} interleaved runs each after a warm-up (node ${process.version})\n`);
  console.log(`| variant | ms to listening min/median/max | added ms (median of paired) | peak RSS MiB | added RSS MiB |`);
  console.log(`|---|---|---|---|---|`);
  for (const v of VARIANTS) {
    const r = samples[v.name];
    const added = v.name === BARE ? '-' : `+${median(r.addedMs).toFixed(0)}`;
    const addedRss = v.name === BARE ? '-' : `+${median(r.addedRss).toFixed(1)}`;
    console.log(`| ${v.name} | ${fmt(r.ms)} | ${added} | ${median(r.rss).toFixed(1)} | ${addedRss} |`);
  }
  console.log('');
  process.exitCode = printRows(await run({ samples })) ? 0 : 1;
}
