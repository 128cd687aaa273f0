// Contract tests of the adapters over upstream internals (src/instrumentations/upstream/ and
// src/internal/node-module-internals.ts), run against the installed packages and the running Node.js themselves (never
// a stand-in): an upstream release that moves or changes what an adapter relies on fails here, by name, instead of
// silently changing tracewire's spans.
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, get as httpGet, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import Module, { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  afterApplyPatch,
  layerPathsOf,
  popLayerPath,
  untracedHandleOf,
  type ExpressLayer,
  type LayerHandle,
} from '../../src/instrumentations/upstream/express-layer-internals.js';
import { instrumentationExpressUtils } from '../../src/instrumentations/upstream/instrumentation-express-utils.js';
import { instrumentationHttpUtils } from '../../src/instrumentations/upstream/instrumentation-http-utils.js';
import { compileCommonJs } from '../../src/internal/node-module-internals.js';

/** A real IncomingMessage for GET `path` with `headers`. */
async function incoming(path: string, headers: Record<string, string>): Promise<IncomingMessage> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const received = once(server, 'request') as Promise<[IncomingMessage, { end(): void }]>;
  const client = httpRequest({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path, headers });
  client.on('error', () => undefined);
  client.end();
  const [message, response] = await received;
  response.end();
  server.close();
  return message;
}

describe('instrumentation-http utils (the stock server span attributes and error recording)', () => {
  it('getIncomingRequestAttributes gives the stable HTTP semantic-convention attributes of a real request', async () => {
    const request = await incoming('/users/7?q=shoes&sig=secret', { 'user-agent': 'contract-test', host: 'shop.example:8080' });
    const attributes = instrumentationHttpUtils().getIncomingRequestAttributes(
      request,
      { component: 'http', enableSyntheticSourceDetection: false },
      { verbose: () => undefined },
    );
    expect(attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'url.path': '/users/7',
      'url.query': 'q=shoes&sig=REDACTED',
      'server.address': 'shop.example',
      'server.port': 8080,
      'network.protocol.version': '1.1',
      'user_agent.original': 'contract-test',
    });
  });

  it('setSpanWithError records the exception, error.type and the ERROR status', () => {
    const calls: unknown[][] = [];
    const span = new Proxy(
      {},
      {
        get:
          (_t, name) =>
          (...args: unknown[]) =>
            calls.push([name, ...args]),
      },
    );
    const error = new TypeError('boom');
    instrumentationHttpUtils().setSpanWithError(span as never, error);
    expect(calls).toEqual([
      ['setAttribute', 'error.type', 'TypeError'],
      ['setStatus', { code: 2, message: 'boom' }],
      ['recordException', error],
    ]);
  });
});

describe('instrumentation-express utils (layer span names, attributes and routes)', () => {
  const utils = instrumentationExpressUtils();

  it('stores layer paths on the request and builds the route from them', () => {
    const request: { originalUrl: string } = { originalUrl: '/api/users/7' };
    expect(utils.storeLayerPath(request, '/api')).toEqual({ isLayerPathStored: true });
    expect(utils.storeLayerPath(request, '/users/:id')).toEqual({ isLayerPathStored: true });
    expect(utils.storeLayerPath(request)).toEqual({ isLayerPathStored: false });
    expect(utils.getConstructedRoute(request)).toBe('/api/users/:id');
    expect(utils.getActualMatchedRoute(request)).toBe('/api/users/:id');
  });

  it('names a request handler layer and a middleware layer as the instrumentation does', () => {
    expect(utils.getLayerMetadata('/users/:id', { name: 'bound dispatch', path: '/users/7' }, '/users/:id')).toEqual({
      attributes: { 'express.name': '/users/:id', 'express.type': 'request_handler' },
      name: 'request handler - /users/:id',
    });
    expect(utils.getLayerMetadata('/', { name: 'jsonParser' })).toEqual({
      attributes: { 'express.name': 'jsonParser', 'express.type': 'middleware' },
      name: 'middleware - jsonParser',
    });
  });

  it('asErrorAndMessage pairs an error with its message, and anything else with its string', () => {
    const error = new Error('bad');
    expect(utils.asErrorAndMessage(error)).toEqual([error, 'bad']);
    expect(utils.asErrorAndMessage(42)).toEqual(['42', '42']);
  });
});

