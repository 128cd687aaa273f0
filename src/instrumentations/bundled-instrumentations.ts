import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import { compileCommonJs } from '../internal/node-module-internals.js';
import { CHUNKED } from './chunked-instrumentations.js';

/**
 * How the CommonJS register build (`tracewire/register`, see tsup.config.ts) gets the instrumentation packages,
 * for the CommonJS register build only; the library entries (`tracewire`, `tracewire/node-sdk`) do not import
 * this file and require the packages from node_modules.
 *
 * - http and undici (always loaded) are bundled into dist/register.cjs together with what every instrumentation
 *   shares (@opentelemetry/instrumentation, core, semantic-conventions, require-in-the-middle) and the SDK:
 *   one file instead of about 200 cuts module resolution, reading and compiling at startup.
 * - The instrumentations of libraries are one file each in dist/instrumentations/ ({@link CHUNKED}), loaded only
 *   when loadInstrumentations() found the library in the app, with the shared packages taken from the bundle.
 * - fastify is traced by tracewire's own instrumentation (src/instrumentations/fastify/), no package.
 * @opentelemetry/api and import-in-the-middle stay external everywhere (one shared copy each).
 * @internal
 */

/** The bundle's copies of the packages the chunks were built to share (kept external in them). */
const SHARED: Readonly<Record<string, () => unknown>> = {
  '@opentelemetry/instrumentation': (): unknown => require('@opentelemetry/instrumentation') as unknown,
  '@opentelemetry/core': (): unknown => require('@opentelemetry/core') as unknown,
  '@opentelemetry/semantic-conventions': (): unknown => require('@opentelemetry/semantic-conventions') as unknown,
};

/** The require() of a chunk: a shared package from the bundle, anything else as Node.js resolves it for the chunk. */
function requireShared(this: Module, id: string): unknown {
  const shared = SHARED[id];
  return shared === undefined ? Module.prototype.require.call(this, id) : shared();
}

/**
 * Loads dist/instrumentations/<name>.cjs as a CommonJS module whose require() of a shared package gets the bundle's
 * copy (through Node.js's loader internals, owned by internal/node-module-internals.ts).
 */
function loadChunk(name: string): unknown {
  const filename = join(__dirname, 'instrumentations', `${name}.cjs`);
  return compileCommonJs(filename, readFileSync(filename, 'utf8'), requireShared);
}

/** Package name -> loader, for loadInstrumentations() (see useBundledInstrumentations). @internal */
export const BUNDLED_INSTRUMENTATIONS: Readonly<Record<string, () => unknown>> = {
  '@opentelemetry/instrumentation-http': (): unknown => require('@opentelemetry/instrumentation-http') as unknown,
  '@opentelemetry/instrumentation-undici': (): unknown => require('@opentelemetry/instrumentation-undici') as unknown,
  ...Object.fromEntries(CHUNKED.map((name) => [`@opentelemetry/instrumentation-${name}`, () => loadChunk(name)])),
};
