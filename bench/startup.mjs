// Startup cost of tracing an express hello-world: time from process start to "listening" and peak RSS,
// for bare node, `node --import tracewire/register` and the stock
// `node --require @opentelemetry/auto-instrumentations-node/register`, interleaved, median of RUNS.
// Usage: node bench/startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 15);
const app = 'bench/fixtures/express-hello.mjs';
const variants = [
  { name: 'bare node', flags: [] },
  { name: 'tracewire --import tracewire/register', flags: ['--import', 'tracewire/register'] },
  // Cloud resource detectors are turned off for the stock setup: on a machine without cloud metadata endpoints
  // they wait for network timeouts (seen here: 8.4 s), which would make the comparison unfair.
  { name: 'stock --require auto-instrumentations-node/register', flags: ['--require', '@opentelemetry/auto-instrumentations-node/register'], env: { OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process' } },
];
// Exporting goes nowhere reachable fast: a closed loopback port; nothing is exported before exit anyway.
const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_SERVICE_NAME: 'bench', OTEL_LOG_LEVEL: 'none', OTEL_TRACES_EXPORTER: 'otlp' };

const results = Object.fromEntries(variants.map((v) => [v.name, { ms: [], rss: [] }]));
for (let i = 0; i < runs + 1; i++) {
  for (const v of variants) {
    const out = spawnSync(process.execPath, [...v.flags, app], { cwd: root, env: { ...env, ...v.env }, encoding: 'utf8' });
    const line = out.stdout.split('\n').find((l) => l.startsWith('{'));
    if (!line) throw new Error(`${v.name} failed:\n${out.stderr}`);
    if (i === 0) continue; // warm-up round (file system cache)
    // Time from process start (performance.timeOrigin) to the server listening, as the app itself measures it.
    results[v.name].ms.push(JSON.parse(line).ready);
    results[v.name].rss.push(JSON.parse(line).maxRssKiB / 1024);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stats = (xs) => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs) });
const bare = results['bare node'];
console.log(`startup of an express hello-world, ${runs} interleaved runs each (node ${process.version})`);
for (const v of variants) {
  const r = results[v.name];
  const t = stats(r.ms);
  console.log(`${v.name.padEnd(52)} ms to listening min/median/max ${t.min.toFixed(0)}/${t.median.toFixed(0)}/${t.max.toFixed(0)}  peak RSS ${median(r.rss).toFixed(1)} MiB`);
}
const added = (name) => median(results[name].ms) - median(bare.ms);
const addedRss = (name) => median(results[name].rss) - median(bare.rss);
const tw = variants[1].name;
const stock = variants[2].name;
console.log(`added wall time: tracewire ${added(tw).toFixed(0)} ms, stock ${added(stock).toFixed(0)} ms; tracewire/stock = ${(added(tw) / added(stock)).toFixed(2)}`);
console.log(`added peak RSS: tracewire ${addedRss(tw).toFixed(1)} MiB, stock ${addedRss(stock).toFixed(1)} MiB`);