describe('instrumentation-express internals (express-layer-internals.ts), with express 5 routing a real request', () => {
  type Handler = (...args: unknown[]) => unknown;
  interface ExpressApp extends Handler {
    use(...args: unknown[]): ExpressApp;
    get(path: string, handler: Handler): ExpressApp;
  }
  const patched: Array<{ layer: ExpressLayer; layerPath: unknown }> = [];
  const stamp = function stamp(_req: unknown, _res: unknown, next: () => void): void {
    next();
  };
  const onError = function onError(_err: unknown, _req: unknown, res: { end(): void }, _next: unknown): void {
    res.end();
  };
  /** What the route handler saw: the layer paths stored on the request, and what remained after popLayerPath. */
  const seen: { paths?: unknown[]; afterPop?: unknown[] } = {};
  let instrumentation: InstanceType<typeof ExpressInstrumentation>;
  let server: Server;

  beforeAll(async () => {
    const Hooked = afterApplyPatch(ExpressInstrumentation, (_instrumentation, layer, layerPath) => patched.push({ layer, layerPath }));
    expect(Hooked, 'ExpressInstrumentation.prototype._applyPatch').toBeDefined();
    instrumentation = new Hooked!() as InstanceType<typeof ExpressInstrumentation>;
    instrumentation.enable();
    // Required after enable(), as an app does after --require tracewire/register: require-in-the-middle patches it.
    const express = createRequire(import.meta.url)('express') as { (): ExpressApp; Router(): ExpressApp };
    const app = express();
    const api = express.Router();
    api.get('/users/:id', (req: unknown, res: unknown) => {
      seen.paths = [...(layerPathsOf(req as object) ?? [])];
      popLayerPath(req as object);
      seen.afterPop = [...(layerPathsOf(req as object) ?? [])];
      (res as { end(body: string): void }).end('ok');
    });
    app.use(stamp);
    app.use('/api', api);
    app.use(onError);
    server = createServer(app as never).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const [response] = (await once(httpGet(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/users/7`), 'response')) as [
      IncomingMessage,
    ];
    response.resume();
    await once(response, 'end');
  });
  afterAll(() => {
    server?.close();
    instrumentation?.disable();
  });

  it('_applyPatch is called for every layer express adds (app.use, Router.use, Router.route), with the path it is mounted on', () => {
    // express 5's app.use goes through Router.use, so a layer added by app.use is seen twice (the second time with
    // the app.use arguments); the instrumentation patches it once.
    expect(patched.map((p) => p.layerPath)).toEqual(['/users/:id', '/', undefined, '/api', '/api', '/', undefined]);
    expect(patched.every((p) => typeof p.layer.handle === 'function')).toBe(true);
  });

  it('its wrapper keeps the handle express had as __original, and leaves an error handler as its own original', () => {
    const middleware = patched[1]!.layer.handle!;
    const errorHandler = patched[5]!.layer.handle!;
    expect(middleware).not.toBe(stamp);
    expect(untracedHandleOf(middleware)).toBe(stamp);
    expect(errorHandler).toBe(onError);
    expect(untracedHandleOf(errorHandler)).toBe(onError);
  });

  it('__ot_middlewares holds the mounted paths of the layers a request went through, and popLayerPath removes the last', () => {
    expect(seen.paths?.slice(-2)).toEqual(['/api', '/users/:id']);
    expect(seen.afterPop).toEqual(seen.paths?.slice(0, -1));
  });

  it('a handle without __original, and a request without layer paths, are left as they are (no throw)', () => {
    expect(untracedHandleOf((() => undefined) as LayerHandle)).toBeUndefined();
    expect(() => popLayerPath({})).not.toThrow();
  });
});

describe('Node.js module loader internals (node-module-internals.ts), on the running Node.js', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-module-internals-'));

  it('Module._load loads a CommonJS file that an ES module imports, with no parent (wrapModuleLoad sees it)', () => {
    writeFileSync(join(dir, 'dep.cjs'), 'module.exports = { answer: 42 };\n');
    const adapter = pathToFileURL(fileURLToPath(new URL('../../src/internal/node-module-internals.ts', import.meta.url))).href;
    // Node.js 24 strips the adapter's types; this resolve hook maps the sources' `.js` specifiers to their `.ts` files.
    const tsResolver = `data:text/javascript,${encodeURIComponent(
      "import { registerHooks } from 'node:module'; registerHooks({ resolve(specifier, context, next) { try { return next(specifier, context); } catch (error) { if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context); throw error; } } });",
    )}`;
    writeFileSync(
      join(dir, 'app.mjs'),
      [
        `import { wrapModuleLoad } from ${JSON.stringify(adapter)};`,
        'const loads = [];',
        'const wrapped = wrapModuleLoad((load) => function (request, parent) {',
        "  if (String(request).endsWith('dep.cjs')) loads.push({ request, parent: parent === undefined ? 'none' : typeof parent });",
        '  return Reflect.apply(load, this, arguments);',
        '});',
        "const dep = await import('./dep.cjs');",
        'console.log(JSON.stringify({ wrapped, loads, answer: dep.default.answer }));',
      ].join('\n'),
    );
    const out = execFileSync(process.execPath, ['--no-warnings', '--import', tsResolver, join(dir, 'app.mjs')], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ wrapped: true, loads: [{ request: join(dir, 'dep.cjs'), parent: 'none' }], answer: 42 });
  });

  it('Module._nodeModulePaths and Module.prototype._compile run a source as the CommonJS module of its file, with its own require', () => {
    const filename = join(dir, 'chunk.cjs');
    const required: string[] = [];
    const exports = compileCommonJs(
      filename,
      'module.exports = { paths: module.paths, file: __filename, shared: require("shared-package") };',
      function requireFrom(this: Module, id: string) {
        required.push(id);
        return { from: 'the bundle', module: this.filename };
      },
    ) as { paths: string[]; file: string; shared: object };
    expect(exports.file).toBe(filename);
    expect(exports.paths[0]).toBe(join(dir, 'node_modules'));
    expect(exports.paths).toContain('/node_modules');
    expect(exports.shared).toEqual({ from: 'the bundle', module: filename });
    expect(required).toEqual(['shared-package']);
  });
});
