import { parseArgs } from 'node:util';
import { isHttpUrl } from '../../config/validators.js';
import { maskUrl } from '../../internal/mask-url.js';
import type { DevServerOptions } from './dev-server.js';
import { DEFAULT_MAX_TRACES } from './viewer/trace-store.js';

/** What `tracewire dev` was asked for on the command line: the receiver's settings, and `--help`. @internal */
export interface DevArgs extends Pick<DevServerOptions, 'host' | 'port' | 'portIsExplicit' | 'quietMs' | 'summary' | 'jsonl' | 'forward'> {
  /** Extra names accepted in the `Host` header (`--allow-host`, repeatable). */
  readonly allowedHosts: readonly string[];
  /** What the receiver may hold, MiB (`--max-memory`). */
  readonly maxMemoryMiB: number;
  /** Serve the trace viewer (not `--no-ui`). */
  readonly ui: boolean;
  /** Open the viewer in the system browser (`--open`). */
  readonly open: boolean;
  /** Traces the viewer keeps (`--max-traces`). */
  readonly maxTraces: number;
  /** Base URL of a Jaeger UI, for links from the viewer (`--jaeger-ui`). */
  readonly jaegerUi?: string;
  readonly help: boolean;
}

/** @internal */
export const DEV_USAGE = `Usage: tracewire dev [options]

A local OTLP/HTTP receiver: point your apps at it and every completed trace is printed as a tree
with its critical path and bottleneck. Ctrl-C prints the RED summary and the service dependencies.
The same traces, service map and RED table are shown in the browser at http://127.0.0.1:4318/ (--no-ui: not).

Options:
  --port N         port to listen on (default 4318; if 4318 is busy another free port is used)
  --host HOST      address to listen on (default 127.0.0.1)
  --summary        also print the summary whenever traffic pauses, not only at exit
  --jsonl FILE     append every received span to FILE as OTLP/JSON, one per line
  --forward URL    also forward everything received to a real backend (OTLP/HTTP, e.g. http://localhost:14318)
  --quiet MS       print a trace once its root ended and no span came for MS ms (default 1000)
  --allow-host H   also answer requests whose Host header names H (repeatable); by default only
                   localhost, 127.0.0.1, [::1] and the --host address are answered (DNS rebinding protection)
  --max-memory MB  what the receiver may hold, in MiB (default 256): uploads in flight, traces waiting and printed
                   (the viewer's traces may take a quarter more)
  --no-ui          do not serve the trace viewer (by default at http://127.0.0.1:4318/, the receiver's port)
  --open           open the trace viewer in the system browser
  --max-traces N   traces the viewer keeps, least recently used dropped first (default 1000)
  --jaeger-ui URL  link each trace in the viewer to this Jaeger UI (with --forward to that Jaeger)
  -h, --help       show this help

Limits: a request body up to 32 MiB (64 MiB inflated) and 50000 spans, 32 uploads in flight,
30 s per request (10 s for the headers); values longer than 8192 characters and lists longer
than 128 entries are cut; a trace keeps at most 10000 spans, and at most 100000 spans wait in all.
Each limit reached is said once on stderr, with its remedy.

Apps: OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node --import tracewire/register app.js
`;

/**
 * Parses `tracewire dev` arguments. Returns the arguments, or every problem found (one line each). Pure. @internal
 *
 * @example
 * ```ts
 * parseDevArgs(['--port', '0', '--summary']); // { args: { port: 0, summary: true, … }, problems: [] }
 * ```
 */
export function parseDevArgs(argv: readonly string[]): { args: DevArgs; problems: string[] } {
  const problems: string[] = [];
  let values: Record<string, string | boolean | string[] | undefined> = {};
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        summary: { type: 'boolean' },
        jsonl: { type: 'string' },
        forward: { type: 'string' },
        quiet: { type: 'string' },
        'allow-host': { type: 'string', multiple: true },
        'max-memory': { type: 'string' },
        'no-ui': { type: 'boolean' },
        open: { type: 'boolean' },
        'max-traces': { type: 'string' },
        'jaeger-ui': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    problems.push((error as Error).message);
  }
  const port = values.port === undefined ? 4318 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`--port ${String(values.port)}: expected an integer between 0 and 65535`);
  const quietMs = values.quiet === undefined ? 1000 : Number(values.quiet);
  if (!Number.isInteger(quietMs) || quietMs < 0) problems.push(`--quiet ${String(values.quiet)}: expected a number of milliseconds`);
  const host = typeof values.host === 'string' && values.host !== '' ? values.host : '127.0.0.1';
  const forward = typeof values.forward === 'string' ? values.forward : undefined;
  if (forward !== undefined && !isHttpUrl(forward)) problems.push(`--forward ${maskUrl(forward)}: expected an http(s) URL`);
  const maxMemoryMiB = values['max-memory'] === undefined ? 256 : Number(values['max-memory']);
  if (!Number.isInteger(maxMemoryMiB) || maxMemoryMiB < 16)
    problems.push(`--max-memory ${String(values['max-memory'])}: expected a number of MiB, at least 16`);
  const allowedHosts = Array.isArray(values['allow-host']) ? values['allow-host'] : [];
  for (const name of allowedHosts)
    if (name.trim() === '' || /[\s/@]/.test(name.trim())) problems.push(`--allow-host ${JSON.stringify(name)}: expected a host name`);
  const maxTraces = values['max-traces'] === undefined ? DEFAULT_MAX_TRACES : Number(values['max-traces']);
  if (!Number.isInteger(maxTraces) || maxTraces < 1)
    problems.push(`--max-traces ${String(values['max-traces'])}: expected a number of traces, at least 1`);
  const jaegerUi = typeof values['jaeger-ui'] === 'string' ? values['jaeger-ui'] : undefined;
  if (jaegerUi !== undefined && !isHttpUrl(jaegerUi)) problems.push(`--jaeger-ui ${maskUrl(jaegerUi)}: expected an http(s) URL`);
  const jsonl = typeof values.jsonl === 'string' ? values.jsonl : undefined;
  if (jsonl === '') problems.push('--jsonl: expected a file name');
  const args: DevArgs = {
    host,
    port,
    portIsExplicit: values.port !== undefined,
    quietMs,
    summary: values.summary === true,
    allowedHosts,
    maxMemoryMiB,
    ui: values['no-ui'] !== true,
    open: values.open === true,
    maxTraces,
    help: values.help === true,
    ...(jaegerUi !== undefined ? { jaegerUi } : {}),
    ...(jsonl !== undefined ? { jsonl } : {}),
    ...(forward !== undefined ? { forward } : {}),
  };
  return { args, problems };
}
