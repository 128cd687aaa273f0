import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, type Options } from 'tsup';
import { CHUNKED } from './src/instrumentations/chunked-instrumentations.js';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const packageRequire = createRequire(import.meta.url);
const shared = {
  outDir: 'dist',
  target: 'node22',
  platform: 'node' as const,
  sourcemap: true,
  shims: true,
  dts: true,
  define: { __TRACEWIRE_VERSION__: JSON.stringify(version) },
};

/** Every identifier-like word in the .js/.ts files under `dir` (recursively), added to `words`. */
function collectWords(dir: string, words: Set<string>): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (entry !== 'esm' && entry !== 'esnext' && entry !== 'test' && entry !== 'node_modules') collectWords(path, words);
    } else if (/\.(c?js|ts)$/.test(entry) && !entry.endsWith('.d.ts')) {
      for (const word of readFileSync(path, 'utf8').match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) words.add(word);
    }
  }
}

/**
 * The register bundle's @opentelemetry/semantic-conventions: only the exports named anywhere in tracewire's source
 * or in the @opentelemetry packages (which include everything the bundle and the instrumentation chunks can use),
 * with the package itself, required from node_modules on first use, for any other name. The whole package is
 * 170 KiB of the bundle and about 8 ms of evaluation at startup (its CommonJS build defines some 660 getters); the
 * names used are a few dozen.
 */
function slimSemanticConventions(): NonNullable<Options['esbuildPlugins']>[number] {
  const full = packageRequire('@opentelemetry/semantic-conventions') as Record<string, unknown>;
  const words = new Set<string>();
  collectWords('src', words);
  const scoped = join('node_modules', '@opentelemetry');
  // Every package folder, wherever it keeps its build (3.x packages ship dist/, the 2.x line and some contrib
  // packages build/, others may use lib/): a name missed here is not an error anyway, only slower, since the proxy
  // below requires the full package for any name it does not hold.
  for (const name of readdirSync(scoped)) if (name !== 'semantic-conventions') collectWords(join(scoped, name), words);
  const entries = Object.keys(full)
    .filter((name) => words.has(name))
    .map((name) => {
      const value = full[name];
      return `${JSON.stringify(name)}: ${typeof value === 'function' ? value.toString() : JSON.stringify(value)}`;
    });
  const source =
    `'use strict';\nlet full;\nconst used = {\n${entries.join(',\n')}\n};\n` +
    // Symbols and __esModule (asked by CommonJS/ES module interop helpers) are not exports of the package.
    `module.exports = new Proxy(used, { get(target, name) { return name in target || typeof name !== 'string' || name === '__esModule' ? target[name] : (full ??= require('tracewire:full-semantic-conventions'))[name]; } });\n`;
  return {
    name: 'tracewire-slim-semantic-conventions',
    setup(build) {
      build.onResolve({ filter: /^@opentelemetry\/semantic-conventions$/ }, () => ({ path: 'slim', namespace: 'tracewire-semconv' }));
      build.onResolve({ filter: /^tracewire:full-semantic-conventions$/ }, () => ({
        path: '@opentelemetry/semantic-conventions',
        external: true,
      }));
      build.onLoad({ filter: /.*/, namespace: 'tracewire-semconv' }, () => ({ contents: source, loader: 'js' }));
    },
  };
}

/**
 * Resolves `@opentelemetry/instrumentation-{http,express}/dist/utils.cjs` (internal modules, outside the packages'
 * `exports`) to their files, so that the register bundle includes them (src/instrumentations/upstream/).
 */
function upstreamUtils(): NonNullable<Options['esbuildPlugins']>[number] {
  return {
    name: 'tracewire-upstream-utils',
    setup(build) {
      build.onResolve({ filter: /^@opentelemetry\/instrumentation-(http|express)\/dist\/utils\.cjs$/ }, (args) => {
        const pkg = args.path.split('/dist/')[0]!;
        return { path: join(dirname(packageRequire.resolve(pkg)), 'utils.cjs') };
      });
    },
  };
}

