// Contract tests of the adapters over upstream internals (src/instrumentations/upstream/), run against the
// installed packages themselves: an upstream release that moves or changes these functions fails here, by name,
// instead of silently changing tracewire's spans.
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { instrumentationExpressUtils } from '../../src/instrumentations/upstream/instrumentation-express-utils.js';
import { instrumentationHttpUtils } from '../../src/instrumentations/upstream/instrumentation-http-utils.js';

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
    const attributes = instrumentationHttpUtils().getIncomingRequestAttributes(request, { component: 'http', enableSyntheticSourceDetection: false }, { verbose: () => undefined });
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
    const span = new Proxy({}, { get: (_t, name) => (...args: unknown[]) => calls.push([name, ...args]) });
    const error = new TypeError('boom');
    instrumentationHttpUtils().setSpanWithError(span as never, error);
    expect(calls).toEqual([['setAttribute', 'error.type', 'TypeError'], ['setStatus', { code: 2, message: 'boom' }], ['recordException', error]]);
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
