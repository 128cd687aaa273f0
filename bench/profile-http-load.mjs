// Where the per-request time of a traced express server goes: runs one variant of bench/http-load.mjs with
// `node --cpu-prof` under the same autocannon load, then prints the profile (a) by package, with Node.js internals
// and native frames charged to the nearest calling package (so `Buffer.toString` called by the ID generator counts
// for the SDK), and (b) the top functions by self time.
// Usage: node bench/profile-http-load.mjs ["tracewire 100%"|"tracewire 10%"|bare|stock] [durationS=8] [connections=32]
// The .cpuprofile file is kept in a temporary folder (its path is printed) for Chrome DevTools.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startReceiverProcess } from './lib/otlp-receiver.mjs';
import { pinLoadGenerator, startApp, VARIANTS } from './http-load.mjs';

/** The package (or area) a profile frame belongs to, from its URL. */
export function areaOf(url, functionName) {
  if (url === '') {
    if (functionName === '(garbage collector)' || functionName === '(idle)' || functionName === '(program)') return functionName;
    return null; // native: charged to the caller
  }
  if (url.startsWith('node:')) return null; // Node.js internals: charged to the caller
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.includes('/dist/')) return 'tracewire (src/)';
  if (url.includes('/bench/fixtures/')) return 'app';
  return url;
}

// dist/ bundles the SDK and the instrumentation packages: frames there are mapped back through the build's source
// maps to the file they came from, so the breakdown names e.g. @opentelemetry/instrumentation-http, not "tracewire".
const sourceMaps = new Map();
function originalFrame(callFrame) {
  const { url, lineNumber, columnNumber } = callFrame;
  if (!url.includes('/dist/')) return callFrame;
  if (!sourceMaps.has(url)) {
    const file = `${url.startsWith('file:') ? fileURLToPath(url) : url}.map`;
    sourceMaps.set(url, existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : null);
  }
  const entry = sourceMaps.get(url)?.findEntry(lineNumber, columnNumber);
  if (!entry?.originalSource) return callFrame;
  const source = entry.originalSource.replace(/^(\.\.\/)+/, '/');
  const inPackage = source.includes('/node_modules/');
  return {
    functionName: callFrame.functionName,
    url: inPackage ? source : `/dist/${source.replace(/^\/?src\//, 'src/')}`,
    lineNumber: entry.originalLine,
  };
}

/** Aggregates a V8 .cpuprofile: milliseconds per area and per function (self time). */
export function summarizeProfile(profile) {
  for (const n of profile.nodes) n.callFrame = originalFrame(n.callFrame);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfMs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const areas = new Map();
  const functions = new Map();
  let total = 0;
  for (const [id, ms] of selfMs) {
    total += ms;
    const node = byId.get(id);
    const { functionName, url, lineNumber } = node.callFrame;
    const fnKey = `${functionName || '(anonymous)'} ${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/(dist|bench)\//, '$1/')}:${lineNumber + 1}`;
    functions.set(fnKey, (functions.get(fnKey) ?? 0) + ms);
    let area = areaOf(url, functionName);
    let up = id;
    while (area === null) {
      up = parent.get(up);
      if (up === undefined) {
        area = '(node internals, no package caller)';
        break;
      }
      const p = byId.get(up).callFrame;
      area = areaOf(p.url, p.functionName);
    }
    areas.set(area, (areas.get(area) ?? 0) + ms);
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs: total, areas: sorted(areas), functions: sorted(functions) };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const name = process.argv[2] ?? 'tracewire 100%';
  const durationS = Number(process.argv[3] ?? 8);
  const connections = Number(process.argv[4] ?? 32);
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-prof-'));
  // Pinned as in bench/http-load.mjs: the app on CPU 1, autocannon and the receiver on CPU 0.
  const pinning = pinLoadGenerator();
  const receiver = await startReceiverProcess({ cpus: pinning.receiverCpus });
  const app = await startApp(VARIANTS[name], {
    endpoint: receiver.url,
    cpus: pinning.appCpus,
    extraFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  const warm = await autocannon({ url: `${app.url}/api/users`, connections, duration: 2 });
  const result = await autocannon({ url: `${app.url}/api/users`, connections, duration: durationS });
  await app.stop();
  receiver.close();
  pinning.restore();
  const file = join(
    dir,
    readdirSync(dir).find((f) => f.endsWith('.cpuprofile')),
  );
  const { totalMs, areas, functions } = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')));
  const busy = totalMs - (areas.find(([a]) => a === '(idle)')?.[1] ?? 0);
  const requests = result['2xx'] + warm['2xx'];
  console.log(`${name}: ${(result['2xx'] / result.duration).toFixed(0)} req/s measured under the profiler; profile ${file}`);
  console.log(
    `busy (non-idle) time ${busy.toFixed(0)} ms over the whole run including startup, ${((busy * 1000) / requests).toFixed(0)} µs per request`,
  );
  console.log('\nself time by package (Node.js internals and native frames charged to the calling package):');
  const us = (ms) => ((ms * 1000) / requests).toFixed(1).padStart(6);
  for (const [area, ms] of areas)
    if (ms / busy >= 0.005 && area !== '(idle)') console.log(`  ${((100 * ms) / busy).toFixed(1).padStart(5)}% ${us(ms)} µs/req  ${area}`);
  console.log('\ntop functions by self time:');
  for (const [fn, ms] of functions.filter(([f]) => !f.startsWith('(idle)')).slice(0, 30))
    console.log(`  ${((100 * ms) / busy).toFixed(1).padStart(5)}% ${us(ms)} µs/req  ${fn}`);
}
