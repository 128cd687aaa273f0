// Request latency of an instrumented http server (test/fixtures/outage-server.cjs, tracewire with defaults) while
// its collector is up, down (connection refused) and silent (accepts, never answers), under the same closed-loop
// load. Prints p50/p99 per scenario and the p99 ratio against "collector up".
// Usage: node bench/collector-outage.mjs [windowMs=10000] [concurrency=8]
// `run({ windowMs, concurrency })` returns the rows, for the lead's harness.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { row } from './lib/stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A collector that answers 200 to everything, one that refuses connections, one that never answers. */
async function collector(kind) {
  if (kind === 'down') {
    const s = createNetServer().listen(0, '127.0.0.1');
    await once(s, 'listening');
    const { port } = s.address();
    s.close(); // nothing listens on this port any more: connection refused
    return { url: `http://127.0.0.1:${port}`, close: () => {} };
  }
  const sockets = [];
  const server =
    kind === 'up'
      ? createServer((req, res) => {
          req.resume();
          req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
        })
      : createNetServer((socket) => {
          sockets.push(socket);
          socket.resume();
        });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections?.();
      server.close();
    },
  };
}

async function startApp(endpoint) {
  const child = spawn(process.execPath, ['test/fixtures/outage-server.cjs'], {
    cwd: root,
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'bench-outage', OTEL_LOG_LEVEL: 'none' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  while (!/\{"port":\d+\}/.test(out)) await once(child.stdout, 'data');
  return { child, url: `http://127.0.0.1:${JSON.parse(/\{"port":\d+\}/.exec(out)[0]).port}` };
}

/** Closed-loop load for `ms`; returns every latency in ms and the error count. */
async function measure(url, ms, concurrency) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  let errors = 0;
  const end = Date.now() + ms;
  const one = () =>
    new Promise((done) => {
      const t0 = process.hrtime.bigint();
      request(`${url}/work?phase=bench`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          else errors++;
          done();
        });
      })
        .on('error', () => {
          errors++;
          done();
        })
        .end();
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) await one();
    }),
  );
  agent.destroy();
  return { latencies, errors };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export async function run({ windowMs = 10_000, concurrency = 8 } = {}) {
  const rows = [];
  for (const kind of ['up', 'down', 'silent']) {
    const c = await collector(kind);
    const app = await startApp(c.url);
    await measure(app.url, 2000, concurrency); // warm-up
    const { latencies, errors } = await measure(app.url, windowMs, concurrency);
    const stats = await (await fetch(`${app.url}/stats`)).json();
    app.child.kill('SIGKILL');
    c.close();
    latencies.sort((a, b) => a - b);
    rows.push({
      collector: kind,
      requests: latencies.length,
      errors,
      p50Ms: Number(percentile(latencies, 50).toFixed(3)),
      p99Ms: Number(percentile(latencies, 99).toFixed(3)),
      rssMiB: Number((stats.rss / 2 ** 20).toFixed(1)),
      dropped: stats.stats.dropped,
    });
  }
  const base = rows[0].p99Ms;
  for (const row of rows) row.p99VsUp = Number((row.p99Ms / base).toFixed(2));
  return rows;
}

/**
 * The outage scenarios as rows of `npm run bench` (see row() in lib/stats.mjs): request p99 and p50 with the collector
 * down or silent against up, one window each, so min = median = max.
 */
export async function runRows(options) {
  const rows = await run(options);
  const up = rows[0];
  const out = [];
  for (const r of rows.slice(1)) {
    const note = `${r.requests} requests (${up.requests} with the collector up), ${r.errors} failed, RSS ${r.rssMiB} MiB, ${r.dropped} spans dropped and counted`;
    out.push(
      row(
        `collector ${r.collector} vs up: request p99 (instrumented http server, closed loop)`,
        'ms',
        [r.p99Ms],
        [up.p99Ms],
        undefined,
        note,
      ),
    );
    out.push(row(`collector ${r.collector} vs up: request p50`, 'ms', [r.p50Ms], [up.p50Ms]));
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await run({ windowMs: Number(process.argv[2] ?? 10_000), concurrency: Number(process.argv[3] ?? 8) });
  console.table(rows);
}
