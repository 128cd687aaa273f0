import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { RedReport } from '../red-summary.js';
import { parseTraceFilter } from './trace-filter.js';
import type { TraceStore } from './trace-store.js';
import type { TraceSummary } from './trace-summary.js';

/** What {@link ViewerRoutes} serves. @internal */
export interface ViewerOptions {
  readonly store: TraceStore;
  /** The RED report of every trace printed, from the same code as `--summary`. */
  readonly red: () => RedReport;
  /** Base URL of a Jaeger UI that receives the same traces (`--jaeger-ui`), for links. */
  readonly jaegerUi?: string;
  /** Folder of the page's built files (viewer.js, viewer.css); found next to the command's build when not given. */
  readonly assetsDir?: string;
}

/**
 * The strict policy of every answer: scripts and styles only from this origin (no inline script, no eval), no
 * frames, no plugins, fetches only to this origin. @internal
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};
const ASSETS: Readonly<Record<string, string>> = {
  '/assets/viewer.js': 'text/javascript; charset=utf-8',
  '/assets/viewer.css': 'text/css; charset=utf-8',
};
const MAX_STREAMS = 16;
const KEEPALIVE_MS = 15_000;
const TRACE_PATH = /^\/api\/traces\/([0-9a-f]{32})$/;

/** The page: no inline script or style, only the bundle and its stylesheet from this origin. */
const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>tracewire dev</title>
<link rel="stylesheet" href="/assets/viewer.css">
<script type="module" src="/assets/viewer.js"></script>
</head>
<body><div id="app"><noscript>The tracewire dev viewer needs JavaScript.</noscript></div></body>
</html>
`;

/** The folder of the built page: `viewer/` beside the running build, or the package's `dist/viewer/` (tests run the sources). */
function findAssets(): string | undefined {
  for (const relative of ['./viewer/', '../../../../dist/viewer/']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(`${dir}viewer.js`)) return dir;
  }
  return undefined;
}

/**
 * The trace viewer of `tracewire dev`, on the receiver's port: `GET /` (the page), `/assets/*` (its bundle),
 * `/api/traces` (the list, filtered), `/api/traces/ID` (one trace), `/api/summary` (RED and service map),
 * `/api/events` (server-sent events, one per trace stored). Only GET; every answer carries the strict
 * Content-Security-Policy and `nosniff`, and no CORS header, so another origin's page cannot read it (the Host check
 * of the receiver comes first). @internal
 *
 * @example
 * ```ts
 * const viewer = new ViewerRoutes({ store, red: () => printer.red.report() });
 * if (viewer.handles(path)) viewer.serve(req, res, path, new URLSearchParams(query));
 * ```
 */
export class ViewerRoutes {
  private readonly streams = new Set<ServerResponse>();
  private readonly assetsDir: string | undefined;

  constructor(private readonly options: ViewerOptions) {
    this.assetsDir = options.assetsDir ?? findAssets();
  }

  /** True for the paths the viewer answers. */
  handles(path: string): boolean {
    return path === '/' || path === '/index.html' || path in ASSETS || path === '/api' || path.startsWith('/api/');
  }

  /** Answers one request for a path it handles. */
  serve(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return void this.send(res, 405, 'text/plain; charset=utf-8', 'use GET\n');
    if (path === '/' || path === '/index.html') return void this.send(res, 200, 'text/html; charset=utf-8', INDEX_HTML);
    if (path in ASSETS) return void this.asset(res, path);
    if (path === '/api/traces') return void this.json(res, 200, this.options.store.list(parseTraceFilter(query)));
    if (path === '/api/summary') return void this.json(res, 200, this.options.red());
    if (path === '/api/config')
      return void this.json(res, 200, { jaegerUi: this.options.jaegerUi ?? null, maxTraces: this.options.store.maxTraces });
    if (path === '/api/events') return void this.stream(req, res);
    const match = TRACE_PATH.exec(path);
    const view = match === null ? undefined : this.options.store.view(match[1]!);
    if (view !== undefined) return void this.json(res, 200, view);
    this.json(res, 404, { error: match === null ? 'no such endpoint' : 'trace not held (never received, or evicted)' });
  }

  /** Ends the event streams (at exit, so that the server can close). */
  close(): void {
    for (const res of this.streams) res.end();
    this.streams.clear();
  }

  private stream(req: IncomingMessage, res: ServerResponse): void {
    if (this.streams.size >= MAX_STREAMS) return void this.json(res, 503, { error: `at most ${MAX_STREAMS} pages may listen at once` });
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    res.write(': tracewire dev\n\n');
    this.streams.add(res);
    const send = (summary: TraceSummary): void => void res.write(`event: trace\ndata: ${JSON.stringify(summary)}\n\n`);
    const stop = this.options.store.subscribe(send);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS).unref();
    req.socket.setTimeout(0);
    res.on('close', () => {
      stop();
      clearInterval(keepalive);
      this.streams.delete(res);
    });
  }

  private asset(res: ServerResponse, path: string): void {
    const name = path.slice('/assets/'.length);
    if (this.assetsDir === undefined) return void this.send(res, 404, 'text/plain; charset=utf-8', 'viewer not built: run npm run build\n');
    try {
      this.send(res, 200, ASSETS[path]!, readFileSync(`${this.assetsDir}${name}`));
    } catch {
      this.send(res, 404, 'text/plain; charset=utf-8', `${name} not found\n`);
    }
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    this.send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
  }

  private send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type }).end(body);
  }
}
