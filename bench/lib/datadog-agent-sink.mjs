// A local Datadog agent stand-in for the load benchmarks: it answers the trace agent API that dd-trace sends to and
// counts the spans it receives, as bench/lib/otlp-receiver.mjs does for OTLP, so a dd-trace run that drops spans
// cannot look fast. Run as its own process so its work is not charged to the process being measured:
// `node bench/lib/datadog-agent-sink.mjs` prints {"port":N} once listening on 127.0.0.1 (PORT, default any port;
// point dd-trace at it with DD_AGENT_HOST=127.0.0.1 and DD_TRACE_AGENT_PORT=N).
//   PUT /v0.4/traces, /v0.5/traces -> 200 {"rate_by_service":{}} (what dd-trace's writer parses); the msgpack body is
//                                     decoded and its traces and spans counted, span names tallied
//   POST /dogstatsd/v2/proxy       -> 200 (dd-trace's DogStatsD client self-telemetry, ignored)
//   GET /__sink/counts             -> {"requests","bytes","traces","spans","other","names":{name:count}}
//   POST /__sink/reset             -> the counts, then zeroes them
//   anything else                  -> 404, counted as other
// `startDatadogSinkProcess()` spawns it and returns { url, port, counts(), reset(), close() }.
import { decode } from '@msgpack/msgpack';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const TRACES_PATH = /^\/v0\.([45])\/traces$/;
const AGENT_RESPONSE = JSON.stringify({ rate_by_service: {} });

/** Adds one span name to the tally. */
function tally(names, name) {
  if (typeof name === 'string') names[name] = (names[name] ?? 0) + 1;
}

/**
 * Counts the traces and spans of one trace agent payload and tallies span names into `names` (when given).
 * v0.4: an array of traces, each an array of span maps ({ name, resource, service, trace_id, ... }).
 * v0.5: [string table, traces], each span a 12-element array whose element 1 (name) is an index into the table.
 * Throws on a payload of neither shape.
 * @param {Uint8Array} body the msgpack request body
 * @param {'0.4'|'0.5'} version the API version from the request path
 * @param {Record<string, number>} [names]
 * @returns {{ traces: number, spans: number }}
 */
export function countAgentSpans(body, version, names) {
  const payload = decode(body, { useBigInt64: true });
  let strings = null;
  let traces = payload;
  if (version === '0.5') {
    if (!Array.isArray(payload) || payload.length !== 2 || !Array.isArray(payload[0])) throw new Error('not a v0.5 payload');
    [strings, traces] = payload;
  }
  if (!Array.isArray(traces)) throw new Error(`not a v${version} payload`);
  let spans = 0;
  for (const trace of traces) {
    if (!Array.isArray(trace)) throw new Error(`not a v${version} trace`);
    spans += trace.length;
    if (names === undefined) continue;
    for (const span of trace) tally(names, strings === null ? span?.name : strings[span?.[1]]);
  }
  return { traces: traces.length, spans };
}

const emptyCounts = () => ({ requests: 0, bytes: 0, traces: 0, spans: 0, other: 0, names: {} });

function serve() {
  let counts = emptyCounts();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const traces = TRACES_PATH.exec(req.url ?? '');
      if (traces !== null && (req.method === 'PUT' || req.method === 'POST')) {
        const body = Buffer.concat(chunks);
        counts.requests++;
        counts.bytes += body.length;
        try {
          const got = countAgentSpans(body, `0.${traces[1]}`, process.env.SINK_NAMES === '0' ? undefined : counts.names);
          counts.traces += got.traces;
          counts.spans += got.spans;
        } catch {
          counts.other++;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(AGENT_RESPONSE);
      } else if (req.url === '/dogstatsd/v2/proxy') {
        res.writeHead(200).end();
      } else if (req.url === '/__sink/counts') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
      } else if (req.method === 'POST' && req.url === '/__sink/reset') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
        counts = emptyCounts();
      } else {
        counts.other++;
        res.writeHead(404).end();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('error', (error) => {
    // A taken port must not leave the benchmark waiting: say so and exit.
    process.stderr.write(`datadog agent sink: ${error.message}\n`);
    process.exit(1);
  });
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`),
  );
}

/**
 * Starts the sink in a child process (pinned to `cpus`, e.g. '0', when given and taskset exists), on `port`
 * (default: any free port; 8126 is the agent's own).
 * @returns {Promise<{ url: string, port: number, counts(): Promise<object>, reset(): Promise<object>, close(): void }>}
 */
export async function startDatadogSinkProcess({ cpus, port = 0, names = true } = {}) {
  const [cmd, args] = cpus ? ['taskset', ['-c', cpus, process.execPath, here]] : [process.execPath, [here]];
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, PORT: String(port), SINK_NAMES: names ? '1' : '0' },
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c) => (out += c));
  while (!/\{"port":\d+\}/.test(out)) {
    const [chunk] = await Promise.race([once(child.stdout, 'data'), once(child, 'exit').then(() => [null])]);
    if (chunk === null) throw new Error(`the datadog agent sink exited before listening (port ${port})`);
  }
  const listening = JSON.parse(/\{"port":\d+\}/.exec(out)[0]).port;
  const url = `http://127.0.0.1:${listening}`;
  return {
    url,
    port: listening,
    counts: async () => (await fetch(`${url}/__sink/counts`)).json(),
    reset: async () => (await fetch(`${url}/__sink/reset`, { method: 'POST' })).json(),
    close: () => child.kill('SIGKILL'),
  };
}

if (process.argv[1] === here) serve();
