import Module from 'node:module';
import { sep } from 'node:path';
import { wrapModuleLoad, type ModuleLoad } from '../internal/node-module-internals.js';

/**
 * CommonJS packages that tracewire instruments through require-in-the-middle also when an ES module imports them,
 * instead of through import-in-the-middle's loader. Their instrumentations patch the package's objects in place
 * (express: the application and Router prototypes; pg: Client.prototype; ioredis: the Redis prototype), so the ES
 * module's `import` sees the patched objects; and the loader no longer generates, links and evaluates a wrapper
 * module for them (about 18 ms for express at startup on Node.js 20). The register passes these names to
 * import-in-the-middle as `exclude`. A package is listed only with a test of its spans from an ES module app:
 * express in test/integration/register.test.ts, pg and ioredis in the e2e shop (test/e2e/fixtures/shop.mjs).
 * @internal
 */
export const REQUIRE_HOOKED_FROM_ESM: readonly string[] = ['express', 'pg', 'ioredis'];

/**
 * Lets require-in-the-middle see the CommonJS packages of {@link REQUIRE_HOOKED_FROM_ESM} that an ES module imports.
 * Node.js loads a CommonJS file imported from an ES module with `Module._load(filename, undefined)` (no parent),
 * which require-in-the-middle does not see: it hooks `Module.prototype.require`. After such a load, the file is
 * required once more through `Module.prototype.require` (from Node.js's cache, so nothing runs twice), which runs
 * the instrumentations' hooks on it. Never throws: if that fails, the import is left as it was.
 * @internal
 */
export function hookEsmImportsOfCommonJs(packages: readonly string[] = REQUIRE_HOOKED_FROM_ESM): void {
  const markers = packages.map((name) => `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`);
  wrapModuleLoad(
    (load: ModuleLoad): ModuleLoad =>
      function loadAndRunRequireHooks(this: unknown, request: string, parent: unknown, _isMain: boolean): unknown {
        const exports: unknown = Reflect.apply(load, this, arguments);
        if (parent === undefined && typeof request === 'string' && markers.some((m) => request.includes(m))) {
          try {
            Module.prototype.require.call(new Module(request), request);
          } catch {
            // The package stays as Node.js loaded it (uninstrumented); the app's import is not affected.
          }
        }
        return exports;
      },
  );
}