export default defineConfig([
  // Library entries, both formats. ESM shares chunks between entries. The pino and winston entries import
  // neither library (a mixin is a function, a format an object with transform), so they stay optional peers.
  {
    ...shared,
    entry: {
      index: 'src/index.ts',
      'node-sdk': 'src/node-sdk.ts',
      pino: 'src/logs/pino-mixin.ts',
      winston: 'src/logs/trace-format.ts',
    },
    format: ['esm', 'cjs'],
  },
  // The preload: top-level await in ESM (waits for the loader hook), synchronous in CommonJS.
  { ...shared, entry: { register: 'src/register/esm.ts' }, format: ['esm'] },
  // The CommonJS preload is also what the ESM one runs (see src/register/esm.ts). It bundles the SDK and the
  // instrumentation packages (lazily evaluated, see src/instrumentations/bundled-instrumentations.ts): one file
  // to resolve and read instead of about 200, which is a third of the startup cost `--import tracewire/register`
  // adds (bench/startup.mjs). Kept external: @opentelemetry/api (one copy shared with the app's),
  // import-in-the-middle (its loader thread talks to the copy the hooks were registered with), and what is
  // required on demand (exporters, b3/jaeger propagators, the remote sampler). Minified without renaming
  // identifiers (class names appear in reports): the source V8 keeps in memory is smaller and all ASCII (one
  // non-ASCII comment would make V8 store the whole file as two-byte); source map kept.
  {
    ...shared,
    entry: { register: 'src/register/cjs.ts' },
    format: ['cjs'],
    noExternal: [/^@opentelemetry\/(?!api(\/|$))/],
    esbuildPlugins: [slimSemanticConventions(), upstreamUtils()],
    define: { ...shared.define, __TRACEWIRE_BUNDLES_UPSTREAM_UTILS__: 'true' },
    minifyWhitespace: true,
    minifySyntax: true,
  },
  // The instrumentations of libraries (express, pg, ...), one file each in dist/instrumentations/, which the
  // register bundle loads only when the app has the library, handing them its own copies of the packages they
  // share (see src/instrumentations/bundled-instrumentations.ts): in the main bundle they would be parsed and kept
  // in memory by every process (about 3 MiB of peak RSS and 8 ms measured for all of them).
  {
    ...shared,
    dts: false,
    entry: Object.fromEntries(
      CHUNKED.map((name) => [`instrumentations/${name}`, packageRequire.resolve(`@opentelemetry/instrumentation-${name}`)]),
    ),
    format: ['cjs'],
    noExternal: [/^@opentelemetry\/(?!api(\/|$)|instrumentation$|core$|semantic-conventions$)/],
    minifyWhitespace: true,
    minifySyntax: true,
  },
  // The `tracewire` command (bin): its own build, so nothing it loads can end up in a library chunk.
  // Subcommands are dynamic imports, split into chunks loaded only when that command runs.
  { ...shared, entry: { cli: 'src/cli/main.ts' }, format: ['esm'], dts: false, banner: { js: '#!/usr/bin/env node' } },
  // The page of the `tracewire dev` viewer (Preact, bundled with its stylesheet into dist/viewer/, served by the
  // receiver from the package's own files: no CDN). Browser code, minified; the receiver serves only these two files.
  {
    entry: { 'viewer/viewer': 'src/cli/dev/viewer/page/main.tsx' },
    outDir: 'dist',
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    dts: false,
    sourcemap: false,
    minify: true,
    splitting: false,
    noExternal: [/.*/],
    esbuildOptions(options) {
      options.jsx = 'automatic';
      options.jsxImportSource = 'preact';
    },
  },
  // What bench/ measures directly (e.g. the OTLP encoder). Not in package.json "exports": not a public API.
  { ...shared, entry: { 'bench-internals': 'src/bench-internals.ts' }, format: ['esm'], dts: false },
]);
