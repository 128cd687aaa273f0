// A local OTLP/HTTP traces receiver for the load benchmarks, run as its own process so its work is not charged
// to the process being measured: `node bench/lib/otlp-receiver.mjs` prints {"port":N} once listening.
//   POST /v1/traces  -> 200 with an empty ExportTraceServiceResponse; counts requests, body bytes and spans
//                       (the protobuf is walked down to ExportTraceServiceRequest.resource_spans[].scope_spans[].spans[],
//                       span names tallied), so a run that drops spans cannot look fast
//   GET /counts      -> {"requests","bytes","spans","other","names":{name:count}}
//   POST /reset      -> the counts, then zeroes them
// `startReceiverProcess()` spawns it and returns { url, counts(), reset(), close() }.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const here = fileURLToPath(import.meta.url);

/** Reads a varint at `pos`; returns [value, nextPos]. Values above 2^53 lose precision, which is fine for lengths. */
function varint(buf, pos) {
  let value = 0;
  let shift = 1;
  for (;;) {
    const b = buf[pos++];
    value += (b & 0x7f) * shift;
    if (b < 0x80) return [value, pos];
    shift *= 128;
  }
}

/** Calls `onField(field, start, end)` for each length-delimited field of the message in buf[start, end). */
function eachLengthDelimited(buf, start, end, onField) {
  let pos = start;
  while (pos < end) {
    let tag;
    [tag, pos] = varint(buf, pos);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) [, pos] = varint(buf, pos);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      let len;
      [len, pos] = varint(buf, pos);
      onField(field, pos, pos + len);
      pos += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
}

/** Counts the spans of an ExportTraceServiceRequest and tallies their names into `names`. */
export function countSpans(buf, names) {
  let spans = 0;
  eachLengthDelimited(buf, 0, buf.length, (f1, s1, e1) => {
    if (f1 !== 1) return; // resource_spans
    eachLengthDelimited(buf, s1, e1, (f2, s2, e2) => {
      if (f2 !== 2) return; // scope_spans
      eachLengthDelimited(buf, s2, e2, (f3, s3, e3) => {
        if (f3 !== 2) return; // spans
        spans++;
        if (names === undefined) return;
        eachLengthDelimited(buf, s3, e3, (f4, s4, e4) => {
          if (f4 !== 5) return; // Span.name
          const name = buf.toString('utf8', s4, e4);
          names[name] = (names[name] ?? 0) + 1;
        });
      });
    });
  });
  return spans;
}

function serve() {
  let counts = { requests: 0, bytes: 0, spans: 0, other: 0, names: {} };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        let body = Buffer.concat(chunks);
        counts.requests++;
        counts.bytes += body.length;
        try {
          if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
          counts.spans += countSpans(body, process.env.RECEIVER_NAMES === '0' ? undefined : counts.names);
        } catch {
          counts.other++;
        }
        res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 }).end();
      } else if (req.url === '/counts') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
      } else if (req.method === 'POST' && req.url === '/reset') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
        counts = { requests: 0, bytes: 0, spans: 0, other: 0, names: {} };
      } else {
        counts.other++;
        res.writeHead(404).end();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`),
  );
}

/**
 * Starts the receiver in a child process (pinned to `cpus`, e.g. '0', when given and taskset exists).
 * @returns {Promise<{ url: string, counts(): Promise<object>, reset(): Promise<object>, close(): void }>}
 */
export async function startReceiverProcess({ cpus, names = true } = {}) {
  const [cmd, args] = cpus ? ['taskset', ['-c', cpus, process.execPath, here]] : [process.execPath, [here]];
  // names: false skips tallying span names (walking every span's fields), for throughput benchmarks.
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RECEIVER_NAMES: names ? '1' : '0' } });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c) => (out += c));
  while (!/\{"port":\d+\}/.test(out)) {
    const [chunk] = await Promise.race([once(child.stdout, 'data'), once(child, 'exit').then(() => [null])]);
    if (chunk === null) throw new Error('the OTLP receiver exited before listening');
  }
  const url = `http://127.0.0.1:${JSON.parse(/\{"port":\d+\}/.exec(out)[0]).port}`;
  return {
    url,
    counts: async () => (await fetch(`${url}/counts`)).json(),
    reset: async () => (await fetch(`${url}/reset`, { method: 'POST' })).json(),
    close: () => child.kill('SIGKILL'),
  };
}

if (process.argv[1] === here) serve();
